// managedClusters/privateLinkResources: the API server's private link resource (private clusters only).

import type { ResourceTypeDefinition } from '../../framework/types.js';
import { NS } from './shape.js';
import { versionsOf } from './versions.js';
import { clusterOf, isPrivate, ok } from './readLookups.js';

export const privateLinkResources: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/privateLinkResources',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/privateLinkResources'),
  handlers: {
    list(ctx) {
      const c = clusterOf(ctx);
      if (!isPrivate(c)) return ok({ value: [] });
      return ok({
        value: [
          {
            id: `${c.resource.id}/privateLinkResources/management`,
            name: 'management',
            type: `${NS}/managedClusters/privateLinkResources`,
            groupId: 'management',
            requiredMembers: ['management'],
          },
        ],
      });
    },
  },
};
