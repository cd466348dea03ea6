// The VM sizes the fabric knows (real Azure sizes: vCPUs, memory, OS disk) and which of them each
// kind of site offers. Capacity accounting on hosts is done in these units.

import type { SiteKind } from './model.js';

export interface VmSize {
  name: string;
  cores: number;
  memoryGB: number;
  /** OS disk the node VM gets. */
  storageGB: number;
  gpu?: boolean;
}


// ---- VM sizes (real Azure sizes: vCPUs, memory) -------------------------------------------------

const OS_DISK_GB = 128;
const size = (name: string, cores: number, memoryGB: number, gpu = false): VmSize =>
  gpu ? { name, cores, memoryGB, storageGB: OS_DISK_GB, gpu } : { name, cores, memoryGB, storageGB: OS_DISK_GB };

export const VM_SIZES: Record<string, VmSize> = Object.fromEntries(
  [
    size('Standard_B2s', 2, 4),
    size('Standard_B2ms', 2, 8),
    size('Standard_B4ms', 4, 16),
    size('Standard_A2_v2', 2, 4),
    size('Standard_A4_v2', 4, 8),
    size('Standard_A8_v2', 8, 16),
    size('Standard_D2_v2', 2, 7),
    size('Standard_D3_v2', 4, 14),
    size('Standard_D4_v2', 8, 28),
    size('Standard_DS2_v2', 2, 7),
    size('Standard_DS3_v2', 4, 14),
    size('Standard_DS4_v2', 8, 28),
    size('Standard_DS5_v2', 16, 56),
    size('Standard_DS13_v2', 8, 56),
    size('Standard_F2s_v2', 2, 4),
    size('Standard_F4s_v2', 4, 8),
    size('Standard_F8s_v2', 8, 16),
    size('Standard_D2s_v3', 2, 8),
    size('Standard_D4s_v3', 4, 16),
    size('Standard_D8s_v3', 8, 32),
    size('Standard_D16s_v3', 16, 64),
    size('Standard_D32s_v3', 32, 128),
    size('Standard_E4s_v3', 4, 32),
    size('Standard_D2s_v5', 2, 8),
    size('Standard_D4s_v5', 4, 16),
    size('Standard_D8s_v5', 8, 32),
    size('Standard_D2ds_v5', 2, 8),
    size('Standard_D4ds_v5', 4, 16),
    size('Standard_D8ds_v5', 8, 32),
    size('Standard_NC6s_v3', 6, 112, true),
    // AKS hybrid's own sizes for small nodes and the HAProxy load balancer
    size('Standard_K8S_v1', 4, 2),
    size('Standard_K8S2_v1', 2, 2),
    size('Standard_K8S3_v1', 4, 6),
    size('Standard_K8S4_v1', 4, 8),
  ].map((s) => [s.name, s]),
);

const AZURE_SIZES = Object.keys(VM_SIZES).filter((n) => !n.startsWith('Standard_K8S'));
const HUB_SIZES = [
  'Standard_A2_v2',
  'Standard_A4_v2',
  'Standard_A8_v2',
  'Standard_D2_v2',
  'Standard_D3_v2',
  'Standard_D4_v2',
  'Standard_DS2_v2',
  'Standard_DS3_v2',
  'Standard_DS4_v2',
  'Standard_DS5_v2',
  'Standard_DS13_v2',
  'Standard_F2s_v2',
  'Standard_F4s_v2',
  'Standard_F8s_v2',
  'Standard_D2s_v3',
  'Standard_D4s_v3',
  'Standard_D8s_v3',
];
const HCI_SIZES = [
  'Standard_K8S_v1',
  'Standard_K8S2_v1',
  'Standard_K8S3_v1',
  'Standard_K8S4_v1',
  'Standard_A2_v2',
  'Standard_A4_v2',
  'Standard_D2s_v3',
  'Standard_D4s_v3',
  'Standard_D8s_v3',
  'Standard_D16s_v3',
  'Standard_D32s_v3',
  'Standard_DS2_v2',
  'Standard_DS3_v2',
  'Standard_DS4_v2',
  'Standard_DS5_v2',
  'Standard_DS13_v2',
];

const SIZES_BY_KIND: Record<SiteKind, string[]> = { AzureRegion: AZURE_SIZES, AzureStackHub: HUB_SIZES, AzureStackHCI: HCI_SIZES };

/** The sizes a site offers: its configured list, else its kind's. */
export function siteVmSizes(site: { kind: SiteKind; capabilities?: { vmSizes?: string[] } }): VmSize[] {
  return (site.capabilities?.vmSizes ?? SIZES_BY_KIND[site.kind]).map((n) => VM_SIZES[n]).filter((s): s is VmSize => !!s);
}

export function findVmSize(sizes: readonly VmSize[], name: string): VmSize | undefined {
  const k = name.toLowerCase();
  return sizes.find((s) => s.name.toLowerCase() === k);
}
