// The resource manager: put, patch, delete, action, get, list and waitFor by resource id,
// callable in process (the resource-group cascade, the template engine) and from HTTP alike. It
// owns routing by id, conditions (If-Match / If-None-Match), systemData, ETags, tags, merge patch,
// cascades, the creation of long-running operations and the single atomic commit of everything
// one change touches. Provider hooks only decide; this file is the only writer of resources.

import { Errors, type ArmError } from '../arm/errors.js';
import { parsePath, splitPath, RESOURCES_NS } from '../arm/paths.js';
import { resolve, checkApiVersion, type Route } from './routing.js';
import { validateAgainst } from './schema.js';
import { checkSpecBody } from './requestSchema.js';
import { checkName } from './names.js';
import { pageOfKeys } from './paging.js';
import { StoreConflictError, type WriteOp } from '../store/store.js';
import type { OperationPlan, OperationRecord } from '../arm/asyncOperations.js';
import type { OperationSubject } from '../arm/asyncOperations.js';
import { typeKeyOf } from './registry.js';
import { idKey } from './repository.js';
import { newEtag, etagMatches } from './etag.js';
import { systemDataFor } from './systemData.js';
import { candidateFromBody, checkDepth, checkTags, mergePatch, requireObject, typeName } from './candidate.js';
import { parentIdOf, relatedOps, relatedReady, deleteTreeOps } from './related.js';
import { findSubscription, registrationState } from './registration.js';
import { matchesFilter, parseFilter } from './filter.js';
import { authorize } from '../authorization/enforce.js';
import type { Target } from './targets.js';
import type { Services } from './types.js';
import type { ActionOutcome, ArmResource, Call, Method, ParsedPath, Principal, Related, RequestContext, ResourceManager, ResourceTypeDefinition, Result, StoredResource } from './types.js';

export const SYSTEM_PRINCIPAL: Principal = { tenantId: '', clientId: 'Microsoft.Resources', objectId: '00000000-0000-0000-0000-000000000000' };

const WRITES = new Set<Method>(['PUT', 'PATCH', 'DELETE', 'POST']);

/**
 * A read the catalogue has no part in: a GET of a hand-built type at one of its own api-versions (no body to
 * check against the spec, no catalogue versions to merge), except the lists that name catalogue types (the
 * providers, the /resources lists). The catalogue's index (a megabyte of heap once read) then stays unread
 * until a request needs it: a client that only reads, as the first minutes of most sessions do, never pays it.
 * A lookup this misses still works (it reads the index synchronously, once).
 */
function readsWithoutCatalogue(services: Services, call: Call, parsed: ParsedPath): boolean {
  if ((call.method !== 'GET' && call.method !== 'HEAD') || call.apiVersion === undefined || parsed.extendedParent) return false;
  const type = parsed.types.join('/');
  if (parsed.namespace === RESOURCES_NS && /^(providers|resources)$/i.test(type)) return false;
  const def = services.registry.isHandBuilt(parsed.namespace, type) ? services.registry.type(parsed.namespace, type) : undefined;
  const v = call.apiVersion.toLowerCase();
  return def !== undefined && def.apiVersions.some((m) => m.toLowerCase() === v);
}

export class ResourceManagerCore implements ResourceManager {
  /** Ids with a change between its checks and its commit: a second writer gets 409, as at ARM. */
  private readonly changing = new Set<string>();
  /** The last PUT queued per type, for types with serialPuts. */
  private readonly queues = new Map<string, Promise<void>>();

  /** services: the Services this manager is part of (they hold it, so it reads them when called). */
  constructor(private readonly servicesOf: () => Services) {}

  private get services(): Services {
    return this.servicesOf();
  }

  // ---- in-process verbs ----------------------------------------------------------------------------

