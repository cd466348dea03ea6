// Start-up: the configured service principals own their subscriptions.

import type { ArmResource, Related } from '../../framework/types.js';
import type { Services } from '../../framework/types.js';
import { Authorizer } from '../../authorization/authorizer.js';
import { OWNER_ID } from '../../authorization/builtin-roles.js';
import { objectIdFor } from '../../identity/tokens.js';
import { NS, derivedGuid } from './common.js';
import { roleDefinitionId } from './roleDefinitions.js';

/**
 * Once per store (a marker remembers it, so a deliberate delete sticks): every service principal of
 * the configuration gets Owner on each subscription of its tenant, as the account that created them.
 */
export function bootstrapOwners(services: Services, authorizer: Authorizer): Related {
  const seed: Required<Pick<Related, 'put' | 'records'>> = { put: [], records: [] };
  const now = new Date().toISOString();
  for (const sub of services.config.subscriptions) {
    for (const sp of services.config.servicePrincipals) {
      if (sp.tenantId.toLowerCase() !== sub.tenantId.toLowerCase()) continue;
      const marker = `${sub.subscriptionId}/${sp.clientId}`.toLowerCase();
      if (services.store.get('authorizationBootstrap', marker)) continue;
      const scope = `/subscriptions/${sub.subscriptionId}`;
      const name = derivedGuid(`owner:${marker}`);
      const oid = objectIdFor(sp.clientId);
      const resource: ArmResource = {
        id: `${scope}/providers/${NS}/roleAssignments/${name}`,
        name,
        type: `${NS}/roleAssignments`,
        properties: {
          roleDefinitionId: roleDefinitionId(sub.subscriptionId, OWNER_ID),
          principalId: oid,
          principalType: 'ServicePrincipal',
          scope,
          condition: null,
          conditionVersion: null,
          description: 'The emulator configuration makes this service principal Owner of the subscription.',
          createdBy: oid,
          updatedBy: oid,
          provisioningState: 'Succeeded',
        },
        systemData: { createdBy: sp.clientId, createdByType: 'Application', createdAt: now, lastModifiedBy: sp.clientId, lastModifiedByType: 'Application', lastModifiedAt: now },
      };
      seed.put.push({ resource });
      seed.records.push({ collection: 'authorizationBootstrap', key: marker, value: { at: now } });
      authorizer.noteAssignment(resource);
    }
  }
  return seed;
}

/** At start: the core commits the owners' assignments (provider modules never write the store). */
export async function seedOwners(services: Services): Promise<void> {
  const seed = bootstrapOwners(services, services.authorizer);
  if (seed.put?.length) await services.resourceManager.seed(seed);
}
