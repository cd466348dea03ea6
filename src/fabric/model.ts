// Plain data for the on-prem fabric: the targets resources land on (Azure regions, Azure Stack Hub
// stamps, Azure Stack HCI sites), their hosts and logical networks, and the VMs placed on them.
// Everything here is JSON so it can sit in the store and cross the wire to a site process as is.

export type SiteKind = 'AzureRegion' | 'AzureStackHub' | 'AzureStackHCI';

/**
 * What a VM is for: the roles of an AKS (hybrid) deployment (from the AKS hybrid architecture), and
 * 'virtualMachine' for a workload VM someone created on the site for itself.
 */
export type VmRole = 'controlPlane' | 'worker' | 'loadBalancer' | 'managementCluster' | 'appliance' | 'virtualMachine';

/**
 * Creating: placed and holding capacity, not yet booted.  Running / Stopped: allocated on a host.
 * Deallocated: stopped and released from its host (holds no compute).  Failed: its host failed and
 * no other host had room; it restarts when capacity comes back.  Deleting: a delete is queued until
 * the site is reachable again (the VM still holds capacity until then).
 */
export type VmState = 'Creating' | 'Running' | 'Stopped' | 'Deallocated' | 'Failed' | 'Deleting';

export type HostState = 'Up' | 'Failed';

export interface IpRange {
  start: string;
  end: string;
}

export interface LogicalNetwork {
  name: string;
  /** CIDR, e.g. '192.168.0.0/24'. */
  addressPrefix: string;
  gateway?: string;
  vlan?: number;
  dnsServers?: string[];
  /** Node addresses are handed out from these. */
  ipPools: IpRange[];
  /** Virtual IPs for the load balancer (kept for the Arc chain; not allocated by the fabric yet). */
  vipPools?: IpRange[];
  /** Addresses come from the site's DHCP server, not from the fabric's pools. */
  dhcp?: boolean;
  /** Set on networks added at run time: the id of whatever asked for it (absent for configured ones). */
  owner?: string;
  /** The operation that added it (its undo removes only its own network). */
  createdBy?: string;
}

/**
 * A software package installed on a cluster that runs on the site (a Kubernetes cluster extension:
 * an operator, an agent). The fabric only keeps what is installed where; it does not know what the
 * package does.
 */
export interface PackageInstall {
  /** Unique on the site. */
  name: string;
  site: string;
  /** Id of whatever asked for the install. */
  owner: string;
  /** Id of the cluster it is installed on: deleting that owner's VMs removes its installs too. */
  host: string;
  packageType: string;
  version: string;
  namespace?: string;
  state: 'Installed' | 'Uninstalling';
  createdBy: string;
  createdAt: string;
  /** What an update replaced, so its undo can put it back. */
  previous?: { version: string; createdBy: string };
  rev: number;
}

export interface PackageRequest {
  name: string;
  owner: string;
  host: string;
  packageType: string;
  version: string;
  namespace?: string;
}

/** A physical host as configured (the hardware does not change at run time). */
export interface HostSpec {
  name: string;
  cores: number;
  memoryGB: number;
  storageGB: number;
}

/** A host as the fabric reports it: configuration, state and what is used on it. */
export interface Host extends HostSpec {
  state: HostState;
  usedCores: number;
  usedMemoryGB: number;
  usedStorageGB: number;
}

export interface Vm {
  name: string;
  site: string;
  role: VmRole;
  /** ARM id of the resource the VM serves (the cluster, the appliance...). */
  owner: string;
  /** Agent pool of a worker. */
  pool?: string;
  vmSize: string;
  cores: number;
  memoryGB: number;
  storageGB: number;
  /** Host it is placed on; null when deallocated (or on an elastic Azure region before placement). */
  host: string | null;
  state: VmState;
  ip?: string;
  logicalNetwork?: string;
  /** The VM's address is one reserved by this owner (a network interface), not one the VM took itself. */
  addressOwner?: string;
  kubernetesVersion?: string;
  /** A worker has joined its cluster (is a Ready node). */
  joined?: boolean;
  /** Operation that created it: rollback removes only what its own operation created. */
  createdBy: string;
  createdAt: string;
  /** The VM this one replaces in a rolling upgrade. */
  replaces?: string;
  /**
   * Last power change and the state before the operation first changed it (an operation may change a VM
   * twice: a restart stops then starts it), so an undo reverts only its own change.
   */
  lastChange?: { op: string; from: VmState; action?: string };
  /** State to return to when a Failed VM is restarted. */
  failedFrom?: VmState;
  restarts?: number;
  /** Site-wide change stamp, monotonic; lets a remote cache drop stale updates. */
  rev: number;
}

