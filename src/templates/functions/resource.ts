// Resource functions: resourceId subscriptionResourceId tenantResourceId extensionResourceId
// managementGroupResourceId (every scope form), reference references list* (answered by the
// executor's hooks; only allowed in resource bodies and outputs), providers pickZones copyIndex
// resourceInfo toLogicalZone(s)/toPhysicalZone(s).

import type { EvalContext } from '../context.js';
import { ExprErrors } from '../errors.js';
import { expectArray, expectInt, expectString, type Library } from './types.js';

/** `NS/t1/t2` + [n1, n2] → `NS/t1/n1/t2/n2`; names may contain '/' (one name per type segment). */
export function typeAndNames(fn: string, type: string, names: string[]): string {
  const segs = type.split('/').filter((s) => s !== '');
  const ns = segs.shift()!;
  const flat = names.flatMap((n) => n.split('/')).filter((s) => s !== '');
  if (segs.length === 0 || flat.length !== segs.length) {
    throw ExprErrors.generic(
      `Unable to evaluate template language function '${fn}': the type '${type}' requires '${segs.length}' resource name argument(s). Please see https://aka.ms/arm-template-expressions/#${fn.toLowerCase()} for usage details.`,
    );
  }
  return [ns, ...segs.flatMap((t, i) => [t, flat[i]])].join('/');
}

/** Splits `[prefix args..., type, names...]` at the first argument that looks like a type. */
function splitArgs(fn: string, args: unknown[], maxPrefix: number): { prefix: string[]; type: string; names: string[] } {
  const strs = args.map((a) => expectString(a, fn));
  const t = strs.findIndex((s, i) => i <= maxPrefix && s.includes('/') && !s.startsWith('/'));
  if (t < 0) {
    throw ExprErrors.generic(
      `Unable to evaluate template language function '${fn}': the resource type is missing or not valid. Please see https://aka.ms/arm-template-expressions/#${fn.toLowerCase()} for usage details.`,
    );
  }
  return { prefix: strs.slice(0, t), type: strs[t], names: strs.slice(t + 1) };
}

