// provisionedClusterInstances/default (an AKS hybrid cluster on a connected cluster) and its
// agentPools children. The work is fabric work on the HCI site behind the custom location named in
// extendedLocation: control-plane VMs, optional HAProxy load-balancer VMs and worker VMs per pool,
// addresses from the cluster's logical network, built by the shared plans of src/kubernetes. Pools
// are kept once, as agentPools children, and shown in agentPoolProfiles. Hooks only read; the core
// commits what they return.

import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, Completion, RelatedResource, RequestContext, StoredResource, WriteOutcome } from '../../framework/types.js';
import type { OperationRecord, TaskSpec } from '../../arm/asyncOperations.js';
import {
  assertCapabilities,
  capabilityDocument,
  defaultKubernetesVersion,
  resolveKubernetesVersion,
  type CapabilityDocument,
  type FeatureRequest,
} from '../../kubernetes/capabilities.js';
import { clusterCreatePlan, deletePlan, poolScalePlan, upgradePlan } from '../../kubernetes/plans.js';
import { newClusterSecrets } from '../../kubernetes/kubeconfig.js';
import { clusterNetwork, controlPlaneEndpoint, INSTANCES, type ClusterNetwork } from './network.js';

export const NS = 'Microsoft.HybridContainerService';
export const API_VERSIONS = ['2024-01-01', '2023-11-15-preview'];
export const CONNECTED_CLUSTERS = typeKeyOf('Microsoft.Kubernetes', 'connectedClusters');
export const POOLS = typeKeyOf(NS, 'provisionedClusterInstances/agentPools');
export const INSTANCE_TYPE = 'microsoft.hybridcontainerservice/provisionedclusterinstances';
export const POOL_TYPE = 'microsoft.hybridcontainerservice/provisionedclusterinstances/agentpools';
export const KUBECONFIG_TASK = 'hybridaks.kubeconfig';
const STEP = 'hybridaks.step';

type Props = Record<string, any>;
const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

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
    throw Errors.invalidExtendedLocation('An AKS hybrid cluster is created on a custom location: give extendedLocation {"type": "CustomLocation", "name": "<custom location id>"} (a custom location with the Microsoft.HybridAKSOperator extension).');
  }
  const t = put?.target ? put.target() : services.targets.resolve({ extendedLocation: ext });
  if (t.kind !== 'AzureStackHCI' || !t.site) {
    throw Errors.invalidExtendedLocation(`AKS hybrid clusters run on Azure Stack HCI sites; the custom location resolves to ${t.where}.`, 'extendedLocation.name');
  }
  return { site: t.site, where: t.where, doc: capabilityDocument(t.definition), customLocation: String(ext.name) };
}

const storedTarget = (services: Services, s: StoredResource): HybridTarget => targetOf(services, s.resource.extendedLocation);

