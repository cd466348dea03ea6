// Microsoft.KeyVault/vaults: vaultUri, with the tenant and SKU a vault needs.

import type { ResourceProvider } from '../../framework/types.js';
import { declaredType } from './declare.js';

const NS = 'Microsoft.KeyVault';
const V = ['2023-07-01', '2023-02-01', '2022-07-01', '2021-10-01', '2021-06-01-preview', '2021-04-01-preview', '2019-09-01', '2018-02-14', '2016-10-01', '2015-06-01'];

export const keyVaultProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [
    declaredType({
      namespace: NS,
      type: 'vaults',
      apiVersions: V,
      required: ['properties.tenantId', 'properties.sku'],
      nameRule: { pattern: /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, message: 'Key vault names are 3-24 letters, digits and hyphens, starting with a letter.' },
      fill: (r) => ({ vaultUri: `https://${r.name.toLowerCase()}.vault.azure.net/`, accessPolicies: r.properties?.accessPolicies ?? [] }),
    }),
  ],
};
