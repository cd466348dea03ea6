// The shape of a template function: arity, and either an eager body (arguments evaluated first) or a
// lazy one (receives the argument trees, as if/lambda/and/or need).

import type { EvalContext } from '../context.js';
import { ExprErrors } from '../errors.js';
import type { Expr } from '../parser.js';
import { armType } from '../values.js';

/** Evaluates an expression tree: the evaluator hands itself to the functions that need it (lazy ones, lambdas). */
export type Evaluate = (e: Expr, ctx: EvalContext) => unknown;

export interface FunctionDef {
  min: number;
  max?: number;
  fn?: (args: unknown[], ctx: EvalContext, name: string, evaluate: Evaluate) => unknown;
  lazy?: (args: Expr[], ctx: EvalContext, name: string, evaluate: Evaluate) => unknown;
}

export type Library = Record<string, FunctionDef>;

export function expectString(v: unknown, fn: string): string {
  if (typeof v !== 'string') throw ExprErrors.argType(fn, 'String', armType(v));
  return v;
}
export function expectInt(v: unknown, fn: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw ExprErrors.argType(fn, 'Integer', armType(v));
  return v;
}
export function expectNumber(v: unknown, fn: string): number {
  if (typeof v !== 'number') throw ExprErrors.argType(fn, 'Integer', armType(v));
  return v;
}
export function expectArray(v: unknown, fn: string): unknown[] {
  if (!Array.isArray(v)) throw ExprErrors.argType(fn, 'Array', armType(v));
  return v;
}
export function expectObject(v: unknown, fn: string): Record<string, unknown> {
  if (armType(v) !== 'Object') throw ExprErrors.argType(fn, 'Object', armType(v));
  return v as Record<string, unknown>;
}
export function expectBool(v: unknown, fn: string): boolean {
  if (typeof v !== 'boolean') throw ExprErrors.argType(fn, 'Boolean', armType(v));
  return v;
}
