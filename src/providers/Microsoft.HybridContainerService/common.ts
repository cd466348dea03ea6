// What the AKS hybrid types share: the namespace and api-versions, where a resource lands (its custom
// location's HCI site), the pools as children with their defaults, the busy check and the settle task.

import type { TaskSpec } from '../../arm/asyncOperations.js';
import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { ArmResource, RequestContext, Services, StoredResource } from '../../framework/types.js';
import { capabilityDocument, defaultKubernetesVersion, resolveKubernetesVersion, type CapabilityDocument, type FeatureRequest } from '../../kubernetes/capabilities.js';
import { poolScalePlan } from '../../kubernetes/plans.js';

export const NS = 'Microsoft.HybridContainerService';
export const API_VERSIONS = ['2024-01-01', '2023-11-15-preview'];
export const CONNECTED_CLUSTERS = typeKeyOf('Microsoft.Kubernetes', 'connectedClusters');
export const POOLS = typeKeyOf(NS, 'provisionedClusterInstances/agentPools');
export const INSTANCE_TYPE = 'microsoft.hybridcontainerservice/provisionedclusterinstances';
export const POOL_TYPE = 'microsoft.hybridcontainerservice/provisionedclusterinstances/agentpools';
export const KUBECONFIG_TASK = 'hybridaks.kubeconfig';
export const STEP = 'hybridaks.step';

export type Props = Record<string, any>;
export const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

// ---- the target -----------------------------------------------------------------------------------------

export interface HybridTarget {
  site: string;
  where: string;
  doc: CapabilityDocument;
  customLocation: string;
}

/** Where an AKS hybrid resource lands; in a PUT hook pass its ctx, so the target the core resolved once is used. */
export function targetOf(services: Services, extendedLocation: unknown, put?: RequestContext): HybridTarget {
  const ext = extendedLocation as { type?: string; name?: string } | undefined;
  if (!isObj(ext)) {
    throw Errors.invalidExtendedLocation(
      'An AKS hybrid cluster is created on a custom location: give extendedLocation {"type": "CustomLocation", "name": "<custom location id>"} (a custom location with the Microsoft.HybridAKSOperator extension).',
    );
  }
  const t = put?.target ? put.target() : services.targets.resolve({ extendedLocation: ext });
  if (t.kind !== 'AzureStackHCI' || !t.site) {
    throw Errors.invalidExtendedLocation(`AKS hybrid clusters run on Azure Stack HCI sites; the custom location resolves to ${t.where}.`, 'extendedLocation.name');
  }
  return { site: t.site, where: t.where, doc: capabilityDocument(t.definition), customLocation: String(ext.name) };
}

export const storedTarget = (services: Services, s: StoredResource): HybridTarget => targetOf(services, s.resource.extendedLocation);

/** 'v1.26.6' (as the spec's examples write it) or '1.26.6' or '1.26'. */
export function version(doc: CapabilityDocument, asked: unknown, target: string): string {
  if (asked === undefined || asked === null || asked === '') return defaultKubernetesVersion(doc);
  const v = String(asked).trim().replace(/^v/i, '');
  const full = resolveKubernetesVersion(doc, v);
  if (!full) {
    throw Errors.invalid(
      'KubernetesVersionNotSupported',
      `Kubernetes version '${String(asked)}' is not offered on ${doc.target.description}. Versions offered by its custom location: ${doc.kubernetesVersions.map((k) => k.version).join(', ')} (see kubernetesVersions/default on the custom location).`,
      target,
    );
  }
  return full;
}

// ---- pools ------------------------------------------------------------------------------------------------

const POOL_NAME = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$|^[a-z]$/;
const OS_SKUS: Record<string, string[]> = { Linux: ['CBLMariner', 'AzureLinux'], Windows: ['Windows2019', 'Windows2022'] };

