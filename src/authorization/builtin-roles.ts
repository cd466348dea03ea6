// Azure's built-in role definitions as data: real ids (the GUID is the same in every tenant), role
// names and action lists as Azure publishes them (docs "Azure built-in roles"). Long lists of
// actions for namespaces the emulator does not serve are trimmed to the ones that matter here;
// every action kept is spelled as Azure spells it. The Azure Resource Bridge Deployment Role and the
// Azure Stack HCI Administrator / VM Contributor lists are complete; ABAC conditions (the HCI
// Administrator's limit on which roles it may assign) are not evaluated.

export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleDefinitionData {
  /** The role definition GUID. */
  name: string;
  roleName: string;
  description: string;
  roleType: 'BuiltInRole' | 'CustomRole';
  permissions: Permission[];
  assignableScopes: string[];
}

const p = (actions: string[], notActions: string[] = [], dataActions: string[] = [], notDataActions: string[] = []): Permission[] => [{ actions, notActions, dataActions, notDataActions }];

const builtin = (name: string, roleName: string, description: string, permissions: Permission[]): RoleDefinitionData => ({
  name,
  roleName,
  description,
  roleType: 'BuiltInRole',
  permissions,
  assignableScopes: ['/'],
});

/** Read access to the ARM surfaces most "cluster" roles add (deployments, alert rules, support). */
const ARM_READS = [
  'Microsoft.Authorization/*/read',
  'Microsoft.Insights/alertRules/*',
  'Microsoft.Resources/deployments/write',
  'Microsoft.Resources/subscriptions/operationresults/read',
  'Microsoft.Resources/subscriptions/read',
  'Microsoft.Resources/subscriptions/resourceGroups/read',
  'Microsoft.Support/*',
];

/** What Azure Stack HCI Administrator and Azure Stack HCI VM Contributor both grant on Arc machines (Microsoft.HybridCompute), in Azure's order. */
const ARC_MACHINE_ACTIONS = [
  'Microsoft.HybridCompute/machines/read',
  'Microsoft.HybridCompute/machines/write',
  'Microsoft.HybridCompute/machines/delete',
  'Microsoft.HybridCompute/machines/UpgradeExtensions/action',
  'Microsoft.HybridCompute/machines/assessPatches/action',
  'Microsoft.HybridCompute/machines/installPatches/action',
  'Microsoft.HybridCompute/machines/extensions/read',
  'Microsoft.HybridCompute/machines/extensions/write',
  'Microsoft.HybridCompute/machines/extensions/delete',
  'Microsoft.HybridCompute/operations/read',
  'Microsoft.HybridCompute/locations/operationresults/read',
  'Microsoft.HybridCompute/locations/operationstatus/read',
  'Microsoft.HybridCompute/machines/patchAssessmentResults/read',
  'Microsoft.HybridCompute/machines/patchAssessmentResults/softwarePatches/read',
  'Microsoft.HybridCompute/machines/patchInstallationResults/read',
  'Microsoft.HybridCompute/machines/patchInstallationResults/softwarePatches/read',
  'Microsoft.HybridCompute/locations/updateCenterOperationResults/read',
  'Microsoft.HybridCompute/machines/hybridIdentityMetadata/read',
  'Microsoft.HybridCompute/osType/agentVersions/read',
  'Microsoft.HybridCompute/osType/agentVersions/latest/read',
  'Microsoft.HybridCompute/machines/runcommands/read',
  'Microsoft.HybridCompute/machines/runcommands/write',
  'Microsoft.HybridCompute/machines/runcommands/delete',
  'Microsoft.HybridCompute/machines/licenseProfiles/read',
  'Microsoft.HybridCompute/machines/licenseProfiles/write',
  'Microsoft.HybridCompute/machines/licenseProfiles/delete',
  'Microsoft.HybridCompute/licenses/read',
  'Microsoft.HybridCompute/licenses/write',
  'Microsoft.HybridCompute/licenses/delete',
];

export const OWNER_ID = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
export const CONTRIBUTOR_ID = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
export const READER_ID = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
export const USER_ACCESS_ADMINISTRATOR_ID = '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9';

