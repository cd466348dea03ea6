// managedClusters/agentPools: PUT (add, scale, upgrade, stop/start a pool), GET, list, DELETE.
// Pools are kept once, as these child resources; a cluster shows them as agentPoolProfiles.

import { Errors } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { RequestContext, ResourceTypeDefinition, StoredResource, ArmResource, Completion, WriteOutcome } from '../../framework/types.js';
import type { OperationRecord, TaskSpec } from '../../arm/asyncOperations.js';
import { parseVersion } from '../../kubernetes/capabilities.js';
import { clusterStatus, poolPowerTasks, poolUpgradeTasks, scalePlan } from './work.js';
import { credentials } from './clusterActions.js';
import { assertFits, poolFeatures } from './clusterCapabilities.js';
import { applyFabricStatus, clusterIdOf, isStopped, nextPoolOrder, nodeGroupSync, refuseIfBusy, settleTask, targetOfStored, type OpData } from './clusterCommon.js';
import { checkPoolName, nodeImageVersion, normalizePool, NS, poolsOf, poolWire, stripReadOnly, type Profile } from './shape.js';
import { AKS_API_VERSIONS, atLeast, shapeFor, UPGRADE_OBJECTS_SINCE } from './versions.js';
import { poolFromSnapshot } from './snapshots.js';
import { abortPool, deleteMachines, upgradeNodeImageVersion } from './poolActions.js';

async function putPool(ctx: RequestContext, candidate: ArmResource): Promise<WriteOutcome> {
  const { services } = ctx;
  const cluster = ctx.parent!;
  const clusterId = cluster.resource.id;
  const name = candidate.name;
  if (cluster.deleting) throw Errors.conflict(`The managed cluster '${cluster.resource.name}' is being deleted.`);
  refuseIfBusy(services, clusterId, `changing agent pool '${name}'`);
  const target = targetOfStored(services, cluster);
  const doc = target.doc;
  const cprops = cluster.resource.properties ?? {};
  const pools = poolsOf(services, clusterId);
  const exPool = pools.find((p) => p.name.toLowerCase() === name.toLowerCase());
  const raw = stripReadOnly(candidate.properties ?? {}, 'pool');
  for (const [k, v] of Object.entries(raw)) if (v === null) delete raw[k];
  const fromSnapshot = exPool ? {} : poolFromSnapshot(services, raw, cluster.resource.location ?? '', 'properties');
  checkPoolName(name, String(raw.osType ?? exPool?.osType ?? 'Linux'), 'name');
  const { profile, version } = normalizePool(raw, name, {
    doc,
    clusterVersion: cprops.currentKubernetesVersion,
    networkPlugin: cprops.networkProfile?.networkPlugin ?? 'kubenet',
    where: 'properties',
    existing: exPool,
    defaultMode: 'User',
  });
  if (fromSnapshot.nodeImageVersion) profile.nodeImageVersion = fromSnapshot.nodeImageVersion;
  const features = poolFeatures(profile, 'properties');
  if (!exPool) features.unshift({ feature: 'nodePoolCount', value: pools.length + 1, target: 'name' });
  assertFits(doc, features);
  if (exPool?.mode === 'System' && profile.mode !== 'System' && !pools.some((p) => p !== exPool && p.mode === 'System')) {
    throw Errors.invalid('OperationNotAllowed', `Agent pool '${name}' is the cluster's only System pool; it cannot become a User pool.`, 'properties.mode');
  }
  const scaled = !exPool || exPool.count !== profile.count;
  const upgraded = !!exPool && version !== exPool.currentOrchestratorVersion;
  // az aks nodepool stop / start: a PUT with the power state asked for
  const askedPower = String(candidate.properties?.powerState?.code ?? '').toLowerCase();
  const power: 'stop' | 'start' | undefined =
    exPool && askedPower === 'stopped' && exPool.powerState?.code !== 'Stopped' ? 'stop' : exPool && askedPower === 'running' && exPool.powerState?.code === 'Stopped' ? 'start' : undefined;
  if (power && (scaled || upgraded)) {
    throw Errors.invalid('OperationNotAllowed', `Agent pool '${name}' cannot change its power state and its size or version in one request.`);
  }
  if (power === 'stop' && profile.mode === 'System' && !pools.some((p) => p !== exPool && p.mode === 'System' && p.powerState?.code !== 'Stopped')) {
    throw Errors.invalid('OperationNotAllowed', `Agent pool '${name}' is the cluster's only running System pool; stop the whole cluster (az aks stop) instead.`);
  }
  if (exPool?.powerState?.code === 'Stopped' && !power && (scaled || upgraded)) {
    throw Errors.operationNotAllowed(`Agent pool '${name}' is stopped; start it (az aks nodepool start) before scaling or upgrading it.`);
  }
  if (isStopped(cluster) && (scaled || upgraded || power)) {
    throw Errors.operationNotAllowed(`Managed cluster '${cluster.resource.name}' is stopped; start it (az aks start) before changing its node pools.`);
  }
  if (scaled && upgraded) {
    throw Errors.invalid('OperationNotAllowed', `Agent pool '${name}' cannot be scaled and upgraded in one request; do one, then the other.`);
  }
  const tasks: TaskSpec[] = [];
  if (scaled) tasks.push(...scalePlan(services, clusterId, target, { name, count: profile.count, vmSize: profile.vmSize, kubernetesVersion: version }));
  if (upgraded) tasks.push(...poolUpgradeTasks(services, clusterId, target, name, version));
  if (power) tasks.push(...poolPowerTasks(services, clusterId, target, name, power));
  tasks.push(settleTask(tasks.map((t) => t.id)));
  profile.provisioningState = !exPool ? 'Creating' : upgraded ? 'Upgrading' : scaled ? 'Scaling' : power === 'stop' ? 'Stopping' : power === 'start' ? 'Starting' : 'Updating';
  if (!exPool) profile.powerState = cprops.powerState ?? { code: 'Running' };
  const { name: _n, ...props } = profile;
  void _n;
  const data: OpData = { verb: 'poolPut', pool: name, version, power, before: exPool ? structuredClone(exPool) : undefined };
  const resource: ArmResource = { ...candidate, properties: props };
  delete resource.location;
  const internal = exPool ? undefined : { order: nextPoolOrder(services, clusterId) };
  return { resource, internal, operation: { kind: exPool ? ('update' as const) : ('create' as const), tasks, data: data as Record<string, unknown> } };
}

