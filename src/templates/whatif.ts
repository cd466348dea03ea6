// What-if: what a deployment would change, without changing anything. For each resource the template
// would write: Create (absent now), Modify (property-level deltas), NoChange, or Ignore (condition
// false); in Complete mode what the group has beyond the template is Delete, in Incremental Ignore.
// Properties that need values only the deployment would produce stay as their expressions.

import type { ErrorDetail } from '../arm/errors.js';
import type { EvalContext } from './context.js';
import { evaluateValue } from './evaluator.js';
import { isHeaderKey, resourceBody, type Instance } from './expand.js';
import { createHooks, evaluateWithFetch, type HookState } from './hooks.js';
import type { TemplateHost } from './host.js';
import { prepareDeployment, type DeploymentRequest, type PreparedDeployment } from './prepare.js';
import { scrub } from './redact.js';
import { deepEqual, findKey, isObject } from './values.js';

export type ChangeType = 'Create' | 'Delete' | 'Ignore' | 'Deploy' | 'NoChange' | 'Modify' | 'Unsupported';
export type PropertyChangeType = 'Create' | 'Delete' | 'Modify' | 'Array' | 'NoEffect';

export interface WhatIfPropertyChange {
  path: string;
  propertyChangeType: PropertyChangeType;
  before?: unknown;
  after?: unknown;
  children?: WhatIfPropertyChange[];
}

export interface WhatIfChange {
  resourceId: string;
  changeType: ChangeType;
  unsupportedReason?: string;
  before?: unknown;
  after?: unknown;
  delta?: WhatIfPropertyChange[];
}

export interface WhatIfResult {
  status: 'Succeeded' | 'Failed';
  properties?: { changes: WhatIfChange[] };
  error?: ErrorDetail;
}

/** The resource's identity and the envelope ARM fills in (top level only). */
const READ_ONLY = new Set(['id', 'name', 'type', 'apiversion']);
/** What changes on every write, at any depth: never a change a template makes. */
const VOLATILE = new Set(['etag', 'systemdata', 'provisioningstate']);

/** Property-level differences, as what-if reports them (paths like `properties.dnsPrefix`, array children by index). */
export function diff(before: unknown, after: unknown, path = ''): WhatIfPropertyChange[] {
  const out: WhatIfPropertyChange[] = [];
  if (isObject(after) && isObject(before)) {
    const skip = (k: string) => VOLATILE.has(k.toLowerCase()) || (!path && READ_ONLY.has(k.toLowerCase()));
    for (const [k, a] of Object.entries(after)) {
      if (skip(k)) continue;
      const p = path ? `${path}.${k}` : k;
      const bk = findKey(before, k);
      if (bk === undefined) {
        if (a !== null) out.push({ path: p, propertyChangeType: 'Create', after: a });
        continue;
      }
      out.push(...compare(before[bk], a, p));
    }
    for (const [k, b] of Object.entries(before)) {
      if (findKey(after, k) !== undefined || skip(k)) continue;
      // Left out of the template: the provider keeps its own value (what-if shows no effect).
      out.push({ path: path ? `${path}.${k}` : k, propertyChangeType: 'NoEffect', before: b });
    }
    return out;
  }
  return compare(before, after, path);
}

function compare(b: unknown, a: unknown, p: string): WhatIfPropertyChange[] {
  if (isObject(a) && isObject(b)) return diff(b, a, p);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (deepEqual(a, b)) return [];
    const children: WhatIfPropertyChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= b.length) children.push({ path: String(i), propertyChangeType: 'Create', after: a[i] });
      else if (i >= a.length) children.push({ path: String(i), propertyChangeType: 'Delete', before: b[i] });
      else {
        // An element whose differences are only the provider's own additions (ids, etags, defaults) is unchanged.
        const sub = compare(b[i], a[i], '');
        if (!significant(sub)) continue;
        const detail = isObject(a[i]) && isObject(b[i]) ? sub : [];
        children.push({ path: String(i), propertyChangeType: 'Modify', before: b[i], after: a[i], ...(detail.length ? { children: detail } : {}) });
      }
    }
    return children.length ? [{ path: p, propertyChangeType: 'Array', children }] : [];
  }
  if (equalValue(a, b, p)) return [];
  return [{ path: p, propertyChangeType: 'Modify', before: b, after: a }];
}

