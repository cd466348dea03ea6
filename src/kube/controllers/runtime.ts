// The controller runtime: each cluster's controllers run one after another (never two at once for a
// cluster, so none races another), woken by the changes they watch and by timers on the emulator's time
// scale (a simulated delay of d ms waits d × --time-scale; 0 runs at once, still asynchronously).
// Controllers are level-triggered: each run looks at the cluster as it is and commits what differs, so a
// restart only has to wake every controller once.

import type { KubeApi, BatchChange } from '../api.js';
import type { KubeStore, StoreEvent } from '../store.js';
import type { ClusterView } from '../clusters.js';
import { microTime, type KubeObject } from '../model.js';
import { recordEvent } from './events.js';
import type { Fabric } from '../../fabric/fabric.js';
import type { Services } from '../../framework/types.js';
import type { WriteOp } from '../../store/store.js';

export interface ControllerContext {
  cluster: string;
  view: ClusterView;
  api: KubeApi;
  store: KubeStore;
  now: number;
  list(gr: string, namespace?: string): KubeObject[];
  get(gr: string, namespace: string, name: string): KubeObject | undefined;
  /** Commits changes in one write (as the system); errors of the kinds listed in `tolerate` are skipped. Extra records go in the same write. */
  commit(changes: BatchChange[], extra?: WriteOp[]): Promise<void>;
  /** Records an event about an object (committed with the next commit, or on its own); repeats are counted (events.ts). */
  event(about: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string, host?: string): void;
  /** Wakes this controller again after a simulated delay (ms at time scale 1). */
  after(simMs: number): void;
  /** Wakes this controller again after wall-clock ms (a deadline computed from stored times). */
  afterWall(ms: number): void;
  /** The fabric (sites, VMs), when the emulator has one. */
  fabric?: Fabric;
  /** The emulator's services (ARM resources are read, and written only through services.resourceManager). */
  services: Services;
  /** Simulated ms scaled to wall ms. */
  scaled(simMs: number): number;
  /**
   * A timeout (a deadline, not a duration) in wall ms: scaled like durations, but none at --time-scale 0, where
   * every step takes no time and a timeout would only measure how long the controllers take to get round.
   */
  timeout(simMs: number): number;
}

export interface Controller {
  name: string;
  /** Storage group/resources whose changes wake it ('*' for every change). */
  watches: string[];
  run(ctx: ControllerContext): void | Promise<void>;
}

export interface RuntimeOptions {
  api: KubeApi;
  store: KubeStore;
  view(cluster: string): ClusterView | undefined;
  timeScale(): number;
  fabric(): Fabric | undefined;
  services: Services;
  quiet: boolean;
  /**
   * Whether this instance drives the cluster's controllers (several instances on one store: the lease holder,
   * ../lease.ts); absent: always (one instance).
   */
  holds?(cluster: string): boolean;
}

interface ClusterState {
  dirty: Set<string>;
  running: boolean;
  timers: Map<string, { at: number; t: NodeJS.Timeout }>;
  events: BatchChange[];
}

const MAX_ROUNDS = 50;
/** The longest a drain keeps the event loop before letting requests in (the controllers' awaits are microtasks). */
const SLICE_MS = 8;

// Turns of the event loop, shared by every cluster's drain: one drain starts or resumes per turn, in the order
// they asked. With one setImmediate each, fifty clusters woken together (a restart) would each run a slice in
// the same turn, holding the loop for fifty slices; here requests get in between any two slices.
const turns: (() => void)[] = [];
let turning = false;
function nextTurn(fn: () => void): void {
  turns.push(fn);
  if (!turning) {
    turning = true;
    setImmediate(turn);
  }
}
function turn(): void {
  const fn = turns.shift();
  if (turns.length) setImmediate(turn);
  else turning = false;
  fn?.();
}
const yieldToLoop = (): Promise<void> => new Promise((resolve) => nextTurn(resolve));

export class ControllerRuntime {
  readonly controllers: Controller[] = [];
  private readonly clusters = new Map<string, ClusterState>();
  private stopped = false;
  private readonly idleWaiters = new Map<string, (() => void)[]>();
  /** Controller runs per cluster since the start (which instance of a farm drives a cluster shows here). */
  private readonly counts = new Map<string, number>();

  constructor(private readonly o: RuntimeOptions) {
    o.store.onChange((cluster, events) => this.changed(cluster, events));
  }

  register(c: Controller): void {
    this.controllers.push(c);
  }

  private state(cluster: string): ClusterState {
    let s = this.clusters.get(cluster);
    if (!s) this.clusters.set(cluster, (s = { dirty: new Set(), running: false, timers: new Map(), events: [] }));
    return s;
  }

  private changed(cluster: string, events: StoreEvent[]): void {
    const grs = new Set(events.map((e) => e.gr));
    for (const c of this.controllers) if (c.watches.includes('*') || c.watches.some((w) => grs.has(w))) this.wake(cluster, c.name);
  }

