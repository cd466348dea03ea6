// Microsoft.Kubernetes/connectedClusters: Arc-enabled Kubernetes clusters, onboarded as `az
// connectedk8s connect` does: the resource is registered, the Arc agents are installed, and they report
// in (agent.ts: Connecting -> Connected, then Offline / Expired when the cluster cannot reach Azure).
// An AKS hybrid cluster is a connected cluster of kind ProvisionedCluster with a
// provisionedClusterInstances/default on it (Microsoft.HybridContainerService); any other connected
// cluster is a cluster the emulator hosts on the site its infrastructure names (hosting.ts). What the
// resource reports (versions, node and core totals, connectivity) is what its agents see of those VMs.
// Deleting a connected cluster deletes its cluster, its provisioned cluster instance and its extensions
// in one operation.

import { randomBytes, randomUUID } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, Completion, RelatedResource, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import { deletePlan } from '../../kubernetes/plans.js';
import { newClusterSecrets, type ClusterSecrets } from '../../kubernetes/kubeconfig.js';
import { kubeconfigResults } from '../../kubernetes/credentials.js';
import { KUBERNETES_AUDIENCES } from '../../identity/tokens.js';
import { atApiVersion } from '../versionShapes.js';
import { AGENT_MS } from './agent.js';
import { agentReport, hostedClusterPlan, hostingSite, instanceOf, isProvisioned } from './hosting.js';
import { trackedType } from '../typeParts.js';

export const NS = 'Microsoft.Kubernetes';
export const CONNECTED_CLUSTERS = typeKeyOf(NS, 'connectedClusters');
export const STEP = 'kubernetes.connect';
const TYPE = 'Microsoft.Kubernetes/connectedClusters';
const API_VERSIONS = ['2026-05-01', '2024-01-01', '2021-10-01', '2021-03-01', '2024-07-01-preview'];
const NAME_RULE = {
  pattern: /^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/,
  message: 'Connected cluster names are 1-63 letters, digits, dashes, underscores and dots, starting and ending with a letter or digit.',
};
/** Properties the agents (not the user) set: a PUT's values for them are ignored. */
const REPORTED = [
  'connectivityStatus',
  'totalNodeCount',
  'totalCoreCount',
  'agentVersion',
  'kubernetesVersion',
  'lastConnectivityTime',
  'managedIdentityCertificateExpirationTime',
  'offering',
  'miscellaneousProperties',
];

function toWire(s: StoredResource, apiVersion: string, services: Services): ArmResource {
  const r = structuredClone(s.resource);
  r.type = 'Microsoft.Kubernetes/connectedClusters';
  const p = (r.properties ??= {});
  if (s.deleting) p.provisioningState = 'Deleting';
  const a = agentReport(services, s);
  p.connectivityStatus = a.connectivityStatus;
  if (a.lastConnectivityTime) p.lastConnectivityTime = a.lastConnectivityTime;
  if (a.managedIdentityCertificateExpirationTime) p.managedIdentityCertificateExpirationTime = a.managedIdentityCertificateExpirationTime;
  if (a.reported) {
    p.agentVersion = a.agentVersion;
    if (a.kubernetesVersion) p.kubernetesVersion = a.kubernetesVersion;
    p.totalNodeCount = a.totalNodeCount;
    p.totalCoreCount = a.totalCoreCount;
    if (p.infrastructure === undefined && a.infrastructure) p.infrastructure = a.infrastructure;
    if (p.distribution === undefined) p.distribution = 'generic';
    // what the service keeps of the onboarding (the create's correlation id), as a string map
    if (typeof s.internal.createCorrelationId === 'string') p.miscellaneousProperties = { createCorrelationId: s.internal.createCorrelationId };
  }
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
  // kind exists from 2024-01-01 on; each version shows only what its model has
  return atApiVersion(TYPE, apiVersion, r);
}

const settle = (s: StoredResource | undefined, state: string, internal: Record<string, unknown> = {}): Completion => {
  if (!s) return { resource: undefined };
  const c = structuredClone(s);
  c.resource.properties = { ...(c.resource.properties ?? {}), provisioningState: state };
  c.internal = { ...c.internal, ...internal };
  return { resource: c };
};