/** What a caller asks the fabric to create. */
export interface VmRequest {
  name: string;
  owner: string;
  role: VmRole;
  vmSize: string;
  pool?: string;
  kubernetesVersion?: string;
  logicalNetwork?: string;
  replaces?: string;
  /** For vmSize 'Custom': the VM's own cores, memory and OS disk (a workload VM sized by its creator). */
  custom?: { cores: number; memoryGB: number; storageGB: number };
  /** Use this address of logicalNetwork, reserved beforehand by addressOwner (reserveAddress). */
  ip?: string;
  addressOwner?: string;
}

/** An address of a logical network held for an owner (a network interface) whether or not a VM uses it. */
export interface AddressReservation {
  site: string;
  network: string;
  ip: string;
  owner: string;
  createdBy: string;
  rev: number;
}

/** Durable per-site facts other than VMs (one small store key per site). */
export interface SiteState {
  name: string;
  connected: boolean;
  disconnectedAt?: string;
  failedHosts: string[];
}

// ---- what the admin API shows (its first fields are a stable contract for scripts) ---------------

export interface HostView {
  name: string;
  state: HostState;
  cores: number;
  freeCores: number;
  memoryGB: number;
  freeMemoryGB: number;
  storageGB: number;
  freeStorageGB: number;
  vmCount: number;
}

export interface VmView {
  name: string;
  role: VmRole;
  host: string | null;
  state: VmState;
  owner: string;
  vmSize: string;
  cores: number;
  memoryGB: number;
  ip?: string;
  pool?: string;
  joined?: boolean;
  kubernetesVersion?: string;
}

export interface SiteSnapshot {
  name: string;
  kind: SiteKind;
  connected: boolean;
  /** While disconnected: since when (ISO time). */
  disconnectedAt?: string;
  /** Azure regions have no capacity limit. */
  elastic: boolean;
  /** The ARM location a Hub stamp or region answers to. */
  location?: string;
  /** Set when the site runs in its own process. */
  remote?: string;
  /** False when the site's process could not be reached (the rest is the last known state). */
  reachable?: boolean;
  hosts: HostView[];
  capacity: { cores: number; freeCores: number; memoryGB: number; freeMemoryGB: number; storageGB: number; freeStorageGB: number } | null;
  logicalNetworks: (LogicalNetwork & { usedIps: number; freeIps: number; reservedIps?: { ip: string; owner: string }[] })[];
  vms: VmView[];
  /** Packages installed on the site's clusters (cluster extensions). */
  packages?: Omit<PackageInstall, 'rev' | 'previous' | 'createdBy'>[];
}

export interface FabricSnapshot {
  sites: SiteSnapshot[];
}

/** A change a site made, pushed to listeners (and to a remote client's cache). */
export type VmChange = { type: 'upsert'; vm: Vm } | { type: 'delete'; site: string; name: string; owner: string; rev: number };

/** A cluster as the fabric sees it: what a provider reads to fill node counts and health. */
export interface OwnerStatus {
  owner: string;
  sites: string[];
  vms: Vm[];
  controlPlaneCount: number;
  loadBalancerCount: number;
  /** Ready workers per agent pool (joined and Running). */
  nodeCounts: Record<string, number>;
  /** Workers per pool whatever their state. */
  workerCounts: Record<string, number>;
  /** 'Running' when everything allocated runs, 'Stopped' when nothing runs. */
  powerState: 'Running' | 'Stopped' | 'Mixed' | 'None';
  /** Some VM is down (its host failed and nothing had room). */
  degraded: boolean;
  failedVms: string[];
  kubernetesVersions: string[];
}

/** The result of a host fault: what moved, what is down. */
export interface FaultReport {
  site: string;
  host: string;
  restarted: { vm: string; to: string }[];
  failed: string[];
  degradedOwners: string[];
}

export function vmView(vm: Vm): VmView {
  const v: VmView = {
    name: vm.name,
    role: vm.role,
    host: vm.host,
    state: vm.state,
    owner: vm.owner,
    vmSize: vm.vmSize,
    cores: vm.cores,
    memoryGB: vm.memoryGB,
  };
  if (vm.ip) v.ip = vm.ip;
  if (vm.pool) v.pool = vm.pool;
  if (vm.joined !== undefined) v.joined = vm.joined;
  if (vm.kubernetesVersion) v.kubernetesVersion = vm.kubernetesVersion;
  return v;
}

/** States in which a VM holds compute on its host. */
export function holdsCapacity(vm: Vm): boolean {
  return vm.host !== null && (vm.state === 'Creating' || vm.state === 'Running' || vm.state === 'Stopped' || vm.state === 'Deleting');
}

/** How a site is named in messages: "Azure Stack Hub stamp 'local'". */
export function describeSite(kind: SiteKind, name: string): string {
  switch (kind) {
    case 'AzureStackHub':
      return `Azure Stack Hub stamp '${name}'`;
    case 'AzureStackHCI':
      return `Azure Stack HCI site '${name}'`;
    default:
      return `Azure region '${name}'`;
  }
}
