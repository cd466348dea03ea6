// Explicit JSON nulls in a client's body, as the API server's decoding leaves them. It decodes into Go types: a
// null becomes the field's zero value, and encoding it again leaves out every `omitempty` field (labels: null,
// spec.selector: null... are gone), while the few fields declared without omitempty come back as null
// (rbac's `rules`, discovery's `endpoints` and `ports`) and metav1.Time values that are not pointers print as
// null (`lastProbeTime: null`). Custom resources are not Go types: their nulls are the CRD schema's to judge.

import { isObj, type KubeObject } from './model.js';

/** metav1.Time / MicroTime fields that are structs, not pointers: their zero value encodes as null. */
const TIME_STRUCTS = new Set([
  'creationTimestamp',
  'eventTime',
  'firstTimestamp',
  'lastTimestamp',
  'lastProbeTime',
  'lastTransitionTime',
  'lastHeartbeatTime',
  'lastUpdateTime',
  'startedAt',
  'finishedAt',
]);

/** Top-level fields declared without omitempty (k8s.io/api): absent or null, they are encoded as null. */
const NOT_OMITTED: Record<string, readonly string[]> = {
  Role: ['rules'],
  ClusterRole: ['rules'],
  EndpointSlice: ['endpoints', 'ports'],
};

function strip(v: unknown): unknown {
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    v.forEach((x, i) => {
      const y = strip(x);
      if (y !== x) (out ??= [...v])[i] = y;
    });
    return out ?? v;
  }
  if (!isObj(v)) return v;
  let out: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v)) {
    if (x === null) {
      if (TIME_STRUCTS.has(k)) continue;
      out ??= { ...v };
      delete out[k];
      continue;
    }
    const y = strip(x);
    if (y !== x) (out ??= { ...v })[k] = y;
  }
  return out ?? v;
}

/**
 * A built-in kind's body as it reads after the API server decoded it. Returns the body itself when nothing
 * changes, else a copy (the parts that change are copied; the body is never mutated).
 */
export function decodeNulls(kind: string, body: unknown): unknown {
  if (!isObj(body)) return body;
  const keep = NOT_OMITTED[kind] ?? [];
  let out = strip(body) as KubeObject;
  for (const k of keep) {
    if (out[k] === undefined) {
      if (out === body) out = { ...out };
      out[k] = null;
    }
  }
  return out;
}
