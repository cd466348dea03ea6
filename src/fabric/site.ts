// One site's fabric, in process: hosts, logical networks and VMs, kept in the store's 'fabric'
// collection as one small key per VM plus one per site (connection, failed hosts). Capacity used,
// addresses taken and placement peers are never stored: they are recomputed from the VMs, so a
// VM can be neither leaked by a crash nor counted twice. Each mutation updates memory at once
// (so concurrent tasks see it) and resolves once it is durable.

import { Errors, ArmError } from '../arm/errors.js';
import type { Store, StoreChange, WriteOp } from '../store/store.js';
import { findVmSize, siteVmSizes, type VmSize } from './vmSizes.js';
import type { FabricBackend, PowerAction } from './fabric.js';
import {
  describeSite,
  holdsCapacity,
  vmView,
  type FaultReport,
  type Host,
  type LogicalNetwork,
  type PackageInstall,
  type PackageRequest,
  type AddressReservation,
  type SiteSnapshot,
  type SiteState,
  type Vm,
  type VmRequest,
} from './model.js';
import {
  addPeer,
  allocateIp,
  chooseHost,
  diagnose,
  intToIp,
  ipToInt,
  placeAll,
  parseCidr,
  poolSize,
  shortfallMessage,
  toRanges,
  type PeerCounter,
  type PeerIndex,
  type PlacementRequest,
} from './placement.js';

const NO_PEERS = Object.freeze({ sameRole: 0, sameOwner: 0 });
import type { SiteDefinition } from './sites.js';
import { VmIndex } from './vmIndex.js';

export const FABRIC_COLLECTION = 'fabric';
const ELASTIC_HOST = 'elastic';
const SETUP_OP = 'site-setup';

