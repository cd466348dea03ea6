// Microsoft.Resources: ARM's own surfaces (subscriptions, tenants, locations, resource groups,
// provider registrations, generic resource lists), declared through the same framework as any
// provider. Resource groups are stored resources whose DELETE is a long-running cascade.

import { deploymentTypes, initDeployments } from './deployments.js';
import type { ResourceProvider } from '../../framework/types.js';
import { RESOURCES_API_VERSIONS, NS } from './apiVersions.js';
import { subscriptions } from './subscriptions.js';
import { tenants } from './tenants.js';
import { locations } from './locations.js';
import { resourceGroups } from './resourceGroups.js';
import { providers } from './providers.js';
import { resources } from './resources.js';

export const resourcesProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [subscriptions, tenants, locations, resourceGroups, providers, resources, ...deploymentTypes(['2026-06-01', ...RESOURCES_API_VERSIONS])],
  init(services) {
    initDeployments(services);
  },
};
