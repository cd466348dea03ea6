// A resource type declared as data: synchronous writes, and read-only properties filled from the
// resource's id so they stay the same on every PUT (templates read them back with reference()).

import { createHash } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { ActionHandler, ArmResource, ResourceTypeDefinition } from '../../framework/types.js';

export interface DeclaredType {
  namespace: string;
  type: string;
  apiVersions: string[];
  /** Tracked top-level type (location, tags) unless a child. */
  tracked?: boolean;
  nameRule?: ResourceTypeDefinition['nameRule'];
  /** Read-only properties, computed from the candidate (never from the client). */
  fill?(r: ArmResource, services: Services, existing?: ArmResource): Record<string, unknown>;
  /** Properties the client must send (the ARM error names the first missing one). */
  required?: string[];
  actions?: Record<string, ActionHandler>;
}

export function declaredType(d: DeclaredType): ResourceTypeDefinition {
  return {
    namespace: d.namespace,
    type: d.type,
    scope: 'resourceGroup',
    tracked: d.tracked ?? !d.type.includes('/'),
    locations: '*',
    apiVersions: d.apiVersions,
    listBySubscription: !d.type.includes('/'),
    nameRule: d.nameRule,
    validate(_ctx, candidate) {
      for (const req of d.required ?? []) {
        const v = req.split('.').reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), candidate);
        if (v === undefined || v === null || v === '') throw missing(req);
      }
    },
    onPut(ctx, candidate) {
      const filled = d.fill ? d.fill(candidate, ctx.services, ctx.existing?.resource) : {};
      return { resource: { ...candidate, properties: { ...candidate.properties, ...filled, provisioningState: 'Succeeded' } } };
    },
    actions: d.actions,
  };
}

const missing = (p: string) => Errors.invalid('MissingRequiredProperty', `The property '${p}' is required.`, p);

/** A stable GUID from a resource id and a purpose (principal ids, customer ids...). */
export function guidOf(id: string, purpose: string): string {
  const h = createHash('sha256').update(`${id.toLowerCase()}/${purpose}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A stable base64 key (storage keys, workspace keys). */
export function keyOf(id: string, purpose: string): string {
  return createHash('sha512').update(`${id.toLowerCase()}/${purpose}`).digest('base64').slice(0, 88);
}
