// Microsoft.OperationalInsights/workspaces: customerId and the shared keys (sharedKeys / listKeys).

import type { ResourceProvider } from '../../framework/types.js';
import { declaredType, guidOf, keyOf } from './declare.js';

const NS = 'Microsoft.OperationalInsights';
const V = ['2023-09-01', '2022-10-01', '2021-12-01-preview', '2021-06-01', '2020-10-01', '2020-08-01', '2020-03-01-preview', '2015-11-01-preview'];

const keys = (id: string) => ({ primarySharedKey: keyOf(id, 'primary'), secondarySharedKey: keyOf(id, 'secondary') });

export const operationalInsightsProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [
    declaredType({
      namespace: NS,
      type: 'workspaces',
      apiVersions: V,
      fill: (r) => ({ customerId: guidOf(r.id, 'customerId'), sku: r.properties?.sku ?? { name: 'PerGB2018' }, retentionInDays: r.properties?.retentionInDays ?? 30 }),
      actions: {
        sharedKeys: (ctx) => ({ status: 200, body: keys(ctx.existing.resource.id) }),
        listKeys: (ctx) => ({ status: 200, body: keys(ctx.existing.resource.id) }),
      },
    }),
  ],
};
