// Parses an ARM request path into scope, namespace, type segments and names. Pure.
// Literal segments ('subscriptions', 'resourceGroups', 'providers') match in any casing; names keep
// the casing the client sent. ARM's own surfaces that have no /providers/ segment (subscriptions,
// resource groups, tenants, locations, the /resources lists, provider registrations) are mapped to
// Microsoft.Resources types so they go through the same framework as every provider.

import { Errors, ArmError } from './errors.js';
import type { ParsedPath } from './types.js';

export const RESOURCES_NS = 'Microsoft.Resources';

const eq = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

export function splitPath(pathname: string): string[] {
  const segs: string[] = [];
  for (const raw of pathname.split('/')) {
    if (!raw) continue; // collapses repeated slashes
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      throw Errors.invalid('InvalidRequestUri', `The request URI segment '${raw}' is not correctly encoded.`);
    }
    segs.push(s);
  }
  return segs;
}

function routeNotFound(segs: string[]): ArmError {
  return Errors.withStatus(404, 'InvalidResourceType', `The request path '/${segs.join('/')}' does not address an ARM resource or collection.`);
}

/** Parses segments; `id` is filled in later by the dispatcher once the type is known. */
export function parsePath(segs: string[]): ParsedPath {
  if (segs.length === 0) throw routeNotFound(segs);
  const head = segs[0];
  if (eq(head, 'tenants') && segs.length === 1) return builtin('', ['tenants'], []);
  if (eq(head, 'providers')) return parseProviders(segs, 0, '', {});
  if (!eq(head, 'subscriptions')) throw routeNotFound(segs);
  if (segs.length === 1) return builtin('', ['subscriptions'], []);
  const sub = segs[1];
  const subScope = `/subscriptions/${sub}`;
  if (segs.length === 2) return { ...builtin('', ['subscriptions'], [sub]), subscriptionId: sub };
  const third = segs[2];
  if (eq(third, 'locations') && segs.length === 3) return { ...builtin(subScope, ['locations'], []), subscriptionId: sub };
  if (eq(third, 'resources') && segs.length === 3) return { ...builtin(subScope, ['resources'], []), subscriptionId: sub };
  if (eq(third, 'providers')) return parseProviders(segs, 2, subScope, { subscriptionId: sub });
  if (eq(third, 'deployments') && segs.length >= 4) return deploymentPath(segs.slice(2), subScope, { subscriptionId: sub });
  if (eq(third, 'resourceGroups')) {
    if (segs.length === 3) return { ...builtin(subScope, ['resourceGroups'], []), subscriptionId: sub };
    const rg = segs[3];
    const base = { subscriptionId: sub, resourceGroup: rg };
    if (segs.length === 4) return { ...builtin(subScope, ['resourceGroups'], [rg]), ...base };
    const rgScope = `${subScope}/resourceGroups/${rg}`;
    if (eq(segs[4], 'resources') && segs.length === 5) return { ...builtin(rgScope, ['resources'], []), ...base };
    if (eq(segs[4], 'providers')) return parseProviders(segs, 4, rgScope, base);
    // The older deployment paths az 2.45 still uses: .../resourcegroups/{rg}/deployments/{name}[/operations[/{id}]]
    if (eq(segs[4], 'deployments') && segs.length >= 6) return deploymentPath(segs.slice(4), rgScope, base);
    // an action on the resource group itself, e.g. POST .../resourceGroups/rg/exportTemplate
    if (segs.length === 5) return { ...builtin(subScope, ['resourceGroups'], [rg]), ...base, action: segs[4] };
  }
  throw routeNotFound(segs);
}

/** A Microsoft.Resources/deployments path written without its /providers/ segment. */
function deploymentPath(rest: string[], scopeId: string, base: { subscriptionId?: string; resourceGroup?: string }): ParsedPath {
  const types: string[] = [];
  const names: string[] = [];
  for (let j = 0; j < rest.length; j += 2) {
    types.push(rest[j]);
    if (j + 1 < rest.length) names.push(rest[j + 1]);
  }
  return { scopeId, namespace: RESOURCES_NS, types, names, id: '', ...base };
}

function builtin(scopeId: string, types: string[], names: string[]): ParsedPath {
  return { scopeId, namespace: RESOURCES_NS, types, names, id: '' };
}

/** Parses from segs[i] === 'providers'. */
function parseProviders(segs: string[], i: number, scopeId: string, base: { subscriptionId?: string; resourceGroup?: string }): ParsedPath {
  const ns = segs[i + 1];
  const rest = segs.slice(i + 2);
  const inResourceGroup = base.resourceGroup !== undefined;
  if (ns === undefined) {
    if (inResourceGroup) throw routeNotFound(segs);
    return { ...builtin(scopeId, ['providers'], []), ...base };
  }
  if (!/^[A-Za-z0-9.]+$/.test(ns)) throw Errors.invalid('InvalidResourceNamespace', `The resource namespace '${ns}' is invalid.`);
  if (!inResourceGroup) {
    // provider registration document: /subscriptions/{s}/providers/{ns}[/register|/unregister]
    if (rest.length === 0) return { ...builtin(scopeId, ['providers'], [ns]), ...base };
    if (rest.length === 1 && /^(register|unregister)$/i.test(rest[0])) {
      return { ...builtin(scopeId, ['providers'], [ns]), ...base, action: rest[0].toLowerCase() };
    }
  } else if (rest.length === 0) {
    throw routeNotFound(segs);
  }
  const types: string[] = [];
  const names: string[] = [];
  for (let j = 0; j < rest.length; j += 2) {
    if (eq(rest[j], 'providers') && j > 0 && names.length === types.length) {
      // an extension resource: everything so far is the resource being extended
      const parent: ParsedPath = { scopeId, namespace: ns, types, names, id: '', ...base };
      const parentId = `${scopeId}/providers/${ns}/${pairs(types, names)}`;
      const ext = parseProviders(rest, j, parentId, base);
      if (ext.namespace === RESOURCES_NS && ext.types[0] === 'providers') throw routeNotFound(segs);
      return { ...ext, extendedParent: parent };
    }
    types.push(rest[j]);
    if (j + 1 < rest.length) names.push(rest[j + 1]);
  }
  return { scopeId, namespace: ns, types, names, id: '', ...base };
}

function pairs(types: string[], names: string[]): string {
  return types.map((t, k) => (names[k] !== undefined ? `${t}/${names[k]}` : t)).join('/');
}

/** The canonical id: literal segments in canonical casing, names as given. */
export function buildId(p: ParsedPath, canonicalTypes: string[], canonicalNs: string): string {
  if (canonicalNs === RESOURCES_NS) {
    const t = canonicalTypes[0];
    if (t === 'subscriptions') return p.names[0] ? `/subscriptions/${p.names[0]}` : '/subscriptions';
    if (t === 'resourceGroups') {
      const base = `/subscriptions/${p.subscriptionId}/resourceGroups`;
      return p.names[0] ? `${base}/${p.names[0]}` : base;
    }
    if (t === 'providers') return `${p.scopeId}/providers${p.names[0] ? `/${p.names[0]}` : ''}`;
    if (t === 'tenants' || t === 'locations' || t === 'resources') return `${p.scopeId}/${t}`;
  }
  return `${p.scopeId}/providers/${canonicalNs}/${pairs(canonicalTypes, p.names)}`;
}
