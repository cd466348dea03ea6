// managedClusters: create and full update (scale, upgrade, add pools) as long-running operations
// carried out by the fabric, tags PATCH, delete, credentials, start/stop/abort, certificate rotation
// and service principal reset. Requests are checked against the target's capability document
// first, so an Azure Stack Hub stamp refuses what it cannot do, synchronously, naming the limit.
// Hooks are pure: they return the cluster, its agent pools (kept once, as child resources; the
// cluster's agentPoolProfiles are built from them when it is shown) and the plan; the core writes.
// The PUT is managedClusterPut.ts, the actions clusterActions.ts (runCommand: runCommand.ts).

import { Errors } from '../../arm/errors.js';
import type { Completion, ResourceTypeDefinition, Services, StoredResource } from '../../framework/types.js';
import type { OperationRecord } from '../../arm/asyncOperations.js';
import { clusterStatus, deleteTasks } from './work.js';
import { newClusterSecrets } from '../../kubernetes/kubeconfig.js';
import { clusterWire, nodeImageVersion, NS, poolsOf, type Profile } from './shape.js';
import { AKS_API_VERSIONS } from './versions.js';
import { runCommand } from './runCommand.js';
import { abort, credentials, powerAction, resetAADProfile, resetServicePrincipal, rotate, rotateServiceAccountSigningKeys } from './clusterActions.js';
import { applyFabricStatus, nodeGroupOf, nodeGroupSync, poolResource, refuseIfBusy, settleTask, targetOfStored, type OpData } from './clusterCommon.js';
import { assertFits } from './clusterCapabilities.js';
import { putCluster } from './managedClusterPut.js';

// ---- completion --------------------------------------------------------------------------------------------

async function clusterSucceeded(op: OperationRecord, stored: StoredResource | undefined, services: Services): Promise<Completion> {
  if (!stored) return { resource: undefined };
  // The node resource group goes with the cluster.
  if (op.kind === 'delete') return { resource: undefined, related: { delete: nodeGroupOf(services, stored) } };
  const data = (op.data ?? { verb: op.action ?? op.kind }) as OpData;
  const s: StoredResource = structuredClone(stored);
  delete s.operationId;
  const props = s.resource.properties!;
  const pools = poolsOf(services, s.resource.id);
  const kind = targetOfStored(services, s).kind;
  switch (data.verb) {
    case 'create':
    case 'update':
      if (data.version) props.currentKubernetesVersion = data.version;
      for (const p of pools) {
        const v = data.poolVersions?.[p.name];
        if (v && v !== p.currentOrchestratorVersion) {
          p.currentOrchestratorVersion = v;
          p.nodeImageVersion = nodeImageVersion(p.osType, p.osSKU, v, kind);
        }
      }
      break;
    case 'stop':
    case 'start': {
      const code = data.verb === 'stop' ? 'Stopped' : 'Running';
      props.powerState = { code };
      for (const p of pools) p.powerState = { code };
      break;
    }
    case 'rotate':
      s.internal.secrets = await newClusterSecrets(s.resource.name);
      break;
    case 'resetServicePrincipal':
      if (data.sp) {
        props.servicePrincipalProfile = { clientId: data.sp.clientId };
        s.internal.spSecret = data.sp.secret;
      }
      break;
    default:
      break;
  }
  applyFabricStatus(services, s.resource.id, props, pools);
  props.provisioningState = 'Succeeded';
  for (const p of pools) p.provisioningState = 'Succeeded';
  const infra = nodeGroupSync(services, s, pools);
  return { resource: s, related: { put: [...pools.map((p) => poolResource(s.resource.id, p)), ...infra.put], delete: infra.delete } };
}

function clusterFailed(op: OperationRecord, stored: StoredResource | undefined, _error: unknown, services: Services): Completion {
  if (!stored) return { resource: undefined };
  const data = (op.data ?? { verb: op.action ?? op.kind }) as OpData;
  const state = op.cancelRequested ? 'Canceled' : 'Failed';
  const s: StoredResource = structuredClone(stored);
  delete s.operationId;
  delete s.deleting;
  const props = s.resource.properties!;
  let pools = poolsOf(services, s.resource.id);
  const gone: string[] = [];
  if (data.verb === 'update' && data.before) {
    // The fabric undid its work: show the cluster as it is (previous pools, counts and versions), failed.
    const before = data.before;
    const beforePools = (before.agentPoolProfiles as Profile[]) ?? [];
    props.kubernetesVersion = before.kubernetesVersion;
    props.currentKubernetesVersion = before.currentKubernetesVersion;
    for (const p of pools) if (!beforePools.some((b) => b.name === p.name)) gone.push(`${s.resource.id}/agentPools/${p.name}`);
    pools = pools.filter((p) => beforePools.some((b) => b.name === p.name)).map((p) => structuredClone(beforePools.find((b) => b.name === p.name)!));
  }
  if ((data.verb === 'stop' || data.verb === 'start') && data.before?.powerState) {
    props.powerState = data.before.powerState;
    for (const p of pools) p.powerState = data.before.powerState;
  }
  // What is true after a failed create: no VMs run.
  if (data.verb === 'create' && (clusterStatus(services, s.resource.id)?.vms.length ?? 0) === 0 && services.fabric && targetOfStored(services, s).site) {
    props.powerState = { code: 'Stopped' };
    for (const p of pools) p.powerState = { code: 'Stopped' };
  }
  if (data.verb !== 'create') applyFabricStatus(services, s.resource.id, props, pools);
  props.provisioningState = state;
  for (const p of pools) p.provisioningState = state;
  const infra = nodeGroupSync(services, s, pools);
  return { resource: s, related: { put: [...pools.map((p) => poolResource(s.resource.id, p)), ...infra.put], delete: [...gone, ...infra.delete] } };
}

