// tenants: the configured tenants (list).

import { allSubscriptions } from '../../framework/registration.js';
import type { ResourceTypeDefinition } from '../../framework/types.js';
import { RESOURCES_API_VERSIONS, NS } from './apiVersions.js';

export const tenants: ResourceTypeDefinition = {
  namespace: NS,
  type: 'tenants',
  scope: 'tenant',
  tracked: false,
  apiVersions: RESOURCES_API_VERSIONS,
  handlers: {
    list: (ctx) => {
      const ids = [...new Set(allSubscriptions(ctx.services).map((s) => s.tenantId))];
      return {
        status: 200,
        body: {
          value: ids.map((t) => ({
            id: `/tenants/${t}`,
            tenantId: t,
            tenantCategory: 'Home',
            displayName: 'ARM Emulator',
            defaultDomain: 'emulator.local',
            domains: ['emulator.local'],
            tenantType: 'AAD',
          })),
        },
      };
    },
  },
};
