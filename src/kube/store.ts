// The Kubernetes object store: every cluster's objects in the emulator's Store, behind one writer.
//
// commit() is the only way an object changes: it takes a batch of puts and deletes for one cluster, gives
// each the next resourceVersion from the cluster's durable counter, and makes them and the counter one
// Store.write (so a change is all there or not at all after a crash). Reads answer from memory: an index
// by cluster, group/resource, namespace and name over the same objects the Store holds (never mutated
// after they are written, so nothing is copied). Watch events are sent once a change is durable, in
// resourceVersion order; the last events of each cluster are kept so a watch can resume from a
// resourceVersion, and one older than what is kept gets 410 Expired, as from a compacted etcd. They are
// kept as the JSON texts the Store holds (the same strings: a version costs memory only once it is
// superseded, and then a text, not an object graph).

import type { Store, StoreChange, WriteOp } from '../store/store.js';
import type { KubeObject } from './model.js';
import { KubeErrors } from './status.js';

export const OBJECTS = 'kube.objects';
export const CLUSTERS = 'kube.clusters';

/**
 * Keys start with the cluster's subscription (`/subscriptions/<id>/kube/<cluster>...`, lower case), so a
 * subscription's resets and snapshots take its clusters' objects along.
 */
const recordKey = (sub: string, cluster: string) => `/subscriptions/${sub}/kube/${cluster}`;
const objKey = (sub: string, cluster: string, gr: string, ns: string, name: string) => `${recordKey(sub, cluster)}/${gr}/${ns}/${name}`;
const subOfAnchor = (anchor: string) => (anchor.split('/')[2] ?? '').toLowerCase();

/** The parts of an object key (undefined for a key of another shape). */
function parseObjKey(key: string): { sub: string; cluster: string; gr: string; ns: string; name: string } | undefined {
  const m = /^\/subscriptions\/([^/]+)\/kube\/([^/]+)\/([^/]+\/[^/]+)\/([^/]*)\/(.+)$/.exec(key);
  return m ? { sub: m[1], cluster: m[2], gr: m[3], ns: m[4], name: m[5] } : undefined;
}

/** What is kept per cluster besides its objects. */
export interface ClusterRecord {
  key: string;
  /** ARM id of the resource the cluster belongs to. */
  anchor: string;
  /** The last resourceVersion handed out. */
  rv: number;
  createdAt: string;
  /** Version of the bootstrap objects written (system namespaces, roles...). */
  bootstrap?: number;
  /** Free-form facts the controllers keep (allocations...). */
  [k: string]: unknown;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  /** Storage group/resource ('apps/deployments', 'core/pods'). */
  gr: string;
  namespace: string;
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  old?: KubeObject;
  rv: number;
}

export type Op = { put: KubeObject; gr: string } | { delete: { namespace: string; name: string }; gr: string };

export interface Watcher {
  gr: string;
  /** undefined: every namespace. */
  namespace?: string;
  /** Only events after this resourceVersion. */
  after: number;
  send(ev: StoreEvent): void;
  /** The cluster went away: the watch ends. */
  close?(): void;
}

/** Past events kept per cluster, and across the emulator (the oldest go first; a watch from before them gets 410). */
const HISTORY = 2000;
const HISTORY_ALL = 5000;

/** A past event as kept for watches that resume: the object's stored texts (parsed again if replayed). */
interface PastEvent {
  type: EventType;
  gr: string;
  namespace: string;
  rv: number;
  /** The object after the change (absent for DELETED: the object before it, at the deletion's resourceVersion). */
  text?: string;
  /** The object before the change (MODIFIED and DELETED). */
  oldText?: string;
}

function replay(p: PastEvent): StoreEvent {
  const old = p.oldText === undefined ? undefined : (JSON.parse(p.oldText) as KubeObject);
  let object: KubeObject;
  if (p.text !== undefined) object = JSON.parse(p.text) as KubeObject;
  else {
    object = JSON.parse(p.oldText!) as KubeObject;
    object.metadata.resourceVersion = String(p.rv);
  }
  return { type: p.type, gr: p.gr, namespace: p.namespace, object, old, rv: p.rv };
}

type Index = Map<string, Map<string, Map<string, KubeObject>>>; // gr -> namespace -> name -> object

