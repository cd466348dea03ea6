// Which ARM resources have a Kubernetes API, and what the API server needs to know of each: an AKS
// managed cluster (Azure regions and the Hub stamp), an AKS hybrid cluster (provisionedClusterInstances/
// default, reached through its connected cluster), any other Arc connected cluster, and the Arc resource
// bridge's own cluster. Read from the resource store (never written here); the key of a cluster comes
// from its ARM id and creation time, so a cluster deleted and created again under the same name is a
// new cluster with a new API path.

import { createHash } from 'node:crypto';
import type { Services } from '../framework/types.js';
import type { StoredResource } from '../framework/types.js';
import type { Vm } from '../fabric/model.js';
import type { ClusterSecrets } from '../kubernetes/kubeconfig.js';

export type ClusterKind = 'aks' | 'hybrid' | 'arc' | 'appliance';

export const TYPE_KEYS = {
  aks: 'microsoft.containerservice/managedclusters',
  aksPools: 'microsoft.containerservice/managedclusters/agentpools',
  hybrid: 'microsoft.hybridcontainerservice/provisionedclusterinstances',
  hybridPools: 'microsoft.hybridcontainerservice/provisionedclusterinstances/agentpools',
  connected: 'microsoft.kubernetes/connectedclusters',
  appliance: 'microsoft.resourceconnector/appliances',
} as const;

/** Where the API path of a cluster starts, under the emulator's origin. */
export const KUBE_PREFIX = '/k8s';

export interface PoolView {
  name: string;
  mode: 'System' | 'User';
  vmSize: string;
  osType: string;
  osSKU?: string;
  labels: Record<string, string>;
  taints: string[];
  maxPods: number;
  version: string;
  zones?: string[];
}

export interface ClusterView {
  key: string;
  kind: ClusterKind;
  /** ARM id of the resource the API belongs to (the instance for AKS hybrid). */
  anchor: string;
  /** The connected cluster of an AKS hybrid or Arc cluster. */
  connectedCluster?: string;
  name: string;
  resourceGroup: string;
  subscriptionId: string;
  location: string;
  /** The API answers; otherwise `why` says why not (stopped, creating, deleting). */
  serving: boolean;
  why?: string;
  secrets?: ClusterSecrets;
  /** Owner id of the cluster's VMs on the fabric. */
  vmOwner?: string;
  site?: string;
  kubernetesVersion: string;
  serviceCidr: string;
  dnsServiceIP: string;
  podCidr: string;
  networkPlugin: string;
  aad?: { azureRbac: boolean; adminGroups: string[]; tenantId?: string };
  localAccounts: boolean;
  pools: PoolView[];
  /** The target the cluster runs on. */
  targetKind: 'AzureRegion' | 'AzureStackHub' | 'AzureStackHCI';
  nodeResourceGroup?: string;
}

export function clusterKey(anchorId: string, createdAt: string | undefined): string {
  return createHash('sha256')
    .update(`${anchorId.toLowerCase()}|${createdAt ?? ''}`)
    .digest('hex')
    .slice(0, 20);
}

const created = (s: StoredResource) => s.resource.systemData?.createdAt as string | undefined;
const parts = (id: string) => id.split('/');

function str(v: unknown, d: string): string {
  return typeof v === 'string' && v !== '' ? v : d;
}

/** What every kind of cluster view starts with: who it is, where its ARM resource lives, whether it serves. */
function viewHead(s: StoredResource, kind: ClusterView['kind'], scopeId: string, location: unknown, why: string | undefined, secrets: ClusterView['secrets']) {
  return {
    key: clusterKey(s.resource.id, created(s)),
    kind,
    anchor: s.resource.id,
    resourceGroup: parts(scopeId)[4] ?? '',
    subscriptionId: parts(scopeId)[2] ?? '',
    location: str(location, 'eastus'),
    serving: why === undefined,
    why,
    secrets,
  };
}

