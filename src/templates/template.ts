// Reads a template into a normal form: sections looked up case-insensitively, resources flattened
// (child resources nested in `resources` keep a link to their parent), languageVersion 2.0
// symbolic-name resources (an object keyed by symbol) read the same way, user-defined functions
// indexed by `namespace.name`. Structural errors are InvalidTemplate, as ARM reports them.

import type { UserFunction } from './context.js';
import { TemplateError, TemplateErrors } from './errors.js';
import { parseTemplateText } from './json-text.js';
import { findKey, isObject } from './values.js';

export interface RawResource {
  body: Record<string, unknown>;
  symbolicName?: string;
  parent?: RawResource;
  /** JSON path for error messages, e.g. `resources[2].resources[0]`. */
  path: string;
  index: number;
}

export interface NormalizedTemplate {
  raw: Record<string, unknown>;
  languageVersion?: string;
  apiProfile?: string;
  contentVersion?: string;
  parameters: Record<string, Record<string, unknown>>;
  variables: Record<string, unknown>;
  functions: Map<string, UserFunction>;
  definitions: Record<string, unknown>;
  resources: RawResource[];
  outputs: Record<string, Record<string, unknown>>;
}

export function section<T>(obj: Record<string, unknown>, name: string): T | undefined {
  const k = findKey(obj, name);
  return k === undefined ? undefined : (obj[k] as T);
}

const TEMPLATE_MEMBERS = new Set([
  '$schema', 'contentversion', 'apiprofile', 'languageversion', 'definitions', 'functions', 'parameters', 'variables',
  'resources', 'outputs', 'metadata', 'imports', 'extensions', 'asserts', '$comment',
]);

function contentError(message: string): TemplateError {
  return new TemplateError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${message}'.`);
}

export function readTemplate(input: unknown): NormalizedTemplate {
  const raw = typeof input === 'string' ? parseText(input) : input;
  if (!isObject(raw)) throw TemplateErrors.invalid('The template must be a JSON object.', 'properties.template');
  for (const k of Object.keys(raw)) {
    if (!TEMPLATE_MEMBERS.has(k.toLowerCase())) {
      throw contentError(`Could not find member '${k}' on object of type 'Template'. Path 'properties.template.${k}'`);
    }
  }
  if (section(raw, 'resources') === undefined) {
    throw contentError("Required property 'resources' not found in JSON. Path 'properties.template'");
  }
  const languageVersion = section<string>(raw, 'languageVersion');
  const resourcesRaw = section<unknown>(raw, 'resources') ?? [];
  const resources: RawResource[] = [];
  let index = 0;
  const add = (body: unknown, path: string, symbolicName?: string, parent?: RawResource) => {
    if (!isObject(body)) throw TemplateErrors.invalid(`The template resource at '${path}' must be an object.`, `properties.template.${path}`);
    const r: RawResource = { body, symbolicName, parent, path, index: index++ };
    resources.push(r);
    const children = section<unknown[]>(body, 'resources');
    if (Array.isArray(children)) children.forEach((c, i) => add(c, `${path}.resources[${i}]`, undefined, r));
  };
  if (Array.isArray(resourcesRaw)) {
    resourcesRaw.forEach((r, i) => add(r, `resources[${i}]`));
  } else if (isObject(resourcesRaw)) {
    if (languageVersion === undefined || !languageVersion.startsWith('2')) {
      throw TemplateErrors.invalid("The template 'resources' must be an array unless 'languageVersion' is '2.0'.", 'properties.template.resources');
    }
    for (const [sym, r] of Object.entries(resourcesRaw)) add(r, `resources.${sym}`, sym);
  } else {
    throw TemplateErrors.invalid("The template 'resources' must be an array.", 'properties.template.resources');
  }
  const functions = new Map<string, UserFunction>();
  for (const ns of section<unknown[]>(raw, 'functions') ?? []) {
    if (!isObject(ns)) continue;
    const namespace = String(section(ns, 'namespace') ?? '');
    const members = section<Record<string, unknown>>(ns, 'members') ?? {};
    for (const [name, def] of Object.entries(members)) {
      if (!isObject(def)) continue;
      const declared = section<unknown[]>(def, 'parameters') ?? [];
      if (!Array.isArray(declared) || declared.some((p) => !isObject(p))) throw TemplateErrors.invalidFunction(`${namespace}.${name}`, "The function's 'parameters' must be an array of {name, type}.");
      const parameters = declared.map((p) => {
        const po = p as Record<string, unknown>;
        return { name: String(section(po, 'name')), type: String(section(po, 'type') ?? 'string') };
      });
      const output = section<Record<string, unknown>>(def, 'output');
      if (!output || !('value' in output)) throw TemplateErrors.invalidFunction(`${namespace}.${name}`, "The function must have an 'output' with a 'value'.");
      functions.set(`${namespace}.${name}`.toLowerCase(), { namespace, name, parameters, output: { type: String(output.type ?? 'string'), value: output.value } });
    }
  }
  return {
    raw,
    languageVersion,
    apiProfile: section<string>(raw, 'apiProfile'),
    contentVersion: section<string>(raw, 'contentVersion'),
    parameters: (section<Record<string, Record<string, unknown>>>(raw, 'parameters') ?? {}),
    variables: section<Record<string, unknown>>(raw, 'variables') ?? {},
    functions,
    definitions: section<Record<string, unknown>>(raw, 'definitions') ?? {},
    resources,
    outputs: section<Record<string, Record<string, unknown>>>(raw, 'outputs') ?? {},
  };
}

function parseText(text: string): unknown {
  try {
    return parseTemplateText(text);
  } catch (e) {
    throw TemplateErrors.invalid(`The template is not valid JSON: ${(e as Error).message}`, 'properties.template');
  }
}
