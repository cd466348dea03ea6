// Secure values never leave the engine: parameters of type secureString/secureObject show only their
// type; `scrub` replaces any secure value found inside something about to be shown (an RP error that
// echoes a password, an operation's status message, a log line) with a fixed mask.

import { isObject } from './values.js';

/** What redaction needs of a prepared deployment (structurally: no import of prepare.ts, which imports this). */
interface Declared {
  declared: { name: string; type: string; secure: boolean; fromKeyVault?: boolean }[];
}

const TYPE_LABEL: Record<string, string> = {
  string: 'String',
  securestring: 'SecureString',
  int: 'Int',
  bool: 'Bool',
  object: 'Object',
  secureobject: 'SecureObject',
  array: 'Array',
};

/** A declared parameter type as ARM shows it ('securestring' → 'SecureString'). */
export function typeLabel(type: string): string {
  return TYPE_LABEL[type.toLowerCase()] ?? (type || 'Object');
}

export const MASK = '***';

/** Parameters as the deployment's GET, operations and export show them. */
export function redactParameters(p: Declared & { ctx: { parameters: Map<string, unknown> } }): Record<string, { type: string; value?: unknown }> {
  const out: Record<string, { type: string; value?: unknown }> = {};
  for (const d of p.declared) {
    if (d.secure || d.fromKeyVault) out[d.name] = { type: typeLabel(d.type) };
    else out[d.name] = { type: typeLabel(d.type), value: p.ctx.parameters.get(d.name.toLowerCase()) };
  }
  return out;
}

/** A copy of `v` with every occurrence of a secret string replaced by the mask. */
export function scrub<T>(v: T, secrets: string[]): T {
  if (!secrets.length) return v;
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') {
      let s = x;
      for (const secret of secrets) if (s.includes(secret)) s = s.split(secret).join(MASK);
      return s;
    }
    if (Array.isArray(x)) return x.map(walk);
    if (isObject(x)) return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]));
    return x;
  };
  return walk(v) as T;
}

/** A redactor for everything about one deployment (the API applies it to GET, operations, export, logs). */
export function redactorFor(p: { secrets: string[] }): <T>(v: T) => T {
  return <T>(v: T) => scrub(v, p.secrets);
}

/**
 * The parameters a client sent, with secure ones reduced to their type: for storing a deployment's
 * request (so GET/export never echo a secret that was only ever in the request body).
 */
export function redactSuppliedParameters(p: Declared, supplied: Record<string, unknown>): Record<string, unknown> {
  const secure = new Set(p.declared.filter((d) => d.secure).map((d) => d.name.toLowerCase()));
  // Key Vault references stay as they were sent (they carry no secret).
  return Object.fromEntries(Object.entries(supplied).map(([k, v]) => [k, secure.has(k.toLowerCase()) ? { type: 'SecureString' } : v]));
}
