// Static checks ARM makes before evaluating anything: every expression in the template parses, and
// every function it calls exists (built-in, list*, or a user-defined `namespace.name`). Reported with
// the section they are in, as validation errors. A nested deployment's inline template is checked when
// that deployment is prepared (its own functions and scope apply).

import type { UserFunction } from './context.js';
import { ExpressionError, ExprErrors, TemplateErrors } from './errors.js';
import { lookupFunction } from './functions/index.js';
import { classify, parseExpression, walkCalls } from './parser.js';
import { section, type NormalizedTemplate } from './template.js';
import { isObject } from './values.js';

/** The names `parameters('x')` and `variables('x')` may use; undefined = not checked (an outer-scope nested template). */
interface Names {
  parameters: Set<string>;
  variables: Set<string>;
}

function checkString(s: string, functions: Map<string, UserFunction>, names?: Names): void {
  if (!s.startsWith('[')) return;
  const c = classify(s);
  if (!('expression' in c)) return;
  const e = parseExpression(c.expression);
  walkCalls(e, (call) => {
    if (call.namespace) {
      if (!functions.has(`${call.namespace}.${call.name}`.toLowerCase())) throw ExprErrors.unknownFunction(`${call.namespace}.${call.name}`);
    } else if (!lookupFunction(call.name)) {
      throw ExprErrors.unknownFunction(call.name);
    }
    // A literal name that the template does not declare is refused up front, as ARM does.
    const fn = call.name.toLowerCase();
    const arg = call.args[0];
    if (!names || call.namespace || (fn !== 'parameters' && fn !== 'variables') || arg?.kind !== 'string') return;
    if (fn === 'parameters' && !names.parameters.has(arg.value.toLowerCase())) {
      throw ExprErrors.generic(`The template parameter '${arg.value}' is not found. Please see https://aka.ms/arm-syntax-parameters for usage details.`);
    }
    if (fn === 'variables' && !names.variables.has(arg.value.toLowerCase())) {
      throw ExprErrors.generic(`The template variable '${arg.value}' is not found. Please see https://aka.ms/arm-syntax-variables for usage details.`);
    }
  });
}

/** Checks every string in a value (object keys too). */
function walk(v: unknown, functions: Map<string, UserFunction>, names?: Names): void {
  if (typeof v === 'string') checkString(v, functions, names);
  else if (Array.isArray(v)) v.forEach((x) => walk(x, functions, names));
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('[')) checkString(k, functions, names);
      walk(x, functions, names);
    }
  }
}

/** Declared variable names, with those a variable `copy` loop makes. */
function variableNames(t: NormalizedTemplate): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(t.variables)) {
    if (k.toLowerCase() === 'copy' && Array.isArray(v)) {
      for (const loop of v) if (isObject(loop) && typeof loop.name === 'string') out.add(loop.name.toLowerCase());
      continue;
    }
    out.add(k.toLowerCase());
  }
  return out;
}

/** Resource shapes ARM refuses before anything runs: copy loops and nested deployments. */
function checkResource(body: Record<string, unknown>, fail: (m: string) => Error): void {
  const copy = section<unknown>(body, 'copy');
  if (copy !== undefined) {
    if (!isObject(copy)) throw fail("The 'copy' property must be an object with 'name' and 'count'.");
    const name = section<unknown>(copy, 'name');
    if (typeof name !== 'string' || name === '') throw fail("The 'copy' property must have a 'name'.");
    const mode = section<unknown>(copy, 'mode');
    if (mode !== undefined && !(typeof mode === 'string' && (/^(parallel|serial)$/i.test(mode) || mode.startsWith('[')))) {
      throw fail(`The copy mode '${String(mode)}' is not valid. The valid modes are 'Parallel' and 'Serial'.`);
    }
  }
  for (const d of section<unknown[]>(body, 'dependsOn') ?? []) {
    if (typeof d !== 'string') throw fail(`The 'dependsOn' entry '${JSON.stringify(d)}' is not valid: each entry must be a resource name or id (a string).`);
  }
  if (String(section(body, 'type') ?? '').toLowerCase() !== 'microsoft.resources/deployments') return;
  const props = section<unknown>(body, 'properties');
  if (!isObject(props)) return;
  if (section(props, 'template') === undefined && section(props, 'templateLink') === undefined) {
    throw fail("A nested deployment must have a 'template' or a 'templateLink' in its properties.");
  }
  const scope = section<unknown>(section<Record<string, unknown>>(props, 'expressionEvaluationOptions') ?? {}, 'scope');
  if (scope !== undefined && !(typeof scope === 'string' && (/^(inner|outer|notspecified)$/i.test(scope) || scope.startsWith('[')))) {
    throw fail(`The expression evaluation scope '${String(scope)}' is not valid. The valid scopes are 'inner' and 'outer'.`);
  }
}

export function lintTemplate(t: NormalizedTemplate, opts: { ownScope?: boolean } = {}): void {
  const fns = t.functions;
  const names: Names | undefined = opts.ownScope === false ? undefined : { parameters: new Set(Object.keys(t.parameters).map((k) => k.toLowerCase())), variables: variableNames(t) };
  const guard = (fn: () => void, wrap: (msg: string) => Error) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ExpressionError) throw wrap(e.message);
      throw e;
    }
  };
  for (const [name, def] of Object.entries(t.parameters)) {
    guard(
      () => walk(section(def, 'defaultValue'), fns, names),
      (m) => TemplateErrors.invalidParameter(name, m),
    );
  }
  for (const [name, v] of Object.entries(t.variables)) {
    guard(
      () => walk(v, fns, names),
      (m) => TemplateErrors.invalidVariable(name, m),
    );
  }
  for (const r of t.resources) {
    const isDeployment = String(section(r.body, 'type') ?? '').toLowerCase() === 'microsoft.resources/deployments';
    const name = String(section(r.body, 'name') ?? r.symbolicName ?? r.path);
    checkResource(r.body, (m) => TemplateErrors.invalidResource(name, m, `properties.template.${r.path}`));
    for (const [k, v] of Object.entries(r.body)) {
      if (k.toLowerCase() === 'resources') continue;
      if (isDeployment && k.toLowerCase() === 'properties' && isObject(v)) {
        for (const [pk, pv] of Object.entries(v)) {
          if (pk.toLowerCase() === 'template') continue;
          guard(
            () => walk(pv, fns, names),
            (m) => TemplateErrors.invalidResource(name, m, `properties.template.${r.path}`),
          );
        }
        continue;
      }
      guard(
        () => walk(v, fns, names),
        (m) => TemplateErrors.invalidResource(name, m, `properties.template.${r.path}`),
      );
    }
  }
  for (const [name, o] of Object.entries(t.outputs)) {
    guard(
      () => walk(o, fns, names),
      (m) => TemplateErrors.invalidOutput(name, m),
    );
  }
  for (const [key, f] of fns) {
    guard(
      () => walk(f.output.value, fns),
      (m) => TemplateErrors.invalidFunction(key, m),
    );
  }
}