export function resourceIdFor(ctx: EvalContext, args: unknown[]): string {
  const { prefix, type, names } = splitArgs('resourceId', args, 2);
  const tn = typeAndNames('resourceId', type, names);
  let sub = ctx.scope.subscriptionId;
  let rg = ctx.scope.resourceGroup?.name;
  if (prefix.length === 2) [sub, rg] = prefix;
  else if (prefix.length === 1) rg = prefix[0];
  if (rg && sub) return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${tn}`;
  if (sub) return `/subscriptions/${sub}/providers/${tn}`;
  return `/providers/${tn}`;
}

function allowed(ctx: EvalContext, fn: string): void {
  if (!ctx.hooks || (ctx.site !== 'resourceBody' && ctx.site !== 'output')) {
    throw ExprErrors.notExpectedHere(fn);
  }
}

const ZONAL = new Set(
  (
    'eastus eastus2 westus2 westus3 centralus southcentralus northeurope westeurope uksouth francecentral germanywestcentral ' +
    'swedencentral japaneast koreacentral southeastasia australiaeast canadacentral brazilsouth eastasia centralindia ' +
    'southafricanorth norwayeast switzerlandnorth uaenorth qatarcentral polandcentral italynorth israelcentral mexicocentral ' +
    'newzealandnorth spaincentral usgovvirginia chinanorth3'
  ).split(' '),
);

export const resourceFunctions: Library = {
  resourceid: { min: 2, fn: (args, ctx) => resourceIdFor(ctx, args) },
  subscriptionresourceid: {
    min: 2,
    fn: (args, ctx) => {
      const { prefix, type, names } = splitArgs('subscriptionResourceId', args, 1);
      const sub = prefix[0] ?? ctx.scope.subscriptionId;
      const tn = typeAndNames('subscriptionResourceId', type, names);
      if (!sub) throw ExprErrors.notExpectedHere('subscriptionResourceId');
      return `/subscriptions/${sub}/providers/${tn}`;
    },
  },
  tenantresourceid: {
    min: 2,
    fn: (args) => {
      const { type, names } = splitArgs('tenantResourceId', args, 0);
      return `/providers/${typeAndNames('tenantResourceId', type, names)}`;
    },
  },
  extensionresourceid: {
    min: 3,
    fn: (args) => {
      const [base, type, ...names] = args.map((a) => expectString(a, 'extensionResourceId'));
      return `${base.replace(/\/$/, '')}/providers/${typeAndNames('extensionResourceId', type, names)}`;
    },
  },
  managementgroupresourceid: {
    min: 2,
    fn: (args, ctx) => {
      const { prefix, type, names } = splitArgs('managementGroupResourceId', args, 1);
      const mg = prefix[0] ?? ctx.scope.managementGroup;
      const tn = typeAndNames('managementGroupResourceId', type, names);
      if (!mg) throw ExprErrors.notExpectedHere('managementGroupResourceId');
      return `/providers/Microsoft.Management/managementGroups/${mg}/providers/${tn}`;
    },
  },
  reference: {
    min: 1,
    max: 3,
    fn: ([t, api, full], ctx, fn) => {
      allowed(ctx, fn);
      const target = expectString(t, fn);
      const apiVersion = api === undefined || api === null || api === '' ? undefined : expectString(api, fn);
      const isFull = full !== undefined && expectString(full, fn).toLowerCase() === 'full';
      return ctx.hooks!.reference(ctx, target, apiVersion, isFull);
    },
  },
  references: {
    min: 1,
    max: 2,
    fn: ([t, full], ctx, fn) => {
      allowed(ctx, fn);
      if (!ctx.hooks!.references) throw ExprErrors.notExpectedHere(fn);
      return ctx.hooks!.references(ctx, expectString(t, fn), full !== undefined && expectString(full, fn).toLowerCase() === 'full');
    },
  },
  resourceinfo: {
    min: 1,
    max: 1,
    fn: ([s], ctx, fn) => {
      if (!ctx.hooks?.resourceInfo) throw ExprErrors.notExpectedHere(fn);
      return ctx.hooks.resourceInfo(ctx, expectString(s, fn));
    },
  },
  providers: {
    min: 1,
    max: 2,
    fn: ([ns, type], ctx, fn) => {
      const namespace = expectString(ns, fn);
      if (type === undefined) return { namespace, resourceTypes: [] };
      const t = expectString(type, fn);
      const known = ctx.catalog?.(namespace, t);
      if (!known) {
        throw ExprErrors.generic(`The resource type '${namespace}/${t}' could not be found. Please see https://aka.ms/arm-template-expressions/#providers for usage details.`);
      }
      return { namespace, resourceType: t, locations: known.locations ?? [], apiVersions: known.apiVersions };
    },
  },
  pickzones: {
    min: 3,
    max: 5,
    fn: ([ns, type, loc, n, off], _ctx, fn) => {
      expectString(ns, fn);
      expectString(type, fn);
      const location = expectString(loc, fn).toLowerCase().replace(/\s/g, '');
      const count = n === undefined ? 1 : expectInt(n, fn);
      const offset = off === undefined ? 0 : expectInt(off, fn);
      if (!ZONAL.has(location)) return [];
      const zones: string[] = [];
      for (let i = offset; i < offset + count && i < 3; i++) zones.push(String(i + 1));
      return zones;
    },
  },
  tologicalzone: { min: 4, max: 4, fn: ([, , , z]) => z },
  tophysicalzone: { min: 4, max: 4, fn: ([, , , z]) => z },
  tologicalzones: { min: 4, max: 4, fn: ([, , , z]) => expectArray(z, 'toLogicalZones') },
  tophysicalzones: { min: 4, max: 4, fn: ([, , , z]) => expectArray(z, 'toPhysicalZones') },
  copyindex: {
    min: 0,
    max: 2,
    fn: (args, ctx, fn) => {
      let loop: string | undefined;
      let offset = 0;
      for (const a of args) {
        if (typeof a === 'string') loop = a;
        else offset = expectInt(a, fn);
      }
      if (!ctx.copy || ctx.copy.size === 0) throw ExprErrors.notExpectedHere(fn);
      const key = loop === undefined ? ctx.innermostCopy! : loop.toLowerCase();
      const i = ctx.copy.get(key);
      if (i === undefined) {
        throw ExprErrors.generic(`The template function 'copyIndex' has an invalid copy loop name '${loop}'. Please see https://aka.ms/arm-copy for usage details.`);
      }
      return i + offset;
    },
  },
};

/** list{Something}(resourceIdOrName, apiVersion, [body]): a POST action on the resource. */
export const listFunction = {
  min: 2,
  max: 3,
  fn: ([t, api, body]: unknown[], ctx: EvalContext, fn: string) => {
    allowed(ctx, fn);
    return ctx.hooks!.list(ctx, expectString(t, fn), fn, expectString(api, fn), body);
  },
};
