// Microsoft.Resources: ARM's own surfaces (subscriptions, tenants, locations, resource groups,
// provider registrations, generic resource lists), declared through the same framework as any
// provider. Resource groups are stored resources whose DELETE is a long-running cascade.

import { Errors } from '../../arm/errors.js';
import { pageOf, pageOfKeys } from '../../framework/paging.js';
import { idKey } from '../../framework/repository.js';
import { allSubscriptions, registrationKey, registrationState, REGISTRATIONS } from '../../framework/registration.js';
import { matchesFilter, parseFilter } from '../../framework/filter.js';
import type { Services } from '../../framework/types.js';
import { CASCADE_TASK } from '../../framework/cascade.js';
import { everyLocation } from '../../framework/candidate.js';
import { mergeVersions } from '../../catalogue/versions.js';
import { deploymentTypes, initDeployments } from './deployments.js';
import type { ArmResource, ResourceProvider, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';

/** Newest first; az picks the first non-preview entry. */
export const RESOURCES_API_VERSIONS = [
  '2025-04-01', '2025-03-01', '2024-11-01', '2024-07-01', '2024-03-01', '2023-07-01', '2022-12-01', '2022-09-01', '2021-04-01',
  '2021-01-01', '2020-10-01', '2020-08-01', '2020-06-01', '2020-01-01', '2019-11-01', '2019-10-01', '2019-09-01',
  '2019-08-01', '2019-07-01', '2019-06-01', '2019-05-10', '2019-05-01', '2019-03-01', '2018-05-01', '2018-02-01',
  '2017-05-10', '2016-09-01', '2016-07-01', '2016-06-01', '2016-02-01', '2015-11-01', '2015-01-01', '2014-04-01',
];

const NS = 'Microsoft.Resources';

function subscriptionBody(s: { subscriptionId: string; tenantId: string; displayName: string }) {
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

const subscriptions: ResourceTypeDefinition = {
  namespace: NS,
  type: 'subscriptions',
  scope: 'tenant',
  tracked: false,
  apiVersions: RESOURCES_API_VERSIONS,
  handlers: {
    list: (ctx) => ({
      status: 200,
      body: {
        value: allSubscriptions(ctx.services)
          .filter((s) => !ctx.services.config.auth || s.tenantId.toLowerCase() === ctx.principal.tenantId.toLowerCase())
          .map(subscriptionBody),
        count: { type: 'Total', value: allSubscriptions(ctx.services).length },
      },
    }),
    get: (ctx) => {
      const s = ctx.subscription; // the core looked it up (and refused a subscription that does not exist)
      if (!s) throw Errors.subscriptionNotFound(ctx.path.names[0]);
      return { status: 200, body: subscriptionBody(s) };
    },
  },
};

const tenants: ResourceTypeDefinition = {
  namespace: NS,
  type: 'tenants',
  scope: 'tenant',
  tracked: false,
  apiVersions: RESOURCES_API_VERSIONS,
  handlers: {
    list: (ctx) => {
      const ids = [...new Set(allSubscriptions(ctx.services).map((s) => s.tenantId))];
      return {
        status: 200,
        body: {
          value: ids.map((t) => ({ id: `/tenants/${t}`, tenantId: t, tenantCategory: 'Home', displayName: 'ARM Emulator', defaultDomain: 'emulator.local', domains: ['emulator.local'], tenantType: 'AAD' })),
        },
      };
    },
  },
};

const locations: ResourceTypeDefinition = {
  namespace: NS,
  type: 'locations',
  scope: 'subscription',
  tracked: false,
  apiVersions: RESOURCES_API_VERSIONS,
  handlers: {
    list: (ctx) => ({
      status: 200,
      body: {
        value: ctx.services.locations.list().map((l) => ({
          id: `/subscriptions/${ctx.path.subscriptionId}/locations/${l.name}`,
          name: l.name,
          type: 'Region',
          displayName: l.displayName,
          regionalDisplayName: l.regionalDisplayName ?? l.displayName,
          metadata: {
            regionType: l.kind === 'AzureRegion' ? 'Physical' : 'Logical',
            regionCategory: l.kind === 'AzureRegion' ? 'Recommended' : 'Other',
            physicalLocation: l.kind === 'AzureRegion' ? l.displayName : 'On-premises',
            latitude: l.latitude,
            longitude: l.longitude,
            geographyGroup: l.kind === 'AzureRegion' ? 'Azure' : 'Azure Stack Hub',
            pairedRegion: [],
          },
        })),
      },
    }),
  },
};

// ---- resource groups -----------------------------------------------------------------------------

const resourceGroups: ResourceTypeDefinition = {
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
    out.properties = { provisioningState: s.deleting ? 'Deleting' : r.properties?.provisioningState ?? 'Succeeded' };
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
        locations: t.locations === '*' || !t.locations ? everyLocation(services, t).map((l) => services.locations.get(l)?.displayName ?? l) : t.locations.map((l) => services.locations.get(l)?.displayName ?? l),
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

const providers: ResourceTypeDefinition = {
  namespace: NS,
  type: 'providers',
  scope: 'subscription',
  tracked: false,
  apiVersions: RESOURCES_API_VERSIONS,
  handlers: {
    list: async (ctx) => {
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
      return pageOf(ctx, docs, (d) => d, (d) => d.namespace.toLowerCase());
    },
    get: (ctx) => {
      const doc = providerDocument(ctx.services, ctx.path.names[0], ctx.path.subscriptionId);
      if (!doc) throw Errors.invalidResourceNamespace(ctx.path.names[0]);
      return { status: 200, body: doc };
    },
    post: async (ctx) => {
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

// ---- generic resource lists ------------------------------------------------------------------------

const resources: ResourceTypeDefinition = {
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

export const resourcesProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [subscriptions, tenants, locations, resourceGroups, providers, resources, ...deploymentTypes(['2026-06-01', ...RESOURCES_API_VERSIONS])],
  init(services) {
    initDeployments(services);
  },
};


