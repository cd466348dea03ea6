// Request bodies in Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf): kubectl's typed
// clients send them for every `kubectl create <subcommand>`, `kubectl run`, `expose`, `rollout`, `drain`
// (Eviction), `create token` (TokenRequest), `auth can-i` / `whoami` (reviews) and the like. The envelope is
// the magic "k8s\0" then a runtime.Unknown (typeMeta, raw); the raw message is read by the field numbers of
// the kind's generated.proto (schemas/kube/protobuf.json, one shared schema per message type) into the JSON the API
// core takes, as the same object sent as JSON would read: bytes as base64, IntOrString as a number or a
// string, Quantity as its string, Time/MicroTime as RFC 3339 (a zero time stays absent), inlined structs
// merged into their parent, zero scalars of non-pointer Go fields left out (they are `omitempty` in JSON).
// Answers stay JSON (clients decode by the response's Content-Type). Kinds without a schema are refused
// with 415, never misread.

import { KubeError } from '../status.js';
import { schemaOf, type Field, type Schema } from './protobuf/schemas.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** The message read for each apiVersion: its schemas' package and the kinds accepted. */
const GROUPS: ReadonlyArray<readonly [apiVersion: string, pkg: string, kinds: readonly string[]]> = [
  [
    'v1',
    'core.v1',
    [
      'Namespace',
      'Service',
      'ConfigMap',
      'Secret',
      'ServiceAccount',
      'ResourceQuota',
      'Pod',
      'LimitRange',
      'Endpoints',
      'PersistentVolumeClaim',
      'PersistentVolume',
      'ReplicationController',
      'PodTemplate',
      'Node',
      'Binding',
      'Event',
    ],
  ],
  ['apps/v1', 'apps.v1', ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision']],
  ['batch/v1', 'batch.v1', ['Job', 'CronJob']],
  ['rbac.authorization.k8s.io/v1', 'rbac.v1', ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']],
  ['networking.k8s.io/v1', 'networking.v1', ['Ingress', 'IngressClass', 'NetworkPolicy']],
  ['policy/v1', 'policy.v1', ['PodDisruptionBudget', 'Eviction']],
  ['scheduling.k8s.io/v1', 'scheduling.v1', ['PriorityClass']],
  ['autoscaling/v1', 'autoscaling.v1', ['Scale', 'HorizontalPodAutoscaler']],
  ['autoscaling/v2', 'autoscaling.v2', ['HorizontalPodAutoscaler']],
  ['certificates.k8s.io/v1', 'certificates.v1', ['CertificateSigningRequest']],
  ['authorization.k8s.io/v1', 'authorization.v1', ['SelfSubjectAccessReview', 'SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview']],
  ['authentication.k8s.io/v1', 'authentication.v1', ['SelfSubjectReview', 'TokenRequest', 'TokenReview']],
  ['v1', 'meta.v1', ['DeleteOptions']],
  ['meta.k8s.io/v1', 'meta.v1', ['DeleteOptions']],
];
const MESSAGES: ReadonlyMap<string, string> = new Map(GROUPS.flatMap(([apiVersion, pkg, kinds]) => kinds.map((kind) => [`${apiVersion} ${kind}`, `${pkg}.${kind}`] as const)));

const TYPE_META: Schema = { 1: ['apiVersion', 's'], 2: ['kind', 's'] };

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
  fixed(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw bad('truncated field');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.fixed(8);
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.fixed(4);
    else throw bad(`unsupported wire type ${wire}`);
  }
}

const WIRE: Record<string, number> = { s: 2, y: 2, i: 0, b: 0, d: 1 };

/** One scalar of a type read at the reader's position (its wire type already checked). */
function scalar(r: Reader, type: string): unknown {
  switch (type) {
    case 's':
      return r.bytes().toString('utf8');
    case 'y':
      return Buffer.from(r.bytes()).toString('base64');
    case 'i':
      return Number(BigInt.asIntN(64, r.varint()));
    case 'b':
      return r.varint() !== 0n;
    default:
      return r.fixed(8).readDoubleLE(0);
  }
}

const isZero = (v: unknown): boolean => v === '' || v === 0 || v === false;

/** RFC 3339 as Kubernetes writes it: whole seconds for Time, six fraction digits for MicroTime. */
function timeString(m: { seconds?: number; nanos?: number }, micro: boolean): string | undefined {
  const seconds = m.seconds ?? 0;
  const nanos = m.nanos ?? 0;
  if (seconds === 0 && nanos === 0) return undefined;
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

/** A message's value in JSON: the well-known apimachinery types take their JSON forms. */
function message(buf: Buffer, type: string): unknown {
  const schema = schemaOf(type);
  if (!schema) throw bad(`no schema for ${type}`);
  const m = decode(buf, schema) as Record<string, any>;
  switch (type) {
    case 'meta.v1.Time':
      return timeString(m, false);
    case 'meta.v1.MicroTime':
      return timeString(m, true);
    case 'intstr.IntOrString':
      return m.type === 1 ? (m.strVal ?? '') : (m.intVal ?? 0);
    case 'resource.Quantity':
      return m.string ?? '0';
    case 'runtime.RawExtension':
    case 'meta.v1.FieldsV1': {
      const raw = Buffer.from((m.raw ?? m.Raw ?? '') as string, 'base64');
      if (raw.length === 0) return undefined;
      if (raw.subarray(0, 4).equals(MAGIC)) return protobufToJson(raw);
      try {
        return JSON.parse(raw.toString('utf8'));
      } catch {
        throw bad(`${type} holds neither JSON nor a Kubernetes protobuf object`);
      }
    }
    default:
      return m;
  }
}

function value(r: Reader, wire: number, def: Field): unknown {
  const [name, type] = def;
  if (type in WIRE) {
    if (wire !== WIRE[type]) throw bad(`field ${name} has wire type ${wire}`);
    return scalar(r, type);
  }
  if (wire !== 2) throw bad(`field ${name} is not a message`);
  return message(r.bytes(), type);
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
    const [name, type, flags = ''] = def;
    if (flags.includes('m')) {
      if (wire !== 2) throw bad(`field ${name} is not a map entry`);
      const entry = new Reader(r.bytes());
      let key = '';
      let val: unknown = type === 's' ? '' : type === 'y' ? '' : undefined;
      while (!entry.done()) {
        const t = Number(entry.varint());
        if (t >> 3 === 1 && (t & 7) === 2) key = entry.bytes().toString('utf8');
        else if (t >> 3 === 2) val = value(entry, t & 7, [`${name}[value]`, type]);
        else entry.skip(t & 7);
      }
      if (val === undefined && type === 'resource.Quantity') val = '0';
      (out[name] ??= {})[key] = val;
      continue;
    }
    if (flags.includes('r')) {
      const list: unknown[] = (out[name] ??= []);
      if (wire === 2 && (type === 'i' || type === 'b' || type === 'd')) {
        // A packed run of numbers.
        const packed = new Reader(r.bytes());
        while (!packed.done()) list.push(scalar(packed, type));
      } else {
        const v = value(r, wire, def);
        list.push(v === undefined && type === 'intstr.IntOrString' ? 0 : v);
      }
      continue;
    }
    const v = value(r, wire, def);
    if (flags.includes('n')) {
      Object.assign(out, v);
      continue;
    }
    if (v === undefined || (!flags.includes('p') && isZero(v))) {
      delete out[name];
      continue;
    }
    out[name] = v;
  }
  return out;
}

export const isProtobuf = (contentType: string): boolean => contentType === 'application/vnd.kubernetes.protobuf';

/** The JSON object a protobuf request body carries. */
export function protobufToJson(raw: Buffer): Record<string, unknown> {
  if (raw.length < 4 || !raw.subarray(0, 4).equals(MAGIC)) throw bad('it does not start with the Kubernetes protobuf prefix');
  const r = new Reader(raw.subarray(4));
  let tm: { apiVersion?: string; kind?: string } = {};
  let body: Buffer = Buffer.alloc(0);
  while (!r.done()) {
    const tag = Number(r.varint());
    if (tag === ((1 << 3) | 2)) tm = decode(r.bytes(), TYPE_META);
    else if (tag === ((2 << 3) | 2)) body = r.bytes();
    else r.skip(tag & 7);
  }
  const type = MESSAGES.get(`${tm.apiVersion} ${tm.kind}`);
  if (!type) {
    throw new KubeError(415, 'UnsupportedMediaType', `${tm.apiVersion ?? '?'} ${tm.kind ?? '?'} is not accepted in application/vnd.kubernetes.protobuf here; send it as application/json`);
  }
  return { apiVersion: tm.apiVersion, kind: tm.kind, ...(message(body, type) as Record<string, unknown>) };
}