/** The cluster's node resource group once the pool is as `pool` says (undefined = the pool is gone). */
function infraAfter(services: Services, clusterId: string, poolName: string, pool: Profile | undefined): { put?: any[]; delete?: string[] } {
  const cluster = services.resources.get(clusterId);
  if (!cluster) return {};
  const pools = poolsOf(services, clusterId).filter((p) => p.name.toLowerCase() !== poolName.toLowerCase());
  if (pool) pools.push(pool);
  return nodeGroupSync(services, cluster, pools);
}

function poolSucceeded(op: OperationRecord, stored: StoredResource | undefined, services: Services): Completion {
  if (op.kind === 'delete' || !stored) return { resource: undefined, related: infraAfter(services, clusterIdOf(op.resourceId), op.resourceId.split('/').pop()!, undefined) };
  const clusterId = clusterIdOf(op.resourceId);
  const data = (op.data ?? {}) as OpData;
  const s: StoredResource = structuredClone(stored);
  delete s.operationId;
  const p = s.resource.properties!;
  const cluster = services.resources.get(clusterId);
  if (data.version && data.version !== p.currentOrchestratorVersion) {
    p.currentOrchestratorVersion = data.version;
    p.nodeImageVersion = nodeImageVersion(p.osType, p.osSKU, data.version, cluster ? targetOfStored(services, cluster).kind : 'AzureRegion');
  }
  if (data.power) p.powerState = { code: data.power === 'stop' ? 'Stopped' : 'Running' };
  if (typeof data.nodeImageVersion === 'string') p.nodeImageVersion = data.nodeImageVersion;
  const status = clusterStatus(services, clusterId);
  if (status && status.vms.length) {
    const n = Object.entries(status.workerCounts).find(([k]) => k.toLowerCase() === s.resource.name.toLowerCase())?.[1];
    if (n !== undefined) p.count = n;
  }
  p.provisioningState = 'Succeeded';
  return { resource: s, related: infraAfter(services, clusterId, s.resource.name, { name: s.resource.name, ...p }) };
}

