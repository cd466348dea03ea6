// Enforcement of role assignments. The resource manager calls authorize() once per call that names a
// principal, after routing, and passes list results through the returned filter. Everything here is
// pure apart from reading the role index. It takes the request and its route as plain data (below the
// framework: the framework's RequestContext and Route fit these shapes).

import { Errors, ArmError } from '../arm/errors.js';
import type { ParsedPath, Principal } from '../arm/types.js';
import type { Authorizer } from './authorizer.js';
import { actionFor, actionTypeOf, readActionOfWireType, typeOfResourceId } from './actions.js';
import { hasAccessBelow, hasAnyAccess, isAllowed } from './evaluator.js';

export function authorizerOf(services: { authorizer?: Authorizer }): Authorizer | undefined {
  return services.authorizer;
}

/** What authorize() reads of a request. */
export interface AccessRequest {
  method: string;
  path: ParsedPath;
  principal: Principal;
  body?: unknown;
  services: {
    config: { auth: boolean };
    authorizer?: Authorizer;
    asyncOperations?: { get(id: string): { startedBy?: string; typeKey: string; resourceId: string } | undefined };
    resources?: { get(id: string): { internal: Record<string, unknown> } | undefined };
  };
}

/** The type (and action) a request was routed to. */
export interface AccessTarget {
  kind: 'instance' | 'collection' | 'action';
  def: { namespace: string; type: string };
  action?: string;
}

/** A response whose body may be a list ({ value: [...] }). */
type Listed = { body?: unknown };

export interface Access {
  /** Narrows a list response to what the caller may read (identity when nothing to narrow). */
  filter<R extends Listed>(res: R): R;
}

const PASS: Access = { filter: (r) => r };

