// The catalogue of Kubernetes cluster extension types the emulator can install (Arc cluster
// extensions): versions per release train, where each may be installed, and which ARM resource
// types a custom location gains when it names an installed extension of that type. Read by the
// KubernetesConfiguration, ExtendedLocation providers and the framework's extendedLocation check.

export interface EnabledType {
  resourceProviderNamespace: string;
  resourceType: string;
  apiVersion: string;
}

/** How a known configuration setting's value is checked (values are strings on the wire). */
export type SettingKind = 'boolean' | 'integer' | 'duration' | 'resourceId' | 'guid' | 'string';

export interface SettingSpec {
  kind: SettingKind;
  /** For resourceId settings: the ARM type the id must name ('Microsoft.OperationalInsights/workspaces'). */
  resourceType?: string;
  /** Allowed values, where the chart takes only some. */
  values?: string[];
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
  /** Only on connected clusters of this kind (AKS hybrid: 'ProvisionedCluster'). */
  connectedClusterKind?: string;
  /** What a custom location naming an installed extension of this type can deploy. */
  enables: EnabledType[];
  /** The chart's settings the service knows (checked); any other key is passed to the chart as is. */
  settings?: Record<string, SettingSpec>;
  /** Extension types that must be installed on the cluster first. */
  requires?: string[];
  /** At most one extension of this type per cluster (the cluster-scoped charts of a product). */
  singleton?: boolean;
  /** The Kubernetes objects its release makes in its namespace (what shows in a cluster's API). */
  deployments?: string[];
  /** Its DaemonSets (a pod on every node). */
  daemonSets?: string[];
}

export const APPLIANCE_KEY = 'microsoft.resourceconnector/appliances';
export const CONNECTED_CLUSTER_KEY = 'microsoft.kubernetes/connectedclusters';
export const MANAGED_CLUSTER_KEY = 'microsoft.containerservice/managedclusters';
export const PROVISIONED_CLUSTER_KEY = 'microsoft.hybridcontainerservice/provisionedclusters';
const ANY_CLUSTER = [CONNECTED_CLUSTER_KEY, MANAGED_CLUSTER_KEY, PROVISIONED_CLUSTER_KEY];
/** Arc-enabled clusters (connected, AKS hybrid): the Arc-only extensions. */
const ARC_CLUSTER = [CONNECTED_CLUSTER_KEY, PROVISIONED_CLUSTER_KEY];

const hybridAks = (t: string, v = '2024-01-01'): EnabledType => ({ resourceProviderNamespace: 'Microsoft.HybridContainerService', resourceType: t, apiVersion: v });
const hci = (t: string, v = '2024-01-01'): EnabledType => ({ resourceProviderNamespace: 'Microsoft.AzureStackHCI', resourceType: t, apiVersion: v });
const bool: SettingSpec = { kind: 'boolean' };
const workspace: SettingSpec = { kind: 'resourceId', resourceType: 'Microsoft.OperationalInsights/workspaces' };

