// Types commonly co-deployed with Kubernetes, declared with the read-only values templates read back (see README.md in this folder).

import type { ResourceProvider } from '../../framework/types.js';
import { networkProvider } from './network.js';
import { storageProvider } from './storage.js';
import { operationalInsightsProvider } from './operationalInsights.js';
import { managedIdentityProvider } from './managedIdentity.js';
import { keyVaultProvider } from './keyVault.js';

export function declaredProviders(): ResourceProvider[] {
  return [networkProvider, storageProvider, operationalInsightsProvider, managedIdentityProvider, keyVaultProvider];
}