function poolFailed(op: OperationRecord, stored: StoredResource | undefined, _e: unknown, services: Services): Completion {
  if (!stored) return { resource: undefined };
  const clusterId = clusterIdOf(op.resourceId);
  const data = (op.data ?? {}) as OpData;
  const state = op.cancelRequested ? 'Canceled' : 'Failed';
  const s: StoredResource = structuredClone(stored);
  delete s.operationId;
  delete s.deleting;
  let p = s.resource.properties!;
  if (op.kind !== 'delete' && data.before) {
    // The fabric undid the change: the pool is as it was.
    const { name: _n, ...before } = data.before as Profile;
    void _n;
    p = before;
  }
  s.resource.properties = p;
  const pool: Profile[] = [{ name: s.resource.name, ...p }];
  applyFabricStatus(services, clusterId, {}, pool);
  p.count = pool[0].count;
  p.provisioningState = state;
  return { resource: s };
}

export const agentPools: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/agentPools',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: AKS_API_VERSIONS,
  schema: 'Microsoft.ContainerService/agentPool.json',
  patch: false,
  nameRule: {
    pattern: /^[a-z][a-z0-9]{0,11}$/,
    message: 'An agent pool name must start with a lowercase letter and hold only lowercase letters and digits, at most 12 characters (6 for Windows pools).',
  },
  onPut: putPool,
  onDelete(ctx) {
    const { services } = ctx;
    const clusterId = clusterIdOf(ctx.existing.resource.id);
    const cluster = services.resources.get(clusterId);
    if (!cluster) return {};
    refuseIfBusy(services, clusterId, `deleting agent pool '${ctx.existing.resource.name}'`);
    const pools = poolsOf(services, clusterId);
    const me = pools.find((p) => p.name.toLowerCase() === ctx.existing.resource.name.toLowerCase());
    if (me?.mode === 'System' && !pools.some((p) => p !== me && p.mode === 'System')) {
      throw Errors.invalid('OperationNotAllowed', `There has to be at least one system agent pool: '${me.name}' is the only one, so it cannot be deleted.`);
    }
    const target = targetOfStored(services, cluster);
    const tasks = me ? scalePlan(services, clusterId, target, { name: me.name, count: 0, vmSize: me.vmSize, kubernetesVersion: me.currentOrchestratorVersion }) : [];
    tasks.push(settleTask(tasks.map((t) => t.id)));
    const data: OpData = { verb: 'poolDelete', pool: ctx.existing.resource.name };
    return { operation: { kind: 'delete', tasks, data: data as Record<string, unknown> } };
  },
  actions: { upgradeNodeImageVersion, abort: abortPool, deleteMachines },
  toWire: poolWire,
  onOperationSucceeded: poolSucceeded,
  onOperationFailed: poolFailed,
};

// ---- upgrade profiles ---------------------------------------------------------------------------------------

