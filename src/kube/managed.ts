// Field ownership (metadata.managedFields) and server-side apply. Every write records which manager set
// which fields (FieldsV1: f:<field>, k:<list item key>, v:<set value>); an apply merges the applied
// configuration into the object, removes the fields the manager applied before and no longer does, and
// refuses (409, FieldManagerConflict causes) to change a field another manager owns unless forced.
// Lists merged by key in strategic merge patch are list maps here too (the same table, patch.ts).

import { clone, isObj, type KubeObject, type ManagedFieldsEntry } from './model.js';
import { KubeError } from './status.js';
import { listMapKey, smpRootOf } from './patch.js';
import type { ResourceDef } from './kinds/registry.js';
import { canonical, sameJson } from './kinds/pod.js';

export { sameJson };

type Path = string; // segments joined by '\n'
const SEP = '\n';

/** Metadata fields a manager can own. */
const OWNED_META = new Set(['labels', 'annotations', 'finalizers', 'ownerReferences']);

function keyOfItem(item: Record<string, any>, key: string): string {
  return `k:${JSON.stringify({ [key]: item[key] })}`;
}

/** Every leaf path of a value (the nodes a manager owns), under a prefix. */
function walk(v: unknown, type: string | undefined, prefix: string[], out: Set<Path>): void {
  if (isObj(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) {
      out.add(prefix.join(SEP));
      return;
    }
    for (const k of keys) {
      const child = v[k];
      const seg = `f:${k}`;
      const lm = listMapKey(type, k);
      if (Array.isArray(child)) {
        if (lm?.key) {
          for (const item of child) {
            if (!isObj(item)) continue;
            const ip = [...prefix, seg, keyOfItem(item, lm.key)];
            out.add([...ip, '.'].join(SEP));
            walk(Object.fromEntries(Object.entries(item)), lm.type, ip, out);
          }
          if (child.length === 0) out.add([...prefix, seg].join(SEP));
        } else if (lm?.set) {
          for (const item of child) out.add([...prefix, seg, `v:${JSON.stringify(item)}`].join(SEP));
          if (child.length === 0) out.add([...prefix, seg].join(SEP));
        } else out.add([...prefix, seg].join(SEP));
        continue;
      }
      walk(child, lm?.type, [...prefix, seg], out);
    }
    return;
  }
  out.add(prefix.join(SEP));
}

/** The fields of an object a write can own (metadata other than labels, annotations, finalizers, owners excluded). */
export function fieldsOf(o: Record<string, any>, kind: string, part: 'main' | 'status' | 'all' = 'all'): Set<Path> {
  const out = new Set<Path>();
  const root = smpRootOf(kind);
  for (const [k, v] of Object.entries(o)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata') {
      if (!isObj(v)) continue;
      for (const [mk, mv] of Object.entries(v)) {
        if (!OWNED_META.has(mk)) continue;
        const sub: Record<string, unknown> = { [mk]: mv };
        const tmp = new Set<Path>();
        walk(sub, 'ObjectMeta', ['f:metadata'], tmp);
        for (const p of tmp) out.add(p);
      }
      continue;
    }
    if (part === 'main' && k === 'status') continue;
    if (part === 'status' && k !== 'status') continue;
    const lm = listMapKey(root, k);
    const tmp = new Set<Path>();
    walk({ [k]: v }, root, [], tmp);
    void lm;
    for (const p of tmp) out.add(p);
  }
  return out;
}

/** The value at a path (undefined when absent). */
function valueAt(o: unknown, path: Path): unknown {
  let cur: any = o;
  for (const seg of path.split(SEP)) {
    if (seg === '.' || seg === '') continue;
    if (cur === undefined || cur === null) return undefined;
    if (seg.startsWith('f:')) cur = isObj(cur) ? cur[seg.slice(2)] : undefined;
    else if (seg.startsWith('k:')) {
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      const [[k, val]] = Object.entries(key);
      cur = Array.isArray(cur) ? cur.find((x) => isObj(x) && JSON.stringify(x[k]) === JSON.stringify(val)) : undefined;
    } else if (seg.startsWith('v:')) {
      const val = seg.slice(2);
      cur = Array.isArray(cur) && cur.some((x) => JSON.stringify(x) === val) ? JSON.parse(val) : undefined;
    }
  }
  return cur;
}

