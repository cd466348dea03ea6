// providers: the resource-provider documents and registrations of a subscription.

import { everyLocation } from '../../framework/candidate.js';
import { Errors } from '../../arm/errors.js';
import { pageOf } from '../../framework/paging.js';
import { registrationKey, registrationState, REGISTRATIONS } from '../../framework/registration.js';
import type { Services } from '../../framework/types.js';
import { mergeVersions } from '../../catalogue/versions.js';
import type { ResourceTypeDefinition } from '../../framework/types.js';
import { RESOURCES_API_VERSIONS, NS } from './apiVersions.js';

// ---- providers -------------------------------------------------------------------------------------

function providerDocument(services: Services, ns: string, subscriptionId?: string) {
  const p = services.registry.provider(ns);
  if (!p) return undefined;
  const state = subscriptionId ? registrationState(services, subscriptionId, p.namespace) : 'Registered';
  // A hand-built namespace lists the catalogue's other types of it too, and every api-version the catalogue has
  // for its own types (they are accepted, shaped by the nearest version modelled).
  const catalogue = services.registry.catalogue();
  const handBuilt = catalogue !== undefined && services.registry.handBuiltProvider(ns) === p;
  const types = handBuilt ? [...p.types, ...catalogue.typesBeside(p)] : p.types;
  const resourceTypes = types
    .filter((t) => !t.type.startsWith('operation') || t.type === 'operations')
    .map((t) => {
      const apiVersions = handBuilt && !t.generic ? mergeVersions(t.apiVersions, catalogue.apiVersions(t.namespace, t.type) ?? []) : t.apiVersions;
      return {
        resourceType: t.type,
        locations:
          t.locations === '*' || !t.locations
            ? everyLocation(services, t).map((l) => services.locations.get(l)?.displayName ?? l)
            : t.locations.map((l) => services.locations.get(l)?.displayName ?? l),
        apiVersions,
        defaultApiVersion: apiVersions.find((v) => !v.includes('-preview')) ?? apiVersions[0],
        capabilities: t.capabilities ?? (t.tracked ? 'SupportsTags, SupportsLocation' : 'None'),
      };
    });
  return {
    id: `${subscriptionId ? `/subscriptions/${subscriptionId}` : ''}/providers/${p.namespace}`,
    namespace: p.namespace,
    registrationState: state,
    registrationPolicy: 'RegistrationRequired',
    resourceTypes,
  };
}

/** The catalogue's index (every namespace and type a provider document lists), read off the loop the first time. */
async function catalogueIndex(services: Services): Promise<void> {
  await services.registry.catalogue()?.prepare?.('');
}

export const providers: ResourceTypeDefinition = {
  namespace: NS,
  type: 'providers',
  scope: 'subscription',
  tracked: false,
  apiVersions: RESOURCES_API_VERSIONS,
  handlers: {
    list: async (ctx) => {
      await catalogueIndex(ctx.services);
      // About 290 namespaces and 3,500 types, each with its locations: built a few namespaces at a time so that
      // building the whole list (as ARM answers it) never holds the event loop for long.
      const docs: NonNullable<ReturnType<typeof providerDocument>>[] = [];
      for (const [i, p] of ctx.services.registry.providerList().entries()) {
        if (i % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
        docs.push(providerDocument(ctx.services, p.namespace, ctx.path.subscriptionId)!);
      }
      // ARM answers the whole list at once; $top pages it
      const paged = ctx.query.$top !== undefined || ctx.query.$skipToken !== undefined || ctx.query.$skiptoken !== undefined;
      if (!paged) return { status: 200, body: { value: docs.sort((a, b) => (a.namespace.toLowerCase() < b.namespace.toLowerCase() ? -1 : 1)) } };
      return pageOf(
        ctx,
        docs,
        (d) => d,
        (d) => d.namespace.toLowerCase(),
      );
    },
    get: async (ctx) => {
      await catalogueIndex(ctx.services);
      const doc = providerDocument(ctx.services, ctx.path.names[0], ctx.path.subscriptionId);
      if (!doc) throw Errors.invalidResourceNamespace(ctx.path.names[0]);
      return { status: 200, body: doc };
    },
    post: async (ctx) => {
      await catalogueIndex(ctx.services);
      const ns = ctx.path.names[0];
      const p = ctx.services.registry.provider(ns);
      const action = (ctx.path.action ?? '').toLowerCase();
      if (!p) throw Errors.invalidResourceNamespace(ns);
      if (!ctx.path.subscriptionId || (action !== 'register' && action !== 'unregister')) {
        throw Errors.methodNotAllowed('POST', `${NS}/providers`, ['GET']);
      }
      if (p.namespace === NS) {
        if (action === 'unregister') throw Errors.conflictWith('CannotUnregisterProvider', `The provider '${NS}' is part of ARM and cannot be unregistered.`);
        return { status: 200, body: providerDocument(ctx.services, p.namespace, ctx.path.subscriptionId) };
      }
      const state = action === 'register' ? 'Registered' : 'Unregistered';
      const doc = providerDocument(ctx.services, p.namespace, ctx.path.subscriptionId)!;
      // The core commits the registration record; the answer shows the state it will have.
      return {
        status: 200,
        body: { ...doc, registrationState: state },
        records: [{ collection: REGISTRATIONS, key: registrationKey(ctx.path.subscriptionId, p.namespace), value: { state, at: new Date().toISOString() } }],
      };
    },
  },
};