function equalValue(a: unknown, b: unknown, p: string): boolean {
  if (deepEqual(a, b)) return true;
  if (typeof a === 'string' && typeof b === 'string') {
    if (p === 'location') return a.replace(/\s/g, '').toLowerCase() === b.replace(/\s/g, '').toLowerCase();
    if (a.startsWith('/subscriptions/') || a.startsWith('/providers/')) return a.toLowerCase() === b.toLowerCase();
  }
  return false;
}

function significant(delta: WhatIfPropertyChange[]): boolean {
  return delta.some((d) => d.propertyChangeType !== 'NoEffect');
}

export async function whatIf(host: TemplateHost, request: DeploymentRequest, opts: { resultFormat?: 'FullResourcePayloads' | 'ResourceIdOnly' } = {}): Promise<WhatIfResult> {
  const prepared = await prepareDeployment(host, request);
  const changes: WhatIfChange[] = [];
  await planInto(host, prepared, changes, 0);
  if (prepared.target.resourceGroup) {
    const inTemplate = new Set(changes.map((c) => c.resourceId.toLowerCase()));
    for (const r of await host.list(prepared.prefix)) {
      const id = String(r.id ?? '');
      if (!id || inTemplate.has(id.toLowerCase())) continue;
      if ([...inTemplate].some((k) => id.toLowerCase().startsWith(k + '/'))) continue;
      changes.push(prepared.mode === 'Complete' ? { resourceId: id, changeType: 'Delete', before: r } : { resourceId: id, changeType: 'Ignore', before: r });
    }
  }
  const shown = opts.resultFormat === 'ResourceIdOnly' ? changes.map((c) => ({ resourceId: c.resourceId, changeType: c.changeType })) : changes;
  return { status: 'Succeeded', properties: { changes: scrub(shown, prepared.secrets) } };
}

async function planInto(host: TemplateHost, prepared: PreparedDeployment, changes: WhatIfChange[], depth: number, unknownIds?: Set<string>, outer?: HookState): Promise<void> {
  const state: HookState = { host, exp: prepared.exp, prefix: prepared.prefix, nested: new Map(), outer };
  for (const inst of prepared.exp.instances) {
    if (inst.existing) continue;
    if (unknownIds?.has(inst.key)) {
      changes.push({
        resourceId: inst.id,
        changeType: 'Unsupported',
        unsupportedReason: 'The resource id depends on a value only the deployment produces (reference(), list*()): it cannot be known before the deployment runs.',
      });
      continue;
    }
    if (!inst.condition) {
      // Complete mode deletes condition-false resources that exist (api-version 2019-05-10 and later).
      const before = prepared.mode === 'Complete' && depth === 0 ? await host.get(inst.id, inst.apiVersion) : undefined;
      changes.push(before ? { resourceId: inst.id, changeType: 'Delete', before } : { resourceId: inst.id, changeType: 'Ignore' });
      continue;
    }
    const after = await evaluateLeniently(inst, state);
    if (inst.isDeployment) {
      const nested = depth < 8 ? await nestedPlan(host, prepared, inst, after) : { reason: 'Nested deployments go more than 8 levels deep.' };
      if (nested.prepared) await planInto(host, nested.prepared, changes, depth + 1, nested.unknownIds, nested.outer ? state : undefined);
      else changes.push({ resourceId: inst.id, changeType: 'Unsupported', unsupportedReason: nested.reason });
      continue;
    }
    const payload = { id: inst.id, name: inst.name.split('/').pop(), type: inst.type, apiVersion: inst.apiVersion, ...after };
    const before = await host.get(inst.id, inst.apiVersion);
    if (before === undefined || before === null) {
      changes.push({ resourceId: inst.id, changeType: 'Create', after: payload });
      continue;
    }
    // What the provider would make of this PUT (as a GET would show it afterwards) tells its own
    // defaults and the values it never shows from real changes.
    const predicted = host.predict && !hasUnevaluated(after) ? await host.predict(inst.id, inst.apiVersion, resourceBody(after)) : undefined;
    const delta = isObject(predicted) ? withoutNoise(diff(before, payload), predicted, '') : diff(before, payload);
    changes.push(significant(delta) ? { resourceId: inst.id, changeType: 'Modify', before, after: payload, delta } : { resourceId: inst.id, changeType: 'NoChange', before, after: payload });
  }
}

