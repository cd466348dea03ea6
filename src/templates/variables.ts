// Template variables, evaluated on first use (in any order, with cycles reported) and then cached.
// Both copy forms: a top-level `copy: [{name, count, input}]` defines array variables, and a `copy`
// array inside a variable's object value builds an array property (handled by evaluateValue).

import type { EvalContext, VariableSource } from './context.js';
import { ExpressionError, TemplateErrors } from './errors.js';
import { evaluateValue, isPropertyCopy } from './evaluator.js';
import { findKey } from './values.js';

export class VariableTable implements VariableSource {
  private readonly raw = new Map<string, { name: string; value: unknown; copy?: boolean }>();
  private readonly cache = new Map<string, unknown>();
  private readonly evaluating = new Set<string>();
  /** The context variables are evaluated in (the template's, without copy indexes or lambdas). */
  base?: EvalContext;

  constructor(section: Record<string, unknown>) {
    for (const [name, value] of Object.entries(section)) {
      if (name.toLowerCase() === 'copy' && isPropertyCopy(value)) {
        for (const loop of value) this.raw.set(String(loop.name).toLowerCase(), { name: String(loop.name), value: { copy: [loop] }, copy: true });
        continue;
      }
      this.raw.set(name.toLowerCase(), { name, value });
    }
  }

  has(name: string): boolean {
    return this.raw.has(name.toLowerCase());
  }

  names(): string[] {
    return [...this.raw.values()].map((v) => v.name);
  }

  get(name: string): unknown {
    const key = name.toLowerCase();
    if (this.cache.has(key)) return this.cache.get(key);
    const entry = this.raw.get(key);
    if (!entry) throw TemplateErrors.invalid(`The template variable '${name}' is not found.`);
    if (this.evaluating.has(key)) {
      throw TemplateErrors.invalid(`The template variable '${entry.name}' has a circular reference to itself. Please see https://aka.ms/arm-syntax-variables for usage details.`);
    }
    this.evaluating.add(key);
    try {
      const ctx: EvalContext = { ...this.base!, site: 'variable', copy: undefined, innermostCopy: undefined, lambdaVars: undefined, udfParams: undefined };
      let v = evaluateValue(entry.value, ctx);
      if (entry.copy) {
        const obj = v as Record<string, unknown>;
        v = obj[findKey(obj, entry.name) ?? entry.name];
      }
      this.cache.set(key, v);
      return v;
    } catch (e) {
      if (e instanceof ExpressionError) throw TemplateErrors.invalidVariable(entry.name, e.message);
      throw e;
    } finally {
      this.evaluating.delete(key);
    }
  }

  /** Evaluates every variable (validation reports a bad one even when nothing uses it). */
  evaluateAll(): void {
    for (const k of this.raw.keys()) this.get(k);
  }
}
