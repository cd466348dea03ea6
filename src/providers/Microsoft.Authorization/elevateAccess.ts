// elevateAccess: a global administrator takes User Access Administrator at the root scope.

import type { ArmResource, ResourceTypeDefinition } from '../../framework/types.js';
import { USER_ACCESS_ADMINISTRATOR_ID } from '../../authorization/builtin-roles.js';
import { authorizationFailed } from '../../authorization/enforce.js';
import { relatedOps } from '../../framework/related.js';
import { directoryOf } from '../../graph/directory.js';
import { NS, authz, derivedGuid } from './common.js';
import { roleDefinitionId } from './roleDefinitions.js';

// ---- elevateAccess ------------------------------------------------------------------------------------

/**
 * POST /providers/Microsoft.Authorization/elevateAccess: a Global Administrator of the directory (the
 * configured service principals, or a principal given the role through Graph) gets User Access
 * Administrator at the root scope '/', from where it can assign any role anywhere (Owner of '/' included),
 * as in Azure. Everyone else: 403 AuthorizationFailed.
 */
export const elevateAccess: ResourceTypeDefinition = {
  namespace: NS,
  type: 'elevateAccess',
  scope: 'tenant',
  tracked: false,
  apiVersions: ['2017-05-01', '2016-07-01', '2015-07-01'],
  providerOperations: [{ name: 'elevateAccess/action', operation: 'Elevate access', description: 'Grants the caller User Access Administrator access at the tenant scope.' }],
  handlers: {
    post: (ctx) => {
      if (!ctx.services.config.auth) return { status: 200 };
      const oid = ctx.principal.objectId;
      if (!directoryOf(ctx.services).isGlobalAdministrator(oid)) throw authorizationFailed(ctx, 'Microsoft.Authorization/elevateAccess/action', `/providers/${NS}`);
      const held = authz(ctx)
        .assignmentsOf(oid)
        .some((a) => a.scope === '/' && a.roleDefinitionGuid === USER_ACCESS_ADMINISTRATOR_ID);
      if (held) return { status: 200 };
      const name = derivedGuid(`elevate:${oid.toLowerCase()}`);
      const now = new Date().toISOString();
      const resource: ArmResource = {
        id: `/providers/${NS}/roleAssignments/${name}`,
        name,
        type: `${NS}/roleAssignments`,
        properties: {
          roleDefinitionId: roleDefinitionId(undefined, USER_ACCESS_ADMINISTRATOR_ID),
          principalId: oid,
          principalType: 'ServicePrincipal',
          scope: '/',
          condition: null,
          conditionVersion: null,
          description: 'elevateAccess: a Global Administrator of the directory manages access at the root scope.',
          createdBy: oid,
          updatedBy: oid,
          provisioningState: 'Succeeded',
        },
        systemData: { createdBy: ctx.principal.clientId, createdByType: 'Application', createdAt: now, lastModifiedBy: ctx.principal.clientId, lastModifiedByType: 'Application', lastModifiedAt: now },
      };
      authz(ctx).noteAssignment(resource);
      return { status: 200, records: relatedOps(ctx.services.registry, ctx.services.resources, { put: [{ resource }] }) };
    },
  },
};