  get(id: string, opts: Partial<Call> = {}): Promise<Result> {
    return this.execute({ ...opts, method: 'GET', path: id });
  }
  list(collectionId: string, opts: Partial<Call> = {}): Promise<Result> {
    return this.execute({ ...opts, method: 'GET', path: collectionId });
  }
  put(id: string, body: unknown, opts: Partial<Call> = {}): Promise<Result> {
    return this.execute({ ...opts, method: 'PUT', path: id, body });
  }
  patch(id: string, body: unknown, opts: Partial<Call> = {}): Promise<Result> {
    return this.execute({ ...opts, method: 'PATCH', path: id, body });
  }
  delete(id: string, opts: Partial<Call> = {}): Promise<Result> {
    return this.execute({ ...opts, method: 'DELETE', path: id });
  }
  action(id: string, action: string, body?: unknown, opts: Partial<Call> = {}): Promise<Result> {
    return this.execute({ ...opts, method: 'POST', path: `${id}/${action}`, body });
  }
  /** Resolves once the operation has ended (Succeeded, Failed or Canceled). */
  waitFor(operationId: string): Promise<OperationRecord> {
    return this.services.asyncOperations.waitFor(operationId);
  }

  // ---- the pipeline --------------------------------------------------------------------------------

  async execute(call: Call): Promise<Result> {
    // the catalogue's index and this namespace's schemas, read off the loop the first time they are needed
    const parsed = call.parsed ?? parsePath(splitPath(call.path));
    const reading = parsed.namespace && !readsWithoutCatalogue(this.services, call, parsed) ? this.services.registry.catalogue()?.prepare?.(parsed.namespace) : undefined;
    if (reading) await reading;
    const { ctx, route, access } = this.admit(call.parsed ? call : { ...call, parsed });
    const custom = route.def.handlers;
    if (route.kind === 'collection' && call.method === 'GET') {
      const listed = custom?.list ? await this.custom(custom.list, ctx) : await this.stored(route, ctx, call.internal === true);
      return access ? (access.filter(listed) as Result) : listed;
    }
    // A POST on a type's own path (no name) is a tenant- or scope-level action served by the type (elevateAccess).
    const collectionPost = route.kind === 'collection' && call.method === 'POST';
    const verb = route.kind === 'action' || collectionPost ? 'post' : (call.method.toLowerCase() as 'get');
    const handler = route.kind !== 'collection' || collectionPost ? custom?.[verb] : undefined;
    if (handler) {
      if (route.kind === 'instance' && (call.method === 'PUT' || call.method === 'PATCH') && !call.internal) {
        // a custom handler writes as it answers: both steps of the spec check come first
        checkSpecBody(ctx, this.services.registry.catalogue(), 'deserialize');
        checkSpecBody(ctx, this.services.registry.catalogue(), 'validate');
      }
      if (call.dryRun) return { status: 200 }; // custom handlers act at once: nothing to preflight
      if (route.kind === 'action' && call.method !== 'POST') throw Errors.methodNotAllowed(call.method, `${typeName(ctx)}/${route.action}`, ['POST']);
      return this.custom(handler, ctx);
    }
    return this.stored(route, ctx, call.internal === true, call.dryRun === true);
  }

  /**
   * Everything a call must pass before its handler runs: routing, api-version, subscription, body depth,
   * provider registration, RBAC (for every caller that names a principal: HTTP requests, deployments; the
   * platform's own calls pass none) and deny assignments (every write by a principal, whatever the type's
   * handler: the platform's writes and cascades, internal, are the managing resource's own).
   */
  private admit(call: Call): { ctx: RequestContext; route: Route; access: ReturnType<typeof authorize> | undefined } {
    const { services } = this;
    const parsed = call.parsed ?? parsePath(splitPath(call.path));
    const route = resolve(services.registry, parsed, call.method);
    const listed = () => services.registry.catalogue()?.apiVersions(route.def.namespace, route.def.type);
    const apiVersion = call.apiVersion === undefined ? defaultApiVersion(route.def) : checkApiVersion(call.apiVersion, route.def, undefined, listed);
    const subscription = call.subscription !== undefined ? (call.subscription ?? undefined) : parsed.subscriptionId ? findSubscription(services, parsed.subscriptionId) : undefined;
    if (parsed.subscriptionId && !subscription) throw Errors.subscriptionNotFound(parsed.subscriptionId);
    if (call.body !== undefined) checkDepth(call.body);
    const ctx: RequestContext = {
      method: call.method,
      apiVersion,
      ...(call.apiVersion !== undefined && call.apiVersion !== apiVersion ? { requestedApiVersion: call.apiVersion } : {}),
      path: route.path,
      def: route.def,
      query: call.query ?? {},
      headers: call.headers ?? {},
      body: call.body,
      baseUrl: call.baseUrl ?? '',
      principal: call.principal ?? { ...SYSTEM_PRINCIPAL, tenantId: services.config.tenantId },
      subscription,
      services,
    };
    if (call.initiatedBy) ctx.initiatedBy = call.initiatedBy;
    if (WRITES.has(call.method) && route.def.namespace !== RESOURCES_NS && parsed.subscriptionId) {
      if (registrationState(services, parsed.subscriptionId, route.def.namespace) !== 'Registered') {
        throw Errors.missingSubscriptionRegistration(services.registry.provider(route.def.namespace)!.namespace);
      }
    }
    if (route.kind === 'action') ctx.path.action = route.action; // custom POST handlers and the deny check read it
    const access = call.principal ? authorize(ctx, route) : undefined;
    if (call.principal && WRITES.has(call.method) && !call.internal) this.refuseDenied(ctx);
    return { ctx, route, access };
  }

