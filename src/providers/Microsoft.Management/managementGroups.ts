// Microsoft.Management/managementGroups: the management-group hierarchy of a tenant, as ARM serves it
// (`az account management-group create|show|list|update|delete`, `... subscription add|remove|show`).
// Every tenant has its root group, named after the tenant ("Tenant Root Group"), made when the emulator
// starts; a group created without a parent goes under it, and every subscription sits in the root group
// until it is moved. Groups are the scope of management-group deployments
// (`/providers/Microsoft.Management/managementGroups/{g}/providers/Microsoft.Resources/deployments/{d}`).
// Creates and deletes answer at once (200 / 204: the spec allows it; clients poll only on 202).

import { createHash } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import { OWNER_ID } from '../../authorization/builtin-roles.js';
import { typeKeyOf } from '../../framework/registry.js';
import { idKey } from '../../framework/repository.js';
import type { WriteOp } from '../../store/store.js';
import type { ArmResource, RequestContext, ResourceTypeDefinition, Services, StoredResource } from '../../framework/types.js';

export const NS = 'Microsoft.Management';
export const TYPE = `${NS}/managementGroups`;
export const MANAGEMENT_GROUPS = typeKeyOf(NS, 'managementGroups');
export const API_VERSIONS = ['2023-04-01', '2021-04-01', '2020-10-01', '2020-05-01', '2020-02-01', '2019-11-01', '2018-03-01-preview', '2018-01-01-preview', '2017-11-01-preview'];
const NAME_RULE = {
  pattern: /^[-\w().]{0,89}[-\w()]$/,
  message: "A management group name is 1-90 letters, digits, '-', '_', '(', ')' and '.' characters, not ending with '.'.",
};

export const groupId = (name: string) => `/providers/${TYPE}/${name}`;

function tenantOf(services: Services, ctx?: Pick<RequestContext, 'principal'>): string {
  return ctx?.principal.tenantId || services.config.tenantId;
}

export function group(services: Services, name: string): StoredResource | undefined {
  const s = services.resources.get(groupId(name));
  return s && s.typeKey === MANAGEMENT_GROUPS ? s : undefined;
}

export function groups(services: Services): StoredResource[] {
  return services.resources.listByParent('').filter((s) => s.typeKey === MANAGEMENT_GROUPS);
}

export function isRoot(s: StoredResource): boolean {
  return s.internal.root === true;
}

function parentOf(services: Services, s: StoredResource): StoredResource | undefined {
  const p = s.internal.parent as string | undefined;
  return p ? group(services, p) : undefined;
}

/** The groups from the root down to (not including) `s`. */
function ancestors(services: Services, s: StoredResource): StoredResource[] {
  const out: StoredResource[] = [];
  const seen = new Set<string>();
  for (let p = parentOf(services, s); p && !seen.has(p.resource.name.toLowerCase()); p = parentOf(services, p)) {
    seen.add(p.resource.name.toLowerCase());
    out.unshift(p);
  }
  return out;
}

function childGroups(services: Services, s: StoredResource): StoredResource[] {
  const name = s.resource.name.toLowerCase();
  return groups(services).filter((g) => String(g.internal.parent ?? '').toLowerCase() === name);
}

/** Subscriptions directly in a group: those moved there, and in the root group every one not moved elsewhere. */
export function subscriptionsIn(services: Services, s: StoredResource): string[] {
  const own = (s.internal.subscriptions as string[] | undefined) ?? [];
  if (!isRoot(s)) return own;
  const elsewhere = new Set(
    groups(services)
      .filter((g) => !isRoot(g))
      .flatMap((g) => ((g.internal.subscriptions as string[] | undefined) ?? []).map((x) => x.toLowerCase())),
  );
  const tenant = String(s.resource.properties?.tenantId ?? '').toLowerCase();
  return services.config.subscriptions.filter((x) => x.tenantId.toLowerCase() === tenant && !elsewhere.has(x.subscriptionId.toLowerCase())).map((x) => x.subscriptionId);
}

