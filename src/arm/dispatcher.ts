// The ARM front door's request pipeline, independent of the HTTP framework:
// parse path -> authenticate -> api-version -> resolve type -> subscription/parent checks ->
// the type's custom handler or the generic stored-resource verbs -> response.

import { v4 as uuidv4 } from 'uuid';
import { ArmError, Errors } from './errors.js';
import { parsePath, splitPath, RESOURCES_NS } from './paths.js';
import { resolve, checkApiVersion, type Target } from './resolve.js';
import { parseJsonBody, validateAgainst } from './body.js';
import { checkName } from './names.js';
import { pageOf } from './paging.js';
import type { Services } from '../framework/services.js';
import type {
  ArmResource,
  ParsedPath,
  Principal,
  RequestContext,
  ResourceTypeDefinition,
  StoredResource,
  SystemData,
} from '../framework/types.js';
import { typeKeyOf } from '../framework/registry.js';
import type { OperationPlan, OperationRecord } from '../lro/types.js';
import type { TokenService } from '../identity/tokens.js';
import { idKey } from '../framework/repository.js';
import { authorize } from '../authorization/enforce.js';

export interface ArmRequest {
  method: string;
  pathname: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  rawBody?: Buffer;
  baseUrl: string;
}

export interface ArmResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const WRITE_METHODS = new Set(['PUT', 'PATCH', 'DELETE', 'POST']);
const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

export async function handleArm(req: ArmRequest, services: Services, tokens: TokenService | null): Promise<ArmResponse> {
  const method = req.method.toUpperCase();
  const parsed = parsePath(splitPath(req.pathname));

  // Authentication comes first, as at ARM.
  let principal: Principal = { tenantId: services.config.tenantId, clientId: 'anonymous', objectId: '00000000-0000-0000-0000-000000000000' };
  const sub = parsed.subscriptionId ? findSubscription(services, parsed.subscriptionId) : undefined;
  if (tokens) principal = tokens.verify(req.headers.authorization, `${req.baseUrl}/adfs`, sub?.tenantId);

  const apiVersionRaw = req.query['api-version'];
  if (apiVersionRaw === undefined || apiVersionRaw === '') throw Errors.missingApiVersion();
  const target = resolve(services.registry, parsed, method);
  const apiVersion = checkApiVersion(apiVersionRaw, target.def);

  if (parsed.subscriptionId && !sub) throw Errors.subscriptionNotFound(parsed.subscriptionId);

  const ctx: RequestContext = {
    method,
    apiVersion,
    path: target.path,
    def: target.def,
    query: req.query,
    headers: req.headers,
    body: undefined,
    baseUrl: req.baseUrl,
    principal,
    services,
  };
  if (method === 'PUT' || method === 'PATCH' || method === 'POST') ctx.body = parseJsonBody(req.rawBody);
  // RBAC: throws 403 unless the caller's role assignments allow the action; narrows lists (src/authorization).
  const access = authorize(ctx, target);

  if (WRITE_METHODS.has(method) && target.def.namespace !== RESOURCES_NS && parsed.subscriptionId) {
    const state = registrationState(services, parsed.subscriptionId, target.def.namespace);
    if (state !== 'Registered') throw Errors.missingSubscriptionRegistration(services.registry.provider(target.def.namespace)!.namespace);
  }

  const custom = target.def.handlers;
  const verb = target.kind === 'action' ? 'post' : (method.toLowerCase() as 'get');
  if (target.kind === 'collection' && method === 'GET' && custom?.list) return access.filter(await custom.list(ctx));
  if (target.kind === 'action') ctx.path.action = target.action; // custom POST handlers read it here
  if (target.kind !== 'collection' && custom && (custom as any)[verb]) {
    if (target.kind === 'action' && method !== 'POST') throw Errors.methodNotAllowed(method, `${target.def.namespace}/${target.def.type}/${(target as any).action}`);
    return (custom as any)[verb](ctx);
  }
  return target.kind === 'collection' ? access.filter(await dispatchStored(target, ctx)) : dispatchStored(target, ctx);
}

export function findSubscription(services: Services, id: string) {
  return services.config.subscriptions.find((s) => s.subscriptionId.toLowerCase() === id.toLowerCase());
}

// ---- provider registration ---------------------------------------------------------------------