export function authorizationFailed(ctx: Pick<AccessRequest, 'principal'>, action: string, scope: string): ArmError {
  return Errors.withStatus(
    403,
    'AuthorizationFailed',
    `The client '${ctx.principal.clientId}' with object id '${ctx.principal.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

export function linkedAuthorizationFailed(ctx: Pick<AccessRequest, 'principal'>, action: string, scope: string, linked: { action: string; scope: string }[]): ArmError {
  return Errors.withStatus(
    403,
    'LinkedAuthorizationFailed',
    `The client '${ctx.principal.clientId}' with object id '${ctx.principal.objectId}' has permission to perform action '${action}' on scope '${scope}'; however, it does not have permission to perform action(s) '${linked.map((l) => l.action).join(',')}' on the linked scope(s) '${linked.map((l) => l.scope).join(',')}' (respectively) or the linked scope(s) are invalid.`,
  );
}

const lower = (s: string | undefined) => (s ?? '').toLowerCase();

/**
 * Checks the request against the caller's role assignments; throws 403 when it is not allowed.
 * No-op with --no-auth, and when the Microsoft.Authorization provider is not loaded.
 */
export function authorize(ctx: AccessRequest, target: AccessTarget): Access {
  const { services } = ctx;
  if (!services.config.auth) return PASS;
  const authz = authorizerOf(services);
  if (!authz || !authz.enforce) return PASS;
  const oid = ctx.principal.objectId;
  const ns = lower(target.def.namespace);
  const type = lower(target.def.type);
  const sub = ctx.path.subscriptionId;
  const subScope = sub ? `/subscriptions/${sub}` : '';

  // Surfaces every principal reaches: operations catalogues, role definitions, its own permissions;
  // elevateAccess decides itself (a Global Administrator of the directory, not an Azure role).
  if (type === 'operations') return PASS;
  if (ns === 'microsoft.authorization' && (type === 'permissions' || type === 'elevateaccess' || (type === 'roledefinitions' && ctx.method === 'GET'))) return PASS;
  // Operation polling (at subscription scope): whoever started the operation, or whoever may read what it works on.
  if (type.startsWith('locations/operation')) {
    checkOperationRead(ctx, authz, target);
    return PASS;
  }

  if (ns === 'microsoft.resources') {
    // calculateTemplateHash touches nothing: anyone signed in may ask it.
    if (type === 'tenants' || type === 'calculatetemplatehash') return PASS;
    if (type === 'subscriptions') {
      if (target.kind === 'collection') return { filter: (res) => filterValue(res, (item) => hasAnyAccess(authz, oid, String(item.id ?? ''))) };
      if (!hasAnyAccess(authz, oid, ctx.path.id)) throw authorizationFailed(ctx, 'Microsoft.Resources/subscriptions/read', ctx.path.id);
      return PASS;
    }
    if ((type === 'providers' || type === 'locations') && ctx.method === 'GET') {
      if (!sub || hasAnyAccess(authz, oid, subScope)) return PASS;
      throw authorizationFailed(ctx, actionFor(target.def.namespace, target.def.type, 'GET'), ctx.path.id);
    }
    if (type === 'providers' && target.kind === 'action') {
      const action = `${ctx.path.names[0]}/${ctx.path.action}/action`;
      if (!isAllowed(authz, oid, action, subScope)) throw authorizationFailed(ctx, action, subScope);
      return PASS;
    }
  }

  // Management groups: the list shows those the caller may read (none is not an error).
  if (ns === 'microsoft.management' && type === 'managementgroups' && target.kind === 'collection' && ctx.method === 'GET') {
    return { filter: (res) => filterValue(res, (item) => isAllowed(authz, oid, 'Microsoft.Management/managementGroups/read', String(item.id ?? ''))) };
  }
  // Management groups, as Azure's default hierarchy settings have it: any principal may create a group
  // (and is made its Owner); under a parent other than the root it needs write on that parent.
  if (ns === 'microsoft.management' && type === 'managementgroups' && ctx.method === 'PUT' && target.kind === 'instance' && services.resources && !services.resources.get(ctx.path.id)) {
    const body = ctx.body as { properties?: { details?: { parent?: { id?: unknown } } } } | undefined;
    const parent = /managementGroups\/([^/]+)\/?$/i.exec(String(body?.properties?.details?.parent?.id ?? ''))?.[1];
    const parentScope = parent ? `/providers/Microsoft.Management/managementGroups/${parent}` : undefined;
    const parentGroup = parentScope ? services.resources.get(parentScope) : undefined;
    // A parent that does not exist is the handler's 404.
    if (!parentGroup || parentGroup.internal.root === true || isAllowed(authz, oid, 'Microsoft.Management/managementGroups/write', parentScope!)) return PASS;
    throw authorizationFailed(ctx, 'Microsoft.Management/managementGroups/write', parentScope!);
  }

  const scope = ctx.path.id;
  const action = actionFor(target.def.namespace, target.def.type, ctx.method, target.kind === 'action' ? target.action : undefined);

  if (target.kind === 'collection' && ctx.method === 'GET') {
    if (isAllowed(authz, oid, action, scope)) return PASS;
    // Access to part of the scope: the list shows that part.
    if (hasAccessBelow(authz, oid, collectionScope(ctx))) {
      return {
        filter: (res) =>
          filterValue(res, (item) => {
            const id = String(item.id ?? '');
            const read = typeof item.type === 'string' ? readActionOfWireType(item.type) : action;
            return !!id && !!read && isAllowed(authz, oid, read, id);
          }),
      };
    }
    throw authorizationFailed(ctx, action, scope);
  }

  if (!isAllowed(authz, oid, action, scope)) throw authorizationFailed(ctx, action, scope);

  if ((ctx.method === 'PUT' || ctx.method === 'PATCH') && ctx.body && typeof ctx.body === 'object') {
    const denied = linkedScopes(ctx.body).filter((l) => !isAllowed(authz, oid, l.action, l.scope));
    if (denied.length) throw linkedAuthorizationFailed(ctx, action, scope, denied);
  }
  return PASS;
}

/**
 * An operation's status or result may hold what only its resource's readers may see (a kubeconfig, a
 * deployment's outputs): the principal that started it, or one allowed to read the resource it works on,
 * polls it; anyone else gets 403, as for the resource itself. An unknown id is left to the route (404).
 */
function checkOperationRead(ctx: AccessRequest, authz: Authorizer, target: AccessTarget): void {
  const id = ctx.path.names[1];
  const op = id ? ctx.services.asyncOperations?.get(id) : undefined;
  if (!op) return;
  const oid = ctx.principal.objectId.toLowerCase();
  if (op.startedBy && op.startedBy.toLowerCase() === oid) return;
  const slash = op.typeKey.indexOf('/');
  const read = slash > 0 ? `${actionTypeOf(op.typeKey.slice(0, slash), op.typeKey.slice(slash + 1))}/read` : undefined;
  if (read && isAllowed(authz, oid, read, op.resourceId)) return;
  throw authorizationFailed(ctx, `${target.def.namespace}/${target.def.type}/read`, ctx.path.id);
}

/** Is the principal Owner (a role allowing every action) at the root scope '/'? */
export function isRootOwner(services: { authorizer?: Authorizer }, objectId: string): boolean {
  const authz = authorizerOf(services);
  if (!authz) return false;
  return authz.assignmentsOf(objectId).some((a) => a.scope === '/' && authz.role(a.roleDefinitionGuid)?.all === true);
}

/** The scope a collection lives in ('/subscriptions/s/resourceGroups/rg/providers/NS/type' -> the group). */
function collectionScope(ctx: AccessRequest): string {
  return ctx.path.scopeId || ctx.path.id;
}

function filterValue<R extends Listed>(res: R, keep: (item: Record<string, unknown>) => boolean): R {
  const body = res.body as { value?: unknown[] } | undefined;
  if (!body || !Array.isArray(body.value)) return res;
  return { ...res, body: { ...body, value: body.value.filter((v) => v && typeof v === 'object' && keep(v as Record<string, unknown>)) } };
}

/** Properties whose value names another resource the caller must be allowed to join. */
const LINK_KEYS = new Set(['vnetsubnetid', 'vnetsubnetids', 'podsubnetid', 'subnetid', 'subnetids', 'networkid', 'logicalnetworkid', 'virtualnetworkid']);
const ID_RE = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+/i;

/**
 * The linked checks ARM makes on a write: a custom location named in extendedLocation needs
 * 'Microsoft.ExtendedLocation/customLocations/deploy/action' on it; a network named in a known
 * property needs '{its type}/join/action' on it.
 */
export function linkedScopes(body: Record<string, any>): { action: string; scope: string }[] {
  const out: { action: string; scope: string }[] = [];
  const el = body.extendedLocation;
  if (el && typeof el === 'object' && typeof el.name === 'string' && ID_RE.test(el.name) && (el.type === undefined || (typeof el.type === 'string' && lower(el.type) === 'customlocation'))) {
    out.push({ action: 'Microsoft.ExtendedLocation/customLocations/deploy/action', scope: el.name });
  }
  const seen = new Set<string>();
  const visit = (v: unknown, depth: number) => {
    if (depth > 8 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (LINK_KEYS.has(k.toLowerCase())) {
        for (const id of Array.isArray(val) ? val : [val]) {
          if (typeof id !== 'string' || !ID_RE.test(id) || seen.has(id.toLowerCase())) continue;
          const t = typeOfResourceId(id);
          if (!t) continue;
          seen.add(id.toLowerCase());
          out.push({ action: `${t}/join/action`, scope: id });
        }
      } else {
        visit(val, depth + 1);
      }
    }
  };
  visit(body.properties, 0);
  return out;
}
