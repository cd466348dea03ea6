// subscriptions: the configured subscriptions (GET, list).

import { Errors } from '../../arm/errors.js';
import { allSubscriptions } from '../../framework/registration.js';
import type { ResourceTypeDefinition } from '../../framework/types.js';
import { RESOURCES_API_VERSIONS, NS } from './apiVersions.js';

function subscriptionBody(s: { subscriptionId: string; tenantId: string; displayName: string }) {
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

export const subscriptions: ResourceTypeDefinition = {
  namespace: NS,
  type: 'subscriptions',
  scope: 'tenant',
  tracked: false,
  apiVersions: RESOURCES_API_VERSIONS,
  handlers: {
    list: (ctx) => ({
      status: 200,
      body: {
        value: allSubscriptions(ctx.services)
          .filter((s) => !ctx.services.config.auth || s.tenantId.toLowerCase() === ctx.principal.tenantId.toLowerCase())
          .map(subscriptionBody),
        count: { type: 'Total', value: allSubscriptions(ctx.services).length },
      },
    }),
    get: (ctx) => {
      const s = ctx.subscription; // the core looked it up (and refused a subscription that does not exist)
      if (!s) throw Errors.subscriptionNotFound(ctx.path.names[0]);
      return { status: 200, body: subscriptionBody(s) };
    },
  },
};
