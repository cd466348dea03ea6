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
// The families and their vCPU/memory steps are Azure's published VM size tables (general purpose B, Av2, Dv2-Dv6,
// memory optimised Ev3-Ev5, compute optimised Fsv2, storage optimised Lsv3, GPU NCv3/NCasT4_v3/NCadsA100_v4),
// plus AKS on Azure Local's own sizes (K8S, and its GPU sizes NK (T4), NC_A2, NC_A16).

const OS_DISK_GB = 128;
const size = (name: string, cores: number, memoryGB: number, gpu = false): VmSize => (gpu ? { name, cores, memoryGB, storageGB: OS_DISK_GB, gpu } : { name, cores, memoryGB, storageGB: OS_DISK_GB });

/** One family: 'Standard_D{n}s_v5' over vCPU counts, memory = vCPUs x GiB per vCPU (or a table). */
function family(pattern: string, steps: number[], memory: number | ((n: number) => number), gpu = false): VmSize[] {
  return steps.map((n) => size(pattern.replace('{n}', String(n)), n, typeof memory === 'number' ? n * memory : memory(n), gpu));
}

const STEPS = [2, 4, 8, 16, 32, 48, 64];
const STEPS_96 = [...STEPS, 96];
const E_V3 = (n: number) => (n === 64 ? 432 : n * 8);
const E_V4 = (n: number) => (n === 64 ? 504 : n * 8);

export const VM_SIZES: Record<string, VmSize> = Object.fromEntries(
  [
    size('Standard_B1ls', 1, 0.5),
    size('Standard_B1s', 1, 1),
    size('Standard_B1ms', 1, 2),
    size('Standard_B2s', 2, 4),
    size('Standard_B2ms', 2, 8),
    size('Standard_B4ms', 4, 16),
    size('Standard_B8ms', 8, 32),
    size('Standard_B12ms', 12, 48),
    size('Standard_B16ms', 16, 64),
    size('Standard_B20ms', 20, 80),
    size('Standard_A1_v2', 1, 2),
    size('Standard_A2_v2', 2, 4),
    size('Standard_A4_v2', 4, 8),
    size('Standard_A8_v2', 8, 16),
    size('Standard_A2m_v2', 2, 16),
    size('Standard_A4m_v2', 4, 32),
    size('Standard_A8m_v2', 8, 64),
    ...['', 'S'].flatMap((s) => [
      size(`Standard_D${s}1_v2`, 1, 3.5),
      size(`Standard_D${s}2_v2`, 2, 7),
      size(`Standard_D${s}3_v2`, 4, 14),
      size(`Standard_D${s}4_v2`, 8, 28),
      size(`Standard_D${s}5_v2`, 16, 56),
      size(`Standard_D${s}11_v2`, 2, 14),
      size(`Standard_D${s}12_v2`, 4, 28),
      size(`Standard_D${s}13_v2`, 8, 56),
      size(`Standard_D${s}14_v2`, 16, 112),
    ]),
    ...family('Standard_D{n}_v3', STEPS, 4),
    ...family('Standard_D{n}s_v3', STEPS, 4),
    ...family('Standard_E{n}_v3', [2, 4, 8, 16, 20, 32, 48, 64], E_V3),
    ...family('Standard_E{n}s_v3', [2, 4, 8, 16, 20, 32, 48, 64], E_V3),
    ...['', 's', 'd', 'ds'].flatMap((v) => family(`Standard_D{n}${v}_v4`, STEPS, 4)),
    ...['', 's', 'd', 'ds'].flatMap((v) => family(`Standard_E{n}${v}_v4`, [2, 4, 8, 16, 20, 32, 48, 64], E_V4)),
    ...['', 's', 'd', 'ds', 'as', 'ads'].flatMap((v) => family(`Standard_D{n}${v}_v5`, STEPS_96, 4)),
    ...['', 's', 'd', 'ds', 'as', 'ads'].flatMap((v) => family(`Standard_E{n}${v}_v5`, [2, 4, 8, 16, 20, 32, 48, 64, 96], (n) => (n === 96 ? 672 : n * 8))),
    ...['s', 'ds', 'as', 'ads'].flatMap((v) => family(`Standard_D{n}${v}_v6`, STEPS_96, 4)),
    ...family('Standard_F{n}s_v2', [2, 4, 8, 16, 32, 48, 64, 72], 2),
    ...family('Standard_L{n}s_v3', [8, 16, 32, 48, 64, 80], 8),
    size('Standard_NC6s_v3', 6, 112, true),
    size('Standard_NC12s_v3', 12, 224, true),
    size('Standard_NC24s_v3', 24, 448, true),
    size('Standard_NC4as_T4_v3', 4, 28, true),
    size('Standard_NC8as_T4_v3', 8, 56, true),
    size('Standard_NC16as_T4_v3', 16, 110, true),
    size('Standard_NC64as_T4_v3', 64, 440, true),
    size('Standard_NC24ads_A100_v4', 24, 220, true),
    size('Standard_NC48ads_A100_v4', 48, 440, true),
    size('Standard_NC96ads_A100_v4', 96, 880, true),
    // AKS on Azure Local's own sizes for small nodes and the HAProxy load balancer, and its GPU sizes
    size('Standard_K8S_v1', 4, 2),
    size('Standard_K8S2_v1', 2, 2),
    size('Standard_K8S3_v1', 4, 6),
    size('Standard_K8S4_v1', 4, 8),
    size('Standard_K8S5_v1', 8, 8),
    size('Standard_NK6', 6, 12, true),
    size('Standard_NK12', 12, 24, true),
    ...['A2', 'A16'].flatMap((g) => [
      size(`Standard_NC4_${g}`, 4, 8, true),
      size(`Standard_NC8_${g}`, 8, 16, true),
      size(`Standard_NC16_${g}`, 16, 64, true),
      size(`Standard_NC32_${g}`, 32, 128, true),
    ]),
  ].map((s) => [s.name, s]),
);

/** Sizes only an Azure Local (HCI) site has. */
const HCI_ONLY = /^Standard_(K8S\d?_v1|NK\d+|NC\d+_A(2|16))$/;
const AZURE_SIZES = Object.keys(VM_SIZES).filter((n) => !HCI_ONLY.test(n));
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
// AKS on Azure Local's published control-plane and worker sizes (its scale requirements and GPU models), and the
// K8S sizes of its HAProxy load balancer and small nodes.
const HCI_SIZES = [
  'Standard_K8S_v1',
  'Standard_K8S2_v1',
  'Standard_K8S3_v1',
  'Standard_K8S4_v1',
  'Standard_K8S5_v1',
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
  'Standard_NK6',
  'Standard_NK12',
  'Standard_NC4_A2',
  'Standard_NC8_A2',
  'Standard_NC16_A2',
  'Standard_NC32_A2',
  'Standard_NC4_A16',
  'Standard_NC8_A16',
  'Standard_NC16_A16',
  'Standard_NC32_A16',
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
