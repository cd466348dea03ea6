// provisionedClusterInstances/default (an AKS hybrid cluster on a connected cluster) and its
// agentPools children. The work is fabric work on the HCI site behind the custom location named in
// extendedLocation: control-plane VMs, optional HAProxy load-balancer VMs and worker VMs per pool,
// addresses from the cluster's logical network, built by the shared plans of src/kubernetes. Pools
// are kept once, as agentPools children, and shown in agentPoolProfiles. Hooks only read; the core
// commits what they return.

import type { OperationRecord, TaskSpec } from '../../arm/asyncOperations.js';
import { Errors } from '../../arm/errors.js';
import type { ArmResource, Completion, Principal, RelatedResource, RequestContext, ResourceTypeDefinition, Services, StoredResource, WriteOutcome } from '../../framework/types.js';
import { assertCapabilities, type FeatureRequest } from '../../kubernetes/capabilities.js';
import { kubeconfigResults } from '../../kubernetes/credentials.js';
import type { ClusterSecrets } from '../../kubernetes/kubeconfig.js';
import { newClusterSecrets } from '../../kubernetes/kubeconfig.js';
import { clusterCreatePlan, deletePlan, upgradePlan } from '../../kubernetes/plans.js';
import { atApiVersion } from '../versionShapes.js';
import {
  API_VERSIONS,
  CONNECTED_CLUSTERS,
  fabricPoolStatus,
  hasFabric,
  isObj,
  KUBECONFIG_TASK,
  normalizePool,
  NS,
  op,
  poolFeatures,
  poolResource,
  poolsOf,
  Props,
  refuseIfBusy,
  scaleTasks,
  settleTask,
  targetOf,
  version,
} from './common.js';
import { clusterNetwork, controlPlaneEndpoint, type ClusterNetwork } from './network.js';

// ---- PUT of the cluster ----------------------------------------------------------------------------------