/** The group a subscription sits in (the root group unless it was moved). */
export function groupOfSubscription(services: Services, subscriptionId: string): StoredResource | undefined {
  const sub = subscriptionId.toLowerCase();
  for (const g of groups(services)) if (!isRoot(g) && ((g.internal.subscriptions as string[] | undefined) ?? []).some((x) => x.toLowerCase() === sub)) return g;
  return groups(services).find(isRoot);
}

function brief(s: StoredResource) {
  return { id: s.resource.id, name: s.resource.name, displayName: String(s.resource.properties?.displayName ?? s.resource.name) };
}

function childrenOf(services: Services, s: StoredResource, recurse: boolean): unknown[] {
  const out: unknown[] = [];
  for (const c of childGroups(services, s)) {
    const b = brief(c);
    out.push({ id: b.id, type: TYPE, name: b.name, displayName: b.displayName, ...(recurse ? { children: childrenOf(services, c, true) } : {}) });
  }
  for (const sub of subscriptionsIn(services, s)) {
    const cfg = services.config.subscriptions.find((x) => x.subscriptionId.toLowerCase() === sub.toLowerCase());
    out.push({ id: `/subscriptions/${sub}`, type: '/subscriptions', name: sub, displayName: cfg?.displayName ?? sub });
  }
  return out;
}

/** A group as GET shows it; `expand` is $expand (children, path, ancestors), `recurse` $recurse. */
function wire(services: Services, s: StoredResource, expand = new Set<string>(), recurse = false): ArmResource {
  const p = s.resource.properties ?? {};
  const details: Record<string, unknown> = { version: p.details?.version ?? 1, updatedTime: p.details?.updatedTime, updatedBy: p.details?.updatedBy };
  const parent = parentOf(services, s);
  if (parent) details.parent = brief(parent);
  if (expand.has('path')) details.path = ancestors(services, s).map((a) => ({ name: a.resource.name, displayName: brief(a).displayName }));
  if (expand.has('ancestors')) {
    const chain = ancestors(services, s).reverse();
    details.managementGroupAncestors = chain.map((a) => a.resource.name);
    details.managementGroupAncestorsChain = chain.map((a) => ({ name: a.resource.name, displayName: brief(a).displayName }));
  }
  const properties: Record<string, unknown> = { tenantId: p.tenantId, displayName: p.displayName ?? s.resource.name, details };
  if (expand.has('children')) properties.children = childrenOf(services, s, recurse);
  return { id: s.resource.id, type: TYPE, name: s.resource.name, properties };
}

export function notFound(name: string) {
  return Errors.withStatus(404, 'NotFound', `The management group '${groupId(name)}' could not be found.`);
}

/** The parent a request names: `/providers/Microsoft.Management/managementGroups/{g}` or a bare name. */
function parentName(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const m = /managementGroups\/([^/]+)\/?$/i.exec(v);
  return m ? m[1] : v;
}

/** Refuses a parent that does not exist or sits below the group itself (a cycle). */
function checkParent(services: Services, name: string, parent: string): StoredResource {
  const p = group(services, parent);
  if (!p) throw Errors.withStatus(404, 'NotFound', `The parent management group '${groupId(parent)}' could not be found.`);
  const chain = [p, ...ancestors(services, p)];
  if (chain.some((a) => a.resource.name.toLowerCase() === name.toLowerCase())) {
    throw Errors.invalid('BadRequest', `The management group '${name}' cannot be moved under itself or one of its descendants ('${parent}').`);
  }
  return p;
}

export function put(services: Services, s: StoredResource): WriteOp[] {
  return services.resources.putOps(s);
}

