// reference()/references()/list*()/resourceInfo() at deploy time. Evaluation is
// synchronous; a hook that needs a value it has not fetched yet throws NeedData, and
// `evaluateWithFetch` fetches it through the host and evaluates again. So if() stays lazy (an
// untaken branch never fetches) and a 200-copy loop evaluates without promises per expression.

import { ArmError } from '../arm/errors.js';
import { NeedData, type EvalContext, type ResourceHooks } from './context.js';
import { ExprErrors } from './errors.js';
import { findTargets, type Expansion, type Instance } from './expand.js';
import type { TemplateHost } from './host.js';
import type { DeploymentResult } from './results.js';
import { parseResourceId } from './scope.js';

export interface HookState {
  host: TemplateHost;
  exp: Expansion;
  prefix: string;
  /** Outcomes of nested deployments, by instance key. */
  nested: Map<string, DeploymentResult>;
  /**
   * An outer-scope nested template's parent: its expressions are the parent's, so a name the nested template does
   * not declare is looked up among the parent's resources (reference('a-parent-resource')).
   */
  outer?: HookState;
}

export async function evaluateWithFetch<T>(fn: (cache: Map<string, unknown>) => T, cache = new Map<string, unknown>()): Promise<T> {
  for (let round = 0; round < 500; round++) {
    try {
      return fn(cache);
    } catch (e) {
      if (e instanceof NeedData && !cache.has(e.key)) {
        cache.set(e.key, await e.fetch());
        continue;
      }
      throw e;
    }
  }
  throw ExprErrors.generic('Too many resource reads while evaluating an expression.');
}

function notFound(id: string): ArmError {
  const p = parseResourceId(id);
  const rg = /\/resourceGroups\/([^/]+)/i.exec(id)?.[1];
  const tn = p ? `${p.type}/${p.name}` : id;
  return new ArmError(
    404,
    'ResourceNotFound',
    rg
      ? `The Resource '${tn}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`
      : `The Resource '${tn}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

import { deploymentProperties } from './results.js';
export { deploymentProperties };

/**
 * A 'Full' reference's scope: what the resource is in, below its subscription and group, without the leading
 * '/providers/' ('' for a group's resource, 'Microsoft.Management/managementGroups/mg' for one of a management group).
 */
function relativeScope(id: string): string {
  const at = id.toLowerCase().lastIndexOf('/providers/');
  const prefix = (at > 0 ? id.slice(0, at) : '').replace(/^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?/i, '');
  return prefix.replace(/^\/providers\//i, '').replace(/^\//, '');
}

export function createHooks(state: HookState, cache: Map<string, unknown>): ResourceHooks {
  const resolve = (target: string): { id: string; inst?: Instance } => {
    const matches = findTargets(state.exp, target, state.prefix);
    if (target.startsWith('/')) return { id: target, inst: matches[0] };
    if (matches.length) return { id: matches[0].id, inst: matches[0] };
    const first = target.split('/')[0];
    if (target.includes('/') && first.includes('.')) return { id: `${state.prefix}/providers/${target}` };
    throw ExprErrors.generic(`The template resource '${target}' is not found. Please see https://aka.ms/arm-syntax-resources for usage details.`);
  };
  const apiFor = (id: string, inst: Instance | undefined, given: string | undefined): string | undefined => {
    if (given) return given;
    if (inst) return inst.apiVersion;
    const p = parseResourceId(id);
    if (!p) return undefined;
    const [ns, ...rest] = p.type.split('/');
    const known = state.host.knownType(ns, rest.join('/'));
    return known?.apiVersions.slice().sort().reverse()[0];
  };
  const read = (id: string, inst: Instance | undefined, api: string | undefined): any => {
    if (inst?.isDeployment) {
      const r = state.nested.get(inst.key);
      // not run here (what-if): the deployment as it stands from an earlier run, if there is one
      if (r) return { id, name: inst.name, type: inst.type, properties: deploymentProperties(r) };
    }
    const key = `get|${id.toLowerCase()}|${api ?? ''}`;
    if (!cache.has(key)) throw new NeedData(key, () => state.host.get(id, api));
    const body = cache.get(key);
    if (body === undefined || body === null) throw notFound(id);
    return body;
  };
  const fullObject = (body: any, id: string, inst: Instance | undefined, api: string | undefined) => {
    const p = parseResourceId(id);
    const sub = /^\/subscriptions\/([^/]+)/i.exec(id)?.[1];
    const rg = /\/resourceGroups\/([^/]+)/i.exec(id)?.[1];
    const { id: _i, name: _n, type: _t, ...rest } = body ?? {};
    const o: Record<string, unknown> = { apiVersion: api, ...rest };
    if (!('properties' in o)) o.properties = {};
    if (sub) o.subscriptionId = sub;
    if (rg) o.resourceGroupName = rg;
    o.scope = relativeScope(id);
    o.resourceId = p ? `${p.type}/${p.name}` : id;
    o.referenceApiVersion = api;
    o.condition = inst ? inst.condition : true;
    o.isConditionTrue = inst ? inst.condition : true;
    o.isTemplateResource = !!inst;
    o.isAction = false;
    o.provisioningOperation = 'Read';
    return o;
  };
  const reference = (_ctx: EvalContext, target: string, apiVersion: string | undefined, full: boolean) => {
    const { id, inst } = resolve(target);
    const api = apiFor(id, inst, apiVersion);
    const body = read(id, inst, api);
    return full ? fullObject(body, id, inst, api) : (body.properties ?? {});
  };
  const outer = state.outer ? createHooks(state.outer, cache) : undefined;
  const declaredHere = (target: string) => target.startsWith('/') || findTargets(state.exp, target, state.prefix).length > 0 || (target.includes('/') && target.split('/')[0].includes('.'));
  return {
    reference: (ctx, target, apiVersion, full) => (outer && !declaredHere(target) ? outer.reference(ctx, target, apiVersion, full) : reference(ctx, target, apiVersion, full)),
    references(ctx, target, full) {
      const g = state.exp.groups.get(target.toLowerCase());
      if (!g && outer?.references) return outer.references(ctx, target, full);
      if (!g) throw ExprErrors.generic(`The template resource collection '${target}' is not found.`);
      return g.filter((i) => i.condition).map((i) => reference(ctx, i.id, undefined, full));
    },
    list(ctx, target, action, apiVersion, body) {
      if (outer && !declaredHere(target)) return outer.list(ctx, target, action, apiVersion, body);
      const { id } = resolve(target);
      const key = `list|${id.toLowerCase()}|${action.toLowerCase()}|${apiVersion}|${JSON.stringify(body ?? null)}`;
      if (!cache.has(key)) throw new NeedData(key, () => state.host.action(id, action, apiVersion, body));
      return cache.get(key) ?? {};
    },
    resourceInfo(ctx, symbol) {
      const g = state.exp.groups.get(symbol.toLowerCase());
      if (!g?.length && outer?.resourceInfo) return outer.resourceInfo(ctx, symbol);
      if (!g?.length) throw ExprErrors.generic(`The template resource '${symbol}' is not found.`);
      const i = g[0];
      return { id: i.id, name: i.name, type: i.type, apiVersion: i.apiVersion };
    },
  };
}