export const BUILTIN_ROLES: RoleDefinitionData[] = [
  // ---- general
  builtin(OWNER_ID, 'Owner', 'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.', p(['*'])),
  builtin(
    CONTRIBUTOR_ID,
    'Contributor',
    'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.',
    p(
      ['*'],
      [
        'Microsoft.Authorization/*/Delete',
        'Microsoft.Authorization/*/Write',
        'Microsoft.Authorization/elevateAccess/Action',
        'Microsoft.Blueprint/blueprintAssignments/write',
        'Microsoft.Blueprint/blueprintAssignments/delete',
        'Microsoft.Compute/galleries/share/action',
        'Microsoft.Purview/consents/write',
        'Microsoft.Purview/consents/delete',
        'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
        'Microsoft.Subscription/cancel/action',
        'Microsoft.Subscription/enable/action',
      ],
    ),
  ),
  builtin(READER_ID, 'Reader', 'View all resources, but does not allow you to make any changes.', p(['*/read'])),
  builtin(USER_ACCESS_ADMINISTRATOR_ID, 'User Access Administrator', 'Lets you manage user access to Azure resources.', p(['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'])),
  builtin(
    '4d97b98b-1d4f-4787-a291-c67834d212e7',
    'Network Contributor',
    'Lets you manage networks, but not access to them.',
    p([
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Network/*',
      'Microsoft.ResourceHealth/availabilityStatuses/read',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Support/*',
    ]),
  ),

  // ---- Azure Kubernetes Service
  builtin(
    '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8',
    'Azure Kubernetes Service Cluster Admin Role',
    'List cluster admin credential action.',
    p([
      'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
      'Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action',
      'Microsoft.ContainerService/managedClusters/read',
      'Microsoft.ContainerService/managedClusters/runcommand/action',
    ]),
  ),
  builtin(
    '4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
    'Azure Kubernetes Service Cluster User Role',
    'List cluster user credential action.',
    p(['Microsoft.ContainerService/managedClusters/listClusterUserCredential/action', 'Microsoft.ContainerService/managedClusters/read']),
  ),
  builtin(
    'ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8',
    'Azure Kubernetes Service Contributor Role',
    'Grants access to read and write Azure Kubernetes Service clusters',
    p([
      'Microsoft.ContainerService/managedClusters/read',
      'Microsoft.ContainerService/managedClusters/write',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
    ]),
  ),
  builtin(
    'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
    'Azure Kubernetes Service RBAC Cluster Admin',
    'Lets you manage all resources in the cluster.',
    p([...ARM_READS, 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action'], [], ['Microsoft.ContainerService/managedClusters/*']),
  ),
  builtin(
    '3498e952-d568-435e-9b2c-8d77e338d7f7',
    'Azure Kubernetes Service RBAC Admin',
    'Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces.',
    p(
      [...ARM_READS, 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action'],
      [],
      ['Microsoft.ContainerService/managedClusters/*'],
      [
        'Microsoft.ContainerService/managedClusters/resourcequotas/write',
        'Microsoft.ContainerService/managedClusters/resourcequotas/delete',
        'Microsoft.ContainerService/managedClusters/namespaces/write',
        'Microsoft.ContainerService/managedClusters/namespaces/delete',
      ],
    ),
  ),
  builtin(
    '7f6c6a51-bcf8-42ba-9220-52d62157d7db',
    'Azure Kubernetes Service RBAC Reader',
    'Allows read-only access to see most objects in a namespace.',
    p([...ARM_READS], [], ['Microsoft.ContainerService/managedClusters/*/read']),
  ),
  builtin(
    'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb',
    'Azure Kubernetes Service RBAC Writer',
    'Allows read/write access to most objects in a namespace.',
    p([...ARM_READS], [], ['Microsoft.ContainerService/managedClusters/*/read', 'Microsoft.ContainerService/managedClusters/*/write', 'Microsoft.ContainerService/managedClusters/*/delete']),
  ),

  // ---- Azure Arc-enabled Kubernetes
  builtin(
    'dffb1e0c-446f-4dde-a09f-99eb5cc68b96',
    'Azure Arc Kubernetes Admin',
    'Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces.',
    p([...ARM_READS, 'Microsoft.Kubernetes/connectedClusters/listClusterUserCredentials/action'], [], ['Microsoft.Kubernetes/connectedClusters/*']),
  ),
  builtin(
    '8393591c-06b9-48a2-a542-1bd6b377f6a2',
    'Azure Arc Kubernetes Cluster Admin',
    'Lets you manage all resources in the cluster.',
    p([...ARM_READS, 'Microsoft.Kubernetes/connectedClusters/listClusterUserCredentials/action'], [], ['Microsoft.Kubernetes/connectedClusters/*']),
  ),
  builtin(
    '63f0a09d-1495-4db4-a681-037d84835eb4',
    'Azure Arc Kubernetes Viewer',
    'Lets you view all resources in cluster/namespace, except secrets.',
    p([...ARM_READS], [], ['Microsoft.Kubernetes/connectedClusters/*/read']),
  ),
  builtin(
    '5b999177-9696-4545-85c7-50de3797e5a1',
    'Azure Arc Kubernetes Writer',
    'Lets you update everything in cluster/namespace, except (cluster)roles and (cluster)role bindings.',
    p([...ARM_READS], [], ['Microsoft.Kubernetes/connectedClusters/*/read', 'Microsoft.Kubernetes/connectedClusters/*/write', 'Microsoft.Kubernetes/connectedClusters/*/delete']),
  ),
  builtin(
    '00493d72-78f6-4148-b6c5-d3ce8e4799dd',
    'Azure Arc Enabled Kubernetes Cluster User Role',
    'List cluster user credentials action.',
    p([
      'Microsoft.Resources/deployments/write',
      'Microsoft.Resources/subscriptions/operationresults/read',
      'Microsoft.Resources/subscriptions/read',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Kubernetes/connectedClusters/listClusterUserCredentials/action',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Support/*',
    ]),
  ),
  builtin(
    '34e09817-6cbe-4d01-b1a2-e0eac5743d41',
    'Kubernetes Cluster - Azure Arc Onboarding',
    'Role definition to authorize any user/service to create connectedClusters resource',
    p([
      'Microsoft.Resources/subscriptions/read',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Resources/subscriptions/resourceGroups/write',
      'Microsoft.Kubernetes/connectedClusters/Write',
      'Microsoft.Kubernetes/connectedClusters/read',
      'Microsoft.Support/*',
    ]),
  ),
  builtin(
    '85cb6faf-e071-4c9b-8136-154b5a04f717',
    'Kubernetes Extension Contributor',
    'Can create, update, get, list and delete Kubernetes Extensions, and get extension async operations',
    p([
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.KubernetesConfiguration/extensions/write',
      'Microsoft.KubernetesConfiguration/extensions/read',
      'Microsoft.KubernetesConfiguration/extensions/delete',
      'Microsoft.KubernetesConfiguration/extensions/operations/read',
    ]),
  ),

  // ---- Azure Stack HCI and Arc resource bridge (the infrastructure administrator and the operator)
  builtin(
    '7b1f81f9-4196-4058-8aae-762e593270df',
    'Azure Resource Bridge Deployment Role',
    'Azure Resource Bridge Deployment Role',
    p([
      'Microsoft.Authorization/roleassignments/read',
      'Microsoft.AzureStackHCI/Register/Action',
      'Microsoft.ResourceConnector/register/action',
      'Microsoft.ResourceConnector/appliances/read',
      'Microsoft.ResourceConnector/appliances/write',
      'Microsoft.ResourceConnector/appliances/delete',
      'Microsoft.ResourceConnector/locations/operationresults/read',
      'Microsoft.ResourceConnector/locations/operationsstatus/read',
      'Microsoft.ResourceConnector/appliances/listClusterUserCredential/action',
      'Microsoft.ResourceConnector/appliances/listKeys/action',
      'Microsoft.ResourceConnector/appliances/upgradeGraphs/read',
      'Microsoft.ResourceConnector/telemetryconfig/read',
      'Microsoft.ResourceConnector/operations/read',
      'Microsoft.ExtendedLocation/register/action',
      'Microsoft.ExtendedLocation/customLocations/deploy/action',
      'Microsoft.ExtendedLocation/customLocations/read',
      'Microsoft.ExtendedLocation/customLocations/write',
      'Microsoft.ExtendedLocation/customLocations/delete',
      'Microsoft.HybridConnectivity/register/action',
      'Microsoft.Kubernetes/register/action',
      'Microsoft.KubernetesConfiguration/register/action',
      'Microsoft.KubernetesConfiguration/extensions/write',
      'Microsoft.KubernetesConfiguration/extensions/read',
      'Microsoft.KubernetesConfiguration/extensions/delete',
      'Microsoft.KubernetesConfiguration/extensions/operations/read',
      'Microsoft.KubernetesConfiguration/namespaces/read',
      'Microsoft.KubernetesConfiguration/operations/read',
      'Microsoft.GuestConfiguration/guestConfigurationAssignments/read',
      'Microsoft.HybridContainerService/register/action',
      'Microsoft.HybridContainerService/kubernetesVersions/read',
      'Microsoft.HybridContainerService/kubernetesVersions/write',
      'Microsoft.HybridContainerService/skus/read',
      'Microsoft.HybridContainerService/skus/write',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.AzureStackHCI/StorageContainers/Write',
      'Microsoft.AzureStackHCI/StorageContainers/Read',
    ]),
  ),
  builtin(
    'bda0d508-adf1-4af0-9c28-88919fc3ae06',
    'Azure Stack HCI Administrator',
    'Grants full access to the cluster and its resources, including the ability to register Azure Stack HCI and assign others as Azure Arc HCI VM Contributor and/or Azure Arc HCI VM Reader',
    p([
      'Microsoft.AzureStackHCI/register/action',
      'Microsoft.AzureStackHCI/Unregister/Action',
      'Microsoft.AzureStackHCI/clusters/*',
      'Microsoft.HybridCompute/register/action',
      'Microsoft.GuestConfiguration/register/action',
      'Microsoft.GuestConfiguration/guestConfigurationAssignments/read',
      'Microsoft.Resources/subscriptions/resourceGroups/write',
      'Microsoft.Resources/subscriptions/resourceGroups/delete',
      'Microsoft.HybridConnectivity/register/action',
      'Microsoft.Authorization/roleAssignments/write',
      'Microsoft.Authorization/roleAssignments/delete',
      'Microsoft.Authorization/*/read',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Resources/subscriptions/read',
      'Microsoft.Management/managementGroups/read',
      'Microsoft.Support/*',
      'Microsoft.AzureStackHCI/*',
      'Microsoft.Insights/AlertRules/Write',
      'Microsoft.Insights/AlertRules/Delete',
      'Microsoft.Insights/AlertRules/Read',
      'Microsoft.Insights/AlertRules/Activated/Action',
      'Microsoft.Insights/AlertRules/Resolved/Action',
      'Microsoft.Insights/AlertRules/Throttled/Action',
      'Microsoft.Insights/AlertRules/Incidents/Read',
      'Microsoft.Resources/subscriptions/resourcegroups/deployments/read',
      'Microsoft.Resources/subscriptions/resourcegroups/deployments/write',
      'Microsoft.Resources/subscriptions/resourcegroups/deployments/operations/read',
      'Microsoft.Resources/subscriptions/resourcegroups/deployments/operationstatuses/read',
      'Microsoft.ResourceHealth/availabilityStatuses/read',
      'Microsoft.Resources/subscriptions/read',
      'Microsoft.Resources/subscriptions/operationresults/read',
      ...ARC_MACHINE_ACTIONS,
      'Microsoft.ResourceConnector/register/action',
      'Microsoft.ResourceConnector/appliances/read',
      'Microsoft.ResourceConnector/appliances/write',
      'Microsoft.ResourceConnector/appliances/delete',
      'Microsoft.ResourceConnector/locations/operationresults/read',
      'Microsoft.ResourceConnector/locations/operationsstatus/read',
      'Microsoft.ResourceConnector/appliances/listClusterUserCredential/action',
      'Microsoft.ResourceConnector/appliances/listKeys/action',
      'Microsoft.ResourceConnector/operations/read',
      'Microsoft.ExtendedLocation/register/action',
      'Microsoft.ExtendedLocation/customLocations/read',
      'Microsoft.ExtendedLocation/customLocations/deploy/action',
      'Microsoft.ExtendedLocation/customLocations/write',
      'Microsoft.ExtendedLocation/customLocations/delete',
      'Microsoft.EdgeMarketplace/offers/read',
      'Microsoft.EdgeMarketplace/publishers/read',
      'Microsoft.Kubernetes/register/action',
      'Microsoft.KubernetesConfiguration/register/action',
      'Microsoft.KubernetesConfiguration/extensions/write',
      'Microsoft.KubernetesConfiguration/extensions/read',
      'Microsoft.KubernetesConfiguration/extensions/delete',
      'Microsoft.KubernetesConfiguration/extensions/operations/read',
      'Microsoft.KubernetesConfiguration/namespaces/read',
      'Microsoft.KubernetesConfiguration/operations/read',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.AzureStackHCI/StorageContainers/Write',
      'Microsoft.AzureStackHCI/StorageContainers/Read',
      'Microsoft.HybridContainerService/register/action',
    ]),
  ),
  builtin(
    '874d1c73-6003-4e60-a13a-cb31ea190a85',
    'Azure Stack HCI VM Contributor',
    'Grants permissions to perform all VM actions',
    p([
      'Microsoft.AzureStackHCI/VirtualMachines/*',
      'Microsoft.AzureStackHCI/virtualMachineInstances/*',
      'Microsoft.AzureStackHCI/NetworkInterfaces/*',
      'Microsoft.AzureStackHCI/VirtualHardDisks/*',
      'Microsoft.AzureStackHCI/VirtualNetworks/Read',
      'Microsoft.AzureStackHCI/VirtualNetworks/join/action',
      'Microsoft.AzureStackHCI/LogicalNetworks/Read',
      'Microsoft.AzureStackHCI/LogicalNetworks/join/action',
      'Microsoft.AzureStackHCI/GalleryImages/Read',
      'Microsoft.AzureStackHCI/GalleryImages/deploy/action',
      'Microsoft.AzureStackHCI/StorageContainers/Read',
      'Microsoft.AzureStackHCI/StorageContainers/deploy/action',
      'Microsoft.AzureStackHCI/MarketplaceGalleryImages/Read',
      'Microsoft.AzureStackHCI/MarketPlaceGalleryImages/deploy/action',
      'Microsoft.AzureStackHCI/Clusters/Read',
      'Microsoft.AzureStackHCI/Clusters/ArcSettings/Read',
      'Microsoft.Insights/AlertRules/Write',
      'Microsoft.Insights/AlertRules/Delete',
      'Microsoft.Insights/AlertRules/Read',
      'Microsoft.Insights/AlertRules/Activated/Action',
      'Microsoft.Insights/AlertRules/Resolved/Action',
      'Microsoft.Insights/AlertRules/Throttled/Action',
      'Microsoft.Insights/AlertRules/Incidents/Read',
      'Microsoft.Resources/deployments/read',
      'Microsoft.Resources/deployments/write',
      'Microsoft.Resources/deployments/delete',
      'Microsoft.Resources/deployments/cancel/action',
      'Microsoft.Resources/deployments/validate/action',
      'Microsoft.Resources/deployments/whatIf/action',
      'Microsoft.Resources/deployments/exportTemplate/action',
      'Microsoft.Resources/deployments/operations/read',
      'Microsoft.Resources/deployments/operationstatuses/read',
      'Microsoft.Resources/subscriptions/resourcegroups/deployments/read',
      'Microsoft.Resources/subscriptions/resourcegroups/deployments/write',
      'Microsoft.Resources/subscriptions/resourcegroups/deployments/operations/read',
      'Microsoft.Resources/subscriptions/resourcegroups/deployments/operationstatuses/read',
      'Microsoft.ResourceHealth/availabilityStatuses/read',
      'Microsoft.Authorization/*/read',
      'Microsoft.Resources/subscriptions/read',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Resources/subscriptions/operationresults/read',
      ...ARC_MACHINE_ACTIONS,
      'Microsoft.ExtendedLocation/customLocations/Read',
      'Microsoft.ExtendedLocation/customLocations/deploy/action',
      'Microsoft.KubernetesConfiguration/extensions/read',
    ]),
  ),
  builtin(
    '4b3fe76c-f777-4d24-a2d7-b027b0f7b273',
    'Azure Stack HCI VM Reader',
    'Grants permissions to view VMs',
    p([
      'Microsoft.AzureStackHCI/VirtualMachines/Read',
      'Microsoft.AzureStackHCI/virtualMachineInstances/Read',
      'Microsoft.AzureStackHCI/VirtualMachines/Extensions/Read',
      'Microsoft.AzureStackHCI/VirtualNetworks/Read',
      'Microsoft.AzureStackHCI/LogicalNetworks/Read',
      'Microsoft.AzureStackHCI/NetworkInterfaces/Read',
      'Microsoft.AzureStackHCI/VirtualHardDisks/Read',
      'Microsoft.AzureStackHCI/StorageContainers/Read',
      'Microsoft.AzureStackHCI/GalleryImages/Read',
      'Microsoft.AzureStackHCI/MarketplaceGalleryImages/Read',
      'Microsoft.Authorization/*/read',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Resources/subscriptions/read',
      'Microsoft.Support/*',
      'Microsoft.ExtendedLocation/customLocations/Read',
    ]),
  ),
];

const BY_ID = new Map(BUILTIN_ROLES.map((r) => [r.name, r]));
const BY_NAME = new Map(BUILTIN_ROLES.map((r) => [r.roleName.toLowerCase(), r]));

export function builtinRole(guid: string): RoleDefinitionData | undefined {
  return BY_ID.get(guid.toLowerCase());
}

export function builtinRoleByName(roleName: string): RoleDefinitionData | undefined {
  return BY_NAME.get(roleName.toLowerCase());
}
