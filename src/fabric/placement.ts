// Pure placement: which host a VM lands on, whether a set of VMs fits, and which address it gets.
// Spreading follows what a failover cluster does for a Kubernetes cluster's VMs: keep a cluster's
// VMs of one role apart (so a host failure takes out as little of it as possible), then pick the
// host with the most free capacity. Errors carry the numbers, so a refusal says what is short.

import type { Host, IpRange, VmRole } from './model.js';

export interface Demand {
  cores: number;
  memoryGB: number;
  storageGB: number;
}

export interface PlacementRequest extends Demand {
  name: string;
  owner: string;
  role: VmRole;
  vmSize: string;
}

/** How many VMs of the same owner (and of the same owner and role) already sit on a host. */
export type PeerCounter = (host: string, owner: string, role: VmRole) => { sameRole: number; sameOwner: number };

/** Per host, per owner: VMs in all and by role (the shape a site keeps to answer a PeerCounter). */
export type PeerIndex = Map<string, Map<string, { all: number; roles: Partial<Record<VmRole, number>> }>>;

export function addPeer(index: PeerIndex, host: string, owner: string, role: VmRole, sign: 1 | -1): void {
  let byOwner = index.get(host);
  if (!byOwner) index.set(host, (byOwner = new Map()));
  const p = byOwner.get(owner) ?? { all: 0, roles: {} };
  p.all += sign;
  p.roles[role] = (p.roles[role] ?? 0) + sign;
  if (p.all <= 0) byOwner.delete(owner);
  else byOwner.set(owner, p);
}

export const freeOf = (h: Host): Demand => ({
  cores: h.cores - h.usedCores,
  memoryGB: h.memoryGB - h.usedMemoryGB,
  storageGB: h.storageGB - h.usedStorageGB,
});

const fits = (h: Host, d: Demand): boolean => h.state === 'Up' && h.cores - h.usedCores >= d.cores && h.memoryGB - h.usedMemoryGB >= d.memoryGB && h.storageGB - h.usedStorageGB >= d.storageGB;

/** The best Up host for a VM, or undefined when none has room. */
export function chooseHost(hosts: readonly Host[], req: PlacementRequest, peers: PeerCounter, exclude?: string): Host | undefined {
  let best: Host | undefined;
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  for (const h of hosts) {
    if (h.name === exclude || !fits(h, req)) continue;
    const p = peers(h.name, req.owner, req.role);
    // lower is better: same-role peers, same-owner peers, then most free cores and memory
    const k2 = h.usedCores - h.cores;
    const k3 = h.usedMemoryGB - h.memoryGB;
    if (!best || p.sameRole < b0 || (p.sameRole === b0 && (p.sameOwner < b1 || (p.sameOwner === b1 && (k2 < b2 || (k2 === b2 && k3 < b3)))))) {
      best = h;
      b0 = p.sameRole;
      b1 = p.sameOwner;
      b2 = k2;
      b3 = k3;
    }
  }
  return best;
}

export interface Shortfall {
  /** What is missing: a resource summed over the site, room on one host, or any Up host at all. */
  kind: 'cores' | 'memory' | 'storage' | 'fragmented' | 'noHostUp';
  needed: number;
  free: number;
  /** The VM that did not fit. */
  vm: PlacementRequest;
  /** Most room on a single Up host. */
  largest?: { host: string } & Demand;
  hostsDown?: number;
  hostsTotal?: number;
}

const sum = (xs: readonly Demand[], k: keyof Demand) => xs.reduce((s, x) => s + x[k], 0);

/** Why `pending` (which includes `vm`) does not fit on `hosts` as they are now. */
export function diagnose(hosts: readonly Host[], pending: readonly PlacementRequest[], vm: PlacementRequest): Shortfall {
  const up = hosts.filter((h) => h.state === 'Up');
  if (up.length === 0) return { kind: 'noHostUp', needed: vm.cores, free: 0, vm, hostsDown: hosts.length, hostsTotal: hosts.length };
  const free = up.map(freeOf);
  const checks: [Shortfall['kind'], keyof Demand][] = [
    ['cores', 'cores'],
    ['memory', 'memoryGB'],
    ['storage', 'storageGB'],
  ];
  for (const [kind, k] of checks) {
    const needed = sum(pending, k);
    const have = sum(free, k);
    if (needed > have) return { kind, needed, free: have, vm };
  }
  let largest: Shortfall['largest'];
  for (const h of up) {
    const f = freeOf(h);
    if (!largest || f.cores > largest.cores || (f.cores === largest.cores && f.memoryGB > largest.memoryGB)) largest = { host: h.name, ...f };
  }
  return { kind: 'fragmented', needed: vm.cores, free: sum(free, 'cores'), vm, largest };
}