export function registrationState(services: Services, subscriptionId: string, namespace: string): string {
  const rec = services.store.get<{ state: string }>('registrations', `${subscriptionId}/${namespace}`.toLowerCase());
  if (rec) return rec.state;
  return services.registry.provider(namespace)?.registeredByDefault === false ? 'NotRegistered' : 'Registered';
}

// ---- generic stored-resource verbs ---------------------------------------------------------------

function typeName(def: ResourceTypeDefinition): string {
  return `${def.namespace}/${def.type}`;
}

/** 'Microsoft.X/type/name/child/childName' as ARM's ResourceNotFound message writes it. */
function typeAndName(p: ParsedPath, def: ResourceTypeDefinition): string {
  const ts = def.type.split('/');
  return `${def.namespace}/${ts.map((t, i) => (p.names[i] !== undefined ? `${t}/${p.names[i]}` : t)).join('/')}`;
}

/** The scope id a resource of this path lives under (lowercased for the parent index). */
export function parentIdOf(p: ParsedPath, def: ResourceTypeDefinition): string {
  const ts = def.type.split('/');
  if (ts.length > 1) {
    // child of a resource of the same namespace
    const parentTypes = ts.slice(0, -1);
    const parts = parentTypes.map((t, i) => `${t}/${p.names[i]}`).join('/');
    return idKey(`${p.scopeId}/providers/${def.namespace}/${parts}`);
  }
  return idKey(p.scopeId);
}

async function dispatchStored(target: Target, ctx: RequestContext): Promise<ArmResponse> {
  const { def, path } = target;
  const { services } = ctx;
  await checkParents(ctx, target);
  if (target.kind === 'collection') {
    if (ctx.method !== 'GET') throw Errors.methodNotAllowed(ctx.method, typeName(def));
    return listStored(ctx);
  }
  ctx.existing = services.resources.get(path.id);
  if (target.kind === 'action') {
    if (ctx.method !== 'POST') throw Errors.methodNotAllowed(ctx.method, `${typeName(def)}/${target.action}`);
    return runAction(ctx, target.action);
  }
  switch (ctx.method) {
    case 'GET':
      if (!ctx.existing) throw notFound(ctx);
      return { status: 200, body: toWire(ctx.existing, def, ctx.apiVersion), headers: etagHeader(ctx.existing) };
    case 'HEAD':
      return { status: ctx.existing ? 204 : 404 };
    case 'PUT':
      return putStored(ctx);
    case 'PATCH':
      return patchStored(ctx);
    case 'DELETE':
      return deleteStored(ctx);
    default:
      throw Errors.methodNotAllowed(ctx.method, typeName(def));
  }
}

function notFound(ctx: RequestContext): ArmError {
  const { def, path } = ctx;
  if (def.namespace === RESOURCES_NS && def.type === 'resourceGroups') return Errors.resourceGroupNotFound(path.names[0]);
  return Errors.resourceNotFound(typeAndName(path, def), path.resourceGroup);
}

/** Resource group (and parent resource) must exist; writes into a deleting group are refused. */
async function checkParents(ctx: RequestContext, target: Target): Promise<void> {
  const { path, def, services } = ctx;
  const write = WRITE_METHODS.has(ctx.method);
  if (path.resourceGroup !== undefined && !(def.namespace === RESOURCES_NS && def.type === 'resourceGroups')) {
    const rg = services.resources.get(`/subscriptions/${path.subscriptionId}/resourceGroups/${path.resourceGroup}`);
    if (!rg) throw Errors.resourceGroupNotFound(path.resourceGroup);
    if (write && rg.deleting && !(ctx as any).internal) throw Errors.resourceGroupBeingDeleted(rg.resource.name);
  }
  if (def.scope === 'resourceGroup' && target.kind !== 'collection' && !def.type.includes('/') && !path.extendedParent && path.resourceGroup === undefined) {
    throw new ArmError(400, 'InvalidResourceType', `The resource type '${typeName(def)}' lives in a resource group; address it as /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${typeName(def)}/{name}.`);
  }
  const parentId = def.type.includes('/') ? parentIdOf(path, def) : path.extendedParent ? idKey(path.scopeId) : undefined;
  if (parentId) {
    const parent = services.resources.get(parentId);
    if (!parent) {
      throw new ArmError(
        404,
        'ParentResourceNotFound',
        `Failed to perform '${write ? 'write' : 'read'}' on resource(s) of type '${typeName(def)}', because the parent resource '${path.extendedParent ? path.scopeId : parentId}' could not be found.`,
      );
    }
    ctx.parent = parent;
  }
}

