// Resources in the store, with the indexes listing needs (by parent scope, by parent and type, by type, all)
// kept in memory as sorted keys, so a list pages from an index without reading or sorting every member and a
// write never rewrites anything but the resource.
//
// A resource is stored with its index fields first ({"parent","typeKey","operationId"?,"deleting"?,
// "resource","internal"}): a restart builds every index from the stored texts by reading those few fields,
// without parsing a single resource.

import type { Store, StoreChange, WriteOp } from '../store/store.js';
import type { StoredResource } from '../arm/types.js';
import { SortedKeys } from './sortedKeys.js';

const COLLECTION = 'resources';

export const idKey = (id: string): string => id.toLowerCase();

/** A resource changed from elsewhere (resource undefined: deleted). */
export interface ResourceChange {
  key: string;
  resource: StoredResource | undefined;
}

interface IndexFields {
  parent: string;
  typeKey: string;
  operationId?: string;
}

/** Where a resource is indexed: one shared object per (parent, type). */
interface Place {
  parent: string;
  typeKey: string;
}

export class ResourceRepository {
  private byParent = new Map<string, SortedKeys>();
  private byParentType = new Map<string, Map<string, SortedKeys>>();
  private byType = new Map<string, SortedKeys>();
  private everything = new SortedKeys();
  /** Where each key is indexed (shared objects): unindexing and generic lists need no read. */
  private placeOf = new Map<string, Place>();
  private places = new Map<string, Place>();
  /** Keys of resources with an operation recorded on them (a restart settles those whose operation is gone). */
  private withOperation = new Set<string>();

  constructor(private readonly store: Store) {
    this.build();
    store.onExternalChange((changes) => this.external(changes));
  }

  private readonly listeners = new Set<(changes: ResourceChange[] | 'all') => void>();

