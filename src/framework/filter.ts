// The \$filter grammar ARM's generic resource list accepts: clauses joined by 'and', each
// "<field> eq '<value>'" (resourceType, name, resourceGroup, location, tagName, tagValue,
// provisioningState) or "substringof('<text>', name)". Pure.

import { Errors } from '../arm/errors.js';
import type { StoredResource } from './types.js';

export type Clause = { field: string; value: string; op: 'eq' | 'substringof' };

const FIELDS = new Set(['resourcetype', 'name', 'resourcegroup', 'location', 'tagname', 'tagvalue', 'provisioningstate', 'identity/principalid', 'plan/publisher']);

export function parseFilter(filter: string | undefined): Clause[] {
  if (!filter || !filter.trim()) return [];
  const clauses: Clause[] = [];
  for (const part of filter.split(/\s+and\s+/i)) {
    const p = part.trim().replace(/^\((.*)\)$/, '$1');
    let m = /^([\w/]+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(p);
    if (m && FIELDS.has(m[1].toLowerCase())) {
      clauses.push({ field: m[1].toLowerCase(), value: m[2].replace(/''/g, "'"), op: 'eq' });
      continue;
    }
    m = /^substringof\(\s*'((?:[^']|'')*)'\s*,\s*name\s*\)$/i.exec(p);
    if (m) {
      clauses.push({ field: 'name', value: m[1].replace(/''/g, "'"), op: 'substringof' });
      continue;
    }
    throw Errors.invalid(
      'InvalidFilterInQueryString',
      `Invalid $filter '${filter}': the clause '${part.trim()}' is not supported. Use "<resourceType|name|resourceGroup|location|tagName|tagValue> eq '<value>'" or "substringof('<text>', name)", joined by 'and'.`,
    );
  }
  return clauses;
}

export function filterResources(items: StoredResource[], clauses: Clause[]): StoredResource[] {
  if (clauses.length === 0) return items;
  return items.filter((s) => matchesFilter(s, clauses));
}

/** Whether one resource passes every clause. */
export function matchesFilter(s: StoredResource, clauses: Clause[]): boolean {
  const tagName = clauses.find((c) => c.field === 'tagname')?.value;
  const r = s.resource;
  for (const c of clauses) {
    const eq = (a: string | undefined) => (a ?? '').toLowerCase() === c.value.toLowerCase();
    switch (c.field) {
      case 'resourcetype':
        if (!eq(r.type)) return false;
        break;
      case 'name':
        if (c.op === 'substringof' ? !r.name.toLowerCase().includes(c.value.toLowerCase()) : !eq(r.name)) return false;
        break;
      case 'resourcegroup':
        if (!eq(r.id.split('/')[4])) return false;
        break;
      case 'location':
        if (!eq(r.location)) return false;
        break;
      case 'provisioningstate':
        if (!eq(r.properties?.provisioningState)) return false;
        break;
      case 'tagname':
        if (!Object.keys(r.tags ?? {}).some((k) => k.toLowerCase() === c.value.toLowerCase())) return false;
        break;
      case 'tagvalue': {
        const entries = Object.entries(r.tags ?? {});
        const ok = entries.some(([k, v]) => (!tagName || k.toLowerCase() === tagName.toLowerCase()) && v === c.value);
        if (!ok) return false;
        break;
      }
      default:
        break;
    }
  }
  return true;
}
