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

function checkString(s: string, functions: Map<string, UserFunction>): void {
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
  });
}

/** Checks every string in a value (object keys too). */
function walk(v: unknown, functions: Map<string, UserFunction>): void {
  if (typeof v === 'string') checkString(v, functions);
  else if (Array.isArray(v)) v.forEach((x) => walk(x, functions));
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('[')) checkString(k, functions);
      walk(x, functions);
    }
  }
}

export function lintTemplate(t: NormalizedTemplate): void {
  const fns = t.functions;
  const guard = (fn: () => void, wrap: (msg: string) => Error) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ExpressionError) throw wrap(e.message);
      throw e;
    }
  };
  for (const [name, def] of Object.entries(t.parameters)) {
    guard(() => walk(section(def, 'defaultValue'), fns), (m) => TemplateErrors.invalidParameter(name, m));
  }
  for (const [name, v] of Object.entries(t.variables)) {
    guard(() => walk(v, fns), (m) => TemplateErrors.invalidVariable(name, m));
  }
  for (const r of t.resources) {
    const isDeployment = String(section(r.body, 'type') ?? '').toLowerCase() === 'microsoft.resources/deployments';
    const name = String(section(r.body, 'name') ?? r.symbolicName ?? r.path);
    for (const [k, v] of Object.entries(r.body)) {
      if (k.toLowerCase() === 'resources') continue;
      if (isDeployment && k.toLowerCase() === 'properties' && isObject(v)) {
        for (const [pk, pv] of Object.entries(v)) {
          if (pk.toLowerCase() === 'template') continue;
          guard(() => walk(pv, fns), (m) => TemplateErrors.invalidResource(name, m, `properties.template.${r.path}`));
        }
        continue;
      }
      guard(() => walk(v, fns), (m) => TemplateErrors.invalidResource(name, m, `properties.template.${r.path}`));
    }
  }
  for (const [name, o] of Object.entries(t.outputs)) {
    guard(() => walk(o, fns), (m) => TemplateErrors.invalidOutput(name, m));
  }
  for (const [key, f] of fns) {
    guard(() => walk(f.output.value, fns), (m) => TemplateErrors.invalidFunction(key, m));
  }
}