export class KubeStore {
  private readonly index = new Map<string, Index>();
  private readonly history = new Map<string, PastEvent[]>();
  /** The cluster of every past event kept, oldest first (from `pastHead` on), for the emulator-wide bound. */
  private past: string[] = [];
  private pastHead = 0;
  private pastKept = 0;
  /** The lowest resourceVersion whose events are all still in history (per cluster). */
  private readonly historyFrom = new Map<string, number>();
  /** The highest resourceVersion whose events were sent (per cluster). */
  private readonly emitted = new Map<string, number>();
  private readonly watchers = new Map<string, Set<Watcher>>();
  /** Called after every durable commit (controllers are queued from here). */
  private readonly listeners = new Set<(cluster: string, events: StoreEvent[]) => void>();

  /** cluster key -> its subscription (lower case). */
  private readonly subs = new Map<string, string>();

  constructor(
    private readonly store: Store,
    opts: { load?: boolean } = {},
  ) {
    if (opts.load !== false) this.load();
    // Another instance's commits (or a subscription reset or snapshot): the index follows, watchers hear them.
    store.onExternalChange((changes) => this.external(changes));
  }

  /**
   * A store whose objects are read in slices of at most `sliceMs`, letting the event loop in between: a restart
   * with tens of thousands of kube objects parses each of them, half a second and more in one piece otherwise.
   * Nothing reads the store before it resolves (the Kubernetes API is built on it afterwards).
   */
  static async open(store: Store, sliceMs = 8): Promise<KubeStore> {
    const ks = new KubeStore(store, { load: false });
    let start = performance.now();
    for (const step of ks.loading()) {
      void step;
      if (performance.now() - start > sliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        start = performance.now();
      }
    }
    return ks;
  }

  private load(): void {
    for (const step of this.loading()) void step;
  }

  /** Reads the clusters and objects into the index, one object per step (a changed store seen between steps is fine: Map iteration sees every key not yet visited as it is then, and changes to visited ones arrive through external()). */
  private *loading(): Generator<void> {
    this.index.clear();
    this.subs.clear();
    for (const c of this.store.values<ClusterRecord>(CLUSTERS)) {
      this.subs.set(c.key, subOfAnchor(c.anchor));
      this.historyFrom.set(c.key, c.rv);
      this.emitted.set(c.key, c.rv);
    }
    for (const [key, obj] of this.store.entries<KubeObject>(OBJECTS)) {
      const k = parseObjKey(key);
      if (k) this.place(k.cluster, k.gr, k.ns, k.name, obj);
      yield;
    }
  }