/** A pool's properties with AKS hybrid's defaults (read-only fields dropped). */
export function normalizePool(raw: Props, name: string, doc: CapabilityDocument, where: string, ex?: Props): Props {
  if (!isObj(raw)) throw Errors.invalidRequestContent(`${where} must be an object.`, where);
  if (!POOL_NAME.test(name) || (String(raw.osType ?? ex?.osType ?? '').toLowerCase() === 'windows' && name.length > 6)) {
    throw Errors.invalidParameter(
      `The agent pool name '${name}' is invalid: lowercase letters, digits and dashes, starting with a letter, at most 63 characters (6 for Windows pools, whose node names carry it).`,
      `${where}.name`,
    );
  }
  const p: Props = { ...raw };
  for (const k of ['provisioningState', 'status', 'kubernetesVersion', 'name']) delete p[k];
  const os = String(p.osType ?? ex?.osType ?? 'Linux');
  if (!['linux', 'windows'].includes(os.toLowerCase())) throw Errors.invalidParameter(`osType '${os}' of ${where} must be Linux or Windows.`, `${where}.osType`);
  p.osType = os.toLowerCase() === 'windows' ? 'Windows' : 'Linux';
  if (ex && ex.osType !== p.osType) throw Errors.propertyChangeNotAllowed('osType', ex.osType, `${where}.osType`, 'add a new pool instead');
  const sku = String(p.osSKU ?? ex?.osSKU ?? OS_SKUS[p.osType][0]);
  const okSku = OS_SKUS[p.osType].find((s) => s.toLowerCase() === sku.toLowerCase());
  if (!okSku) throw Errors.invalidParameter(`osSKU '${sku}' is not available for ${p.osType} pools; use one of ${OS_SKUS[p.osType].join(', ')}.`, `${where}.osSKU`);
  p.osSKU = okSku;
  const count = p.count ?? ex?.count ?? 1;
  if (!Number.isInteger(count) || count < 0) throw Errors.invalidParameter(`${where}.count must be a whole number of at least 0; got ${JSON.stringify(count)}.`, `${where}.count`);
  p.count = count;
  p.vmSize = typeof p.vmSize === 'string' && p.vmSize !== '' ? p.vmSize : (ex?.vmSize ?? doc.defaults.workerVmSize);
  if (ex && String(ex.vmSize).toLowerCase() !== String(p.vmSize).toLowerCase()) {
    throw Errors.propertyChangeNotAllowed('vmSize', ex.vmSize, `${where}.vmSize`, 'add a new pool with the new size instead');
  }
  p.maxPods = typeof p.maxPods === 'number' ? p.maxPods : (ex?.maxPods ?? 110);
  p.enableAutoScaling = p.enableAutoScaling === true;
  if (p.enableAutoScaling) {
    // AKS on Azure Local's autoscaler: minCount and maxCount bound the pool, and its count starts inside them
    const bound = (k: 'minCount' | 'maxCount') => {
      const v = p[k] ?? ex?.[k];
      if (!Number.isInteger(v) || v < 1 || v > doc.maxNodesPerPool) {
        throw Errors.invalidParameter(`${where}.${k} must be a whole number from 1 to ${doc.maxNodesPerPool} when enableAutoScaling is true; got ${JSON.stringify(v)}.`, `${where}.${k}`);
      }
      return v as number;
    };
    const min = bound('minCount');
    const max = bound('maxCount');
    if (min > max) throw Errors.invalidParameter(`${where}.minCount (${min}) is larger than maxCount (${max}).`, `${where}.minCount`);
    p.minCount = min;
    p.maxCount = max;
    p.count = Math.min(Math.max(p.count, min), max);
  } else {
    delete p.minCount;
    delete p.maxCount;
  }
  if (p.nodeLabels === undefined && ex?.nodeLabels) p.nodeLabels = ex.nodeLabels;
  if (p.nodeTaints === undefined && ex?.nodeTaints) p.nodeTaints = ex.nodeTaints;
  return p;
}

export function poolFeatures(p: Props, where: string): FeatureRequest[] {
  const f: FeatureRequest[] = [
    { feature: 'vmSize', value: p.vmSize, target: `${where}.vmSize` },
    { feature: 'nodeCount', value: p.count, target: `${where}.count` },
    { feature: 'clusterAutoscaler', value: p.enableAutoScaling, target: `${where}.enableAutoScaling` },
  ];
  if (p.osType === 'Windows') f.push({ feature: 'windows', value: true, target: `${where}.osType` });
  return f;
}

