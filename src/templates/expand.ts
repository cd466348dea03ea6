// Expands template resources into instances: one per copy iteration (copy with count, mode, batchSize),
// each with its evaluated header (condition, type, apiVersion (or the apiProfile's), name, scope,
// nested-deployment target) and resource id. Then resolves dependencies: dependsOn by symbolic name,
// copy-loop name, resource id, `Type/name` or bare name; implicit ones from reference()/list*() by
// name or symbol and from nesting; serial copy batches. Bodies are evaluated later, at deploy time.

import { profileApiVersion } from './api-profiles.js';
import { withCopy, type EvalContext, type ScopeInfo } from './context.js';
import { ExpressionError, TemplateErrors } from './errors.js';
import { copyCount, evaluateValue } from './evaluator.js';
import { classify, parseExpression, walkCalls, type Expr } from './parser.js';
import { canonicalId, qualifiedName, resourceIdAt, scopePrefix } from './scope.js';
import { section, type NormalizedTemplate, type RawResource } from './template.js';
import { isObject } from './values.js';

/** ARM's limit on resources in one template, copies included. */
export const MAX_RESOURCES = 800;

export interface LoopInfo {
  name: string;
  index: number;
  count: number;
  mode: 'Parallel' | 'Serial';
  batchSize: number;
}

export interface Instance {
  key: string;
  raw: RawResource;
  symbolicName?: string;
  loop?: LoopInfo;
  ctx: EvalContext;
  type: string;
  apiVersion: string;
  /** The full name (`parent/child` for child resources). */
  name: string;
  /** The name as the template writes it (a nested child's own segment). */
  localName: string;
  id: string;
  condition: boolean;
  existing: boolean;
  isDeployment: boolean;
  /** For nested deployments: the scope they deploy into. */
  target?: ScopeInfo;
  dependsOn: Set<string>;
  parentKey?: string;
}

export interface Expansion {
  instances: Instance[];
  byKey: Map<string, Instance>;
  /** Instances by lower-cased symbolic name or copy-loop name. */
  groups: Map<string, Instance[]>;
}

const HEADER_KEYS = new Set(['type', 'apiversion', 'name', 'condition', 'copy', 'dependson', 'scope', 'existing', 'comments', 'resources', 'subscriptionid', 'resourcegroup', 'metadata', 'import']);

export function isHeaderKey(k: string): boolean {
  return HEADER_KEYS.has(k.toLowerCase());
}

/** The body sent in the PUT: the resource without its template-only properties. */
export function resourceBody(evaluated: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(evaluated)) if (!isHeaderKey(k)) out[k] = v;
  return out;
}

/** Evaluates a header property (`ctx` is already the instance's header context). */
function headerValue(r: RawResource, ctx: EvalContext, key: string, displayName: string): unknown {
  const v = section(r.body, key);
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v[0] !== '[') return v;
  try {
    return evaluateValue(v, ctx);
  } catch (e) {
    if (e instanceof ExpressionError) throw TemplateErrors.invalidResource(displayName, e.message, `properties.template.${r.path}`);
    throw e;
  }
}

function isRelativeChildType(t: string): boolean {
  const first = t.split('/')[0];
  return !first.includes('.');
}

