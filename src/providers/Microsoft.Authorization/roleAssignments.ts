// roleAssignments: extension resources at any scope, kept in the resource store under it (deleting the scope deletes them).

import { Errors } from '../../arm/errors.js';
import { pageOf } from '../../framework/paging.js';
import type { ArmResource, RequestContext, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { ASSIGNMENT_TYPE_KEY, assignmentRef, roleGuidOf } from '../../authorization/authorizer.js';
import { below, covers, normScope } from '../../authorization/evaluator.js';
import { directoryOf } from '../../graph/directory.js';
import { NS, AUTHORIZATION_API_VERSIONS, GUID_RE, authz, scopeOf } from './common.js';
import { extensionType, ownOperations } from '../typeParts.js';
import { roleDefinitionId } from './roleDefinitions.js';

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

export const roleAssignments: ResourceTypeDefinition = {
  ...extensionType(NS, 'roleAssignments', AUTHORIZATION_API_VERSIONS),
  providerOperations: ownOperations(
    'roleAssignments',
    ['Get role assignment', 'Get information about a role assignment.'],
    ['Create role assignment', 'Create a role assignment at the specified scope.'],
    ['Delete role assignment', 'Delete a role assignment at the specified scope.'],
  ),
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
      throw Errors.invalid(
        'PrincipalNotFound',
        `Principal ${p.principalId.replace(/-/g, '')} does not exist in the directory ${ctx.principal.tenantId || ctx.services.config.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
      );
    }
    const pid = p.principalId.toLowerCase();
    const existing = ctx.existing ? assignmentRef(ctx.existing.resource) : undefined;
    if (existing && (existing.principalId !== pid || existing.roleDefinitionGuid !== guid || existing.scope !== scope)) {
      throw Errors.invalid('RoleAssignmentUpdateNotPermitted', 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.');
    }
    const self = ctx.path.id.toLowerCase();
    if (
      authz(ctx)
        .assignmentsOf(pid)
        .some((a) => a.key !== self && a.roleDefinitionGuid === guid && a.scope === scope)
    ) {
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
