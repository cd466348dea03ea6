// Helpers on template values (JSON values plus lambdas): ARM type names, deep equality, case-insensitive
// property lookup as ARM does it, and the string conversions string()/format()/concat() use.

import { ExprErrors } from './errors.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function armType(v: unknown): string {
  if (v === null || v === undefined) return 'Null';
  if (Array.isArray(v)) return 'Array';
  switch (typeof v) {
    case 'string':
      return 'String';
    case 'number':
      return Number.isInteger(v) ? 'Integer' : 'Float';
    case 'boolean':
      return 'Boolean';
    case 'function':
      return 'Lambda';
    default:
      return isLambda(v) ? 'Lambda' : 'Object';
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isLambda(v);
}

export interface LambdaValue {
  readonly __lambda: true;
  readonly params: string[];
  readonly body: unknown; // Expr
  readonly ctx: unknown; // EvalContext captured
}

export function isLambda(v: unknown): v is LambdaValue {
  return typeof v === 'object' && v !== null && (v as { __lambda?: boolean }).__lambda === true;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== typeof b) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a === 'object') {
    if (Array.isArray(b)) return false;
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    if (ka.length !== kb.length) return false;
    const bo = b as Record<string, unknown>;
    return ka.every((k) => {
      const key = findKey(bo, k);
      return key !== undefined && deepEqual((a as Record<string, unknown>)[k], bo[key]);
    });
  }
  return false;
}

/** The key of `obj` matching `name`: the exact one first, else the first case-insensitive match. */
export function findKey(obj: Record<string, unknown>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return name;
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return k;
  return undefined;
}

/** `obj.name` as ARM evaluates it: case-insensitive; a missing property is an error. */
export function getProperty(obj: unknown, name: string): unknown {
  if (isObject(obj)) {
    const k = findKey(obj, name);
    if (k === undefined) throw ExprErrors.noProperty(name, Object.keys(obj));
    return obj[k];
  }
  throw ExprErrors.notIndexable(armType(obj));
}

export function index(obj: unknown, i: unknown): unknown {
  if (Array.isArray(obj)) {
    if (typeof i !== 'number' || !Number.isInteger(i)) throw ExprErrors.badAccess(String(i), 'array');
    if (i < 0 || i >= obj.length) throw ExprErrors.indexOutOfBounds(i);
    return obj[i];
  }
  if (isObject(obj)) {
    if (typeof i !== 'string') throw ExprErrors.badAccess(String(i), 'object');
    return getProperty(obj, i);
  }
  throw ExprErrors.notIndexable(armType(obj));
}

/** Converts to string as string()/concat()/format() do: booleans as True/False, objects as compact JSON. */
export function toArmString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}