export const connectedClusters: ResourceTypeDefinition = {
  ...trackedType(NS, 'connectedClusters', API_VERSIONS),
  nameRule: NAME_RULE,
  patch: 'merge',
  providerOperations: [
    { name: 'Microsoft.Kubernetes/connectedClusters/read', operation: 'Read connectedClusters', description: 'Read connectedClusters' },
    { name: 'Microsoft.Kubernetes/connectedClusters/write', operation: 'Writes connectedClusters', description: 'Writes connectedClusters' },
    { name: 'Microsoft.Kubernetes/connectedClusters/delete', operation: 'Deletes connectedClusters', description: 'Deletes connectedClusters' },
    { name: 'Microsoft.Kubernetes/connectedClusters/listClusterUserCredential/action', operation: 'List clusterUser credential', description: 'List clusterUser credential' },
  ],
  async onPut(ctx, candidate) {
    const ex = ctx.existing;
    const id = candidate.identity;
    if (!id || typeof id !== 'object' || typeof id.type !== 'string') {
      throw Errors.invalid('InvalidIdentity', 'A connected cluster needs \'identity\': {"type": "SystemAssigned"} (the Arc agents authenticate to Azure with it).', 'identity');
    }
    const type = ['systemassigned', 'none'].includes(id.type.toLowerCase()) ? (id.type.toLowerCase() === 'none' ? 'None' : 'SystemAssigned') : undefined;
    if (!type) throw Errors.invalidParameter(`identity.type '${id.type}' is not one of SystemAssigned, None.`, 'identity.type');
    // Versions before 2024-01-01 have no kind: a PUT through them keeps what the cluster is.
    if (ctx.apiVersion < '2024-01-01') {
      if (ex?.resource.kind !== undefined) candidate.kind = ex.resource.kind;
      else delete candidate.kind;
    }
    if (ex && String(ex.resource.kind ?? '').toLowerCase() !== String(candidate.kind ?? '').toLowerCase()) {
      throw Errors.propertyChangeNotAllowed('kind', String(ex.resource.kind ?? ''), 'kind', 'delete the connected cluster and create it again');
    }
    const p: Record<string, any> = { ...(candidate.properties ?? {}) };
    for (const k of REPORTED) delete p[k];
    const provisioned = isProvisioned(candidate);
    if (candidate.kind !== undefined && !provisioned)
      throw Errors.invalidParameter(`kind '${String(candidate.kind)}' is not supported; use 'ProvisionedCluster' for an AKS hybrid cluster, or leave kind out.`, 'kind');
    if (provisioned) candidate.kind = 'ProvisionedCluster';
    if (typeof p.agentPublicKeyCertificate !== 'string') {
      if (!provisioned) throw Errors.invalidParameter("properties.agentPublicKeyCertificate is required: the base64 public key of the cluster's Arc agent.", 'properties.agentPublicKeyCertificate');
      p.agentPublicKeyCertificate = '';
    }
    for (const k of ['distribution', 'infrastructure', 'distributionVersion']) {
      if (p[k] !== undefined && p[k] !== null && typeof p[k] !== 'string') throw Errors.invalidParameter(`properties.${k} must be a string.`, `properties.${k}`);
    }
    if (provisioned) {
      p.distribution = p.distribution ?? 'AKS';
      p.infrastructure = p.infrastructure ?? 'azure_stack_hci';
    }
    if (ctx.apiVersion >= '2024-01-01') {
      p.azureHybridBenefit = p.azureHybridBenefit ?? ex?.resource.properties?.azureHybridBenefit ?? 'NotApplicable';
      p.privateLinkState = p.privateLinkState ?? ex?.resource.properties?.privateLinkState ?? 'Disabled';
      p.arcAgentProfile = { agentAutoUpgrade: 'Enabled', ...(ex?.resource.properties?.arcAgentProfile ?? {}), ...(p.arcAgentProfile ?? {}) };
    }
    p.provisioningState = ex ? 'Updating' : 'Accepted';
    const identity = type === 'None' ? { type } : { type, principalId: ex?.resource.identity?.principalId ?? randomUUID(), tenantId: ctx.principal.tenantId || ctx.services.config.tenantId };
    const internal: Record<string, any> = { ...(ex?.internal ?? {}) };
    if (!internal.secrets) internal.secrets = await newClusterSecrets(ctx.path.names[0]);
    if (!ex) internal.createCorrelationId = ctx.headers['x-ms-correlation-request-id'] ?? randomUUID();
    const tasks: TaskSpec[] = [];
    if (!provisioned && !ex) {
      // The cluster behind it (its VMs on the site its infrastructure names), then the agents.
      const site = hostingSite(ctx.services, p.infrastructure, String(candidate.location ?? ''));
      if (site) {
        const plan = hostedClusterPlan(ctx.path.id, site);
        tasks.push(...plan.tasks);
        internal.site = site.name;
        internal.kubernetesVersion = plan.kubernetesVersion;
      }
    } else if (
      !provisioned &&
      ex &&
      p.infrastructure !== undefined &&
      ex.resource.properties?.infrastructure !== undefined &&
      String(p.infrastructure).toLowerCase() !== String(ex.resource.properties.infrastructure).toLowerCase()
    ) {
      throw Errors.propertyChangeNotAllowed(
        'infrastructure',
        String(ex.resource.properties.infrastructure),
        'properties.infrastructure',
        'the cluster cannot move; delete the connected cluster and connect it again',
      );
    }
    tasks.push({ id: 'connect', kind: STEP, params: {}, dependsOn: tasks.map((t) => t.id), durationMs: ex ? 500 : provisioned ? 5_000 : AGENT_MS.install });
    return {
      resource: { ...candidate, identity, properties: p },
      internal,
      operation: { kind: ex ? 'update' : 'create', tasks },
    };
  },
  onDelete(ctx) {
    const { services } = ctx;
    const s = ctx.existing;
    const inst = instanceOf(services, s.resource.id);
    const tasks: TaskSpec[] = [];
    const related: RelatedResource[] = [];
    if (inst) {
      const running = inst.operationId ? services.asyncOperations.get(inst.operationId) : undefined;
      if (running && running.status === 'InProgress' && running.kind !== 'delete') {
        throw Errors.operationNotAllowed(`The AKS hybrid cluster on '${s.resource.name}' has a ${running.kind} operation in progress; wait for it to finish before deleting the connected cluster.`);
      }
      const site = inst.internal.site as string | undefined;
      if (site && services.fabric?.hasSite(site)) {
        tasks.push(
          ...deletePlan({ owner: inst.resource.id, site, current: services.fabric.ownerVms(inst.resource.id) }).map((t) => ({
            ...t,
            id: `instance/${t.id}`,
            dependsOn: t.dependsOn?.map((d) => `instance/${d}`),
          })),
        );
      }
      related.push({ resource: { ...inst.resource, properties: { ...inst.resource.properties, provisioningState: 'Deleting' } }, internal: inst.internal, busy: true });
    }
    const site = (inst?.internal.site ?? s.internal.site) as string | undefined;
    if (site && services.fabric?.hasSite(site)) {
      // The cluster the emulator hosts for it goes, with the packages of its extensions (the sweep).
      if (!isProvisioned(s.resource)) tasks.push(...deletePlan({ owner: s.resource.id, site, current: services.fabric.ownerVms(s.resource.id) }));
      else tasks.push({ id: 'extensions', kind: 'fabric.deleteOwner', params: { site, owner: s.resource.id }, dependsOn: tasks.map((t) => t.id), durationMs: 1_000 });
    }
    if (tasks.length === 0) tasks.push({ id: 'connect', kind: STEP, params: {}, durationMs: 1_000 });
    return { operation: { kind: 'delete', tasks }, related: { put: related } };
  },
  actions: {
    listClusterUserCredential(ctx) {
      // from 2021-10-01 (2021-03-01 has no credential action)
      if (ctx.apiVersion < '2021-10-01') throw Errors.actionNotFound('connectedClusters/listClusterUserCredential', NS, ctx.apiVersion);
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
          hybridConnectionConfig: {
            expirationTime: Date.now() + 3 * 3600 * 1000,
            hybridConnectionName: `cc-${s.resource.name}`,
            relay: 'azgnrelay-eastus-l1.servicebus.windows.net',
            token: randomBytes(24).toString('base64'),
          },
          kubeconfigs: [{ name: 'credentialForClusterClient', value }],
        },
      };
    },
  },
  toWire,
  onOperationSucceeded(op, stored) {
    if (op.kind === 'delete') return { resource: undefined };
    // The agents are installed: they report in a little later (agent.ts).
    return settle(stored, 'Succeeded', stored?.internal.agentInstalledAt ? {} : { agentInstalledAt: new Date().toISOString() });
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