/** A template value that asks the provider for its default (0, '', null, empty): the provider fills it in. */
function asksForDefault(v: unknown): boolean {
  return v === 0 || v === '' || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** The same scalar written another way: as text ('80', 'true'), or in another case or with a 'v' prefix. */
function spelling(after: unknown, before: unknown): boolean {
  if (isObject(after) || Array.isArray(after) || isObject(before) || Array.isArray(before)) return false;
  const norm = (v: unknown) =>
    String(v)
      .toLowerCase()
      .replace(/^v(?=\d)/, '');
  return norm(after) === norm(before);
}

function at(v: unknown, path: string): unknown {
  let cur = v;
  for (const seg of path.split('.').filter(Boolean)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) {
      const k = findKey(cur, seg);
      cur = k === undefined ? undefined : cur[k];
    } else return undefined;
  }
  return cur;
}

/**
 * Drops what is not a change the deployment would make, judged against the provider's prediction:
 * a property the provider never shows (a secret: absent now and absent after), and a value the template
 * leaves to the provider's default (0, '') that the provider would keep as it is.
 */
function withoutNoise(delta: WhatIfPropertyChange[], predicted: Record<string, unknown>, base: string): WhatIfPropertyChange[] {
  const out: WhatIfPropertyChange[] = [];
  for (const d of delta) {
    const full = base ? `${base}.${d.path}` : d.path;
    if (d.propertyChangeType === 'Create' && at(predicted, full) === undefined) continue;
    // The provider would keep the value as it is: a default the template leaves to it (0, ''), or another
    // spelling of what it holds that it normalises ('80' for the integer 80, 'true' for true, 'v1.29.4' for 1.29.4).
    if (d.propertyChangeType === 'Modify' && !d.children && (asksForDefault(d.after) || spelling(d.after, d.before)) && equalValue(at(predicted, full), d.before, d.path)) continue;
    if (d.children) {
      const children = withoutNoise(d.children, predicted, full);
      if (!significant(children)) continue;
      out.push({ ...d, children });
      continue;
    }
    out.push(d);
  }
  return out;
}

/** A body that still holds an expression evaluation left for the deployment (lenient what-if). */
function hasUnevaluated(v: unknown): boolean {
  if (typeof v === 'string') return v.startsWith('[') && !v.startsWith('[[') && v.endsWith(']');
  if (Array.isArray(v)) return v.some(hasUnevaluated);
  if (isObject(v)) return Object.values(v).some(hasUnevaluated);
  return false;
}

/** Evaluates a body property by property; one that cannot be evaluated yet keeps its expression. */
async function evaluateLeniently(inst: Instance, state: HookState): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inst.raw.body)) {
    if (isHeaderKey(k)) continue;
    if (inst.isDeployment && k.toLowerCase() === 'properties' && isObject(v)) {
      const props: Record<string, unknown> = {};
      for (const [pk, pv] of Object.entries(v)) props[pk] = pk.toLowerCase() === 'template' ? pv : await lenient(pv, inst, state);
      out[k] = props;
      continue;
    }
    out[k] = await lenient(v, inst, state);
  }
  return out;
}

async function lenient(v: unknown, inst: Instance, state: HookState): Promise<unknown> {
  try {
    return await evaluateWithFetch((c) => evaluateValue(v, { ...inst.ctx, site: 'resourceBody', hooks: createHooks(state, c) } as EvalContext));
  } catch {
    if (isObject(v)) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = await lenient(x, inst, state);
      return o;
    }
    return v;
  }
}

