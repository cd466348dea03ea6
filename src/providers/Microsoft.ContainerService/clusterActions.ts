// The managedClusters actions: credentials (listCluster*Credential), start/stop, abort,
// rotateClusterCertificates and resetServicePrincipalProfile, and beyond those:
//   resetAADProfile                  (legacy AAD integration: the server/client app of the cluster)
//   rotateServiceAccountSigningKeys  (the keys that sign service account tokens, for workload identity)
// These two are long-running (202 + polling) with a short, time-scaled tail; neither touches the fabric.
// An Azure Stack Hub stamp has no Azure AD integration and an older AKS API: both are refused there.
// runCommand has a file of its own (runCommand.ts, with commandResults).

import { Errors } from '../../arm/errors.js';
import type { ActionOutcome, ArmResource, RequestContext, StoredResource } from '../../framework/types.js';
import type { OperationRecord } from '../../arm/asyncOperations.js';
import { assertCapabilities } from '../../kubernetes/capabilities.js';
import { kubeconfigResults } from '../../kubernetes/credentials.js';
import { refuseIfBusy, isStopped, settleTask, targetOfStored, type OpData } from './clusterCommon.js';
import type { ClusterSecrets, CredentialKind } from '../../kubernetes/kubeconfig.js';
import { startTasks, stopTasks } from './work.js';
import { isObj, NS } from './shape.js';
import { offeredAt } from './versions.js';

type ActionCtx = RequestContext & { existing: StoredResource };

/** The cluster with a transient state (and `props`), stored with an action's operation. */
function marked(ctx: ActionCtx, state: string, props: Record<string, any> = {}): ArmResource {
  const r = structuredClone(ctx.existing.resource);
  r.properties = { ...(r.properties ?? {}), ...props, provisioningState: state };
  return r;
}

export function credentials(kinds: CredentialKind[]) {
  return (ctx: ActionCtx) => {
    const s = ctx.existing;
    const props = s.resource.properties ?? {};
    if (kinds[0] === 'clusterAdmin' && props.disableLocalAccounts === true) {
      throw Errors.badRequest('Getting static credential is not allowed because this cluster is set to disable local accounts.');
    }
    const secrets = s.internal.secrets as ClusterSecrets | undefined;
    if (!secrets) throw Errors.operationNotAllowed(`The credentials of managed cluster '${s.resource.name}' are not ready yet.`);
    const asked = ctx.query['server-fqdn'] ?? ctx.query.serverFqdn;
    if (asked) {
      // The FQDN is the cluster's name in Azure; the kubeconfig always points at the emulator's API server of it.
      const allowed = [props.fqdn, props.privateFQDN, props.azurePortalFQDN].filter(Boolean).map((x: string) => x.toLowerCase());
      if (!allowed.includes(asked.toLowerCase())) throw Errors.invalidParameter(`The server FQDN '${asked}' is not one of the cluster's FQDNs (${allowed.join(', ')}).`, 'server-fqdn');
    }
    const format = ctx.query.format;
    if (format !== undefined && !['azure', 'exec'].includes(format.toLowerCase())) {
      throw Errors.invalidParameter(`The credential format '${format}' is invalid; use azure or exec.`, 'format');
    }
    const body = kubeconfigResults(ctx.services, s.resource.id, kinds, {
      clusterName: s.resource.name,
      resourceGroup: ctx.path.resourceGroup!,
      secrets,
      principal: ctx.principal,
      aad: !!props.aadProfile,
    });
    return { status: 200, body };
  };
}

export function powerAction(verb: 'stop' | 'start') {
  return (ctx: ActionCtx): ActionOutcome => {
    if (!offeredAt(`managedClusters/${verb}`, ctx.apiVersion)) throw Errors.actionNotFound(`managedClusters/${verb}`, NS, ctx.apiVersion);
    const s = ctx.existing;
    refuseIfBusy(ctx.services, s.resource.id, `${verb === 'stop' ? 'stopping' : 'starting'} the cluster`);
    const stopped = isStopped(s);
    if ((verb === 'stop' && stopped) || (verb === 'start' && !stopped)) return { status: 204 };
    const target = targetOfStored(ctx.services, s);
    const tasks = verb === 'stop' ? stopTasks(ctx.services, s.resource.id, target) : startTasks(ctx.services, s.resource.id, target);
    tasks.push(settleTask(tasks.map((t) => t.id)));
    const data: OpData = { verb, before: { powerState: s.resource.properties?.powerState } };
    return { resource: marked(ctx, verb === 'stop' ? 'Stopping' : 'Starting'), operation: { kind: 'action', action: verb, tasks, data: data as Record<string, unknown> } };
  };
}

export function rotate(ctx: ActionCtx): ActionOutcome {
  refuseIfBusy(ctx.services, ctx.existing.resource.id, 'rotating certificates');
  if (isStopped(ctx.existing)) throw Errors.operationNotAllowed(`Managed cluster '${ctx.existing.resource.name}' is stopped; start it before rotating its certificates.`);
  const data: OpData = { verb: 'rotate' };
  return {
    resource: marked(ctx, 'RotatingClusterCertificates'),
    operation: { kind: 'action', action: 'rotateClusterCertificates', tasks: [settleTask([], 10_000)], data: data as Record<string, unknown> },
  };
}