/** The cluster's pools (children), in creation order. */
export function poolsOf(services: Services, instanceId: string): StoredResource[] {
  return services.resources
    .listByParent(instanceId)
    .filter((c) => c.typeKey === POOLS)
    .sort((a, b) => Number(a.internal.order ?? 0) - Number(b.internal.order ?? 0) || (a.resource.name < b.resource.name ? -1 : 1));
}

const poolId = (instanceId: string, name: string) => `${instanceId}/agentPools/${name}`;

export function poolResource(instanceId: string, name: string, props: Props, extendedLocation: unknown, extra: Partial<ArmResource> = {}): ArmResource {
  return { id: poolId(instanceId, name), name, type: 'Microsoft.HybridContainerService/provisionedClusterInstances/agentPools', extendedLocation, ...extra, properties: props };
}

// ---- busy ------------------------------------------------------------------------------------------------

export function refuseIfBusy(services: Services, instanceId: string, what: string): void {
  const inst = services.resources.get(instanceId);
  for (const s of [inst, ...services.resources.listByParent(instanceId)]) {
    if (!s?.operationId) continue;
    const op = services.asyncOperations.get(s.operationId);
    if (op && op.status === 'InProgress') {
      const running = op.kind === 'action' ? op.action : `${op.kind}${s.typeKey === POOLS ? ` of agent pool '${s.resource.name}'` : ''}`;
      throw Errors.operationNotAllowed(`There is an ${running} operation in progress on the AKS hybrid cluster '${instanceId.split('/')[8] ?? instanceId}'. Wait for it to finish before ${what}.`);
    }
  }
}

// ---- plans -------------------------------------------------------------------------------------------------

export const hasFabric = (services: Services, site: string) => !!services.fabric?.hasSite(site);

export function scaleTasks(services: Services, owner: string, t: HybridTarget, pool: { name: string; vmSize: string; count: number }, versionNow: string, net: string): TaskSpec[] {
  if (!hasFabric(services, t.site)) return [];
  const tasks = poolScalePlan({
    owner,
    site: t.site,
    pool: pool.name,
    vmSize: pool.vmSize,
    count: pool.count,
    current: services.fabric!.ownerVms(owner),
    kubernetesVersion: versionNow,
    logicalNetwork: net,
  });
  return tasks.map((x) => ({ ...x, id: `${pool.name}/${x.id}`, dependsOn: x.dependsOn?.map((d) => `${pool.name}/${d}`) }));
}

/** One settle task so an operation with no fabric work still runs through the engine. */
export const settleTask = (): TaskSpec => ({ id: 'settle', kind: STEP, params: {}, durationMs: 500 });

// ---- completion --------------------------------------------------------------------------------------------

export function fabricPoolStatus(services: Services, owner: string, pool: string, props: Props): Props {
  const vms = (services.fabric?.ownerVms(owner) ?? []).filter((x) => x.role === 'worker' && (x.pool ?? '').toLowerCase() === pool.toLowerCase() && x.state === 'Running' && x.joined !== false);
  const out: Props = { readyReplicas: vms.length ? [{ count: vms.length, vmSize: props.vmSize, kubernetesVersion: props.kubernetesVersion }] : [] };
  // The pool's own state, as the service reports it beside its provisioningState.
  if (typeof props.provisioningState === 'string') out.currentState = props.provisioningState;
  return out;
}

export const registerHybridTasks = (services: Services) => {
  services.asyncOperations.registerTaskKind(STEP, { run: () => undefined });
};
export const op = (name: string, operation: string) => ({ name: `${NS}/${name}`, operation, description: operation });

export const instanceOf = (services: Services, id: string) => services.resources.get(id.replace(/\/(upgradeProfiles|hybridIdentityMetadata)(\/[^/]*)?$/i, ''));
