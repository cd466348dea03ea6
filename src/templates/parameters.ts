// Template parameters: binds supplied values ({name: {value}} or a whole parameters file) to the
// declarations; evaluates defaultValue expressions lazily (they may use other parameters, and utcNow()
// / newGuid()); checks type, allowedValues, minValue/maxValue, minLength/maxLength; resolves
// languageVersion 2.0 `$ref` types from `definitions` and `nullable`. Errors as ARM words them.

import type { EvalContext } from './context.js';
import { ExpressionError, TemplateErrors, TemplateError } from './errors.js';
import { evaluateValue } from './evaluator.js';
import type { NormalizedTemplate } from './template.js';
import { section } from './template.js';
import { armType, deepEqual, isObject } from './values.js';
import { typeLabel } from './redact.js';

export interface ParameterInfo {
  name: string;
  /** Lower-cased declared type: string securestring int bool object secureobject array. */
  type: string;
  secure: boolean;
  def: Record<string, unknown>;
  /** Supplied as a Key Vault reference: shown like a secure value. */
  fromKeyVault?: boolean;
}

const JTOKEN: Record<string, string> = {
  string: 'String',
  securestring: 'String',
  int: 'Integer',
  bool: 'Boolean',
  object: 'Object',
  secureobject: 'Object',
  array: 'Array',
};

export { typeLabel };

function resolveDef(t: NormalizedTemplate, def: Record<string, unknown>, seen = 0): Record<string, unknown> {
  const ref = section<string>(def, '$ref');
  if (typeof ref === 'string' && seen < 16) {
    const m = /^#\/definitions\/(.+)$/.exec(ref);
    const target = m ? section<Record<string, unknown>>(t.definitions, m[1]) : undefined;
    if (!target) throw TemplateErrors.invalid(`The type reference '${ref}' could not be resolved.`, 'properties.template.parameters');
    const { $ref: _r, ...rest } = def;
    return { ...resolveDef(t, target, seen + 1), ...rest };
  }
  return def;
}

export function declaredParameters(t: NormalizedTemplate): ParameterInfo[] {
  return Object.entries(t.parameters).map(([name, d]) => {
    const def = resolveDef(t, isObject(d) ? d : {});
    // A declaration without a type (only possible through definitions) is not type-checked.
    const type = String(section(def, 'type') ?? '').toLowerCase();
    return { name, type, secure: type === 'securestring' || type === 'secureobject', def };
  });
}

/** Unwraps what clients send: `{p: {value}}`, or a whole parameters file `{$schema, parameters: {...}}`. */
export function suppliedValues(input: unknown): Record<string, Record<string, unknown>> {
  if (!isObject(input)) return {};
  if (('$schema' in input || 'contentVersion' in input) && isObject(input.parameters)) {
    return input.parameters as Record<string, Record<string, unknown>>;
  }
  return input as Record<string, Record<string, unknown>>;
}

function checkValue(p: ParameterInfo, v: unknown): void {
  const expected = JTOKEN[p.type];
  const nullable = section(p.def, 'nullable') === true;
  if (v === null && nullable) return;
  if (expected) {
    const actual = armType(v);
    const ok = expected === 'Integer' ? actual === 'Integer' : expected === actual;
    if (!ok) throw TemplateErrors.parameterType(p.name, expected, v);
  }
  const allowed = section<unknown[]>(p.def, 'allowedValues');
  if (Array.isArray(allowed)) {
    const match = (x: unknown) => allowed.some((a) => (typeof a === 'string' && typeof x === 'string' ? a.toLowerCase() === x.toLowerCase() : deepEqual(a, x)));
    const ok = Array.isArray(v) && p.type === 'array' ? v.every(match) : match(v);
    if (!ok) throw TemplateErrors.notAllowedValue(p.name, v, allowed);
  }
  const minValue = section<number>(p.def, 'minValue');
  const maxValue = section<number>(p.def, 'maxValue');
  if (typeof v === 'number') {
    if (typeof minValue === 'number' && v < minValue) throw TemplateErrors.parameterRange(p.name, v, `Value should be greater than or equal to '${minValue}'.`);
    if (typeof maxValue === 'number' && v > maxValue) throw TemplateErrors.parameterRange(p.name, v, `Value should be less than or equal to '${maxValue}'.`);
  }
  const minLength = section<number>(p.def, 'minLength');
  const maxLength = section<number>(p.def, 'maxLength');
  if (typeof v === 'string' || Array.isArray(v)) {
    if (typeof minLength === 'number' && v.length < minLength) throw TemplateErrors.parameterRange(p.name, v, `Length of the value should be greater than '${minLength}'.`);
    if (typeof maxLength === 'number' && v.length > maxLength) throw TemplateErrors.parameterRange(p.name, v, `Length of the value should be less than '${maxLength}'.`);
  }
}

/**
 * Binds and checks every parameter. `base` is the context defaults are evaluated in; the returned map
 * is the `parameters` of the template's context (lower-cased names).
 */
export function bindParameters(t: NormalizedTemplate, input: unknown, base: Omit<EvalContext, 'parameters' | 'site'>): { values: Map<string, unknown>; declared: ParameterInfo[] } {
  const declared = declaredParameters(t);
  const supplied = suppliedValues(input);
  const byLower = new Map(declared.map((p) => [p.name.toLowerCase(), p]));
  const undeclared = Object.keys(supplied).filter((k) => !byLower.has(k.toLowerCase()));
  if (undeclared.length)
    throw TemplateErrors.undeclaredParameters(
      undeclared,
      declared.map((p) => p.name),
    );
  const suppliedLower = new Map(Object.entries(supplied).map(([k, v]) => [k.toLowerCase(), v]));

  const values = new Map<string, unknown>();
  const evaluating = new Set<string>();
  const lazy = new (class extends Map<string, unknown> {
    override has(k: string): boolean {
      return byLower.has(k);
    }
    override get(k: string): unknown {
      if (values.has(k)) return values.get(k);
      const p = byLower.get(k);
      if (!p) return undefined;
      const v = resolve(p);
      values.set(k, v);
      return v;
    }
  })();

  const resolve = (p: ParameterInfo): unknown => {
    const key = p.name.toLowerCase();
    const entry = suppliedLower.get(key);
    let v: unknown;
    if (isObject(entry) && 'value' in entry) {
      v = entry.value;
    } else if (section(p.def, 'defaultValue') !== undefined) {
      if (evaluating.has(key)) throw TemplateErrors.invalidParameter(p.name, 'The parameter default value refers to itself.');
      evaluating.add(key);
      try {
        v = evaluateValue(section(p.def, 'defaultValue'), { ...base, parameters: lazy, site: 'parameterDefault' } as EvalContext);
      } catch (e) {
        // ARM reports parameter default failures at the top level of the language.
        if (e instanceof ExpressionError) throw TemplateErrors.language(e.message);
        throw e;
      } finally {
        evaluating.delete(key);
      }
    } else if (section(p.def, 'nullable') === true) {
      v = null;
    } else {
      throw TemplateErrors.missingParameter(p.name);
    }
    checkValue(p, v);
    return v;
  };

  for (const p of declared) lazy.get(p.name.toLowerCase());
  return { values: lazy, declared };
}

export function isTemplateError(e: unknown): e is TemplateError {
  return e instanceof TemplateError;
}
