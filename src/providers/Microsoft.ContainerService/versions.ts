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

/** Cluster properties and the first version that returns them. */
export const CLUSTER_PROPERTY_SINCE: Record<string, string> = {
  powerState: '2020-09-01',
  azurePortalFQDN: '2021-02-01',
  disableLocalAccounts: '2021-03-01',
  securityProfile: '2021-07-01',
  publicNetworkAccess: '2021-08-01',
  currentKubernetesVersion: '2022-04-01',
  storageProfile: '2022-04-01',
  oidcIssuerProfile: '2022-04-01',
  workloadAutoScalerProfile: '2022-11-01',
  supportPlan: '2023-05-01',
  resourceUID: '2024-02-01',
  metricsProfile: '2024-02-01',
  nodeProvisioningProfile: '2025-03-01',
  bootstrapProfile: '2025-03-01',
};

/** Agent pool properties and the first version that returns them. */
export const POOL_PROPERTY_SINCE: Record<string, string> = {
  powerState: '2020-09-01',
  kubeletDiskType: '2020-11-01',
  enableFIPS: '2021-05-01',
  currentOrchestratorVersion: '2022-04-01',
  securityProfile: '2024-02-01',
  eTag: '2024-02-01',
};
