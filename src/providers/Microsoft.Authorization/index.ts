// Microsoft.Authorization: role definitions (built-in + custom), role assignments and the caller's
// effective permissions, at every scope (tenant root, subscription, resource group, resource).
// Role assignments and custom roles are extension resources kept in the resource store under their
// scope: deleting the scope (a group, a resource) deletes them with the existing cascade.

import { createHash } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import { pageOf } from '../../framework/paging.js';
import type { ArmResource, RequestContext, ResourceProvider, ResourceTypeDefinition, StoredResource, Related } from '../../framework/types.js';
import type { Services } from '../../framework/types.js';
import { Authorizer, ASSIGNMENT_TYPE_KEY, DEFINITION_TYPE_KEY, assignmentRef, customRoleData, roleGuidOf } from '../../authorization/authorizer.js';
import { BUILTIN_ROLES, OWNER_ID, USER_ACCESS_ADMINISTRATOR_ID, type RoleDefinitionData } from '../../authorization/builtin-roles.js';
import { below, covers, normScope, permissionsAt } from '../../authorization/evaluator.js';
import { authorizationFailed, authorizerOf } from '../../authorization/enforce.js';
import { relatedOps } from '../../framework/related.js';
import { directoryOf } from '../../graph/directory.js';
import { objectIdFor } from '../../identity/tokens.js';

const NS = 'Microsoft.Authorization';

/** Newest first. az 2.45 sends 2020-04-01-preview / 2018-01-01-preview (latest) and 2015-07-01 (hybrid). */
export const AUTHORIZATION_API_VERSIONS = [
  '2022-04-01', '2022-05-01-preview', '2022-01-01-preview', '2021-04-01-preview', '2020-10-01-preview', '2020-08-01-preview',
  '2020-10-01', '2020-04-01-preview', '2020-03-01-preview', '2018-09-01-preview', '2018-07-01', '2018-01-01-preview', '2017-10-01-preview',
  '2017-05-01', '2016-09-01', '2015-07-01', '2015-06-01',
];

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const authz = (ctx: { services: Services }): Authorizer => authorizerOf(ctx.services)!;

/** The scope a request under /providers/Microsoft.Authorization addresses ('/' at the root). */
const scopeOf = (ctx: RequestContext): string => ctx.path.scopeId || '/';

/** Role definition ids are always written at subscription level inside a subscription, at the root otherwise. */
function roleDefinitionId(subscriptionId: string | undefined, guid: string): string {
  return `${subscriptionId ? `/subscriptions/${subscriptionId}` : ''}/providers/${NS}/roleDefinitions/${guid}`;
}

function roleDefinitionWire(data: RoleDefinitionData, subscriptionId: string | undefined, stored?: StoredResource) {
  const sd = stored?.resource.systemData;
  return {
    id: roleDefinitionId(subscriptionId, data.name),
    name: data.name,
    type: `${NS}/roleDefinitions`,
    properties: {
      roleName: data.roleName,
      type: data.roleType,
      description: data.description,
      assignableScopes: data.assignableScopes,
      permissions: data.permissions.map((p) => ({
        actions: p.actions ?? [],
        notActions: p.notActions ?? [],
        dataActions: p.dataActions ?? [],
        notDataActions: p.notDataActions ?? [],
      })),
      createdOn: sd?.createdAt ?? '2015-02-02T21:55:09.8806423Z',
      updatedOn: sd?.lastModifiedAt ?? '2021-11-11T20:13:47.8628684Z',
      createdBy: stored ? (stored.resource.properties?.createdBy ?? null) : null,
      updatedBy: stored ? (stored.resource.properties?.updatedBy ?? null) : null,
    },
  };
}

/** OData $filter on role definitions: roleName eq '...', type eq 'BuiltInRole'|'CustomRole'. */
function roleFilter(f: string | undefined): (d: RoleDefinitionData) => boolean {
  if (!f) return () => true;
  const preds = f.split(/\s+and\s+/i).map((clause) => {
    const m = /^\s*(roleName|type)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(clause);
    if (!m) throw Errors.badRequest(`The filter '${f}' is not supported. Supported filters are roleName eq '{value}' and type eq 'BuiltInRole|CustomRole'.`);
    const v = m[2].replace(/''/g, "'").toLowerCase();
    return m[1].toLowerCase() === 'rolename' ? (d: RoleDefinitionData) => d.roleName.toLowerCase() === v : (d: RoleDefinitionData) => d.roleType.toLowerCase() === v;
  });
  return (d) => preds.every((p) => p(d));
}