function labelsOf(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** The cluster views of every ARM resource with a Kubernetes API. */
export function allClusters(services: Services): ClusterView[] {
  const out: ClusterView[] = [];
  for (const s of services.resources.listByType(TYPE_KEYS.aks)) out.push(aksView(services, s));
  for (const s of services.resources.listByType(TYPE_KEYS.hybrid)) out.push(hybridView(services, s));
  for (const s of services.resources.listByType(TYPE_KEYS.connected)) {
    if (String(s.resource.kind ?? '').toLowerCase() === 'provisionedcluster') continue;
    out.push(arcView(services, s));
  }
  for (const s of services.resources.listByType(TYPE_KEYS.appliance)) out.push(applianceView(services, s));
  return out;
}

/** The cluster an ARM id names: the cluster itself, or a connected cluster's (its AKS hybrid cluster when provisioned). */
export function clusterOfArmId(services: Services, id: string): ClusterView | undefined {
  const s = services.resources.get(id);
  if (!s) return undefined;
  switch (s.typeKey) {
    case TYPE_KEYS.aks:
      return aksView(services, s);
    case TYPE_KEYS.hybrid:
      return hybridView(services, s);
    case TYPE_KEYS.connected: {
      if (String(s.resource.kind ?? '').toLowerCase() === 'provisionedcluster') {
        const inst = services.resources.listByParent(s.resource.id).find((c) => c.typeKey === TYPE_KEYS.hybrid);
        return inst ? hybridView(services, inst) : undefined;
      }
      return arcView(services, s);
    }
    case TYPE_KEYS.appliance:
      return applianceView(services, s);
    default:
      return undefined;
  }
}

function controlPlaneDown(services: Services, owner: string): boolean {
  const vms: Vm[] = services.fabric?.ownerVms(owner) ?? [];
  const cp = vms.filter((v) => v.role === 'controlPlane' || v.role === 'appliance');
  return cp.length > 0 && !cp.some((v) => v.state === 'Running');
}

function inFlight(services: Services, s: StoredResource): { kind: string; action?: string } | undefined {
  if (!s.operationId) return undefined;
  const op = services.asyncOperations.get(s.operationId);
  return op && op.status === 'InProgress' ? { kind: op.kind, action: op.action } : undefined;
}

function siteOf(services: Services, location: string | undefined): { site?: string; kind: ClusterView['targetKind'] } {
  const def = location ? services.fabric?.siteForLocation(location) : undefined;
  if (def) return { site: def.name, kind: def.kind };
  const loc = location ? services.locations.get(location) : undefined;
  return { kind: (loc?.kind as ClusterView['targetKind'] | undefined) ?? 'AzureRegion' };
}

function aksView(services: Services, s: StoredResource): ClusterView {
  const r = s.resource;
  const p = r.properties ?? {};
  const np = p.networkProfile ?? {};
  const op = inFlight(services, s);
  const secrets = s.internal.secrets as ClusterSecrets | undefined;
  const { site, kind } = siteOf(services, r.location);
  let why: string | undefined;
  if (s.deleting || p.provisioningState === 'Deleting') why = `the managed cluster '${r.name}' is being deleted`;
  else if (!secrets) why = `the managed cluster '${r.name}' is still being created; its API server answers once the create has finished`;
  else if (p.powerState?.code === 'Stopped') why = `the managed cluster '${r.name}' is stopped: its API server does not run until it is started (az aks start)`;
  else if (op?.action === 'start') why = `the managed cluster '${r.name}' is starting; its API server answers once the start has finished`;
  else if (controlPlaneDown(services, r.id)) why = `the control plane of managed cluster '${r.name}' is down (its VMs are not running)`;
  const pools: PoolView[] = services.resources
    .listByParent(r.id)
    .filter((c) => c.typeKey === TYPE_KEYS.aksPools && !c.deleting)
    .sort((a, b) => Number(a.internal.order ?? 0) - Number(b.internal.order ?? 0))
    .map((c) => {
      const pp = c.resource.properties ?? {};
      return {
        name: c.resource.name,
        mode: pp.mode === 'User' ? 'User' : 'System',
        vmSize: str(pp.vmSize, 'Standard_DS2_v2'),
        osType: str(pp.osType, 'Linux'),
        osSKU: pp.osSKU,
        labels: labelsOf(pp.nodeLabels),
        taints: Array.isArray(pp.nodeTaints) ? pp.nodeTaints.map(String) : [],
        maxPods: Number(pp.maxPods ?? 110),
        version: str(pp.currentOrchestratorVersion ?? pp.orchestratorVersion, str(p.currentKubernetesVersion, '1.30.0')),
        zones: Array.isArray(pp.availabilityZones) ? pp.availabilityZones.map(String) : undefined,
      } as PoolView;
    });
  const aad = p.aadProfile
    ? {
        azureRbac: p.aadProfile.enableAzureRBAC === true,
        adminGroups: Array.isArray(p.aadProfile.adminGroupObjectIDs) ? p.aadProfile.adminGroupObjectIDs.map(String) : [],
        tenantId: p.aadProfile.tenantID,
      }
    : undefined;
  return {
    ...viewHead(s, 'aks', r.id, r.location, why, secrets),
    name: r.name,
    vmOwner: r.id,
    site,
    kubernetesVersion: str(p.currentKubernetesVersion ?? p.kubernetesVersion, '1.30.0'),
    serviceCidr: str(np.serviceCidr, '10.0.0.0/16'),
    dnsServiceIP: str(np.dnsServiceIP, '10.0.0.10'),
    podCidr: str(np.podCidr, '10.244.0.0/16'),
    networkPlugin: str(np.networkPlugin, 'kubenet'),
    aad,
    localAccounts: p.disableLocalAccounts !== true,
    pools,
    targetKind: kind,
    nodeResourceGroup: p.nodeResourceGroup,
  };
}

function hybridView(services: Services, s: StoredResource): ClusterView {
  const r = s.resource;
  const p = r.properties ?? {};
  const ccId = r.id.split(/\/providers\/Microsoft\.HybridContainerService\//i)[0];
  const cc = services.resources.get(ccId);
  const secrets = s.internal.secrets as ClusterSecrets | undefined;
  const name = cc?.resource.name ?? parts(ccId).at(-1) ?? 'cluster';
  let why: string | undefined;
  if (s.deleting || p.provisioningState === 'Deleting' || cc?.deleting) why = `the AKS hybrid cluster '${name}' is being deleted`;
  else if (!secrets) why = `the AKS hybrid cluster '${name}' is ${p.provisioningState === 'Failed' ? 'in a failed state' : 'still being created'}; its API server answers once it has been created`;
  else if (controlPlaneDown(services, r.id)) why = `the control plane of AKS hybrid cluster '${name}' is down (its control-plane VMs are not running)`;
  const pools: PoolView[] = services.resources
    .listByParent(r.id)
    .filter((c) => c.typeKey === TYPE_KEYS.hybridPools && !c.deleting)
    .sort((a, b) => Number(a.internal.order ?? 0) - Number(b.internal.order ?? 0))
    .map((c) => {
      const pp = c.resource.properties ?? {};
      const taints = Array.isArray(pp.nodeTaints) ? pp.nodeTaints.map(String) : [];
      return {
        name: c.resource.name,
        mode: 'User',
        vmSize: str(pp.vmSize, 'Standard_A4_v2'),
        osType: str(pp.osType, 'Linux'),
        osSKU: pp.osSKU,
        labels: labelsOf(pp.nodeLabels),
        taints,
        maxPods: Number(pp.maxPods ?? 110),
        version: str(pp.kubernetesVersion, str(p.kubernetesVersion, '1.29.4')),
      } as PoolView;
    });
  const aadp = cc?.resource.properties?.aadProfile;
  const aad = aadp
    ? { azureRbac: aadp.enableAzureRBAC === true, adminGroups: Array.isArray(aadp.adminGroupObjectIDs) ? aadp.adminGroupObjectIDs.map(String) : [], tenantId: aadp.tenantID }
    : undefined;
  return {
    ...viewHead(s, 'hybrid', ccId, cc?.resource.location, why, secrets),
    connectedCluster: ccId,
    name,
    vmOwner: r.id,
    site: s.internal.site as string | undefined,
    kubernetesVersion: str(p.kubernetesVersion, '1.29.4'),
    serviceCidr: '10.96.0.0/12',
    dnsServiceIP: '10.96.0.10',
    podCidr: str(p.networkProfile?.podCidr, '10.244.0.0/16'),
    networkPlugin: 'calico',
    aad,
    localAccounts: p.disableLocalAccounts !== true,
    pools,
    targetKind: 'AzureStackHCI',
  };
}

function arcView(services: Services, s: StoredResource): ClusterView {
  const r = s.resource;
  const p = r.properties ?? {};
  const secrets = s.internal.secrets as ClusterSecrets | undefined;
  // The cluster the emulator hosts behind a connected cluster (Microsoft.Kubernetes/hosting.ts): its VMs are
  // owned by the connected cluster, on the site `internal.site` names; a cluster without VMs (no fabric) has no nodes.
  const site = s.internal.site as string | undefined;
  const siteKind = site && services.fabric?.hasSite(site) ? services.fabric.sites().find((d) => d.name === site)?.kind : undefined;
  let why: string | undefined;
  if (s.deleting || p.provisioningState === 'Deleting') why = `the connected cluster '${r.name}' is being deleted`;
  else if (!secrets || (p.provisioningState !== 'Succeeded' && p.provisioningState !== 'Updating'))
    why = `the connected cluster '${r.name}' is ${p.provisioningState ?? 'not ready'}; its API answers once it is connected`;
  else if (site && controlPlaneDown(services, r.id)) why = `the control plane of the cluster behind connected cluster '${r.name}' is down (its VMs are not running)`;
  const aadp = p.aadProfile;
  const version = str(s.internal.kubernetesVersion, str(p.kubernetesVersion, '1.30.4'));
  const pools: PoolView[] = site
    ? [
        {
          name: 'nodepool1',
          mode: 'User',
          vmSize: services.fabric?.ownerVms(r.id).find((v) => v.role === 'worker')?.vmSize ?? 'Standard_A4_v2',
          osType: 'Linux',
          labels: {},
          taints: [],
          maxPods: 110,
          version,
        },
      ]
    : [];
  return {
    ...viewHead(s, 'arc', r.id, r.location, why, secrets),
    connectedCluster: r.id,
    name: r.name,
    kubernetesVersion: version,
    serviceCidr: '10.96.0.0/12',
    dnsServiceIP: '10.96.0.10',
    podCidr: '10.244.0.0/16',
    networkPlugin: 'calico',
    aad: aadp ? { azureRbac: aadp.enableAzureRBAC === true, adminGroups: Array.isArray(aadp.adminGroupObjectIDs) ? aadp.adminGroupObjectIDs.map(String) : [], tenantId: aadp.tenantID } : undefined,
    localAccounts: true,
    vmOwner: site ? r.id : undefined,
    site,
    pools,
    targetKind: (siteKind as ClusterView['targetKind'] | undefined) ?? 'AzureRegion',
  };
}

function applianceView(services: Services, s: StoredResource): ClusterView {
  const r = s.resource;
  const p = r.properties ?? {};
  const secrets = s.internal.secrets as ClusterSecrets | undefined;
  let why: string | undefined;
  if (s.deleting || p.provisioningState === 'Deleting') why = `the Arc resource bridge '${r.name}' is being deleted`;
  else if (!secrets || p.provisioningState !== 'Succeeded') why = `the Arc resource bridge '${r.name}' is ${p.provisioningState ?? 'not ready'}; its cluster answers once it is running`;
  else if (controlPlaneDown(services, r.id)) why = `the appliance VM of Arc resource bridge '${r.name}' is not running`;
  return {
    ...viewHead(s, 'appliance', r.id, r.location, why, secrets),
    name: r.name,
    vmOwner: r.id,
    site: s.internal.site as string | undefined,
    kubernetesVersion: '1.28.5',
    serviceCidr: '10.96.0.0/12',
    dnsServiceIP: '10.96.0.10',
    podCidr: '10.244.0.0/16',
    networkPlugin: 'calico',
    localAccounts: true,
    pools: [],
    targetKind: 'AzureStackHCI',
  };
}

/** The bearer tokens of a cluster's local accounts (the admin one derived from the cluster CA when not stored). */
export function localTokens(secrets: ClusterSecrets): { admin: string; user: string; monitoring: string } {
  const admin = (secrets as ClusterSecrets & { adminToken?: string }).adminToken ?? createHash('sha256').update(`clusterAdmin|${secrets.caKey}`).digest('hex');
  return { admin, user: secrets.userToken, monitoring: secrets.monitoringToken };
}

/** The task kind that runs `az aks command invoke`'s command line in a cluster (its result is the command's). */
export const RUN_COMMAND_TASK = 'kube.runCommand';

/** The API server URL of a cluster, on the emulator's own origin. */
export function kubeServerUrl(services: Services, key: string): string {
  const base = (services.config.publicUrl ?? `${services.config.tls ? 'https' : 'http'}://localhost:${services.config.port}`).replace(/\/+$/, '');
  return `${base}${KUBE_PREFIX}/${key}`;
}

/** What a kubeconfig of a cluster carries; undefined before it has credentials. */
export function clusterCredentials(services: Services, v: ClusterView | undefined, caPem: string | undefined) {
  if (!v?.secrets) return undefined;
  const t = localTokens(v.secrets);
  return { server: kubeServerUrl(services, v.key), caPem: services.config.tls ? caPem : undefined, adminToken: t.admin, userToken: t.user, monitoringToken: t.monitoring };
}

/** A cluster's key, server URL and serving state (undefined: no Kubernetes API behind the id). */
export function describeCluster(services: Services, v: ClusterView | undefined): { key: string; server: string; serving: boolean; why?: string } | undefined {
  return v ? { key: v.key, server: kubeServerUrl(services, v.key), serving: v.serving, why: v.why } : undefined;
}

/** `<cluster id>/namespaces/<name>` as a scope of Azure RBAC for Kubernetes: the cluster's stored resource, when `clusterOf` knows it. */
export function namespaceScopeOf(services: Services, scopeId: string, clusterOf: (armId: string) => ClusterView | undefined): StoredResource | undefined {
  const m = /^(.*)\/namespaces\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/i.exec(scopeId);
  if (!m || !clusterOf(m[1])) return undefined;
  return services.resources.get(m[1]);
}
