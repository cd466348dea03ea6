// The Fabric service: every target (Azure region, Hub stamp, HCI site) behind one object. Each
// site is a FabricBackend, either in process (LocalSiteFabric, state in the emulator's store) or a
// client of the site's own process (RemoteSiteFabric, over loopback HTTP); task kinds and
// providers talk to this interface only, so they do not care where a site runs.

import { Errors } from '../arm/errors.js';
import type { AddressReservation, FabricSnapshot, FaultReport, LogicalNetwork, OwnerStatus, PackageInstall, PackageRequest, SiteSnapshot, Vm, VmChange, VmRequest } from './model.js';
import type { SiteDefinition } from './sites.js';

export type PowerAction = 'start' | 'stop' | 'deallocate';

/**
 * One site's fabric controller. Mutations are idempotent and name the ARM operation making them
 * (opId), so a task re-run after a crash finds its own work instead of repeating it, and an undo
 * removes only what its operation created. Sync reads answer from memory (a cache for a remote site).
 */
export interface FabricBackend {
  readonly definition: SiteDefinition;
  open(): Promise<void>;
  close(): Promise<void>;

  connected(): boolean;
  /** When the site lost its link to Azure (ISO time), while it is disconnected. */
  disconnectedSince(): string | undefined;
  getVm(name: string): Vm | undefined;
  vmsOf(owner: string): Vm[];
  allVms(): Vm[];
  snapshot(): Promise<SiteSnapshot>;

  /** Places and holds capacity for VMs (state Creating) all at once, or refuses with the shortfall. */
  reserve(reqs: VmRequest[], opId: string): Promise<Vm[]>;
  /** Boots a reserved VM, or places and boots a new one. */
  createVm(req: VmRequest, opId: string): Promise<Vm>;
  /** Undo of createVm: deletes the VM if this operation created it (queued while disconnected). */
  undoCreate(name: string, opId: string): Promise<void>;
  /** Undo of reserve: deletes every VM of the owner this operation created. */
  releaseOp(owner: string, opId: string): Promise<void>;
  deleteVm(name: string, owner: string): Promise<void>;
  deleteOwner(owner: string): Promise<string[]>;
  power(name: string, action: PowerAction, opId: string): Promise<Vm>;
  /** Undo of power: returns the VM to its state before this operation's change. */
  revertPower(name: string, opId: string): Promise<void>;
  joinNode(name: string, opId: string): Promise<Vm>;

  /** Adds (or updates) a logical network at run time; refuses an overlap on the same VLAN. */
  addNetwork(net: LogicalNetwork, opId: string): Promise<LogicalNetwork>;
  /** Undo of addNetwork: removes it if this operation added it and no VM holds an address on it. */
  undoAddNetwork(name: string, opId: string): Promise<void>;
  /** Removes a network added at run time; refuses (409) while VMs hold addresses on it. */
  removeNetwork(name: string, owner: string): Promise<void>;
  /** Holds an address of a network for an owner (a network interface); idempotent per owner and network. */
  reserveAddress(req: { network: string; owner: string; ip?: string }, opId: string): Promise<AddressReservation>;
  /** Undo of reserveAddress: gives back the address if this operation took it. */
  undoReserveAddress(owner: string, network: string, opId: string): Promise<void>;
  /** Gives an owner's address back; 409 while a VM uses it. */
  releaseAddress(owner: string, network: string): Promise<void>;
  /** Installs (or updates) a package on a cluster of the site. */
  installPackage(req: PackageRequest, opId: string): Promise<PackageInstall>;
  undoInstallPackage(name: string, opId: string): Promise<void>;
  /** Uninstalls; with force it does not wait for a disconnected site (queued until it reconnects). */
  uninstallPackage(name: string, owner: string, force?: boolean): Promise<void>;

  setConnected(connected: boolean): Promise<void>;
  failHost(host: string): Promise<FaultReport>;
  recoverHost(host: string): Promise<FaultReport>;

  onChange(listener: (c: VmChange) => void): () => void;
}

export type OwnerListener = (owner: string, status: OwnerStatus) => void;

export class Fabric {
  private readonly backends = new Map<string, FabricBackend>();
  private readonly byLocation = new Map<string, string>();
  private readonly ownerListeners = new Set<OwnerListener>();
  private changes = 0;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly closers: (() => void | Promise<void>)[] = [];

  constructor(backends: FabricBackend[]) {
    for (const b of backends) {
      const name = b.definition.name.toLowerCase();
      this.backends.set(name, b);
      if (b.definition.location) this.byLocation.set(b.definition.location.toLowerCase(), name);
      this.unsubscribe.push(b.onChange((c) => this.changed(c)));
    }
  }

  async open(): Promise<void> {
    await Promise.all([...this.backends.values()].map((b) => b.open()));
  }