export function expandResources(t: NormalizedTemplate, ctx: EvalContext, target: ScopeInfo): Expansion {
  const instances: Instance[] = [];
  const byKey = new Map<string, Instance>();
  const groups = new Map<string, Instance[]>();
  const byRaw = new Map<RawResource, Instance[]>();
  const pendingScopes: { sc: string; type: string; name: string; displayName: string; inst?: Instance }[] = [];
  const prefix = scopePrefix(target);
  const addGroup = (name: string, inst: Instance) => {
    const k = name.toLowerCase();
    const g = groups.get(k) ?? [];
    if (g.includes(inst)) return;
    g.push(inst);
    groups.set(k, g);
  };

  for (const r of t.resources) {
    const parents = r.parent ? (byRaw.get(r.parent) ?? []) : [undefined];
    const made: Instance[] = [];
    for (const parent of parents) {
      const from = parent ? parent.ctx : ctx;
      const baseCtx: EvalContext = from.site === 'resourceHeader' ? from : { ...from, site: 'resourceHeader' };
      const displayName = String(section(r.body, 'name') ?? r.symbolicName ?? r.path);
      const copy = section<Record<string, unknown>>(r.body, 'copy');
      const iterations: { ctx: EvalContext; loop?: LoopInfo }[] = [];
      if (isObject(copy)) {
        if (r.parent) throw TemplateErrors.invalidResource(displayName, 'Copying nested resources is not supported.', `properties.template.${r.path}`);
        let loopName: string;
        let count: number;
        let mode: 'Parallel' | 'Serial' = 'Parallel';
        let batchSize = 0;
        try {
          const c = { ...baseCtx, site: 'resourceHeader' as const };
          loopName = String(evaluateValue(section(copy, 'name'), c));
          count = copyCount(section(copy, 'count'), c, loopName);
          const m = section(copy, 'mode');
          if (m !== undefined) mode = String(evaluateValue(m, c)).toLowerCase() === 'serial' ? 'Serial' : 'Parallel';
          const b = section(copy, 'batchSize');
          if (b !== undefined) batchSize = Number(evaluateValue(b, c));
        } catch (e) {
          if (e instanceof ExpressionError) throw TemplateErrors.invalidResource(displayName, e.message, `properties.template.${r.path}`);
          throw e;
        }
        if (mode === 'Serial' && !(batchSize >= 1)) batchSize = 1;
        for (let i = 0; i < count; i++) {
          iterations.push({ ctx: withCopy(baseCtx, loopName, i), loop: { name: loopName, index: i, count, mode, batchSize } });
        }
      } else {
        iterations.push({ ctx: baseCtx });
      }
      for (const it of iterations) {
        const ictx = it.ctx.site === 'resourceHeader' ? it.ctx : { ...it.ctx, site: 'resourceHeader' as const };
        const cond = headerValue(r, ictx, 'condition', displayName);
        let type = String(headerValue(r, ictx, 'type', displayName) ?? '');
        let name = String(headerValue(r, ictx, 'name', displayName) ?? '');
        const localName = name;
        if (!type) throw TemplateErrors.invalidResource(displayName, "The resource 'type' property is required.", `properties.template.${r.path}`);
        if (parent && isRelativeChildType(type)) {
          type = `${parent.type}/${type}`;
          name = `${parent.name}/${name}`;
        }
        name = name.replace(/\/+$/, '');
        let apiVersion = headerValue(r, ictx, 'apiVersion', displayName) as string | undefined;
        if (!apiVersion && t.apiProfile) apiVersion = profileApiVersion(t.apiProfile, type);
        if (!apiVersion) {
          throw TemplateErrors.invalidResource(
            displayName,
            t.apiProfile ? `The api-version for resource type '${type}' is not found in the API profile '${t.apiProfile}'.` : "The resource 'apiVersion' property is required.",
            `properties.template.${r.path}`,
          );
        }
        const isDeployment = type.toLowerCase() === 'microsoft.resources/deployments';
        let id: string;
        let nestedTarget: ScopeInfo | undefined;
        if (isDeployment) {
          const sub = headerValue(r, ictx, 'subscriptionId', displayName) as string | undefined;
          const rg = headerValue(r, ictx, 'resourceGroup', displayName) as string | undefined;
          nestedTarget = { ...target };
          if (sub) {
            nestedTarget.subscriptionId = sub;
            if (!rg) delete nestedTarget.resourceGroup;
          }
          if (rg) nestedTarget.resourceGroup = { name: rg, location: sub || rg !== target.resourceGroup?.name ? '' : target.resourceGroup!.location };
          if (!nestedTarget.subscriptionId && target.subscriptionId) nestedTarget.subscriptionId = target.subscriptionId;
          const sc = headerValue(r, ictx, 'scope', displayName) as string | undefined;
          if (sc !== undefined) {
            // Deployments at tenant ("/") or management-group scope.
            const mg = /managementGroups\/([^/]+)\/?$/i.exec(sc);
            nestedTarget = { tenantId: target.tenantId, ...(mg ? { managementGroup: mg[1] } : {}) };
          }
          id = resourceIdAt(scopePrefix(nestedTarget), type, name);
        } else {
          const sc = headerValue(r, ictx, 'scope', displayName) as string | undefined;
          const sub = headerValue(r, ictx, 'subscriptionId', displayName) as string | undefined;
          const rg = headerValue(r, ictx, 'resourceGroup', displayName) as string | undefined;
          if (sc) {
            // Resolved once every instance exists: the scope may name a symbol declared later.
            pendingScopes.push({ sc, type, name, displayName });
            id = '';
          } else if (sub || rg) {
            // languageVersion 2.0 `existing` resources in another group or subscription.
            const s2 = sub ?? target.subscriptionId;
            id = `${rg ? `/subscriptions/${s2}/resourceGroups/${rg}` : `/subscriptions/${s2}`}/providers/${qualifiedName(type, name, displayName)}`;
          } else {
            id = type.toLowerCase() === 'microsoft.resources/resourcegroups' ? resourceIdAt(prefix, type, name) : `${prefix}/providers/${qualifiedName(type, name, displayName)}`;
          }
        }
        const key = (r.symbolicName ?? `#${r.index}`) + (it.loop ? `[${it.loop.index}]` : '') + (parent ? `@${parent.key}` : '');
        const inst: Instance = {
          key,
          raw: r,
          symbolicName: r.symbolicName,
          loop: it.loop,
          ctx: ictx,
          type,
          apiVersion,
          name,
          localName,
          id,
          condition: cond === undefined ? true : cond === true,
          existing: section(r.body, 'existing') === true,
          isDeployment,
          target: nestedTarget,
          dependsOn: new Set(),
          parentKey: parent?.key,
        };
        if (cond !== undefined && typeof cond !== 'boolean') {
          throw TemplateErrors.invalidResource(displayName, `The 'condition' property must evaluate to a boolean; found '${JSON.stringify(cond)}'.`, `properties.template.${r.path}`);
        }
        if (!id) pendingScopes[pendingScopes.length - 1].inst = inst;
        instances.push(inst);
        byKey.set(key, inst);
        made.push(inst);
        if (r.symbolicName) addGroup(r.symbolicName, inst);
        if (it.loop) addGroup(it.loop.name, inst);
        if (parent) inst.dependsOn.add(parent.key);
      }
    }
    byRaw.set(r, made);
  }
  const deployable = instances.filter((i) => !i.existing).length;
  if (deployable > MAX_RESOURCES) {
    throw TemplateErrors.invalid(
      `The number of template resources limit exceeded. Limit: '${MAX_RESOURCES}' and actual '${deployable}'. Please see https://aka.ms/arm-resource-limits for usage details.`,
    );
  }
  for (const p of pendingScopes) {
    const scopeId = p.sc.startsWith('/') ? p.sc : resolveScope(p.sc, instances, prefix);
    p.inst!.id = `${scopeId.replace(/\/$/, '')}/providers/${qualifiedName(p.type, p.name, p.displayName)}`;
  }
  const seen = new Map<string, Instance>();
  for (const i of instances) {
    if (!i.condition || i.existing) continue;
    const k = i.id.toLowerCase();
    if (seen.has(k)) {
      throw TemplateErrors.invalid(
        `The resource '${i.type}/${i.name}' at line '0' and column '0' is defined multiple times in a template. Please see https://aka.ms/arm-syntax-resources/#resources for usage details.`,
      );
    }
    seen.set(k, i);
  }
  const exp: Expansion = { instances, byKey, groups };
  resolveDependencies(exp, prefix);
  return exp;
}

