// User-defined functions (`functions: [{namespace, members: {name: {parameters, output}}}]`), called as
// `namespace.name(...)`. A function sees only its own parameters: no variables, no template
// parameters, no reference()/list*(), as ARM documents.

import type { EvalContext } from '../context.js';
import { ExprErrors } from '../errors.js';

/** evaluateValue: the evaluator's, handed in (the functions never import the evaluator). */
export function callUserFunction(ns: string, name: string, args: unknown[], ctx: EvalContext, evaluateValue: (v: unknown, ctx: EvalContext) => unknown): unknown {
  const f = ctx.functions.get(`${ns}.${name}`.toLowerCase());
  if (!f) throw ExprErrors.unknownFunction(`${ns}.${name}`);
  if (args.length !== f.parameters.length) {
    throw ExprErrors.arity(`${ns}.${name}`, String(f.parameters.length), args.length);
  }
  const udfParams = new Map<string, unknown>();
  f.parameters.forEach((p, i) => udfParams.set(p.name.toLowerCase(), args[i]));
  return evaluateValue(f.output.value, { ...ctx, udfParams, site: 'function', copy: undefined, innermostCopy: undefined, variables: undefined });
}