  private external(changes: StoreChange[] | 'all'): void {
    if (changes === 'all') {
      for (const set of this.watchers.values()) for (const w of set) w.close?.();
      this.watchers.clear();
      this.history.clear();
      this.past = [];
      this.pastHead = 0;
      this.pastKept = 0;
      this.load();
      return;
    }
    const byCluster = new Map<string, StoreEvent[]>();
    for (const ch of changes) {
      if (ch.collection === CLUSTERS) {
        const rec = ch.value as ClusterRecord | undefined;
        const key = ch.key.split('/').at(-1)!;
        if (rec) {
          this.subs.set(rec.key, subOfAnchor(rec.anchor));
          if (!this.emitted.has(rec.key)) {
            this.historyFrom.set(rec.key, rec.rv);
            this.emitted.set(rec.key, rec.rv);
          }
        } else {
          this.index.delete(key);
          for (const w of this.watchers.get(key) ?? []) w.close?.();
          this.watchers.delete(key);
        }
        continue;
      }
      if (ch.collection !== OBJECTS) continue;
      const k = parseObjKey(ch.key);
      if (!k) continue;
      const old = this.get(k.cluster, k.gr, k.ns, k.name);
      const now = ch.value as KubeObject | undefined;
      const list = byCluster.get(k.cluster) ?? [];
      byCluster.set(k.cluster, list);
      if (now) {
        this.place(k.cluster, k.gr, k.ns, k.name, now);
        list.push({ type: old ? 'MODIFIED' : 'ADDED', gr: k.gr, namespace: k.ns, object: now, old, rv: Number(now.metadata.resourceVersion ?? 0) });
      } else if (old) {
        this.unplace(k.cluster, k.gr, k.ns, k.name);
        const rv = this.rv(k.cluster);
        list.push({ type: 'DELETED', gr: k.gr, namespace: k.ns, object: { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } }, old, rv });
      }
    }
    for (const [cluster, events] of byCluster) {
      events.sort((a, b) => a.rv - b.rv);
      this.remember(
        cluster,
        events.map((ev) => ({
          type: ev.type,
          gr: ev.gr,
          namespace: ev.namespace,
          rv: ev.rv,
          text: ev.type === 'DELETED' ? undefined : JSON.stringify(ev.object),
          oldText: ev.old && JSON.stringify(ev.old),
        })),
      );
      this.emit(cluster, events);
    }
  }

  /** Runs fn as the only writer of the cluster among the emulator's instances (one process: at once). */
  exclusive<T>(cluster: string, fn: () => Promise<T>): Promise<T> {
    return this.store.exclusive(`kube:${cluster}`, fn);
  }

  // ---- reads ------------------------------------------------------------------------------------------

  cluster(key: string): ClusterRecord | undefined {
    const sub = this.subs.get(key);
    return sub === undefined ? undefined : this.store.get<ClusterRecord>(CLUSTERS, recordKey(sub, key));
  }

  clusters(): ClusterRecord[] {
    return [...this.store.values<ClusterRecord>(CLUSTERS)];
  }

  /** The cluster's current resourceVersion (0 before anything was written). */
  rv(cluster: string): number {
    return this.cluster(cluster)?.rv ?? 0;
  }

  get(cluster: string, gr: string, namespace: string, name: string): KubeObject | undefined {
    return this.index.get(cluster)?.get(gr)?.get(namespace)?.get(name);
  }

  /** The stored JSON text of an object (what JSON.stringify of get()'s answer gives), unparsed. */
  text(cluster: string, gr: string, namespace: string, name: string): string | undefined {
    const sub = this.subs.get(cluster);
    if (sub === undefined || !this.get(cluster, gr, namespace, name)) return undefined;
    return this.store.text(OBJECTS, objKey(sub, cluster, gr, namespace, name));
  }

  /** Objects of a resource, in one namespace or all; sorted by namespace then name (etcd key order). */
  list(cluster: string, gr: string, namespace?: string): KubeObject[] {
    const byNs = this.index.get(cluster)?.get(gr);
    if (!byNs) return [];
    const out: KubeObject[] = [];
    if (namespace !== undefined) {
      const m = byNs.get(namespace);
      if (m) for (const o of m.values()) out.push(o);
      return out.sort(byName);
    }
    for (const ns of [...byNs.keys()].sort()) {
      const m = byNs.get(ns)!;
      const part = [...m.values()].sort(byName);
      for (const o of part) out.push(o);
    }
    return out;
  }

  /** The objects of a resource in one namespace, in no particular order (nothing sorted or copied). */
  values(cluster: string, gr: string, namespace: string): IterableIterator<KubeObject> | KubeObject[] {
    return this.index.get(cluster)?.get(gr)?.get(namespace)?.values() ?? [];
  }

  count(cluster: string, gr: string, namespace?: string): number {
    const byNs = this.index.get(cluster)?.get(gr);
    if (!byNs) return 0;
    if (namespace !== undefined) return byNs.get(namespace)?.size ?? 0;
    let n = 0;
    for (const m of byNs.values()) n += m.size;
    return n;
  }

  /** Every group/resource the cluster holds objects of. */
  resources(cluster: string): string[] {
    return [...(this.index.get(cluster)?.keys() ?? [])];
  }

  // ---- writes -------------------------------------------------------------------------------------------

  /**
   * One change: puts and deletes of one cluster, the cluster's counter and any extra records, in one
   * Store.write. Objects put get metadata.resourceVersion set (pass fresh objects; they are stored as
   * they are). Resolves with the events once durable (after watchers got them).
   */
  async commit(cluster: string, ops: Op[], opts: { extra?: WriteOp[]; record?: Partial<ClusterRecord> } = {}): Promise<StoreEvent[]> {
    const rec = this.cluster(cluster);
    if (!rec && !opts.record?.anchor) throw KubeErrors.internal(`no cluster '${cluster}' in the store`);
    const sub = this.subs.get(cluster) ?? subOfAnchor(String(opts.record?.anchor));
    let rv = rec?.rv ?? 0;
    const events: StoreEvent[] = [];
    const writes: WriteOp[] = [];
    // The texts of the objects before the change (the Store's strings, not copies), for the history.
    const oldTexts: (string | undefined)[] = [];
    const putHere = new Set<string>();
    const textBefore = (key: string, old: KubeObject) => (putHere.has(key) ? JSON.stringify(old) : (this.store.text(OBJECTS, key) ?? JSON.stringify(old)));
    for (const op of ops) {
      if ('put' in op) {
        const o = op.put;
        const ns = o.metadata.namespace ?? '';
        const name = o.metadata.name!;
        const old = this.get(cluster, op.gr, ns, name);
        const key = objKey(sub, cluster, op.gr, ns, name);
        o.metadata.resourceVersion = String(++rv);
        this.place(cluster, op.gr, ns, name, o);
        writes.push({ collection: OBJECTS, key, value: o });
        events.push({ type: old ? 'MODIFIED' : 'ADDED', gr: op.gr, namespace: ns, object: o, old, rv });
        oldTexts.push(old ? textBefore(key, old) : undefined);
        putHere.add(key);
      } else {
        const { namespace, name } = op.delete;
        const old = this.get(cluster, op.gr, namespace, name);
        if (!old) continue;
        const key = objKey(sub, cluster, op.gr, namespace, name);
        this.unplace(cluster, op.gr, namespace, name);
        writes.push({ collection: OBJECTS, key, value: undefined });
        const last = { ...old, metadata: { ...old.metadata, resourceVersion: String(++rv) } };
        events.push({ type: 'DELETED', gr: op.gr, namespace, object: last, old, rv });
        oldTexts.push(textBefore(key, old));
        putHere.add(key);
      }
    }
    const next: ClusterRecord = { ...(rec ?? { key: cluster, anchor: '', createdAt: new Date().toISOString() }), ...(opts.record ?? {}), key: cluster, rv } as ClusterRecord;
    if (!rec) {
      this.subs.set(cluster, sub);
      this.historyFrom.set(cluster, 0);
      this.emitted.set(cluster, 0);
    }
    writes.push({ collection: CLUSTERS, key: recordKey(sub, cluster), value: next }, ...(opts.extra ?? []));
    // The Store holds the new texts as soon as write() returns (it resolves once they are durable).
    const durable = this.store.write(writes);
    const seen = new Set<string>();
    const past: PastEvent[] = new Array(events.length);
    for (let i = events.length - 1; i >= 0; i--) {
      const ev = events[i];
      const w = writes[i];
      // An object named twice in one change: only its last put is the stored text.
      const text = ev.type === 'DELETED' ? undefined : seen.has(w.key) ? JSON.stringify(ev.object) : (this.store.text(OBJECTS, w.key) ?? JSON.stringify(ev.object));
      seen.add(w.key);
      past[i] = { type: ev.type, gr: ev.gr, namespace: ev.namespace, rv: ev.rv, text, oldText: oldTexts[i] };
    }
    this.remember(cluster, past);
    await durable;
    this.emit(cluster, events);
    return events;
  }

  /** Removes a cluster and everything in it, in one write (its watchers are ended). */
  async dropCluster(cluster: string, extra: WriteOp[] = []): Promise<void> {
    const writes: WriteOp[] = [];
    const idx = this.index.get(cluster);
    const sub = this.subs.get(cluster) ?? '';
    for (const [gr, byNs] of idx ?? []) for (const [ns, m] of byNs) for (const name of m.keys()) writes.push({ collection: OBJECTS, key: objKey(sub, cluster, gr, ns, name), value: undefined });
    this.index.delete(cluster);
    this.pastKept -= this.history.get(cluster)?.length ?? 0;
    this.history.delete(cluster);
    this.historyFrom.delete(cluster);
    this.emitted.delete(cluster);
    if (this.cluster(cluster)) writes.push({ collection: CLUSTERS, key: recordKey(sub, cluster), value: undefined });
    this.subs.delete(cluster);
    writes.push(...extra);
    for (const w of this.watchers.get(cluster) ?? []) w.close?.();
    this.watchers.delete(cluster);
    if (writes.length) await this.store.write(writes);
  }

  // ---- watch ----------------------------------------------------------------------------------------------

  /**
   * Starts a watch from a resourceVersion: replays what happened after it (410 Expired when that is no
   * longer known), then sends changes as they become durable. Returns the function that ends it.
   */
  watch(cluster: string, w: Watcher): () => void {
    const sent = this.emitted.get(cluster) ?? this.rv(cluster);
    const from = this.historyFrom.get(cluster) ?? sent;
    if (w.after < sent) {
      if (w.after < from) {
        throw KubeErrors.expired(`too old resource version: ${w.after} (${sent})`);
      }
      for (const p of this.history.get(cluster) ?? []) {
        if (p.rv <= w.after || p.rv > sent) continue;
        if (matches(w, p)) w.send(replay(p));
      }
    }
    w.after = Math.max(w.after, sent);
    let set = this.watchers.get(cluster);
    if (!set) this.watchers.set(cluster, (set = new Set()));
    set.add(w);
    return () => {
      set!.delete(w);
    };
  }

  /** Called with each durable change (controllers enqueue work from it). */
  onChange(fn: (cluster: string, events: StoreEvent[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  watcherCount(cluster?: string): number {
    if (cluster) return this.watchers.get(cluster)?.size ?? 0;
    let n = 0;
    for (const s of this.watchers.values()) n += s.size;
    return n;
  }

  // ---- internals ------------------------------------------------------------------------------------------

  private place(cluster: string, gr: string, ns: string, name: string, o: KubeObject): void {
    let idx = this.index.get(cluster);
    if (!idx) this.index.set(cluster, (idx = new Map()));
    let byNs = idx.get(gr);
    if (!byNs) idx.set(gr, (byNs = new Map()));
    let m = byNs.get(ns);
    if (!m) byNs.set(ns, (m = new Map()));
    m.set(name, o);
  }

  private unplace(cluster: string, gr: string, ns: string, name: string): void {
    const byNs = this.index.get(cluster)?.get(gr);
    const m = byNs?.get(ns);
    if (!m) return;
    m.delete(name);
    if (m.size === 0) byNs!.delete(ns);
  }

  private remember(cluster: string, events: PastEvent[]): void {
    if (!events.length) return;
    let h = this.history.get(cluster);
    if (!h) this.history.set(cluster, (h = []));
    h.push(...events);
    this.pastKept += events.length;
    for (let i = 0; i < events.length; i++) this.past.push(cluster);
    if (h.length > HISTORY) this.forget(cluster, h.length - HISTORY);
    if (this.pastKept > HISTORY_ALL) {
      // Down to 90% at once (each cluster's list is cut once), oldest events first whatever their cluster.
      const drop = new Map<string, number>();
      let n = this.pastKept - Math.floor(HISTORY_ALL * 0.9);
      while (n > 0 && this.pastHead < this.past.length) {
        const c = this.past[this.pastHead++];
        const want = (drop.get(c) ?? 0) + 1;
        // Tags of events already gone (their cluster's own bound, a dropped cluster) are skipped.
        if (want > (this.history.get(c)?.length ?? 0)) continue;
        drop.set(c, want);
        n--;
      }
      for (const [c, k] of drop) this.forget(c, k);
    }
    if (this.pastHead > 4096 && this.pastHead * 2 > this.past.length) {
      this.past = this.past.slice(this.pastHead);
      this.pastHead = 0;
    }
  }

  /** Drops a cluster's oldest past events: a watch from before them gets 410 Expired. */
  private forget(cluster: string, count: number): void {
    const h = this.history.get(cluster);
    if (!h || count <= 0) return;
    const k = Math.min(count, h.length);
    this.historyFrom.set(cluster, h[k - 1].rv);
    h.splice(0, k);
    this.pastKept -= k;
  }

  private emit(cluster: string, events: StoreEvent[]): void {
    if (!events.length) return;
    const last = events[events.length - 1].rv;
    if (last > (this.emitted.get(cluster) ?? 0)) this.emitted.set(cluster, last);
    const set = this.watchers.get(cluster);
    if (set) {
      for (const ev of events) {
        for (const w of set) {
          if (ev.rv <= w.after || !matches(w, ev)) continue;
          w.after = ev.rv;
          try {
            w.send(ev);
          } catch {
            set.delete(w);
          }
        }
      }
    }
    for (const l of this.listeners) {
      try {
        l(cluster, events);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}

function matches(w: Watcher, ev: { gr: string; namespace: string }): boolean {
  return ev.gr === w.gr && (w.namespace === undefined || w.namespace === ev.namespace);
}

/** Kubernetes list order within a namespace (etcd key order). */
export function byName(a: KubeObject, b: KubeObject): number {
  const x = a.metadata.name ?? '';
  const y = b.metadata.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
