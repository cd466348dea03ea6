// Pure plan builders for Kubernetes clusters (shared by both Kubernetes providers): what a provider
// hands the operation engine for a cluster operation, in the fabric's generic VM task kinds. A plan is
// a list of fabric tasks with dependencies; the engine runs independent tasks in parallel, each
// after its simulated duration (seconds to a minute per VM at --time-scale 1, as a real deployment
// takes), and percentComplete follows the tasks' weights.
//
// VM names are deterministic from the owner and the plan (never random), so a task re-run after a
// crash finds the VM it already made instead of making a second one.

import type { TaskSpec } from '../arm/asyncOperations.js';
import type { Vm, VmRequest, VmRole } from '../fabric/model.js';

/** Simulated durations at time-scale 1, in ms. */
export const DURATIONS = {
  reserve: 2_000,
  createControlPlane: 60_000,
  createLoadBalancer: 30_000,
  createWorker: 45_000,
  joinNode: 15_000,
  deleteVm: 20_000,
  drainAndDelete: 30_000,
  sweep: 1_000,
  stopVm: 15_000,
  startVm: 30_000,
} as const;

const weightOf = (ms: number) => Math.max(1, Math.round(ms / 1000));

export interface PoolSpec {
  name: string;
  count: number;
  vmSize: string;
}

export interface ClusterSpec {
  /** ARM id of the cluster. */
  owner: string;
  site: string;
  kubernetesVersion?: string;
  /** Omit (or count 0) where the control plane is not customer VMs (Azure regions). */
  controlPlane?: { count: number; vmSize: string };
  /** The HAProxy load-balancer VM(s) in front of the API server. */
  loadBalancer?: { count: number; vmSize: string };
  pools: PoolSpec[];
  logicalNetwork?: string;
}

// ---- names ---------------------------------------------------------------------------------------------

/** 8 hex digits from the owner id (FNV-1a), like the number in AKS node names. */
export function ownerHash(owner: string): string {
  let h = 0x811c9dc5;
  const s = owner.toLowerCase();
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function shortName(owner: string): string {
  const last = owner.split('/').filter(Boolean).at(-1) ?? 'cluster';
  return (
    last
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 20)
      .replace(/-+$/, '') || 'cluster'
  );
}

/** The name of the VM at `index` of a role (and pool) of an owner. */
export function vmName(owner: string, role: VmRole, index: number, pool?: string): string {
  const h = ownerHash(owner);
  switch (role) {
    case 'worker':
      return `aks-${(pool ?? 'nodepool1').toLowerCase()}-${h}-vmss${String(index).padStart(6, '0')}`;
    case 'controlPlane':
      return `${shortName(owner)}-control-plane-${h}-${index}`;
    case 'loadBalancer':
      return `${shortName(owner)}-load-balancer-${h}-${index}`;
    default:
      return `${shortName(owner)}-${role.toLowerCase()}-${h}-${index}`;
  }
}