export const managementGroups: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managementGroups',
  scope: 'tenant',
  tracked: false,
  apiVersions: API_VERSIONS,
  nameRule: NAME_RULE,
  providerOperations: [
    { name: 'managementGroups/read', operation: 'Get Management Group', description: 'Lists management groups, or gets one with its children, path or ancestors.' },
    { name: 'managementGroups/write', operation: 'Create or Update Management Group', description: 'Creates or updates a management group.' },
    { name: 'managementGroups/delete', operation: 'Delete Management Group', description: 'Deletes a management group that has no children.' },
  ],
  onPut(ctx, candidate) {
    const { services } = ctx;
    const name = ctx.path.names[0];
    const body = ctx.body ?? {};
    const props = (body.properties ?? {}) as Record<string, any>;
    const existing = ctx.existing;
    if (existing && isRoot(existing) && props.details?.parent?.id) throw Errors.invalid('BadRequest', 'The root management group cannot be moved.');
    const root = groups(services).find(isRoot);
    const requested = parentName(props.details?.parent?.id);
    const parent = requested ?? (existing?.internal.parent as string | undefined) ?? (existing && isRoot(existing) ? undefined : root?.resource.name);
    if (parent && !(existing && isRoot(existing))) checkParent(services, name, parent);
    const version = Number(existing?.resource.properties?.details?.version ?? 0) + 1;
    // As in Azure, whoever creates a group is Owner of it (so a principal can build its own hierarchy).
    const creator = !existing && ctx.principal.objectId && services.authorizer ? ownerAssignment(groupId(name), ctx.principal.objectId) : undefined;
    if (creator) services.authorizer!.noteAssignment(creator.resource);
    const resource: ArmResource = {
      ...candidate,
      properties: {
        tenantId: existing?.resource.properties?.tenantId ?? tenantOf(services, ctx),
        displayName: typeof props.displayName === 'string' && props.displayName !== '' ? props.displayName : (existing?.resource.properties?.displayName ?? name),
        details: { version, updatedTime: new Date().toISOString(), updatedBy: ctx.principal.objectId },
      },
    };
    return {
      resource,
      internal: { ...(existing?.internal ?? {}), ...(parent && !(existing && isRoot(existing)) ? { parent } : {}) },
      related: creator ? { put: [creator] } : undefined,
      createdStatus: 200,
    };
  },
  toWire: (s, _v, services) => wire(services, s),
  handlers: {
    list: (ctx) => ({
      status: 200,
      body: {
        value: groups(ctx.services)
          .sort((a, b) => a.resource.name.localeCompare(b.resource.name))
          .map((s) => ({
            id: s.resource.id,
            type: TYPE,
            name: s.resource.name,
            properties: { tenantId: s.resource.properties?.tenantId, displayName: s.resource.properties?.displayName ?? s.resource.name },
          })),
        nextLink: null,
      },
    }),
    get: (ctx) => {
      const s = group(ctx.services, ctx.path.names[0]);
      if (!s) throw notFound(ctx.path.names[0]);
      const expand = new Set(
        String(ctx.query.$expand ?? '')
          .split(',')
          .map((x) => x.trim().toLowerCase())
          .filter(Boolean),
      );
      return { status: 200, body: wire(ctx.services, s, expand, String(ctx.query.$recurse ?? '').toLowerCase() === 'true') };
    },
    patch: (ctx) => {
      const { services } = ctx;
      const s = group(services, ctx.path.names[0]);
      if (!s) throw notFound(ctx.path.names[0]);
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      const next: StoredResource = structuredClone(s);
      const p = (next.resource.properties ??= {});
      if (typeof body.displayName === 'string' && body.displayName !== '') p.displayName = body.displayName;
      const parent = parentName(body.parentGroupId);
      if (parent) {
        if (isRoot(s)) throw Errors.invalid('BadRequest', 'The root management group cannot be moved.');
        next.internal.parent = checkParent(services, s.resource.name, parent).resource.name;
      }
      p.details = { ...(p.details ?? {}), version: Number(p.details?.version ?? 0) + 1, updatedTime: new Date().toISOString(), updatedBy: ctx.principal.objectId };
      return { status: 200, body: wire(services, next), records: put(services, next) };
    },
    delete: (ctx) => {
      const { services } = ctx;
      const s = group(services, ctx.path.names[0]);
      if (!s) return { status: 204 };
      if (isRoot(s)) throw Errors.invalid('BadRequest', 'The root management group cannot be deleted.');
      const children = [...childGroups(services, s).map((c) => c.resource.id), ...subscriptionsIn(services, s).map((x) => `/subscriptions/${x}`)];
      if (children.length) {
        throw Errors.invalid(
          'BadRequest',
          `The management group '${s.resource.name}' has children (${children.join(', ')}); move or delete them first. If a management group contains child resources, the request fails.`,
        );
      }
      // The group goes with what was deployed at its scope (deployments, role assignments: its extension resources).
      const ops: WriteOp[] = [];
      for (const d of services.resources.descendants(s.resource.id)) ops.push(...services.resources.deleteOps(d.resource.id));
      ops.push(...services.resources.deleteOps(s.resource.id));
      return { status: 204, records: ops };
    },
  },
};

