// Lambda functions (languageVersion 2.0 and compiled Bicep): lambda lambdaVariables filter map reduce
// sort toObject groupBy mapValues. A lambda is a closure over the context it was written in.

import type { EvalContext } from '../context.js';
import { ExprErrors } from '../errors.js';
import type { Expr } from '../parser.js';
import { isLambda, type LambdaValue } from '../values.js';
import { expectArray, expectBool, expectObject, expectString, type Evaluate, type Library } from './types.js';

function call(l: unknown, args: unknown[], fn: string, evaluate: Evaluate): unknown {
  if (!isLambda(l)) throw ExprErrors.argType(fn, 'Lambda', typeof l);
  const ctx = l.ctx as EvalContext;
  const vars = new Map(ctx.lambdaVars ?? []);
  l.params.forEach((p, i) => vars.set(p.toLowerCase(), args[i]));
  return evaluate(l.body as Expr, { ...ctx, lambdaVars: vars });
}

export const lambdas: Library = {
  lambda: {
    min: 1,
    lazy: (args, ctx, fn, evaluate) => {
      const params = args.slice(0, -1).map((a) => expectString(evaluate(a, ctx), fn));
      const value: LambdaValue = { __lambda: true, params, body: args[args.length - 1], ctx };
      return value;
    },
  },
  lambdavariables: {
    min: 1,
    max: 1,
    fn: ([n], ctx, fn) => {
      const name = expectString(n, fn);
      const key = name.toLowerCase();
      if (!ctx.lambdaVars?.has(key)) throw ExprErrors.generic(`The lambda variable '${name}' is not found. Please see https://aka.ms/arm-template-lambda for usage details.`);
      return ctx.lambdaVars.get(key);
    },
  },
  filter: { min: 2, max: 2, fn: ([a, l], _c, fn, evaluate) => expectArray(a, fn).filter((x, i) => expectBool(call(l, [x, i], fn, evaluate), fn)) },
  map: { min: 2, max: 2, fn: ([a, l], _c, fn, evaluate) => expectArray(a, fn).map((x, i) => call(l, [x, i], fn, evaluate)) },
  reduce: { min: 3, max: 3, fn: ([a, init, l], _c, fn, evaluate) => expectArray(a, fn).reduce((acc, x, i) => call(l, [acc, x, i], fn, evaluate), init) },
  sort: {
    min: 2,
    max: 2,
    fn: ([a, l], _c, fn, evaluate) => {
      // Stable merge sort with the lambda as "a comes before b".
      const arr = [...expectArray(a, fn)];
      const before = (x: unknown, y: unknown) => expectBool(call(l, [x, y], fn, evaluate), fn);
      const sort = (xs: unknown[]): unknown[] => {
        if (xs.length < 2) return xs;
        const mid = xs.length >> 1;
        const left = sort(xs.slice(0, mid));
        const right = sort(xs.slice(mid));
        const out: unknown[] = [];
        let i = 0;
        let j = 0;
        while (i < left.length && j < right.length) out.push(before(right[j], left[i]) ? right[j++] : left[i++]);
        return out.concat(left.slice(i), right.slice(j));
      };
      return sort(arr);
    },
  },
  toobject: {
    min: 2,
    max: 3,
    fn: ([a, k, v], _c, fn, evaluate) => {
      const o: Record<string, unknown> = {};
      for (const x of expectArray(a, fn)) o[expectString(call(k, [x], fn, evaluate), fn)] = v === undefined ? x : call(v, [x], fn, evaluate);
      return o;
    },
  },
  // groupBy(array, keyLambda[, valueLambda]): the optional third maps each element before it is grouped.
  groupby: {
    min: 2,
    max: 3,
    fn: ([a, k, v], _c, fn, evaluate) => {
      const o: Record<string, unknown[]> = {};
      for (const x of expectArray(a, fn)) (o[expectString(call(k, [x], fn, evaluate), fn)] ??= []).push(v === undefined ? x : call(v, [x], fn, evaluate));
      return o;
    },
  },
  mapvalues: {
    min: 2,
    max: 2,
    fn: ([obj, l], _c, fn, evaluate) => Object.fromEntries(Object.entries(expectObject(obj, fn)).map(([key, x]) => [key, call(l, [x], fn, evaluate)])),
  },
};
