// resourceGroups: stored resources whose DELETE is a long-running cascade.

import { CASCADE_TASK } from '../../framework/cascade.js';
import type { ArmResource, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { RESOURCES_API_VERSIONS, NS } from './apiVersions.js';

// ---- resource groups -----------------------------------------------------------------------------

export const resourceGroups: ResourceTypeDefinition = {
  namespace: NS,
  type: 'resourceGroups',
  scope: 'subscription',
  tracked: true,
  locations: '*',
  apiVersions: RESOURCES_API_VERSIONS,
  schema: 'Microsoft.Resources/resourceGroup.json',
  patch: 'tags',
  providerOperations: [
    { name: 'subscriptions/resourceGroups/read', operation: 'Get Resource Group', description: 'Gets or lists resource groups.' },
    { name: 'subscriptions/resourceGroups/write', operation: 'Update Resource Group', description: 'Creates or updates a resource group.' },
    { name: 'subscriptions/resourceGroups/delete', operation: 'Delete Resource Group', description: 'Deletes a resource group and all its resources.' },
  ],
  onPut(ctx, candidate) {
    const r: ArmResource = { ...candidate, properties: { provisioningState: 'Succeeded' } };
    if (ctx.body?.managedBy !== undefined) r.managedBy = ctx.body.managedBy;
    return { resource: r };
  },
  toWire(s) {
    const r = s.resource;
    const out: Record<string, unknown> = { id: r.id, name: r.name, type: r.type, location: r.location };
    if (r.managedBy) out.managedBy = r.managedBy;
    out.tags = r.tags ?? {};
    out.properties = { provisioningState: s.deleting ? 'Deleting' : (r.properties?.provisioningState ?? 'Succeeded') };
    return out as any;
  },
  onDelete(ctx) {
    return {
      operation: {
        kind: 'delete',
        // Azure takes several seconds even for an empty group; scaled by --time-scale.
        tasks: [{ id: 'cascade', kind: CASCADE_TASK, params: { resourceGroupId: ctx.existing.resource.id }, durationMs: 5000 }],
        data: { apiVersion: ctx.apiVersion },
      },
    };
  },
  // The group stays visible as Deleting while its contents go, then disappears; a failed delete leaves it as it was.
  onOperationFailed(_op, stored) {
    if (!stored) return { resource: undefined };
    const copy: StoredResource = structuredClone(stored);
    delete copy.deleting;
    copy.resource.properties = { provisioningState: 'Succeeded' };
    return { resource: copy };
  },
};