function etagHeader(s: StoredResource): Record<string, string> {
  return s.resource.etag ? { ETag: s.resource.etag } : {};
}

export function toWire(s: StoredResource, def: ResourceTypeDefinition, apiVersion: string): ArmResource {
  if (def.toWire) return def.toWire(s, apiVersion);
  return structuredClone(s.resource);
}

function systemDataFor(ctx: RequestContext, existing?: SystemData): SystemData {
  const now = new Date().toISOString();
  const header = ctx.headers['x-ms-arm-resource-system-data'];
  let by = ctx.principal.clientId;
  let byType = 'Application';
  if (header) {
    try {
      const h = JSON.parse(header);
      by = h.lastModifiedBy ?? h.createdBy ?? by;
      byType = h.lastModifiedByType ?? h.createdByType ?? byType;
    } catch {
      /* ignore a malformed hint header */
    }
  }
  return {
    createdBy: existing?.createdBy ?? by,
    createdByType: existing?.createdByType ?? byType,
    createdAt: existing?.createdAt ?? now,
    lastModifiedBy: by,
    lastModifiedByType: byType,
    lastModifiedAt: now,
  };
}

function newEtag(): string {
  return `"${uuidv4()}"`;
}

const unquote = (e: string) => e.trim().replace(/^W\//, '').replace(/^"|"$/g, '');

/** If-Match / If-None-Match, per ARM's matrix. */
function checkConditions(ctx: RequestContext): void {
  const ifMatch = ctx.headers['if-match'];
  const ifNoneMatch = ctx.headers['if-none-match'];
  const cur = ctx.existing?.resource.etag;
  if (ifMatch !== undefined && ifMatch !== '') {
    if (!ctx.existing) {
      if (ctx.method === 'PATCH') throw notFound(ctx);
      if (ctx.method !== 'DELETE') throw Errors.preconditionFailed(`The resource does not exist, but the request's If-Match condition '${ifMatch}' requires it to.`);
    } else if (ifMatch.trim() !== '*' && !ifMatch.split(',').some((e) => cur && unquote(e) === unquote(cur))) {
      throw Errors.preconditionFailed(`The ETag '${ifMatch}' in the If-Match header does not match the resource's current ETag '${cur ?? ''}'.`);
    }
  }
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() === '*' && ctx.existing && ctx.method === 'PUT') {
    throw Errors.preconditionFailed(`The resource '${ctx.path.names[ctx.path.names.length - 1]}' already exists and the request's If-None-Match is '*'.`);
  }
}

function refuseWhileBusy(ctx: RequestContext): void {
  const s = ctx.existing;
  if (!s?.operationId) return;
  const op = ctx.services.operations.get(s.operationId);
  if (op && op.status === 'InProgress') {
    throw Errors.anotherOperationInProgress(
      `Operation is not allowed because there's an in progress ${op.kind === 'action' ? op.action : op.kind} operation (${op.id}) on resource '${s.resource.name}'. Retry after it completes.`,
    );
  }
}

