// Reads a template into a normal form: sections looked up case-insensitively, resources flattened
// (child resources nested in `resources` keep a link to their parent), languageVersion 2.0
// symbolic-name resources (an object keyed by symbol) read the same way, user-defined functions
// indexed by `namespace.name`. Structural errors are InvalidTemplate, as ARM reports them.

import type { UserFunction } from './context.js';
import { TemplateError, TemplateErrors } from './errors.js';
import { parseTemplateText } from './json-text.js';
import { findKey, isObject } from './values.js';
import { API_PROFILES, knownProfile } from './api-profiles.js';

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
  '$schema',
  'contentversion',
  'apiprofile',
  'languageversion',
  'definitions',
  'functions',
  'parameters',
  'variables',
  'resources',
  'outputs',
  'metadata',
  'imports',
  'extensions',
  'asserts',
  '$comment',
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
  if (languageVersion !== undefined && !(typeof languageVersion === 'string' && /^[12](\.\d+)?(-experimental)?$/i.test(languageVersion))) {
    throw TemplateErrors.invalid(`The template language version '${String(languageVersion)}' is not supported. The supported versions are '1.0' and '2.0'.`, 'properties.template.languageVersion');
  }
  const apiProfile = section<unknown>(raw, 'apiProfile');
  if (apiProfile !== undefined && !(typeof apiProfile === 'string' && knownProfile(apiProfile))) {
    throw TemplateErrors.invalid(
      `The template API profile '${String(apiProfile)}' is not valid. The supported profiles are '${Object.keys(API_PROFILES).join("', '")}'.`,
      'properties.template.apiProfile',
    );
  }
  const v2 = typeof languageVersion === 'string' && languageVersion.startsWith('2');
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
    if (v2) throw TemplateErrors.invalid("The template 'resources' must be an object keyed by symbolic name when 'languageVersion' is '2.0'.", 'properties.template.resources');
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
  const parameters = section<Record<string, Record<string, unknown>>>(raw, 'parameters') ?? {};
  const definitions = section<Record<string, unknown>>(raw, 'definitions') ?? {};
  for (const [name, d] of Object.entries(parameters)) checkType(d, `parameters.${name}`, `The template parameter '${name}'`);
  for (const [name, d] of Object.entries(isObject(definitions) ? definitions : {})) checkType(d, `definitions.${name}`, `The type definition '${name}'`);
  return {
    raw,
    languageVersion,
    apiProfile: section<string>(raw, 'apiProfile'),
    contentVersion: section<string>(raw, 'contentVersion'),
    parameters,
    variables: section<Record<string, unknown>>(raw, 'variables') ?? {},
    functions,
    definitions,
    resources,
    outputs: section<Record<string, Record<string, unknown>>>(raw, 'outputs') ?? {},
  };
}

/** The types a parameter, a type definition or an output may declare. */
export const TEMPLATE_TYPES = new Set(['string', 'securestring', 'int', 'bool', 'object', 'secureobject', 'array']);

/** A declaration's `type`: one of the template types (a `$ref` to a definition needs none). */
function checkType(d: unknown, path: string, what: string): void {
  if (!isObject(d)) throw TemplateErrors.invalid(`${what} must be an object.`, `properties.template.${path}`);
  const type = section<unknown>(d, 'type');
  if (type === undefined && section(d, '$ref') !== undefined) return;
  if (type === undefined && path.startsWith('definitions.')) return;
  if (typeof type !== 'string' || !TEMPLATE_TYPES.has(type.toLowerCase())) {
    throw TemplateErrors.invalid(
      `${what} has the type '${String(type)}', which is not valid. The valid types are 'string', 'securestring', 'int', 'bool', 'object', 'secureobject' and 'array'. Please see https://aka.ms/arm-syntax-parameters for usage details.`,
      `properties.template.${path}.type`,
    );
  }
}

function parseText(text: string): unknown {
  try {
    return parseTemplateText(text);
  } catch (e) {
    throw TemplateErrors.invalid(`The template is not valid JSON: ${(e as Error).message}`, 'properties.template');
  }
}
