// The parts many resource types declare alike, so a type's definition says only what is its own: the head of a
// tracked resource-group type, and the read / write / delete entries a type adds to /providers/{namespace}/operations
// in the wording the hybrid providers' catalogues share ('Get gallery image' / 'Gets a gallery image', 'Create or
// update ...', 'Delete ...'; a type whose catalogue words it otherwise lists its entries itself).

import type { ResourceTypeDefinition } from '../framework/types.js';

/** A tracked type at resource-group scope, in any location, listed by subscription too. */
export function trackedType(namespace: string, type: string, apiVersions: string[]) {
  return { namespace, type, scope: 'resourceGroup', tracked: true, locations: '*', apiVersions, listBySubscription: true } satisfies Partial<ResourceTypeDefinition>;
}

/** A type below whatever resource its URL names (role assignments, cluster extensions): untracked. */
export function extensionType(namespace: string, type: string, apiVersions: string[]) {
  return { namespace, type, scope: 'extension', tracked: false, apiVersions } satisfies Partial<ResourceTypeDefinition>;
}

type Words = readonly [operation: string, description: string];

/** The read / write / delete entries of `name` (a type, or namespace/type) in its catalogue's own words. */
export function ownOperations(name: string, read: Words, write: Words, del: Words): NonNullable<ResourceTypeDefinition['providerOperations']> {
  return (
    [
      ['read', read],
      ['write', write],
      ['delete', del],
    ] as const
  ).map(([verb, [operation, description]]) => ({ name: `${name}/${verb}`, operation, description }));
}

export function crudOperations(namespace: string, type: string, noun: string): NonNullable<ResourceTypeDefinition['providerOperations']> {
  return [
    { name: `${namespace}/${type}/read`, operation: `Get ${noun}`, description: `Gets a ${noun}` },
    { name: `${namespace}/${type}/write`, operation: `Create or update ${noun}`, description: `Creates or updates a ${noun}` },
    { name: `${namespace}/${type}/delete`, operation: `Delete ${noun}`, description: `Deletes a ${noun}` },
  ];
}