const roleDefinitions: ResourceTypeDefinition = {
  namespace: NS,
  type: 'roleDefinitions',
  scope: 'extension',
  tracked: false,
  apiVersions: AUTHORIZATION_API_VERSIONS,
  providerOperations: [
    { name: 'roleDefinitions/read', operation: 'Get role definition', description: 'Get information about a role definition.' },
    { name: 'roleDefinitions/write', operation: 'Create or update custom role definition', description: 'Create or update a custom role definition with specified permissions and assignable scopes.' },
    { name: 'roleDefinitions/delete', operation: 'Delete custom role definition', description: 'Delete the specified custom role definition.' },
  ],
  handlers: {
    get: (ctx) => {
      const guid = ctx.path.names[0];
      const found = GUID_RE.test(guid) ? authz(ctx).definition(guid) : undefined;
      if (!found) throw Errors.withStatus(404, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${guid}' does not exist.`);
      return { status: 200, body: roleDefinitionWire(found.data, ctx.path.subscriptionId, found.stored) };
    },
    list: (ctx) => {
      const scope = normScope(scopeOf(ctx));
      const keep = roleFilter(ctx.query.$filter);
      const items: { data: RoleDefinitionData; stored?: StoredResource }[] = BUILTIN_ROLES.map((data) => ({ data }));
      for (const s of authz(ctx).customDefinitions()) {
        const data = customRoleData(s);
        if (data.assignableScopes.some((a) => covers(normScope(a), scope) || below(normScope(a), scope))) items.push({ data, stored: s });
      }
      return pageOf(ctx, items.filter((i) => keep(i.data)), (i) => roleDefinitionWire(i.data, ctx.path.subscriptionId, i.stored), (i) => i.data.name);
    },
  },
  validate(ctx, candidate) {
    const guid = ctx.path.names[0];
    if (!GUID_RE.test(guid)) throw Errors.invalid('InvalidRoleDefinitionId', `The role definition ID '${guid}' is not valid. The role definition ID must be a GUID.`);
    const p = candidate.properties ?? {};
    if (BUILTIN_ROLES.some((r) => r.name === guid.toLowerCase()) || (p.type && String(p.type).toLowerCase() === 'builtinrole')) {
      throw Errors.withStatus(403, 'RoleDefinitionAuthorizationFailed', 'Built-in role definitions cannot be created, updated or deleted.');
    }
    if (typeof p.roleName !== 'string' || !p.roleName.trim()) throw Errors.invalid('RoleDefinitionNameNullOrEmpty', 'The role definition name cannot be null or empty.');
    if (!Array.isArray(p.assignableScopes) || p.assignableScopes.length === 0) {
      throw Errors.invalid('InvalidAssignableScopes', 'The role definition must have at least one assignable scope.');
    }
    if (!Array.isArray(p.permissions) || p.permissions.some((x: any) => !x || typeof x !== 'object' || (x.actions !== undefined && !Array.isArray(x.actions)))) {
      throw Errors.invalid('InvalidRoleDefinition', "The role definition's permissions must be an array of {actions, notActions, dataActions, notDataActions}.");
    }
    const name = p.roleName.toLowerCase();
    if (BUILTIN_ROLES.some((r) => r.roleName.toLowerCase() === name) || authz(ctx).customDefinitions().some((d) => d.resource.name.toLowerCase() !== guid.toLowerCase() && String(d.resource.properties?.roleName ?? '').toLowerCase() === name)) {
      throw Errors.conflictWith('RoleDefinitionWithSameNameExists', 'A custom role with the same name already exists in this directory. Use a different name.');
    }
  },
  onPut(ctx, candidate) {
    const p = candidate.properties ?? {};
    const resource: ArmResource = {
      ...candidate,
      properties: {
        roleName: p.roleName,
        description: typeof p.description === 'string' ? p.description : '',
        type: 'CustomRole',
        permissions: p.permissions.map((x: any) => ({ actions: x.actions ?? [], notActions: x.notActions ?? [], dataActions: x.dataActions ?? [], notDataActions: x.notDataActions ?? [] })),
        assignableScopes: p.assignableScopes.map(String),
        createdBy: ctx.existing?.resource.properties?.createdBy ?? ctx.principal.objectId,
        updatedBy: ctx.principal.objectId,
      },
    };
    authz(ctx).noteDefinition({ ...resource, id: ctx.path.id, name: ctx.path.names[0] });
    return { resource };
  },
  toWire(s) {
    return roleDefinitionWire(customRoleData(s), s.resource.id.match(/^\/subscriptions\/([^/]+)/i)?.[1], s) as unknown as ArmResource;
  },
  // The spec's RoleDefinitions_Delete answers 200 with the deleted role definition.
  deleteReturnsResource: true,
};

// ---- role assignments ------------------------------------------------------------------------

function assignmentWire(s: StoredResource, apiVersion: string) {
  const r = s.resource;
  const p = r.properties ?? {};
  const props: Record<string, unknown> = { roleDefinitionId: p.roleDefinitionId, principalId: p.principalId, scope: p.scope };
  if (apiVersion >= '2018-01-01-preview') props.principalType = p.principalType ?? 'ServicePrincipal';
  if (apiVersion >= '2020-04-01-preview') {
    Object.assign(props, {
      condition: p.condition ?? null,
      conditionVersion: p.conditionVersion ?? null,
      createdOn: r.systemData?.createdAt,
      updatedOn: r.systemData?.lastModifiedAt,
      createdBy: p.createdBy ?? null,
      updatedBy: p.updatedBy ?? null,
      delegatedManagedIdentityResourceId: null,
      description: p.description ?? null,
    });
  }
  return { properties: props, id: r.id, type: `${NS}/roleAssignments`, name: r.name };
}

/** $filter on role assignment lists: atScope(), principalId eq '...', assignedTo('...'), joined by 'and'. */
function assignmentFilter(f: string | undefined): { atScope: boolean; principalId?: string } {
  const out: { atScope: boolean; principalId?: string } = { atScope: false };
  if (!f || !f.trim()) return out;
  for (const clause of f.split(/\s+and\s+/i)) {
    const c = clause.trim();
    let m: RegExpExecArray | null;
    if (/^atScope\(\)$/i.test(c)) out.atScope = true;
    else if ((m = /^principalId\s+eq\s+'([^']*)'$/i.exec(c)) || (m = /^assignedTo\('([^']*)'\)$/i.exec(c))) out.principalId = m[1].toLowerCase();
    else throw Errors.invalid('UnsupportedQuery', `The filter '${f}' is not supported. Supported filters are atScope(), principalId eq '{id}' and assignedTo('{id}').`);
  }
  return out;
}

