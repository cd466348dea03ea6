// subscriptions/locations: the regions and on-premises locations a subscription sees.

import type { ResourceTypeDefinition } from '../../framework/types.js';
import { RESOURCES_API_VERSIONS, NS } from './apiVersions.js';

export const locations: ResourceTypeDefinition = {
  namespace: NS,
  type: 'locations',
  scope: 'subscription',
  tracked: false,
  apiVersions: RESOURCES_API_VERSIONS,
  handlers: {
    list: (ctx) => ({
      status: 200,
      body: {
        value: ctx.services.locations.list().map((l) => ({
          id: `/subscriptions/${ctx.path.subscriptionId}/locations/${l.name}`,
          name: l.name,
          type: 'Region',
          displayName: l.displayName,
          regionalDisplayName: l.regionalDisplayName ?? l.displayName,
          metadata: {
            regionType: l.kind === 'AzureRegion' ? 'Physical' : 'Logical',
            regionCategory: l.kind === 'AzureRegion' ? 'Recommended' : 'Other',
            physicalLocation: l.kind === 'AzureRegion' ? l.displayName : 'On-premises',
            latitude: l.latitude,
            longitude: l.longitude,
            geographyGroup: l.kind === 'AzureRegion' ? 'Azure' : 'Azure Stack Hub',
            pairedRegion: [],
          },
        })),
      },
    }),
  },
};
