// The catalogue of Kubernetes cluster extension types the emulator can install (Arc cluster
// extensions): versions per release train, where each may be installed, and which ARM resource
// types a custom location gains when it names an installed extension of that type. Read by the
// KubernetesConfiguration, ExtendedLocation providers and the framework's extendedLocation check.

export interface EnabledType {
  resourceProviderNamespace: string;
  resourceType: string;
  apiVersion: string;
}

export interface ExtensionType {
  /** As the product spells it (matched case-insensitively). */
  name: string;
  description: string;
  /** Versions per release train, oldest first (the last one is what auto-upgrade picks). */
  releaseTrains: Record<string, string[]>;
  /** 'cluster' extensions install once per cluster; 'namespace' ones into a target namespace. */
  defaultScope: 'cluster' | 'namespace';
  defaultReleaseNamespace: string;
  /** Host kinds it can be installed on (lowercased 'namespace/type' keys). */
  hosts: string[];
  /** What a custom location naming an installed extension of this type can deploy. */
  enables: EnabledType[];
}

export const APPLIANCE_KEY = 'microsoft.resourceconnector/appliances';
export const CONNECTED_CLUSTER_KEY = 'microsoft.kubernetes/connectedclusters';
export const MANAGED_CLUSTER_KEY = 'microsoft.containerservice/managedclusters';
export const PROVISIONED_CLUSTER_KEY = 'microsoft.hybridcontainerservice/provisionedclusters';
const ANY_CLUSTER = [CONNECTED_CLUSTER_KEY, MANAGED_CLUSTER_KEY, PROVISIONED_CLUSTER_KEY];

const hybridAks = (t: string, v = '2024-01-01'): EnabledType => ({ resourceProviderNamespace: 'Microsoft.HybridContainerService', resourceType: t, apiVersion: v });
const hci = (t: string, v = '2024-01-01'): EnabledType => ({ resourceProviderNamespace: 'Microsoft.AzureStackHCI', resourceType: t, apiVersion: v });

export const EXTENSION_TYPES: ExtensionType[] = [
  {
    name: 'Microsoft.HybridAKSOperator',
    description: 'AKS hybrid cluster extension: provisions AKS hybrid clusters on the Arc resource bridge.',
    releaseTrains: { stable: ['0.4.5', '0.4.7', '0.4.9'], preview: ['0.5.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'hybridaks-operator',
    hosts: [APPLIANCE_KEY],
    enables: [
      hybridAks('provisionedClusters', '2022-09-01-preview'),
      hybridAks('provisionedClusterInstances'),
      hybridAks('virtualNetworks'),
      hybridAks('kubernetesVersions'),
      hybridAks('skus'),
    ],
  },
  {
    name: 'Microsoft.AZStackHCI.Operator',
    description: 'Azure Stack HCI VM operator: manages VMs, images and logical networks on the HCI site.',
    releaseTrains: { stable: ['1.6.2', '1.7.0', '1.8.1'], preview: ['1.9.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'azstackhci-operator',
    hosts: [APPLIANCE_KEY],
    enables: [
      hci('logicalNetworks'),
      hci('virtualNetworks', '2023-09-01-preview'),
      hci('virtualMachineInstances'),
      hci('networkInterfaces'),
      hci('virtualHardDisks'),
      hci('galleryImages'),
      hci('marketplaceGalleryImages'),
      hci('storageContainers'),
    ],
  },
  {
    name: 'microsoft.flux',
    description: 'GitOps with Flux v2.',
    releaseTrains: { stable: ['1.7.5', '1.8.2', '1.9.1'], preview: ['1.10.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'flux-system',
    hosts: ANY_CLUSTER,
    enables: [],
  },
  {
    name: 'microsoft.azuremonitor.containers',
    description: 'Container insights (Azure Monitor agent).',
    releaseTrains: { stable: ['3.1.15', '3.1.16', '3.1.18'], preview: ['3.1.19'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'azuremonitor-containers',
    hosts: ANY_CLUSTER,
    enables: [],
  },
  {
    name: 'microsoft.arcnetworking',
    description: 'Arc networking: MetalLB load balancers for AKS hybrid clusters.',
    releaseTrains: { stable: ['0.1.0', '0.1.1'], preview: ['0.2.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'kube-system',
    hosts: ANY_CLUSTER,
    enables: [],
  },
];

export function findExtensionType(name: string): ExtensionType | undefined {
  return EXTENSION_TYPES.find((t) => t.name.toLowerCase() === name.toLowerCase());
}

/** The extension types whose custom locations can deploy a resource type ('Namespace/type'). */
export function extensionsEnabling(resourceType: string): ExtensionType[] {
  const k = resourceType.toLowerCase();
  return EXTENSION_TYPES.filter((t) => t.enables.some((e) => `${e.resourceProviderNamespace}/${e.resourceType}`.toLowerCase() === k));
}
