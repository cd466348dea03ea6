// Which cluster operations beyond create/scale/upgrade/delete a target offers. An Azure region offers
// every one; an Azure Stack Hub stamp runs an older AKS resource provider (its AKS API is
// 2020-11-01: "Azure Stack Hub AKS will fall behind Azure in the versions supported for Kubernetes and
// AKS API") with a single node pool ("No multiple node-pool support. The node pool commands are not
// available."), so it refuses these up front, naming the limit, the way capabilities.ts refuses
// features. Kept beside the capability document, read by the Kubernetes providers.

import { capabilityError } from './capabilities.js';
import type { CapabilityDocument } from './capabilities.js';

/** Operations a target may not offer, with what they are called in a refusal. */
export const CLUSTER_OPERATIONS = {
  maintenanceConfigurations: 'planned maintenance configurations (az aks maintenanceconfiguration)',
  snapshots: 'node pool snapshots (az aks nodepool snapshot)',
  runCommand: 'run command (az aks command invoke)',
  upgradeNodeImageVersion: 'node image upgrades (az aks nodepool upgrade --node-image-only)',
  deleteMachines: 'deleting specific machines of a node pool (az aks nodepool delete-machines)',
  poolAbort: 'aborting a node pool operation (az aks nodepool operation-abort)',
  availableAgentPoolVersions: 'node pool version lists (az aks nodepool get-upgrades)',
  trustedAccess: 'trusted access roles (az aks trustedaccess)',
  meshProfiles: 'the Istio service mesh add-on (az aks mesh)',
  privateEndpointConnections: 'private endpoint connections (they need private clusters)',
} as const;

export type ClusterOperation = keyof typeof CLUSTER_OPERATIONS;

/** Why an Azure Stack Hub stamp does not offer an operation (undefined: it does). */
const HUB_LIMITS: Partial<Record<ClusterOperation, string>> = {
  maintenanceConfigurations: "the stamp's AKS API is 2020-11-01, which has no maintenance configurations (they came with 2020-12-01)",
  snapshots: "the stamp's AKS API is 2020-11-01, which has no snapshots (they came with 2021-08-01)",
  runCommand: "the stamp's AKS API is 2020-11-01, which has no run command (it came with 2021-03-01); use kubectl with az aks get-credentials instead",
  upgradeNodeImageVersion: 'node images are serviced by the stamp operator with AKS engine updates, and node pool commands are not available; use az aks upgrade instead',
  deleteMachines: 'node pool commands are not available (no multiple node-pool support); scale the cluster with az aks scale instead',
  poolAbort: 'node pool commands are not available (no multiple node-pool support)',
  availableAgentPoolVersions: 'node pool commands are not available (no multiple node-pool support); use az aks get-upgrades instead',
  trustedAccess: "the stamp's AKS API is 2020-11-01, which has no trusted access",
  meshProfiles: "the stamp's AKS API is 2020-11-01, which has no service mesh add-on",
  privateEndpointConnections: 'private clusters are not available on Azure Stack Hub',
};

/** Why the target does not offer the operation, or undefined when it does. */
export function operationLimit(doc: CapabilityDocument, op: ClusterOperation): string | undefined {
  if (doc.target.kind === 'AzureRegion') return undefined;
  if (doc.target.kind === 'AzureStackHub') return HUB_LIMITS[op];
  // Azure Stack HCI sites run AKS hybrid, which has its own provider; nothing of this is offered there.
  return 'AKS hybrid on Azure Stack HCI has its own resource provider (Microsoft.HybridContainerService)';
}

/** Refuses (400 FeatureNotSupportedOnTarget, synchronously) an operation the target does not offer. */
export function assertOperationOffered(doc: CapabilityDocument, op: ClusterOperation, target = 'id'): void {
  const why = operationLimit(doc, op);
  if (!why) return;
  throw capabilityError([{ code: 'FeatureNotSupportedOnTarget', message: `${doc.target.description} does not support ${CLUSTER_OPERATIONS[op]}: ${why}.`, target }]);
}