function requireConnectedCluster(ctx: RequestContext): StoredResource {
  const cc = ctx.parent;
  if (!cc) throw Errors.parentResourceNotFound('write', `${NS}/provisionedClusterInstances`, ctx.path.scopeId);
  if (cc.typeKey !== CONNECTED_CLUSTERS) {
    throw Errors.invalid(
      'InvalidParentResource',
      `An AKS hybrid cluster (provisionedClusterInstances/default) lives on a connected cluster (Microsoft.Kubernetes/connectedClusters); '${cc.resource.type}' is not one.`,
    );
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
    throw Errors.invalid(
      'InvalidResourceName',
      `An AKS hybrid cluster is always named 'default' (…/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default); got '${ctx.path.names.at(-1)}'.`,
      'name',
    );
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
    throw Errors.propertyChangeNotAllowed(
      'controlPlane.count',
      String(exProps.controlPlane?.count),
      'properties.controlPlane.count',
      'the control-plane node count is set when the cluster is created',
    );
  }
  if (ex && String(cp.vmSize).toLowerCase() !== String(exProps.controlPlane?.vmSize).toLowerCase()) {
    throw Errors.propertyChangeNotAllowed('controlPlane.vmSize', String(exProps.controlPlane?.vmSize), 'properties.controlPlane.vmSize');
  }
  const lbCount = raw.networkProfile?.loadBalancerProfile?.count ?? exProps.networkProfile?.loadBalancerProfile?.count ?? 0;
  if (!Number.isInteger(lbCount) || lbCount < 0 || lbCount > 5)
    throw Errors.invalidParameter(
      `networkProfile.loadBalancerProfile.count must be 0 to 5 (HAProxy VMs in front of the API server); got ${JSON.stringify(lbCount)}.`,
      'properties.networkProfile.loadBalancerProfile.count',
    );
  const networkPolicy = raw.networkProfile?.networkPolicy ?? 'calico';
  if (String(networkPolicy).toLowerCase() !== 'calico')
    throw Errors.invalidParameter(`networkProfile.networkPolicy '${networkPolicy}' is not supported; the only value is 'calico'.`, 'properties.networkProfile.networkPolicy');

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
    throw Errors.propertyChangeNotAllowed(
      'controlPlane.controlPlaneEndpoint.hostIP',
      String(exProps.controlPlane?.controlPlaneEndpoint?.hostIP),
      'properties.controlPlane.controlPlaneEndpoint.hostIP',
    );
  }
  const endpoint = ex ? exProps.controlPlane.controlPlaneEndpoint.hostIP : controlPlaneEndpoint(services, cn, askedEp, id);
  cp.controlPlaneEndpoint = { ...(cp.controlPlaneEndpoint ?? {}), hostIP: endpoint };
  cp.osType = 'Linux';

  // pools
  const existingPools = ex ? poolsOf(services, id) : [];
  const profiles = raw.agentPoolProfiles;
  if (profiles !== undefined && !Array.isArray(profiles)) throw Errors.invalidParameter('properties.agentPoolProfiles must be an array.', 'properties.agentPoolProfiles');
  const asked: Props[] =
    profiles ??
    (ex
      ? []
      : [
          {
            name: `${
              cc.resource.name
                .toLowerCase()
                .replace(/[^a-z0-9-]/g, '')
                .slice(0, 50) || 'cluster'
            }-nodepool1`,
          },
        ]);
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
      const up = upgradePlan({ owner, site: t.site, current: services.fabric!.ownerVms(owner), kubernetesVersion: v }).map((x) => ({
        ...x,
        id: `upgrade/${x.id}`,
        dependsOn: x.dependsOn?.map((d) => `upgrade/${d}`),
      }));
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
    networkProfile: {
      ...(exProps.networkProfile ?? {}),
      ...(raw.networkProfile ?? {}),
      networkPolicy: 'calico',
      podCidr: raw.networkProfile?.podCidr ?? exProps.networkProfile?.podCidr ?? '10.244.0.0/16',
      loadBalancerProfile: { count: lbCount },
    },
    cloudProviderProfile: { infraNetworkProfile: { vnetSubnetIds: [cn.id] } },
    licenseProfile: { azureHybridBenefit: raw.licenseProfile?.azureHybridBenefit ?? exProps.licenseProfile?.azureHybridBenefit ?? 'NotApplicable' },
    provisioningState: ex ? (v !== exProps.kubernetesVersion ? 'Upgrading' : 'Updating') : 'Creating',
    status: { ...(exProps.status ?? {}), currentState: ex ? 'Updating' : 'Creating' },
  };
  delete props.agentPoolProfiles;
  const related: RelatedResource[] = changes.map((c) => ({
    resource: poolResource(
      id,
      c.name,
      {
        ...c.props,
        kubernetesVersion: c.before?.kubernetesVersion ?? v,
        provisioningState: c.before ? 'Updating' : 'Creating',
        status: { ...(c.before?.status ?? {}), currentState: c.before ? 'Updating' : 'Creating' },
      },
      candidate.extendedLocation,
    ),
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

// ---- delete ----------------------------------------------------------------------------------------------

export function deleteInstanceTasks(services: Services, s: StoredResource): TaskSpec[] {
  const site = s.internal.site as string | undefined;
  if (!site || !hasFabric(services, site)) return [settleTask()];
  return deletePlan({ owner: s.resource.id, site, current: services.fabric!.ownerVms(s.resource.id) });
}
const INSTANCE_WIRE_TYPE = 'Microsoft.HybridContainerService/provisionedClusterInstances';

// ---- provisionedClusterInstances ---------------------------------------------------------------------

/** A control-plane VM's state in the service's words (AddonStatusProfile.phase). */
function controlPlanePhase(state: string): string {
  switch (state) {
    case 'Running':
      return 'provisioned';
    case 'Creating':
      return 'provisioning';
    case 'Deleting':
      return 'deleting';
    case 'Failed':
      return 'failed';
    default:
      return 'pending';
  }
}

function instanceWire(s: StoredResource, apiVersion: string, services: Services): ArmResource {
  const r = structuredClone(s.resource);
  r.type = INSTANCE_WIRE_TYPE;
  const p = (r.properties ??= {});
  p.agentPoolProfiles = poolsOf(services, s.resource.id).map((c) => {
    const { provisioningState: _p, status: _s, ...rest } = c.resource.properties ?? {};
    return { name: c.resource.name, ...rest };
  });
  if (s.deleting) p.provisioningState = 'Deleting';
  const st = services.fabric?.ownerStatus(s.resource.id);
  if (st && st.vms.length) {
    p.status = { ...(p.status ?? {}) };
    p.status.controlPlaneStatus = st.vms
      .filter((v) => v.role === 'controlPlane')
      .map((v) => ({ name: v.name, phase: controlPlanePhase(v.state), ready: v.state === 'Running', ...(v.state === 'Running' ? {} : { errorMessage: `VM ${v.name} is ${v.state}` }) }));
    if (st.degraded) p.status.errorMessage = `Degraded: VM(s) ${st.failedVms.join(', ')} are down (their host failed and no other host had room); they restart when capacity comes back.`;
  }
  const site = s.internal.site as string | undefined;
  if (site && services.fabric?.hasSite(site) && !services.fabric.site(site).connected()) {
    p.status = { ...(p.status ?? {}), errorMessage: `The Azure Stack HCI site '${site}' is disconnected from Azure; the cluster state shown is the last one reported.` };
  }
  return atApiVersion(INSTANCE_WIRE_TYPE, apiVersion, r);
}

export function kubeconfigFor(services: Services, inst: StoredResource, which: 'admin' | 'user', principal?: Principal): { kubeconfigs: { name: string; value: string }[] } {
  const secrets = inst.internal.secrets as ClusterSecrets;
  const ccId = inst.resource.id.split(/\/providers\/Microsoft\.HybridContainerService\//i)[0];
  const cc = services.resources.get(ccId);
  const name = cc?.resource.name ?? 'cluster';
  const rg = ccId.split('/')[4] ?? '';
  const aadp = cc?.resource.properties?.aadProfile;
  const aad =
    (!!aadp && (aadp.enableAzureRBAC === true || (Array.isArray(aadp.adminGroupObjectIDs) && aadp.adminGroupObjectIDs.length > 0))) || inst.resource.properties?.disableLocalAccounts === true;
  return kubeconfigResults(services, inst.resource.id, [which === 'admin' ? 'clusterAdmin' : 'clusterUser'], {
    clusterName: name,
    resourceGroup: rg,
    secrets,
    principal,
    aad: which === 'user' && aad,
  });
}

function kubeconfigAction(which: 'admin' | 'user') {
  return (ctx: { existing: StoredResource; services: Services; principal: Principal }) => {
    const inst = ctx.existing;
    const state = inst.resource.properties?.provisioningState;
    if (state !== 'Succeeded' && state !== 'Updating' && state !== 'Upgrading') {
      throw Errors.operationNotAllowed(`The AKS hybrid cluster is ${state}; its kubeconfig is available once it has been created.`, undefined, 400);
    }
    if (which === 'admin' && inst.resource.properties?.disableLocalAccounts === true) {
      throw Errors.invalid('BadRequest', 'Getting static credential is not allowed because this cluster is set to disable local accounts; use listUserKubeconfig (Azure AD) instead.');
    }
    // The caller rides along: an Azure AD user kubeconfig carries its token.
    const params = { which, principal: { tenantId: ctx.principal.tenantId, clientId: ctx.principal.clientId, objectId: ctx.principal.objectId } };
    return { operation: { kind: 'action' as const, tasks: [{ id: 'kubeconfig', kind: KUBECONFIG_TASK, params, durationMs: 1000 }], resultTask: 'kubeconfig' } };
  };
}

export const instances: ResourceTypeDefinition = {
  namespace: NS,
  type: 'provisionedClusterInstances',
  scope: 'extension',
  tracked: false,
  apiVersions: API_VERSIONS,
  patch: false,
  // Its PUT picks a free control-plane endpoint on the logical network from the clusters stored there.
  serialPuts: true,
  providerOperations: [
    op('provisionedClusterInstances/read', 'Get provisioned cluster instance'),
    op('provisionedClusterInstances/write', 'Create or update provisioned cluster instance'),
    op('provisionedClusterInstances/delete', 'Delete provisioned cluster instance'),
    op('provisionedClusterInstances/listAdminKubeconfig/action', 'List admin kubeconfig'),
    op('provisionedClusterInstances/listUserKubeconfig/action', 'List user kubeconfig'),
  ],
  onPut: putInstance,
  onDelete(ctx) {
    refuseIfBusy(ctx.services, ctx.existing.resource.id, 'deleting the cluster');
    return { operation: { kind: 'delete', tasks: deleteInstanceTasks(ctx.services, ctx.existing) } };
  },
  actions: { listAdminKubeconfig: kubeconfigAction('admin'), listUserKubeconfig: kubeconfigAction('user') },
  toWire: instanceWire,
  onOperationSucceeded: (o, s, services) => withSecrets(settleInstance(o, s, services, true), services),
  onOperationFailed: (o, s, e, services) => settleInstance(o, s, services, false, e.message),
};

/** The task behind listAdminKubeconfig / listUserKubeconfig: its result is the operation's final body. */
export function registerKubeconfigTask(services: Services): void {
  services.asyncOperations.registerTaskKind(KUBECONFIG_TASK, {
    run(t, o) {
      const inst = services.resources.get(o.resourceId);
      if (!inst) throw Errors.notFound(`The AKS hybrid cluster '${o.resourceId}' no longer exists.`);
      // The final body is shaped like an operation status with the kubeconfigs in properties (as the spec's example).
      return {
        id: `/providers/${NS}/locations/${o.location}/operationStatuses/${o.id}`,
        name: o.id,
        resourceId: inst.resource.id,
        status: 'Succeeded',
        properties: kubeconfigFor(services, inst, (t.params as { which: 'admin' | 'user' }).which, (t.params as { principal?: Principal }).principal),
      };
    },
  });
}