  /**
   * Would this principal be allowed to write here (RBAC, linked checks, deny assignments)? Throws the refusal
   * a write would get and changes nothing. For writes the core does not route itself: a nested deployment's
   * record, kept in its target scope when the deployment ends.
   */
  async checkWrite(call: Call): Promise<void> {
    // the catalogue's index (routing, api-versions: all the checks read of it) off the loop the first time
    const reading = this.services.registry.catalogue()?.prepare?.('');
    if (reading) await reading;
    this.admit(call);
  }

  private async custom(handler: NonNullable<ResourceTypeDefinition['handlers']>['get'], ctx: RequestContext): Promise<Result> {
    const out = await handler!(ctx);
    if (out.records?.length) await this.services.store.write(out.records);
    return { status: out.status, body: out.body, headers: out.headers };
  }

  private async stored(route: Route, ctx: RequestContext, internal: boolean, dryRun = false): Promise<Result> {
    const { services } = this;
    this.checkParents(ctx, route, internal);
    if (route.kind === 'collection') {
      if (ctx.method !== 'GET') throw Errors.methodNotAllowed(ctx.method, typeName(ctx), ['GET']);
      return this.listStored(ctx);
    }
    ctx.existing = services.resources.get(ctx.path.id);
    if (route.kind === 'action') {
      if (ctx.method !== 'POST') throw Errors.methodNotAllowed(ctx.method, `${typeName(ctx)}/${route.action}`, ['POST']);
      return this.runAction(ctx, route.action);
    }
    switch (ctx.method) {
      case 'GET':
        if (!ctx.existing) throw notFound(ctx);
        return { status: 200, body: this.wire(ctx.existing, ctx.def, ctx.apiVersion), headers: etagHeader(ctx.existing) };
      case 'HEAD':
        return { status: ctx.existing ? 204 : 404 };
      case 'PUT':
        if (dryRun) return this.putStored(ctx, true, internal);
        return this.exclusive(ctx, () =>
          ctx.def.serialPuts ? this.serially(typeKeyOf(ctx.def.namespace, ctx.def.type), () => this.putStored(ctx, false, internal)) : this.putStored(ctx, false, internal),
        );
      case 'PATCH':
        return this.exclusive(ctx, () => this.patchStored(ctx, internal));
      case 'DELETE':
        return this.exclusive(ctx, () => this.deleteStored(ctx));
      default:
        throw Errors.methodNotAllowed(ctx.method, typeName(ctx), allowedOn(ctx.def));
    }
  }