/** 'v1.26.6' (as the spec's examples write it) or '1.26.6' or '1.26'. */
function version(doc: CapabilityDocument, asked: unknown, target: string): string {
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
    throw Errors.invalidParameter(`The agent pool name '${name}' is invalid: lowercase letters, digits and dashes, starting with a letter, at most 63 characters (6 for Windows pools, whose node names carry it).`, `${where}.name`);
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
  p.vmSize = typeof p.vmSize === 'string' && p.vmSize !== '' ? p.vmSize : ex?.vmSize ?? doc.defaults.workerVmSize;
  if (ex && String(ex.vmSize).toLowerCase() !== String(p.vmSize).toLowerCase()) {
    throw Errors.propertyChangeNotAllowed('vmSize', ex.vmSize, `${where}.vmSize`, 'add a new pool with the new size instead');
  }
  p.maxPods = typeof p.maxPods === 'number' ? p.maxPods : ex?.maxPods ?? 110;
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

function poolFeatures(p: Props, where: string): FeatureRequest[] {
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

function poolResource(instanceId: string, name: string, props: Props, extendedLocation: unknown, extra: Partial<ArmResource> = {}): ArmResource {
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

const hasFabric = (services: Services, site: string) => !!services.fabric?.hasSite(site);

function scaleTasks(services: Services, owner: string, t: HybridTarget, pool: { name: string; vmSize: string; count: number }, versionNow: string, net: string): TaskSpec[] {
  if (!hasFabric(services, t.site)) return [];
  const tasks = poolScalePlan({ owner, site: t.site, pool: pool.name, vmSize: pool.vmSize, count: pool.count, current: services.fabric!.ownerVms(owner), kubernetesVersion: versionNow, logicalNetwork: net });
  return tasks.map((x) => ({ ...x, id: `${pool.name}/${x.id}`, dependsOn: x.dependsOn?.map((d) => `${pool.name}/${d}`) }));
}

/** One settle task so an operation with no fabric work still runs through the engine. */
const settleTask = (): TaskSpec => ({ id: 'settle', kind: STEP, params: {}, durationMs: 500 });

// ---- PUT of the cluster ----------------------------------------------------------------------------------

function requireConnectedCluster(ctx: RequestContext): StoredResource {
  const cc = ctx.parent;
  if (!cc) throw Errors.parentResourceNotFound('write', `${NS}/provisionedClusterInstances`, ctx.path.scopeId);
  if (cc.typeKey !== CONNECTED_CLUSTERS) {
    throw Errors.invalid('InvalidParentResource', `An AKS hybrid cluster (provisionedClusterInstances/default) lives on a connected cluster (Microsoft.Kubernetes/connectedClusters); '${cc.resource.type}' is not one.`);
  }
  if (String(cc.resource.kind ?? '').toLowerCase() !== 'provisionedcluster') {
    throw Errors.invalid(
      'InvalidConnectedClusterKind',
      `The connected cluster '${cc.resource.name}' has kind '${String(cc.resource.kind ?? '')}'; an AKS hybrid cluster needs a connected cluster created with "kind": "ProvisionedCluster".`,
      'kind',
    );
  }
  if (cc.deleting || cc.resource.properties?.provisioningState === 'Deleting') throw Errors.conflict(`The connected cluster '${cc.resource.name}' is being deleted.`);
  if (cc.resource.properties?.provisioningState !== 'Succeeded') {
    throw Errors.conflict(`The connected cluster '${cc.resource.name}' is ${cc.resource.properties?.provisioningState}; create the AKS hybrid cluster once it has Succeeded.`);
  }
  return cc;
}

/**
 * Synchronous on purpose: the control-plane endpoint is chosen from what is stored and committed by
 * the core right after, with no await in between (the cluster's CA is made when the create succeeds).
 */
export function putInstance(ctx: RequestContext, candidate: ArmResource): WriteOutcome {
  const { services } = ctx;
  const cc = requireConnectedCluster(ctx);
  const id = ctx.path.id;
  if (ctx.path.names.at(-1)?.toLowerCase() !== 'default') {
    throw Errors.invalid('InvalidResourceName', `An AKS hybrid cluster is always named 'default' (…/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default); got '${ctx.path.names.at(-1)}'.`, 'name');
  }
  const ex = ctx.existing;
  if (ex) {
    if (ex.deleting) throw Errors.conflict('The AKS hybrid cluster is being deleted.');
    refuseIfBusy(services, id, 'updating the cluster');
    const was = String(ex.resource.extendedLocation?.name ?? '');
    if (was.toLowerCase() !== String(candidate.extendedLocation?.name ?? '').toLowerCase()) {
      throw Errors.propertyChangeNotAllowed('extendedLocation', was, 'extendedLocation.name', 'an AKS hybrid cluster stays on its custom location');
    }
  }
  const t = targetOf(services, candidate.extendedLocation, ctx);
  const doc = t.doc;
  const raw: Props = { ...(candidate.properties ?? {}) };
  for (const k of ['provisioningState', 'status']) delete raw[k];
  const exProps: Props = ex?.resource.properties ?? {};

  // control plane
  const cp: Props = { ...(exProps.controlPlane ?? {}), ...(isObj(raw.controlPlane) ? raw.controlPlane : {}) };
  cp.count = cp.count ?? doc.defaults.controlPlaneCount;
  cp.vmSize = cp.vmSize ?? doc.defaults.controlPlaneVmSize;
  if (ex && cp.count !== exProps.controlPlane?.count) {
    throw Errors.propertyChangeNotAllowed('controlPlane.count', String(exProps.controlPlane?.count), 'properties.controlPlane.count', 'the control-plane node count is set when the cluster is created');
  }
  if (ex && String(cp.vmSize).toLowerCase() !== String(exProps.controlPlane?.vmSize).toLowerCase()) {
    throw Errors.propertyChangeNotAllowed('controlPlane.vmSize', String(exProps.controlPlane?.vmSize), 'properties.controlPlane.vmSize');
  }
  const lbCount = raw.networkProfile?.loadBalancerProfile?.count ?? exProps.networkProfile?.loadBalancerProfile?.count ?? 0;
  if (!Number.isInteger(lbCount) || lbCount < 0 || lbCount > 5) throw Errors.invalidParameter(`networkProfile.loadBalancerProfile.count must be 0 to 5 (HAProxy VMs in front of the API server); got ${JSON.stringify(lbCount)}.`, 'properties.networkProfile.loadBalancerProfile.count');
  const networkPolicy = raw.networkProfile?.networkPolicy ?? 'calico';
  if (String(networkPolicy).toLowerCase() !== 'calico') throw Errors.invalidParameter(`networkProfile.networkPolicy '${networkPolicy}' is not supported; the only value is 'calico'.`, 'properties.networkProfile.networkPolicy');

  // Kubernetes version (a change is an upgrade)
  const v = version(doc, raw.kubernetesVersion ?? exProps.kubernetesVersion, 'properties.kubernetesVersion');
  const features: FeatureRequest[] = [
    { feature: 'controlPlaneCount', value: cp.count, target: 'properties.controlPlane.count' },
    { feature: 'vmSize', value: cp.vmSize, target: 'properties.controlPlane.vmSize' },
  ];
  if (ex && v !== exProps.kubernetesVersion) features.push({ feature: 'upgrade', value: { from: exProps.kubernetesVersion, to: v }, target: 'properties.kubernetesVersion' });

  // network and endpoint
  const netProps = ex && raw.cloudProviderProfile === undefined ? exProps : raw;
  if (ex && JSON.stringify(raw.cloudProviderProfile ?? exProps.cloudProviderProfile) !== JSON.stringify(exProps.cloudProviderProfile)) {
    throw Errors.propertyChangeNotAllowed('cloudProviderProfile', JSON.stringify(exProps.cloudProviderProfile), 'properties.cloudProviderProfile.infraNetworkProfile.vnetSubnetIds');
  }
  const cn: ClusterNetwork = clusterNetwork(services, netProps, t.customLocation, t.site);
  const askedEp = cp.controlPlaneEndpoint?.hostIP;
  if (ex && askedEp !== undefined && askedEp !== exProps.controlPlane?.controlPlaneEndpoint?.hostIP) {
    throw Errors.propertyChangeNotAllowed('controlPlane.controlPlaneEndpoint.hostIP', String(exProps.controlPlane?.controlPlaneEndpoint?.hostIP), 'properties.controlPlane.controlPlaneEndpoint.hostIP');
  }
  const endpoint = ex ? exProps.controlPlane.controlPlaneEndpoint.hostIP : controlPlaneEndpoint(services, cn, askedEp, id);
  cp.controlPlaneEndpoint = { ...(cp.controlPlaneEndpoint ?? {}), hostIP: endpoint };
  cp.osType = 'Linux';

  // pools
  const existingPools = ex ? poolsOf(services, id) : [];
  const profiles = raw.agentPoolProfiles;
  if (profiles !== undefined && !Array.isArray(profiles)) throw Errors.invalidParameter('properties.agentPoolProfiles must be an array.', 'properties.agentPoolProfiles');
  const asked: Props[] = profiles ?? (ex ? [] : [{ name: `${cc.resource.name.toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 50) || 'cluster'}-nodepool1` }]);
  if (!ex && asked.length === 0) throw Errors.invalidParameter('properties.agentPoolProfiles needs at least one pool.', 'properties.agentPoolProfiles');
  const seen = new Set<string>();
  const changes: { name: string; props: Props; before?: Props; order: number }[] = [];
  let order = Math.max(0, ...existingPools.map((p) => Number(p.internal.order ?? 0))) + 1;
  asked.forEach((a, i) => {
    const where = `properties.agentPoolProfiles[${i}]`;
    if (!isObj(a)) throw Errors.invalidRequestContent(`${where} must be an object.`, where);
    const name = String(a.name ?? (i === 0 && !ex ? `${cc.resource.name.toLowerCase()}-nodepool1` : ''));
    if (seen.has(name.toLowerCase())) throw Errors.invalidParameter(`Agent pool name '${name}' appears twice.`, `${where}.name`);
    seen.add(name.toLowerCase());
    const exPool = existingPools.find((p) => p.resource.name.toLowerCase() === name.toLowerCase());
    const props = normalizePool(a, name, doc, where, exPool?.resource.properties);
    features.push(...poolFeatures(props, where));
    if (!exPool) changes.push({ name, props, order: order++ });
    else if (exPool.resource.properties?.count !== props.count) changes.push({ name: exPool.resource.name, props, before: exPool.resource.properties, order: Number(exPool.internal.order ?? 0) });
  });
  const poolCount = existingPools.length + changes.filter((c) => !c.before).length;
  features.push({ feature: 'nodePoolCount', value: poolCount, target: 'properties.agentPoolProfiles' });
  assertCapabilities(doc, features);

  // the plan
  const owner = id;
  let tasks: TaskSpec[] = [];
  const fabric = hasFabric(services, t.site);
  if (!ex) {
    if (fabric) {
      tasks = clusterCreatePlan({
        owner,
        site: t.site,
        kubernetesVersion: v,
        controlPlane: { count: cp.count, vmSize: cp.vmSize },
        loadBalancer: lbCount > 0 ? { count: lbCount, vmSize: doc.defaults.loadBalancerVmSize } : undefined,
        pools: changes.map((c) => ({ name: c.name, count: c.props.count, vmSize: c.props.vmSize })),
        logicalNetwork: cn.fabricName,
      });
    }
  } else {
    for (const c of changes) tasks.push(...scaleTasks(services, owner, t, { name: c.name, vmSize: c.props.vmSize, count: c.props.count }, exProps.kubernetesVersion, cn.fabricName));
    if (v !== exProps.kubernetesVersion && fabric) {
      const up = upgradePlan({ owner, site: t.site, current: services.fabric!.ownerVms(owner), kubernetesVersion: v }).map((x) => ({ ...x, id: `upgrade/${x.id}`, dependsOn: x.dependsOn?.map((d) => `upgrade/${d}`) }));
      if (up.length && tasks.length) up[0].dependsOn = [...(up[0].dependsOn ?? []), ...tasks.map((x) => x.id)];
      tasks.push(...up);
    }
  }
  if (tasks.length === 0) tasks = [settleTask()];

  const props: Props = {
    ...exProps,
    ...raw,
    controlPlane: cp,
    kubernetesVersion: v,
    networkProfile: { ...(exProps.networkProfile ?? {}), ...(raw.networkProfile ?? {}), networkPolicy: 'calico', podCidr: raw.networkProfile?.podCidr ?? exProps.networkProfile?.podCidr ?? '10.244.0.0/16', loadBalancerProfile: { count: lbCount } },
    cloudProviderProfile: { infraNetworkProfile: { vnetSubnetIds: [cn.id] } },
    licenseProfile: { azureHybridBenefit: raw.licenseProfile?.azureHybridBenefit ?? exProps.licenseProfile?.azureHybridBenefit ?? 'NotApplicable' },
    provisioningState: ex ? (v !== exProps.kubernetesVersion ? 'Upgrading' : 'Updating') : 'Creating',
    status: { ...(exProps.status ?? {}), currentState: ex ? 'Updating' : 'Creating' },
  };
  delete props.agentPoolProfiles;
  const related: RelatedResource[] = changes.map((c) => ({
    resource: poolResource(id, c.name, { ...c.props, kubernetesVersion: c.before?.kubernetesVersion ?? v, provisioningState: c.before ? 'Updating' : 'Creating', status: { ...(c.before?.status ?? {}), currentState: c.before ? 'Updating' : 'Creating' } }, candidate.extendedLocation),
    internal: { order: c.order },
    busy: true,
  }));
  // The connected cluster learns its site (extensions installed on it land there).
  if (cc.internal.site !== t.site) related.push({ resource: cc.resource, internal: { ...cc.internal, site: t.site } });
  const internal: Props = { ...(ex?.internal ?? {}), site: t.site, network: cn.fabricName };
  const resource: ArmResource = { ...candidate, extendedLocation: { type: 'CustomLocation', name: t.customLocation }, properties: props };
  delete resource.location;
  delete resource.tags;
  return {
    resource,
    internal,
    related: { put: related },
    operation: {
      kind: ex ? 'update' : 'create',
      tasks,
      data: { pools: changes.map((c) => ({ name: c.name, before: c.before ? { count: c.before.count } : null })), from: exProps.kubernetesVersion ?? null, to: v },
    },
  };
}

// ---- completion --------------------------------------------------------------------------------------------

function fabricPoolStatus(services: Services, owner: string, pool: string, props: Props): Props {
  const vms = (services.fabric?.ownerVms(owner) ?? []).filter((x) => x.role === 'worker' && (x.pool ?? '').toLowerCase() === pool.toLowerCase() && x.state === 'Running' && x.joined !== false);
  const out: Props = { readyReplicas: vms.length ? [{ count: vms.length, vmSize: props.vmSize, kubernetesVersion: props.kubernetesVersion }] : [] };
  // The pool's own state, as the service reports it beside its provisioningState.
  if (typeof props.provisioningState === 'string') out.currentState = props.provisioningState;
  return out;
}

/**
 * A created cluster gets its CA and credentials (kept in internal, only ever shown in kubeconfigs):
 * those of its connected cluster, which is the same Kubernetes cluster seen by Arc (so the connected
 * cluster's kubeconfig and the cluster's trust one CA); fresh ones if the connected cluster has none.
 */
export async function withSecrets(c: Completion, services: Services): Promise<Completion> {
  const r = c.resource;
  if (r && r.resource.properties?.provisioningState === 'Succeeded' && !r.internal.secrets) {
    const ccId = r.resource.id.split(/\/providers\/Microsoft\.HybridContainerService\//i)[0];
    const shared = services.resources.get(ccId)?.internal.secrets;
    r.internal = { ...r.internal, secrets: shared ?? (await newClusterSecrets(ccId.split('/').at(-1) ?? 'cluster')) };
  }
  return c;
}

export function settleInstance(op: OperationRecord, stored: StoredResource | undefined, services: Services, ok: boolean, message?: string): Completion {
  if (!stored) return { resource: undefined };
  if (op.kind === 'delete') {
    if (ok) return { resource: undefined };
    const s = structuredClone(stored);
    s.resource.properties = { ...s.resource.properties, provisioningState: 'Failed', status: { ...(s.resource.properties?.status ?? {}), currentState: 'Failed', errorMessage: message } };
    return { resource: s };
  }
  if (op.kind === 'action') return { resource: stored };
  const s = structuredClone(stored);
  const data = (op.data ?? {}) as { pools?: { name: string; before: { count: number } | null }[]; from?: string | null; to?: string };
  const p = s.resource.properties ?? {};
  const failedCreate = !ok && op.kind === 'create';
  if (!ok && op.kind === 'update' && data.from) p.kubernetesVersion = data.from;
  const state = ok ? 'Succeeded' : op.cancelRequested ? 'Canceled' : 'Failed';
  p.provisioningState = state;
  p.status = { ...(p.status ?? {}), currentState: state };
  if (message) p.status.errorMessage = message;
  else delete p.status.errorMessage;
  s.resource.properties = p;
  const puts: RelatedResource[] = [];
  for (const pool of poolsOf(services, stored.resource.id)) {
    const c = data.pools?.find((x) => x.name.toLowerCase() === pool.resource.name.toLowerCase());
    const pp: Props = { ...(pool.resource.properties ?? {}) };
    if (!ok && c?.before) pp.count = c.before.count; // the fabric work was rolled back
    if (ok) pp.kubernetesVersion = p.kubernetesVersion;
    pp.provisioningState = ok ? 'Succeeded' : c || failedCreate ? state : pp.provisioningState;
    pp.status = { ...fabricPoolStatus(services, stored.resource.id, pool.resource.name, pp), ...(!ok && (c || failedCreate) && message ? { errorMessage: message } : {}) };
    puts.push({ resource: { ...pool.resource, properties: pp }, internal: pool.internal });
  }
  return { resource: s, related: { put: puts } };
}

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
  const tasks = !ex || ex.resource.properties?.count !== props.count
    ? scaleTasks(services, id, t, { name, vmSize: props.vmSize, count: props.count }, iv, String(inst.internal.network))
    : [];
  const resource: ArmResource = {
    ...candidate,
    extendedLocation: inst.resource.extendedLocation,
    properties: { ...props, kubernetesVersion: iv, provisioningState: ex ? 'Updating' : 'Creating', status: { ...(ex?.resource.properties?.status ?? {}), currentState: ex ? 'Updating' : 'Creating' } },
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
  const tasks = scaleTasks(services, inst.resource.id, t, { name: ctx.existing.resource.name, vmSize: p.vmSize, count: 0 }, String(inst.resource.properties?.kubernetesVersion), String(inst.internal.network));
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

// ---- delete ----------------------------------------------------------------------------------------------

export function deleteInstanceTasks(services: Services, s: StoredResource): TaskSpec[] {
  const site = s.internal.site as string | undefined;
  if (!site || !hasFabric(services, site)) return [settleTask()];
  return deletePlan({ owner: s.resource.id, site, current: services.fabric!.ownerVms(s.resource.id) });
}

export const registerHybridTasks = (services: Services) => {
  services.asyncOperations.registerTaskKind(STEP, { run: () => undefined });
};

