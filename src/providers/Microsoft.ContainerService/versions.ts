// api-versions the AKS provider accepts and what each one's wire shape holds. Newest first (az picks
// the first non-preview entry). Fields appear in responses only from the version that introduced them
// (checked against the azure-mgmt-containerservice models shipped with az 2.45).

export const AKS_API_VERSIONS = [
  '2026-06-01',
  '2026-04-01',
  '2025-10-01',
  '2025-09-01',
  '2025-08-01',
  '2025-07-01',
  '2025-05-01',
  '2025-04-01',
  '2025-03-01',
  '2025-02-01',
  '2025-01-01',
  '2024-10-01',
  '2024-09-01',
  '2024-08-01',
  '2024-07-01',
  '2024-06-01',
  '2024-05-01',
  '2024-02-01',
  '2024-01-01',
  '2023-11-01',
  '2023-10-01',
  '2023-09-01',
  '2023-08-01',
  '2023-07-01',
  '2023-06-01',
  '2023-05-01',
  '2023-04-01',
  '2023-03-01',
  '2023-02-01',
  '2023-01-01',
  '2022-11-01',
  '2022-09-01',
  '2022-08-01',
  '2022-07-01',
  '2022-06-01',
  '2022-04-01',
  '2022-03-01',
  '2022-02-01',
  '2022-01-01',
  '2021-10-01',
  '2021-09-01',
  '2021-08-01',
  '2021-07-01',
  '2021-05-01',
  '2021-03-01',
  '2021-02-01',
  '2020-12-01',
  '2020-11-01',
  '2020-09-01',
  '2020-07-01',
  '2020-06-01',
  '2020-04-01',
  '2020-03-01',
  '2020-02-01',
  '2020-01-01',
  '2019-11-01',
  '2019-10-01',
  '2019-08-01',
  '2019-06-01',
  '2019-04-01',
  '2019-02-01',
];

/** The version the pinned @azure/arm-containerservice (25.3.0, the newest whose engines accept Node 20) sends. */
export const SDK_DEFAULT_API_VERSION = '2026-04-01';

/** True when api-version v is at least min (dates compare as strings; a -preview suffix is ignored). */
export function atLeast(v: string, min: string): boolean {
  return v.slice(0, 10) >= min;
}

/** What a version range covers: the first api-version that has it and, when it was removed, the last. */
export interface Span {
  since?: string;
  until?: string;
}

/** True when api-version v falls in the span. */
export function inSpan(v: string, span: Span | string | undefined): boolean {
  if (span === undefined) return true;
  const s: Span = typeof span === 'string' ? { since: span } : span;
  if (s.since && !atLeast(v, s.since)) return false;
  if (s.until && v.slice(0, 10) > s.until) return false;
  return true;
}

/**
 * THE table of the wire shapes: for every shape the provider returns, each property path (dotted,
 * '[]' for array items) and the api-versions that define it, checked against the public swagger
 * (azure-rest-api-specs, aks/stable/<version>/managedClusters.json) and the SDK models generated from
 * it. A path not listed exists in every advertised version. shape.ts and every sub-resource's wire
 * function cut their output with `shapeFor`; nothing else in the provider knows a version.
 */
export const SHAPES = {
  cluster: {
    eTag: '2024-07-01',
    sku: '2020-03-01',
    systemData: '2022-02-01',
    'properties.maxAgentPools': '2019-04-01',
    'properties.powerState': '2020-09-01',
    'properties.azurePortalFQDN': '2021-02-01',
    'properties.disableLocalAccounts': '2021-03-01',
    'properties.securityProfile': '2021-07-01',
    'properties.publicNetworkAccess': '2021-08-01',
    'properties.currentKubernetesVersion': '2022-04-01',
    'properties.storageProfile': '2022-04-01',
    'properties.oidcIssuerProfile': '2022-09-01',
    'properties.workloadAutoScalerProfile': '2022-11-01',
    'properties.supportPlan': '2023-05-01',
    'properties.resourceUID': '2024-02-01',
    'properties.metricsProfile': '2024-02-01',
    'properties.nodeProvisioningProfile': '2025-03-01',
    'properties.bootstrapProfile': '2025-03-01',
    'properties.networkProfile.loadBalancerSku': '2019-04-01',
    'properties.networkProfile.loadBalancerProfile': '2019-08-01',
    'properties.networkProfile.outboundType': '2019-11-01',
    'properties.networkProfile.podCidrs': '2021-10-01',
    'properties.networkProfile.serviceCidrs': '2021-10-01',
    'properties.networkProfile.ipFamilies': '2021-10-01',
  },
  /** An agent pool's properties, as a child resource and as a cluster's agentPoolProfiles[] entry. */
  poolProperties: {
    enableNodePublicIP: '2019-06-01',
    mode: '2020-03-01',
    nodeImageVersion: '2020-04-01',
    osDiskType: '2020-09-01',
    powerState: '2020-09-01',
    kubeletDiskType: '2020-12-01',
    osSKU: '2021-03-01',
    enableFIPS: '2021-05-01',
    scaleDownMode: '2021-07-01',
    creationData: '2021-08-01',
    currentOrchestratorVersion: '2022-04-01',
    securityProfile: '2024-02-01',
    eTag: '2024-07-01',
  },
  pool: {
    systemData: '2026-06-01',
  },
  maintenanceConfiguration: {
    systemData: '2020-12-01',
    'properties.maintenanceWindow': '2023-05-01',
  },
  snapshot: {
    systemData: '2021-08-01',
    'properties.kubernetesVersion': '2021-09-01',
    'properties.nodeImageVersion': '2021-09-01',
    'properties.osType': '2021-09-01',
    'properties.osSku': '2021-09-01',
    'properties.enableFIPS': '2021-09-01',
    'properties.vmSize': '2021-09-01',
  },
  poolUpgradeProfile: {
    'properties.latestNodeImageVersion': '2020-04-01',
  },
  runCommandResult: {
    'properties.reason': '2021-03-01',
  },
} satisfies Record<string, Record<string, Span | string>>;

