// Resources in the store, with the indexes listing needs (by parent scope, by type) kept in memory
// so a list never scans everything and a write never rewrites anything but the resource.

import type { Store, WriteOp } from '../store/store.js';
import type { StoredResource } from '../arm/types.js';

const COLLECTION = 'resources';

export const idKey = (id: string): string => id.toLowerCase();

export class ResourceRepository {
  private readonly byParent = new Map<string, Set<string>>();
  private readonly byType = new Map<string, Set<string>>();
  /** How many members of each type a scope has (counts without reading the members). */
  private readonly typeCounts = new Map<string, Map<string, number>>();

  constructor(private readonly store: Store) {
    for (const [key, r] of store.entries<StoredResource>(COLLECTION)) this.index(key, r);
  }

  private index(key: string, r: StoredResource): void {
    add(this.byParent, r.parent, key);
    add(this.byType, r.typeKey, key);
    this.countType(r, 1);
  }
  private unindex(key: string, r: StoredResource): void {
    remove(this.byParent, r.parent, key);
    remove(this.byType, r.typeKey, key);
    this.countType(r, -1);
  }
  private countType(r: StoredResource, delta: number): void {
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
    const old = this.store.get<StoredResource>(COLLECTION, key);
    if (old) this.unindex(key, old);
    this.index(key, r);
    return [{ collection: COLLECTION, key, value: r }];
  }

  deleteOps(id: string): WriteOp[] {
    const key = idKey(id);
    const old = this.store.get<StoredResource>(COLLECTION, key);
    if (!old) return [];
    this.unindex(key, old);
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