export const EXTENSION_TYPES: ExtensionType[] = [
  {
    name: 'Microsoft.HybridAKSOperator',
    description: 'AKS hybrid cluster extension: provisions AKS hybrid clusters on the Arc resource bridge.',
    releaseTrains: { stable: ['0.4.5', '0.4.7', '0.4.9'], preview: ['0.5.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'hybridaks-operator',
    hosts: [APPLIANCE_KEY],
    enables: [hybridAks('provisionedClusters', '2022-09-01-preview'), hybridAks('provisionedClusterInstances'), hybridAks('virtualNetworks'), hybridAks('kubernetesVersions'), hybridAks('skus')],
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
    description: 'GitOps with Flux v2: the Flux controllers fluxConfigurations reconcile with.',
    releaseTrains: { stable: ['1.12.4', '1.13.3', '1.14.2'], preview: ['1.15.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'flux-system',
    hosts: ANY_CLUSTER,
    enables: [],
    singleton: true,
    settings: {
      'multiTenancy.enforce': bool,
      'helm-controller.enabled': bool,
      'source-controller.enabled': bool,
      'kustomize-controller.enabled': bool,
      'notification-controller.enabled': bool,
      'image-automation-controller.enabled': bool,
      'image-reflector-controller.enabled': bool,
      useKubeletIdentity: bool,
      'workloadIdentity.enable': bool,
      'workloadIdentity.azureClientId': { kind: 'guid' },
    },
    deployments: ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller', 'fluxconfig-agent', 'fluxconfig-controller'],
  },
  {
    name: 'microsoft.azuremonitor.containers',
    description: 'Azure Monitor Container insights: the Azure Monitor agent collecting logs and metrics.',
    releaseTrains: { stable: ['3.1.24', '3.1.26', '3.1.28'], preview: ['3.1.29'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'kube-system',
    hosts: ANY_CLUSTER,
    enables: [],
    singleton: true,
    settings: { logAnalyticsWorkspaceResourceID: workspace, 'omsagent.domain': { kind: 'string' }, 'amalogs.useAADAuth': bool, 'amalogs.enableHighLogScaleMode': bool },
    deployments: ['ama-logs-rs'],
    daemonSets: ['ama-logs'],
  },
  {
    name: 'microsoft.arcnetworking',
    description: 'Arc networking: MetalLB load balancers for AKS hybrid clusters.',
    releaseTrains: { stable: ['0.1.0', '0.1.1', '0.1.2'], preview: ['0.2.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'kube-system',
    hosts: ARC_CLUSTER,
    connectedClusterKind: 'ProvisionedCluster',
    enables: [],
    singleton: true,
    settings: { k8sRuntimeFpaObjectId: { kind: 'guid' } },
    deployments: ['metallb-controller'],
    daemonSets: ['metallb-speaker'],
  },
  {
    name: 'microsoft.certmanagement',
    description: 'Certificate management for Azure Arc: cert-manager and trust-manager.',
    releaseTrains: { stable: ['0.5.2', '0.6.1', '0.7.0'], preview: ['0.8.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'cert-manager',
    hosts: ARC_CLUSTER,
    enables: [],
    singleton: true,
    settings: { AgentOperationTimeoutInMinutes: { kind: 'integer' }, 'cert-manager.config.enableGatewayAPI': bool, 'subcharts.zdtrcontroller.enabled': bool, 'global.telemetry.enabled': bool },
    deployments: ['cert-manager', 'cert-manager-cainjector', 'cert-manager-webhook', 'trust-manager'],
  },
  {
    name: 'microsoft.azure.secretstore',
    description: 'Secret Store: syncs Azure Key Vault secrets into the cluster for offline use.',
    releaseTrains: { stable: ['0.9.4', '1.0.2', '1.1.0'], preview: ['1.2.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'azure-secret-store',
    hosts: ARC_CLUSTER,
    enables: [],
    singleton: true,
    requires: ['microsoft.certmanagement'],
    settings: { rotationPollIntervalInSeconds: { kind: 'integer' }, 'validatingAdmissionPolicies.applyPolicies': bool, enablePartialSecretSync: bool },
    deployments: ['secret-sync-controller'],
  },
  {
    name: 'microsoft.iotoperations',
    description: 'Azure IoT Operations: MQTT broker, connectors and data flows at the edge.',
    releaseTrains: { stable: ['1.0.9', '1.1.59', '1.2.36'], preview: ['1.3.14'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'azure-iot-operations',
    hosts: ARC_CLUSTER,
    enables: [
      { resourceProviderNamespace: 'Microsoft.IoTOperations', resourceType: 'instances', apiVersion: '2024-11-01' },
      { resourceProviderNamespace: 'Microsoft.IoTOperations', resourceType: 'instances/brokers', apiVersion: '2024-11-01' },
      { resourceProviderNamespace: 'Microsoft.IoTOperations', resourceType: 'instances/dataflowProfiles', apiVersion: '2024-11-01' },
      { resourceProviderNamespace: 'Microsoft.DeviceRegistry', resourceType: 'assets', apiVersion: '2024-11-01' },
    ],
    singleton: true,
    requires: ['microsoft.certmanagement', 'microsoft.azure.secretstore'],
    settings: { AgentOperationTimeoutInMinutes: { kind: 'integer' }, 'observability.metrics.enabled': bool, trustSource: { kind: 'string', values: ['SelfSigned', 'CustomerManaged'] } },
    deployments: ['aio-operator', 'aio-broker-frontend', 'aio-dataflow-operator'],
  },
  {
    name: 'Microsoft.openservicemesh',
    description: 'Open Service Mesh: a lightweight service mesh for the cluster.',
    releaseTrains: { stable: ['1.0.0-1', '1.1.1-1', '1.2.10'], pilot: ['1.2.11'], staging: ['1.3.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'arc-osm-system',
    hosts: ARC_CLUSTER,
    enables: [],
    singleton: true,
    settings: { 'osm.osm.enablePermissiveTrafficPolicy': bool, 'osm.osm.featureFlags.enableWASMStats': bool, 'osm.osm.enablePrivilegedInitContainer': bool },
    deployments: ['osm-controller', 'osm-injector', 'osm-bootstrap'],
  },
  {
    name: 'microsoft.azuredefender.kubernetes',
    description: 'Microsoft Defender for Containers: the Defender sensor for Arc-enabled Kubernetes.',
    releaseTrains: { stable: ['0.7.22', '0.7.25', '0.7.28'], preview: ['0.8.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'mdc',
    hosts: ARC_CLUSTER,
    enables: [],
    singleton: true,
    settings: { logAnalyticsWorkspaceResourceID: workspace, auditLogPath: { kind: 'string' } },
    deployments: ['microsoft-defender-collector-misc'],
    daemonSets: ['microsoft-defender-collector-ds'],
  },
  {
    name: 'Microsoft.AzureKeyVaultSecretsProvider',
    description: 'Azure Key Vault Secrets Provider: the Secrets Store CSI driver with the Azure Key Vault provider.',
    releaseTrains: { stable: ['1.5.6', '1.6.1', '1.7.0'], preview: ['1.8.0'] },
    defaultScope: 'cluster',
    defaultReleaseNamespace: 'kube-system',
    hosts: ARC_CLUSTER,
    enables: [],
    singleton: true,
    settings: {
      'secrets-store-csi-driver.enableSecretRotation': bool,
      'secrets-store-csi-driver.rotationPollInterval': { kind: 'duration' },
      'secrets-store-csi-driver.syncSecret.enabled': bool,
    },
    daemonSets: ['secrets-store-csi-driver', 'secrets-store-provider-azure'],
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