/** A value what-if cannot know before the deployment runs, as a stand-in of the declared type (two different ones). */
function standIn(type: string, text: unknown, second: boolean): unknown {
  switch (type.toLowerCase()) {
    case 'int':
      return second ? 2 : 1;
    case 'bool':
      return second;
    case 'object':
    case 'secureobject':
      return second ? { unknown: true } : {};
    case 'array':
      return second ? ['unknown'] : [];
    default:
      return second ? `${String(text)} ` : String(text);
  }
}

interface NestedPlan {
  prepared?: PreparedDeployment;
  /** Instances whose id depends on a value only the deployment produces (reference(), list*()). */
  unknownIds?: Set<string>;
  reason?: string;
  /** Its expressions are its parent's (expressionEvaluationOptions scope outer). */
  outer?: boolean;
}

/**
 * The nested deployment as what-if can see it. Parameters that need the deployment's own results
 * (reference() of what it creates) are unknown: the template is prepared twice with two different
 * stand-ins for them, and a resource whose id differs between the two depends on them (Unsupported).
 */
async function nestedPlan(host: TemplateHost, parent: PreparedDeployment, inst: Instance, body: Record<string, unknown>): Promise<NestedPlan> {
  const props = (body.properties ?? {}) as Record<string, unknown>;
  if (props.template === undefined && props.templateLink === undefined) return { reason: "The nested deployment has neither 'template' nor 'templateLink'." };
  const inner = String((props.expressionEvaluationOptions as Record<string, unknown> | undefined)?.scope ?? 'outer').toLowerCase() === 'inner' || props.template === undefined;
  const target = { ...inst.target! };
  if (target.resourceGroup && !target.resourceGroup.location) {
    const rg = host.resourceGroup ? await host.resourceGroup(target.subscriptionId!, target.resourceGroup.name) : undefined;
    target.resourceGroup = { name: target.resourceGroup.name, location: rg?.location ?? parent.target.resourceGroup?.location ?? '' };
  }
  const supplied = inner && isObject(props.parameters) ? (props.parameters as Record<string, unknown>) : undefined;
  const declared =
    isObject(props.template) && isObject((props.template as Record<string, unknown>).parameters)
      ? ((props.template as Record<string, unknown>).parameters as Record<string, Record<string, unknown>>)
      : {};
  const unknown = Object.entries(supplied ?? {}).filter(([, v]) => isObject(v) && 'value' in v && hasUnevaluated(v.value));
  const prepare = (parameters: unknown) =>
    prepareDeployment(
      host,
      {
        name: inst.name,
        scope: target,
        location: typeof body.location === 'string' ? body.location : undefined,
        properties: { template: props.template, templateLink: props.templateLink as never, parameters: inner ? parameters : undefined, mode: props.mode as string },
      },
      { outerContext: inner ? undefined : inst.ctx, parentTemplateUri: parent.templateUri },
    );
  const withStandIns = (second: boolean) => {
    const out: Record<string, unknown> = { ...supplied };
    for (const [k, v] of unknown) {
      const d = Object.entries(declared).find(([n]) => n.toLowerCase() === k.toLowerCase())?.[1];
      out[k] = { value: standIn(String(d?.type ?? 'string'), (v as Record<string, unknown>).value, second) };
    }
    return out;
  };
  try {
    if (!unknown.length) return { prepared: await prepare(props.parameters), outer: !inner };
    const [a, b] = [await prepare(withStandIns(false)), await prepare(withStandIns(true))];
    if (a.exp.instances.length !== b.exp.instances.length) {
      return { reason: 'The resources of the nested deployment depend on values only the deployment produces (reference(), list*()).' };
    }
    const unknownIds = new Set<string>();
    a.exp.instances.forEach((x, i) => {
      if (x.id.toLowerCase() !== b.exp.instances[i].id.toLowerCase()) unknownIds.add(x.key);
    });
    return { prepared: a, unknownIds, outer: !inner };
  } catch (e) {
    return { reason: `The nested deployment could not be evaluated before it runs: ${(e as Error).message}` };
  }
}
