// Plain data of the Kubernetes API: objects as the API serves them, and the small helpers every part of the
// API server shares (names of resources, keys, label access). No I/O here.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [k: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** Any Kubernetes object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: any;
}

/** A resource of a group: 'core' stands for the legacy group ''. */
export interface GroupResource {
  group: string;
  resource: string;
}

export const grKey = (group: string, resource: string): string => `${group || 'core'}/${resource}`;

export const apiVersionOf = (group: string, version: string): string => (group ? `${group}/${version}` : version);

export function isObj(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function labelsOf(o: KubeObject | undefined): Record<string, string> {
  return (o?.metadata?.labels ?? {}) as Record<string, string>;
}

/** RFC 3339 with second precision, as the API writes timestamps. */
export function nowTime(ms = Date.now()): string {
  const sec = Math.floor(ms / 1000);
  // One string per second: the objects written in it share it (thousands of pods and events in a burst).
  if (sec !== lastSecond) {
    lastSecond = sec;
    lastTime = new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastTime;
}
let lastSecond = NaN;
let lastTime = '';

/** RFC 3339 with microseconds (metav1.MicroTime: events' eventTime, leases). */
export function microTime(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/**
 * Deep copy of plain JSON (objects as JSON.parse and the API build them). A copy per object each controller pass
 * changes: by hand it is 6-8 times cheaper than structuredClone (no serialisation to its wire format and back); a
 * value that is not a plain object or array (a Buffer, a Date) goes to structuredClone as before.
 */
export function clone<T>(v: T): T {
  return copyJson(v) as T;
}

function copyJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const a = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) a[i] = copyJson(v[i]);
    return a;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = copyJson((v as Record<string, unknown>)[k]);
    // JSON.parse makes '__proto__' an own key: kept one, never the copy's prototype
    if (k === '__proto__') Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
    else o[k] = x;
  }
  return o;
}

/** 'abcde' style suffixes as generateName and controllers make (consonants and digits, as Kubernetes uses). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return s;
}

/** A stable suffix from a string (FNV-1a), in the same alphabet: pod-template-hash and friends. */
export function hashSuffix(text: string, n = 10): string {
  let h = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
    h2 = (Math.imul(h2 ^ text.charCodeAt(i), 0x85ebca6b) + h) >>> 0;
  }
  let s = '';
  let x = BigInt(h) * 0x100000000n + BigInt(h2);
  for (let i = 0; i < n; i++) {
    s += ALPHANUMS[Number(x % BigInt(ALPHANUMS.length))];
    x /= BigInt(ALPHANUMS.length);
  }
  return s;
}

/** Age as kubectl prints it (2d3h, 5m10s, 45s). */
export function humanAge(fromIso: string | undefined, now = Date.now()): string {
  if (!fromIso) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y${d % 365}d`;
}
