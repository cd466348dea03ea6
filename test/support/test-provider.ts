// A provider that exists only in tests, to exercise the framework independently of any real
// namespace: tracked 'widgets' with an async create/delete, child 'widgets/gadgets', and an async
// 'restart' action. Its task kind sleeps for the simulated duration the body asks for and can fail.
import { ArmError } from '../../src/arm/errors.js';
import type { ResourceProvider, ResourceTypeDefinition } from '../../src/framework/types.js';

export const TEST_NS = 'Microsoft.Test';
export const runs: { task: string; op: string }[] = [];

export function testProvider(): ResourceProvider {
  return {
    namespace: TEST_NS,
    registeredByDefault: true,
    types: [
      {
        namespace: TEST_NS,
        type: 'widgets',
        scope: 'resourceGroup',
        tracked: true,
        locations: '*',
        apiVersions: ['2024-01-01', '2023-01-01-preview', '2022-01-01'],
        nameRule: { pattern: /^[a-z][a-z0-9-]{0,30}$/, message: 'Widget names are 1-31 lowercase letters, digits or dashes, starting with a letter.' },
        schema: 'Microsoft.Test/widget.json',
        patch: 'merge',
        listBySubscription: true,
        validate(_ctx, candidate) {
          if (candidate.properties?.size === 13) throw new ArmError(400, 'UnluckySize', 'Widgets of size 13 are refused before anything is created.', { target: 'properties.size' });
        },
        onPut(_ctx, candidate) {
          const ms = Number(candidate.properties?.workMs ?? 0);
          return {
            resource: { ...candidate, properties: { ...candidate.properties, provisioningState: 'Creating' } },
            internal: { secret: candidate.properties?.secret },
            operation: {
              kind: 'create',
              tasks: [
                { id: 'a', kind: 'test.work', params: { fail: candidate.properties?.fail === true }, durationMs: ms },
                { id: 'b', kind: 'test.work', params: {}, durationMs: ms, dependsOn: ['a'] },
              ],
            },
          };
        },
        onDelete(ctx) {
          const ms = Number(ctx.existing.resource.properties?.workMs ?? 0);
          return { operation: { kind: 'delete', tasks: [{ id: 'd', kind: 'test.work', params: {}, durationMs: ms }] } };
        },
        actions: {
          restart: () => ({ operation: { kind: 'action', tasks: [{ id: 'r', kind: 'test.work', params: {}, durationMs: 0 }] } }),
          listSecrets: (ctx) => ({ status: 200, body: { secret: ctx.existing.internal.secret ?? null } }),
        },
        toWire(s) {
          const r = structuredClone(s.resource);
          if (r.properties) delete r.properties.secret;
          return r;
        },
      },
      {
        namespace: TEST_NS,
        type: 'widgets/gadgets',
        scope: 'resourceGroup',
        tracked: false,
        apiVersions: ['2024-01-01', '2023-01-01-preview', '2022-01-01'],
      },
      // 'slots' and 'looseSlots': each PUT takes the lowest slot number no stored sibling holds, reading the
      // stored ones and then yielding before it returns (as a hook that awaits would); only 'slots' is serial.
      slotType('slots', true),
      slotType('looseSlots', false),
    ],
    init(services) {
      services.asyncOperations.registerTaskKind('test.work', {
        run(task, op) {
          runs.push({ task: task.id, op: op.id });
          if (task.params.fail) throw new ArmError(409, 'WidgetJammed', 'The widget jammed while being built.');
          return { ok: true };
        },
        undo(task) {
          runs.push({ task: `undo:${task.id}`, op: '' });
        },
      });
    },
  };
}

function slotType(type: string, serialPuts: boolean): ResourceTypeDefinition {
  return {
    namespace: TEST_NS,
    type,
    scope: 'resourceGroup',
    tracked: false,
    apiVersions: ['2024-01-01'],
    serialPuts,
    async onPut(ctx, candidate) {
      if (ctx.existing) return { resource: ctx.existing.resource };
      const held = new Set(ctx.services.resources.listByType(`${TEST_NS.toLowerCase()}/${type.toLowerCase()}`).map((r) => r.resource.properties?.slot));
      let slot = 0;
      while (held.has(slot)) slot++;
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      return { resource: { ...candidate, properties: { ...candidate.properties, slot, provisioningState: 'Succeeded' } } };
    },
  };
}
