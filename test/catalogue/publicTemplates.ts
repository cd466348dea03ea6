// The real public templates of test/fixtures/public-templates (sources in its SOURCES.md): how each one is
// deployed (scope, group location, parameters a user would give) and what real ARM documents it gives back
// (its outputs, the resources it leaves). Used by public-templates.test.ts with az 2.45.
import path from 'node:path';

export const TEMPLATES_DIR = path.resolve('test/fixtures/public-templates');

export interface TemplateEnv {
  subscriptionId: string;
  tenantId: string;
  /** Object id of the deploying service principal. */
  principalId: string;
  group: string;
  /** The management group a managementGroup-scope template is deployed to (made for it, under the tenant root). */
  managementGroup: string;
  /** The HCI platform (bridge, operators, custom location, logical network) for templates that need one. */
  hci?: { customLocationId: string; customLocationName: string; logicalNetworkId: string; logicalNetworkName: string; location: string };
}

export interface PublicTemplate {
  name: string;
  scope: 'group' | 'subscription' | 'managementGroup' | 'tenant';
  /** The template's file in its folder when it is not azuredeploy.json. */
  file?: string;
  /** Deployed by its link (--template-uri over http), its nested templates linked by relativePath beside it. */
  linked?: boolean;
  /** Management groups made under the deployment's group before it is deployed (names). */
  childGroups?: (env: TemplateEnv) => string[];
  /** The resource group's location ('local' is the Azure Stack Hub stamp). */
  location: string;
  parameters?: (env: TemplateEnv) => Record<string, unknown>;
  /** Uses the template's own azuredeploy.parameters.json. */
  parametersFile?: boolean;
  needs?: 'hci';
  /** Waits for another branch's work before it can deploy (named). */
  waitsFor?: string;
  /** Fails as real ARM fails it: the error code of the failing resource. */
  expectFailure?: string;
  /** What the outputs are (a RegExp for values real ARM makes unique per deployment). */
  outputs?: (env: TemplateEnv) => Record<string, unknown>;
  /** Resources the what-if of a redeploy shows as NoChange (ids; a RegExp for one with a generated name). */
  whatIf?: (env: TemplateEnv) => (string | RegExp)[];
  /** Resource types the group holds afterwards (az resource list: tracked resources). */
  resources?: string[];
}

const rgId = (e: TemplateEnv) => `/subscriptions/${e.subscriptionId}/resourceGroups/${e.group}`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SSH = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7emulatortestkey emulator@test';
const endpoints = (name: string) => ({
  blob: `https://${name}.blob.core.windows.net/`,
  queue: `https://${name}.queue.core.windows.net/`,
  table: `https://${name}.table.core.windows.net/`,
  file: `https://${name}.file.core.windows.net/`,
  dfs: `https://${name}.dfs.core.windows.net/`,
  web: new RegExp(`^https://${name}\\.z\\d+\\.web\\.core\\.windows\\.net/$`),
});

