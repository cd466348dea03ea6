// API profiles (Azure Stack Hub): a template with `apiProfile` may omit a resource's `apiVersion`;
// it is taken from this table. Data from azure-rest-api-specs `profile/<name>.json` (resource-manager
// section): namespace → api-version → resource types. A child type not listed takes its parent's.

type Profile = Record<string, Record<string, string[]>>;

const compute2017 = [
  'availabilitySets',
  'images',
  'locations',
  'disks',
  'snapshots',
  'virtualMachines',
  'virtualMachines/extensions',
  'virtualMachineScaleSets',
  'virtualMachineScaleSets/extensions',
  'virtualMachineScaleSets/networkInterfaces',
  'virtualMachineScaleSets/virtualMachines',
  'virtualMachineScaleSets/virtualMachines/networkInterfaces',
];
const network = [
  'connections',
  'loadBalancers',
  'localNetworkGateways',
  'locations',
  'networkInterfaces',
  'networkSecurityGroups',
  'operations',
  'publicIpAddresses',
  'routeTables',
  'virtualNetworkGateways',
  'virtualNetworks',
];
const resources = ['deployments', 'deployments/operations', 'links', 'locations', 'operations', 'providers', 'resourceGroups', 'resources'];
const web = [
  'certificates',
  'sites',
  'sites/domainOwnershipIdentifiers',
  'sites/extensions',
  'sites/hostNameBindings',
  'sites/instances',
  'sites/slots',
  'sites/slots/hostNameBindings',
  'serverFarms',
];

export const API_PROFILES: Record<string, Profile> = {
  '2018-03-01-hybrid': {
    'microsoft.authorization': { '2016-09-01': ['locks'], '2015-07-01': ['roleAssignments', 'roleDefinitions', 'permissions'], '2016-12-01': ['policyAssignments', 'policyDefinitions'] },
    'microsoft.compute': { '2017-03-30': compute2017 },
    'microsoft.keyvault': { '2016-10-01': ['vaults', 'vaults/accessPolicies', 'vaults/secrets'] },
    'microsoft.network': { '2017-10-01': network, '2016-04-01': ['dnsZones'] },
    'microsoft.resources': { '2018-02-01': resources, '2016-06-01': ['subscriptions', 'tenants'] },
    'microsoft.storage': { '2016-01-01': ['storageAccounts', 'checkNameAvailability', 'usages'] },
    'microsoft.web': { '2016-08-01': web.filter((t) => t !== 'serverFarms' && t !== 'certificates'), '2016-09-01': ['serverFarms'], '2016-03-01': ['certificates'] },
  },
  '2019-03-01-hybrid': {
    'microsoft.authorization': { '2016-09-01': ['locks'], '2016-12-01': ['policyDefinitions', 'policyAssignments'], '2015-07-01': ['roleAssignments', 'roleDefinitions', 'permissions'] },
    'microsoft.compute': { '2017-03-30': compute2017 },
    'microsoft.eventhub': { '2018-01-01-preview': ['namespaces'] },
    'microsoft.insights': { '2017-05-01-preview': ['diagnosticSettings'] },
    'microsoft.keyvault': { '2016-10-01': ['vaults', 'vaults/accessPolicies', 'vaults/secrets'] },
    'microsoft.network': { '2017-10-01': network, '2016-04-01': ['dnsZones'] },
    'microsoft.resources': { '2018-05-01': [...resources, 'subscriptions', 'tenants'] },
    'microsoft.storage': { '2017-10-01': ['storageAccounts', 'storageAccounts/blobServices', 'storageAccounts/queueServices', 'storageAccounts/tableServices'] },
    'microsoft.web': { '2018-02-01': web },
  },
  '2020-09-01-hybrid': {
    'microsoft.authorization': { '2016-09-01': ['locks'], '2016-12-01': ['policyAssignments', 'policyDefinitions'], '2015-07-01': ['roleAssignments', 'roleDefinitions', 'permissions'] },
    'microsoft.compute': { '2020-06-01': compute2017.filter((t) => t !== 'disks' && t !== 'snapshots'), '2019-07-01': ['disks', 'snapshots'] },
    'microsoft.databoxedge': { '2019-08-01': ['dataBoxEdgeDevices'] },
    'microsoft.devices': { '2019-07-01-preview': ['IotHubs'] },
    'microsoft.eventhub': {
      '2018-01-01-preview': ['clusters', 'namespaces'],
      '2017-04-01': ['namespaces/authorizationRules', 'namespaces/eventhubs', 'namespaces/eventhubs/authorizationRules', 'namespaces/eventhubs/consumerGroups'],
    },
    'microsoft.insights': { '2017-05-01-preview': ['diagnosticSettings'], '2018-01-01': ['metricDefinitions', 'metrics'] },
    'microsoft.keyvault': { '2019-09-01': ['vaults', 'vaults/accessPolicies', 'vaults/secrets'] },
    'microsoft.network': { '2018-11-01': network, '2016-04-01': ['dnsZones'] },
    'microsoft.resources': { '2019-10-01': resources, '2016-06-01': ['subscriptions', 'tenants'] },
    'microsoft.storage': { '2019-06-01': ['storageAccounts', 'storageAccounts/blobServices', 'storageAccounts/queueServices', 'storageAccounts/tableServices'] },
    'microsoft.web': { '2018-02-01': web },
  },
};

/** The api-version a profile gives `namespace/type`, falling back to the nearest listed parent type. */
export function profileApiVersion(profile: string, fullType: string): string | undefined {
  const p = API_PROFILES[profile.toLowerCase()];
  if (!p) return undefined;
  const [ns, ...rest] = fullType.split('/');
  const versions = p[ns.toLowerCase()];
  if (!versions) return undefined;
  for (let n = rest.length; n > 0; n--) {
    const t = rest.slice(0, n).join('/').toLowerCase();
    for (const [v, types] of Object.entries(versions)) if (types.some((x) => x.toLowerCase() === t)) return v;
  }
  return undefined;
}

export function knownProfile(profile: string): boolean {
  return profile.toLowerCase() in API_PROFILES;
}