/** Index of a VM named by vmName (the trailing number). */
export function vmIndex(name: string): number {
  const m = /(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}

// ---- task builders ------------------------------------------------------------------------------------------

function createTask(site: string, vm: VmRequest, dependsOn: string[] = []): TaskSpec {
  const ms = vm.role === 'controlPlane' ? DURATIONS.createControlPlane : vm.role === 'loadBalancer' ? DURATIONS.createLoadBalancer : DURATIONS.createWorker;
  return { id: `create:${vm.name}`, kind: 'fabric.createVm', params: { site, vm }, dependsOn, durationMs: ms, weight: weightOf(ms) };
}

function joinTask(site: string, name: string, dependsOn: string[]): TaskSpec {
  return { id: `join:${name}`, kind: 'fabric.joinNode', params: { site, vmName: name }, dependsOn, durationMs: DURATIONS.joinNode, weight: weightOf(DURATIONS.joinNode) };
}

function deleteTask(site: string, vm: Pick<Vm, 'name' | 'owner'>, dependsOn: string[] = [], ms: number = DURATIONS.deleteVm): TaskSpec {
  return { id: `delete:${vm.name}`, kind: 'fabric.deleteVm', params: { site, vmName: vm.name, owner: vm.owner }, dependsOn, durationMs: ms, weight: weightOf(ms) };
}

function reserveTask(site: string, owner: string, vms?: string[]): TaskSpec {
  const params: Record<string, unknown> = { site, owner };
  if (vms) params.vms = vms;
  return { id: 'reserve', kind: 'fabric.reserve', params, durationMs: DURATIONS.reserve, weight: weightOf(DURATIONS.reserve) };
}

/**
 * A new cluster: capacity is reserved for every VM first (so a site that is too small refuses at
 * once, with the numbers), then control plane and load balancer, then all workers in parallel,
 * then each worker joins.
 */
export function clusterCreatePlan(spec: ClusterSpec): TaskSpec[] {
  const { owner, site, kubernetesVersion: v, logicalNetwork } = spec;
  const base = (role: VmRole, vmSize: string, index: number, pool?: string): VmRequest => {
    const r: VmRequest = { name: vmName(owner, role, index, pool), owner, role, vmSize };
    if (pool) r.pool = pool;
    if (v) r.kubernetesVersion = v;
    if (logicalNetwork) r.logicalNetwork = logicalNetwork;
    return r;
  };
  const tasks: TaskSpec[] = [reserveTask(site, owner)];
  const front: string[] = [];
  for (let i = 0; i < (spec.controlPlane?.count ?? 0); i++) {
    const t = createTask(site, base('controlPlane', spec.controlPlane!.vmSize, i), ['reserve']);
    tasks.push(t);
    front.push(t.id);
  }
  for (let i = 0; i < (spec.loadBalancer?.count ?? 0); i++) {
    const t = createTask(site, base('loadBalancer', spec.loadBalancer!.vmSize, i), ['reserve']);
    tasks.push(t);
    front.push(t.id);
  }
  const after = front.length ? front : ['reserve'];
  for (const pool of spec.pools) {
    for (let i = 0; i < pool.count; i++) {
      const r = base('worker', pool.vmSize, i, pool.name);
      const w = createTask(site, r, after);
      tasks.push(w, joinTask(site, r.name, [w.id]));
    }
  }
  return tasks;
}

export interface PoolScaleSpec {
  owner: string;
  site: string;
  pool: string;
  vmSize: string;
  /** The count asked for; 0 removes every node of the pool. */
  count: number;
  /** The owner's VMs now (fabric.ownerVms(owner)). */
  current: Vm[];
  kubernetesVersion?: string;
  logicalNetwork?: string;
}

/** Scale one agent pool (also adds a pool from nothing, or removes one with count 0). */
export function poolScalePlan(spec: PoolScaleSpec): TaskSpec[] {
  const workers = spec.current
    .filter((vm) => vm.role === 'worker' && (vm.pool ?? '').toLowerCase() === spec.pool.toLowerCase() && vm.state !== 'Deleting')
    .sort((a, b) => vmIndex(a.name) - vmIndex(b.name));
  if (workers.length === spec.count) return [];
  if (workers.length > spec.count) {
    // Scale in removes the newest nodes first, as a scale set does.
    return workers.slice(spec.count).map((vm) => deleteTask(spec.site, vm, [], DURATIONS.drainAndDelete));
  }
  let next = workers.length ? Math.max(...workers.map((w) => vmIndex(w.name))) + 1 : 0;
  const version = spec.kubernetesVersion ?? spec.current.find((v) => v.kubernetesVersion)?.kubernetesVersion;
  const adds: VmRequest[] = [];
  for (let i = workers.length; i < spec.count; i++) {
    const r: VmRequest = { name: vmName(spec.owner, 'worker', next++, spec.pool), owner: spec.owner, role: 'worker', vmSize: spec.vmSize, pool: spec.pool };
    if (version) r.kubernetesVersion = version;
    if (spec.logicalNetwork) r.logicalNetwork = spec.logicalNetwork;
    adds.push(r);
  }
  const tasks: TaskSpec[] = [
    reserveTask(
      spec.site,
      spec.owner,
      adds.map((a) => a.name),
    ),
  ];
  for (const r of adds) {
    const c = createTask(spec.site, r, ['reserve']);
    tasks.push(c, joinTask(spec.site, r.name, [c.id]));
  }
  return tasks;
}

/** Delete a cluster: workers and load balancers, then the control plane, then a sweep for anything left. */
export function deletePlan(spec: { owner: string; site: string; current: Vm[] }): TaskSpec[] {
  const vms = spec.current.filter((v) => v.site.toLowerCase() === spec.site.toLowerCase());
  const first = vms.filter((v) => v.role !== 'controlPlane').map((v) => deleteTask(spec.site, v));
  const cp = vms
    .filter((v) => v.role === 'controlPlane')
    .map((v) =>
      deleteTask(
        spec.site,
        v,
        first.map((t) => t.id),
      ),
    );
  const all = [...first, ...cp];
  const sweep: TaskSpec = {
    id: 'sweep',
    kind: 'fabric.deleteOwner',
    params: { site: spec.site, owner: spec.owner },
    dependsOn: all.map((t) => t.id),
    durationMs: DURATIONS.sweep,
    weight: weightOf(DURATIONS.sweep),
  };
  return [...all, sweep];
}

/**
 * Stop a cluster: workers are deallocated (their capacity is freed for others), then the control
 * plane and load balancer stop (deallocated too with deallocateControlPlane).
 */
export function stopPlan(spec: { owner: string; site: string; current: Vm[]; deallocateControlPlane?: boolean }): TaskSpec[] {
  const vms = spec.current.filter((v) => v.site.toLowerCase() === spec.site.toLowerCase() && (v.state === 'Running' || v.state === 'Creating' || v.state === 'Stopped'));
  const task = (v: Vm, deallocate: boolean, dependsOn: string[]): TaskSpec => ({
    id: `stop:${v.name}`,
    kind: 'fabric.stopVm',
    params: { site: spec.site, vmName: v.name, deallocate },
    dependsOn,
    durationMs: DURATIONS.stopVm,
    weight: weightOf(DURATIONS.stopVm),
  });
  const workers = vms.filter((v) => v.role === 'worker').map((v) => task(v, true, []));
  const rest = vms
    .filter((v) => v.role !== 'worker')
    .map((v) =>
      task(
        v,
        !!spec.deallocateControlPlane,
        workers.map((w) => w.id),
      ),
    );
  return [...workers, ...rest];
}

/** Start a cluster: control plane and load balancer first, then the workers (which need room again). */
export function startPlan(spec: { owner: string; site: string; current: Vm[] }): TaskSpec[] {
  const vms = spec.current.filter((v) => v.site.toLowerCase() === spec.site.toLowerCase() && (v.state === 'Stopped' || v.state === 'Deallocated' || v.state === 'Failed'));
  const task = (v: Vm, dependsOn: string[]): TaskSpec => ({
    id: `start:${v.name}`,
    kind: 'fabric.startVm',
    params: { site: spec.site, vmName: v.name },
    dependsOn,
    durationMs: DURATIONS.startVm,
    weight: weightOf(DURATIONS.startVm),
  });
  const front = vms.filter((v) => v.role !== 'worker').map((v) => task(v, []));
  const workers = vms
    .filter((v) => v.role === 'worker')
    .map((v) =>
      task(
        v,
        front.map((t) => t.id),
      ),
    );
  return [...front, ...workers];
}

/**
 * Rolling upgrade, one node at a time with one node of surge: for each control-plane node then
 * each worker, create a replacement on the new version, join it, then drain and delete the old
 * node. A rollback keeps replacements whose old node is already gone, so no node is lost.
 */
export function upgradePlan(spec: { owner: string; site: string; current: Vm[]; kubernetesVersion: string; controlPlaneOnly?: boolean; reimage?: boolean }): TaskSpec[] {
  // reimage: every VM is replaced, whatever its version (a node image upgrade).
  const vms = spec.current.filter((v) => v.site.toLowerCase() === spec.site.toLowerCase() && v.state !== 'Deleting' && (spec.reimage === true || v.kubernetesVersion !== spec.kubernetesVersion));
  const order = [
    ...vms.filter((v) => v.role === 'controlPlane'),
    ...(spec.controlPlaneOnly ? [] : vms.filter((v) => v.role === 'worker').sort((a, b) => (a.pool ?? '').localeCompare(b.pool ?? '') || vmIndex(a.name) - vmIndex(b.name))),
  ];
  // New names continue after the highest index in use per role and pool.
  const nextIndex = new Map<string, number>();
  for (const v of spec.current) {
    const k = `${v.role}|${v.pool ?? ''}`;
    nextIndex.set(k, Math.max(nextIndex.get(k) ?? 0, vmIndex(v.name) + 1));
  }
  const tasks: TaskSpec[] = [];
  let prev: string[] = [];
  for (const old of order) {
    const k = `${old.role}|${old.pool ?? ''}`;
    const idx = nextIndex.get(k) ?? 0;
    nextIndex.set(k, idx + 1);
    const r: VmRequest = { name: vmName(spec.owner, old.role, idx, old.pool), owner: spec.owner, role: old.role, vmSize: old.vmSize, kubernetesVersion: spec.kubernetesVersion, replaces: old.name };
    if (old.pool) r.pool = old.pool;
    if (old.logicalNetwork) r.logicalNetwork = old.logicalNetwork;
    const c = createTask(spec.site, r, prev);
    tasks.push(c);
    let ready = c.id;
    if (old.role === 'worker') {
      const j = joinTask(spec.site, r.name, [c.id]);
      tasks.push(j);
      ready = j.id;
    }
    const d = deleteTask(spec.site, old, [ready], DURATIONS.drainAndDelete);
    tasks.push(d);
    prev = [d.id];
  }
  return tasks;
}

/** Drains and deletes the named machines (workers) of a cluster, one after the other. */
export function deleteMachinesPlan(spec: { site: string; machines: Vm[] }): TaskSpec[] {
  const tasks: TaskSpec[] = [];
  let prev: string[] = [];
  for (const vm of spec.machines) {
    const d = deleteTask(spec.site, vm, prev, DURATIONS.drainAndDelete);
    tasks.push(d);
    prev = [d.id];
  }
  return tasks;
}
