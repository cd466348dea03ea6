// Resources in the store, with the indexes listing needs (by parent scope, by type) kept in memory
// so a list never scans everything and a write never rewrites anything but the resource.

import type { Store, StoreChange, WriteOp } from '../store/store.js';
import type { StoredResource } from '../arm/types.js';

const COLLECTION = 'resources';

export const idKey = (id: string): string => id.toLowerCase();

/** A resource changed from elsewhere (resource undefined: deleted). */
export interface ResourceChange {
  key: string;
  resource: StoredResource | undefined;
}

export class ResourceRepository {
  private readonly byParent = new Map<string, Set<string>>();
  private readonly byType = new Map<string, Set<string>>();
  /** How many members of each type a scope has (counts without reading the members). */
  private readonly typeCounts = new Map<string, Map<string, number>>();

  /** What each key is indexed under (a change from elsewhere arrives after the store dropped the old value). */
  private readonly indexed = new Map<string, { parent: string; typeKey: string }>();
  private readonly listeners = new Set<(changes: ResourceChange[] | 'all') => void>();

  constructor(private readonly store: Store) {
    this.rebuild();
    store.onExternalChange((changes) => this.external(changes));
  }

  private rebuild(): void {
    this.byParent.clear();
    this.byType.clear();
    this.typeCounts.clear();
    this.indexed.clear();
    for (const [key, r] of this.store.entries<StoredResource>(COLLECTION)) this.index(key, r);
  }

  /** Resources another instance (or a reset or import) changed: the indexes follow, then the listeners hear of it. */
  private external(changes: StoreChange[] | 'all'): void {
    let mine: ResourceChange[] | 'all';
    if (changes === 'all') {
      this.rebuild();
      mine = 'all';
    } else {
      mine = [];
      for (const c of changes) {
        if (c.collection !== COLLECTION) continue;
        const was = this.indexed.get(c.key);
        if (was) this.unindex(c.key, was);
        const now = c.value as StoredResource | undefined;
        if (now) this.index(c.key, now);
        mine.push({ key: c.key, resource: now });
      }
      if (mine.length === 0) return;
    }
    for (const l of this.listeners) l(mine);
  }

  /** Resources changed without this instance's core writing them (another instance, a reset, an import). */
  onExternalChange(listener: (changes: ResourceChange[] | 'all') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private index(key: string, r: StoredResource): void {
    const was = this.indexed.get(key);
    if (was) this.unindex(key, was);
    add(this.byParent, r.parent, key);
    add(this.byType, r.typeKey, key);
    this.countType(r, 1);
    this.indexed.set(key, { parent: r.parent, typeKey: r.typeKey });
  }
  private unindex(key: string, r: { parent: string; typeKey: string }): void {
    if (!this.indexed.has(key)) return;
    remove(this.byParent, r.parent, key);
    remove(this.byType, r.typeKey, key);
    this.countType(r, -1);
    this.indexed.delete(key);
  }
  private countType(r: { parent: string; typeKey: string }, delta: number): void {
    let m = this.typeCounts.get(r.parent);
    if (!m) this.typeCounts.set(r.parent, (m = new Map()));
    const n = (m.get(r.typeKey) ?? 0) + delta;
    if (n > 0) m.set(r.typeKey, n);
    else m.delete(r.typeKey);
    if (m.size === 0) this.typeCounts.delete(r.parent);
  }

  get(id: string): StoredResource | undefined {
    return this.store.get<StoredResource>(COLLECTION, idKey(id));
  }

  /** The write ops for putting r (apply with commit, or batch with other ops). */
  putOps(r: StoredResource): WriteOp[] {
    const key = idKey(r.resource.id);
    this.index(key, r);
    return [{ collection: COLLECTION, key, value: r }];
  }

  deleteOps(id: string): WriteOp[] {
    const key = idKey(id);
    const old = this.store.get<StoredResource>(COLLECTION, key);
    if (!old) return [];
    const was = this.indexed.get(key);
    if (was) this.unindex(key, was);
    return [{ collection: COLLECTION, key, value: undefined }];
  }

  put(r: StoredResource): Promise<void> {
    return this.store.write(this.putOps(r));
  }

  delete(id: string): Promise<void> {
    return this.store.write(this.deleteOps(id));
  }

  /** Direct children (child types and extension resources) or members of a scope. */
  listByParent(parentId: string): StoredResource[] {
    const keys = this.byParent.get(idKey(parentId));
    if (!keys) return [];
    const out: StoredResource[] = [];
    for (const k of keys) {
      const r = this.store.get<StoredResource>(COLLECTION, k);
      if (r) out.push(r);
    }
    return out;
  }

  /** How many direct members a scope has, and how many of them are of one type (no copies made). */
  countByParent(parentId: string, typeKey?: string): { all: number; ofType: number } {
    const key = idKey(parentId);
    const all = this.byParent.get(key)?.size ?? 0;
    return { all, ofType: typeKey ? this.typeCounts.get(key)?.get(typeKey) ?? 0 : 0 };
  }

  /** Everything below a resource, deepest first (the order a cascade deletes in). */
  descendants(id: string): StoredResource[] {
    const out: StoredResource[] = [];
    const walk = (pid: string) => {
      for (const c of this.listByParent(pid)) {
        walk(c.resource.id);
        out.push(c);
      }
    };
    walk(id);
    return out;
  }

  listByType(typeKey: string, subscriptionId?: string): StoredResource[] {
    const keys = this.byType.get(typeKey);
    if (!keys) return [];
    const prefix = subscriptionId ? `/subscriptions/${subscriptionId.toLowerCase()}/` : '';
    const out: StoredResource[] = [];
    for (const k of keys) {
      if (prefix && !k.startsWith(prefix)) continue;
      const r = this.store.get<StoredResource>(COLLECTION, k);
      if (r) out.push(r);
    }
    return out;
  }

  all(): IterableIterator<StoredResource> {
    return this.store.values<StoredResource>(COLLECTION);
  }

  commit(ops: WriteOp[]): Promise<void> {
    return this.store.write(ops);
  }
}

function add(m: Map<string, Set<string>>, k: string, v: string): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}
function remove(m: Map<string, Set<string>>, k: string, v: string): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}