/**
 * The assignment's input properties. az 2.45's hybrid profile (2015-07-01) sends them unwrapped,
 * at the top level of the body ({"roleDefinitionId","principalId"}); both forms are accepted.
 */
function assignmentInput(ctx: RequestContext, candidate: ArmResource): Record<string, any> {
  const p = { ...(candidate.properties ?? {}) };
  const body = ctx.body && typeof ctx.body === 'object' ? ctx.body : {};
  for (const k of ['roleDefinitionId', 'principalId', 'principalType', 'description', 'condition', 'conditionVersion']) {
    if (p[k] === undefined && body[k] !== undefined) p[k] = body[k];
  }
  return p;
}

const roleAssignments: ResourceTypeDefinition = {
  namespace: NS,
  type: 'roleAssignments',
  scope: 'extension',
  tracked: false,
  apiVersions: AUTHORIZATION_API_VERSIONS,
  providerOperations: [
    { name: 'roleAssignments/read', operation: 'Get role assignment', description: 'Get information about a role assignment.' },
    { name: 'roleAssignments/write', operation: 'Create role assignment', description: 'Create a role assignment at the specified scope.' },
    { name: 'roleAssignments/delete', operation: 'Delete role assignment', description: 'Delete a role assignment at the specified scope.' },
  ],
  handlers: {
    list: (ctx) => {
      const scope = normScope(scopeOf(ctx));
      const f = assignmentFilter(ctx.query.$filter);
      const items = ctx.services.resources.listByType(ASSIGNMENT_TYPE_KEY).filter((s) => {
        const ref = assignmentRef(s.resource);
        if (!ref) return false;
        if (f.principalId && ref.principalId !== f.principalId) return false;
        return covers(ref.scope, scope) || (!f.atScope && below(ref.scope, scope));
      });
      return pageOf(ctx, items, (s) => assignmentWire(s, ctx.apiVersion));
    },
  },
  validate(ctx, candidate) {
    const name = ctx.path.names[0];
    if (!GUID_RE.test(name)) throw Errors.invalid('InvalidRoleAssignmentId', `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`);
    const p = assignmentInput(ctx, candidate);
    if (typeof p.roleDefinitionId !== 'string' || !p.roleDefinitionId) {
      throw Errors.invalid('InvalidRoleDefinitionId', 'The role definition ID is missing; set properties.roleDefinitionId.', 'properties.roleDefinitionId');
    }
    const guid = roleGuidOf(p.roleDefinitionId);
    const role = GUID_RE.test(guid) ? authz(ctx).definition(guid) : undefined;
    if (!role) throw Errors.invalid('RoleDefinitionDoesNotExist', `The specified role definition with ID '${guid}' does not exist.`);
    const scope = normScope(scopeOf(ctx));
    if (role.data.roleType === 'CustomRole' && !role.data.assignableScopes.some((a) => covers(normScope(a), scope))) {
      throw Errors.withStatus(403, 'RoleAssignmentScopeNotAssignableToRoleDefinition', `The role ${role.data.roleName} is not available for assignment at the requested scope.`);
    }
    if (typeof p.principalId !== 'string' || !p.principalId) {
      throw Errors.invalid('InvalidPrincipalId', 'A valid principal ID must be specified.', 'properties.principalId');
    }
    if (!directoryOf(ctx.services).principalType(p.principalId)) {
      throw Errors.invalid('PrincipalNotFound', `Principal ${p.principalId.replace(/-/g, '')} does not exist in the directory ${ctx.principal.tenantId || ctx.services.config.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`);
    }
    const pid = p.principalId.toLowerCase();
    const existing = ctx.existing ? assignmentRef(ctx.existing.resource) : undefined;
    if (existing && (existing.principalId !== pid || existing.roleDefinitionGuid !== guid || existing.scope !== scope)) {
      throw Errors.invalid('RoleAssignmentUpdateNotPermitted', 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.');
    }
    const self = ctx.path.id.toLowerCase();
    if (authz(ctx).assignmentsOf(pid).some((a) => a.key !== self && a.roleDefinitionGuid === guid && a.scope === scope)) {
      throw Errors.conflictWith('RoleAssignmentExists', 'The role assignment already exists.');
    }
  },
  onPut(ctx, candidate) {
    const p = assignmentInput(ctx, candidate);
    const resource: ArmResource = {
      ...candidate,
      properties: {
        roleDefinitionId: roleDefinitionId(ctx.path.subscriptionId, roleGuidOf(p.roleDefinitionId)),
        principalId: p.principalId,
        principalType: p.principalType ?? directoryOf(ctx.services).principalType(p.principalId),
        scope: ctx.path.scopeId || '/',
        condition: p.condition ?? null,
        conditionVersion: p.conditionVersion ?? null,
        description: p.description ?? null,
        createdBy: ctx.existing?.resource.properties?.createdBy ?? ctx.principal.objectId,
        updatedBy: ctx.principal.objectId,
      },
    };
    // index it now; the index re-checks the store on use, so a write that fails leaves no trace
    authz(ctx).noteAssignment({ ...resource, id: ctx.path.id });
    return { resource };
  },
  toWire(s, apiVersion) {
    return assignmentWire(s, apiVersion) as unknown as ArmResource;
  },
  // RoleAssignments_Delete answers 200 with the deleted assignment; a missing one is RoleAssignmentNotFound.
  deleteReturnsResource: true,
  notFound: (path) => Errors.withStatus(404, 'RoleAssignmentNotFound', `The role assignment '${path.names[path.names.length - 1]}' is not found.`),
};

// ---- permissions ----------------------------------------------------------------------------------

const permissions: ResourceTypeDefinition = {
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

// ---- elevateAccess ------------------------------------------------------------------------------------

/**
 * POST /providers/Microsoft.Authorization/elevateAccess: a Global Administrator of the directory (the
 * configured service principals, or a principal given the role through Graph) gets User Access
 * Administrator at the root scope '/', from where it can assign any role anywhere (Owner of '/' included),
 * as in Azure. Everyone else: 403 AuthorizationFailed.
 */
const elevateAccess: ResourceTypeDefinition = {
  namespace: NS,
  type: 'elevateAccess',
  scope: 'tenant',
  tracked: false,
  apiVersions: ['2017-05-01', '2016-07-01', '2015-07-01'],
  providerOperations: [{ name: 'elevateAccess/action', operation: 'Elevate access', description: "Grants the caller User Access Administrator access at the tenant scope." }],
  handlers: {
    post: (ctx) => {
      if (!ctx.services.config.auth) return { status: 200 };
      const oid = ctx.principal.objectId;
      if (!directoryOf(ctx.services).isGlobalAdministrator(oid)) throw authorizationFailed(ctx, 'Microsoft.Authorization/elevateAccess/action', `/providers/${NS}`);
      const held = authz(ctx).assignmentsOf(oid).some((a) => a.scope === '/' && a.roleDefinitionGuid === USER_ACCESS_ADMINISTRATOR_ID);
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

// ---- start-up: the configured service principals own their subscriptions ----------------------------

function derivedGuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-9${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Once per store (a marker remembers it, so a deliberate delete sticks): every service principal of
 * the configuration gets Owner on each subscription of its tenant, as the account that created them.
 */
function bootstrapOwners(services: Services, authorizer: Authorizer): Related {
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

export const authorizationProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [roleDefinitions, roleAssignments, permissions, elevateAccess],
  async init(services) {
    // The core commits the seed (provider modules never write the store).
    const seed = bootstrapOwners(services, services.authorizer);
    if (seed.put?.length) await services.resourceManager.seed(seed);
  },
};

export { DEFINITION_TYPE_KEY };
