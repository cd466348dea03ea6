// provisionedClusterInstances/agentPools: the pools of an AKS hybrid cluster, kept once as its children
// (and shown in its agentPoolProfiles); scaling one is fabric work on the cluster's site.

import type { OperationRecord } from '../../arm/asyncOperations.js';
import { Errors } from '../../arm/errors.js';
import type { ArmResource, Completion, RequestContext, ResourceTypeDefinition, Services, StoredResource, WriteOutcome } from '../../framework/types.js';
import { assertCapabilities } from '../../kubernetes/capabilities.js';
import { atApiVersion } from '../versionShapes.js';
import { API_VERSIONS, fabricPoolStatus, normalizePool, NS, op, poolFeatures, poolsOf, refuseIfBusy, scaleTasks, settleTask, storedTarget } from './common.js';
import { INSTANCES } from './network.js';

// ---- agent pools --------------------------------------------------------------------------------------

function requireInstance(ctx: RequestContext): StoredResource {
  const inst = ctx.parent;
  if (!inst || inst.typeKey !== INSTANCES) throw Errors.parentResourceNotFound('write', `${NS}/provisionedClusterInstances/agentPools`, ctx.path.id.split('/agentPools/')[0]);
  if (inst.deleting) throw Errors.conflict('The AKS hybrid cluster is being deleted.');
  const state = inst.resource.properties?.provisioningState;
  if (state === 'Failed' || state === 'Canceled') {
    throw Errors.operationNotAllowed(`The AKS hybrid cluster is ${state}; delete it (or put it again) before changing its pools.`);
  }
  return inst;
}

export function putPool(ctx: RequestContext, candidate: ArmResource): WriteOutcome {
  const { services } = ctx;
  const inst = requireInstance(ctx);
  const id = inst.resource.id;
  refuseIfBusy(services, id, `changing agent pool '${candidate.name}'`);
  const t = storedTarget(services, inst);
  const ex = ctx.existing;
  const name = ctx.path.names.at(-1)!;
  const props = normalizePool({ ...(candidate.properties ?? {}) }, name, t.doc, 'properties', ex?.resource.properties);
  const pools = poolsOf(services, id);
  const features = poolFeatures(props, 'properties');
  if (!ex) features.push({ feature: 'nodePoolCount', value: pools.length + 1, target: 'name' });
  assertCapabilities(t.doc, features);
  const iv = String(inst.resource.properties?.kubernetesVersion);
  const tasks = !ex || ex.resource.properties?.count !== props.count ? scaleTasks(services, id, t, { name, vmSize: props.vmSize, count: props.count }, iv, String(inst.internal.network)) : [];
  const resource: ArmResource = {
    ...candidate,
    extendedLocation: inst.resource.extendedLocation,
    properties: {
      ...props,
      kubernetesVersion: iv,
      provisioningState: ex ? 'Updating' : 'Creating',
      status: { ...(ex?.resource.properties?.status ?? {}), currentState: ex ? 'Updating' : 'Creating' },
    },
  };
  if (typeof ctx.body?.location === 'string') resource.location = ctx.body.location;
  return {
    resource,
    internal: { ...(ex?.internal ?? {}), order: ex?.internal.order ?? Math.max(0, ...pools.map((p) => Number(p.internal.order ?? 0))) + 1 },
    operation: { kind: ex ? 'update' : 'create', tasks: tasks.length ? tasks : [settleTask()], data: { before: ex ? { count: ex.resource.properties?.count } : null } },
  };
}

export function deletePool(ctx: RequestContext & { existing: StoredResource }) {
  const { services } = ctx;
  const inst = ctx.parent!;
  refuseIfBusy(services, inst.resource.id, `deleting agent pool '${ctx.existing.resource.name}'`);
  const t = storedTarget(services, inst);
  const p = ctx.existing.resource.properties ?? {};
  const tasks = scaleTasks(
    services,
    inst.resource.id,
    t,
    { name: ctx.existing.resource.name, vmSize: p.vmSize, count: 0 },
    String(inst.resource.properties?.kubernetesVersion),
    String(inst.internal.network),
  );
  return { operation: { kind: 'delete' as const, tasks: tasks.length ? tasks : [settleTask()] } };
}

export function settlePool(op: OperationRecord, stored: StoredResource | undefined, services: Services, ok: boolean, message?: string): Completion {
  if (!stored) return { resource: undefined };
  if (op.kind === 'delete') {
    if (ok) return { resource: undefined };
  }
  const s = structuredClone(stored);
  const p = s.resource.properties ?? {};
  const before = (op.data as { before?: { count: number } | null } | undefined)?.before;
  if (!ok && before) p.count = before.count;
  p.provisioningState = ok ? 'Succeeded' : op.cancelRequested ? 'Canceled' : 'Failed';
  const owner = stored.resource.id.split('/agentPools/')[0];
  p.status = { ...fabricPoolStatus(services, owner, stored.resource.name, p), ...(message ? { errorMessage: message } : {}) };
  s.resource.properties = p;
  return { resource: s };
}

export const agentPools: ResourceTypeDefinition = {
  namespace: NS,
  type: 'provisionedClusterInstances/agentPools',
  scope: 'extension',
  tracked: false,
  apiVersions: API_VERSIONS,
  patch: false,
  providerOperations: [
    op('provisionedClusterInstances/agentPools/read', 'Get agent pool'),
    op('provisionedClusterInstances/agentPools/write', 'Create or update agent pool'),
    op('provisionedClusterInstances/agentPools/delete', 'Delete agent pool'),
  ],
  onPut: putPool,
  onDelete: deletePool,
  toWire(s, apiVersion) {
    const r = structuredClone(s.resource);
    r.type = 'Microsoft.HybridContainerService/provisionedClusterInstances/agentPools';
    if (s.deleting) r.properties = { ...r.properties, provisioningState: 'Deleting' };
    return atApiVersion(r.type, apiVersion, r);
  },
  onOperationSucceeded: (o, s, services) => settlePool(o, s, services, true),
  onOperationFailed: (o, s, e, services) => settlePool(o, s, services, false, e.message),
};
