// Request bodies in Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf): the typed clients
// kubectl uses for a few built-in calls send them (`kubectl auth can-i` and `auth whoami` their reviews,
// `kubectl create token` a TokenRequest, `kubectl drain` an Eviction). The envelope is the magic "k8s\0"
// then a runtime.Unknown (typeMeta, raw); the raw message is read by the field numbers of the types'
// generated.proto files into the JSON the API core takes. Answers stay JSON (clients decode by the
// response's Content-Type). Kinds without a map here are refused with 415, never misread.

import { KubeError } from '../status.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type FieldType = 'string' | 'int' | 'bool' | Schema;
interface FieldDef {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** map<string,string> (a repeated entry message: key 1, value 2). */
  map?: boolean;
}
type Schema = Record<number, FieldDef>;

const f = (name: string, type: FieldType, more: Partial<FieldDef> = {}): FieldDef => ({ name, type, ...more });

const OBJECT_META: Schema = { 1: f('name', 'string'), 2: f('generateName', 'string'), 3: f('namespace', 'string'), 5: f('uid', 'string'), 6: f('resourceVersion', 'string'), 11: f('labels', 'string', { map: true }), 12: f('annotations', 'string', { map: true }) };
const RESOURCE_ATTRIBUTES: Schema = { 1: f('namespace', 'string'), 2: f('verb', 'string'), 3: f('group', 'string'), 4: f('version', 'string'), 5: f('resource', 'string'), 6: f('subresource', 'string'), 7: f('name', 'string') };
const NON_RESOURCE_ATTRIBUTES: Schema = { 1: f('path', 'string'), 2: f('verb', 'string') };
const SSAR_SPEC: Schema = { 1: f('resourceAttributes', RESOURCE_ATTRIBUTES), 2: f('nonResourceAttributes', NON_RESOURCE_ATTRIBUTES) };
const SAR_SPEC: Schema = { ...SSAR_SPEC, 3: f('user', 'string'), 4: f('groups', 'string', { repeated: true }), 6: f('uid', 'string') };
const DELETE_OPTIONS: Schema = {
  1: f('gracePeriodSeconds', 'int'),
  2: f('preconditions', { 1: f('uid', 'string'), 2: f('resourceVersion', 'string') }),
  3: f('orphanDependents', 'bool'),
  4: f('propagationPolicy', 'string'),
  5: f('dryRun', 'string', { repeated: true }),
};

/** The messages read, by apiVersion and kind. */
const MESSAGES: Record<string, Schema> = {
  'authorization.k8s.io/v1 SelfSubjectAccessReview': { 1: f('metadata', OBJECT_META), 2: f('spec', SSAR_SPEC) },
  'authorization.k8s.io/v1 SubjectAccessReview': { 1: f('metadata', OBJECT_META), 2: f('spec', SAR_SPEC) },
  'authorization.k8s.io/v1 LocalSubjectAccessReview': { 1: f('metadata', OBJECT_META), 2: f('spec', SAR_SPEC) },
  'authorization.k8s.io/v1 SelfSubjectRulesReview': { 1: f('metadata', OBJECT_META), 2: f('spec', { 1: f('namespace', 'string') }) },
  'authentication.k8s.io/v1 SelfSubjectReview': { 1: f('metadata', OBJECT_META) },
  'authentication.k8s.io/v1 TokenRequest': {
    1: f('metadata', OBJECT_META),
    2: f('spec', { 1: f('audiences', 'string', { repeated: true }), 3: f('boundObjectRef', { 1: f('kind', 'string'), 2: f('apiVersion', 'string'), 3: f('name', 'string'), 4: f('uid', 'string') }), 4: f('expirationSeconds', 'int') }),
  },
  'policy/v1 Eviction': { 1: f('metadata', OBJECT_META), 2: f('deleteOptions', DELETE_OPTIONS) },
  'v1 DeleteOptions': DELETE_OPTIONS,
  'meta.k8s.io/v1 DeleteOptions': DELETE_OPTIONS,
};

const bad = (why: string) => new KubeError(400, 'BadRequest', `the protobuf request body could not be read: ${why}`);

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let out = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw bad('truncated varint');
      const b = this.buf[this.pos++];
      out |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return out;
      shift += 7n;
      if (shift > 70n) throw bad('varint too long');
    }
  }
  bytes(): Buffer {
    const n = Number(this.varint());
    if (this.pos + n > this.buf.length) throw bad('truncated field');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw bad(`unsupported wire type ${wire}`);
  }
}

function decode(buf: Buffer, schema: Schema): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, any> = {};
  while (!r.done()) {
    const tag = Number(r.varint());
    const num = tag >> 3;
    const wire = tag & 7;
    const def = schema[num];
    if (!def) {
      r.skip(wire);
      continue;
    }
    let value: unknown;
    if (def.map) {
      if (wire !== 2) throw bad(`field ${def.name} is not a map entry`);
      const entry = decode(r.bytes(), { 1: f('key', 'string'), 2: f('value', 'string') });
      (out[def.name] ??= {})[String(entry.key ?? '')] = String(entry.value ?? '');
      continue;
    }
    if (def.type === 'string') {
      if (wire !== 2) throw bad(`field ${def.name} is not a string`);
      value = r.bytes().toString('utf8');
    } else if (def.type === 'int') {
      if (wire !== 0) throw bad(`field ${def.name} is not an integer`);
      value = Number(BigInt.asIntN(64, r.varint()));
    } else if (def.type === 'bool') {
      if (wire !== 0) throw bad(`field ${def.name} is not a boolean`);
      value = r.varint() !== 0n;
    } else {
      if (wire !== 2) throw bad(`field ${def.name} is not a message`);
      value = decode(r.bytes(), def.type);
    }
    if (def.repeated) (out[def.name] ??= []).push(value);
    else out[def.name] = value;
  }
  return out;
}

export const isProtobuf = (contentType: string): boolean => contentType === 'application/vnd.kubernetes.protobuf';

/** The JSON object a protobuf request body carries. */
export function protobufToJson(raw: Buffer): Record<string, unknown> {
  if (raw.length < 4 || !raw.subarray(0, 4).equals(MAGIC)) throw bad('it does not start with the Kubernetes protobuf prefix');
  const unknown = decode(raw.subarray(4), { 1: f('typeMeta', { 1: f('apiVersion', 'string'), 2: f('kind', 'string') }), 3: f('contentEncoding', 'string'), 4: f('contentType', 'string') });
  const tm = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const schema = MESSAGES[`${tm.apiVersion} ${tm.kind}`];
  if (!schema) {
    throw new KubeError(415, 'UnsupportedMediaType', `${tm.apiVersion ?? '?'} ${tm.kind ?? '?'} is not accepted in application/vnd.kubernetes.protobuf here; send it as application/json`);
  }
  // The message itself (field 2, raw bytes).
  const r = new Reader(raw.subarray(4));
  let body: Buffer | undefined;
  while (!r.done()) {
    const tag = Number(r.varint());
    if (tag >> 3 === 2 && (tag & 7) === 2) body = r.bytes();
    else r.skip(tag & 7);
  }
  return { apiVersion: tm.apiVersion, kind: tm.kind, ...decode(body ?? Buffer.alloc(0), schema) };
}
