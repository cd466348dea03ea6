// The read / write / delete entries a type adds to /providers/{namespace}/operations, in the wording the hybrid
// providers' catalogues share ('Get gallery image' / 'Gets a gallery image', 'Create or update ...',
// 'Delete ...'). A type whose catalogue words it otherwise lists its entries itself.

import type { ResourceTypeDefinition } from '../framework/types.js';

export function crudOperations(namespace: string, type: string, noun: string): NonNullable<ResourceTypeDefinition['providerOperations']> {
  return [
    { name: `${namespace}/${type}/read`, operation: `Get ${noun}`, description: `Gets a ${noun}` },
    { name: `${namespace}/${type}/write`, operation: `Create or update ${noun}`, description: `Creates or updates a ${noun}` },
    { name: `${namespace}/${type}/delete`, operation: `Delete ${noun}`, description: `Deletes a ${noun}` },
  ];
}
