// Microsoft.HybridContainerService (AKS hybrid, 2024-01-01): provisionedClusterInstances/default on a
// connected cluster with its agentPools, upgradeProfiles and hybridIdentityMetadata; what a custom
// location offers (kubernetesVersions/default, skus/default); and virtualNetworks, the older network
// object a cluster may name. Cluster work is fabric work on the custom location's HCI site
// (clusters.ts); the network rules are in network.ts.

import { atApiVersion } from '../versionShapes.js';
import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, Completion, Principal, ResourceProvider, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import type { OperationRecord } from '../../arm/asyncOperations.js';
import { capabilityDocument } from '../../kubernetes/capabilities.js';
import type { ClusterSecrets } from '../../kubernetes/kubeconfig.js';
import { kubeconfigResults } from '../../kubernetes/credentials.js';
import {
  API_VERSIONS,
  deleteInstanceTasks,
  deletePool,
  KUBECONFIG_TASK,
  NS,
  poolsOf,
  putInstance,
  putPool,
  refuseIfBusy,
  registerHybridTasks,
  settleInstance,
  settlePool,
  targetOf,
  withSecrets,
} from './clusters.js';
import { clustersOn, networkFromVnet } from './network.js';

const CUSTOM_LOCATIONS = typeKeyOf('Microsoft.ExtendedLocation', 'customLocations');
const CONNECTED_CLUSTERS = typeKeyOf('Microsoft.Kubernetes', 'connectedClusters');
const INSTANCE_WIRE_TYPE = 'Microsoft.HybridContainerService/provisionedClusterInstances';
const STEP = 'hybridaks.step';
const op = (name: string, operation: string) => ({ name: `${NS}/${name}`, operation, description: operation });

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