  /** Marks controllers of a cluster to run (all of them without a name). */
  wake(cluster: string, name?: string): void {
    if (this.stopped || !this.drives(cluster)) return;
    const s = this.state(cluster);
    if (name) s.dirty.add(name);
    else for (const c of this.controllers) s.dirty.add(c.name);
    if (!s.running) {
      s.running = true;
      nextTurn(() => void this.drain(cluster));
    }
  }

  private drives(cluster: string): boolean {
    return !this.o.holds || this.o.holds(cluster);
  }

  /** How many controller runs this instance made for a cluster. */
  runs(cluster: string): number {
    return this.counts.get(cluster) ?? 0;
  }

  /** Forgets a cluster (deleted, or driven by another instance now): its timers end. */
  forget(cluster: string): void {
    const s = this.clusters.get(cluster);
    if (!s) return;
    for (const t of s.timers.values()) clearTimeout(t.t);
    this.clusters.delete(cluster);
  }

  /** Resolves once the cluster's controllers have nothing left to do right now (tests, benchmarks). */
  idle(cluster: string): Promise<void> {
    const s = this.clusters.get(cluster);
    if (!s || (!s.running && s.dirty.size === 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.idleWaiters.get(cluster) ?? [];
      list.push(resolve);
      this.idleWaiters.set(cluster, list);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.clusters.values()) for (const t of s.timers.values()) clearTimeout(t.t);
    this.clusters.clear();
  }

  private async drain(cluster: string): Promise<void> {
    const s = this.state(cluster);
    let rounds = 0;
    let sliceStart = performance.now();
    try {
      while (s.dirty.size && !this.stopped) {
        const view = this.o.view(cluster);
        if (!view || !view.serving || !this.o.store.cluster(cluster) || !this.drives(cluster)) {
          s.dirty.clear();
          break;
        }
        if (++rounds > MAX_ROUNDS) {
          // Let requests in; carry on next turn.
          nextTurn(() => void this.drain(cluster));
          return;
        }
        for (const c of this.controllers) {
          if (!s.dirty.has(c.name) || this.stopped || !this.o.store.cluster(cluster)) continue;
          // The lease went to another instance in the middle of a drain: the rest is its work.
          if (!this.drives(cluster)) break;
          s.dirty.delete(c.name);
          this.counts.set(cluster, (this.counts.get(cluster) ?? 0) + 1);
          try {
            await c.run(this.context(cluster, view, c, s));
            if (s.events.length) await this.flushEvents(cluster, s);
          } catch (e) {
            if (!this.o.quiet) console.error(`[kube] controller ${c.name} in cluster ${cluster}:`, e);
          }
          if (performance.now() - sliceStart > SLICE_MS) {
            await yieldToLoop();
            sliceStart = performance.now();
          }
        }
      }
      s.running = false;
    } catch (e) {
      s.running = false;
      throw e;
    }
    const waiters = this.idleWaiters.get(cluster);
    if (waiters && s.dirty.size === 0) {
      this.idleWaiters.delete(cluster);
      for (const w of waiters) w();
    }
  }

  private async flushEvents(cluster: string, s: ClusterState): Promise<void> {
    const evs = s.events.splice(0);
    if (!evs.length) return;
    try {
      await this.o.api.batch(
        cluster,
        evs.map((e) => ({ ...e, tolerate: [404, 409, 403] })),
      );
    } catch (e) {
      if (!this.o.quiet) console.error(`[kube] events in cluster ${cluster}:`, e);
    }
  }

  private context(cluster: string, view: ClusterView, c: Controller, s: ClusterState): ControllerContext {
    const { api, store } = this.o;
    const now = Date.now();
    return {
      cluster,
      view,
      api,
      store,
      now,
      list: (gr, ns) => store.list(cluster, gr, ns),
      get: (gr, ns, name) => store.get(cluster, gr, ns, name),
      commit: async (changes, extra = []) => {
        if (!changes.length && !s.events.length && !extra.length) return;
        const all = [...changes, ...s.events.splice(0).map((e) => ({ ...e, tolerate: [404, 409, 403] }))];
        await api.batch(cluster, all, undefined, extra);
      },
      event: (about, type, reason, message, component, host) => {
        const ev = recordEvent(store, cluster, s.events, about, type, reason, message, { component, host }, now);
        if (ev) s.events.push(ev);
      },
      after: (simMs) => this.timer(cluster, c.name, simMs * this.o.timeScale()),
      afterWall: (ms) => this.timer(cluster, c.name, ms),
      fabric: this.o.fabric(),
      services: this.o.services,
      scaled: (simMs) => simMs * this.o.timeScale(),
      timeout: (simMs) => (this.o.timeScale() === 0 ? Infinity : simMs * this.o.timeScale()),
    };
  }

  private timer(cluster: string, name: string, wallMs: number): void {
    const s = this.state(cluster);
    const ms = Math.max(0, Math.ceil(wallMs));
    const at = Date.now() + ms;
    const key = name;
    const cur = s.timers.get(key);
    if (cur && cur.at <= at) return;
    if (cur) clearTimeout(cur.t);
    const t = setTimeout(() => {
      s.timers.delete(key);
      this.wake(cluster, name);
    }, ms);
    t.unref?.();
    s.timers.set(key, { at, t });
  }
}

export { microTime };