/** FieldsV1 JSON from a set of paths. */
export function toFieldsV1(paths: Set<Path>): Record<string, unknown> {
  const root: Record<string, any> = {};
  for (const p of paths) {
    let cur = root;
    for (const seg of p.split(SEP)) {
      if (seg === '') continue;
      cur[seg] ??= {};
      cur = cur[seg];
    }
  }
  return root;
}

export function fromFieldsV1(tree: unknown): Set<Path> {
  const out = new Set<Path>();
  const go = (node: unknown, prefix: string[]) => {
    if (!isObj(node) || Object.keys(node).length === 0) {
      if (prefix.length) out.add(prefix.join(SEP));
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === '.') out.add([...prefix, '.'].join(SEP));
      else go(v, [...prefix, k]);
    }
  };
  go(tree, []);
  return out;
}

/** '.spec.replicas' / '.spec.template.spec.containers[name="web"].image' as conflict messages write a path. */
export function humanPath(path: Path): string {
  let s = '';
  for (const seg of path.split(SEP)) {
    if (seg === '.' || seg === '') continue;
    if (seg.startsWith('f:')) s += `.${seg.slice(2)}`;
    else if (seg.startsWith('k:')) {
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      s += `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    } else if (seg.startsWith('v:')) s += `[${seg.slice(2)}]`;
  }
  return s;
}

type Tree = Record<string, any>; // FieldsV1: f:<field>, k:<key>, v:<value>, '.'; {} at the leaves

const isLeaf = (n: unknown) => !isObj(n) || Object.keys(n).length === 0;

/**
 * Every leaf of the trees made here is this one empty object: a pod's managed fields have hundreds of
 * leaves, and objects are never changed once stored (frozen, so nothing can).
 */
const LEAF: Tree = Object.freeze({});

/** A copy of a tree whose leaves are LEAF. */
function copyTree(t: Tree): Tree {
  if (isLeaf(t)) return LEAF;
  const out: Tree = {};
  for (const [k, v] of Object.entries(t)) out[k] = copyTree(v);
  return out;
}

/** The item of a list map with a key value (its JSON), the first one as a path lookup finds it. */
function itemByKey(list: unknown, key: string, json: string, cache: Map<unknown[], Map<string, unknown>>): unknown {
  if (!Array.isArray(list)) return undefined;
  if (list.length <= 8) return list.find((x) => isObj(x) && JSON.stringify(x[key]) === json);
  let m = cache.get(list);
  if (!m) {
    cache.set(list, (m = new Map()));
    for (const x of list)
      if (isObj(x)) {
        const j = JSON.stringify(x[key]);
        if (!m.has(j)) m.set(j, x);
      }
  }
  return m.get(json);
}

/**
 * The fields a write changed, as a FieldsV1 tree: every field of `next` that fieldsOf() lists (for the part
 * written) whose value differs from `old`'s at the same path; everything when there is no old object. One
 * walk over both objects, skipping what they share.
 */
function changedFields(old: KubeObject | undefined, next: KubeObject, kind: string, part: 'main' | 'status' | 'all'): Tree {
  const out: Tree = {};
  const all = old === undefined;
  // The path walked, and the tree node made for each of its prefixes (undefined until a field under it changed).
  const segs: string[] = [];
  const made: (Tree | undefined)[] = [];
  const push = (seg: string) => {
    segs.push(seg);
    made.push(undefined);
  };
  const pop = () => {
    segs.pop();
    made.pop();
  };
  const addPath = (last?: string) => {
    let i = made.length - 1;
    while (i >= 0 && made[i] === undefined) i--;
    let cur = i >= 0 ? made[i]! : out;
    // The node of the last segment is a leaf unless `last` goes under it (nothing is ever added below a leaf).
    const end = last === undefined ? segs.length - 1 : segs.length;
    for (let j = i + 1; j < end; j++) {
      let n = cur[segs[j]];
      if (n === undefined || n === LEAF) n = cur[segs[j]] = {};
      made[j] = cur = n;
    }
    if (last !== undefined) cur[last] ??= LEAF;
    else if (end >= 0 && end > i) cur[segs[end]] ??= LEAF;
  };
  const cache = new Map<unknown[], Map<string, unknown>>();
  const value = (o: unknown, v: unknown, type: string | undefined) => {
    if (isObj(v)) {
      if (o === v && !all) return;
      const keys = Object.keys(v);
      if (keys.length === 0) {
        if (all || !sameJson(o, v)) addPath();
        return;
      }
      for (const k of keys) field(o, v, k, type);
      return;
    }
    if (all || !sameJson(o, v)) addPath();
  };
  const field = (oParent: unknown, parent: Record<string, any>, k: string, type: string | undefined) => {
    const v = parent[k];
    const o = isObj(oParent) ? oParent[k] : undefined;
    const seg = `f:${k}`;
    const lm = listMapKey(type, k);
    push(seg);
    if (Array.isArray(v)) {
      if (lm?.key) {
        const seen = new Set<string>();
        for (const item of v) {
          if (!isObj(item)) continue;
          const json = JSON.stringify(item[lm.key]);
          const kseg = keyOfItem(item, lm.key);
          if (seen.has(kseg)) continue; // a duplicate key: the path names the first item
          seen.add(kseg);
          const oItem = itemByKey(o, lm.key, json, cache);
          push(kseg);
          if (all || !sameJson(oItem, item)) addPath('.');
          value(oItem, item, lm.type);
          pop();
        }
        if (v.length === 0 && (all || !sameJson(o, v))) addPath();
      } else if (lm?.set) {
        for (const item of v) {
          const text = JSON.stringify(item);
          if (all || !(Array.isArray(o) && o.some((x) => JSON.stringify(x) === text))) addPath(`v:${text}`);
        }
        if (v.length === 0 && (all || !sameJson(o, v))) addPath();
      } else if (all || !sameJson(o, v)) addPath();
    } else value(o, v, lm?.type);
    pop();
  };
  const root = smpRootOf(kind);
  for (const k of Object.keys(next)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata') {
      const m = next.metadata;
      if (!isObj(m)) continue;
      const om = isObj(old) ? old.metadata : undefined;
      push('f:metadata');
      for (const mk of Object.keys(m)) if (OWNED_META.has(mk)) field(om, m, mk, 'ObjectMeta');
      pop();
      continue;
    }
    if (part === 'main' && k === 'status') continue;
    if (part === 'status' && k !== 'status') continue;
    field(old, next, k, root);
  }
  return out;
}

/** The value one FieldsV1 segment leads to (`found` false when nothing is there), as valueAt() resolves it. */
function step(v: unknown, seg: string): { found: boolean; value: unknown } {
  if (seg.startsWith('f:')) {
    const k = seg.slice(2);
    return isObj(v) && Object.hasOwn(v, k) ? { found: true, value: v[k] } : { found: false, value: undefined };
  }
  if (seg.startsWith('k:')) {
    if (!Array.isArray(v)) return { found: false, value: undefined };
    let key: Record<string, unknown>;
    try {
      key = JSON.parse(seg.slice(2));
    } catch {
      return { found: false, value: undefined };
    }
    const [k, val] = Object.entries(isObj(key) ? key : {})[0] ?? [];
    if (k === undefined) return { found: false, value: undefined };
    const json = JSON.stringify(val);
    const item = v.find((x) => isObj(x) && JSON.stringify(x[k]) === json);
    return { found: item !== undefined, value: item };
  }
  if (seg.startsWith('v:')) {
    const text = seg.slice(2);
    const found = Array.isArray(v) && v.some((x) => JSON.stringify(x) === text);
    return { found, value: found ? JSON.parse(text) : undefined };
  }
  return { found: v !== undefined, value: v };
}

/**
 * An entry's fields after a write: a field another writer just set leaves it (`mine`, unless `keepMine`), a
 * field no longer in the object goes. Answers the same tree when nothing goes (stored objects are never
 * mutated, so versions share it), undefined when nothing is left.
 */
function pruneFields(node: Tree, v: unknown, o: unknown, mine: Tree | undefined, keepMine: boolean): Tree | undefined {
  // The write kept this part of the object as it was (the same value, shared) and took none of it: every
  // field the entry owns there is still there (each write leaves entries only fields present).
  if (v !== undefined && v === o && (mine === undefined || keepMine)) return node;
  let out: Tree | undefined;
  let changed = false;
  const keys = Object.keys(node);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const child = node[k];
    let kept: Tree | undefined;
    if (k === '.') kept = !keepMine && mine !== undefined && mine['.'] !== undefined ? undefined : isLeaf(child) && isObj(child) ? child : LEAF;
    else {
      const s = step(v, k);
      const m = mine?.[k];
      if (isLeaf(child)) {
        const taken = !keepMine && m !== undefined && isLeaf(m);
        kept = taken || !s.found ? undefined : isObj(child) ? child : LEAF;
      } else kept = pruneFields(child, s.value, o === undefined ? undefined : step(o, k).value, m, keepMine);
    }
    if (kept !== child) changed = true;
    if (kept !== undefined) (out ??= {})[k] = kept;
  }
  if (!changed) return node;
  return out;
}

/** Adds the fields of `add` to a tree (a copy where it changes). */
function mergeFields(into: Tree | undefined, add: Tree): Tree {
  if (into === undefined || isLeaf(into)) return copyTree(add);
  const out: Tree = { ...into };
  for (const [k, v] of Object.entries(add)) out[k] = out[k] === undefined ? copyTree(v) : isLeaf(v) ? out[k] : mergeFields(out[k], v);
  return out;
}

interface ManagedUpdate {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time: string;
  /** For an apply: the applied configuration (its fields are what the manager owns). */
  applied?: unknown;
}

/** managedFields after a write: the writer owns what it set or changed; nobody owns what is gone. */
export function updateManagedFields(old: KubeObject | undefined, next: KubeObject, u: ManagedUpdate): ManagedFieldsEntry[] {
  const part = u.subresource === 'status' ? 'status' : u.subresource ? 'all' : 'main';
  const mine = u.applied !== undefined ? toFieldsV1(fieldsOf(u.applied as KubeObject, next.kind, 'all')) : changedFields(old, next, next.kind, part);
  const isWriter = (e: ManagedFieldsEntry) => e.manager === u.manager && e.operation === u.operation && (e.subresource ?? '') === (u.subresource ?? '');
  const any = Object.keys(mine).length > 0;
  const out: ManagedFieldsEntry[] = [];
  let own: ManagedFieldsEntry | undefined;
  for (const e of old?.metadata.managedFields ?? []) {
    const writer = isWriter(e);
    const tree = isObj(e.fieldsV1) ? pruneFields(e.fieldsV1, next, old, mine, writer) : undefined;
    const entry: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time, fieldsType: 'FieldsV1', fieldsV1: tree ?? {} };
    if (e.subresource) entry.subresource = e.subresource;
    if (writer && !own) {
      own = entry;
      entry.fieldsV1 = u.applied !== undefined ? mine : any ? mergeFields(tree, mine) : (tree ?? {});
      if (any) entry.time = u.time;
      entry.apiVersion = u.apiVersion;
    }
    out.push(entry);
  }
  if (!own) {
    own = { manager: u.manager, operation: u.operation, apiVersion: u.apiVersion, time: u.time, fieldsType: 'FieldsV1', fieldsV1: mine };
    if (u.subresource) own.subresource = u.subresource;
    out.push(own);
  }
  const kept = out.filter((e) => Object.keys(e.fieldsV1).length > 0);
  for (const e of kept) e.fieldsV1 = intern(e.fieldsV1);
  return kept;
}

// ---- shared trees ---------------------------------------------------------------------------------------------

/**
 * Managed-fields trees are much alike (pods of one template, every event, every kubelet status): equal
 * subtrees are kept once (stored objects are never changed, so sharing is safe). Each subtree is known by its
 * keys and its children's numbers; the table starts again when it grows large.
 */
const interned = new Map<string, { id: number; tree: Tree }>();
const ids = new WeakMap<Tree, number>();
ids.set(LEAF, 0);
let nextId = 1;
const INTERN_MAX = 100_000;

function intern(t: Tree): Tree {
  if (isLeaf(t)) return LEAF;
  if (ids.has(t)) return t;
  let same = true;
  const kids: [string, Tree][] = [];
  const parts: (string | number | undefined)[] = [];
  for (const k of Object.keys(t)) {
    const c = intern(t[k]);
    if (c !== t[k]) same = false;
    kids.push([k, c]);
    parts.push(k, ids.get(c));
  }
  // One flat string (a chain of concatenations would be kept as such).
  const key = parts.join('\u0000');
  const hit = interned.get(key);
  if (hit) return hit.tree;
  const tree = same ? t : Object.fromEntries(kids);
  if (interned.size >= INTERN_MAX) interned.clear();
  const id = nextId++;
  interned.set(key, { id, tree });
  ids.set(tree, id);
  return tree;
}

// ---- server-side apply ---------------------------------------------------------------------------------------

/** Merges an applied configuration into a value: maps merged, list maps merged by key, sets unioned, the rest replaced. */
function mergeApplied(live: unknown, applied: unknown, type: string | undefined, field?: string, parentType?: string): unknown {
  if (Array.isArray(applied)) {
    const lm = field ? listMapKey(parentType, field) : undefined;
    if (lm?.key && Array.isArray(live)) {
      const out = live.map((x) => x);
      for (const item of applied) {
        if (!isObj(item)) continue;
        const i = out.findIndex((x) => isObj(x) && JSON.stringify(x[lm.key!]) === JSON.stringify(item[lm.key!]));
        if (i >= 0) out[i] = mergeApplied(out[i], item, lm.type);
        else out.push(clone(item));
      }
      return out;
    }
    if (lm?.set && Array.isArray(live)) {
      const out = [...live];
      for (const v of applied) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(v))) out.push(v);
      return out;
    }
    return clone(applied);
  }
  if (isObj(applied)) {
    const out: Record<string, unknown> = isObj(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) {
        delete out[k];
        continue;
      }
      const lm = listMapKey(type, k);
      out[k] = mergeApplied(out[k], v, lm?.type, k, type);
    }
    return out;
  }
  return applied;
}

/** Removes the node at a path (a field, a list item by key, a set value), and maps it leaves empty. */
function removeAt(o: any, path: Path): void {
  const segs = path.split(SEP).filter((s) => s !== '' && s !== '.');
  const trail: { parent: any; key: string | number }[] = [];
  let cur = o;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (cur === undefined || cur === null) return;
    if (seg.startsWith('f:')) {
      if (!isObj(cur)) return;
      const k = seg.slice(2);
      if (last) delete cur[k];
      else {
        trail.push({ parent: cur, key: k });
        cur = cur[k];
      }
    } else if (seg.startsWith('k:')) {
      if (!Array.isArray(cur)) return;
      const [[k, val]] = Object.entries(JSON.parse(seg.slice(2)) as Record<string, unknown>);
      const idx = cur.findIndex((x) => isObj(x) && JSON.stringify(x[k]) === JSON.stringify(val));
      if (idx < 0) return;
      if (last) cur.splice(idx, 1);
      else {
        trail.push({ parent: cur, key: idx });
        cur = cur[idx];
      }
    } else if (seg.startsWith('v:')) {
      if (!Array.isArray(cur)) return;
      const idx = cur.findIndex((x) => JSON.stringify(x) === seg.slice(2));
      if (idx >= 0) cur.splice(idx, 1);
      break;
    }
  }
  // Maps emptied by the removal go too (as omitempty fields do).
  for (let i = trail.length - 1; i >= 0; i--) {
    const { parent, key } = trail[i];
    const v = parent[key];
    if (isObj(v) && Object.keys(v).length === 0 && !Array.isArray(parent)) delete parent[key];
    else break;
  }
}

/**
 * Server-side apply of `applied` by `manager` onto `live` (undefined: create). Returns the object to store
 * and its managedFields; throws 409 with the conflicts when another manager owns a field whose value the
 * configuration changes (unless forced).
 */
export function applyConfiguration(
  live: KubeObject | undefined,
  applied: Record<string, any>,
  def: ResourceDef,
  manager: string,
  force: boolean,
  subresource?: string,
): { object: KubeObject; managedFields: ManagedFieldsEntry[] } {
  const kind = def.kind;
  const mine = fieldsOf(applied, kind, 'all');
  if (!live) {
    const object = clone(applied) as KubeObject;
    return { object, managedFields: [] };
  }
  const entries = (live.metadata.managedFields ?? []).map((e) => ({ ...e, set: fromFieldsV1(e.fieldsV1) }));
  const isMe = (e: { manager: string; operation: string; subresource?: string }) => e.manager === manager && e.operation === 'Apply' && (e.subresource ?? '') === (subresource ?? '');
  const conflicts: { manager: string; apiVersion: string; path: Path }[] = [];
  for (const e of entries) {
    if (isMe(e)) continue;
    for (const p of mine) {
      if (!e.set.has(p) || p.endsWith(`${SEP}.`)) continue;
      if (canonical(valueAt(live, p)) !== canonical(valueAt(applied, p))) conflicts.push({ manager: e.manager, apiVersion: e.apiVersion, path: p });
    }
  }
  if (conflicts.length && !force) {
    const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}`, field: humanPath(c.path) }));
    const lines = conflicts.map((c) => `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}: ${humanPath(c.path)}`);
    const msg = conflicts.length === 1 ? `Apply failed with 1 conflict: ${lines[0]}` : `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
    throw new KubeError(409, 'Conflict', msg, { causes });
  }
  // Merge, then drop what this manager applied before and nobody owns any more.
  const object = mergeApplied(clone(live), applied, smpRootOf(kind)) as KubeObject;
  object.metadata = { ...object.metadata, managedFields: live.metadata.managedFields };
  const before = entries.find(isMe)?.set ?? new Set<Path>();
  const othersOwn = (p: Path) => entries.some((e) => !isMe(e) && e.set.has(p));
  const dropped = [...before].filter((p) => !mine.has(p) && !othersOwn(p)).sort((a, b) => b.length - a.length);
  for (const p of dropped) removeAt(object, p);
  // Forced fields leave their former owners.
  for (const e of entries) if (!isMe(e)) for (const p of mine) e.set.delete(p);
  let me = entries.find(isMe);
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const apiVersion = String(applied.apiVersion ?? live.apiVersion);
  if (!me) {
    me = { manager, operation: 'Apply', apiVersion, time, fieldsType: 'FieldsV1', fieldsV1: {}, set: new Set() };
    if (subresource) me.subresource = subresource;
    entries.push(me);
  }
  me.set = mine;
  me.time = time;
  me.apiVersion = apiVersion;
  const managedFields = entries
    .filter((e) => e.set.size > 0)
    .map(({ set, ...e }) => {
      const out: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(set) };
      if (e.subresource) out.subresource = e.subresource;
      return out;
    });
  return { object, managedFields };
}
