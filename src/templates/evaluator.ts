// Evaluates parsed expressions and whole template values. `evaluateValue` walks any JSON value and
// evaluates every expression string in it (object keys too); `evaluateExpression` evaluates one
// expression tree. Functions come from the library (functions/index.ts) or from the template's
// user-defined `functions`; lazy functions (if, lambda, ...) receive their argument trees unevaluated,
// and every function gets this evaluator as an argument (the functions never import it: no circle).

import type { EvalContext } from './context.js';
import { ExprErrors, ExpressionError } from './errors.js';
import { lookupFunction } from './functions/index.js';
import { classify, parseExpression, type Expr } from './parser.js';
import { getProperty, index, isObject } from './values.js';
import { callUserFunction } from './functions/udf.js';
import { withCopy } from './context.js';
import { TemplateErrors } from './errors.js';
import { checkValue, LimitErrors, tick } from './limits.js';

type PropertyCopy = { name: string; count: unknown; input: unknown };

/** A property/variable copy: `"copy": [{name, count, input}]` (a resource's own copy is an object). */
export function isPropertyCopy(x: unknown): x is PropertyCopy[] {
  return Array.isArray(x) && x.length > 0 && x.every((l) => isObject(l) && 'name' in l && 'count' in l && 'input' in l);
}

export const MAX_COPY_COUNT = 800;

export function copyCount(raw: unknown, ctx: EvalContext, name: string): number {
  const n = typeof raw === 'string' ? evaluateString(raw, ctx) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_COPY_COUNT) {
    throw TemplateErrors.invalid(`The copy count for '${name}' must be a non-negative integer no greater than ${MAX_COPY_COUNT}; found '${JSON.stringify(n)}'.`);
  }
  return n;
}

function expandPropertyCopy(loop: PropertyCopy, ctx: EvalContext): Record<string, unknown> {
  const name = String(evaluateValue(loop.name, ctx));
  const n = copyCount(loop.count, ctx, name);
  const items: unknown[] = [];
  for (let i = 0; i < n; i++) items.push(evaluateValue(loop.input, withCopy(ctx, name, i)));
  return { [name]: items };
}

export function evaluateExpression(e: Expr, ctx: EvalContext): unknown {
  switch (e.kind) {
    case 'string':
      return e.value;
    case 'number':
      return e.value;
    case 'member':
      return getProperty(evaluateExpression(e.object, ctx), e.name);
    case 'index':
      return index(evaluateExpression(e.object, ctx), evaluateExpression(e.index, ctx));
    case 'call': {
      // Every call counts against the time limit, and what it returns against the size and depth limits.
      tick();
      if (e.namespace)
        return checkValue(
          callUserFunction(
            e.namespace,
            e.name,
            e.args.map((a) => evaluateExpression(a, ctx)),
            ctx,
            evaluateValue,
          ),
          `function '${e.namespace}.${e.name}' result`,
        );
      const def = lookupFunction(e.name);
      if (!def) throw ExprErrors.unknownFunction(e.name);
      const n = e.args.length;
      if (n < def.min || (def.max !== undefined && n > def.max)) {
        const expected = def.max === def.min ? `${def.min}` : def.max === undefined ? `at least ${def.min}` : `${def.min} to ${def.max}`;
        throw ExprErrors.arity(e.name, expected, n);
      }
      if (def.lazy) return checkValue(def.lazy(e.args, ctx, e.name, evaluateExpression), `function '${e.name}' result`);
      const args = e.args.map((a) => evaluateExpression(a, ctx));
      try {
        return checkValue(def.fn!(args, ctx, e.name, evaluateExpression), `function '${e.name}' result`);
      } catch (err) {
        // A value a function cannot take (new URL('x'), decodeURIComponent('%')) is the template's error, not the emulator's.
        if (err instanceof TypeError || err instanceof URIError) throw new ExpressionError(`Unable to evaluate template language function '${e.name}': ${err.message}.`);
        throw err;
      }
    }
  }
}

/** Evaluates a template string: an expression, or a literal (with `[[` unescaped). */
export function evaluateString(s: string, ctx: EvalContext): unknown {
  const c = classify(s);
  if ('literal' in c) return c.literal;
  try {
    return evaluateExpression(parseExpression(c.expression), ctx);
  } catch (e) {
    // An expression nested thousands deep (within the length limit) overflows the stack: say so.
    if (e instanceof RangeError) throw /call stack/i.test(e.message) ? LimitErrors.nesting() : ExprErrors.generic(e.message);
    throw e;
  }
}

/** Evaluates every expression in a JSON value; returns a new value (the input is not modified). */
export function evaluateValue(v: unknown, ctx: EvalContext): unknown {
  if (typeof v === 'string') return evaluateString(v, ctx);
  if (Array.isArray(v)) return checkValue(v.map((x) => evaluateValue(x, ctx)));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k.toLowerCase() === 'copy' && isPropertyCopy(x)) {
        for (const loop of x) Object.assign(out, expandPropertyCopy(loop, ctx));
        continue;
      }
      const key = typeof k === 'string' && k.startsWith('[') ? String(evaluateString(k, ctx)) : k;
      out[key] = evaluateValue(x, ctx);
    }
    return checkValue(out);
  }
  return v;
}

/** True when a value contains at least one expression string (so it can be kept as is otherwise). */
export function hasExpressions(v: unknown): boolean {
  if (typeof v === 'string') return v.startsWith('[');
  if (Array.isArray(v)) return v.some(hasExpressions);
  if (isObject(v)) return Object.entries(v).some(([k, x]) => k.startsWith('[') || hasExpressions(x));
  return false;
}

export { ExpressionError };
