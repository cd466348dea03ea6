// Deployment scopes and resource ids: the id prefix of a scope (tenant, management group,
// subscription, resource group), and a template resource's id from its type and name, including
// extension resources (`scope`) and ARM's segment-length rule.

import type { ScopeInfo } from './context.js';
import { TemplateErrors } from './errors.js';

export function scopePrefix(s: ScopeInfo): string {
  if (s.subscriptionId && s.resourceGroup) return `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup.name}`;
  if (s.subscriptionId) return `/subscriptions/${s.subscriptionId}`;
  if (s.managementGroup) return `/providers/Microsoft.Management/managementGroups/${s.managementGroup}`;
  return '';
}

export function scopeKind(s: ScopeInfo): 'resourceGroup' | 'subscription' | 'managementGroup' | 'tenant' {
  return s.resourceGroup ? 'resourceGroup' : s.subscriptionId ? 'subscription' : s.managementGroup ? 'managementGroup' : 'tenant';
}

/** `NS/t1/t2` and `n1/n2` → `NS/t1/n1/t2/n2`, or ARM's "incorrect segment lengths" error. */
export function qualifiedName(type: string, name: string, displayName = name): string {
  const t = type.split('/');
  const n = name.split('/');
  if (t.length < 2 || n.length !== t.length - 1 || t.includes('') || n.includes('')) {
    throw TemplateErrors.invalid(
      `The template resource '${displayName}' for type '${type}' at line '0' and column '0' has incorrect segment lengths. A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name. Please see https://aka.ms/arm-syntax-resources for usage details.`,
    );
  }
  let out = t[0];
  for (let i = 1; i < t.length; i++) out += `/${t[i]}/${n[i - 1]}`;
  return out;
}

export function resourceIdAt(prefix: string, type: string, name: string): string {
  if (type.toLowerCase() === 'microsoft.resources/resourcegroups' && /^\/subscriptions\/[^/]+$/i.test(prefix)) {
    return `${prefix}/resourceGroups/${name}`;
  }
  return `${prefix}/providers/${qualifiedName(type, name)}`;
}

/** Splits an id into its type (`NS/t1/t2`) and name (`n1/n2`) from the last provider segment. */
export function parseResourceId(id: string): { type: string; name: string; scope: string } | undefined {
  const i = id.toLowerCase().lastIndexOf('/providers/');
  if (i < 0) {
    const rg = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)$/i.exec(id);
    if (rg) return { type: 'Microsoft.Resources/resourceGroups', name: rg[1], scope: id.slice(0, id.toLowerCase().indexOf('/resourcegroups/')) };
    return undefined;
  }
  const segs = id.slice(i + '/providers/'.length).split('/');
  if (segs.length < 3 || segs.length % 2 === 0) return undefined;
  const types = [segs[0]];
  const names: string[] = [];
  for (let k = 1; k < segs.length; k += 2) {
    types.push(segs[k]);
    names.push(segs[k + 1]);
  }
  return { type: types.join('/'), name: names.join('/'), scope: id.slice(0, i) };
}

export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Lower-cased id with ARM's two spellings of a resource group id made one. */
export function canonicalId(id: string): string {
  return id.toLowerCase().replace(/^(\/subscriptions\/[^/]+)\/providers\/microsoft\.resources\/resourcegroups\//, '$1/resourcegroups/');
}
