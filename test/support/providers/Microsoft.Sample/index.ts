// A provider that exists only in tests, in one folder, to prove that a new resource type with a
// long-running PUT, children and a fabric plan needs nothing outside its own folder: 'machines'
// (VMs on the fabric site its location resolves to) with 'machines/disks' children stored in the
// same write. Its hooks are pure; its one task kind can be told to throw, to test that operations
// always end.

import { Errors } from '../../../../src/arm/errors.js';
import type { Services } from '../../../../src/framework/types.js';
import type { Completion, ResourceProvider, StoredResource } from '../../../../src/framework/types.js';
import type { TaskSpec } from '../../../../src/arm/asyncOperations.js';

export const SAMPLE_NS = 'Microsoft.Sample';
export const SAMPLE_API = '2025-01-01';
const EXPLODE = 'sample.explode';

function vmName(id: string, i: number): string {
  let h = 0;
  for (const c of id.toLowerCase()) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `sample-${h.toString(16)}-${i}`;
}

const disks = (id: string, n: number, state: string) =>
  Array.from({ length: n }, (_, i) => ({ resource: { id: `${id}/disks/disk${i}`, name: `disk${i}`, type: `${SAMPLE_NS}/machines/disks`, properties: { sizeGB: 32, provisioningState: state } } }));

function settle(stored: StoredResource | undefined, state: string, services: Services): Completion {
  if (!stored) return { resource: undefined };
  const s = structuredClone(stored);
  s.resource.properties = { ...(s.resource.properties ?? {}), provisioningState: state };
  const children = services.resources.listByParent(s.resource.id).map((c) => ({ resource: { ...c.resource, properties: { ...c.resource.properties, provisioningState: state } } }));
  return { resource: s, related: { put: children } };
}

export function sampleProvider(): ResourceProvider {
  return {
    namespace: SAMPLE_NS,
    registeredByDefault: true,
    types: [
      {
        namespace: SAMPLE_NS,
        type: 'machines',
        scope: 'resourceGroup',
        tracked: true,
        locations: '*',
        apiVersions: [SAMPLE_API],
        listBySubscription: true,
        onPut(ctx, candidate) {
          const p = candidate.properties ?? {};
          const count = Number(p.vmCount ?? 1);
          if (!Number.isInteger(count) || count < 0 || count > 20) throw Errors.invalidParameter('vmCount must be a whole number from 0 to 20.', 'properties.vmCount');
          const target = ctx.target!();
          const id = ctx.path.id;
          const tasks: TaskSpec[] = [];
          if (target.site) {
            for (let i = 0; i < count; i++) {
              tasks.push({
                id: `vm${i}`,
                kind: 'fabric.createVm',
                params: { site: target.site, vm: { name: vmName(id, i), owner: id, role: 'worker', vmSize: String(p.vmSize ?? 'Standard_DS2_v2') } },
                durationMs: 0,
              });
            }
          }
          tasks.push({ id: 'finish', kind: EXPLODE, params: { explode: p.explode === true }, dependsOn: tasks.map((t) => t.id), durationMs: Number(p.finishMs ?? 0) });
          return {
            resource: { ...candidate, properties: { ...p, provisioningState: 'Creating' } },
            internal: { site: target.site },
            related: { put: disks(id, Number(p.diskCount ?? 0), 'Creating') },
            operation: { kind: 'create', tasks },
          };
        },
        onDelete(ctx) {
          const site = ctx.existing.internal.site as string | undefined;
          const tasks: TaskSpec[] = site ? [{ id: 'vms', kind: 'fabric.deleteOwner', params: { site, owner: ctx.existing.resource.id } }] : [];
          return { operation: { kind: 'delete', tasks } };
        },
        onOperationSucceeded(op, stored, services) {
          if (op.kind === 'delete') return { resource: undefined };
          const done = settle(stored, 'Succeeded', services);
          // A hook bug: a resource that cannot be stored (a cycle).
          if (done.resource?.resource.properties?.unstorable) done.resource.resource.properties.self = done.resource.resource;
          return done;
        },
        onOperationFailed: (op, stored, _e, services) => settle(stored, op.cancelRequested ? 'Canceled' : 'Failed', services),
      },
      { namespace: SAMPLE_NS, type: 'machines/disks', scope: 'resourceGroup', tracked: false, apiVersions: [SAMPLE_API] },
    ],
    init(services) {
      services.asyncOperations.registerTaskKind(EXPLODE, {
        run(task) {
          // An unexpected bug, not an ARM error: the engine must still end the operation and undo its work.
          if (task.params.explode) (undefined as unknown as { boom(): void }).boom();
          return { ok: true };
        },
      });
    },
  };
}