  /** Resources another instance (or a reset or import) changed: the indexes follow, then the listeners hear of it. */
  private external(changes: StoreChange[] | 'all'): void {
    let mine: ResourceChange[] | 'all';
    if (changes === 'all') {
      this.build();
      mine = 'all';
    } else {
      mine = [];
      for (const c of changes) {
        if (c.collection !== COLLECTION) continue;
        const old = this.placeOf.get(c.key);
        if (old) this.unindex(c.key, old);
        const text = this.store.text(COLLECTION, c.key);
        if (text !== undefined) this.index(c.key, indexFields(text));
        mine.push({ key: c.key, resource: c.value as StoredResource | undefined });
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

  /**
   * Every index from the stored texts, in bulk: keys gathered per bucket (each bucket sorted once, or not at
   * all when the texts come in key order, as a snapshot writes them), and a run of resources with the same
   * parent and type (a snapshot's long runs of groups) costs one comparison each, no lookup.
   */
  private build(): void {
    this.byParent = new Map();
    this.byParentType = new Map();
    this.byType = new Map();
    this.placeOf = new Map();
    this.places = new Map();
    this.withOperation = new Set();
    const byParent = new Map<string, string[]>();
    const byParentType = new Map<Place, string[]>();
    const byType = new Map<string, string[]>();
    const all: string[] = [];
    const arrayOf = <K>(m: Map<K, string[]>, k: K) => {
      let a = m.get(k);
      if (!a) m.set(k, (a = []));
      return a;
    };
    let head = ''; // the previous text's head: {"parent":"...","typeKey":"..."
    let place: Place | undefined;
    let lists: string[][] = [];
    let sorted = true;
    let last = '';
    for (const [key, text] of this.store.texts(COLLECTION)) {
      if (key <= last) sorted = false;
      last = key;
      let operationId: string | undefined;
      if (head && text.startsWith(head)) {
        if (text.startsWith(OPERATION_AFTER_HEAD, head.length)) operationId = indexFields(text).operationId;
      } else {
        const f = indexFields(text);
        operationId = f.operationId;
        place = this.place(f);
        head = headOf(text, place);
        lists = [arrayOf(byParent, place.parent), arrayOf(byParentType, place), arrayOf(byType, place.typeKey)];
      }
      for (const l of lists) l.push(key);
      all.push(key);
      this.placeOf.set(key, place!);
      if (operationId) this.withOperation.add(key);
    }
    const make = (keys: string[]) => (sorted ? SortedKeys.fromSorted(keys) : SortedKeys.from(keys));
    for (const [k, keys] of byParent) this.byParent.set(k, make(keys));
    for (const [p, keys] of byParentType) {
      let m = this.byParentType.get(p.parent);
      if (!m) this.byParentType.set(p.parent, (m = new Map()));
      m.set(p.typeKey, make(keys));
    }
    for (const [k, keys] of byType) this.byType.set(k, make(keys));
    this.everything = make(all);
  }

  private place(f: IndexFields): Place {
    const id = `${f.parent}\n${f.typeKey}`;
    let p = this.places.get(id);
    if (!p) this.places.set(id, (p = { parent: f.parent, typeKey: f.typeKey }));
    return p;
  }

  private index(key: string, f: IndexFields): void {
    const place = this.place(f);
    bucket(this.byParent, place.parent).add(key);
    let pt = this.byParentType.get(place.parent);
    if (!pt) this.byParentType.set(place.parent, (pt = new Map()));
    bucket(pt, place.typeKey).add(key);
    bucket(this.byType, place.typeKey).add(key);
    this.everything.add(key);
    this.placeOf.set(key, place);
    if (f.operationId) this.withOperation.add(key);
    else this.withOperation.delete(key);
  }
  private unindex(key: string, place: Place): void {
    unbucket(this.byParent, place.parent, key);
    const pt = this.byParentType.get(place.parent);
    if (pt) {
      unbucket(pt, place.typeKey, key);
      if (pt.size === 0) this.byParentType.delete(place.parent);
    }
    unbucket(this.byType, place.typeKey, key);
    this.everything.delete(key);
    this.placeOf.delete(key);
    this.withOperation.delete(key);
  }

  get(id: string): StoredResource | undefined {
    return this.store.get<StoredResource>(COLLECTION, idKey(id));
  }
  /** By the lowercased id the indexes hold. */
  byKey(key: string): StoredResource | undefined {
    return this.store.get<StoredResource>(COLLECTION, key);
  }
  has(id: string): boolean {
    return this.store.has(COLLECTION, idKey(id));
  }

  /** The write ops for putting r (apply with commit, or batch with other ops). */
  putOps(r: StoredResource): WriteOp[] {
    const key = idKey(r.resource.id);
    const old = this.placeOf.get(key);
    if (old) this.unindex(key, old);
    this.index(key, r);
    return [{ collection: COLLECTION, key, value: canonical(r) }];
  }

  deleteOps(id: string): WriteOp[] {
    const key = idKey(id);
    const old = this.placeOf.get(key);
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
    return this.read(this.byParent.get(idKey(parentId)));
  }

  /** How many direct members a scope has, and how many of them are of one type (nothing read). */
  countByParent(parentId: string, typeKey?: string): { all: number; ofType: number } {
    const key = idKey(parentId);
    const all = this.byParent.get(key)?.size ?? 0;
    return { all, ofType: typeKey ? (this.byParentType.get(key)?.get(typeKey)?.size ?? 0) : 0 };
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
    const prefix = subscriptionId ? `/subscriptions/${subscriptionId.toLowerCase()}/` : undefined;
    const out: StoredResource[] = [];
    for (const k of this.keysByType(typeKey, prefix)) {
      const r = this.byKey(k);
      if (r) out.push(r);
    }
    return out;
  }

  // ---- ordered keys, for paging (keys are lowercased ids: their order is the list order) --------------

  /** A scope's members, of one type or all, in id order from `after`. */
  *keysByParent(parentId: string, typeKey?: string, after?: string): IterableIterator<string> {
    const key = idKey(parentId);
    const keys = typeKey === undefined ? this.byParent.get(key) : this.byParentType.get(key)?.get(typeKey);
    if (keys) yield* keys.iterate({ after });
  }

  /** A type's resources in id order, only those under `prefix` (a lowercased id prefix) when given. */
  *keysByType(typeKey: string, prefix?: string, after?: string): IterableIterator<string> {
    const keys = this.byType.get(typeKey);
    if (keys) yield* withPrefix(keys, prefix, after);
  }

  /** Every resource under a lowercased id prefix, in id order. */
  *keysUnder(prefix: string, after?: string): IterableIterator<string> {
    yield* withPrefix(this.everything, prefix, after);
  }

  /** The parent (lowercased id) of a stored resource (nothing read). */
  parentOf(key: string): string | undefined {
    return this.placeOf.get(key)?.parent;
  }

  /** The type key of a stored resource (nothing read). */
  typeKeyOf(key: string): string | undefined {
    return this.placeOf.get(key)?.typeKey;
  }

  /** Keys of resources that record an operation (in flight, or left by a crash). */
  keysWithOperation(): string[] {
    return [...this.withOperation];
  }

  /**
   * Every resource whose stored text passes `text` (a cheap test on the unparsed text, which must hold for any
   * resource `keep` accepts) and then `keep`, read without holding the event loop: it yields every few ms, so
   * a scan of 100,000 resources never stops other requests.
   */
  async scan(text: (t: string) => boolean, keep: (r: StoredResource) => boolean): Promise<StoredResource[]> {
    const out: StoredResource[] = [];
    let n = 0;
    let sliceEnd = performance.now() + 8;
    for (const [, t] of this.store.texts(COLLECTION)) {
      if (++n % 256 === 0 && performance.now() > sliceEnd) {
        await new Promise((r) => setImmediate(r));
        sliceEnd = performance.now() + 8;
      }
      if (!text(t)) continue;
      const r = JSON.parse(t) as StoredResource;
      if (keep(r)) out.push(r);
    }
    return out;
  }

  all(): IterableIterator<StoredResource> {
    return this.store.values<StoredResource>(COLLECTION);
  }

  commit(ops: WriteOp[]): Promise<void> {
    return this.store.write(ops);
  }

  private read(keys: SortedKeys | undefined): StoredResource[] {
    const out: StoredResource[] = [];
    if (!keys) return out;
    for (const k of keys) {
      const r = this.byKey(k);
      if (r) out.push(r);
    }
    return out;
  }
}

function* withPrefix(keys: SortedKeys, prefix: string | undefined, after: string | undefined): IterableIterator<string> {
  const it = after !== undefined && (prefix === undefined || after >= prefix) ? keys.iterate({ after }) : keys.iterate({ from: prefix });
  for (const k of it) {
    if (prefix !== undefined && !k.startsWith(prefix)) {
      if (k > prefix) return;
      continue;
    }
    yield k;
  }
}

function bucket<K>(m: Map<K, SortedKeys>, k: K): SortedKeys {
  let s = m.get(k);
  if (!s) m.set(k, (s = new SortedKeys()));
  return s;
}
function unbucket<K>(m: Map<K, SortedKeys>, k: K, v: string): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

/** The stored form: index fields first, so indexFields() reads them without parsing the resource. */
function canonical(r: StoredResource): StoredResource {
  const out: Record<string, unknown> = { parent: r.parent, typeKey: r.typeKey };
  if (r.operationId !== undefined) out.operationId = r.operationId;
  if (r.deleting !== undefined) out.deleting = r.deleting;
  out.resource = r.resource;
  out.internal = r.internal;
  for (const k of Object.keys(r)) if (!(k in out)) out[k] = (r as unknown as Record<string, unknown>)[k];
  return out as unknown as StoredResource;
}

const PARENT = '{"parent":"';
const OPERATION_AFTER_HEAD = ',"operationId":"';

/** The head a text starts with when written by canonical() for this place ('' when it is not in that form). */
function headOf(text: string, place: Place): string {
  const head = `${PARENT}${place.parent}${TYPE}${place.typeKey}"`;
  return text.startsWith(head) ? head : '';
}
const TYPE = '","typeKey":"';
const OPERATION = '","operationId":"';

/** parent, typeKey and operationId from a stored text: read from its head, or parsed for older records. */
export function indexFields(text: string): IndexFields {
  if (text.startsWith(PARENT)) {
    const pe = text.indexOf('"', PARENT.length);
    if (pe > 0 && text.startsWith(TYPE, pe)) {
      const ts = pe + TYPE.length;
      const te = text.indexOf('"', ts);
      const parent = text.slice(PARENT.length, pe);
      const typeKey = text.slice(ts, te);
      if (te > 0 && !parent.includes('\\') && !typeKey.includes('\\')) {
        let operationId: string | undefined;
        if (text.startsWith(OPERATION, te)) {
          const os = te + OPERATION.length;
          const oe = text.indexOf('"', os);
          operationId = text.slice(os, oe);
          if (oe < 0 || operationId.includes('\\')) return parsed(text);
        }
        return { parent, typeKey, operationId };
      }
    }
  }
  return parsed(text);
}

function parsed(text: string): IndexFields {
  const r = JSON.parse(text) as StoredResource;
  return { parent: r.parent, typeKey: r.typeKey, operationId: r.operationId };
}
