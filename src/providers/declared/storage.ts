// Microsoft.Storage/storageAccounts: primaryEndpoints and listKeys, as templates read them.

import type { ResourceProvider } from '../../framework/types.js';
import { declaredType, keyOf } from './declare.js';

const NS = 'Microsoft.Storage';
const V = [
  '2023-05-01',
  '2023-04-01',
  '2023-01-01',
  '2022-09-01',
  '2022-05-01',
  '2021-09-01',
  '2021-08-01',
  '2021-06-01',
  '2021-04-01',
  '2021-02-01',
  '2021-01-01',
  '2020-08-01-preview',
  '2019-06-01',
  '2019-04-01',
  '2018-11-01',
  '2018-07-01',
  '2018-02-01',
  '2017-10-01',
  '2017-06-01',
  '2016-12-01',
  '2016-01-01',
  '2015-06-15',
];

export const storageProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [
    declaredType({
      namespace: NS,
      type: 'storageAccounts',
      apiVersions: V,
      required: ['sku.name', 'kind'],
      nameRule: { pattern: /^[a-z0-9]{3,24}$/, message: 'Storage account names are 3-24 lowercase letters and digits.' },
      fill: (r, _services, existing) => {
        const n = r.name.toLowerCase();
        const ep = (svc: string) => `https://${n}.${svc}.core.windows.net/`;
        return {
          primaryEndpoints: { blob: ep('blob'), queue: ep('queue'), table: ep('table'), file: ep('file'), dfs: ep('dfs'), web: `https://${n}.z13.web.core.windows.net/` },
          primaryLocation: r.location,
          statusOfPrimary: 'available',
          creationTime: existing?.properties?.creationTime ?? new Date().toISOString(),
          // general-purpose v1 accounts (kind Storage) have no access tier
          ...(String(r.kind ?? '').toLowerCase() === 'storage' ? {} : { accessTier: r.properties?.accessTier ?? 'Hot' }),
          supportsHttpsTrafficOnly: r.properties?.supportsHttpsTrafficOnly ?? true,
        };
      },
      actions: {
        listKeys: (ctx) => {
          const id = ctx.existing.resource.id;
          // before 2016-01-01 the keys came back as key1 and key2
          if (ctx.apiVersion < '2016-01-01') return { status: 200, body: { key1: keyOf(id, 'key1'), key2: keyOf(id, 'key2') } };
          return { status: 200, body: { keys: ['key1', 'key2'].map((k) => ({ keyName: k, value: keyOf(id, k), permissions: 'FULL', creationTime: ctx.existing.resource.systemData?.createdAt })) } };
        },
      },
    }),
  ],
};
