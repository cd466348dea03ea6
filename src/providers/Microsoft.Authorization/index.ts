// Microsoft.Authorization: role definitions (built-in + custom), role assignments and the caller's
// effective permissions, at every scope (tenant root, subscription, resource group, resource).
// Role assignments and custom roles are extension resources kept in the resource store under their
// scope: deleting the scope (a group, a resource) deletes them with the existing cascade.

import type { ResourceProvider } from '../../framework/types.js';
import { DEFINITION_TYPE_KEY } from '../../authorization/authorizer.js';
import { NS } from './common.js';
import { roleDefinitions } from './roleDefinitions.js';
import { roleAssignments } from './roleAssignments.js';
import { permissions } from './permissions.js';
import { elevateAccess } from './elevateAccess.js';
import { seedOwners } from './bootstrapOwners.js';

export const authorizationProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [roleDefinitions, roleAssignments, permissions, elevateAccess],
  init: seedOwners,
};

export { DEFINITION_TYPE_KEY };
