// The Kubernetes object store: every cluster's objects in the emulator's Store, behind one writer.
//
// commit() is the only way an object changes: it takes a batch of puts and deletes for one cluster, gives
// each the next resourceVersion from the cluster's durable counter, and makes them and the counter one
// Store.write (so a change is all there or not at all after a crash). Reads answer from memory: an index
// by cluster, group/resource, namespace and name over the same objects the Store holds (never mutated
// after they are written, so nothing is copied). Watch events are sent once a change is durable, in
// resourceVersion order; the last events of each cluster are kept so a watch can resume from a
// resourceVersion, and one older than what is kept gets 410 Expired, as from a compacted etcd.

import type { Store, WriteOp } from '../store/store.js';
import { objectKey, type KubeObject } from './model.js';
import { KubeErrors } from './status.js';

export const OBJECTS = 'kube.objects';
export const CLUSTERS = 'kube.clusters';

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

const HISTORY = 4000;

type Index = Map<string, Map<string, Map<string, KubeObject>>>; // gr -> namespace -> name -> object

export class KubeStore {
  private readonly index = new Map<string, Index>();
  private readonly history = new Map<string, StoreEvent[]>();
  /** The lowest resourceVersion whose events are all still in history (per cluster). */
  private readonly historyFrom = new Map<string, number>();
  /** The highest resourceVersion whose events were sent (per cluster). */
  private readonly emitted = new Map<string, number>();
  private readonly watchers = new Map<string, Set<Watcher>>();
  /** Called after every durable commit (controllers are queued from here). */
  private readonly listeners = new Set<(cluster: string, events: StoreEvent[]) => void>();

  constructor(private readonly store: Store) {
    for (const [key, obj] of store.entries<KubeObject>(OBJECTS)) {
      const [cluster, g, r, ns, ...rest] = key.split('/');
      this.place(cluster, `${g}/${r}`, ns, rest.join('/'), obj);
    }
    for (const c of store.values<ClusterRecord>(CLUSTERS)) {
      this.historyFrom.set(c.key, c.rv);
      this.emitted.set(c.key, c.rv);
    }
  }

  // ---- reads ------------------------------------------------------------------------------------------

  cluster(key: string): ClusterRecord | undefined {
    return this.store.get<ClusterRecord>(CLUSTERS, key);
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
    let rv = rec?.rv ?? 0;
    const events: StoreEvent[] = [];
    const writes: WriteOp[] = [];
    for (const op of ops) {
      if ('put' in op) {
        const o = op.put;
        const ns = o.metadata.namespace ?? '';
        const name = o.metadata.name!;
        const old = this.get(cluster, op.gr, ns, name);
        o.metadata.resourceVersion = String(++rv);
        this.place(cluster, op.gr, ns, name, o);
        writes.push({ collection: OBJECTS, key: objectKey(cluster, op.gr, ns, name), value: o });
        events.push({ type: old ? 'MODIFIED' : 'ADDED', gr: op.gr, namespace: ns, object: o, old, rv });
      } else {
        const { namespace, name } = op.delete;
        const old = this.get(cluster, op.gr, namespace, name);
        if (!old) continue;
        this.unplace(cluster, op.gr, namespace, name);
        writes.push({ collection: OBJECTS, key: objectKey(cluster, op.gr, namespace, name), value: undefined });
        const last = { ...old, metadata: { ...old.metadata, resourceVersion: String(++rv) } };
        events.push({ type: 'DELETED', gr: op.gr, namespace, object: last, old, rv });
      }
    }
    const next: ClusterRecord = { ...(rec ?? { key: cluster, anchor: '', createdAt: new Date().toISOString() }), ...(opts.record ?? {}), key: cluster, rv } as ClusterRecord;
    if (!rec) {
      this.historyFrom.set(cluster, 0);
      this.emitted.set(cluster, 0);
    }
    writes.push({ collection: CLUSTERS, key: cluster, value: next }, ...(opts.extra ?? []));
    this.remember(cluster, events);
    await this.store.write(writes);
    this.emit(cluster, events);
    return events;
  }

  /** Removes a cluster and everything in it, in one write (its watchers are ended). */
  async dropCluster(cluster: string, extra: WriteOp[] = []): Promise<void> {
    const writes: WriteOp[] = [];
    const idx = this.index.get(cluster);
    for (const [gr, byNs] of idx ?? []) for (const [ns, m] of byNs) for (const name of m.keys()) writes.push({ collection: OBJECTS, key: objectKey(cluster, gr, ns, name), value: undefined });
    this.index.delete(cluster);
    this.history.delete(cluster);
    this.historyFrom.delete(cluster);
    this.emitted.delete(cluster);
    if (this.cluster(cluster)) writes.push({ collection: CLUSTERS, key: cluster, value: undefined });
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
      for (const ev of this.history.get(cluster) ?? []) {
        if (ev.rv <= w.after || ev.rv > sent) continue;
        if (matches(w, ev)) w.send(ev);
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

  private remember(cluster: string, events: StoreEvent[]): void {
    if (!events.length) return;
    let h = this.history.get(cluster);
    if (!h) this.history.set(cluster, (h = []));
    h.push(...events);
    if (h.length > HISTORY) {
      const drop = h.length - HISTORY;
      this.historyFrom.set(cluster, h[drop - 1].rv);
      h.splice(0, drop);
    }
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

function matches(w: Watcher, ev: StoreEvent): boolean {
  return ev.gr === w.gr && (w.namespace === undefined || w.namespace === ev.namespace);
}

function byName(a: KubeObject, b: KubeObject): number {
  const x = a.metadata.name ?? '';
  const y = b.metadata.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