function resolveScope(sc: string, instances: Instance[], prefix: string): string {
  const sym = instances.find((i) => i.symbolicName && i.symbolicName.toLowerCase() === sc.toLowerCase());
  if (sym) return sym.id;
  return `${prefix}/providers/${sc}`;
}

/** Finds the instances a dependsOn entry (or reference target) names; empty when none. */
export function findTargets(exp: Expansion, ref: string, prefix: string, allowIds = true): Instance[] {
  const lower = ref.toLowerCase();
  const g = exp.groups.get(lower);
  if (g) return g;
  if (ref.startsWith('/')) {
    const c = canonicalId(ref);
    return allowIds ? exp.instances.filter((i) => canonicalId(i.id) === c) : [];
  }
  const first = ref.split('/')[0];
  if (ref.includes('/') && first.includes('.')) {
    const suffix = `/providers/${lower}`;
    const matches = exp.instances.filter((i) => i.id.toLowerCase().endsWith(suffix));
    if (matches.length || !allowIds) return matches;
    return exp.instances.filter((i) => i.id.toLowerCase() === `${prefix}/providers/${lower}`);
  }
  const byName = exp.instances.filter((i) => i.name.toLowerCase() === lower);
  if (byName.length) return byName;
  // A child nested in its parent's `resources`, named as the template writes it.
  const nested = exp.instances.filter((i) => i.parentKey && i.localName.toLowerCase() === lower);
  return nested.length === 1 ? nested : [];
}