const vmKey = (site: string, name: string) => `vm:${site.toLowerCase()}:${name}`;
const siteKey = (site: string) => `site:${site.toLowerCase()}`;
const netKey = (site: string, name: string) => `lnet:${site.toLowerCase()}:${name.toLowerCase()}`;
const pkgKey = (site: string, name: string) => `pkg:${site.toLowerCase()}:${name.toLowerCase()}`;
const addrKey = (site: string, net: string, ip: string) => `addr:${site.toLowerCase()}:${net.toLowerCase()}:${ip}`;
const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class LocalSiteFabric extends VmIndex implements FabricBackend {
  readonly definition: SiteDefinition;
  private readonly vmSizes: VmSize[];
  private readonly where: string;
  private state: SiteState;
  private readonly hosts = new Map<string, Host>();
  /** host -> owner (lowercase) -> VMs in all and by role, for spreading a cluster's VMs. */
  private readonly peers: PeerIndex = new Map();
  /** Each network's IP pools, parsed once. */
  private readonly ipRanges = new Map<string, (readonly [number, number])[]>();
  private readonly usedIps = new Map<string, Set<number>>();
  private readonly ipCursor = new Map<string, number>();
  /** Logical networks added at run time (the configured ones stay in the definition). */
  private readonly addedNets = new Map<string, LogicalNetwork>();
  /** Packages installed on the site's clusters, by lowercased name. */
  private readonly packages = new Map<string, PackageInstall>();
  /** Addresses held for owners (network interfaces), by addrKey. */
  private readonly reservations = new Map<string, AddressReservation>();
  private failedCount = 0;
  private lastRev = 0;
  private detachStore?: () => void;

  constructor(
    definition: SiteDefinition,
    private readonly store: Store,
  ) {
    super();
    this.definition = definition;
    this.vmSizes = siteVmSizes(definition);
    this.where = describeSite(definition.kind, definition.name);
    this.state = { name: definition.name, connected: true, failedHosts: [] };
    for (const h of definition.hosts) this.hosts.set(h.name, { ...h, state: 'Up', usedCores: 0, usedMemoryGB: 0, usedStorageGB: 0 });
    for (const n of definition.logicalNetworks) {
      this.usedIps.set(n.name, new Set());
      this.ipRanges.set(n.name, toRanges(n.ipPools));
    }
  }

  // ---- loading -------------------------------------------------------------------------------------------

  async open(): Promise<void> {
    this.load();
    this.detachStore = this.store.onExternalChange((changes) => this.external(changes));
    await this.locked(async () => {
      await this.ensureInfrastructure();
      if (this.failedCount > 0 && this.state.connected) await this.healFailed();
    });
  }

  /** Builds the site's memory (hosts' use, addresses, peers) from the store. */
  private load(): void {
    const saved = this.store.get<SiteState>(FABRIC_COLLECTION, siteKey(this.definition.name));
    this.applySiteState(saved);
    // Networks first: a VM's address is counted against its network when it is indexed.
    const netPrefix = `lnet:${this.definition.name.toLowerCase()}:`;
    // Keys first: only this site's records are read (every site shares the collection).
    const mine = (prefix: string) => [...this.store.keys(FABRIC_COLLECTION)].filter((k) => k.startsWith(prefix));
    for (const key of mine(netPrefix)) this.indexNet(this.store.get<LogicalNetwork>(FABRIC_COLLECTION, key)!);
    const addrPrefix = `addr:${this.definition.name.toLowerCase()}:`;
    for (const key of mine(addrPrefix)) {
      const a = this.store.get<AddressReservation>(FABRIC_COLLECTION, key)!;
      this.indexAddress(a);
      if (a.rev > this.lastRev) this.lastRev = a.rev;
    }
    const pkgPrefix = `pkg:${this.definition.name.toLowerCase()}:`;
    for (const key of mine(pkgPrefix)) {
      const p = this.store.get<PackageInstall>(FABRIC_COLLECTION, key)!;
      this.packages.set(p.name.toLowerCase(), p);
      if (p.rev > this.lastRev) this.lastRev = p.rev;
    }
    const prefix = `vm:${this.definition.name.toLowerCase()}:`;
    for (const key of mine(prefix)) {
      const vm = this.store.get<Vm>(FABRIC_COLLECTION, key)!;
      this.index(this.homed(vm));
      if (vm.rev > this.lastRev) this.lastRev = vm.rev;
    }
  }

  /** A host removed from the config since: its VMs need a new home (restarted by healFailed, or Failed). */
  private homed(vm: Vm): Vm {
    return vm.host !== null && !this.definition.elastic && !this.hosts.has(vm.host) ? { ...vm, state: 'Failed' as const, failedFrom: vm.state } : vm;
  }

  private applySiteState(saved: SiteState | undefined): void {
    this.state = saved ? { ...saved, failedHosts: saved.failedHosts.filter((h) => this.hosts.has(h)) } : { name: this.definition.name, connected: true, failedHosts: [] };
    for (const h of this.hosts.values()) h.state = this.state.failedHosts.includes(h.name) ? 'Failed' : 'Up';
  }

  /** Check-then-allocate runs as the only writer of this site's fabric among all instances sharing the store. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.store.exclusive(`fabric:${this.definition.name.toLowerCase()}`, fn);
  }

  /**
   * Another instance (or a reset or snapshot import) changed this site's keys: memory follows, so capacity,
   * addresses and peers stay exactly what the stored VMs say.
   */
  private external(changes: StoreChange[] | 'all'): void {
    const site = this.definition.name.toLowerCase();
    if (changes === 'all') {
      for (const name of [...this.vms.keys()]) {
        const prev = this.unindex(name);
        if (prev) this.emit({ type: 'delete', site: this.definition.name, name, owner: prev.owner, rev: this.rev() });
      }
      this.addedNets.clear();
      this.packages.clear();
      for (const n of [...this.usedIps.keys()]) if (!this.definition.logicalNetworks.some((d) => d.name === n)) this.usedIps.delete(n);
      this.load();
      for (const vm of this.vms.values()) this.emit({ type: 'upsert', vm });
      return;
    }
    for (const c of changes) {
      if (c.collection !== FABRIC_COLLECTION) continue;
      const [kind, s, ...rest] = c.key.split(':');
      if (s !== site) continue;
      const name = rest.join(':');
      if (kind === 'site') this.applySiteState(c.value as SiteState | undefined);
      else if (kind === 'vm') {
        if (c.value) {
          const vm = this.homed(c.value as Vm);
          this.index(vm);
          if (vm.rev > this.lastRev) this.lastRev = vm.rev;
          this.emit({ type: 'upsert', vm });
        } else {
          const prev = this.unindex(name);
          if (prev) this.emit({ type: 'delete', site: this.definition.name, name, owner: prev.owner, rev: this.rev() });
        }
      } else if (kind === 'lnet') {
        if (c.value) this.indexNet(c.value as LogicalNetwork);
        else {
          const net = this.addedNets.get(name);
          if (net) {
            this.addedNets.delete(name);
            this.usedIps.delete(net.name);
            this.ipRanges.delete(net.name);
            this.ipCursor.delete(net.name);
          }
        }
      } else if (kind === 'pkg') {
        if (c.value) this.packages.set(name, c.value as PackageInstall);
        else this.packages.delete(name);
      }
    }
  }

  /** The site's own VMs (management cluster, resource bridge) exist from the start. */
  private async ensureInfrastructure(): Promise<void> {
    const missing = this.definition.infrastructureVms.filter((v) => !this.vms.has(v.name));
    if (missing.length === 0) return;
    const reqs = missing.map((v) => ({ name: v.name, owner: v.owner, role: v.role, vmSize: v.vmSize }));
    let vms: Vm[];
    try {
      vms = this.placeNew(reqs, SETUP_OP, 'Running');
    } catch (e) {
      throw new Error(`${this.where}: its infrastructure VMs (${missing.map((v) => v.name).join(', ')}) do not fit on its hosts: ${(e as Error).message}`, { cause: e });
    }
    await this.commit(vms.map((vm) => this.put(vm)));
  }

  async close(): Promise<void> {
    this.detachStore?.();
    this.listeners.clear();
  }

  // ---- sync reads ---------------------------------------------------------------------------------------

  /** The newest change stamp (a remote client syncs from it). */
  currentRev(): number {
    return this.lastRev;
  }

  connected(): boolean {
    return this.state.connected;
  }
  disconnectedSince(): string | undefined {
    return this.state.connected ? undefined : this.state.disconnectedAt;
  }

  async snapshot(): Promise<SiteSnapshot> {
    return this.snapshotSync();
  }

  snapshotSync(): SiteSnapshot {
    const d = this.definition;
    const hostViews = [...this.hosts.values()].map((h) => ({
      name: h.name,
      state: h.state,
      cores: h.cores,
      freeCores: h.state === 'Up' ? h.cores - h.usedCores : 0,
      memoryGB: h.memoryGB,
      freeMemoryGB: h.state === 'Up' ? h.memoryGB - h.usedMemoryGB : 0,
      storageGB: h.storageGB,
      freeStorageGB: h.state === 'Up' ? h.storageGB - h.usedStorageGB : 0,
      vmCount: this.peers.get(h.name) ? [...this.peers.get(h.name)!.values()].reduce((s, p) => s + p.all, 0) : 0,
    }));
    const total = (k: 'cores' | 'memoryGB' | 'storageGB', f: 'freeCores' | 'freeMemoryGB' | 'freeStorageGB') => [hostViews.reduce((s, h) => s + h[k], 0), hostViews.reduce((s, h) => s + h[f], 0)];
    const [cores, freeCores] = total('cores', 'freeCores');
    const [memoryGB, freeMemoryGB] = total('memoryGB', 'freeMemoryGB');
    const [storageGB, freeStorageGB] = total('storageGB', 'freeStorageGB');
    const snap: SiteSnapshot = {
      name: d.name,
      kind: d.kind,
      connected: this.state.connected,
      ...(!this.state.connected && this.state.disconnectedAt ? { disconnectedAt: this.state.disconnectedAt } : {}),
      elastic: d.elastic,
      hosts: hostViews,
      capacity: d.elastic ? null : { cores, freeCores, memoryGB, freeMemoryGB, storageGB, freeStorageGB },
      logicalNetworks: this.networks().map(({ createdBy: _c, ...n }) => {
        const used = this.usedIps.get(n.name)?.size ?? 0;
        const held = [...this.reservations.values()].filter((a) => a.network.toLowerCase() === n.name.toLowerCase()).map((a) => ({ ip: a.ip, owner: a.owner }));
        return { ...n, usedIps: used, freeIps: n.dhcp && n.ipPools.length === 0 ? 0 : poolSize(n.ipPools) - used, ...(held.length ? { reservedIps: held } : {}) };
      }),
      vms: [...this.vms.values()].map(vmView),
      packages: [...this.packages.values()].map(({ rev: _r, previous: _p, createdBy: _c, ...rest }) => rest),
    };
    if (d.location) snap.location = d.location;
    return snap;
  }

  // ---- the index (memory) --------------------------------------------------------------------------------

  /** Owners are passed lowercased (placement requests carry the index key, not the display id). */
  private peerCounter: PeerCounter = (host, owner, role) => {
    const p = this.peers.get(host)?.get(owner);
    return p ? { sameRole: p.roles[role] ?? 0, sameOwner: p.all } : NO_PEERS;
  };

  private account(vm: Vm, sign: 1 | -1): void {
    if (vm.state === 'Failed') this.failedCount += sign;
    if (vm.ip && vm.logicalNetwork && !vm.addressOwner) {
      const used = this.usedIps.get(vm.logicalNetwork);
      const n = ipToInt(vm.ip);
      if (used && n !== undefined) {
        if (sign > 0) used.add(n);
        else used.delete(n);
      }
    }
    if (!holdsCapacity(vm) || this.definition.elastic) return;
    const h = this.hosts.get(vm.host!);
    if (!h) return;
    h.usedCores += sign * vm.cores;
    h.usedMemoryGB += sign * vm.memoryGB;
    h.usedStorageGB += sign * vm.storageGB;
    addPeer(this.peers, h.name, vm.owner.toLowerCase(), vm.role, sign);
  }

  private index(vm: Vm): void {
    const prev = this.indexVm(vm);
    if (prev) this.account(prev, -1);
    this.account(vm, 1);
  }

  private unindex(name: string): Vm | undefined {
    const prev = this.unindexVm(name);
    if (prev) this.account(prev, -1);
    return prev;
  }

  private rev(): number {
    this.lastRev = Math.max(this.lastRev + 1, Date.now() * 1000);
    return this.lastRev;
  }

  /** Applies an upsert to memory now; returns the write to make it durable. */
  private put(vm: Vm): WriteOp {
    // plain JSON: no keys holding undefined
    for (const k of Object.keys(vm) as (keyof Vm)[]) if (vm[k] === undefined) delete vm[k];
    vm.rev = this.rev();
    this.index(vm);
    this.emit({ type: 'upsert', vm });
    return { collection: FABRIC_COLLECTION, key: vmKey(this.definition.name, vm.name), value: vm };
  }

  private remove(name: string): WriteOp | undefined {
    const prev = this.unindex(name);
    if (!prev) return undefined;
    this.emit({ type: 'delete', site: this.definition.name, name, owner: prev.owner, rev: this.rev() });
    return { collection: FABRIC_COLLECTION, key: vmKey(this.definition.name, name), value: undefined };
  }

  private commit(ops: (WriteOp | undefined)[]): Promise<void> {
    return this.store.write(ops.filter((o): o is WriteOp => o !== undefined));
  }

  private saveState(): WriteOp {
    const value: SiteState = { name: this.state.name, connected: this.state.connected, failedHosts: [...this.state.failedHosts] };
    if (this.state.disconnectedAt) value.disconnectedAt = this.state.disconnectedAt;
    return { collection: FABRIC_COLLECTION, key: siteKey(this.definition.name), value };
  }

  // ---- checks ------------------------------------------------------------------------------------------

  private requireConnected(what: string): void {
    if (!this.state.connected) throw Errors.withStatus(503, 'SiteDisconnected', `${this.where} is disconnected from Azure; cannot ${what}.`);
  }

  private sizeOf(req: VmRequest): { cores: number; memoryGB: number; storageGB: number } {
    if (req.custom) {
      const c = req.custom;
      if (![c.cores, c.memoryGB, c.storageGB].every((x) => Number.isFinite(x) && x > 0))
        throw Errors.invalid('VMSizeNotSupported', `A custom VM size needs cores, memory and storage above 0 (got ${c.cores} cores, ${c.memoryGB} GB, ${c.storageGB} GB).`);
      return { cores: c.cores, memoryGB: c.memoryGB, storageGB: c.storageGB };
    }
    const s = findVmSize(this.vmSizes, req.vmSize);
    if (!s) throw Errors.invalid('VMSizeNotSupported', `The VM size '${req.vmSize}' is not available on ${this.where}. Available sizes: ${this.vmSizes.map((x) => x.name).join(', ')}.`);
    return { cores: s.cores, memoryGB: s.memoryGB, storageGB: s.storageGB };
  }

  private ownedBy(vm: Vm, owner: string): void {
    if (vm.owner.toLowerCase() !== owner.toLowerCase()) throw Errors.conflictWith('VmNameConflict', `A VM named '${vm.name}' already exists on ${this.where} and belongs to '${vm.owner}'.`);
  }

  private capacityError(s: ReturnType<typeof diagnose>): ArmError {
    const code = s.kind === 'noHostUp' ? 'HostsUnavailable' : 'InsufficientCapacity';
    return Errors.conflictWith(code, shortfallMessage(this.where, s));
  }

  /** Configured networks, then those added at run time. */
  private networks(): LogicalNetwork[] {
    return [...this.definition.logicalNetworks, ...this.addedNets.values()];
  }

  private network(req: VmRequest) {
    const nets = this.networks();
    const net = req.logicalNetwork ? nets.find((n) => n.name.toLowerCase() === req.logicalNetwork!.toLowerCase()) : this.definition.logicalNetworks[0];
    if (!net) throw Errors.withStatus(404, 'LogicalNetworkNotFound', `${this.where} has no logical network '${req.logicalNetwork}'. Networks: ${nets.map((n) => n.name).join(', ') || 'none'}.`);
    return net;
  }

  /** Takes an address (memory only; the VM's write makes it durable). */
  private takeIp(req: VmRequest): { ip: string; logicalNetwork: string; addressOwner?: string } | undefined {
    if (this.definition.logicalNetworks.length === 0 && !req.logicalNetwork) return undefined;
    const net = this.network(req);
    if (req.ip) {
      // An address its owner (a network interface) holds: the VM uses it, the reservation keeps counting it.
      const held = this.reservations.get(addrKey(this.definition.name, net.name, req.ip));
      if (!held || !req.addressOwner || !sameId(held.owner, req.addressOwner)) {
        throw Errors.conflictWith('AddressNotReserved', `Address ${req.ip} of logical network '${net.name}' on ${this.where} is not held by '${req.addressOwner ?? '(none)'}'.`);
      }
      return { ip: req.ip, logicalNetwork: net.name, addressOwner: held.owner };
    }
    // A DHCP network hands out addresses of its own; with pools, the pools are its DHCP scope.
    if (net.dhcp && net.ipPools.length === 0) return { ip: '', logicalNetwork: net.name };
    const used = this.usedIps.get(net.name)!;
    const ip = allocateIp(this.ipRanges.get(net.name)!, used, this.ipCursor.get(net.name));
    if (ip === undefined)
      throw Errors.conflictWith(
        'InsufficientIpAddresses',
        `Logical network '${net.name}' on ${this.where} has no free IP addresses: all ${poolSize(net.ipPools)} addresses of its IP pools are in use.`,
      );
    used.add(ip); // reserved now so parallel requests get distinct addresses
    this.ipCursor.set(net.name, ip + 1);
    return { ip: intToIp(ip), logicalNetwork: net.name };
  }

  private newVm(req: VmRequest, opId: string, host: string, state: Vm['state'], addr: { ip: string; logicalNetwork: string; addressOwner?: string } | undefined): Vm {
    const size = this.sizeOf(req);
    const vm: Vm = {
      name: req.name,
      site: this.definition.name,
      role: req.role,
      owner: req.owner,
      vmSize: req.custom ? req.vmSize : findVmSize(this.vmSizes, req.vmSize)!.name,
      cores: size.cores,
      memoryGB: size.memoryGB,
      storageGB: size.storageGB,
      host,
      state,
      createdBy: opId,
      createdAt: new Date().toISOString(),
      rev: 0,
    };
    if (req.pool) vm.pool = req.pool;
    if (req.kubernetesVersion) vm.kubernetesVersion = req.kubernetesVersion;
    if (req.replaces) vm.replaces = req.replaces;
    if (req.role === 'worker') vm.joined = false;
    if (addr) {
      if (addr.ip) vm.ip = addr.ip;
      vm.logicalNetwork = addr.logicalNetwork;
      if (addr.addressOwner) vm.addressOwner = addr.addressOwner;
    }
    return vm;
  }

  /** Places new VMs all together (or throws the shortfall) and builds their records. Memory only. */
  private placeNew(reqs: VmRequest[], opId: string, state: Vm['state']): Vm[] {
    const demands: PlacementRequest[] = reqs.map((r) => ({ name: r.name, owner: r.owner.toLowerCase(), role: r.role, vmSize: r.vmSize, ...this.sizeOf(r) }));
    let placements: Map<string, string> | undefined;
    if (!this.definition.elastic) {
      const res = placeAll([...this.hosts.values()], demands, this.peerCounter);
      if (!res.ok) throw this.capacityError(res.shortfall);
      placements = res.placements;
    }
    const taken: { net: string; ip: string }[] = [];
    try {
      return reqs.map((r) => {
        const addr = this.takeIp(r);
        if (addr?.ip && !addr.addressOwner) taken.push({ net: addr.logicalNetwork, ip: addr.ip });
        return this.newVm(r, opId, placements?.get(r.name) ?? ELASTIC_HOST, state, addr);
      });
    } catch (e) {
      for (const t of taken) this.usedIps.get(t.net)?.delete(ipToInt(t.ip)!);
      throw e;
    }
  }

  /** A new home for one VM (Failed or Deallocated), or undefined. */
  private findHost(vm: Vm, exclude?: string): string | undefined {
    if (this.definition.elastic) return ELASTIC_HOST;
    return chooseHost([...this.hosts.values()], { ...vm, owner: vm.owner.toLowerCase() }, this.peerCounter, exclude)?.name;
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------

  async reserve(reqs: VmRequest[], opId: string): Promise<Vm[]> {
    return this.locked(async () => {
      this.requireConnected(`reserve capacity for ${reqs.length} VM(s)`);
      const fresh: VmRequest[] = [];
      for (const r of reqs) {
        const existing = this.vms.get(r.name);
        if (existing) this.ownedBy(existing, r.owner);
        else fresh.push(r);
      }
      if (fresh.length === 0) return reqs.map((r) => this.vms.get(r.name)!);
      const vms = this.placeNew(fresh, opId, 'Creating');
      await this.commit(vms.map((vm) => this.put(vm)));
      return reqs.map((r) => this.vms.get(r.name)!);
    });
  }

  async createVm(req: VmRequest, opId: string): Promise<Vm> {
    return this.locked(async () => {
      this.requireConnected(`create VM '${req.name}'`);
      const existing = this.vms.get(req.name);
      if (existing) {
        this.ownedBy(existing, req.owner);
        if (existing.state === 'Creating') {
          await this.commit([this.put({ ...existing, state: 'Running' })]);
        } else if (existing.state === 'Failed') {
          const host = this.findHost(existing);
          if (!host) {
            const s = diagnose([...this.hosts.values()], [{ ...existing }], { ...existing });
            throw Errors.conflictWith(
              'HostFailed',
              `VM '${existing.name}' could not be created on ${this.where}: its host '${existing.host}' failed and no other host has room. ${shortfallMessage(this.where, s)}`,
            );
          }
          await this.commit([this.put({ ...existing, host, state: 'Running', restarts: (existing.restarts ?? 0) + 1, failedFrom: undefined })]);
        } else if (existing.state === 'Deleting') {
          throw Errors.conflictWith('Conflict', `VM '${existing.name}' on ${this.where} is being deleted.`);
        }
        return this.vms.get(req.name)!;
      }
      const [vm] = this.placeNew([req], opId, 'Running');
      await this.commit([this.put(vm)]);
      return vm;
    });
  }

  /** Delete now, or mark for deletion when the site comes back (rollback must not wait on a link). */
  private dropOps(names: string[]): (WriteOp | undefined)[] {
    if (this.state.connected) return names.map((n) => this.remove(n));
    return names.map((n) => {
      const vm = this.vms.get(n)!;
      return vm.state === 'Deleting' ? undefined : this.put({ ...vm, state: 'Deleting' });
    });
  }

  private ownCreation(vm: Vm | undefined, opId: string): boolean {
    if (!vm || vm.createdBy !== opId) return false;
    // A rolling upgrade's replacement stays once the node it replaced is gone: removing it would lose a node.
    if (vm.replaces && !this.vms.has(vm.replaces)) return false;
    return true;
  }

  async undoCreate(name: string, opId: string): Promise<void> {
    return this.locked(async () => {
      if (!this.ownCreation(this.vms.get(name), opId)) return;
      await this.commit(this.dropOps([name]));
      await this.afterRelease();
    });
  }

  async releaseOp(owner: string, opId: string): Promise<void> {
    return this.locked(async () => {
      const names = this.vmsOf(owner)
        .filter((vm) => this.ownCreation(vm, opId))
        .map((vm) => vm.name);
      if (names.length === 0) return;
      await this.commit(this.dropOps(names));
      await this.afterRelease();
    });
  }

  async deleteVm(name: string, owner: string): Promise<void> {
    return this.locked(async () => {
      this.requireConnected(`delete VM '${name}'`);
      const vm = this.vms.get(name);
      if (!vm) return;
      this.ownedBy(vm, owner);
      await this.commit([this.remove(name)]);
      await this.afterRelease();
    });
  }

  async deleteOwner(owner: string): Promise<string[]> {
    return this.locked(async () => {
      this.requireConnected(`delete the VMs of '${owner}'`);
      const names = this.vmsOf(owner).map((v) => v.name);
      // Packages installed on the owner's cluster go with it.
      const pkgs = this.packagesOf(owner).map((p) => this.dropPkg(p.name));
      if (names.length === 0) {
        if (pkgs.length) await this.commit(pkgs);
        return [];
      }
      await this.commit([...pkgs, ...names.map((n) => this.remove(n))]);
      await this.afterRelease();
      return names;
    });
  }

  private requireVm(name: string): Vm {
    const vm = this.vms.get(name);
    if (!vm) throw Errors.withStatus(404, 'VmNotFound', `${this.where} has no VM named '${name}'.`);
    return vm;
  }

  async power(name: string, action: PowerAction, opId: string): Promise<Vm> {
    return this.locked(async () => {
      this.requireConnected(`${action} VM '${name}'`);
      const vm = this.requireVm(name);
      // already done by this operation (re-run after a crash); a second, other change of the same operation goes on
      if (vm.lastChange?.op === opId && (vm.lastChange.action === undefined || vm.lastChange.action === action)) return vm;
      const change = { op: opId, from: vm.lastChange?.op === opId ? vm.lastChange.from : vm.state, action };
      let next: Vm | undefined;
      if (action === 'stop') {
        if (vm.state === 'Running' || vm.state === 'Creating') next = { ...vm, state: 'Stopped', lastChange: change };
      } else if (action === 'deallocate') {
        if (vm.state === 'Running' || vm.state === 'Stopped' || vm.state === 'Creating') next = { ...vm, state: 'Deallocated', host: null, lastChange: change };
      } else if (vm.state === 'Stopped') {
        next = { ...vm, state: 'Running', lastChange: change };
      } else if (vm.state === 'Deallocated' || vm.state === 'Failed') {
        const host = this.findHost(vm);
        if (!host) {
          const s = diagnose([...this.hosts.values()], [{ ...vm }], { ...vm });
          throw this.capacityError(s);
        }
        next = { ...vm, state: 'Running', host, lastChange: change, failedFrom: undefined };
      }
      if (!next) return vm;
      await this.commit([this.put(next)]);
      if (action === 'deallocate') await this.afterRelease();
      return next;
    });
  }

  async revertPower(name: string, opId: string): Promise<void> {
    return this.locked(async () => {
      const vm = this.vms.get(name);
      if (!vm || vm.lastChange?.op !== opId) return;
      this.requireConnected(`revert VM '${name}'`);
      const from = vm.lastChange.from;
      let next: Vm = { ...vm, lastChange: undefined };
      if (from === 'Deallocated') next = { ...next, state: 'Deallocated', host: null };
      else if (vm.state === 'Deallocated' && (from === 'Running' || from === 'Stopped' || from === 'Creating')) {
        const host = this.findHost(vm);
        next = host ? { ...next, state: from === 'Creating' ? 'Running' : from, host } : next; // no room: stays deallocated
      } else if (from === 'Running' || from === 'Stopped') next = { ...next, state: from };
      else if (from === 'Creating') next = { ...next, state: 'Running' };
      await this.commit([this.put(next)]);
      await this.afterRelease();
    });
  }

  async joinNode(name: string, opId: string): Promise<Vm> {
    return this.locked(async () => {
      this.requireConnected(`join VM '${name}' to its cluster`);
      const vm = this.requireVm(name);
      if (vm.joined) return vm;
      if (vm.state !== 'Running') throw Errors.conflictWith('NodeNotReady', `VM '${name}' on ${this.where} is ${vm.state}, so it cannot join its cluster.`);
      const next: Vm = { ...vm, joined: true };
      void opId; // joining is idempotent by itself
      await this.commit([this.put(next)]);
      return next;
    });
  }

  // ---- logical networks added at run time -------------------------------------------------------------

  private indexNet(net: LogicalNetwork): void {
    this.addedNets.set(net.name.toLowerCase(), net);
    if (!this.usedIps.has(net.name)) this.usedIps.set(net.name, new Set());
    this.ipRanges.set(net.name, toRanges(net.ipPools));
  }

  private findNet(name: string): LogicalNetwork | undefined {
    return this.networks().find((n) => n.name.toLowerCase() === name.toLowerCase());
  }

  /** VMs holding an address on a network. */
  private vmsOnNet(name: string): Vm[] {
    return [...this.vms.values()].filter((vm) => vm.logicalNetwork !== undefined && vm.logicalNetwork.toLowerCase() === name.toLowerCase());
  }

  /** Refuses a network whose prefix overlaps another one on the same VLAN of this site. */
  checkNetwork(net: LogicalNetwork): void {
    const mine = net.addressPrefix ? parseCidr(net.addressPrefix) : undefined;
    if (!mine) return;
    for (const other of this.networks()) {
      if (other.name.toLowerCase() === net.name.toLowerCase()) continue;
      if ((other.vlan ?? 0) !== (net.vlan ?? 0)) continue;
      const theirs = other.addressPrefix ? parseCidr(other.addressPrefix) : undefined;
      if (theirs && mine[0] <= theirs[1] && theirs[0] <= mine[1]) {
        throw Errors.invalid(
          'LogicalNetworkOverlap',
          `The address prefix ${net.addressPrefix} on VLAN ${net.vlan ?? 0} overlaps logical network '${other.name}' (${other.addressPrefix}, VLAN ${other.vlan ?? 0}) on ${this.where}; choose another prefix or VLAN.`,
        );
      }
    }
  }

  async addNetwork(net: LogicalNetwork, opId: string): Promise<LogicalNetwork> {
    return this.locked(async () => {
      this.requireConnected(`add logical network '${net.name}'`);
      const existing = this.findNet(net.name);
      if (existing && (!existing.owner || !net.owner || !sameId(existing.owner, net.owner))) {
        throw Errors.conflictWith(
          'LogicalNetworkNameConflict',
          `${this.where} already has a logical network named '${existing.name}'${existing.owner ? ` (it belongs to '${existing.owner}')` : ''}; choose another name.`,
        );
      }
      this.checkNetwork(net);
      if (existing) {
        // An update: the pools must still hold every address handed out.
        const ranges = toRanges(net.ipPools);
        const outside = this.vmsOnNet(existing.name).filter((vm) => vm.ip !== undefined && !ranges.some(([a, b]) => ipToInt(vm.ip!)! >= a && ipToInt(vm.ip!)! <= b));
        if (outside.length && !net.dhcp)
          throw Errors.conflictWith('LogicalNetworkInUse', `The new IP pools of logical network '${net.name}' leave out addresses in use by ${outside.map((v) => `${v.name} (${v.ip})`).join(', ')}.`);
      }
      const value: LogicalNetwork = { ...structuredClone(net), name: existing?.name ?? net.name, createdBy: existing?.createdBy ?? opId };
      for (const k of Object.keys(value) as (keyof LogicalNetwork)[]) if (value[k] === undefined) delete value[k];
      this.indexNet(value);
      await this.commit([{ collection: FABRIC_COLLECTION, key: netKey(this.definition.name, value.name), value }]);
      return value;
    });
  }

  /** Undo of addNetwork: removes the network if this operation added it and nothing uses it. */
  async undoAddNetwork(name: string, opId: string): Promise<void> {
    return this.locked(async () => {
      const net = this.addedNets.get(name.toLowerCase());
      if (!net || net.createdBy !== opId || this.vmsOnNet(name).length) return;
      await this.dropNet(net);
    });
  }

  async removeNetwork(name: string, owner: string): Promise<void> {
    return this.locked(async () => {
      const net = this.addedNets.get(name.toLowerCase());
      if (!net) return;
      if (net.owner && !sameId(net.owner, owner)) throw Errors.conflictWith('LogicalNetworkNameConflict', `Logical network '${net.name}' on ${this.where} belongs to '${net.owner}'.`);
      const users = this.vmsOnNet(name);
      if (users.length)
        throw Errors.conflictWith(
          'LogicalNetworkInUse',
          `Logical network '${net.name}' on ${this.where} is in use by ${users.length} VM(s): ${users.map((v) => `${v.name} (${v.ip}, ${v.owner})`).join(', ')}.`,
        );
      const held = this.reservationsOn(name);
      if (held.length) throw Errors.conflictWith('LogicalNetworkInUse', `Logical network '${net.name}' on ${this.where} has addresses held by ${held.map((a) => `${a.owner} (${a.ip})`).join(', ')}.`);
      this.requireConnected(`remove logical network '${net.name}'`);
      await this.dropNet(net);
    });
  }

  private async dropNet(net: LogicalNetwork): Promise<void> {
    this.addedNets.delete(net.name.toLowerCase());
    this.usedIps.delete(net.name);
    this.ipRanges.delete(net.name);
    this.ipCursor.delete(net.name);
    await this.commit([{ collection: FABRIC_COLLECTION, key: netKey(this.definition.name, net.name), value: undefined }]);
  }

  // ---- addresses held for owners (network interfaces) -------------------------------------------------------

  private indexAddress(a: AddressReservation): void {
    this.reservations.set(addrKey(this.definition.name, a.network, a.ip), a);
    const n = ipToInt(a.ip);
    if (n !== undefined) this.usedIps.get(a.network)?.add(n);
  }

  private reservationsOn(network: string): AddressReservation[] {
    return [...this.reservations.values()].filter((a) => a.network.toLowerCase() === network.toLowerCase());
  }

  /** The address an owner holds on a network, if any. */
  addressOf(owner: string, network: string): AddressReservation | undefined {
    return this.reservationsOn(network).find((a) => sameId(a.owner, owner));
  }

  /**
   * Holds an address of a network for an owner (a network interface): the one asked for, if it is inside
   * the network's prefix and free, else the next free one of its pools. Idempotent per owner and network.
   */
  async reserveAddress(req: { network: string; owner: string; ip?: string }, opId: string): Promise<AddressReservation> {
    this.requireConnected(`reserve an address of logical network '${req.network}'`);
    const net = this.findNet(req.network);
    if (!net) throw Errors.withStatus(404, 'LogicalNetworkNotFound', `${this.where} has no logical network '${req.network}'.`);
    const mine = this.addressOf(req.owner, net.name);
    if (mine && (!req.ip || mine.ip === req.ip)) return mine;
    const used = this.usedIps.get(net.name)!;
    let ip: number | undefined;
    if (req.ip) {
      const n = ipToInt(req.ip);
      const prefix = net.addressPrefix ? parseCidr(net.addressPrefix) : undefined;
      if (n === undefined || (prefix && (n < prefix[0] || n > prefix[1])))
        throw Errors.invalid('InvalidPrivateIPAddress', `${req.ip} is not an address of logical network '${net.name}' (${net.addressPrefix || 'DHCP'}).`);
      if (used.has(n)) throw Errors.conflictWith('PrivateIPAddressInUse', `Address ${req.ip} of logical network '${net.name}' on ${this.where} is already in use.`);
      if (net.gateway && ipToInt(net.gateway) === n) throw Errors.invalid('InvalidPrivateIPAddress', `${req.ip} is the gateway of logical network '${net.name}'.`);
      ip = n;
    } else {
      if (net.ipPools.length === 0) throw Errors.invalid('NoIpPool', `Logical network '${net.name}' on ${this.where} has no IP pool to take an address from (its addresses come from DHCP).`);
      ip = allocateIp(this.ipRanges.get(net.name)!, used, this.ipCursor.get(net.name));
      if (ip === undefined)
        throw Errors.conflictWith(
          'InsufficientIpAddresses',
          `Logical network '${net.name}' on ${this.where} has no free IP addresses: all ${poolSize(net.ipPools)} addresses of its IP pools are in use.`,
        );
      this.ipCursor.set(net.name, ip + 1);
    }
    const ops: (WriteOp | undefined)[] = [];
    if (mine) ops.push(this.dropAddress(mine));
    const a: AddressReservation = { site: this.definition.name, network: net.name, ip: intToIp(ip), owner: req.owner, createdBy: opId, rev: this.rev() };
    this.indexAddress(a);
    ops.push({ collection: FABRIC_COLLECTION, key: addrKey(this.definition.name, a.network, a.ip), value: a });
    await this.commit(ops);
    return a;
  }

  private dropAddress(a: AddressReservation): WriteOp {
    this.reservations.delete(addrKey(this.definition.name, a.network, a.ip));
    const n = ipToInt(a.ip);
    // still counted while a VM uses it on its own (never: a VM with a held address does not count it)
    if (n !== undefined) this.usedIps.get(a.network)?.delete(n);
    return { collection: FABRIC_COLLECTION, key: addrKey(this.definition.name, a.network, a.ip), value: undefined };
  }

  /** Undo of reserveAddress: gives back what this operation took. */
  async undoReserveAddress(owner: string, network: string, opId: string): Promise<void> {
    const a = this.addressOf(owner, network);
    if (!a || a.createdBy !== opId) return;
    await this.commit([this.dropAddress(a)]);
  }

  /** Gives an owner's address back; refused while a VM still uses it. */
  async releaseAddress(owner: string, network: string): Promise<void> {
    const a = this.addressOf(owner, network);
    if (!a) return;
    const user = [...this.vms.values()].find((vm) => vm.addressOwner && sameId(vm.addressOwner, owner) && vm.ip === a.ip);
    if (user) throw Errors.conflictWith('AddressInUse', `Address ${a.ip} held by '${owner}' is used by VM '${user.name}' of '${user.owner}'; delete the VM first.`);
    await this.commit([this.dropAddress(a)]);
  }

  // ---- packages installed on the site's clusters ---------------------------------------------------------

  private putPkg(p: PackageInstall): WriteOp {
    for (const k of Object.keys(p) as (keyof PackageInstall)[]) if (p[k] === undefined) delete p[k];
    p.rev = this.rev();
    this.packages.set(p.name.toLowerCase(), p);
    return { collection: FABRIC_COLLECTION, key: pkgKey(this.definition.name, p.name), value: p };
  }

  private dropPkg(name: string): WriteOp | undefined {
    if (!this.packages.delete(name.toLowerCase())) return undefined;
    return { collection: FABRIC_COLLECTION, key: pkgKey(this.definition.name, name), value: undefined };
  }

  packagesOf(owner: string): PackageInstall[] {
    return [...this.packages.values()].filter((p) => sameId(p.owner, owner) || sameId(p.host, owner));
  }

  async installPackage(req: PackageRequest, opId: string): Promise<PackageInstall> {
    return this.locked(async () => {
      this.requireConnected(`install '${req.packageType}' on '${req.host}'`);
      const ex = this.packages.get(req.name.toLowerCase());
      if (ex && !sameId(ex.owner, req.owner)) throw Errors.conflictWith('PackageNameConflict', `A package named '${req.name}' is already installed on ${this.where} for '${ex.owner}'.`);
      if (ex && ex.createdBy === opId) return ex; // re-run after a crash
      const p: PackageInstall = {
        ...req,
        site: this.definition.name,
        state: 'Installed',
        createdBy: opId,
        createdAt: ex?.createdAt ?? new Date().toISOString(),
        previous: ex ? { version: ex.version, createdBy: ex.createdBy } : undefined,
        rev: 0,
      };
      await this.commit([this.putPkg(p)]);
      return p;
    });
  }

  /** Undo of installPackage: an update goes back to the version it replaced, a new install goes away. */
  async undoInstallPackage(name: string, opId: string): Promise<void> {
    return this.locked(async () => {
      const p = this.packages.get(name.toLowerCase());
      if (!p || p.createdBy !== opId) return;
      if (p.previous) await this.commit([this.putPkg({ ...p, version: p.previous.version, createdBy: p.previous.createdBy, previous: undefined })]);
      else await this.commit([this.connectedOr(p)]);
    });
  }

  /** Removes now, or marks it Uninstalling until the site reconnects (undo must not wait on a link). */
  private connectedOr(p: PackageInstall): WriteOp | undefined {
    return this.state.connected ? this.dropPkg(p.name) : this.putPkg({ ...p, state: 'Uninstalling' });
  }

  async uninstallPackage(name: string, owner: string, force = false): Promise<void> {
    return this.locked(async () => {
      const p = this.packages.get(name.toLowerCase());
      if (!p) return;
      if (!sameId(p.owner, owner)) throw Errors.conflictWith('PackageNameConflict', `Package '${p.name}' on ${this.where} belongs to '${p.owner}'.`);
      if (force) {
        await this.commit([this.connectedOr(p)]);
        return;
      }
      this.requireConnected(`uninstall '${p.packageType}' from '${p.host}'`);
      await this.commit([this.dropPkg(p.name)]);
    });
  }

  // ---- faults -----------------------------------------------------------------------------------------------

  async setConnected(connected: boolean): Promise<void> {
    return this.locked(async () => {
      if (this.state.connected === connected) return;
      this.state = connected ? { ...this.state, connected, disconnectedAt: undefined } : { ...this.state, connected, disconnectedAt: new Date().toISOString() };
      const ops: (WriteOp | undefined)[] = [this.saveState()];
      if (connected) {
        // Deletions queued while the site was unreachable are carried out now.
        for (const vm of [...this.vms.values()]) if (vm.state === 'Deleting') ops.push(this.remove(vm.name));
        for (const p of [...this.packages.values()]) if (p.state === 'Uninstalling') ops.push(this.dropPkg(p.name));
      }
      await this.commit(ops);
      if (connected) await this.afterRelease();
    });
  }

  private requireHost(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw Errors.withStatus(404, 'HostNotFound', `${this.where} has no host named '${name}'. Hosts: ${[...this.hosts.keys()].join(', ') || 'none (elastic)'}.`);
    return h;
  }

  async failHost(name: string): Promise<FaultReport> {
    return this.locked(async () => {
      const h = this.requireHost(name);
      const report: FaultReport = { site: this.definition.name, host: name, restarted: [], failed: [], degradedOwners: [] };
      if (h.state === 'Failed') return report;
      h.state = 'Failed';
      this.state = { ...this.state, failedHosts: [...this.state.failedHosts, name] };
      const ops: (WriteOp | undefined)[] = [this.saveState()];
      // Biggest first: they are the hardest to fit elsewhere.
      const victims = [...this.vms.values()].filter((v) => v.host === name && holdsCapacity(v)).sort((a, b) => b.cores - a.cores || b.memoryGB - a.memoryGB);
      const degraded = new Set<string>();
      for (const vm of victims) {
        if (vm.state === 'Deleting') {
          ops.push(this.remove(vm.name));
          continue;
        }
        const to = this.findHost(vm, name);
        if (to) {
          ops.push(this.put({ ...vm, host: to, restarts: (vm.restarts ?? 0) + 1 }));
          report.restarted.push({ vm: vm.name, to });
        } else {
          ops.push(this.put({ ...vm, state: 'Failed', failedFrom: vm.state }));
          report.failed.push(vm.name);
          degraded.add(vm.owner);
        }
      }
      report.degradedOwners = [...degraded];
      await this.commit(ops);
      return report;
    });
  }

  async recoverHost(name: string): Promise<FaultReport> {
    return this.locked(async () => {
      const h = this.requireHost(name);
      const report: FaultReport = { site: this.definition.name, host: name, restarted: [], failed: [], degradedOwners: [] };
      if (h.state === 'Up') return report;
      h.state = 'Up';
      this.state = { ...this.state, failedHosts: this.state.failedHosts.filter((x) => x !== name) };
      await this.commit([this.saveState()]);
      const healed = await this.healFailed();
      report.restarted = healed.restarted;
      report.failed = healed.failed;
      report.degradedOwners = [...new Set(healed.failed.map((n) => this.vms.get(n)!.owner))];
      return report;
    });
  }

  /** Restarts Failed VMs wherever there is room now. */
  private async healFailed(): Promise<{ restarted: { vm: string; to: string }[]; failed: string[] }> {
    const restarted: { vm: string; to: string }[] = [];
    const failed: string[] = [];
    if (this.failedCount === 0) return { restarted, failed };
    const ops: WriteOp[] = [];
    const down = [...this.vms.values()].filter((v) => v.state === 'Failed').sort((a, b) => b.cores - a.cores);
    for (const vm of down) {
      const to = this.findHost(vm);
      if (!to) {
        failed.push(vm.name);
        continue;
      }
      ops.push(this.put({ ...vm, host: to, state: vm.failedFrom && vm.failedFrom !== 'Failed' ? vm.failedFrom : 'Running', failedFrom: undefined, restarts: (vm.restarts ?? 0) + 1 }));
      restarted.push({ vm: vm.name, to });
    }
    if (ops.length) await this.commit(ops);
    return { restarted, failed };
  }

  /** Capacity came back: VMs waiting for room restart. */
  private async afterRelease(): Promise<void> {
    if (this.failedCount > 0 && this.state.connected) await this.healFailed();
  }
}