export function resetServicePrincipal(ctx: ActionCtx): ActionOutcome {
  const s = ctx.existing;
  const body = ctx.body;
  if (!isObj(body) || typeof body.clientId !== 'string' || body.clientId === '') {
    throw Errors.invalidParameter('The request body needs clientId (and secret) of the new service principal.', 'clientId');
  }
  if (typeof body.secret !== 'string' || body.secret === '') throw Errors.invalidParameter('The request body needs the secret of the service principal.', 'secret');
  if (s.resource.identity || s.resource.properties?.servicePrincipalProfile?.clientId === 'msi') {
    throw Errors.badRequest(`Managed cluster '${s.resource.name}' uses a managed identity; it has no service principal to reset.`);
  }
  refuseIfBusy(ctx.services, s.resource.id, 'resetting the service principal');
  const data: OpData = { verb: 'resetServicePrincipal', sp: { clientId: body.clientId, secret: body.secret } };
  return { resource: marked(ctx, 'Updating'), operation: { kind: 'action', action: 'resetServicePrincipalProfile', tasks: [settleTask([], 5_000)], data: data as Record<string, unknown> } };
}

export function abort(ctx: ActionCtx): ActionOutcome {
  if (!offeredAt('managedClusters/abort', ctx.apiVersion)) throw Errors.actionNotFound('managedClusters/abort', NS, ctx.apiVersion);
  const { services } = ctx;
  const s = ctx.existing;
  const candidates = [s, ...services.resources.listByParent(s.resource.id)];
  let found: { res: StoredResource; op: OperationRecord } | undefined;
  for (const c of candidates) {
    const op = c.operationId ? services.asyncOperations.get(c.operationId) : undefined;
    if (op && op.status === 'InProgress' && !op.cancelRequested) found = { res: c, op };
  }
  if (!found) throw Errors.operationNotAllowed(`There is no operation in progress on managed cluster '${s.resource.name}' to abort.`);
  if (found.op.kind === 'delete') throw Errors.operationNotAllowed(`The delete of managed cluster '${s.resource.name}' cannot be aborted.`);
  const canceling = structuredClone(found.res.resource);
  canceling.properties = { ...(canceling.properties ?? {}), provisioningState: 'Canceling' };
  const cancel = { operationId: found.op.id, message: `The ${found.op.kind === 'action' ? found.op.action : found.op.kind} operation was aborted by an abort request.` };
  if (found.res === s) return { status: 204, resource: canceling, cancel };
  return { status: 204, related: { put: [{ resource: canceling }] }, cancel };
}

export function resetAADProfile(ctx: ActionCtx): ActionOutcome {
  const s = ctx.existing;
  const doc = targetOfStored(ctx.services, s).doc;
  assertCapabilities(doc, [{ feature: 'azureAdRbac', value: true, target: 'properties.aadProfile' }]);
  const body = ctx.body;
  if (!isObj(body)) throw Errors.invalidParameter('The request body must be the AAD profile (serverAppID, serverAppSecret, clientAppID, tenantID).', 'aadProfile');
  const current = s.resource.properties?.aadProfile;
  if (!current) throw Errors.badRequest(`Managed cluster '${s.resource.name}' has no Azure AD integration to reset.`);
  if (current.managed === true) {
    throw Errors.badRequest(`Managed cluster '${s.resource.name}' uses AKS-managed Azure AD; resetAADProfile is for the legacy integration (update the managed profile with az aks update instead).`);
  }
  for (const k of ['serverAppID', 'clientAppID']) {
    if (typeof body[k] !== 'string' || body[k] === '') throw Errors.invalidParameter(`The AAD profile needs ${k}.`, k);
  }
  refuseIfBusy(ctx.services, s.resource.id, 'resetting the AAD profile');
  const aadProfile: Record<string, any> = { ...current, serverAppID: body.serverAppID, clientAppID: body.clientAppID, tenantID: body.tenantID ?? current.tenantID };
  delete aadProfile.serverAppSecret; // a secret is never shown
  return {
    resource: marked(ctx, 'Updating', { aadProfile }),
    operation: { kind: 'action', action: 'resetAADProfile', tasks: [settleTask([], 5_000)] },
  };
}

export function rotateServiceAccountSigningKeys(ctx: ActionCtx): ActionOutcome {
  if (!offeredAt('managedClusters/rotateServiceAccountSigningKeys', ctx.apiVersion)) throw Errors.actionNotFound('managedClusters/rotateServiceAccountSigningKeys', NS, ctx.apiVersion);
  const s = ctx.existing;
  if (targetOfStored(ctx.services, s).kind !== 'AzureRegion') {
    throw Errors.refused(
      'FeatureNotSupportedOnTarget',
      `${targetOfStored(ctx.services, s).doc.target.description} does not support rotating service account signing keys: its AKS API (2020-11-01) has no workload identity.`,
      'id',
    );
  }
  if (isStopped(s)) throw Errors.operationNotAllowed(`Managed cluster '${s.resource.name}' is stopped; start it before rotating its service account signing keys.`);
  refuseIfBusy(ctx.services, s.resource.id, 'rotating the service account signing keys');
  return {
    resource: marked(ctx, 'Updating'),
    operation: { kind: 'action', action: 'rotateServiceAccountSigningKeys', tasks: [settleTask([], 5_000)] },
  };
}
