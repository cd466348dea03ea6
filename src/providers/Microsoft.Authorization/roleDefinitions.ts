// roleDefinitions: built-in roles and custom roles (stored under their assignable scope).

import { Errors } from '../../arm/errors.js';
import { pageOf } from '../../framework/paging.js';
import type { ArmResource, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { customRoleData } from '../../authorization/authorizer.js';
import { BUILTIN_ROLES, type RoleDefinitionData } from '../../authorization/builtin-roles.js';
import { below, covers, normScope } from '../../authorization/evaluator.js';
import { NS, AUTHORIZATION_API_VERSIONS, GUID_RE, authz, scopeOf } from './common.js';
import { extensionType, ownOperations } from '../typeParts.js';

/** Role definition ids are always written at subscription level inside a subscription, at the root otherwise. */
export function roleDefinitionId(subscriptionId: string | undefined, guid: string): string {
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

export const roleDefinitions: ResourceTypeDefinition = {
  ...extensionType(NS, 'roleDefinitions', AUTHORIZATION_API_VERSIONS),
  providerOperations: ownOperations(
    'roleDefinitions',
    ['Get role definition', 'Get information about a role definition.'],
    ['Create or update custom role definition', 'Create or update a custom role definition with specified permissions and assignable scopes.'],
    ['Delete custom role definition', 'Delete the specified custom role definition.'],
  ),
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
      return pageOf(
        ctx,
        items.filter((i) => keep(i.data)),
        (i) => roleDefinitionWire(i.data, ctx.path.subscriptionId, i.stored),
        (i) => i.data.name,
      );
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
    if (
      BUILTIN_ROLES.some((r) => r.roleName.toLowerCase() === name) ||
      authz(ctx)
        .customDefinitions()
        .some((d) => d.resource.name.toLowerCase() !== guid.toLowerCase() && String(d.resource.properties?.roleName ?? '').toLowerCase() === name)
    ) {
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
