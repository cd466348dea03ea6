// Validators of a spec's response models, for the spec-conformance tests (containerservice, hybrid): every
// definition of one api-version's spec, each model checked against its version's own definitions.
//
// The fixtures' models use a small part of JSON Schema (type, properties, additionalProperties, items, enum,
// minimum, maximum, anyOf, $ref to a definition, and the boolean schemas), and each model validates a handful of
// responses per run: compiling them with ajv (generated code, about 120 ms per api-version of managedClusters.json,
// most of those tests' own CPU) cost far more than checking them. So the schema is walked directly, with ajv's
// semantics for those keywords (allErrors: every error is reported) and its error objects (instancePath, keyword,
// message, params); a schema with any other keyword is refused, so a fixture that grows one (a pattern, say) fails
// loudly here instead of being checked less.

/** An error as ajv reports it (the fields the tests read). */
export interface SpecError {
  instancePath: string;
  keyword: string;
  message: string;
  params: Record<string, unknown>;
}
/** true when `data` matches; the errors of the last call are in `errors`. */
export interface SpecValidator {
  (data: unknown): boolean;
  errors: SpecError[] | null;
}

const KNOWN = new Set(['type', 'properties', 'additionalProperties', 'items', 'enum', 'minimum', 'maximum', 'anyOf', '$ref']);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const REF = /^#\/definitions\/(.+)$/;

function hasType(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'array':
      return Array.isArray(v);
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
  }
  return false;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const pointer = (key: string | number) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * `definitions` are the version's definitions as JSON Schema (each test makes them strict its own way); `label` names
 * the version in errors. The answer gives the validator of a model.
 */
export function specModels(definitions: Record<string, unknown>, label: string): (model: string) => SpecValidator {
  const checkedSchemas = new WeakSet<object>();
  const definition = (ref: string): unknown => {
    const m = REF.exec(ref);
    if (!m || !Object.hasOwn(definitions, m[1])) throw new Error(`${label}: no definition for $ref ${ref}`);
    return definitions[m[1]];
  };
  const known = (s: Record<string, unknown>) => {
    if (checkedSchemas.has(s)) return;
    for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`${label}: the schema keyword '${k}' is not checked by test/support/specModels.ts`);
    const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
    for (const t of types) if (!TYPES.has(t as string)) throw new Error(`${label}: unknown type ${JSON.stringify(t)}`);
    checkedSchemas.add(s);
  };

  /** Appends the errors of `data` against `schema` at `path` to `out`; true when there are none. */
  const check = (schema: unknown, data: unknown, path: string, out: SpecError[]): boolean => {
    if (schema === true) return true;
    if (schema === false) {
      out.push({ instancePath: path, keyword: 'false schema', message: 'boolean schema is false', params: {} });
      return false;
    }
    if (schema === null || typeof schema !== 'object') throw new Error(`${label}: not a schema at ${path || '/'}: ${JSON.stringify(schema)}`);
    const s = schema as Record<string, unknown>;
    known(s);
    const before = out.length;
    if (s.$ref !== undefined) check(definition(s.$ref as string), data, path, out);
    if (s.type !== undefined) {
      const types = (Array.isArray(s.type) ? s.type : [s.type]) as string[];
      if (!types.some((t) => hasType(t, data))) {
        out.push({ instancePath: path, keyword: 'type', message: `must be ${types.join(',')}`, params: { type: types.join(',') } });
        // ajv reports the other keywords of a schema only for data of its type
        return false;
      }
    }
    if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => equal(e, data))) {
      out.push({ instancePath: path, keyword: 'enum', message: 'must be equal to one of the allowed values', params: { allowedValues: s.enum } });
    }
    if (typeof data === 'number') {
      if (typeof s.minimum === 'number' && !(data >= s.minimum))
        out.push({ instancePath: path, keyword: 'minimum', message: `must be >= ${s.minimum}`, params: { comparison: '>=', limit: s.minimum } });
      if (typeof s.maximum === 'number' && !(data <= s.maximum))
        out.push({ instancePath: path, keyword: 'maximum', message: `must be <= ${s.maximum}`, params: { comparison: '<=', limit: s.maximum } });
    }
    if (Array.isArray(data) && s.items !== undefined) data.forEach((x, i) => check(s.items, x, path + pointer(i), out));
    if (data !== null && typeof data === 'object' && !Array.isArray(data) && (s.properties !== undefined || s.additionalProperties !== undefined)) {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(data)) {
        if (Object.hasOwn(props, k)) check(props[k], v, path + pointer(k), out);
        else if (s.additionalProperties === false) {
          out.push({ instancePath: path, keyword: 'additionalProperties', message: 'must NOT have additional properties', params: { additionalProperty: k } });
        } else if (s.additionalProperties !== undefined) check(s.additionalProperties, v, path + pointer(k), out);
      }
    }
    if (s.anyOf !== undefined) {
      const branches: SpecError[] = [];
      if (!(s.anyOf as unknown[]).some((b) => check(b, data, path, branches))) {
        out.push(...branches, { instancePath: path, keyword: 'anyOf', message: 'must match a schema in anyOf', params: {} });
      }
    }
    return out.length === before;
  };

  const mine = new Map<string, SpecValidator>();
  return (model) => {
    let v = mine.get(model);
    if (v) return v;
    if (!Object.hasOwn(definitions, model)) throw new Error(`${label}: no definition ${model}`);
    const schema = definitions[model];
    const validate = ((data: unknown) => {
      const errors: SpecError[] = [];
      const ok = check(schema, data, '', errors);
      validate.errors = ok ? null : errors;
      return ok;
    }) as SpecValidator;
    validate.errors = null;
    mine.set(model, (v = validate));
    return v;
  };
}