/** The Owner assignment a group's creator gets on it. */
function ownerAssignment(scope: string, principalId: string): { resource: ArmResource } {
  const name = createHash('sha256').update(`mg-owner:${scope.toLowerCase()}:${principalId.toLowerCase()}`).digest('hex');
  const guid = `${name.slice(0, 8)}-${name.slice(8, 12)}-4${name.slice(13, 16)}-9${name.slice(17, 20)}-${name.slice(20, 32)}`;
  const now = new Date().toISOString();
  return {
    resource: {
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${guid}`,
      name: guid,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${OWNER_ID}`,
        principalId,
        principalType: 'ServicePrincipal',
        scope,
        condition: null,
        conditionVersion: null,
        description: 'The creator of a management group is Owner of it.',
        createdBy: principalId,
        updatedBy: principalId,
        createdOn: now,
        updatedOn: now,
      },
    },
  };
}

/** The management groups above a scope, nearest first (normalised), for RBAC through the hierarchy. */
function groupsAbove(services: Services, target: string): string[] {
  const chain = (g: StoredResource | undefined) => (g ? [g, ...ancestors(services, g).reverse()] : []);
  const scope = (g: StoredResource) => g.resource.id.toLowerCase();
  const sub = /^\/subscriptions\/([^/]+)/.exec(target);
  if (sub) return chain(groupOfSubscription(services, sub[1])).map(scope);
  const mg = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)/.exec(target);
  if (mg) {
    const g = group(services, mg[1]);
    return g ? ancestors(services, g).reverse().map(scope) : [];
  }
  return [];
}

/** Each configured tenant's root group ("Tenant Root Group", named after the tenant), made once. */
function rootGroups(services: Services): StoredResource[] {
  const out: StoredResource[] = [];
  const tenants = new Set(services.config.subscriptions.map((s) => s.tenantId.toLowerCase()));
  tenants.add(services.config.tenantId.toLowerCase());
  for (const t of tenants) {
    const tenantId = services.config.subscriptions.find((s) => s.tenantId.toLowerCase() === t)?.tenantId ?? services.config.tenantId;
    if (services.resources.get(groupId(tenantId))) continue;
    const now = new Date().toISOString();
    out.push({
      resource: { id: groupId(tenantId), name: tenantId, type: TYPE, properties: { tenantId, displayName: 'Tenant Root Group', details: { version: 1, updatedTime: now, updatedBy: 'System' } } },
      internal: { root: true },
      parent: idKey(''),
      typeKey: MANAGEMENT_GROUPS,
    });
  }
  return out;
}

/** At start: RBAC reaches through the hierarchy, and every tenant has its root group. */
export async function initManagementGroups(services: Services): Promise<void> {
  if (services.authorizer) services.authorizer.managementGroupsAbove = (target) => groupsAbove(services, target);
  // The core commits the seed (provider modules never write the store).
  const roots = rootGroups(services);
  if (roots.length) await services.resourceManager.seed({ put: roots.map((r) => ({ resource: r.resource, internal: r.internal })) });
}