/** Builds the candidate resource from a PUT body: top-level envelope plus properties. */
function candidateFromBody(ctx: RequestContext): ArmResource {
  const { def, path, services } = ctx;
  const body = ctx.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body) || body === null) {
    throw new ArmError(400, 'InvalidRequestContent', 'The request content must be a JSON object.');
  }
  const name = path.names[path.names.length - 1];
  const r: ArmResource = { id: path.id, name, type: typeName(def) };
  for (const k of ['kind', 'sku', 'plan', 'identity', 'managedBy', 'extendedLocation', 'zones']) {
    if (body[k] !== undefined) r[k] = body[k];
  }
  if (def.tracked) {
    if (typeof body.location !== 'string' || body.location.trim() === '') {
      throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.', { target: 'location' });
    }
    const loc = services.locations.normalize(body.location);
    if (!loc) {
      throw new ArmError(
        400,
        'LocationNotAvailableForResourceType',
        `The provided location '${body.location}' is not available for resource type '${typeName(def)}'. List of available regions for the resource type is '${allowedLocations(ctx).join(',')}'.`,
        { target: 'location' },
      );
    }
    const allowed = allowedLocations(ctx);
    if (!allowed.includes(loc)) {
      throw Errors.locationNotAvailable(body.location, typeName(def), allowed);
    }
    r.location = loc;
    if (ctx.existing?.resource.location && ctx.existing.resource.location !== loc) {
      throw new ArmError(
        409,
        def.type === 'resourceGroups' ? 'InvalidResourceGroupLocation' : 'InvalidResourceLocation',
        def.type === 'resourceGroups'
          ? `Invalid resource group location '${body.location}'. The Resource group already exists in location '${ctx.existing.resource.location}'.`
          : `The resource '${name}' already exists in location '${ctx.existing.resource.location}' in resource group '${path.resourceGroup}'. A resource with the same name cannot be created in location '${loc}'. Please select a new resource name.`,
      );
    }
    r.tags = checkTags(body.tags);
  } else if (body.tags !== undefined) {
    r.tags = checkTags(body.tags);
  }
  const props = body.properties;
  if (props !== undefined && (typeof props !== 'object' || Array.isArray(props) || props === null)) {
    throw new ArmError(400, 'InvalidRequestContent', "The request content is invalid: property 'properties' must be an object.", { target: 'properties' });
  }
  r.properties = structuredClone(props ?? {});
  // A provisioningState that differs from the server's is a client error (RPC), one that matches is ignored.
  const ps = r.properties!.provisioningState;
  if (ps !== undefined) {
    const cur = ctx.existing?.resource.properties?.provisioningState;
    if (cur !== undefined && ps !== cur) {
      throw new ArmError(400, 'InvalidRequestContent', `The provisioningState '${ps}' in the request does not match the resource's state '${cur}'; it is read-only.`, { target: 'properties.provisioningState' });
    }
    delete r.properties!.provisioningState;
  }
  return r;
}

export function allowedLocations(ctx: RequestContext): string[] {
  const l = ctx.def.locations;
  if (!l || l === '*') return ctx.services.locations.names();
  return l;
}

export function checkTags(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  if (typeof tags !== 'object' || Array.isArray(tags)) {
    throw new ArmError(400, 'InvalidTag', "The 'tags' property must be an object of string values.", { target: 'tags' });
  }
  const out: Record<string, string> = {};
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > 50) throw new ArmError(400, 'InvalidTagCount', `A resource can have at most 50 tags; the request has ${entries.length}.`, { target: 'tags' });
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > 512 || /[<>%&\\?/]/.test(k)) {
      throw new ArmError(400, 'InvalidTagNameCharacters', `The tag name '${k}' is invalid: it must be 1-512 characters without '<', '>', '%', '&', '\\', '?' or '/'.`, { target: 'tags' });
    }
    if (typeof v !== 'string') throw new ArmError(400, 'InvalidTag', `The value of tag '${k}' must be a string.`, { target: `tags.${k}` });
    if (v.length > 256) throw new ArmError(400, 'InvalidTagValueLength', `The value of tag '${k}' is longer than 256 characters.`, { target: `tags.${k}` });
    out[k] = v;
  }
  return out;
}

async function putStored(ctx: RequestContext): Promise<ArmResponse> {
  const { def, path, services } = ctx;
  checkName(def, path.names[path.names.length - 1]);
  checkConditions(ctx);
  refuseWhileBusy(ctx);
  if (ctx.existing?.deleting) throw Errors.conflict(`The resource '${ctx.existing.resource.name}' is being deleted.`);
  const schema = typeof def.schema === 'function' ? def.schema(ctx.apiVersion) : def.schema;
  if (schema) validateAgainst(schema, ctx.body ?? {});
  const candidate = candidateFromBody(ctx);
  if (def.validate) await def.validate(ctx, candidate);
  const outcome = def.onPut ? await def.onPut(ctx, candidate) : { resource: { ...candidate, properties: { ...candidate.properties, provisioningState: 'Succeeded' } } };
  const created = !ctx.existing;
  return commitWrite(ctx, outcome.resource, outcome.internal, outcome.operation, created ? 201 : 200, created ? 'create' : 'update');
}