  /** Runs when the fabric closes (releases waits and timers of whoever registered). */
  onClose(fn: () => void | Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.closers.splice(0)) await fn();
    for (const u of this.unsubscribe) u();
    await Promise.all([...this.backends.values()].map((b) => b.close()));
  }

  // ---- targets ---------------------------------------------------------------------------------------

  sites(): SiteDefinition[] {
    return [...this.backends.values()].map((b) => b.definition);
  }

  hasSite(name: string): boolean {
    return this.backends.has(name.toLowerCase());
  }

  /** The backend of a site; 404 with the known names when unknown. */
  site(name: string): FabricBackend {
    const b = this.backends.get(String(name).toLowerCase());
    if (!b)
      throw Errors.withStatus(
        404,
        'SiteNotFound',
        `The fabric has no site named '${name}'. Known sites: ${[...this.backends.values()]
          .filter((x) => x.definition.kind !== 'AzureRegion')
          .map((x) => x.definition.name)
          .join(', ')} and the Azure regions.`,
      );
    return b;
  }

  /** The site an ARM location lands on: an Azure region or a Hub stamp (HCI sites come through custom locations). */
  siteForLocation(location: string): SiteDefinition | undefined {
    const name = this.byLocation.get(location.replace(/\s+/g, '').toLowerCase());
    return name ? this.backends.get(name)!.definition : undefined;
  }

  // ---- what a provider reads -----------------------------------------------------------------------------

  /** Every VM serving an ARM resource, across sites (sync; a remote site answers from its cache). */
  ownerVms(owner: string): Vm[] {
    const out: Vm[] = [];
    for (const b of this.backends.values()) out.push(...b.vmsOf(owner));
    return out;
  }

  /** Node counts, power state and health of a cluster, from what the fabric actually did. */
  ownerStatus(owner: string): OwnerStatus {
    return ownerStatusOf(owner, this.ownerVms(owner));
  }

  /** Called whenever a VM of an owner changes (a provider updates node counts or health from it). */
  onOwnerChanged(listener: OwnerListener): () => void {
    this.ownerListeners.add(listener);
    return () => this.ownerListeners.delete(listener);
  }

  /**
   * Grows with every VM change and fault a site reports, also from a site in its own process (whose
   * writes are not in this store): with the store's version, what a watcher compares.
   */
  changeCount(): number {
    return this.changes;
  }

  private changed(c: VmChange): void {
    this.changes++;
    if (this.ownerListeners.size === 0) return;
    const owner = c.type === 'upsert' ? c.vm.owner : c.owner;
    const status = this.ownerStatus(owner);
    for (const l of this.ownerListeners) {
      try {
        l(owner, status);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  async snapshot(filter?: { kind?: string; site?: string }): Promise<FabricSnapshot> {
    const picked = [...this.backends.values()].filter(
      (b) => (!filter?.kind || b.definition.kind.toLowerCase() === filter.kind.toLowerCase()) && (!filter?.site || b.definition.name.toLowerCase() === filter.site.toLowerCase()),
    );
    return { sites: await Promise.all(picked.map((b) => b.snapshot())) };
  }

  // ---- faults ---------------------------------------------------------------------------------------------

  disconnect(site: string): Promise<void> {
    return this.counted(this.site(site).setConnected(false));
  }
  connect(site: string): Promise<void> {
    return this.counted(this.site(site).setConnected(true));
  }
  failHost(site: string, host: string): Promise<FaultReport> {
    return this.counted(this.site(site).failHost(host));
  }
  recoverHost(site: string, host: string): Promise<FaultReport> {
    return this.counted(this.site(site).recoverHost(host));
  }

  private async counted<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } finally {
      this.changes++;
    }
  }
}

/** Pure: what a set of VMs says about the cluster they make up. */
export function ownerStatusOf(owner: string, vms: Vm[]): OwnerStatus {
  const nodeCounts: Record<string, number> = {};
  const workerCounts: Record<string, number> = {};
  const failedVms: string[] = [];
  const versions = new Set<string>();
  let cp = 0;
  let lb = 0;
  let running = 0;
  let down = 0;
  for (const vm of vms) {
    if (vm.state === 'Deleting') continue;
    if (vm.role === 'controlPlane' && vm.state !== 'Failed') cp++;
    if (vm.role === 'loadBalancer' && vm.state !== 'Failed') lb++;
    if (vm.role === 'worker') {
      const pool = vm.pool ?? 'default';
      workerCounts[pool] = (workerCounts[pool] ?? 0) + 1;
      nodeCounts[pool] ??= 0;
      if (vm.joined && vm.state === 'Running') nodeCounts[pool]++;
    }
    if (vm.state === 'Failed') failedVms.push(vm.name);
    if (vm.state === 'Running') running++;
    if (vm.state === 'Stopped' || vm.state === 'Deallocated') down++;
    if (vm.kubernetesVersion) versions.add(vm.kubernetesVersion);
  }
  const powerState = running === 0 && down === 0 ? 'None' : down === 0 ? 'Running' : running === 0 ? 'Stopped' : 'Mixed';
  return {
    owner,
    sites: [...new Set(vms.map((v) => v.site))],
    vms,
    controlPlaneCount: cp,
    loadBalancerCount: lb,
    nodeCounts,
    workerCounts,
    powerState,
    degraded: failedVms.length > 0,
    failedVms,
    kubernetesVersions: [...versions].sort(),
  };
}
