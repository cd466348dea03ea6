// Microsoft.Management: the management-group hierarchy (managementGroups.ts) and the subscriptions in each
// group (groupSubscriptions.ts).

import type { ResourceProvider } from '../../framework/types.js';
import { NS, initManagementGroups, managementGroups } from './managementGroups.js';
import { groupSubscriptions } from './groupSubscriptions.js';

export const managementProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [managementGroups, groupSubscriptions],
  init: initManagementGroups,
};