  /** Runs fn once every fn queued earlier under the same key has ended (a type's serial PUTs), on every instance sharing the store. */
  private serially<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(key) ?? Promise.resolve()).then(() => this.services.store.exclusive(`serialPuts:${key}`, fn));
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }

  /** One change per resource between its checks and its commit. */
  private async exclusive(ctx: RequestContext, fn: () => Promise<Result>): Promise<Result> {
    const key = idKey(ctx.path.id);
    if (this.changing.has(key)) {
      throw Errors.anotherOperationInProgress(`Operation is not allowed because another request is changing resource '${ctx.path.names[ctx.path.names.length - 1]}'. Retry after it completes.`);
    }
    this.changing.add(key);
    try {
      return await fn();
    } catch (e) {
      // Another instance changed the resource between this request's checks and its commit: the first writer
      // wins, as at ARM; with If-Match the caller's ETag is the one that no longer holds.
      if (e instanceof StoreConflictError) {
        if (ctx.headers['if-match'])
          throw Errors.preconditionFailed(`The resource was changed by another request while this one was being processed; its ETag no longer matches '${ctx.headers['if-match']}'.`);
        throw Errors.anotherOperationInProgress(`Operation is not allowed because another request is changing resource '${ctx.path.names[ctx.path.names.length - 1]}'. Retry after it completes.`);
      }
      throw e;
    } finally {
      this.changing.delete(key);
    }
  }

  /** The resource's wire shape at an api-version. */
  wire(s: StoredResource, def: ResourceTypeDefinition, apiVersion: string): ArmResource {
    if (def.toWire) return def.toWire(s, apiVersion, this.services);
    return s.resource; // a read from the store is already a copy of its own
  }

  /** Resource group (and parent resource) must exist; writes into a deleting group are refused. */
  private checkParents(ctx: RequestContext, route: Route, internal: boolean): void {
    const { path, def, services } = ctx;
    const write = WRITES.has(ctx.method as Method);
    if (path.resourceGroup !== undefined && !(def.namespace === RESOURCES_NS && def.type === 'resourceGroups')) {
      const rg = services.resources.get(`/subscriptions/${path.subscriptionId}/resourceGroups/${path.resourceGroup}`);
      if (!rg) throw Errors.resourceGroupNotFound(path.resourceGroup);
      if (write && rg.deleting && !internal) throw Errors.resourceGroupBeingDeleted(rg.resource.name);
    }
    if (def.scope === 'resourceGroup' && route.kind !== 'collection' && !def.type.includes('/') && !path.extendedParent && path.resourceGroup === undefined) {
      throw Errors.resourceTypeInResourceGroup(typeName(ctx));
    }
    const parentId = def.type.includes('/') ? parentIdOf(path, def) : path.extendedParent ? idKey(path.scopeId) : undefined;
    if (parentId) {
      // A Kubernetes namespace of a cluster is a scope (Azure RBAC for Kubernetes) though no ARM resource stores it.
      const parent = services.resources.get(parentId) ?? (path.extendedParent ? services.kube?.namespaceScope?.(path.scopeId) : undefined);
      if (!parent) throw Errors.parentResourceNotFound(write ? 'write' : 'read', typeName(ctx), path.extendedParent ? path.scopeId : parentId);
      ctx.parent = parent;
    }
  }

  /**
   * A deny assignment on a resource group (kept on the group as internal.denyAssignment: an AKS node
   * resource group, managed by its cluster, has one): users may read the group and its resources but
   * every write to them is refused with a 403, as Azure's deny assignments refuse it. The platform's
   * own writes (the managing resource's related writes, cascades: internal) do not pass here.
   */
  private refuseDenied(ctx: RequestContext): void {
    const { path, def, services } = ctx;
    if (path.resourceGroup === undefined || path.subscriptionId === undefined) return;
    const rg = services.resources.get(`/subscriptions/${path.subscriptionId}/resourceGroups/${path.resourceGroup}`);
    const deny = rg?.internal.denyAssignment as { name: string; id: string } | undefined;
    if (!rg || !deny) return;
    const verb = ctx.method === 'DELETE' ? 'delete' : ctx.method === 'POST' ? `${path.action ?? ''}/action` : 'write';
    const isGroup = def.namespace === RESOURCES_NS && def.type === 'resourceGroups';
    const action = isGroup ? `Microsoft.Resources/subscriptions/resourceGroups/${verb}` : `${def.namespace}/${def.type}/${verb}`;
    throw Errors.withStatus(
      403,
      'DenyAssignmentAuthorizationFailed',
      `The client '${ctx.principal.clientId}' with object id '${ctx.principal.objectId}' has permission to perform action '${action}' on scope '${path.id}'; ` +
        `however, the access is denied because of the deny assignment with name '${deny.name}' and Id '${deny.id}' at scope '${rg.resource.id}'.`,
    );
  }

  // ---- conditions and busy resources ---------------------------------------------------------------

  /** If-Match / If-None-Match, per ARM's matrix. */
  private checkConditions(ctx: RequestContext): void {
    const ifMatch = ctx.headers['if-match'];
    const ifNoneMatch = ctx.headers['if-none-match'];
    const cur = ctx.existing?.resource.etag;
    if (ifMatch !== undefined && ifMatch !== '') {
      if (!ctx.existing) {
        if (ctx.method === 'PATCH') throw notFound(ctx);
        if (ctx.method !== 'DELETE') throw Errors.preconditionFailed(`The resource does not exist, but the request's If-Match condition '${ifMatch}' requires it to.`);
      } else if (!etagMatches(ifMatch, cur)) {
        throw Errors.preconditionFailed(`The ETag '${ifMatch}' in the If-Match header does not match the resource's current ETag '${cur ?? ''}'.`);
      }
    }
    if (ifNoneMatch !== undefined && ifNoneMatch.trim() === '*' && ctx.existing && ctx.method === 'PUT') {
      throw Errors.preconditionFailed(`The resource '${ctx.path.names[ctx.path.names.length - 1]}' already exists and the request's If-None-Match is '*'.`);
    }
  }

  private refuseWhileBusy(s: StoredResource | undefined): void {
    if (!s?.operationId) return;
    const op = this.services.asyncOperations.get(s.operationId);
    if (op && op.status === 'InProgress') {
      throw Errors.anotherOperationInProgress(
        `Operation is not allowed because there's an in progress ${op.kind === 'action' ? op.action : op.kind} operation (${op.id}) on resource '${s.resource.name}'. Retry after it completes.`,
      );
    }
  }

  // ---- PUT / PATCH -----------------------------------------------------------------------------------

  private async putStored(ctx: RequestContext, dryRun = false, internal = false): Promise<Result> {
    const { def, path, services } = ctx;
    checkName(def, path.names[path.names.length - 1]);
    this.checkConditions(ctx);
    this.refuseWhileBusy(ctx.existing);
    if (ctx.existing?.deleting) throw Errors.conflict(`The resource '${ctx.existing.resource.name}' is being deleted.`);
    const schema = typeof def.schema === 'function' ? def.schema(ctx.apiVersion) : def.schema;
    // the public spec's schema first (the generic provider's wording), then what a hand-written one adds (formats, ranges)
    if (!internal) checkSpecBody(ctx, services.registry.catalogue(), 'deserialize');
    if (schema) validateAgainst(schema, ctx.body ?? {});
    const candidate = candidateFromBody(ctx);
    // Every resource deployed to a custom location: it exists, has succeeded and enables this type. The custom
    // location read here is the one the hooks' ctx.target() resolves on (read once per PUT).
    const customLocation = candidate.extendedLocation !== undefined ? services.targets.checkExtendedLocation(typeName(ctx), candidate.extendedLocation) : undefined;
    let target: Target | undefined;
    ctx.target = () => (target ??= services.targets.resolve(candidate, customLocation));
    if (def.validate) await def.validate(ctx, candidate);
    const outcome = def.onPut ? await def.onPut(ctx, candidate) : { resource: { ...candidate, properties: { ...candidate.properties, provisioningState: 'Succeeded' } } };
    if (!internal) checkSpecBody(ctx, services.registry.catalogue(), 'validate');
    const created = !ctx.existing;
    const createdStatus = 'createdStatus' in outcome && outcome.createdStatus ? outcome.createdStatus : 201;
    if (dryRun) {
      // What a GET would show once the PUT is done (what-if compares it with what exists).
      const resource: ArmResource = { ...outcome.resource, id: path.id, name: path.names[path.names.length - 1], type: typeName(ctx) };
      if (ctx.existing?.resource.systemData) resource.systemData = ctx.existing.resource.systemData;
      const would: StoredResource = { resource, internal: outcome.internal ?? ctx.existing?.internal ?? {}, parent: parentIdOf(path, def), typeKey: typeKeyOf(def.namespace, def.type) };
      return { status: created ? createdStatus : 200, body: this.wire(would, def, ctx.apiVersion) };
    }
    return this.commitWrite(ctx, outcome.resource, outcome.internal, outcome.operation, outcome.related, created ? createdStatus : 200, created ? 'create' : 'update');
  }

  private async patchStored(ctx: RequestContext, internal = false): Promise<Result> {
    const { def } = ctx;
    this.checkConditions(ctx);
    if (!ctx.existing) throw notFound(ctx);
    this.refuseWhileBusy(ctx.existing);
    const mode = def.patch ?? (def.tracked ? 'tags' : false);
    if (mode === false) throw Errors.methodNotAllowed('PATCH', typeName(ctx), allowedOn(def));
    const body = requireObject(ctx.body);
    if (!internal) checkSpecBody(ctx, this.services.registry.catalogue(), 'deserialize');
    const candidate = structuredClone(ctx.existing.resource);
    // Tags are replaced as a whole (RPC); everything in properties is a JSON merge patch.
    if (body.tags !== undefined) candidate.tags = checkTags(body.tags);
    if (mode === 'merge') {
      if (body.properties !== undefined) candidate.properties = mergePatch(candidate.properties ?? {}, body.properties);
      for (const k of ['sku', 'identity', 'kind']) if (body[k] !== undefined) candidate[k] = mergePatch(candidate[k], body[k]);
    }
    const existing = ctx.existing;
    const outcome = def.onPatch ? await def.onPatch(ctx as RequestContext & { existing: StoredResource }, candidate) : { resource: candidate };
    if (!internal) checkSpecBody(ctx, this.services.registry.catalogue(), 'validate');
    const r = await this.commitWrite(ctx, outcome.resource, outcome.internal ?? existing.internal, outcome.operation, outcome.related, 200, 'update');
    return outcome.operation ? { ...r, status: 202 } : r;
  }

  /** The addressed resource, its operation and everything related, in one write. */
  private async commitWrite(
    ctx: RequestContext,
    resource: ArmResource,
    internal: Record<string, any> | undefined,
    plan: OperationPlan | undefined,
    related: Related | undefined,
    status: number,
    kind: 'create' | 'update',
  ): Promise<Result> {
    const { def, path, services } = ctx;
    const existing = ctx.existing;
    resource.id = path.id;
    resource.name = path.names[path.names.length - 1];
    resource.type = typeName(ctx);
    resource.systemData = systemDataFor(ctx.principal, ctx.headers['x-ms-arm-resource-system-data'], existing?.resource.systemData);
    resource.etag = newEtag();
    const stored: StoredResource = { resource, internal: internal ?? existing?.internal ?? {}, parent: parentIdOf(path, def), typeKey: typeKeyOf(def.namespace, def.type) };
    const reading = relatedReady(services.registry, related);
    if (reading) await reading;
    const ops: WriteOp[] = [];
    let op: OperationRecord | undefined;
    if (plan) {
      op = services.asyncOperations.create({ ...plan, kind: plan.kind ?? kind, initiatedBy: plan.initiatedBy ?? ctx.initiatedBy }, subjectOf(ctx, stored));
      stored.operationId = op.id;
      ops.push(services.asyncOperations.writeOp(op));
    } else if (resource.properties && resource.properties.provisioningState === undefined) {
      resource.properties.provisioningState = 'Succeeded';
    }
    ops.push(...services.resources.putOps(stored));
    ops.push(...relatedOps(services.registry, services.resources, related, op?.id, resource.systemData));
    if (op) await services.asyncOperations.launch(op, () => services.resources.commit(ops));
    else await services.resources.commit(ops);
    return { status, headers: etagHeader(stored), body: this.wire(stored, def, ctx.apiVersion), operation: op, location: true };
  }

  // ---- DELETE ---------------------------------------------------------------------------------------

  private async deleteStored(ctx: RequestContext): Promise<Result> {
    this.checkConditions(ctx);
    const existing = ctx.existing;
    if (!existing) return { status: 204 };
    const running = existing.operationId ? this.services.asyncOperations.get(existing.operationId) : undefined;
    // A delete already under way: answer with the same operation, as ARM does for a repeated DELETE.
    if (running && running.status === 'InProgress' && (existing.deleting || running.kind === 'delete')) return { status: 202, operation: running, location: true };
    this.refuseWhileBusy(existing);
    const { op, status } = await this.startDelete(ctx as RequestContext & { existing: StoredResource });
    if (op) return { status: 202, operation: op, location: true };
    return ctx.def.deleteReturnsResource && status === 200 ? { status, body: this.wire(existing, ctx.def, ctx.apiVersion) } : { status };
  }

  /** Deletes through the type's hook: asynchronously (the resource shows Deleting) or at once with its descendants. */
  private async startDelete(ctx: RequestContext & { existing: StoredResource }): Promise<{ op?: OperationRecord; status: number }> {
    const { services, def, existing } = ctx;
    const outcome = def.onDelete ? await def.onDelete(ctx) : {};
    const reading = relatedReady(services.registry, outcome.related);
    if (reading) await reading;
    if (outcome.operation) {
      const stored: StoredResource = structuredClone(existing);
      stored.resource.properties = { ...(stored.resource.properties ?? {}), provisioningState: 'Deleting' };
      stored.deleting = true;
      const op = services.asyncOperations.create(
        { ...outcome.operation, kind: 'delete', initiatedBy: outcome.operation.initiatedBy ?? ctx.initiatedBy },
        { ...subjectOf(ctx, stored), method: 'DELETE' },
      );
      stored.operationId = op.id;
      await services.asyncOperations.launch(op, () =>
        services.resources.commit([services.asyncOperations.writeOp(op), ...services.resources.putOps(stored), ...relatedOps(services.registry, services.resources, outcome.related, op.id)]),
      );
      return { op, status: 202 };
    }
    await services.resources.commit([...deleteTreeOps(services.resources, existing.resource.id), ...relatedOps(services.registry, services.resources, outcome.related)]);
    return { status: outcome.deletedStatus ?? 200 };
  }

  // ---- POST actions ----------------------------------------------------------------------------------

  private async runAction(ctx: RequestContext, action: string): Promise<Result> {
    const { def, services } = ctx;
    const entry = Object.entries(def.actions ?? {}).find(([k]) => k.toLowerCase() === action.toLowerCase());
    if (!entry) throw Errors.actionNotFound(`${def.type}/${action}`, def.namespace, ctx.apiVersion);
    if (!ctx.existing) throw notFound(ctx);
    const existing = ctx.existing;
    const outcome: ActionOutcome = await entry[1](ctx as RequestContext & { existing: StoredResource });
    const reading = relatedReady(services.registry, outcome.related);
    if (reading) await reading;
    if (!outcome.operation) {
      await this.commitActionState(ctx, outcome);
      if (outcome.cancel) await services.asyncOperations.cancel(outcome.cancel.operationId, outcome.cancel.message);
      return { status: outcome.status ?? (outcome.body === undefined ? 204 : 200), body: outcome.body, headers: outcome.headers };
    }
    this.refuseWhileBusy(existing);
    const stored: StoredResource = structuredClone(existing);
    if (outcome.resource)
      stored.resource = { ...outcome.resource, id: existing.resource.id, name: existing.resource.name, type: existing.resource.type, etag: newEtag(), systemData: existing.resource.systemData };
    const op = services.asyncOperations.create({ ...outcome.operation, kind: 'action', action: entry[0] }, { ...subjectOf(ctx, stored), method: 'POST' });
    stored.operationId = op.id;
    await services.asyncOperations.launch(op, () =>
      services.resources.commit([services.asyncOperations.writeOp(op), ...services.resources.putOps(stored), ...relatedOps(services.registry, services.resources, outcome.related, op.id)]),
    );
    return { status: 202, operation: op, location: true };
  }

  /** A synchronous action may still change the resource or related ones (one write). */
  private async commitActionState(ctx: RequestContext, outcome: ActionOutcome): Promise<void> {
    const { services } = ctx;
    const ops: WriteOp[] = [];
    if (outcome.resource && ctx.existing) {
      const stored: StoredResource = {
        ...ctx.existing,
        resource: { ...outcome.resource, id: ctx.existing.resource.id, name: ctx.existing.resource.name, type: ctx.existing.resource.type, etag: newEtag() },
      };
      ops.push(...services.resources.putOps(stored));
    }
    ops.push(...relatedOps(services.registry, services.resources, outcome.related));
    if (ops.length) await services.resources.commit(ops);
  }

  /** Start-up data a provider seeds (e.g. the configured principals' Owner assignments), in one write. */
  async seed(related: Related): Promise<void> {
    const reading = relatedReady(this.services.registry, related);
    if (reading) await reading;
    const ops = relatedOps(this.services.registry, this.services.resources, related);
    if (ops.length) await this.services.store.write(ops);
  }

  /**
   * Starts an operation that works on no stored resource (e.g. a deployment's what-if): its result
   * is what the plan's resultTask returns, served at the operation's Location URL.
   */
  async startDetached(ctx: RequestContext, subjectId: string, plan: OperationPlan): Promise<OperationRecord> {
    const { services } = ctx;
    const op = services.asyncOperations.create(plan, {
      resourceId: subjectId,
      typeKey: `${typeKeyOf(ctx.def.namespace, ctx.def.type)}/${(plan.action ?? plan.kind).toLowerCase()}`,
      namespace: ctx.def.namespace,
      location: ctx.parent?.resource.location ?? 'global',
      subscriptionId: ctx.path.subscriptionId ?? '',
      method: 'POST',
      apiVersion: ctx.apiVersion,
      startedBy: startedBy(ctx),
    });
    await services.asyncOperations.launch(op, () => services.store.write([services.asyncOperations.writeOp(op)]));
    return op;
  }

  // ---- lists -------------------------------------------------------------------------------------------

  /** A page of a type's resources, read from the repository's ordered indexes. */
  private listStored(ctx: RequestContext): Promise<Result> {
    const { def, path, services } = ctx;
    const { resources } = services;
    const typeKey = typeKeyOf(def.namespace, def.type);
    let keys: (after: string | undefined) => Iterable<string>;
    if (!def.type.includes('/') && !path.extendedParent && path.resourceGroup === undefined && def.scope === 'resourceGroup') {
      if (def.listBySubscription === false) throw Errors.methodNotAllowed('GET', typeName(ctx), []);
      const prefix = path.subscriptionId ? `/subscriptions/${path.subscriptionId.toLowerCase()}/` : undefined;
      keys = (after) => resources.keysByType(typeKey, prefix, after);
    } else {
      const parent = parentIdOf(path, def);
      keys = (after) => resources.keysByParent(parent, typeKey, after);
    }
    const clauses = parseFilter(ctx.query.$filter ?? ctx.query['%24filter']);
    return pageOfKeys(
      ctx,
      keys,
      (k) => resources.byKey(k),
      (s) => this.wire(s, def, ctx.apiVersion),
      clauses.length ? (s) => matchesFilter(s, clauses) : undefined,
    );
  }
}

