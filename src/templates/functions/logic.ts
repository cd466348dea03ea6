// Comparison, logical and numeric functions: coalesce equals greater greaterOrEquals less lessOrEquals;
// and bool false if (lazy: only the chosen branch is evaluated) not or true; add sub mul div mod int
// float. and/or short-circuit as ARM does (a false `and` never evaluates the rest).

import { ExprErrors } from '../errors.js';
import { armType, deepEqual } from '../values.js';
import { expectBool, expectInt, expectNumber, type Library } from './types.js';

// Strings compare culture-aware, as .NET does: greater('A', 'a') is true (MS docs example).
const collator = new Intl.Collator('en-US');

function compare(a: unknown, b: unknown, fn: string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b);
  throw ExprErrors.generic(`The template language function '${fn}' expects two parameters of the same type: Integer or String. Found '${armType(a)}' and '${armType(b)}'.`);
}

function toInt(v: unknown, fn: string): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return parseInt(v, 10);
  throw ExprErrors.generic(`The template language function '${fn}' cannot convert '${String(v)}' to an integer.`);
}

export const logic: Library = {
  coalesce: { min: 1, fn: (args) => args.find((a) => a !== null && a !== undefined) ?? null },
  equals: { min: 2, max: 2, fn: ([a, b]) => deepEqual(a, b) },
  greater: { min: 2, max: 2, fn: ([a, b], _c, fn) => compare(a, b, fn) > 0 },
  greaterorequals: { min: 2, max: 2, fn: ([a, b], _c, fn) => compare(a, b, fn) >= 0 },
  less: { min: 2, max: 2, fn: ([a, b], _c, fn) => compare(a, b, fn) < 0 },
  lessorequals: { min: 2, max: 2, fn: ([a, b], _c, fn) => compare(a, b, fn) <= 0 },
  and: {
    min: 2,
    lazy: (args, ctx, fn, evaluate) => {
      for (const a of args) if (!expectBool(evaluate(a, ctx), fn)) return false;
      return true;
    },
  },
  or: {
    min: 2,
    lazy: (args, ctx, fn, evaluate) => {
      for (const a of args) if (expectBool(evaluate(a, ctx), fn)) return true;
      return false;
    },
  },
  not: { min: 1, max: 1, fn: ([a], _c, fn) => !expectBool(a, fn) },
  if: {
    min: 3,
    max: 3,
    lazy: ([c, t, f], ctx, fn, evaluate) => (expectBool(evaluate(c, ctx), fn) ? evaluate(t, ctx) : evaluate(f, ctx)),
  },
  true: { min: 0, max: 0, fn: () => true },
  false: { min: 0, max: 0, fn: () => false },
  bool: {
    min: 1,
    max: 1,
    fn: ([v], _c, fn) => {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'string') {
        const s = v.trim().toLowerCase();
        if (s === 'true' || s === '1') return true;
        if (s === 'false' || s === '0') return false;
      }
      throw ExprErrors.generic(`The template language function '${fn}' cannot convert '${String(v)}' to a boolean.`);
    },
  },
  int: { min: 1, max: 1, fn: ([v], _c, fn) => toInt(v, fn) },
  float: {
    min: 1,
    max: 1,
    fn: ([v], _c, fn) => {
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v))) return Number(v);
      throw ExprErrors.generic(`The template language function '${fn}' cannot convert '${String(v)}' to a float.`);
    },
  },
  add: { min: 2, max: 2, fn: ([a, b], _c, fn) => expectNumber(a, fn) + expectNumber(b, fn) },
  sub: { min: 2, max: 2, fn: ([a, b], _c, fn) => expectNumber(a, fn) - expectNumber(b, fn) },
  mul: { min: 2, max: 2, fn: ([a, b], _c, fn) => expectNumber(a, fn) * expectNumber(b, fn) },
  div: {
    min: 2,
    max: 2,
    fn: ([a, b], _c, fn) => {
      const d = expectInt(b, fn);
      if (d === 0) throw ExprErrors.generic(`The template language function '${fn}' cannot divide by zero.`);
      return Math.trunc(expectInt(a, fn) / d);
    },
  },
  mod: {
    min: 2,
    max: 2,
    fn: ([a, b], _c, fn) => {
      const d = expectInt(b, fn);
      if (d === 0) throw ExprErrors.generic(`The template language function '${fn}' cannot divide by zero.`);
      return expectInt(a, fn) % d;
    },
  },
};