function cmp(a: string, b: string): number {
  const x = parseVersion(a)!;
  const y = parseVersion(b)!;
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** Versions a pool at `from` may go to: newer, not past the control plane, no skipped minor. */
export function poolUpgrades(doc: { kubernetesVersions: { version: string }[] }, from: string, controlPlane: string): string[] {
  const f = parseVersion(from)!;
  return doc.kubernetesVersions
    .map((k) => k.version)
    .filter((v) => cmp(v, from) > 0 && cmp(v, controlPlane) <= 0 && parseVersion(v)![1] <= f[1] + 1)
    .sort(cmp);
}

/** Looks up a cluster for an upgradeProfiles read, with ARM's 404s. */
function clusterFor(ctx: RequestContext): StoredResource {
  const { path, services } = ctx;
  const rgId = `/subscriptions/${path.subscriptionId}/resourceGroups/${path.resourceGroup}`;
  if (path.resourceGroup === undefined || !services.resources.get(rgId)) throw Errors.resourceGroupNotFound(path.resourceGroup ?? '');
  const id = `${rgId}/providers/${NS}/managedClusters/${path.names[0]}`;
  const c = services.resources.get(id);
  if (!c) throw Errors.resourceNotFound(`${NS}/managedClusters/${path.names[0]}`, path.resourceGroup);
  return c;
}

export const clusterUpgradeProfiles: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/upgradeProfiles',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: AKS_API_VERSIONS,
  handlers: {
    get(ctx) {
      const c = clusterFor(ctx);
      if (ctx.path.names[1].toLowerCase() !== 'default') throw Errors.resourceNotFound(`${NS}/managedClusters/${ctx.path.names[0]}/upgradeProfiles/${ctx.path.names[1]}`, ctx.path.resourceGroup);
      const doc = targetOfStored(ctx.services, c).doc;
      const props = c.resource.properties ?? {};
      const current: string = props.currentKubernetesVersion;
      const node = doc.kubernetesVersions.find((k) => k.version === current);
      const asObjects = atLeast(ctx.apiVersion, UPGRADE_OBJECTS_SINCE);
      const up = (v: string) => (asObjects ? { kubernetesVersion: v, isPreview: false } : v);
      const upgrades = (node?.upgrades ?? []).map(up);
      return {
        status: 200,
        body: {
          id: `${c.resource.id}/upgradeprofiles/default`,
          name: 'default',
          type: 'Microsoft.ContainerService/managedClusters/upgradeprofiles',
          properties: {
            controlPlaneProfile: { kubernetesVersion: current, name: null, osType: 'Linux', upgrades },
            agentPoolProfiles: poolsOf(ctx.services, c.resource.id).map((p) => ({
              kubernetesVersion: p.currentOrchestratorVersion,
              name: p.name,
              osType: p.osType ?? 'Linux',
              upgrades: (node?.upgrades ?? []).filter((v) => cmp(v, p.currentOrchestratorVersion) > 0).map(up),
            })),
          },
        },
      };
    },
  },
};

export const poolUpgradeProfiles: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/agentPools/upgradeProfiles',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: AKS_API_VERSIONS,
  handlers: {
    get(ctx) {
      const c = clusterFor(ctx);
      const [, poolName, profileName] = ctx.path.names;
      const pool = poolsOf(ctx.services, c.resource.id).find((p) => p.name.toLowerCase() === poolName.toLowerCase());
      if (!pool || profileName.toLowerCase() !== 'default') {
        throw Errors.resourceNotFound(`${NS}/managedClusters/${ctx.path.names[0]}/agentPools/${poolName}${pool ? `/upgradeProfiles/${profileName}` : ''}`, ctx.path.resourceGroup);
      }
      const doc = targetOfStored(ctx.services, c).doc;
      const cp: string = c.resource.properties?.currentKubernetesVersion;
      const kind = targetOfStored(ctx.services, c).kind;
      return {
        status: 200,
        body: shapeFor(
          'poolUpgradeProfile',
          {
            id: `${c.resource.id}/agentPools/${pool.name}/upgradeProfiles/default`,
            name: 'default',
            type: 'Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles',
            properties: {
              kubernetesVersion: pool.currentOrchestratorVersion,
              osType: pool.osType ?? 'Linux',
              upgrades: poolUpgrades(doc, pool.currentOrchestratorVersion, cp).map((v) => ({ kubernetesVersion: v, isPreview: false })),
              latestNodeImageVersion: nodeImageVersion(pool.osType ?? 'Linux', pool.osSKU ?? 'Ubuntu', pool.currentOrchestratorVersion, kind),
            },
          },
          ctx.apiVersion,
        ),
      };
    },
  },
};

/** The deprecated POST .../accessProfiles/{clusterAdmin|clusterUser}/listCredential. */
export const accessProfiles: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/accessProfiles',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: AKS_API_VERSIONS,
  handlers: {
    post(ctx) {
      const c = clusterFor(ctx);
      const role = ctx.path.names[1];
      const kind = { clusteradmin: 'clusterAdmin', clusteruser: 'clusterUser' }[role.toLowerCase()] as 'clusterAdmin' | 'clusterUser' | undefined;
      if (!kind) throw Errors.invalidParameter(`The role '${role}' is invalid; use clusterAdmin or clusterUser.`, 'roleName');
      const res = credentials([kind])({ ...ctx, existing: c }) as { body: { kubeconfigs: { value: string }[] } };
      return {
        status: 200,
        body: {
          id: `${c.resource.id}/accessProfiles/${kind}`,
          name: kind,
          type: `${NS}/ManagedClusters/AccessProfiles`,
          location: c.resource.location,
          properties: { kubeConfig: res.body.kubeconfigs[0].value },
        },
      };
    },
  },
};
