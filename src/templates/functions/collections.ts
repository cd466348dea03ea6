// Array and object functions: array concat contains createArray createObject distinct empty first
// flatten indexOf intersection items join json last lastIndexOf length max min null objectKeys range
// shallowMerge skip take tryGet tryIndexFromEnd union.

import { ExprErrors } from '../errors.js';
import { checkLength, parseJsonLimited } from '../limits.js';
import { armType, deepEqual, findKey, isObject, toArmString } from '../values.js';
import { expectArray, expectInt, expectObject, expectString, type Library } from './types.js';

function mergeDeep(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const existing = findKey(out, k);
    if (existing !== undefined && isObject(out[existing]) && isObject(v)) {
      out[existing] = mergeDeep(out[existing] as Record<string, unknown>, v);
    } else {
      if (existing !== undefined && existing !== k) delete out[existing];
      out[existing ?? k] = v;
    }
  }
  return out;
}

function numbers(args: unknown[], fn: string): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (list.length === 0) throw ExprErrors.generic(`The template language function '${fn}' expects at least one value.`);
  return list.map((x) => {
    if (typeof x !== 'number') throw ExprErrors.argType(fn, 'Integer', armType(x));
    return x;
  });
}

function indexOfFn(last: boolean) {
  return (args: unknown[], _c: unknown, fn: string) => {
    const [c, item] = args;
    if (typeof c === 'string') {
      const s = c.toLowerCase();
      const t = expectString(item, fn).toLowerCase();
      return last ? s.lastIndexOf(t) : s.indexOf(t);
    }
    const arr = expectArray(c, fn);
    if (last) {
      for (let i = arr.length - 1; i >= 0; i--) if (deepEqual(arr[i], item)) return i;
      return -1;
    }
    return arr.findIndex((x) => deepEqual(x, item));
  };
}

