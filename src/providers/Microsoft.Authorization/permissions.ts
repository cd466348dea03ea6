// permissions: the caller's effective actions at a scope (az role assignment list --include-inherited reads them too).

import type { ResourceTypeDefinition } from '../../framework/types.js';
import { permissionsAt } from '../../authorization/evaluator.js';
import { NS, AUTHORIZATION_API_VERSIONS, authz, scopeOf } from './common.js';

// ---- permissions ----------------------------------------------------------------------------------

export const permissions: ResourceTypeDefinition = {
  namespace: NS,
  type: 'permissions',
  scope: 'extension',
  tracked: false,
  apiVersions: AUTHORIZATION_API_VERSIONS,
  handlers: {
    list: (ctx) => {
      const value = ctx.services.config.auth
        ? permissionsAt(authz(ctx), ctx.principal.objectId, scopeOf(ctx)).map((p) => ({
            actions: p.actions ?? [],
            notActions: p.notActions ?? [],
            dataActions: p.dataActions ?? [],
            notDataActions: p.notDataActions ?? [],
          }))
        : [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }];
      return { status: 200, body: { value } };
    },
  },
};