// ---- the definition ------------------------------------------------------------------------------------------

export const managedClusters: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters',
  scope: 'resourceGroup',
  tracked: true,
  locations: '*',
  apiVersions: AKS_API_VERSIONS,
  listBySubscription: true,
  schema: 'Microsoft.ContainerService/managedCluster.json',
  patch: 'tags',
  capabilities: 'CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SupportsTags, SupportsLocation',
  nameRule: {
    pattern: /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/,
    message: 'It must be 1-63 characters of letters, digits, underscores and hyphens, starting and ending with a letter or digit.',
  },
  providerOperations: [
    { name: 'managedClusters/read', operation: 'Get Managed Cluster', description: 'Gets a managed cluster.' },
    { name: 'managedClusters/write', operation: 'Create or Update Managed Cluster', description: 'Creates a new managed cluster or updates an existing one.' },
    { name: 'managedClusters/delete', operation: 'Delete Managed Cluster', description: 'Deletes a managed cluster.' },
    { name: 'managedClusters/start/action', operation: 'Start Managed Cluster', description: 'Starts a managed cluster.' },
    { name: 'managedClusters/stop/action', operation: 'Stop Managed Cluster', description: 'Stops a managed cluster.' },
    { name: 'managedClusters/abort/action', operation: 'Abort Operation', description: 'Aborts the latest operation on a managed cluster.' },
    { name: 'managedClusters/listClusterAdminCredential/action', operation: 'List clusterAdmin credential', description: 'Lists the clusterAdmin credential of a managed cluster.' },
    { name: 'managedClusters/listClusterUserCredential/action', operation: 'List clusterUser credential', description: 'Lists the clusterUser credential of a managed cluster.' },
    {
      name: 'managedClusters/listClusterMonitoringUserCredential/action',
      operation: 'List clusterMonitoringUser credential',
      description: 'Lists the clusterMonitoringUser credential of a managed cluster.',
    },
    { name: 'managedClusters/rotateClusterCertificates/action', operation: 'Rotate certificates', description: 'Rotates the certificates of a managed cluster.' },
    { name: 'managedClusters/resetServicePrincipalProfile/action', operation: 'Reset service principal profile', description: 'Resets the service principal of a managed cluster.' },
  ],

  onPut: putCluster,

  onPatch(ctx, candidate) {
    const body = ctx.body ?? {};
    const target = targetOfStored(ctx.services, ctx.existing);
    const others = Object.keys(body).filter((k) => k !== 'tags' && body[k] !== undefined && body[k] !== null);
    if (others.length && !target.doc.aksUpdate) {
      assertFits(target.doc, [{ feature: 'update', value: true, target: others[0] === 'properties' ? `properties.${Object.keys(body.properties ?? {})[0] ?? ''}`.replace(/\.$/, '') : others[0] }]);
    }
    if (others.length) {
      throw Errors.invalidParameter(`Only tags can be updated with PATCH on a managed cluster; the request also sets ${others.join(', ')}. Use a PUT (az aks update) for other changes.`, others[0]);
    }
    refuseIfBusy(ctx.services, ctx.existing.resource.id, 'updating tags');
    return { resource: candidate };
  },

  onDelete(ctx) {
    refuseIfBusy(ctx.services, ctx.existing.resource.id, 'deleting the cluster');
    const target = targetOfStored(ctx.services, ctx.existing);
    const tasks = deleteTasks(ctx.services, ctx.existing.resource.id, target);
    tasks.push(settleTask(tasks.map((t) => t.id)));
    const data: OpData = { verb: 'delete' };
    return { operation: { kind: 'delete', tasks, data: data as Record<string, unknown> } };
  },

  actions: {
    listClusterAdminCredential: credentials(['clusterAdmin']),
    listClusterUserCredential: credentials(['clusterUser']),
    listClusterMonitoringUserCredential: credentials(['clusterMonitoringUser']),
    start: powerAction('start'),
    stop: powerAction('stop'),
    abort,
    rotateClusterCertificates: rotate,
    resetServicePrincipalProfile: resetServicePrincipal,
    runCommand,
    resetAADProfile,
    rotateServiceAccountSigningKeys,
  },

  toWire: clusterWire,
  onOperationSucceeded: clusterSucceeded,
  onOperationFailed: clusterFailed,
};
