// Agent pool actions beyond PUT/DELETE, all carried out on the fabric:
//   upgradeNodeImageVersion  (az aks nodepool upgrade --node-image-only): every worker of the pool is
//                            replaced, rolling, by one on the latest node image (a fabric plan);
//   abort                    (az aks nodepool operation-abort): cancels the pool's operation in flight;
//   deleteMachines           (az aks nodepool delete-machines): drains and deletes the named machines
//                            (fabric VMs) of the pool, whose count drops by as many;
// and the machines of a pool (agentPools/machines), read from the fabric. An Azure Stack Hub stamp
// refuses each up front (no node pool commands there).

import { Errors } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { ActionOutcome, RequestContext, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import type { OperationRecord } from '../../arm/asyncOperations.js';
import type { Vm } from '../../fabric/model.js';
import { assertOperationOffered } from '../../kubernetes/clusterOperations.js';
import { clusterIdOf, isStopped, refuseIfBusy, settleTask, targetOfStored, type OpData } from './clusterCommon.js';
import { deleteMachinesTasks, nodeImageTasks, poolVms } from './work.js';
import { isObj, nodeImageVersion, NS } from './shape.js';
import { offeredAt, versionsOf } from './versions.js';

type ActionCtx = RequestContext & { existing: StoredResource };

function clusterOf(ctx: ActionCtx): StoredResource {
  const c = ctx.services.resources.get(clusterIdOf(ctx.existing.resource.id));
  if (!c) throw Errors.resourceNotFound(`${NS}/managedClusters/${ctx.path.names[0]}`, ctx.path.resourceGroup);
  return c;
}

function requireVersion(ctx: ActionCtx, key: string, action: string): void {
  if (!offeredAt(key, ctx.apiVersion)) throw Errors.actionNotFound(`managedClusters/agentPools/${action}`, NS, ctx.apiVersion);
}

/** The latest node image of a pool's OS and version on its target. */
export function latestNodeImage(services: Services, cluster: StoredResource, p: Record<string, any>): string {
  return nodeImageVersion(p.osType ?? 'Linux', p.osSKU ?? 'Ubuntu', p.currentOrchestratorVersion ?? cluster.resource.properties?.currentKubernetesVersion, targetOfStored(services, cluster).kind);
}

function marked(ctx: ActionCtx, state: string) {
  const r = structuredClone(ctx.existing.resource);
  r.properties = { ...(r.properties ?? {}), provisioningState: state };
  return r;
}

export function upgradeNodeImageVersion(ctx: ActionCtx): ActionOutcome {
  requireVersion(ctx, 'managedClusters/agentPools/upgradeNodeImageVersion', 'upgradeNodeImageVersion');
  const { services } = ctx;
  const cluster = clusterOf(ctx);
  const target = targetOfStored(services, cluster);
  assertOperationOffered(target.doc, 'upgradeNodeImageVersion');
  const pool = ctx.existing;
  const name = pool.resource.name;
  refuseIfBusy(services, cluster.resource.id, `upgrading the node image of agent pool '${name}'`);
  if (isStopped(cluster) || pool.resource.properties?.powerState?.code === 'Stopped') {
    throw Errors.operationNotAllowed(`Agent pool '${name}' is stopped; start it before upgrading its node image.`);
  }
  const tasks = nodeImageTasks(services, cluster.resource.id, target, name);
  tasks.push(settleTask(tasks.map((t) => t.id)));
  // az aks nodepool upgrade --node-image-only --snapshot-id: the snapshot's node image, named in a header
  const snapId = ctx.headers['akssnapshotid'];
  let image = latestNodeImage(services, cluster, pool.resource.properties ?? {});
  if (snapId) {
    const snap = services.resources.get(snapId);
    if (!snap || snap.typeKey !== 'microsoft.containerservice/snapshots') throw Errors.invalidParameter(`The snapshot '${snapId}' named in the AKSSnapshotId header does not exist.`, 'AKSSnapshotId');
    image = snap.resource.properties?.nodeImageVersion ?? image;
  }
  const data: OpData = { verb: 'poolPut', pool: name, nodeImageVersion: image };
  return { resource: marked(ctx, 'UpgradingNodeImageVersion'), operation: { kind: 'action', action: 'upgradeNodeImageVersion', tasks, data: data as Record<string, unknown>, resultIsResource: true } };
}

export function abortPool(ctx: ActionCtx): ActionOutcome {
  requireVersion(ctx, 'managedClusters/agentPools/abort', 'abort');
  const { services } = ctx;
  const cluster = clusterOf(ctx);
  assertOperationOffered(targetOfStored(services, cluster).doc, 'poolAbort');
  const s = ctx.existing;
  const op: OperationRecord | undefined = s.operationId ? services.asyncOperations.get(s.operationId) : undefined;
  if (!op || op.status !== 'InProgress' || op.cancelRequested) {
    throw Errors.operationNotAllowed(`There is no operation in progress on agent pool '${s.resource.name}' to abort.`);
  }
  if (op.kind === 'delete') throw Errors.operationNotAllowed(`The delete of agent pool '${s.resource.name}' cannot be aborted.`);
  return {
    status: 204,
    resource: marked(ctx, 'Canceling'),
    cancel: { operationId: op.id, message: `The ${op.kind === 'action' ? op.action : op.kind} operation of agent pool '${s.resource.name}' was aborted by an abort request.` },
  };
}

export function deleteMachines(ctx: ActionCtx): ActionOutcome {
  requireVersion(ctx, 'managedClusters/agentPools/deleteMachines', 'deleteMachines');
  const { services } = ctx;
  const cluster = clusterOf(ctx);
  const target = targetOfStored(services, cluster);
  assertOperationOffered(target.doc, 'deleteMachines');
  const pool = ctx.existing;
  const name = pool.resource.name;
  const body = ctx.body;
  if (!isObj(body) || !Array.isArray(body.machineNames) || body.machineNames.length === 0 || body.machineNames.some((m: unknown) => typeof m !== 'string' || m === '')) {
    throw Errors.invalidParameter('The request body needs machineNames: the names of the machines of the pool to delete.', 'machineNames');
  }
  refuseIfBusy(services, cluster.resource.id, `deleting machines of agent pool '${name}'`);
  const props = pool.resource.properties ?? {};
  const vms = poolVms(services, cluster.resource.id, name);
  const asked = [...new Set((body.machineNames as string[]).map((m) => m.toLowerCase()))];
  const machines: Vm[] = [];
  for (const m of asked) {
    const vm = vms.find((v) => v.name.toLowerCase() === m);
    if (!vm && services.fabric) {
      throw Errors.invalidParameter(`The machine '${m}' is not a machine of agent pool '${name}'. Its machines: ${vms.map((v) => v.name).join(', ') || 'none'}.`, 'machineNames');
    }
    if (vm) machines.push(vm);
  }
  const remaining = Number(props.count ?? vms.length) - asked.length;
  if (props.mode === 'System' && remaining < 1) {
    throw Errors.invalid('OperationNotAllowed', `Deleting ${asked.length} machine(s) would leave System agent pool '${name}' without nodes; it needs at least 1.`, 'machineNames');
  }
  if (props.enableAutoScaling === true && remaining < Number(props.minCount ?? 0)) {
    throw Errors.invalid('OperationNotAllowed', `Deleting ${asked.length} machine(s) would take agent pool '${name}' below its autoscaler minimum of ${props.minCount}.`, 'machineNames');
  }
  const tasks = deleteMachinesTasks(services, target, machines);
  tasks.push(settleTask(tasks.map((t) => t.id)));
  const r = marked(ctx, 'Scaling');
  r.properties!.count = Math.max(0, remaining);
  const data: OpData = { verb: 'poolPut', pool: name, count: Math.max(0, remaining) };
  return { resource: r, operation: { kind: 'action', action: 'deleteMachines', tasks, data: data as Record<string, unknown> } };
}

// ---- machines -------------------------------------------------------------------------------------------

function machineWire(poolId: string, vm: Vm, zones: string[] | undefined) {
  const m: Record<string, any> = {
    id: `${poolId}/machines/${vm.name}`,
    name: vm.name,
    type: `${NS}/managedClusters/agentPools/machines`,
    properties: { network: { ipAddresses: [{ family: 'IPv4', ip: vm.ip ?? '' }] }, resourceId: `${poolId}/machines/${vm.name}` },
  };
  if (zones?.length) m.zones = [zones[0]];
  return m;
}

function poolOf(ctx: RequestContext): StoredResource {
  const { path, services } = ctx;
  const clusterId = `/subscriptions/${path.subscriptionId}/resourceGroups/${path.resourceGroup}/providers/${NS}/managedClusters/${path.names[0]}`;
  const pool = services.resources.get(`${clusterId}/agentPools/${path.names[1]}`);
  if (!pool) throw Errors.resourceNotFound(`${NS}/managedClusters/${path.names[0]}/agentPools/${path.names[1]}`, path.resourceGroup);
  return pool;
}

export const machines: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/agentPools/machines',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/agentPools/machines'),
  handlers: {
    list(ctx) {
      const pool = poolOf(ctx);
      const vms = poolVms(ctx.services, clusterIdOf(pool.resource.id), pool.resource.name);
      return { status: 200, body: { value: vms.map((v) => machineWire(pool.resource.id, v, pool.resource.properties?.availabilityZones)) } };
    },
    get(ctx) {
      const pool = poolOf(ctx);
      const vm = poolVms(ctx.services, clusterIdOf(pool.resource.id), pool.resource.name).find((v) => v.name.toLowerCase() === ctx.path.names[2].toLowerCase());
      if (!vm) throw Errors.resourceNotFound(`${NS}/managedClusters/${ctx.path.names[0]}/agentPools/${ctx.path.names[1]}/machines/${ctx.path.names[2]}`, ctx.path.resourceGroup);
      return { status: 200, body: machineWire(pool.resource.id, vm, pool.resource.properties?.availabilityZones) };
    },
  },
};