// ---- helpers ----------------------------------------------------------------------------------------------

function defaultApiVersion(def: ResourceTypeDefinition): string {
  return def.apiVersions.find((v) => !v.toLowerCase().includes('preview')) ?? def.apiVersions[0];
}

/** The methods a stored resource of this type answers (for a 405's Allow header). */
function allowedOn(def: ResourceTypeDefinition): string[] {
  const patch = def.patch ?? (def.tracked ? 'tags' : false);
  return ['GET', 'HEAD', 'PUT', ...(patch === false ? [] : ['PATCH']), 'DELETE'];
}

function etagHeader(s: StoredResource): Record<string, string> {
  return s.resource.etag ? { ETag: s.resource.etag } : {};
}

/** 'Microsoft.X/type/name/child/childName' as ARM's ResourceNotFound message writes it. */
function typeAndName(p: ParsedPath, def: ResourceTypeDefinition): string {
  const ts = def.type.split('/');
  return `${def.namespace}/${ts.map((t, i) => (p.names[i] !== undefined ? `${t}/${p.names[i]}` : t)).join('/')}`;
}

export function notFound(ctx: RequestContext): ArmError {
  const { def, path } = ctx;
  if (def.notFound) return def.notFound(path);
  if (def.namespace === RESOURCES_NS && def.type === 'resourceGroups') return Errors.resourceGroupNotFound(path.names[0]);
  return Errors.resourceNotFound(typeAndName(path, def), path.resourceGroup);
}

/** What the engine records about the resource an operation works on. */
function subjectOf(ctx: RequestContext, stored: StoredResource): OperationSubject {
  return {
    resourceId: stored.resource.id,
    typeKey: stored.typeKey,
    namespace: ctx.def.namespace,
    location: (stored.resource.location as string | undefined) ?? ctx.parent?.resource.location ?? 'global',
    subscriptionId: ctx.path.subscriptionId ?? '',
    method: ctx.method as OperationRecord['method'],
    apiVersion: ctx.apiVersion,
    startedBy: startedBy(ctx),
  };
}

/** The caller's object id, unless the call is the platform's own. */
function startedBy(ctx: RequestContext): string | undefined {
  const oid = ctx.principal.objectId;
  return oid && oid !== SYSTEM_PRINCIPAL.objectId ? oid : undefined;
}