/** The message for a shortfall on a described site ("Azure Stack Hub stamp 'local'"). */
export function shortfallMessage(site: string, s: Shortfall): string {
  switch (s.kind) {
    case 'cores':
      return `Not enough cores on ${site}: the operation needs ${s.needed} more cores, ${s.free} are free.`;
    case 'memory':
      return `Not enough memory on ${site}: the operation needs ${s.needed} GB more memory, ${s.free} GB are free.`;
    case 'storage':
      return `Not enough storage on ${site}: the operation needs ${s.needed} GB more storage, ${s.free} GB are free.`;
    case 'noHostUp':
      return `No host on ${site} is up (${s.hostsDown} of ${s.hostsTotal} failed): VM '${s.vm.name}' cannot be placed.`;
    case 'fragmented':
      return (
        `No single host on ${site} has room for VM '${s.vm.name}' (${s.vm.vmSize}: ${s.vm.cores} cores, ${s.vm.memoryGB} GB memory): ` +
        `the most free on one host is ${s.largest!.cores} cores and ${s.largest!.memoryGB} GB memory on '${s.largest!.host}', ` +
        `though the site has ${s.free} cores free in total.`
      );
  }
}

/**
 * Places a set of VMs on a copy of the hosts (a dry run); returns each VM's host, or the shortfall
 * of the whole set at the first VM that does not fit.
 */
export function placeAll(hosts: readonly Host[], reqs: readonly PlacementRequest[], peers: PeerCounter): { ok: true; placements: Map<string, string> } | { ok: false; shortfall: Shortfall } {
  const sim = hosts.map((h) => ({ ...h }));
  const extra: PeerIndex = new Map(); // peers added by this dry run
  const simPeers: PeerCounter = (host, owner, role) => {
    const p = peers(host, owner, role);
    const x = extra.get(host)?.get(owner);
    return x ? { sameRole: p.sameRole + (x.roles[role] ?? 0), sameOwner: p.sameOwner + x.all } : p;
  };
  // Biggest first packs better and makes the error point at the VM that matters.
  const order = [...reqs].sort((a, b) => b.cores - a.cores || b.memoryGB - a.memoryGB);
  const placements = new Map<string, string>();
  for (let i = 0; i < order.length; i++) {
    const r = order[i];
    const h = chooseHost(sim, r, simPeers);
    if (!h) return { ok: false, shortfall: diagnose(hosts, reqs, r) };
    h.usedCores += r.cores;
    h.usedMemoryGB += r.memoryGB;
    h.usedStorageGB += r.storageGB;
    addPeer(extra, h.name, r.owner, r.role, 1);
    placements.set(r.name, h.name);
  }
  return { ok: true, placements };
}

// ---- IPv4 addresses ---------------------------------------------------------------------------------

export function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function intToIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** [first, last] address of a CIDR, or undefined when malformed. */
export function parseCidr(cidr: string): [number, number] | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const base = ipToInt(m[1]);
  const bits = Number(m[2]);
  if (base === undefined || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const first = base - (base % size);
  return [first, first + size - 1];
}

/** Pools as [first, last] integer pairs (parse once, allocate many times). */
export function toRanges(pools: readonly IpRange[] | readonly (readonly [number, number])[]): (readonly [number, number])[] {
  return pools.map((p) => (Array.isArray(p) ? (p as readonly [number, number]) : ([ipToInt((p as IpRange).start)!, ipToInt((p as IpRange).end)!] as const)));
}

export function poolSize(pools: readonly IpRange[]): number {
  return pools.reduce((s, p) => s + (ipToInt(p.end)! - ipToInt(p.start)! + 1), 0);
}

/**
 * The next free address of the pools at or after `cursor` (wrapping around), or undefined when all
 * are taken. A cursor keeps allocation O(1) on average instead of rescanning from the start.
 */
export function allocateIp(pools: readonly IpRange[] | readonly (readonly [number, number])[], used: ReadonlySet<number>, cursor?: number): number | undefined {
  const ranges = toRanges(pools);
  const total = ranges.reduce((s, [a, b]) => s + (b - a + 1), 0);
  if (used.size >= total) {
    // used may hold addresses outside the pools; fall through only if some pool address is free
    let inPools = 0;
    for (const u of used) if (ranges.some(([a, b]) => u >= a && u <= b)) inPools++;
    if (inPools >= total) return undefined;
  }
  // Walk the pools as one sequence, starting at the cursor's position.
  let startIdx = 0;
  if (cursor !== undefined) {
    let offset = 0;
    for (const [a, b] of ranges) {
      if (cursor >= a && cursor <= b) {
        startIdx = offset + (cursor - a);
        break;
      }
      offset += b - a + 1;
    }
  }
  for (let i = 0; i < total; i++) {
    let idx = (startIdx + i) % total;
    for (const [a, b] of ranges) {
      const n = b - a + 1;
      if (idx < n) {
        const ip = a + idx;
        if (!used.has(ip)) return ip;
        break;
      }
      idx -= n;
    }
  }
  return undefined;
}
