// Field validation helpers: the checks and the wording of Kubernetes' apimachinery validation (causes with
// reason FieldValueRequired / FieldValueInvalid / FieldValueNotSupported..., messages as kubectl prints them).

import type { StatusCause } from '../status.js';
import { isObj } from '../model.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const required = (field: string, detail?: string): StatusCause => ({ reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field });

export function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${show(value)}: ${detail}`, field };
}

export function unsupported(field: string, value: unknown, supported: string[]): StatusCause {
  return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`, field };
}

export const duplicate = (field: string, value: unknown): StatusCause => ({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${show(value)}`, field });
export const forbidden = (field: string, detail: string): StatusCause => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field });
export const tooLong = (field: string, max: number): StatusCause => ({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${max} bytes`, field });
export const immutable = (field: string, value: unknown): StatusCause => invalid(field, value, 'field is immutable');

export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v);
}

/** One of Kubernetes' name formats: at most `max` characters matching `re`, with the API server's messages. */
function nameFormat(max: number, re: RegExp, explain: string): (field: string, v: unknown) => StatusCause[] {
  return (field, v) => {
    const s = String(v ?? '');
    const out: StatusCause[] = [];
    if (s.length > max) out.push(invalid(field, s, `must be no more than ${max} characters`));
    if (!re.test(s)) out.push(invalid(field, s, explain));
    return out;
  };
}

export const dns1123Label = nameFormat(
  63,
  DNS1123_LABEL,
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
);
export const dns1123Subdomain = nameFormat(
  253,
  DNS1123_SUBDOMAIN,
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
);
export const dns1035Label = nameFormat(
  63,
  DNS1035_LABEL,
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
);

/** A qualified name ('prefix/name'), as label and annotation keys are. */
export function qualifiedName(field: string, key: string): StatusCause[] {
  const parts = key.split('/');
  const name = parts.length === 2 ? parts[1] : parts[0];
  const out: StatusCause[] = [];
  if (parts.length > 2)
    return [
      invalid(
        field,
        key,
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ),
    ];
  if (parts.length === 2) {
    if (parts[0] === '') out.push(invalid(field, key, 'prefix part must be non-empty'));
    else if (parts[0].length > 253 || !DNS1123_SUBDOMAIN.test(parts[0]))
      out.push(
        invalid(
          field,
          key,
          "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
      );
  }
  if (name.length === 0) out.push(invalid(field, key, 'name part must be non-empty'));
  else if (name.length > 63) out.push(invalid(field, key, 'name part must be no more than 63 characters'));
  else if (!QUALIFIED_NAME.test(name))
    out.push(
      invalid(
        field,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ),
    );
  return out;
}

/** A map of string keys to string values (labels, annotations): every key a qualified name (as `keyOf` gives
 * it), every value a string that `value` checks. */
function stringMap(field: string, v: unknown, keyOf: (k: string) => string, value: (val: string, k: string) => StatusCause[]): StatusCause[] {
  if (v === undefined || v === null) return [];
  if (!isObj(v)) return [invalid(field, v, 'must be a map of string keys to string values')];
  const out: StatusCause[] = [];
  for (const [k, val] of Object.entries(v)) {
    out.push(...qualifiedName(field, keyOf(k)));
    if (typeof val !== 'string') out.push(invalid(`${field}[${k}]`, val, 'must be a string'));
    else out.push(...value(val, k));
  }
  return out;
}

export function labels(field: string, v: unknown): StatusCause[] {
  return stringMap(
    field,
    v,
    (k) => k,
    (val) => {
      if (val.length > 63) return [invalid(field, val, 'must be no more than 63 characters')];
      if (!LABEL_VALUE.test(val))
        return [
          invalid(
            field,
            val,
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
          ),
        ];
      return [];
    },
  );
}

export function annotations(field: string, v: unknown): StatusCause[] {
  let size = 0;
  const out = stringMap(
    field,
    v,
    (k) => k.toLowerCase(),
    (val, k) => {
      size += k.length + val.length;
      return [];
    },
  );
  if (size > 256 * 1024) out.push(tooLong(field, 256 * 1024));
  return out;
}

/** A label selector's own validity (matchLabels, matchExpressions). */
export function labelSelector(field: string, sel: unknown): StatusCause[] {
  if (sel === undefined || sel === null) return [];
  if (!isObj(sel)) return [invalid(field, sel, 'must be a label selector')];
  const out: StatusCause[] = [...labels(`${field}.matchLabels`, sel.matchLabels)];
  const exprs = sel.matchExpressions;
  if (exprs !== undefined && exprs !== null) {
    if (!Array.isArray(exprs)) return [...out, invalid(`${field}.matchExpressions`, exprs, 'must be a list')];
    exprs.forEach((e: any, i: number) => {
      const f = `${field}.matchExpressions[${i}]`;
      if (!isObj(e)) return void out.push(invalid(f, e, 'must be an object'));
      if (typeof e.key !== 'string' || e.key === '') out.push(required(`${f}.key`));
      const op = e.operator;
      if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(op)) out.push(unsupported(`${f}.operator`, op, ['In', 'NotIn', 'Exists', 'DoesNotExist']));
      const vals = Array.isArray(e.values) ? e.values : [];
      if ((op === 'In' || op === 'NotIn') && vals.length === 0) out.push(required(`${f}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      if ((op === 'Exists' || op === 'DoesNotExist') && vals.length > 0) out.push(forbidden(`${f}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    });
  }
  return out;
}

/** A resource quantity ('100m', '1Gi', '2'): its value, or undefined when malformed. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?[0-9.]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e[+-]?\d+|E[+-]?\d+)?$/.exec(q.trim());
  if (!m || m[1] === '.' || (m[1].match(/\./g) ?? []).length > 1) return undefined;
  const n = Number(m[1]);
  const suf = m[2] ?? '';
  const mult: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6 };
  if (suf in mult) return n * mult[suf];
  if (/^[eE]/.test(suf)) return n * 10 ** Number(suf.slice(1));
  return undefined;
}

export function quantity(field: string, q: unknown): StatusCause[] {
  if (parseQuantity(q) === undefined) return [invalid(field, q, 'must match the regex ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$')];
  if ((parseQuantity(q) ?? 0) < 0) return [invalid(field, q, 'must be greater than or equal to 0')];
  return [];
}

/** Whole number within bounds. */
export function intIn(field: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): StatusCause[] {
  if (v === undefined || v === null) return [];
  if (typeof v !== 'number' || !Number.isInteger(v)) return [invalid(field, v, 'must be an integer')];
  if (v < min) return [invalid(field, v, `must be greater than or equal to ${min}`)];
  if (v > max) return [invalid(field, v, `must be less than or equal to ${max}`)];
  return [];
}

/** Names that only have to be a path segment (RBAC objects: 'system:controller:x' is fine). */
export function pathSegmentName(field: string, v: unknown): StatusCause[] {
  const s = String(v ?? '');
  if (s === '.' || s === '..') return [invalid(field, s, `may not be '${s}'`)];
  for (const c of ['/', '%']) if (s.includes(c)) return [invalid(field, s, `may not contain '${c}'`)];
  return [];
}
