// managementGroups/subscriptions: where a subscription sits in the hierarchy (`az account management-group subscription add|remove|show`).

import { Errors } from '../../arm/errors.js';
import type { WriteOp } from '../../store/store.js';
import type { ResourceTypeDefinition, Services, StoredResource } from '../../framework/types.js';
import { NS, TYPE, API_VERSIONS, group, groups, isRoot, subscriptionsIn, notFound, put } from './managementGroups.js';

/** `/providers/Microsoft.Management/managementGroups/{g}/subscriptions[/{sub}]`: where a subscription sits. */
export const groupSubscriptions: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managementGroups/subscriptions',
  scope: 'tenant',
  tracked: false,
  apiVersions: API_VERSIONS,
  handlers: {
    list: (ctx) => {
      const s = group(ctx.services, ctx.path.names[0]);
      if (!s) throw notFound(ctx.path.names[0]);
      return { status: 200, body: { value: subscriptionsIn(ctx.services, s).map((sub) => subscriptionUnder(ctx.services, s, sub)), nextLink: null } };
    },
    get: (ctx) => {
      const s = group(ctx.services, ctx.path.names[0]);
      if (!s) throw notFound(ctx.path.names[0]);
      const sub = subscriptionsIn(ctx.services, s).find((x) => x.toLowerCase() === ctx.path.names[1].toLowerCase());
      if (!sub) throw Errors.withStatus(404, 'NotFound', `The subscription '${ctx.path.names[1]}' is not in the management group '${s.resource.name}'.`);
      return { status: 200, body: subscriptionUnder(ctx.services, s, sub) };
    },
    put: (ctx) => {
      const { services } = ctx;
      const s = group(services, ctx.path.names[0]);
      if (!s) throw notFound(ctx.path.names[0]);
      const cfg = services.config.subscriptions.find((x) => x.subscriptionId.toLowerCase() === ctx.path.names[1].toLowerCase());
      if (!cfg) throw Errors.subscriptionNotFound(ctx.path.names[1]);
      const ops: WriteOp[] = [];
      // A subscription sits in one group: taken out of the one it was in.
      for (const g of groups(services)) {
        const list = (g.internal.subscriptions as string[] | undefined) ?? [];
        if (g.resource.id.toLowerCase() === s.resource.id.toLowerCase() || !list.some((x) => x.toLowerCase() === cfg.subscriptionId.toLowerCase())) continue;
        const copy = structuredClone(g);
        copy.internal.subscriptions = list.filter((x) => x.toLowerCase() !== cfg.subscriptionId.toLowerCase());
        ops.push(...put(services, copy));
      }
      const next = structuredClone(s);
      if (!isRoot(s)) next.internal.subscriptions = [...new Set([...((s.internal.subscriptions as string[] | undefined) ?? []), cfg.subscriptionId])];
      ops.push(...put(services, next));
      return { status: 200, body: subscriptionUnder(services, next, cfg.subscriptionId), records: ops };
    },
    delete: (ctx) => {
      const { services } = ctx;
      const s = group(services, ctx.path.names[0]);
      if (!s) throw notFound(ctx.path.names[0]);
      const list = (s.internal.subscriptions as string[] | undefined) ?? [];
      if (isRoot(s) || !list.some((x) => x.toLowerCase() === ctx.path.names[1].toLowerCase())) return { status: 200 };
      const next = structuredClone(s);
      next.internal.subscriptions = list.filter((x) => x.toLowerCase() !== ctx.path.names[1].toLowerCase());
      return { status: 200, records: put(services, next) };
    },
  },
};

function subscriptionUnder(services: Services, s: StoredResource, sub: string) {
  const cfg = services.config.subscriptions.find((x) => x.subscriptionId.toLowerCase() === sub.toLowerCase());
  return {
    id: `${s.resource.id}/subscriptions/${sub}`,
    type: `${TYPE}/subscriptions`,
    name: sub,
    properties: { tenant: cfg?.tenantId, displayName: cfg?.displayName ?? sub, parent: { id: s.resource.id }, state: 'Active' },
  };
}
