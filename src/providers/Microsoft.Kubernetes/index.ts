// Microsoft.Kubernetes/connectedClusters: Arc-enabled Kubernetes clusters. An AKS hybrid cluster is
// a connected cluster of kind ProvisionedCluster with a provisionedClusterInstances/default on it
// (Microsoft.HybridContainerService); what the connected cluster reports (connectivity, node and
// core totals, Kubernetes version) follows that cluster's VMs on its HCI site. Deleting a connected
// cluster deletes its provisioned cluster instance and its extensions in one operation.

import { randomBytes, randomUUID } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { Services } from '../../framework/services.js';
import type { ArmResource, Completion, RelatedResource, ResourceProvider, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import type { TaskSpec } from '../../lro/types.js';
import { deletePlan } from '../../kubernetes/plans.js';
import { newClusterSecrets, type ClusterSecrets } from '../../kubernetes/kubeconfig.js';
import { kubeconfigResults } from '../../kubernetes/credentials.js';
import { KUBERNETES_AUDIENCES } from '../../identity/tokens.js';

export const NS = 'Microsoft.Kubernetes';
export const CONNECTED_CLUSTERS = typeKeyOf(NS, 'connectedClusters');
const INSTANCES = typeKeyOf('Microsoft.HybridContainerService', 'provisionedClusterInstances');
const STEP = 'kubernetes.connect';
const API_VERSIONS = ['2026-05-01', '2024-01-01', '2021-10-01', '2021-03-01', '2024-07-01-preview'];
const AGENT_VERSION = '1.18.3';
const NAME_RULE = { pattern: /^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/, message: 'Connected cluster names are 1-63 letters, digits, dashes, underscores and dots, starting and ending with a letter or digit.' };

const instanceOf = (services: Services, ccId: string): StoredResource | undefined =>
  services.resources.listByParent(ccId).find((r) => r.typeKey === INSTANCES);

function isProvisioned(r: ArmResource): boolean {
  return String(r.kind ?? '').toLowerCase() === 'provisionedcluster';
}

/** Connected / Connecting / Offline, following the cluster's site. */
function connectivity(services: Services, s: StoredResource): string {
  const inst = instanceOf(services, s.resource.id);
  const site = (inst?.internal.site ?? s.internal.site) as string | undefined;
  if (site && services.fabric?.hasSite(site) && !services.fabric.site(site).connected()) return 'Offline';
  if (!isProvisioned(s.resource)) return s.resource.properties?.provisioningState === 'Succeeded' ? 'Connected' : 'Connecting';
  if (!inst) return 'Connecting';
  // The agents run on the cluster: connected while its control plane runs (a failed scale does not
  // disconnect a running cluster; a cluster whose VMs are all down is Offline).
  const ps = inst.resource.properties?.provisioningState;
  if (!site || !services.fabric?.hasSite(site)) return ps === 'Creating' ? 'Connecting' : ps === 'Failed' ? 'Offline' : 'Connected';
  const up = services.fabric.ownerVms(inst.resource.id).some((v) => v.role === 'controlPlane' && v.state === 'Running');
  if (up) return 'Connected';
  return ps === 'Creating' ? 'Connecting' : 'Offline';
}

function toWire(s: StoredResource, apiVersion: string, services: Services): ArmResource {
  const r = structuredClone(s.resource);
  r.type = 'Microsoft.Kubernetes/connectedClusters';
  const p = (r.properties ??= {});
  if (s.deleting) p.provisioningState = 'Deleting';
  p.connectivityStatus = connectivity(services, s);
  const inst = instanceOf(services, s.resource.id);
  if (inst) {
    const st = services.fabric?.ownerStatus(inst.resource.id);
    const nodes = (st?.vms ?? []).filter((v) => (v.role === 'controlPlane' || v.role === 'worker') && v.state !== 'Deallocated');
    p.totalNodeCount = nodes.length;
    p.totalCoreCount = nodes.reduce((n, v) => n + v.cores, 0);
    p.kubernetesVersion = inst.resource.properties?.kubernetesVersion;
    if (p.connectivityStatus === 'Connected') p.lastConnectivityTime = new Date().toISOString();
  }
  if (apiVersion < '2024-01-01') {
    for (const k of ['aadProfile', 'arcAgentProfile', 'securityProfile', 'oidcIssuerProfile', 'azureHybridBenefit', 'distributionVersion', 'privateLinkState', 'privateLinkScopeResourceId']) delete p[k];
  }
  return r;
}

const settle = (s: StoredResource | undefined, state: string): Completion => {
  if (!s) return { resource: undefined };
  const c = structuredClone(s);
  c.resource.properties = { ...(c.resource.properties ?? {}), provisioningState: state };
  return { resource: c };
};

const connectedClusters: ResourceTypeDefinition = {
  namespace: NS,
  type: 'connectedClusters',
  scope: 'resourceGroup',
  tracked: true,
  locations: '*',
  apiVersions: API_VERSIONS,
  listBySubscription: true,
  nameRule: NAME_RULE,
  patch: 'merge',
  operations: [
    { name: 'Microsoft.Kubernetes/connectedClusters/read', operation: 'Read connectedClusters', description: 'Read connectedClusters' },
    { name: 'Microsoft.Kubernetes/connectedClusters/write', operation: 'Writes connectedClusters', description: 'Writes connectedClusters' },
    { name: 'Microsoft.Kubernetes/connectedClusters/delete', operation: 'Deletes connectedClusters', description: 'Deletes connectedClusters' },
    { name: 'Microsoft.Kubernetes/connectedClusters/listClusterUserCredential/action', operation: 'List clusterUser credential', description: 'List clusterUser credential' },
  ],
  async onPut(ctx, candidate) {
    const ex = ctx.existing;
    const id = candidate.identity;
    if (!id || typeof id !== 'object' || typeof id.type !== 'string') {
      throw Errors.invalid('InvalidIdentity', "A connected cluster needs 'identity': {\"type\": \"SystemAssigned\"} (the Arc agents authenticate to Azure with it).", 'identity');
    }
    const type = ['systemassigned', 'none'].includes(id.type.toLowerCase()) ? (id.type.toLowerCase() === 'none' ? 'None' : 'SystemAssigned') : undefined;
    if (!type) throw Errors.invalidParameter(`identity.type '${id.type}' is not one of SystemAssigned, None.`, 'identity.type');
    if (ex && String(ex.resource.kind ?? '').toLowerCase() !== String(candidate.kind ?? '').toLowerCase()) {
      throw Errors.propertyChangeNotAllowed('kind', String(ex.resource.kind ?? ''), 'kind', 'delete the connected cluster and create it again');
    }
    const p: Record<string, any> = { ...(candidate.properties ?? {}) };
    for (const k of ['connectivityStatus', 'totalNodeCount', 'totalCoreCount', 'agentVersion', 'lastConnectivityTime', 'managedIdentityCertificateExpirationTime']) delete p[k];
    const provisioned = isProvisioned(candidate);
    if (candidate.kind !== undefined && !provisioned) throw Errors.invalidParameter(`kind '${String(candidate.kind)}' is not supported; use 'ProvisionedCluster' for an AKS hybrid cluster, or leave kind out.`, 'kind');
    if (provisioned) candidate.kind = 'ProvisionedCluster';
    if (typeof p.agentPublicKeyCertificate !== 'string') {
      if (!provisioned) throw Errors.invalidParameter('properties.agentPublicKeyCertificate is required: the base64 public key of the cluster\'s Arc agent.', 'properties.agentPublicKeyCertificate');
      p.agentPublicKeyCertificate = '';
    }
    if (provisioned) {
      p.distribution = p.distribution ?? 'AKS';
      p.infrastructure = p.infrastructure ?? 'azure_stack_hci';
    }
    p.agentVersion = provisioned ? undefined : AGENT_VERSION;
    if (p.agentVersion === undefined) delete p.agentVersion;
    p.azureHybridBenefit = p.azureHybridBenefit ?? 'NotApplicable';
    p.provisioningState = ex ? 'Updating' : 'Accepted';
    const identity = type === 'None' ? { type } : { type, principalId: ex?.resource.identity?.principalId ?? randomUUID(), tenantId: ctx.principal.tenantId || ctx.services.config.tenantId };
    const internal = { ...(ex?.internal ?? {}) };
    if (!internal.secrets) internal.secrets = await newClusterSecrets(ctx.path.names[0]);
    return {
      resource: { ...candidate, identity, properties: p },
      internal,
      operation: { kind: ex ? 'update' : 'create', tasks: [{ id: 'connect', kind: STEP, params: {}, durationMs: ex ? 500 : 5_000 }] },
    };
  },
  onDelete(ctx) {
    const { services } = ctx;
    const s = ctx.existing;
    const inst = instanceOf(services, s.resource.id);
    const tasks: TaskSpec[] = [];
    const related: RelatedResource[] = [];
    if (inst) {
      const running = inst.operationId ? services.operations.get(inst.operationId) : undefined;
      if (running && running.status === 'InProgress' && running.kind !== 'delete') {
        throw Errors.operationNotAllowed(`The AKS hybrid cluster on '${s.resource.name}' has a ${running.kind} operation in progress; wait for it to finish before deleting the connected cluster.`);
      }
      const site = inst.internal.site as string | undefined;
      if (site && services.fabric?.hasSite(site)) {
        tasks.push(...deletePlan({ owner: inst.resource.id, site, current: services.fabric.ownerVms(inst.resource.id) }).map((t) => ({ ...t, id: `instance/${t.id}`, dependsOn: t.dependsOn?.map((d) => `instance/${d}`) })));
      }
      related.push({ resource: { ...inst.resource, properties: { ...inst.resource.properties, provisioningState: 'Deleting' } }, internal: inst.internal, busy: true });
    }
    const site = (inst?.internal.site ?? s.internal.site) as string | undefined;
    if (site && services.fabric?.hasSite(site)) {
      // Packages of the cluster's extensions go with it.
      tasks.push({ id: 'extensions', kind: 'fabric.deleteOwner', params: { site, owner: s.resource.id }, dependsOn: tasks.map((t) => t.id), durationMs: 1_000 });
    }
    if (tasks.length === 0) tasks.push({ id: 'connect', kind: STEP, params: {}, durationMs: 1_000 });
    return { operation: { kind: 'delete', tasks }, related: { put: related } };
  },
  actions: {
    listClusterUserCredential(ctx) {
      const s = ctx.existing;
      const method = String(ctx.body?.authenticationMethod ?? 'Token');
      if (!['token', 'aad'].includes(method.toLowerCase())) throw Errors.invalidParameter(`authenticationMethod '${method}' is not one of Token, AAD.`, 'authenticationMethod');
      const inst = instanceOf(ctx.services, s.resource.id);
      const secrets = (inst?.internal.secrets ?? s.internal.secrets) as ClusterSecrets;
      // Through the cluster connect proxy (clientProxy) or directly: either way the cluster's API on the emulator's origin.
      const aad = method.toLowerCase() === 'aad';
      const results = kubeconfigResults(ctx.services, inst?.resource.id ?? s.resource.id, ['clusterUser'], {
        clusterName: s.resource.name,
        resourceGroup: s.resource.id.split('/')[4] ?? '',
        secrets,
        principal: ctx.principal,
        aad,
        audience: inst ? undefined : KUBERNETES_AUDIENCES[1],
      });
      const value = results.kubeconfigs[0].value;
      return {
        status: 200,
        body: {
          hybridConnectionConfig: { expirationTime: Date.now() + 3 * 3600 * 1000, hybridConnectionName: `cc-${s.resource.name}`, relay: 'azgnrelay-eastus-l1.servicebus.windows.net', token: randomBytes(24).toString('base64') },
          kubeconfigs: [{ name: 'credentialForClusterClient', value }],
        },
      };
    },
  },
  toWire,
  onOperationSucceeded(op, stored) {
    if (op.kind === 'delete') return { resource: undefined };
    return settle(stored, 'Succeeded');
  },
  onOperationFailed(op, stored, error, services) {
    const out = settle(stored, op.cancelRequested ? 'Canceled' : 'Failed');
    const inst = stored && op.kind === 'delete' ? instanceOf(services, stored.resource.id) : undefined;
    if (inst) {
      const p = { ...inst.resource.properties, provisioningState: 'Failed', status: { ...(inst.resource.properties?.status ?? {}), currentState: 'Failed', errorMessage: error.message } };
      out.related = { put: [{ resource: { ...inst.resource, properties: p }, internal: inst.internal }] };
    }
    return out;
  },
};

export const kubernetesProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [connectedClusters],
  init(services) {
    services.operations.registerTaskKind(STEP, { run: () => undefined });
  },
};