export type ShapeName = keyof typeof SHAPES;

/**
 * First (and last) api-version of each operation and sub-resource type the provider serves. Checked
 * against the spec fixtures (test/fixtures/containerservice/spec: every stable version to 2022-11-01,
 * and 2024-02-01); trustedAccessRoles, mesh profiles and pool abort are in 2024-01-01 and not in
 * 2022-11-01, machines and deleteMachines not yet in 2024-02-01: those first versions are the
 * AKS release notes' and are not covered by a fixture.
 */
export const OPERATIONS: Record<string, Span> = {
  'managedClusters/maintenanceConfigurations': { since: '2020-12-01' },
  snapshots: { since: '2021-08-01' },
  'managedClusters/runCommand': { since: '2021-03-01' },
  'managedClusters/commandResults': { since: '2021-03-01' },
  'managedClusters/agentPools/upgradeNodeImageVersion': { since: '2020-07-01' },
  'managedClusters/agentPools/abort': { since: '2023-10-01' },
  'managedClusters/abort': { since: '2023-10-01' },
  'managedClusters/agentPools/deleteMachines': { since: '2025-01-01' },
  'managedClusters/agentPools/machines': { since: '2024-07-01' },
  'managedClusters/availableAgentPoolVersions': { since: '2019-06-01' },
  'managedClusters/start': { since: '2020-09-01' },
  'managedClusters/rotateServiceAccountSigningKeys': { since: '2022-09-01' },
  'managedClusters/stop': { since: '2020-09-01' },
  'locations/osOptions': { since: '2021-03-01', until: '2024-02-01' },
  'locations/kubernetesVersions': { since: '2023-04-01' },
  'locations/trustedAccessRoles': { since: '2023-09-01' },
  'managedClusters/outboundNetworkDependenciesEndpoints': { since: '2021-05-01' },
  'managedClusters/privateLinkResources': { since: '2020-09-01' },
  'managedClusters/privateEndpointConnections': { since: '2020-06-01' },
  'locations/meshRevisionProfiles': { since: '2023-10-01' },
  'managedClusters/meshUpgradeProfiles': { since: '2023-10-01' },
};

/** Upgrade lists in upgrade profiles are objects ({kubernetesVersion, isPreview}) from this version; plain versions before. */
export const UPGRADE_OBJECTS_SINCE = '2019-04-01';

/** The advertised api-versions that have an operation or type. */
export function versionsOf(key: keyof typeof OPERATIONS | string): string[] {
  const span = OPERATIONS[key];
  if (!span) throw new Error(`versions.ts: no api-version span for '${key}'`);
  return AKS_API_VERSIONS.filter((v) => inSpan(v, span));
}

/** Whether an action or sub-resource exists at an api-version. */
export function offeredAt(key: string, apiVersion: string): boolean {
  return inSpan(apiVersion, OPERATIONS[key]);
}

/**
 * Removes from a wire object (in place) every listed path the api-version does not define, and
 * returns it. Paths walk objects and, with '[]', arrays.
 */
export function shapeFor<T>(name: ShapeName, obj: T, apiVersion: string): T {
  const table = SHAPES[name] as Record<string, Span | string>;
  for (const [path, span] of Object.entries(table)) {
    if (inSpan(apiVersion, span)) continue;
    dropPath(obj, path.split('.'));
  }
  return obj;
}

function dropPath(o: any, parts: string[]): void {
  if (o === null || typeof o !== 'object') return;
  const [head, ...rest] = parts;
  if (head.endsWith('[]')) {
    const arr = o[head.slice(0, -2)];
    if (Array.isArray(arr)) for (const x of arr) dropPath(x, rest);
    return;
  }
  if (rest.length === 0) {
    delete o[head];
    return;
  }
  dropPath(o[head], rest);
}