async function commitWrite(
  ctx: RequestContext,
  resource: ArmResource,
  internal: Record<string, any> | undefined,
  plan: OperationPlan | undefined,
  status: number,
  kind: 'create' | 'update',
): Promise<ArmResponse> {
  const { def, path, services } = ctx;
  const existing = ctx.existing;
  resource.id = path.id;
  resource.name = path.names[path.names.length - 1];
  resource.type = typeName(def);
  resource.systemData = systemDataFor(ctx, existing?.resource.systemData);
  resource.etag = newEtag();
  const stored: StoredResource = {
    resource,
    internal: internal ?? existing?.internal ?? {},
    parent: parentIdOf(path, def),
    typeKey: typeKeyOf(def.namespace, def.type),
  };
  const headers: Record<string, string> = etagHeader(stored);
  const ops = [];
  let op: OperationRecord | undefined;
  if (plan) {
    op = services.operations.create({ ...plan, kind: plan.kind ?? kind }, targetOf(ctx, stored));
    stored.operationId = op.id;
    ops.push(services.operations.writeOp(op));
    Object.assign(headers, lroHeaders(ctx, op, true));
  } else if (resource.properties && resource.properties.provisioningState === undefined) {
    resource.properties.provisioningState = 'Succeeded';
  }
  ops.push(...services.resources.putOps(stored));
  await services.resources.commit(ops);
  if (op) services.operations.run(op);
  return { status, headers, body: toWire(stored, def, ctx.apiVersion) };
}

function targetOf(ctx: RequestContext, stored: StoredResource) {
  return {
    resourceId: stored.resource.id,
    typeKey: stored.typeKey,
    namespace: ctx.def.namespace,
    location: (stored.resource.location as string | undefined) ?? ctx.parent?.resource.location ?? 'global',
    subscriptionId: ctx.path.subscriptionId ?? '',
    method: ctx.method as OperationRecord['method'],
    apiVersion: ctx.apiVersion,
  };
}

/** Absolute operation URLs under the resource's namespace and location. */
export function lroHeaders(ctx: { baseUrl: string; services: Services }, op: OperationRecord, withLocation: boolean): Record<string, string> {
  const base = `${ctx.baseUrl}/subscriptions/${op.subscriptionId}/providers/${op.namespace}/locations/${op.location}`;
  const q = `?api-version=${op.apiVersion}`;
  const h: Record<string, string> = {
    'Azure-AsyncOperation': `${base}/operationStatuses/${op.id}${q}`,
    'Retry-After': String(ctx.services.config.retryAfter),
  };
  if (withLocation) h.Location = `${base}/operationResults/${op.id}${q}`;
  return h;
}

async function patchStored(ctx: RequestContext): Promise<ArmResponse> {
  const { def } = ctx;
  checkConditions(ctx);
  if (!ctx.existing) throw notFound(ctx);
  refuseWhileBusy(ctx);
  const mode = def.patch ?? (def.tracked ? 'tags' : false);
  if (mode === false) throw Errors.methodNotAllowed('PATCH', typeName(def));
  const body = ctx.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body) || body === null) throw new ArmError(400, 'InvalidRequestContent', 'The request content must be a JSON object.');
  const candidate = structuredClone(ctx.existing.resource);
  // Tags are replaced as a whole (RPC), everything in properties is a JSON merge patch.
  if (body.tags !== undefined) candidate.tags = checkTags(body.tags);
  if (mode === 'merge') {
    if (body.properties !== undefined) candidate.properties = mergePatch(candidate.properties ?? {}, body.properties);
    for (const k of ['sku', 'identity', 'kind']) if (body[k] !== undefined) candidate[k] = mergePatch(candidate[k], body[k]);
  }
  const existing = ctx.existing;
  const outcome = def.onPatch
    ? await def.onPatch(ctx as RequestContext & { existing: StoredResource }, candidate)
    : { resource: candidate };
  return commitWrite(ctx, outcome.resource, outcome.internal ?? existing.internal, outcome.operation, 200, 'update').then((r) =>
    outcome.operation ? { ...r, status: 202 } : r,
  );
}

export function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

async function deleteStored(ctx: RequestContext): Promise<ArmResponse> {
  checkConditions(ctx);
  if (!ctx.existing) return { status: 204 };
  const existing = ctx.existing;
  if (existing.deleting || (existing.operationId && ctx.services.operations.get(existing.operationId)?.kind === 'delete')) {
    // A delete already under way: answer with the same operation, as ARM does for a repeated DELETE.
    const op = existing.operationId ? ctx.services.operations.get(existing.operationId) : undefined;
    if (op && op.status === 'InProgress') return { status: 202, headers: lroHeaders(ctx, op, true) };
  }
  refuseWhileBusy(ctx);
  const result = await startDelete(ctx.services, existing, ctx.def, {
    apiVersion: ctx.apiVersion,
    principal: ctx.principal,
    baseUrl: ctx.baseUrl,
    ctx,
  });
  if (result.op) return { status: 202, headers: lroHeaders(ctx, result.op, true) };
  return { status: 200 };
}

