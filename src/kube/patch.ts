// The patch types of PATCH: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch
// (Kubernetes' own: lists merged by a key for the fields the built-in types mark so, with the $patch,
// $setElementOrder, $retainKeys and $deleteFromPrimitiveList directives kubectl sends). The field
// strategies below are those of the Kubernetes types (patchStrategy / patchMergeKey struct tags).

import { isObj } from './model.js';
import { KubeError } from './status.js';

// ---- JSON patch ----------------------------------------------------------------------------------------------

const unprocessable = (msg: string) => new KubeError(422, 'Invalid', msg);

function pointer(path: unknown): string[] {
  if (typeof path !== 'string') throw unprocessable(`the server rejected our request due to an error in our request: invalid JSON patch path ${JSON.stringify(path)}`);
  if (path === '') return [];
  if (!path.startsWith('/')) throw unprocessable(`the server rejected our request due to an error in our request: JSON pointer must be empty or start with a "/": ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: any, parts: string[], path: string, op: string): any {
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObj(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined || cur === null) throw unprocessable(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function getAt(doc: any, parts: string[], path: string, op: string): any {
  let cur = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObj(cur)) cur = Object.prototype.hasOwnProperty.call(cur, p) ? cur[p] : undefined;
    else cur = undefined;
    if (cur === undefined) throw unprocessable(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function addAt(doc: any, parts: string[], value: unknown, path: string, op: string): any {
  if (parts.length === 0) return value;
  const parent = parentOf(doc, parts, path, op);
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw unprocessable(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": index out of range`);
    parent.splice(i, 0, value);
  } else if (isObj(parent)) parent[last] = value;
  else throw unprocessable(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}"`);
  return doc;
}

