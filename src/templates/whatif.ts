// What-if: what a deployment would change, without changing anything. For each resource the template
// would write: Create (absent now), Modify (property-level deltas), NoChange, or Ignore (condition
// false); in Complete mode what the group has beyond the template is Delete, in Incremental Ignore.
// Properties that need values only the deployment would produce stay as their expressions.

import type { ErrorDetail } from '../arm/errors.js';
import type { EvalContext } from './context.js';
import { evaluateValue } from './evaluator.js';
import { isHeaderKey, type Instance } from './expand.js';
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

const READ_ONLY = new Set(['id', 'name', 'type', 'etag', 'systemdata', 'provisioningstate', 'apiversion']);

/** Property-level differences, as what-if reports them (paths like `properties.dnsPrefix`, array children by index). */
export function diff(before: unknown, after: unknown, path = ''): WhatIfPropertyChange[] {
  const out: WhatIfPropertyChange[] = [];
  if (isObject(after) && isObject(before)) {
    for (const [k, a] of Object.entries(after)) {
      if (!path && READ_ONLY.has(k.toLowerCase())) continue;
      const p = path ? `${path}.${k}` : k;
      const bk = findKey(before, k);
      if (bk === undefined) {
        if (a !== null) out.push({ path: p, propertyChangeType: 'Create', after: a });
        continue;
      }
      out.push(...compare(before[bk], a, p));
    }
    for (const [k, b] of Object.entries(before)) {
      if (findKey(after, k) !== undefined || (!path && READ_ONLY.has(k.toLowerCase())) || READ_ONLY.has(k.toLowerCase())) continue;
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
      else if (!deepEqual(a[i], b[i])) {
        const sub = isObject(a[i]) && isObject(b[i]) ? diff(b[i], a[i]) : [];
        children.push({ path: String(i), propertyChangeType: 'Modify', before: b[i], after: a[i], ...(sub.length ? { children: sub } : {}) });
      }
    }
    return [{ path: p, propertyChangeType: 'Array', children }];
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

export async function whatIf(
  host: TemplateHost,
  request: DeploymentRequest,
  opts: { resultFormat?: 'FullResourcePayloads' | 'ResourceIdOnly' } = {},
): Promise<WhatIfResult> {
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
  const shown = opts.resultFormat === 'ResourceIdOnly'
    ? changes.map((c) => ({ resourceId: c.resourceId, changeType: c.changeType }))
    : changes;
  return { status: 'Succeeded', properties: { changes: scrub(shown, prepared.secrets) } };
}

async function planInto(host: TemplateHost, prepared: PreparedDeployment, changes: WhatIfChange[], depth: number): Promise<void> {
  const state: HookState = { host, exp: prepared.exp, prefix: prepared.prefix, nested: new Map() };
  for (const inst of prepared.exp.instances) {
    if (inst.existing) continue;
    if (!inst.condition) {
      // Complete mode deletes condition-false resources that exist (api-version 2019-05-10 and later).
      const before = prepared.mode === 'Complete' && depth === 0 ? await host.get(inst.id, inst.apiVersion) : undefined;
      changes.push(before ? { resourceId: inst.id, changeType: 'Delete', before } : { resourceId: inst.id, changeType: 'Ignore' });
      continue;
    }
    const after = await evaluateLeniently(inst, state);
    if (inst.isDeployment) {
      const nested = await nestedPrepared(host, prepared, inst, after);
      if (nested && depth < 8) await planInto(host, nested, changes, depth + 1);
      else changes.push({ resourceId: inst.id, changeType: 'Unsupported', unsupportedReason: 'The nested deployment could not be evaluated before it runs.' });
      continue;
    }
    const payload = { id: inst.id, name: inst.name.split('/').pop(), type: inst.type, apiVersion: inst.apiVersion, ...after };
    const before = await host.get(inst.id, inst.apiVersion);
    if (before === undefined || before === null) {
      changes.push({ resourceId: inst.id, changeType: 'Create', after: payload });
      continue;
    }
    const delta = diff(before, payload);
    changes.push(
      significant(delta)
        ? { resourceId: inst.id, changeType: 'Modify', before, after: payload, delta }
        : { resourceId: inst.id, changeType: 'NoChange', before, after: payload },
    );
  }
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

async function nestedPrepared(host: TemplateHost, parent: PreparedDeployment, inst: Instance, body: Record<string, unknown>): Promise<PreparedDeployment | undefined> {
  const props = (body.properties ?? {}) as Record<string, unknown>;
  if (props.template === undefined && props.templateLink === undefined) return undefined;
  const inner = String((props.expressionEvaluationOptions as Record<string, unknown> | undefined)?.scope ?? 'outer').toLowerCase() === 'inner' || props.template === undefined;
  const target = { ...inst.target! };
  if (target.resourceGroup && !target.resourceGroup.location) {
    const rg = host.resourceGroup ? await host.resourceGroup(target.subscriptionId!, target.resourceGroup.name) : undefined;
    target.resourceGroup = { name: target.resourceGroup.name, location: rg?.location ?? parent.target.resourceGroup?.location ?? '' };
  }
  try {
    return await prepareDeployment(
      host,
      { name: inst.name, scope: target, properties: { template: props.template, templateLink: props.templateLink as never, parameters: inner ? props.parameters : undefined, mode: props.mode as string } },
      { outerContext: inner ? undefined : inst.ctx, parentTemplateUri: parent.templateUri },
    );
  } catch {
    return undefined;
  }
}