/**
 * Deletes a stored resource through its type's hooks; used by DELETE and by cascades.
 * Returns the operation when the delete is asynchronous.
 */
export async function startDelete(
  services: Services,
  existing: StoredResource,
  def: ResourceTypeDefinition,
  opts: { apiVersion: string; principal: Principal; baseUrl: string; ctx?: RequestContext },
): Promise<{ op?: OperationRecord }> {
  const ctx: RequestContext & { existing: StoredResource } = {
    ...(opts.ctx ?? syntheticContext(services, existing, def, opts.apiVersion, opts.principal, opts.baseUrl)),
    existing,
  };
  const outcome = def.onDelete ? await def.onDelete(ctx) : {};
  if (outcome.operation) {
    const stored: StoredResource = structuredClone(existing);
    stored.resource.properties = { ...(stored.resource.properties ?? {}), provisioningState: 'Deleting' };
    stored.deleting = true;
    const op = services.operations.create({ ...outcome.operation, kind: 'delete' }, {
      ...targetOf(ctx, stored),
      method: 'DELETE',
    });
    stored.operationId = op.id;
    await services.resources.commit([services.operations.writeOp(op), ...services.resources.putOps(stored)]);
    services.operations.run(op);
    return { op };
  }
  const ops = [];
  for (const d of services.resources.descendants(existing.resource.id)) ops.push(...services.resources.deleteOps(d.resource.id));
  ops.push(...services.resources.deleteOps(existing.resource.id));
  await services.resources.commit(ops);
  return {};
}

function syntheticContext(
  services: Services,
  existing: StoredResource,
  def: ResourceTypeDefinition,
  apiVersion: string,
  principal: Principal,
  baseUrl: string,
): RequestContext {
  const path = parsePath(splitPath(existing.resource.id));
  path.id = existing.resource.id;
  return { method: 'DELETE', apiVersion, path, def, query: {}, headers: {}, body: undefined, baseUrl, principal, services };
}

async function runAction(ctx: RequestContext, action: string): Promise<ArmResponse> {
  const { def } = ctx;
  const entry = Object.entries(def.actions ?? {}).find(([k]) => k.toLowerCase() === action.toLowerCase());
  if (!entry) {
    throw new ArmError(404, 'InvalidResourceType', `The resource type '${def.type}/${action}' could not be found in the namespace '${def.namespace}' for api version '${ctx.apiVersion}'.`);
  }
  if (!ctx.existing) throw notFound(ctx);
  const existing = ctx.existing;
  const outcome = await entry[1](ctx as RequestContext & { existing: StoredResource });
  if (!outcome.operation) return { status: outcome.status ?? (outcome.body === undefined ? 204 : 200), body: outcome.body };
  refuseWhileBusy(ctx);
  const stored: StoredResource = structuredClone(services(ctx).resources.get(existing.resource.id) ?? existing);
  const op = ctx.services.operations.create({ ...outcome.operation, kind: 'action', action: entry[0] }, { ...targetOf(ctx, stored), method: 'POST' });
  stored.operationId = op.id;
  const ops = [ctx.services.operations.writeOp(op), ...ctx.services.resources.putOps(stored)];
  await ctx.services.resources.commit(ops);
  ctx.services.operations.run(op);
  return { status: 202, headers: lroHeaders(ctx, op, true) };
}

const services = (ctx: RequestContext) => ctx.services;

function listStored(ctx: RequestContext): ArmResponse {
  const { def, path, services } = ctx;
  const typeKey = typeKeyOf(def.namespace, def.type);
  let items: StoredResource[];
  if (!def.type.includes('/') && !path.extendedParent && path.resourceGroup === undefined && def.scope === 'resourceGroup') {
    if (!def.listBySubscription && def.listBySubscription !== undefined) throw Errors.methodNotAllowed('GET', typeName(def));
    items = services.resources.listByType(typeKey, path.subscriptionId);
  } else {
    const parent = parentIdOf(path, def);
    items = services.resources.listByParent(parent).filter((r) => r.typeKey === typeKey);
  }
  return pageOf(ctx, items, (s) => toWire(s, def, ctx.apiVersion));
}

export { TERMINAL };
