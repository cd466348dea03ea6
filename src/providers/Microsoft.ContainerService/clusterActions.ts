// Cluster actions of the stable spec beyond power, credentials and certificates:
//   resetAADProfile                  (legacy AAD integration: the server/client app of the cluster)
//   rotateServiceAccountSigningKeys  (the keys that sign service account tokens, for workload identity)
// Both are long-running (202 + polling) with a short, time-scaled tail; neither touches the fabric.
// An Azure Stack Hub stamp has no Azure AD integration and an older AKS API: both are refused there.

import { Errors } from '../../arm/errors.js';
import type { ActionOutcome, RequestContext, StoredResource } from '../../framework/types.js';
import { assertCapabilities } from '../../kubernetes/capabilities.js';
import { refuseIfBusy, isStopped, settleTask, targetOfStored } from './clusterCommon.js';
import { isObj, NS } from './shape.js';
import { offeredAt } from './versions.js';

type ActionCtx = RequestContext & { existing: StoredResource };

function marked(ctx: ActionCtx, state: string, props: Record<string, any> = {}) {
  const r = structuredClone(ctx.existing.resource);
  r.properties = { ...(r.properties ?? {}), ...props, provisioningState: state };
  return r;
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
    throw Errors.refused('FeatureNotSupportedOnTarget', `${targetOfStored(ctx.services, s).doc.target.description} does not support rotating service account signing keys: its AKS API (2020-11-01) has no workload identity.`, 'id');
  }
  if (isStopped(s)) throw Errors.operationNotAllowed(`Managed cluster '${s.resource.name}' is stopped; start it before rotating its service account signing keys.`);
  refuseIfBusy(ctx.services, s.resource.id, 'rotating the service account signing keys');
  return {
    resource: marked(ctx, 'Updating'),
    operation: { kind: 'action', action: 'rotateServiceAccountSigningKeys', tasks: [settleTask([], 5_000)] },
  };
}