export const PUBLIC_TEMPLATES: PublicTemplate[] = [
  // ---- Azure quickstarts (Bicep samples compiled to JSON) ----
  {
    name: 'quickstart-storage-account-create',
    scope: 'group',
    location: 'eastus',
    outputs: (e) => ({
      storageAccountName: /^store[a-z0-9]{13}$/,
      storageAccountId: new RegExp(`^${rgId(e)}/providers/Microsoft\\.Storage/storageAccounts/store[a-z0-9]{13}$`),
    }),
    resources: ['Microsoft.Storage/storageAccounts'],
  },
  {
    name: 'quickstart-key-vault-create',
    scope: 'group',
    location: 'eastus',
    parameters: (e) => ({ keyVaultName: `kv-${e.group}`.slice(0, 24), objectId: e.principalId, secretName: 'adminPassword', secretValue: 'Sup3r-Secret!' }),
    resources: ['Microsoft.KeyVault/vaults'],
  },
  {
    name: 'quickstart-aks',
    scope: 'group',
    location: 'eastus',
    parameters: () => ({ dnsPrefix: 'aks101', linuxAdminUsername: 'azureuser', sshRSAPublicKey: SSH, agentCount: 1 }),
    // the API server's FQDN: {dnsPrefix}-{8 hex}.hcp.{location}.azmk8s.io
    outputs: () => ({ controlPlaneFQDN: /^aks101-[0-9a-z]{8}\.hcp\.eastus\.azmk8s\.io$/ }),
    resources: ['Microsoft.ContainerService/managedClusters'],
  },
  {
    name: 'quickstart-hci-aksarc',
    scope: 'group',
    location: 'eastus',
    needs: 'hci',
    parameters: (e) => ({
      location: e.hci!.location,
      aksClusterName: 'qs-aksarc',
      aksControlPlaneIP: '172.20.0.40',
      aksKubernetesVersion: 'v1.29.4',
      aksNodePoolName: 'nodepool1',
      sshPublicKey: SSH,
      hciLogicalNetworkName: e.hci!.logicalNetworkName,
      hciCustomLocationName: e.hci!.customLocationName,
    }),
    resources: ['Microsoft.Kubernetes/connectedClusters'],
  },
  {
    name: 'quickstart-hci-vm-linux',
    scope: 'group',
    location: 'eastus',
    needs: 'hci',
    parameters: (e) => ({
      name: 'qs-vm1',
      location: e.hci!.location,
      adminUsername: 'azureuser',
      adminPassword: 'P@ssw0rd-1234',
      imageName: 'ubuntu-01',
      hciLogicalNetworkName: e.hci!.logicalNetworkName,
      customLocationName: e.hci!.customLocationName,
    }),
    resources: ['Microsoft.AzureStackHCI/networkInterfaces', 'Microsoft.HybridCompute/machines'],
  },
  // ---- AKS on Azure Local, Microsoft Learn ----
  {
    name: 'docs-aksarc-cluster',
    scope: 'group',
    location: 'eastus',
    needs: 'hci',
    parameters: (e) => ({
      provisionedClusterName: 'docs-aksarc',
      location: e.hci!.location,
      sshRSAPublicKey: SSH,
      provisionedClustersApiVersion: '2024-01-01',
      connectedClustersApiVersion: '2024-07-15-preview',
      vnetSubnetIds: [e.hci!.logicalNetworkId],
      customLocation: e.hci!.customLocationId,
      kubernetesVersion: '1.30.9',
      controlPlaneIp: '172.20.0.41',
    }),
    resources: ['Microsoft.Kubernetes/connectedClusters'],
  },
  {
    // its connectedClusters resource has condition: false (a type and body that must never be refused), and the
    // pool's id without a scope puts it under a provisioned cluster in the group itself, which does not exist
    name: 'docs-aksarc-nodepool',
    scope: 'group',
    location: 'eastus',
    needs: 'hci',
    parameters: (e) => ({ provisionedClusterName: 'docs-aksarc', agentName: 'pool2', agentVMSize: 'Standard_A4_v2', agentCount: 1, agentOsType: 'Linux', location: e.hci!.location }),
    expectFailure: 'ParentResourceNotFound',
  },
  // ---- Azure Stack Hub quickstarts (apiProfile 2018-03-01-hybrid) ----
  { name: 'hub-storage-account', scope: 'group', location: 'local', parametersFile: true, resources: ['Microsoft.Storage/storageAccounts'] },
  {
    name: 'hub-vnet-full',
    scope: 'group',
    location: 'local',
    resources: ['Microsoft.Network/networkInterfaces', 'Microsoft.Network/networkSecurityGroups', 'Microsoft.Network/publicIPAddresses', 'Microsoft.Network/virtualNetworks'],
  },
  { name: 'hub-nsg', scope: 'group', location: 'local', resources: ['Microsoft.Network/networkSecurityGroups'] },
  {
    name: 'hub-dnszones',
    scope: 'group',
    location: 'local',
    outputs: () => ({ nameServers: ['ns1-01.azure-dns.com.', 'ns2-01.azure-dns.net.', 'ns3-01.azure-dns.org.', 'ns4-01.azure-dns.info.'] }),
    resources: ['Microsoft.Network/dnszones'],
  },
  {
    name: 'hub-vm-linux',
    scope: 'group',
    location: 'local',
    parametersFile: true,
    resources: [
      'Microsoft.Compute/virtualMachines',
      'Microsoft.Network/networkInterfaces',
      'Microsoft.Network/networkSecurityGroups',
      'Microsoft.Network/virtualNetworks',
      'Microsoft.Storage/storageAccounts',
    ],
  },
  {
    name: 'hub-webapp-and-serviceplan',
    scope: 'group',
    location: 'local',
    parameters: (e) => ({
      appname: 'hubapp1',
      hostingPlanName: 'hubplan1',
      hostingEnvironment: '',
      location: 'local',
      sku: 'Shared',
      skuCode: 'D1',
      workerSize: '0',
      serverFarmResourceGroup: e.group,
      subscriptionId: e.subscriptionId,
    }),
    resources: ['Microsoft.Web/serverfarms', 'Microsoft.Web/sites'],
  },
  {
    name: 'hub-availabilityset-multiplevm-linux',
    scope: 'group',
    location: 'local',
    parameters: () => ({ adminPassword: 'P@ssw0rd-1234', numberOfInstances: 2 }),
    resources: [
      'Microsoft.Compute/availabilitySets',
      'Microsoft.Compute/virtualMachines',
      'Microsoft.Network/loadBalancers',
      'Microsoft.Network/networkInterfaces',
      'Microsoft.Network/networkSecurityGroups',
      'Microsoft.Network/publicIPAddresses',
      'Microsoft.Network/virtualNetworks',
      'Microsoft.Storage/storageAccounts',
    ],
  },
  {
    name: 'hub-vm-windows-api-profile',
    scope: 'group',
    location: 'local',
    resources: [
      'Microsoft.Compute/virtualMachines',
      'Microsoft.Network/networkInterfaces',
      'Microsoft.Network/networkSecurityGroups',
      'Microsoft.Network/virtualNetworks',
      'Microsoft.Storage/storageAccounts',
    ],
  },
  // ---- Azure Resource Manager documentation samples (Azure/azure-docs-json-samples) ----
  {
    name: 'docs-add-outputs',
    scope: 'group',
    location: 'eastus',
    parameters: () => ({ storagePrefix: 'store' }),
    outputs: () => ({ storageEndpoint: endpoints('__storage__') }),
    resources: ['Microsoft.Storage/storageAccounts'],
  },
  {
    name: 'docs-local-template',
    scope: 'group',
    location: 'eastus',
    parameters: () => ({ projectName: 'docsproj' }),
    outputs: () => ({ storageEndpoint: endpoints('__storage__') }),
    resources: ['Microsoft.Storage/storageAccounts', 'Microsoft.Web/serverfarms', 'Microsoft.Web/sites'],
  },
  {
    name: 'docs-templatespec-storage',
    scope: 'group',
    location: 'eastus',
    outputs: () => ({ storageAccountName: /^store[a-z0-9]{13}$/ }),
    resources: ['Microsoft.Storage/storageAccounts'],
  },
  {
    name: 'docs-reference-with-storage',
    scope: 'group',
    location: 'eastus',
    parameters: (e) => ({ storageAccountName: `ref${e.group.replace(/[^a-z0-9]/g, '')}`.slice(0, 24) }),
    // reference() gives the properties; 'Full' the whole resource (the documented example output, in part)
    outputs: () => {
      const properties = {
        __some: true,
        primaryEndpoints: endpoints('__storage__'),
        primaryLocation: 'eastus',
        statusOfPrimary: 'available',
        provisioningState: 'Succeeded',
        supportsHttpsTrafficOnly: true,
      };
      return { referenceOutput: properties, fullReferenceOutput: { __some: true, location: 'eastus', kind: 'Storage', sku: { __some: true, name: 'Standard_LRS' }, properties } };
    },
    resources: ['Microsoft.Storage/storageAccounts'],
  },
  {
    name: 'docs-keyvault-tutorial',
    scope: 'group',
    location: 'eastus',
    parameters: (e) => ({ keyVaultName: `kvt-${e.group}`.slice(0, 24), adUserId: e.principalId, secretValue: 'Sup3r-Secret!' }),
    outputs: (e) => ({ keyVaultId: `${rgId(e)}/providers/Microsoft.KeyVault/vaults/${`kvt-${e.group}`.slice(0, 24)}` }),
    resources: ['Microsoft.KeyVault/vaults'],
  },
  { name: 'docs-lock-target-scope', scope: 'group', location: 'eastus', resources: [] },
  { name: 'docs-tags', scope: 'group', location: 'eastus', resources: [] },
  {
    name: 'docs-storage-and-role',
    scope: 'group',
    location: 'eastus',
    parameters: (e) => ({ principalId: e.principalId, builtInRoleType: 'Reader', roleNameGuid: 'a0b1c2d3-0000-4000-8000-00000000feed' }),
    resources: ['Microsoft.Storage/storageAccounts'],
  },
  { name: 'docs-multiple-security-rules', scope: 'group', location: 'eastus', parametersFile: true, resources: ['Microsoft.Network/networkSecurityGroups'] },
  { name: 'docs-aci-emptydir', scope: 'group', location: 'eastus', resources: ['Microsoft.ContainerInstance/containerGroups'] },
  {
    name: 'docs-sql-extension',
    scope: 'group',
    location: 'eastus',
    parameters: () => ({ adminUser: 'sqladmin', adminPassword: 'P@ssw0rd-1234' }),
    resources: ['Microsoft.Sql/servers', 'Microsoft.Sql/servers/databases'],
  },
  {
    name: 'docs-eventhubs-data-migration',
    scope: 'group',
    location: 'eastus',
    parameters: () => ({
      eventHubNamespaceName: 'ehns-migration-1',
      eventHubName: 'hub1',
      sqlServerName: 'sqlmigration1',
      sqlServerUserName: 'sqladmin',
      sqlServerPassword: 'P@ssw0rd-1234',
      sqlServerDatabaseName: 'db1',
      storageName: 'stmigration1',
      functionAppName: 'fnmigration1',
    }),
    resources: ['Microsoft.EventHub/namespaces', 'Microsoft.Sql/servers', 'Microsoft.Sql/servers/databases', 'Microsoft.Storage/storageAccounts', 'Microsoft.Web/serverfarms', 'Microsoft.Web/sites'],
  },
  { name: 'docs-policy-define-and-assign', scope: 'subscription', location: 'eastus' },
  {
    // a management-group deployment that makes a policy and its assignment at the group, then a resource group and
    // a storage account in a subscription, through two nested deployments (mg -> subscription -> group)
    // Its storage account (api-version 2021-04-01) has no 'kind', which Microsoft.Storage requires (the spec's
    // StorageAccountCreateParameters; every other storage account of the documentation's samples names one): the
    // deployment fails there, after the policy, its assignment and the resource group are made.
    name: 'docs-management-level-deployment',
    scope: 'managementGroup',
    location: 'eastus',
    parameters: (e) => ({ targetMG: e.managementGroup, nestedsubId: e.subscriptionId, nestedRG: 'pt-mg-level-rg', storageAccountName: 'ptmglevelstore1', location: 'eastus' }),
    expectFailure: "MissingRequiredProperty.*The property 'kind' is required",
  },
  {
    // a management group made at tenant scope from a management-group deployment (scope '/')
    name: 'docs-management-group-create-mg',
    scope: 'managementGroup',
    location: 'eastus',
    parameters: () => ({ mgName: 'pt-made-by-mg-deployment' }),
    outputs: () => ({ output: 'pt-made-by-mg-deployment' }),
    whatIf: () => ['/providers/Microsoft.Management/managementGroups/pt-made-by-mg-deployment'],
  },
  {
    // three levels of templates linked by relativePath; the output names differ in case between levels (fromChild
    // is read from an output declared fromGrandChild), which ARM matches case-insensitively
    name: 'docs-linked-template-relpath',
    scope: 'group',
    location: 'eastus',
    file: 'mainTemplate.json',
    linked: true,
    outputs: () => ({ fromSibling: 'grandChild' }),
    resources: [],
  },
  // ---- Azure quickstarts at tenant and management-group scope ----
  {
    name: 'quickstart-tenant-new-mg',
    scope: 'tenant',
    location: 'eastus',
    parameters: () => ({ mgName: 'pt-tenant-new-mg' }),
    whatIf: () => ['/providers/Microsoft.Management/managementGroups/pt-tenant-new-mg'],
  },
  {
    name: 'quickstart-tenant-role-assignment',
    scope: 'tenant',
    location: 'eastus',
    // Reader at '/' for the deploying principal (it is Owner there already, by the documented elevation)
    parameters: (e) => ({ principalId: e.principalId, roleDefinitionId: 'acdd72a7-3385-48ef-bd42-f606fba81ae7' }),
    whatIf: () => [/^\/providers\/Microsoft\.Authorization\/roleAssignments\/[0-9a-f-]{36}$/],
  },
  {
    name: 'quickstart-mg-policy',
    scope: 'managementGroup',
    location: 'eastus',
    parameters: (e) => ({ targetMG: e.managementGroup }),
    whatIf: (e) => [
      `/providers/Microsoft.Management/managementGroups/${e.managementGroup}/providers/Microsoft.Authorization/policyDefinitions/LocationRestriction`,
      `/providers/Microsoft.Management/managementGroups/${e.managementGroup}/providers/Microsoft.Authorization/policyAssignments/location-lock`,
    ],
  },
  {
    // a nested deployment per child group (scope: another management group), each assigning the policy defined at
    // the deploying group, found through reference(..., 'Full').scope of a no-op deployment
    name: 'quickstart-mg-policy-different-targets',
    scope: 'managementGroup',
    location: 'eastus',
    childGroups: (e) => [`${e.managementGroup}-a`, `${e.managementGroup}-b`],
    parameters: (e) => ({ targetMGs: [`${e.managementGroup}-a`, `${e.managementGroup}-b`] }),
    // the assignments made by the nested deployments into the two child groups are listed, unchanged
    whatIf: (e) => [
      `/providers/Microsoft.Management/managementGroups/${e.managementGroup}/providers/Microsoft.Authorization/policyDefinitions/LocationRestriction`,
      `/providers/Microsoft.Management/managementGroups/${e.managementGroup}-a/providers/Microsoft.Authorization/policyAssignments/location-lock`,
      `/providers/Microsoft.Management/managementGroups/${e.managementGroup}-b/providers/Microsoft.Authorization/policyAssignments/location-lock`,
    ],
  },
];

export { GUID };
