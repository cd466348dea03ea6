// OpenAPI v2 (/openapi/v2), as JSON or as the protobuf kubectl asks for (gnostic's openapi_v2.Document).
// Older kubectl releases (the gcloud kubectl dispatcher picks the client matching the server's minor
// version) validate `kubectl apply` through it: each PATCH operation names its kind
// (x-kubernetes-group-version-kind) and declares the fieldValidation query parameter, so the client leaves
// validation to this server. No definitions are published, so kubectl computes patches from its own types.

import type { KindRegistry } from '../kinds/registry.js';

interface Op {
  path: string;
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  operationId: string;
  gvk: { group: string; version: string; kind: string };
  params: string[];
}

function operations(kinds: KindRegistry): Op[] {
  const out: Op[] = [];
  for (const d of kinds.all()) {
    const base = d.group ? `/apis/${d.group}/${d.version}` : `/api/${d.version}`;
    const coll = `${base}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.resource}`;
    const gvk = { group: d.group, version: d.version, kind: d.kind };
    const id = `${d.group.replace(/\./g, '_') || 'core'}_${d.version}_${d.resource}`;
    const write = ['dryRun', 'fieldManager', 'fieldValidation'];
    out.push({ path: coll, method: 'post', operationId: `create_${id}`, gvk, params: write });
    if (d.virtual) continue;
    out.push({ path: coll, method: 'get', operationId: `list_${id}`, gvk, params: [] });
    out.push({ path: `${coll}/{name}`, method: 'get', operationId: `read_${id}`, gvk, params: [] });
    out.push({ path: `${coll}/{name}`, method: 'put', operationId: `replace_${id}`, gvk, params: write });
    out.push({ path: `${coll}/{name}`, method: 'patch', operationId: `patch_${id}`, gvk, params: [...write, 'force'] });
    out.push({ path: `${coll}/{name}`, method: 'delete', operationId: `delete_${id}`, gvk, params: [] });
  }
  return out;
}

/** The JSON form. */
export function openapiV2Json(kinds: KindRegistry): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const o of operations(kinds)) {
    (paths[o.path] ??= {})[o.method] = {
      operationId: o.operationId,
      parameters: o.params.map((name) => ({ uniqueItems: true, type: 'string', name, in: 'query' })),
      responses: { '200': { description: 'OK' }, '401': { description: 'Unauthorized' } },
      'x-kubernetes-action': o.method === 'get' ? (o.operationId.startsWith('list') ? 'list' : 'get') : o.method,
      'x-kubernetes-group-version-kind': o.gvk,
    };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, definitions: {} };
}

// ---- protobuf (gnostic openapi_v2) ------------------------------------------------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** A length-delimited field (string or nested message). */
function field(num: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(varint((num << 3) | 2)), Buffer.from(varint(payload.length)), payload]);
}
const str = (num: number, s: string) => field(num, Buffer.from(s, 'utf8'));
const msg = (num: number, ...parts: Buffer[]) => field(num, Buffer.concat(parts));

/** NamedAny{name=1, value=Any{yaml=2}}. */
function vendorExtension(num: number, name: string, yaml: string): Buffer {
  return msg(num, str(1, name), msg(2, str(2, yaml)));
}

/** ParametersItem{parameter=1: Parameter{non_body_parameter=2: NonBodyParameter{query_parameter_sub_schema=3: {in=2, name=4, type=6}}}}. */
function queryParam(name: string): Buffer {
  return msg(8, msg(1, msg(2, msg(3, str(2, 'query'), str(4, name), str(6, 'string')))));
}

function operation(o: Op): Buffer {
  const gvk = `group: ${JSON.stringify(o.gvk.group)}\nkind: ${o.gvk.kind}\nversion: ${o.gvk.version}\n`;
  // Responses{response_code=1: NamedResponseValue{name=1, value=ResponseValue{response=1: Response{description=1}}}}
  const responses = msg(9, msg(1, str(1, '200'), msg(2, msg(1, str(1, 'OK')))));
  return Buffer.concat([str(5, o.operationId), ...o.params.map(queryParam), responses, vendorExtension(13, 'x-kubernetes-group-version-kind', gvk)]);
}

const METHOD_FIELD: Record<Op['method'], number> = { get: 2, put: 3, post: 4, delete: 5, patch: 8 };

export function openapiV2Proto(kinds: KindRegistry): Buffer {
  const byPath = new Map<string, Op[]>();
  for (const o of operations(kinds)) {
    const l = byPath.get(o.path) ?? [];
    l.push(o);
    byPath.set(o.path, l);
  }
  const paths: Buffer[] = [];
  for (const [p, ops] of byPath) {
    const item = Buffer.concat(ops.map((o) => msg(METHOD_FIELD[o.method], operation(o))));
    paths.push(msg(2, str(1, p), field(2, item)));
  }
  return Buffer.concat([str(1, '2.0'), msg(2, str(1, 'Kubernetes'), str(2, 'v1.32.0')), msg(8, ...paths), msg(9)]);
}

/** The response type (the '@' form is only what clients ask for: Go's mime parser refuses it in a Content-Type). */
export const PROTO_V2 = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
