// Microsoft.ManagedIdentity/userAssignedIdentities: principalId, clientId and tenantId.

import type { ResourceProvider } from '../../framework/types.js';
import { declaredType, guidOf } from './declare.js';

const NS = 'Microsoft.ManagedIdentity';
const V = ['2024-11-30', '2023-07-31-preview', '2023-01-31', '2022-01-31-preview', '2021-09-30-preview', '2018-11-30', '2015-08-31-preview'];

export const managedIdentityProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [
    declaredType({
      namespace: NS,
      type: 'userAssignedIdentities',
      apiVersions: V,
      fill: (r, services) => ({ principalId: guidOf(r.id, 'principal'), clientId: guidOf(r.id, 'client'), tenantId: services.config.tenantId }),
    }),
  ],
};
