// Request bodies validated against schemas/ with ajv, and the string formats every provider schema can
// name. Every failure is a 400 InvalidRequestContent naming the property.

import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Errors } from '../arm/errors.js';

export const SCHEMAS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schemas');

// ---- formats: every provider schema gets these by writing "format": "<name>" ---------------------------------

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export function isIPv4(v: string): boolean {
  return IPV4_RE.test(v);
}
export function isIPv6(v: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(v) || v.length > 45) return false;
  let s = v;
  if (s.includes('.')) {
    // an IPv4 tail (::ffff:1.2.3.4) counts as two groups
    const at = s.lastIndexOf(':');
    if (!isIPv4(s.slice(at + 1))) return false;
    s = `${s.slice(0, at + 1)}0:0`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const [a, b] = [groups(halves[0]), halves.length === 2 ? groups(halves[1]) : []];
  if (![...a, ...b].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? a.length + b.length <= 7 : a.length === 8;
}
export function isCidr(v: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
  if (!m) return false;
  const bits = Number(m[2]);
  if (isIPv4(m[1])) return bits <= 32;
  return isIPv6(m[1]) && bits <= 128;
}
const ARM_ID_RE = /^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/providers\/[A-Za-z0-9][\w.-]*(\/[^/]+\/[^/]+)+$/i;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The formats and how an error names them. */
export const FORMATS: Record<string, { validate: (v: string) => boolean; says: string }> = {
  ipv4: { validate: isIPv4, says: 'an IPv4 address (e.g. 10.0.0.10)' },
  ipv6: { validate: isIPv6, says: 'an IPv6 address' },
  ip: { validate: (v) => isIPv4(v) || isIPv6(v), says: 'an IP address' },
  cidr: { validate: isCidr, says: 'an IP range in CIDR notation (e.g. 10.244.0.0/16)' },
  'ipv4-cidr': { validate: (v) => isCidr(v) && !v.includes(':'), says: 'an IPv4 range in CIDR notation (e.g. 10.244.0.0/16)' },
  'ip-or-cidr': { validate: (v) => isIPv4(v) || isIPv6(v) || isCidr(v), says: 'an IP address or a range in CIDR notation (e.g. 20.1.2.0/24)' },
  'arm-id': { validate: (v) => ARM_ID_RE.test(v), says: 'an ARM resource id (/subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name})' },
  uuid: { validate: (v) => UUID_RE.test(v), says: 'a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)' },
};
// ajv (and its sixty modules) is loaded with the first body validated, not at start-up; schemas compile on first use.
let ajvInstance: { compile(schema: unknown): ValidateFunction } | undefined;
function ajv() {
  if (!ajvInstance) {
    const mod = createRequire(import.meta.url)('ajv');
    const Ajv = mod.default ?? mod;
    const a = new Ajv({ allErrors: false, strict: false, allowUnionTypes: true });
    for (const [name, f] of Object.entries(FORMATS)) a.addFormat(name, { type: 'string', validate: f.validate });
    ajvInstance = a;
  }
  return ajvInstance!;
}

const compiled = new Map<string, ValidateFunction>();

function validatorFor(file: string): ValidateFunction {
  let v = compiled.get(file);
  if (!v) {
    const full = path.join(SCHEMAS_DIR, file);
    if (!existsSync(full)) throw new Error(`schema ${file} not found in ${SCHEMAS_DIR}`);
    v = ajv().compile(JSON.parse(readFileSync(full, 'utf8'))) as ValidateFunction;
    compiled.set(file, v);
  }
  return v;
}

/** Throws 400 InvalidRequestContent with the failing property in `target`. */
export function validateAgainst(file: string, body: unknown): void {
  const v = validatorFor(file);
  if (v(body)) return;
  const err = (v.errors ?? [])[0] as ErrorObject | undefined;
  if (!err) throw Errors.invalidRequestContent('The request content is invalid.');
  // a JSON path as ARM writes it: properties.agentPoolProfiles[0].count
  const join = (parts: string[]) => parts.filter(Boolean).reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
  const parts = err.instancePath
    .replace(/^\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (err.keyword === 'required') parts.push((err.params as any).missingProperty);
  if (err.keyword === 'additionalProperties') parts.push((err.params as any).additionalProperty);
  const target = join(parts);
  const params = err.params as any;
  const what =
    err.keyword === 'required'
      ? 'is required'
      : err.keyword === 'enum'
        ? `must be one of ${JSON.stringify(params.allowedValues.filter((v: unknown) => v !== null))}`
        : err.keyword === 'format' && FORMATS[params.format]
          ? `must be ${FORMATS[params.format].says}; got ${JSON.stringify(err.data ?? valueAt(body, err.instancePath))}`
          : err.message;
  throw Errors.invalidRequestContent(`The request content is invalid: property '${target || '(body)'}' ${what}.`, target || undefined);
}

function valueAt(body: unknown, pointer: string): unknown {
  let v: any = body;
  for (const part of pointer.split('/').slice(1)) v = v?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return v;
}