export const collections: Library = {
  array: { min: 1, max: 1, fn: ([v]) => (Array.isArray(v) ? v : [v]) },
  concat: {
    min: 1,
    fn: (args) => {
      if (Array.isArray(args[0]) || (args[0] === null && args.some(Array.isArray))) {
        let total = 0;
        for (const a of args) {
          if (a === null) continue;
          if (!Array.isArray(a)) throw ExprErrors.argType('concat', 'Array', armType(a));
          total += a.length;
        }
        // Element by element: spreading a large array into push() overflows the stack.
        checkLength(total, "function 'concat' result");
        const out: unknown[] = new Array(total);
        let i = 0;
        for (const a of args) if (a !== null) for (const x of a as unknown[]) out[i++] = x;
        return out;
      }
      const parts = args.map((a) => {
        if (Array.isArray(a) || isObject(a)) throw ExprErrors.argType('concat', 'String', armType(a));
        return toArmString(a);
      });
      checkLength(
        parts.reduce((n, s) => n + s.length, 0),
        "function 'concat' result",
      );
      return parts.join('');
    },
  },
  contains: {
    min: 2,
    max: 2,
    fn: ([c, item], _ctx, fn) => {
      if (typeof c === 'string') return c.includes(toArmString(item));
      if (Array.isArray(c)) return c.some((x) => deepEqual(x, item));
      if (isObject(c)) return findKey(c, expectString(item, fn)) !== undefined;
      throw ExprErrors.argType(fn, 'String, Array or Object', armType(c));
    },
  },
  createarray: { min: 0, fn: (args) => [...args] },
  createobject: {
    min: 0,
    fn: (args) => {
      if (args.length % 2) throw ExprErrors.generic("The template language function 'createObject' must have an even number of parameters.");
      const o: Record<string, unknown> = {};
      for (let i = 0; i < args.length; i += 2) o[expectString(args[i], 'createObject')] = args[i + 1];
      return o;
    },
  },
  distinct: {
    min: 1,
    max: 1,
    fn: ([a]) => {
      const out: unknown[] = [];
      for (const x of expectArray(a, 'distinct')) if (!out.some((y) => deepEqual(x, y))) out.push(x);
      return out;
    },
  },
  empty: {
    min: 1,
    max: 1,
    fn: ([v]) => v === null || v === undefined || (typeof v === 'string' || Array.isArray(v) ? v.length === 0 : isObject(v) ? Object.keys(v).length === 0 : false),
  },
  first: {
    min: 1,
    max: 1,
    fn: ([v], _c, fn) => {
      if (typeof v === 'string') return v.slice(0, 1);
      const a = expectArray(v, fn);
      return a.length ? a[0] : null;
    },
  },
  last: {
    min: 1,
    max: 1,
    fn: ([v], _c, fn) => {
      if (typeof v === 'string') return v.slice(-1);
      const a = expectArray(v, fn);
      return a.length ? a[a.length - 1] : null;
    },
  },
  flatten: {
    min: 1,
    max: 1,
    fn: ([a]) =>
      expectArray(a, 'flatten').flatMap((x) => {
        if (!Array.isArray(x)) throw ExprErrors.argType('flatten', 'Array', armType(x));
        return x;
      }),
  },
  indexof: { min: 2, max: 2, fn: indexOfFn(false) },
  lastindexof: { min: 2, max: 2, fn: indexOfFn(true) },
  intersection: {
    min: 2,
    fn: (args, _c, fn) => {
      if (Array.isArray(args[0])) {
        const rest = args.slice(1).map((a) => expectArray(a, fn));
        const out: unknown[] = [];
        for (const x of args[0]) {
          if (rest.every((r) => r.some((y) => deepEqual(x, y))) && !out.some((y) => deepEqual(x, y))) out.push(x);
        }
        return out;
      }
      const first = expectObject(args[0], fn);
      const rest = args.slice(1).map((a) => expectObject(a, fn));
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(first)) {
        if (
          rest.every((r) => {
            const rk = findKey(r, k);
            return rk !== undefined && deepEqual(v, r[rk]);
          })
        )
          out[k] = v;
      }
      return out;
    },
  },
  union: {
    min: 1,
    fn: (args, _c, fn) => {
      if (Array.isArray(args[0])) {
        const out: unknown[] = [];
        for (const a of args) for (const x of expectArray(a, fn)) if (!out.some((y) => deepEqual(x, y))) out.push(x);
        return out;
      }
      let out: Record<string, unknown> = {};
      for (const a of args) if (a !== null) out = mergeDeep(out, expectObject(a, fn));
      return out;
    },
  },
  items: {
    min: 1,
    max: 1,
    fn: ([o]) =>
      Object.keys(expectObject(o, 'items'))
        .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0))
        .map((key) => ({ key, value: (o as Record<string, unknown>)[key] })),
  },
  join: {
    min: 2,
    max: 2,
    fn: ([a, d]) => {
      const parts = expectArray(a, 'join').map((x) => {
        if (Array.isArray(x) || isObject(x)) throw ExprErrors.argType('join', 'String', armType(x));
        return toArmString(x);
      });
      const sep = expectString(d, 'join');
      checkLength(parts.reduce((n, s) => n + s.length, 0) + sep.length * Math.max(0, parts.length - 1), "function 'join' result");
      return parts.join(sep);
    },
  },
  json: {
    min: 1,
    max: 1,
    fn: ([s]) => {
      try {
        return parseJsonLimited(expectString(s, 'json'));
      } catch (e) {
        if (e instanceof SyntaxError) throw ExprErrors.generic(`The template language function 'json' expects a valid JSON string. The provided value '${String(s)}' is not valid.`);
        throw e;
      }
    },
  },
  length: {
    min: 1,
    max: 1,
    fn: ([v], _c, fn) => {
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (isObject(v)) return Object.keys(v).length;
      throw ExprErrors.argType(fn, 'String, Array or Object', armType(v));
    },
  },
  max: { min: 1, fn: (args, _c, fn) => Math.max(...numbers(args, fn)) },
  min: { min: 1, fn: (args, _c, fn) => Math.min(...numbers(args, fn)) },
  null: { min: 0, max: 0, fn: () => null },
  objectkeys: { min: 1, max: 1, fn: ([o]) => Object.keys(expectObject(o, 'objectKeys')) },
  range: {
    min: 2,
    max: 2,
    fn: ([s, c]) => {
      const start = expectInt(s, 'range');
      const count = expectInt(c, 'range');
      if (count < 0 || count > 10000) throw ExprErrors.generic(`The template language function 'range' count '${count}' must be between 0 and 10000.`);
      return Array.from({ length: count }, (_, i) => start + i);
    },
  },
  shallowmerge: {
    min: 1,
    max: 1,
    fn: ([a]) => Object.assign({}, ...expectArray(a, 'shallowMerge').map((o) => expectObject(o, 'shallowMerge'))),
  },
  skip: {
    min: 2,
    max: 2,
    fn: ([v, n], _c, fn) => {
      const k = Math.max(0, expectInt(n, fn));
      if (typeof v === 'string') return v.slice(k);
      return expectArray(v, fn).slice(k);
    },
  },
  take: {
    min: 2,
    max: 2,
    fn: ([v, n], _c, fn) => {
      const k = Math.max(0, expectInt(n, fn));
      if (typeof v === 'string') return v.slice(0, k);
      return expectArray(v, fn).slice(0, k);
    },
  },
  tryget: {
    min: 2,
    fn: ([v, ...keys]) => {
      let cur: unknown = v;
      for (const k of keys) {
        if (Array.isArray(cur) && typeof k === 'number') cur = k >= 0 && k < cur.length ? cur[k] : null;
        else if (isObject(cur) && typeof k === 'string') {
          const key = findKey(cur, k);
          cur = key === undefined ? null : cur[key];
        } else return null;
        if (cur === null || cur === undefined) return null;
      }
      return cur ?? null;
    },
  },
  tryindexfromend: {
    min: 2,
    max: 2,
    fn: ([a, i]) => {
      const arr = expectArray(a, 'tryIndexFromEnd');
      const k = expectInt(i, 'tryIndexFromEnd');
      return k >= 1 && k <= arr.length ? arr[arr.length - k] : null;
    },
  },
};