function resolveDependencies(exp: Expansion, prefix: string): void {
  for (const inst of exp.instances) {
    const deps = section<unknown[]>(inst.raw.body, 'dependsOn');
    if (deps !== undefined) {
      let list: unknown;
      try {
        list = evaluateValue(deps, { ...inst.ctx, site: 'resourceHeader' });
      } catch (e) {
        if (e instanceof ExpressionError) throw TemplateErrors.invalidResource(inst.name, e.message, `properties.template.${inst.raw.path}`);
        throw e;
      }
      for (const d of Array.isArray(list) ? list : [list]) {
        if (d === '' || d === null) continue;
        if (typeof d !== 'string') throw TemplateErrors.notDefined(String(d));
        const targets = findTargets(exp, d, prefix);
        if (!targets.length) throw TemplateErrors.notDefined(d);
        // A resource that names itself (or its own copy loop) waits for itself: ARM refuses it as a cycle.
        if (targets.some((tg) => tg.key === inst.key)) throw TemplateErrors.circular(inst.id);
        for (const tg of targets) inst.dependsOn.add(tg.key);
      }
    }
    // Implicit dependencies: reference()/references()/list*() naming a template resource by name or symbol.
    for (const target of referencedNames(inst)) {
      for (const tg of findTargets(exp, target, prefix, false)) if (tg.key !== inst.key) inst.dependsOn.add(tg.key);
    }
  }
  // Serial copy: each batch waits for the previous one.
  const loops = new Map<string, Instance[]>();
  for (const inst of exp.instances) {
    if (inst.loop?.mode === 'Serial') {
      const k = `${inst.raw.index}|${inst.loop.name.toLowerCase()}|${inst.parentKey ?? ''}`;
      const l = loops.get(k) ?? [];
      l.push(inst);
      loops.set(k, l);
    }
  }
  for (const l of loops.values()) {
    for (const inst of l) {
      const b = inst.loop!.batchSize;
      const batch = Math.floor(inst.loop!.index / b);
      if (batch === 0) continue;
      for (const prev of l) if (Math.floor(prev.loop!.index / b) === batch - 1) inst.dependsOn.add(prev.key);
    }
  }
}

function referencedNames(inst: Instance): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      if (!v.startsWith('[') || v.startsWith('[[')) return;
      const c = classify(v);
      if (!('expression' in c)) return;
      let e;
      try {
        e = parseExpression(c.expression);
      } catch {
        return;
      }
      walkCalls(e, (call) => {
        const n = call.name.toLowerCase();
        if (call.namespace || !(n === 'reference' || n === 'references' || n.startsWith('list')) || !call.args.length) return;
        try {
          const target = evaluateValue(`[${exprText(call.args[0])}]`, { ...inst.ctx, site: 'resourceHeader' });
          if (typeof target === 'string') out.push(target);
        } catch {
          /* arguments that need runtime values make no implicit dependency */
        }
      });
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) if (!isHeaderKey(k) || k.toLowerCase() === 'resourcegroup') visit(x);
  };
  for (const [k, v] of Object.entries(inst.raw.body)) {
    if (isHeaderKey(k)) continue;
    if (inst.isDeployment && k.toLowerCase() === 'properties' && isObject(v)) {
      // An inner-scope template's expressions name its own resources, not ours.
      const inner = JSON.stringify(section(v, 'expressionEvaluationOptions') ?? {})
        .toLowerCase()
        .includes('"inner"');
      for (const [pk, pv] of Object.entries(v)) if (!(inner && pk.toLowerCase() === 'template')) visit(pv);
      continue;
    }
    visit(v);
  }
  return out;
}

/** Prints an expression tree back as expression text. */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'string':
      return `'${e.value.replace(/'/g, "''")}'`;
    case 'number':
      return String(e.value);
    case 'member':
      return `${exprText(e.object)}.${e.name}`;
    case 'index':
      return `${exprText(e.object)}[${exprText(e.index)}]`;
    case 'call':
      return `${e.namespace ? e.namespace + '.' : ''}${e.name}(${e.args.map(exprText).join(', ')})`;
  }
}