function kubeconfigFor(services: Services, inst: StoredResource, which: 'admin' | 'user', principal?: Principal): { kubeconfigs: { name: string; value: string }[] } {
  const secrets = inst.internal.secrets as ClusterSecrets;
  const ccId = inst.resource.id.split(/\/providers\/Microsoft\.HybridContainerService\//i)[0];
  const cc = services.resources.get(ccId);
  const name = cc?.resource.name ?? 'cluster';
  const rg = ccId.split('/')[4] ?? '';
  const aadp = cc?.resource.properties?.aadProfile;
  const aad = !!aadp && (aadp.enableAzureRBAC === true || (Array.isArray(aadp.adminGroupObjectIDs) && aadp.adminGroupObjectIDs.length > 0)) || inst.resource.properties?.disableLocalAccounts === true;
  return kubeconfigResults(services, inst.resource.id, [which === 'admin' ? 'clusterAdmin' : 'clusterUser'], { clusterName: name, resourceGroup: rg, secrets, principal, aad: which === 'user' && aad });
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

const instances: ResourceTypeDefinition = {
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

const agentPools: ResourceTypeDefinition = {
  namespace: NS,
  type: 'provisionedClusterInstances/agentPools',
  scope: 'extension',
  tracked: false,
  apiVersions: API_VERSIONS,
  patch: false,
  providerOperations: [op('provisionedClusterInstances/agentPools/read', 'Get agent pool'), op('provisionedClusterInstances/agentPools/write', 'Create or update agent pool'), op('provisionedClusterInstances/agentPools/delete', 'Delete agent pool')],
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

const instanceOf = (services: Services, id: string) => services.resources.get(id.replace(/\/(upgradeProfiles|hybridIdentityMetadata)(\/[^/]*)?$/i, ''));

const upgradeProfiles: ResourceTypeDefinition = {
  namespace: NS,
  type: 'provisionedClusterInstances/upgradeProfiles',
  scope: 'extension',
  tracked: false,
  apiVersions: API_VERSIONS,
  handlers: {
    get(ctx) {
      const inst = instanceOf(ctx.services, ctx.path.id);
      if (!inst) throw Errors.parentResourceNotFound('read', `${NS}/provisionedClusterInstances/upgradeProfiles`, ctx.path.id.replace(/\/upgradeProfiles.*$/i, ''));
      const doc = targetOf(ctx.services, inst.resource.extendedLocation).doc;
      const v = String(inst.resource.properties?.kubernetesVersion);
      const ups = (doc.kubernetesVersions.find((k) => k.version === v)?.upgrades ?? []).map((u) => ({ kubernetesVersion: u, isPreview: false }));
      return {
        status: 200,
        body: atApiVersion(`${NS}/provisionedClusterInstances/upgradeProfiles`, ctx.apiVersion, {
          id: `${inst.resource.id}/upgradeProfiles/default`,
          name: 'default',
          type: 'Microsoft.HybridContainerService/provisionedClusterInstances/upgradeProfiles',
          // The service answers with the cluster's systemData (the profile is computed from it).
          ...(inst.resource.systemData ? { systemData: { ...inst.resource.systemData } } : {}),
          properties: {
            provisioningState: 'Succeeded',
            controlPlaneProfile: { kubernetesVersion: v, name: 'control-plane', osType: 'Linux', upgrades: ups },
            agentPoolProfiles: poolsOf(ctx.services, inst.resource.id).map((p) => ({ kubernetesVersion: p.resource.properties?.kubernetesVersion ?? v, name: p.resource.name, osType: p.resource.properties?.osType, upgrades: ups })),
          },
        }),
      };
    },
  },
};

const hybridIdentityMetadata: ResourceTypeDefinition = {
  namespace: NS,
  type: 'provisionedClusterInstances/hybridIdentityMetadata',
  scope: 'extension',
  tracked: false,
  apiVersions: API_VERSIONS,
  patch: false,
  onPut(ctx, candidate) {
    if (ctx.path.names.at(-1)?.toLowerCase() !== 'default') throw Errors.invalid('InvalidResourceName', "hybridIdentityMetadata is always named 'default'.", 'name');
    if (!ctx.parent) throw Errors.parentResourceNotFound('write', `${NS}/provisionedClusterInstances/hybridIdentityMetadata`, ctx.path.id.replace(/\/hybridIdentityMetadata.*$/i, ''));
    const p = { ...(candidate.properties ?? {}) };
    if (p.publicKey !== undefined && typeof p.publicKey !== 'string') throw Errors.invalidParameter('properties.publicKey must be a string.', 'properties.publicKey');
    return { resource: { ...candidate, properties: { resourceUid: p.resourceUid ?? ctx.parent.resource.id, ...p, provisioningState: 'Succeeded' } } };
  },
  toWire: (s, apiVersion) => atApiVersion('Microsoft.HybridContainerService/provisionedClusterInstances/hybridIdentityMetadata', apiVersion, { ...structuredClone(s.resource), type: 'Microsoft.HybridContainerService/provisionedClusterInstances/hybridIdentityMetadata' }),
  // The spec's HybridIdentityMetadata_Delete is long-running (202, then 204 once gone).
  onDelete() {
    return { operation: { kind: 'delete', tasks: [{ id: 'settle', kind: STEP, params: {}, durationMs: 500 }] } };
  },
  onOperationSucceeded: (o, s) => settleSimple(o, s, 'Succeeded'),
  onOperationFailed: (o, s) => settleSimple(o, s, 'Failed'),
};

// ---- what a custom location offers ----------------------------------------------------------------------

function requireCustomLocation(ctx: { parent?: StoredResource; path: { scopeId: string } }, what: string): StoredResource {
  const cl = ctx.parent;
  if (!cl || cl.typeKey !== CUSTOM_LOCATIONS) throw Errors.invalid('InvalidParentResource', `${what}/default is an extension resource of a custom location (Microsoft.ExtendedLocation/customLocations); '${ctx.path.scopeId}' is not one.`);
  return cl;
}

function offerings(kind: 'kubernetesVersions' | 'skus'): ResourceTypeDefinition {
  return {
    namespace: NS,
    type: kind,
    scope: 'extension',
    tracked: false,
    apiVersions: API_VERSIONS,
    patch: false,
    providerOperations: [op(`${kind}/read`, `Get ${kind}`), op(`${kind}/write`, `Put ${kind}`), op(`${kind}/delete`, `Delete ${kind}`)],
    onPut(ctx, candidate) {
      if (ctx.path.names.at(-1)?.toLowerCase() !== 'default') throw Errors.invalid('InvalidResourceName', `${kind} is always named 'default'.`, 'name');
      const cl = requireCustomLocation(ctx, kind);
      const ext = { type: 'CustomLocation', name: cl.resource.id };
      const checked = ctx.services.targets.checkExtendedLocation(`${NS}/${kind}`, ext);
      const t = ctx.services.targets.resolve({ extendedLocation: ext }, checked);
      const doc = capabilityDocument(t.definition);
      const values =
        kind === 'kubernetesVersions'
          ? [...new Set(doc.kubernetesVersions.map((k) => k.version.split('.').slice(0, 2).join('.')))].map((minor) => ({
              version: minor,
              isPreview: false,
              capabilities: { supportPlan: ['KubernetesOfficial'] },
              patchVersions: Object.fromEntries(
                doc.kubernetesVersions
                  .filter((k) => k.version.startsWith(`${minor}.`))
                  .map((k) => [
                    k.version,
                    {
                      readiness: [
                        { osType: 'Linux', osSku: 'CBLMariner', ready: true },
                        { osType: 'Windows', osSku: 'Windows2019', ready: true },
                        { osType: 'Windows', osSku: 'Windows2022', ready: true },
                      ],
                      upgrades: k.upgrades,
                    },
                  ]),
              ),
            }))
          : doc.vmSizes.map((s) => ({
              resourceType: 'VirtualMachines',
              name: s.name,
              tier: 'Standard',
              size: s.name.replace(/^Standard_/, ''),
              capabilities: [
                { name: 'vCpu', value: String(s.cores) },
                { name: 'MemoryGB', value: String(s.memoryGB) },
                { name: 'Provider', value: 'HCI' },
              ],
            }));
      return {
        resource: { ...candidate, extendedLocation: ext, properties: { values, provisioningState: ctx.existing ? 'Updating' : 'Creating' } },
        operation: { kind: ctx.existing ? 'update' : 'create', tasks: [{ id: 'settle', kind: STEP, params: {}, durationMs: 500 }] },
      };
    },
    onDelete() {
      return { operation: { kind: 'delete', tasks: [{ id: 'settle', kind: STEP, params: {}, durationMs: 500 }] } };
    },
    toWire: (s, apiVersion) => atApiVersion(`${NS}/${kind}`, apiVersion, { ...structuredClone(s.resource), type: `${NS}/${kind}` }),
    onOperationSucceeded: (o, s) => settleSimple(o, s, 'Succeeded'),
    onOperationFailed: (o, s) => settleSimple(o, s, 'Failed'),
  };
}

function settleSimple(o: OperationRecord, s: StoredResource | undefined, state: string): Completion {
  if (!s || (o.kind === 'delete' && state === 'Succeeded')) return { resource: undefined };
  const c = structuredClone(s);
  c.resource.properties = { ...(c.resource.properties ?? {}), provisioningState: state };
  return { resource: c };
}

// ---- virtualNetworks -------------------------------------------------------------------------------------

const virtualNetworks: ResourceTypeDefinition = {
  namespace: NS,
  type: 'virtualNetworks',
  scope: 'resourceGroup',
  tracked: true,
  locations: '*',
  apiVersions: API_VERSIONS,
  listBySubscription: true,
  patch: 'tags',
  providerOperations: [op('virtualNetworks/read', 'Get virtual network'), op('virtualNetworks/write', 'Create or update virtual network'), op('virtualNetworks/delete', 'Delete virtual network')],
  async onPut(ctx, candidate) {
    if (!candidate.extendedLocation) {
      throw Errors.invalidExtendedLocation('A virtual network is created on a custom location: give extendedLocation {"type": "CustomLocation", "name": "<custom location id>"}.');
    }
    const ex = ctx.existing;
    if (ex && String(ex.resource.extendedLocation?.name).toLowerCase() !== String(candidate.extendedLocation.name).toLowerCase()) {
      throw Errors.propertyChangeNotAllowed('extendedLocation', String(ex.resource.extendedLocation?.name), 'extendedLocation.name');
    }
    const t = targetOf(ctx.services, candidate.extendedLocation, ctx);
    const fabricName = `vnet-${ctx.path.names[0]}`.toLowerCase();
    const p = { ...(candidate.properties ?? {}) };
    if (p.infraVnetProfile?.vmware) throw Errors.invalidParameter('infraVnetProfile.vmware is for VMware private clouds, which this emulator does not model; use infraVnetProfile.hci.', 'properties.infraVnetProfile');
    const net = networkFromVnet(fabricName, ctx.path.id, p);
    const snap = await ctx.services.fabric!.site(t.site).snapshot();
    const clash = snap.logicalNetworks.find((n) => n.name.toLowerCase() === fabricName && (!n.owner || n.owner.toLowerCase() !== ctx.path.id.toLowerCase()));
    if (clash) throw Errors.conflictWith('VirtualNetworkNameConflict', `${t.where} already has a network named '${clash.name}'; choose another name.`);
    return {
      // Accepted: in both versions' enums (2023-11-15-preview's has no Creating for networks)
      resource: { ...candidate, properties: { ...p, provisioningState: ex ? 'Updating' : 'Accepted', status: {} } },
      internal: { site: t.site, network: fabricName },
      operation: { kind: ex ? 'update' : 'create', tasks: [{ id: 'network', kind: 'fabric.addNetwork', params: { site: t.site, network: net }, durationMs: 5000 }] },
    };
  },
  onDelete(ctx) {
    const users = clustersOn(ctx.services, ctx.existing);
    if (users.length) throw Errors.conflictWith('VirtualNetworkInUse', `Virtual network '${ctx.existing.resource.name}' is used by AKS hybrid cluster(s) ${users.join(', ')}; delete them first.`);
    const site = ctx.existing.internal.site as string | undefined;
    const tasks = site && ctx.services.fabric?.hasSite(site)
      ? [{ id: 'network', kind: 'fabric.removeNetwork', params: { site, name: String(ctx.existing.internal.network), owner: ctx.existing.resource.id }, durationMs: 5000 }]
      : [{ id: 'settle', kind: STEP, params: {}, durationMs: 500 }];
    return { operation: { kind: 'delete', tasks } };
  },
  toWire(s, apiVersion) {
    const r = structuredClone(s.resource);
    r.type = 'Microsoft.HybridContainerService/virtualNetworks';
    if (s.deleting) r.properties = { ...r.properties, provisioningState: 'Deleting' };
    return atApiVersion(r.type, apiVersion, r);
  },
  onOperationSucceeded: (o, s) => settleSimple(o, s, 'Succeeded'),
  onOperationFailed: (o, s) => settleSimple(o, s, 'Failed'),
};

export const hybridContainerServiceProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [instances, agentPools, upgradeProfiles, hybridIdentityMetadata, offerings('kubernetesVersions'), offerings('skus'), virtualNetworks],
  init(services) {
    registerHybridTasks(services);
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
  },
};

export { CONNECTED_CLUSTERS };
