// What the managed-cluster hooks and the cluster and pool actions share: the settle task, the data an
// operation carries to its completion, the busy check, where a cluster's location lands, its pools as child
// resources and its node resource group as it now is. Kept apart so the actions (clusterActions, runCommand,
// poolActions) and the agent pools need not import the cluster hooks that use them.

import { Errors } from '../../arm/errors.js';
import type { ArmResource, RelatedResource, Services, StoredResource } from '../../framework/types.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import { kubernetesTarget, type KubernetesTarget } from '../../kubernetes/capabilities.js';
import { POOL_TYPE, POOL_TYPE_KEY, type Profile } from './shape.js';
import { clusterStatus } from './work.js';
import { nodeGroupResources, nodeResourceGroupId, staleIds, type NodeGroupInput } from './nodeResourceGroup.js';

export const SETTLE_TASK = 'containerservice.settle';

/** What an operation carries to its completion hooks. */
export interface OpData {
  verb: 'create' | 'update' | 'delete' | 'stop' | 'start' | 'rotate' | 'resetServicePrincipal' | 'poolPut' | 'poolDelete';
  /** Cluster properties before the operation (restored where a failure leaves things as they were). */
  before?: Record<string, any>;
  /** Full control-plane version the operation goes to. */
  version?: string;
  /** Full version per pool the operation goes to. */
  poolVersions?: Record<string, string>;
  sp?: { clientId: string; secret: string };
  pool?: string;
  [k: string]: unknown;
}

export function settleTask(dependsOn: string[], durationMs = 2_000): TaskSpec {
  return { id: 'settle', kind: SETTLE_TASK, params: {}, dependsOn, durationMs, weight: 1 };
}

export function clusterIdOf(poolOrClusterId: string): string {
  const i = poolOrClusterId.toLowerCase().indexOf('/agentpools/');
  return i < 0 ? poolOrClusterId : poolOrClusterId.slice(0, i);
}

/** 409 while the cluster or one of its pools has an operation in flight. */
export function refuseIfBusy(services: Services, clusterId: string, what: string): void {
  const cluster = services.resources.get(clusterId);
  const candidates = [cluster, ...services.resources.listByParent(clusterId)];
  for (const s of candidates) {
    if (!s?.operationId) continue;
    const op = services.asyncOperations.get(s.operationId);
    if (op && op.status === 'InProgress') {
      const running = op.kind === 'action' ? op.action : `${op.kind}${s.typeKey === POOL_TYPE_KEY ? ` of agent pool '${s.resource.name}'` : ''}`;
      throw Errors.operationNotAllowed(
        `Operation is not allowed because there's an in progress ${running} operation on managed cluster '${cluster?.resource.name ?? clusterId.split('/').pop()}'. Wait for it to finish before ${what}.`,
      );
    }
  }
}

export function isStopped(s: StoredResource): boolean {
  return s.resource.properties?.powerState?.code === 'Stopped';
}

/** Where a location lands, with what it can do for a Kubernetes cluster. */
export function targetFor(services: Services, location: string): KubernetesTarget {
  return kubernetesTarget(services.targets.resolve({ location }));
}

export function targetOfStored(services: Services, s: StoredResource): KubernetesTarget {
  return targetFor(services, s.resource.location ?? 'eastus');
}

// ---- the pools, as child resources ------------------------------------------------------------------------

/** A pool as a child resource to store with a cluster change; `order` keeps agentPoolProfiles in creation order. */
export function poolResource(clusterId: string, p: Profile, opts: { busy?: boolean; order?: number } = {}): RelatedResource {
  const { name, ...props } = p;
  const r: RelatedResource = { resource: { id: `${clusterId}/agentPools/${name}`, name, type: POOL_TYPE, properties: props }, busy: opts.busy };
  if (opts.order !== undefined) r.internal = { order: opts.order };
  return r;
}

/** The next free position for a new pool of a cluster. */
export function nextPoolOrder(services: Services, clusterId: string): number {
  let max = -1;
  for (const c of services.resources.listByParent(clusterId)) if (c.typeKey === POOL_TYPE_KEY) max = Math.max(max, Number(c.internal.order ?? 0));
  return max + 1;
}

/** Node counts and power state from what the fabric actually runs for the cluster (updates `props` and `pools`). */
export function applyFabricStatus(services: Services, clusterId: string, props: Record<string, any>, pools: Profile[]): void {
  const status = clusterStatus(services, clusterId);
  if (!status || status.vms.length === 0) return;
  for (const p of pools) {
    const n = status.workerCounts[p.name] ?? Object.entries(status.workerCounts).find(([k]) => k.toLowerCase() === p.name.toLowerCase())?.[1];
    if (n !== undefined) p.count = n;
  }
  if (status.powerState === 'Running' || status.powerState === 'Stopped') {
    props.powerState = { code: status.powerState };
    for (const p of pools) p.powerState = { code: status.powerState };
  }
}

// ---- the node resource group ------------------------------------------------------------------------------

export function nodeGroupInput(services: Services, s: { resource: ArmResource }, pools: Profile[], target?: KubernetesTarget): NodeGroupInput {
  const r = s.resource;
  const parts = r.id.split('/');
  return {
    subscriptionId: parts[2],
    clusterId: r.id,
    clusterName: r.name,
    clusterResourceGroup: parts[4],
    location: r.location ?? 'eastus',
    props: r.properties ?? {},
    pools,
    target: target ?? targetFor(services, r.location ?? 'eastus'),
  };
}

/** The node resource group as the cluster now is: its resources to put, and those it no longer holds. */
export function nodeGroupSync(services: Services, s: { resource: ArmResource }, pools: Profile[]): { put: RelatedResource[]; delete: string[] } {
  const input = nodeGroupInput(services, s, pools);
  if (!input.props.nodeResourceGroup) return { put: [], delete: [] };
  const put = nodeGroupResources(input);
  const groupId = nodeResourceGroupId(input.subscriptionId, input.props.nodeResourceGroup);
  const group = services.resources.get(groupId);
  if (group && String(group.internal.managedByCluster ?? '').toLowerCase() !== s.resource.id.toLowerCase()) return { put: [], delete: [] };
  return { put, delete: group ? staleIds(services.resources.listByParent(groupId), put) : [] };
}

/** The node resource group and everything in it, when it is this cluster's. */
export function nodeGroupOf(services: Services, s: StoredResource): string[] {
  const nodeRg = s.resource.properties?.nodeResourceGroup;
  if (!nodeRg) return [];
  const groupId = nodeResourceGroupId(s.resource.id.split('/')[2], nodeRg);
  const group = services.resources.get(groupId);
  return group && String(group.internal.managedByCluster ?? '').toLowerCase() === s.resource.id.toLowerCase() ? [group.resource.id] : [];
}