function removeAt(doc: any, parts: string[], path: string, op: string): any {
  const parent = parentOf(doc, parts, path, op);
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw unprocessable(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": missing value`);
    parent.splice(i, 1);
  } else if (isObj(parent) && Object.prototype.hasOwnProperty.call(parent, last)) delete parent[last];
  else throw unprocessable(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return doc;
}

export function applyJsonPatch(doc: unknown, ops: unknown): any {
  if (!Array.isArray(ops)) throw new KubeError(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let out: any = structuredClone(doc);
  for (const o of ops) {
    if (!isObj(o)) throw unprocessable('the server rejected our request due to an error in our request: invalid JSON patch operation');
    const parts = pointer(o.path);
    switch (o.op) {
      case 'add':
        out = addAt(out, parts, structuredClone(o.value), o.path, 'add');
        break;
      case 'remove':
        out = removeAt(out, parts, o.path, 'remove');
        break;
      case 'replace':
        getAt(out, parts, o.path, 'replace');
        if (parts.length === 0) out = structuredClone(o.value);
        else {
          const parent = parentOf(out, parts, o.path, 'replace');
          parent[Array.isArray(parent) ? Number(parts[parts.length - 1]) : parts[parts.length - 1]] = structuredClone(o.value);
        }
        break;
      case 'move':
      case 'copy': {
        const from = pointer(o.from);
        const v = structuredClone(getAt(out, from, o.from, o.op));
        if (o.op === 'move') out = removeAt(out, from, o.from, 'move');
        out = addAt(out, parts, v, o.path, o.op);
        break;
      }
      case 'test': {
        const v = getAt(out, parts, o.path, 'test');
        if (JSON.stringify(v) !== JSON.stringify(o.value)) throw unprocessable(`testing value ${o.path} failed: test failed`);
        break;
      }
      default:
        throw unprocessable(`Unexpected kind: ${String(o.op)}`);
    }
  }
  return out;
}

// ---- JSON merge patch ------------------------------------------------------------------------------------------

export function applyMergePatch(target: unknown, patch: unknown): any {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObj(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

// ---- strategic merge patch --------------------------------------------------------------------------------------

/** How a field of a built-in type patches: a list merged by key, a primitive list unioned, retainKeys, or a nested type. */
interface FieldMeta {
  type?: string;
  strategy?: 'merge' | 'retainKeys' | 'merge,retainKeys';
  key?: string;
}

const M = (type: string | undefined, strategy?: FieldMeta['strategy'], key?: string): FieldMeta => ({ type, strategy, key });

/** The types with patch strategies (and the fields leading to them), after the Kubernetes API types. */
const TYPES: Record<string, Record<string, FieldMeta>> = {
  ObjectMeta: { ownerReferences: M(undefined, 'merge', 'uid'), finalizers: M(undefined, 'merge') },
  PodTemplateSpec: { metadata: M('ObjectMeta'), spec: M('PodSpec') },
  PodSpec: {
    containers: M('Container', 'merge', 'name'),
    initContainers: M('Container', 'merge', 'name'),
    ephemeralContainers: M('Container', 'merge', 'name'),
    volumes: M('Volume', 'merge,retainKeys', 'name'),
    imagePullSecrets: M(undefined, 'merge', 'name'),
    hostAliases: M(undefined, 'merge', 'ip'),
    topologySpreadConstraints: M(undefined, 'merge', 'topologyKey'),
    resourceClaims: M(undefined, 'merge,retainKeys', 'name'),
    schedulingGates: M(undefined, 'merge', 'name'),
  },
  Container: {
    ports: M(undefined, 'merge', 'containerPort'),
    env: M(undefined, 'merge', 'name'),
    volumeMounts: M(undefined, 'merge', 'mountPath'),
    volumeDevices: M(undefined, 'merge', 'devicePath'),
  },
  Volume: {},
  PodStatus: { conditions: M(undefined, 'merge', 'type'), podIPs: M(undefined, 'merge', 'ip'), hostIPs: M(undefined, 'merge', 'ip') },
  Pod: { metadata: M('ObjectMeta'), spec: M('PodSpec'), status: M('PodStatus') },
  DeploymentSpec: { template: M('PodTemplateSpec'), strategy: M(undefined, 'retainKeys') },
  DeploymentStatus: { conditions: M(undefined, 'merge', 'type') },
  Deployment: { metadata: M('ObjectMeta'), spec: M('DeploymentSpec'), status: M('DeploymentStatus') },
  ReplicaSet: { metadata: M('ObjectMeta'), spec: M('WithTemplate'), status: M('Conditions') },
  StatefulSet: { metadata: M('ObjectMeta'), spec: M('WithTemplate'), status: M('Conditions') },
  DaemonSet: { metadata: M('ObjectMeta'), spec: M('WithTemplate'), status: M('Conditions') },
  Job: { metadata: M('ObjectMeta'), spec: M('WithTemplate'), status: M('Conditions') },
  CronJob: { metadata: M('ObjectMeta'), spec: M('CronJobSpec') },
  CronJobSpec: { jobTemplate: M('JobTemplateSpec') },
  JobTemplateSpec: { metadata: M('ObjectMeta'), spec: M('WithTemplate') },
  WithTemplate: { template: M('PodTemplateSpec') },
  Conditions: { conditions: M(undefined, 'merge', 'type') },
  PodTemplate: { metadata: M('ObjectMeta'), template: M('PodTemplateSpec') },
  Service: { metadata: M('ObjectMeta'), spec: M('ServiceSpec'), status: M('Conditions') },
  ServiceSpec: { ports: M(undefined, 'merge', 'port') },
  Node: { metadata: M('ObjectMeta'), spec: M('NodeSpec'), status: M('NodeStatus') },
  NodeSpec: { podCIDRs: M(undefined, 'merge') },
  NodeStatus: { conditions: M(undefined, 'merge', 'type'), addresses: M(undefined, 'merge', 'type') },
  Namespace: { metadata: M('ObjectMeta'), status: M('Conditions') },
  ServiceAccount: { metadata: M('ObjectMeta'), secrets: M(undefined, 'merge', 'name') },
  PersistentVolumeClaim: { metadata: M('ObjectMeta'), status: M('Conditions') },
  HorizontalPodAutoscaler: { metadata: M('ObjectMeta'), status: M('Conditions') },
  PodDisruptionBudget: { metadata: M('ObjectMeta'), status: M('Conditions') },
};

/** The strategic merge root of a kind (built-in kinds only; others get metadata's rules and plain merging). */
export function smpRootOf(kind: string): string {
  return TYPES[kind] ? kind : 'Generic';
}
TYPES.Generic = { metadata: M('ObjectMeta') };

function metaOf(type: string | undefined, field: string): FieldMeta | undefined {
  return type ? TYPES[type]?.[field] : undefined;
}

/** Applies a strategic merge patch to an object of a built-in kind. */
export function applyStrategicMergePatch(original: unknown, patch: unknown, kind: string): any {
  if (!isObj(patch)) throw new KubeError(400, 'BadRequest', 'the patch must be a JSON object');
  return mergeMap(isObj(original) ? structuredClone(original) : {}, patch, smpRootOf(kind));
}

function mergeMap(orig: Record<string, any>, patch: Record<string, any>, type: string | undefined, retainKeysAllowed = false): any {
  const directive = patch.$patch;
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (directive === 'delete') return undefined;
  const out: Record<string, any> = { ...orig };
  const orders = new Map<string, unknown[]>();
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders.set(k.slice('$setElementOrder/'.length), v);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = (out[f] as unknown[]).filter((x) => !v.some((d) => JSON.stringify(d) === JSON.stringify(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const fm = metaOf(type, k);
    if (Array.isArray(v)) {
      out[k] = mergeList(Array.isArray(out[k]) ? out[k] : [], v, fm);
      continue;
    }
    if (isObj(v)) {
      const sub = isObj(out[k]) ? out[k] : {};
      const merged = mergeMap(sub, v, fm?.type, fm?.strategy?.includes('retainKeys') === true);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
      continue;
    }
    out[k] = v;
  }
  for (const [f, order] of orders) if (Array.isArray(out[f])) out[f] = reorder(out[f], order, metaOf(type, f)?.key);
  if (Array.isArray(patch.$retainKeys) && (retainKeysAllowed || true)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k) && !(k in patch)) delete out[k];
  }
  return out;
}

function mergeList(orig: unknown[], patch: unknown[], fm: FieldMeta | undefined): unknown[] {
  if (!fm?.strategy?.includes('merge')) return stripDirectives(patch) as unknown[];
  // [{"$patch": "replace"}, ...]: the list is replaced by the rest.
  if (patch.some((p) => isObj(p) && p.$patch === 'replace' && Object.keys(p).length === 1)) {
    return stripDirectives(patch.filter((p) => !(isObj(p) && p.$patch === 'replace' && Object.keys(p).length === 1))) as unknown[];
  }
  const key = fm.key;
  if (!key) {
    // A list of primitives with strategy merge: a union, keeping order.
    const out = [...orig];
    for (const p of patch) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(p))) out.push(p);
    return out;
  }
  const out = orig.map((x) => (isObj(x) ? { ...x } : x));
  for (const p of patch) {
    if (!isObj(p)) continue;
    const idx = out.findIndex((x) => isObj(x) && JSON.stringify(x[key]) === JSON.stringify(p[key]));
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = mergeMap(out[idx] as Record<string, any>, p, fm.type, fm.strategy.includes('retainKeys'));
      if (merged === undefined) out.splice(idx, 1);
      else out[idx] = merged;
    } else {
      const fresh = mergeMap({}, p, fm.type, fm.strategy.includes('retainKeys'));
      if (fresh !== undefined) out.push(fresh);
    }
  }
  return out;
}

/** Items named in $setElementOrder come in its order; items it does not name keep their place after them. */
function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const id = (x: unknown) => (key && isObj(x) ? JSON.stringify(x[key]) : JSON.stringify(x));
  const pos = new Map(order.map((o, i) => [key && isObj(o) ? JSON.stringify(o[key]) : JSON.stringify(o), i]));
  const named = list.filter((x) => pos.has(id(x))).sort((a, b) => pos.get(id(a))! - pos.get(id(b))!);
  const rest = list.filter((x) => !pos.has(id(x)));
  return [...named, ...rest];
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !(isObj(x) && x.$patch === 'delete')).map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

/** The list-map keys of a field for server-side apply (same table: lists merged by key are list maps). */
export function listMapKey(type: string | undefined, field: string): { key?: string; set?: boolean; type?: string } | undefined {
  const fm = metaOf(type, field);
  if (!fm) return undefined;
  if (fm.strategy?.includes('merge')) return fm.key ? { key: fm.key, type: fm.type } : { set: true };
  return { type: fm.type };
}
