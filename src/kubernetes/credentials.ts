// The kubeconfigs the Kubernetes providers hand out (AKS user/admin/monitoring credentials, AKS hybrid's
// admin and user kubeconfigs, a connected cluster's and the Arc bridge's): each points at the cluster's
// Kubernetes API on the emulator's own origin, trusts the emulator's certificate and carries a credential
// that API checks: the cluster's local account tokens, or for an Azure AD cluster a token of the caller
// (issued by the emulator, as kubelogin would get one).

import { Errors } from '../arm/errors.js';
import type { Services } from '../framework/types.js';
import type { Principal } from '../framework/types.js';
import { credentialResults, type ClusterSecrets, type CredentialKind, type KubeconfigInput } from './kubeconfig.js';

export interface KubeconfigRequest {
  clusterName: string;
  resourceGroup: string;
  secrets: ClusterSecrets;
  /** The caller (its token goes into an Azure AD user kubeconfig). */
  principal?: Principal;
  /** The user credential is an Azure AD one. */
  aad?: boolean;
  /** The Azure AD application of the API (AKS's by default; Arc's for connected clusters). */
  audience?: string;
}

/** Kubeconfig inputs for the cluster an ARM id names. */
export function kubeconfigInputs(services: Services, armId: string, kinds: CredentialKind[], r: KubeconfigRequest): KubeconfigInput[] {
  const kube = services.kube;
  const creds = kube?.credentials(armId);
  if (!kube || !creds) throw Errors.operationNotAllowed(`The Kubernetes API of '${armId.split('/').pop()}' is not ready yet; ask for its credentials once it has been created.`);
  return kinds.map((kind) => {
    let token: string;
    if (kind === 'clusterAdmin') token = creds.adminToken;
    else if (kind === 'clusterMonitoringUser') token = creds.monitoringToken;
    else if (r.aad) {
      if (!r.principal || !r.principal.clientId) throw Errors.badRequest('An Azure AD cluster credential is issued to the caller; this request names no caller.');
      try {
        token = kube.userToken(r.principal, r.audience);
      } catch (e) {
        throw Errors.badRequest(`An Azure AD cluster credential could not be issued to '${r.principal.clientId}': ${(e as Error).message}`);
      }
    } else token = creds.userToken;
    return { kind, clusterName: r.clusterName, resourceGroup: r.resourceGroup, server: creds.server, caPem: creds.caPem, secrets: r.secrets, token };
  });
}

export function kubeconfigResults(services: Services, armId: string, kinds: CredentialKind[], r: KubeconfigRequest): { kubeconfigs: { name: string; value: string }[] } {
  return credentialResults(kubeconfigInputs(services, armId, kinds, r));
}
