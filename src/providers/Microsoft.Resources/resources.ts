// resources: the generic resource lists (az resource list), by subscription and resource group.

import { Errors } from '../../arm/errors.js';
import { pageOfKeys } from '../../framework/paging.js';
import { idKey } from '../../framework/repository.js';
import { matchesFilter, parseFilter } from '../../framework/filter.js';
import type { ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { RESOURCES_API_VERSIONS, NS } from './apiVersions.js';

// ---- generic resource lists ------------------------------------------------------------------------

export const resources: ResourceTypeDefinition = {
  namespace: NS,
  type: 'resources',
  scope: 'subscription',
  tracked: false,
  apiVersions: RESOURCES_API_VERSIONS,
  handlers: {
    list: (ctx) => {
      const { services, path } = ctx;
      const { resources, registry } = services;
      // Tracked resources of the group, child resources included (a SQL database, a VM extension), as ARM lists
      // them; extension resources (locks, diagnostic settings) and proxy children (subnets) are not listed.
      // Decided from the index (type and parent), so resources that are not listed are never read.
      const tracked = (key: string) => {
        const typeKey = resources.typeKeyOf(key);
        const def = typeKey === undefined ? undefined : registry.typeByKey(typeKey);
        return !!def?.tracked && def.type !== 'resourceGroups' && (def.type.includes('/') || !resources.parentOf(key)!.includes('/providers/'));
      };
      let prefix: string;
      if (path.resourceGroup !== undefined) {
        const rgId = `/subscriptions/${path.subscriptionId}/resourceGroups/${path.resourceGroup}`;
        if (!resources.has(rgId)) throw Errors.resourceGroupNotFound(path.resourceGroup);
        prefix = `${idKey(rgId)}/`;
      } else {
        // every resource in a resource group of the subscription
        prefix = idKey(`/subscriptions/${path.subscriptionId}/resourcegroups/`);
      }
      const clauses = parseFilter(ctx.query.$filter);
      const expand = new Set((ctx.query.$expand ?? '').split(',').map((s) => s.trim().toLowerCase()));
      return pageOfKeys(
        ctx,
        (after) => resources.keysUnder(prefix, after),
        (k) => (tracked(k) ? resources.byKey(k) : undefined),
        (s) => genericShape(s, expand),
        (s) => matchesFilter(s, clauses),
      );
    },
  },
};

/** A child resource is listed by its full name, 'server/database', as ARM lists it. */
function nameInList(r: StoredResource['resource']): string {
  const segs = r.id.split('/');
  const at = segs.map((x) => x.toLowerCase()).lastIndexOf('providers');
  const names = segs.slice(at + 2).filter((_, i) => i % 2 === 1);
  return names.length > 1 ? names.join('/') : r.name;
}

function genericShape(s: StoredResource, expand: Set<string>) {
  const r = s.resource;
  const out: Record<string, unknown> = { id: r.id, name: nameInList(r), type: r.type, location: r.location };
  for (const k of ['kind', 'sku', 'identity', 'managedBy', 'extendedLocation', 'plan']) if (r[k] !== undefined) out[k] = r[k];
  out.tags = r.tags ?? {};
  if (expand.has('createdtime')) out.createdTime = r.systemData?.createdAt;
  if (expand.has('changedtime')) out.changedTime = r.systemData?.lastModifiedAt;
  if (expand.has('provisioningstate')) out.provisioningState = r.properties?.provisioningState;
  return out;
}
