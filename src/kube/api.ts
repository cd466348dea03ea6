// The API server's core: Kubernetes semantics over the object store, for the HTTP edge and for in-process
// callers (controllers, the ARM providers) alike. Create, update, patch, delete and their batches check
// what the caller may do, fill defaults, validate, keep metadata (uid, creationTimestamp, generation,
// resourceVersion preconditions, finalizers, deletionTimestamp, managedFields) and hand the result to
// KubeStore.commit, the one writer: every call is one atomic write. Everything between reading the stored
// object and committing is synchronous, so two writers can never both win a resourceVersion.

import { randomUUID } from 'node:crypto';
import { apiVersionOf, clone, grKey, isObj, nowTime, randomSuffix, type KubeObject } from './model.js';
import { KubeError, KubeErrors, type StatusCause } from './status.js';
import { storageOf, type ClusterFacts, type KindContext, type KindRegistry, type ResourceDef } from './kinds/registry.js';
import { annotations as validateAnnotations, labels as validateLabels, qualifiedName, required } from './kinds/validation.js';
import { parseFieldSelector, parseLabelSelector, matchesRequirements } from './selectors.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import { applyConfiguration, sameJson, updateManagedFields } from './managed.js';
import { decodeNulls } from './nulls.js';
import type { KubeStore, Op, StoreEvent } from './store.js';
import type { WriteOp } from '../store/store.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** The controllers and the platform itself: never checked. */
export const SYSTEM_USER: UserInfo = { username: 'system:kube-controller-manager', groups: ['system:masters', 'system:authenticated'] };

export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface ApiOptions {
  kinds(cluster: string): KindRegistry;
  facts(cluster: string): ClusterFacts;
  /** Throws a 403 KubeError when the user may not; absent = everyone may. */
  authorize?(cluster: string, user: UserInfo, attrs: Attributes): void;
  now?(): number;
}

export interface WriteOptions {
  user: UserInfo;
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  subresource?: string;
  /** Server-side apply: take fields owned by others. */
  force?: boolean;
  /** Controllers: write spec and status together (no subresource split). */
  whole?: boolean;
  /**
   * The body is the caller's to give away (controllers build each one for the write): it is not copied, only
   * its top level and metadata. Parts it shares with the stored object are never changed (stored objects are
   * immutable; defaults only fill what is missing, and what is stored was defaulted already).
   */
  owned?: boolean;
}

export interface DeleteOptions {
  user: UserInfo;
  dryRun?: boolean;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** A change prepared (checked, defaulted, validated) and ready to commit. */
interface Prepared {
  op: Op;
  result: KubeObject;
  /** Nothing changed: no write needed. */
  noop?: boolean;
  /** A DELETE that removed the object (its answer is a Status). */
  gone?: boolean;
  warnings?: string[];
}

const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

export class KubeApi {
  private readonly now: () => number;

  constructor(
    readonly store: KubeStore,
    private readonly opts: ApiOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  kinds(cluster: string): KindRegistry {
    return this.opts.kinds(cluster);
  }

  private ctx(cluster: string): KindContext {
    return {
      cluster: this.opts.facts(cluster),
      get: (g, r, ns, n) => this.store.get(cluster, grKey(g, r), ns, n),
      list: (g, r, ns) => this.store.list(cluster, grKey(g, r), ns),
      now: this.now(),
    };
  }

  authorize(cluster: string, user: UserInfo, attrs: Attributes): void {
    if (user === SYSTEM_USER) return;
    // The API server's request info: the namespace of a request on a namespace (/api/v1/namespaces/x, its
    // status and finalize) is that namespace, so a RoleBinding in x may allow it and a refusal says "in the
    // namespace "x"".
    if (attrs.group === '' && attrs.resource === 'namespaces' && attrs.name && !attrs.namespace) attrs = { ...attrs, namespace: attrs.name };
    this.opts.authorize?.(cluster, user, attrs);
  }

  // ---- reads ------------------------------------------------------------------------------------------------

  get(cluster: string, def: ResourceDef, namespace: string, name: string, user: UserInfo = SYSTEM_USER, subresource?: string): KubeObject {
    this.authorize(cluster, user, { verb: 'get', group: def.group, resource: def.resource, subresource, namespace: def.namespaced ? namespace : undefined, name });
    const o = this.store.get(cluster, storageOf(def), def.namespaced ? namespace : '', name);
    if (!o) throw KubeErrors.notFound(def.group, def.resource, name);
    return o;
  }

  /** The stored object or undefined (no authorization: in-process callers). */
  find(cluster: string, def: ResourceDef, namespace: string, name: string): KubeObject | undefined {
    return this.store.get(cluster, storageOf(def), def.namespaced ? namespace : '', name);
  }

  list(cluster: string, def: ResourceDef, namespace: string | undefined, q: ListQuery = {}, user: UserInfo = SYSTEM_USER): ListResult {
    this.authorize(cluster, user, { verb: 'list', group: def.group, resource: def.resource, namespace: def.namespaced ? namespace : undefined });
    const rv = this.store.rv(cluster);
    const filter = this.filterOf(def, q);
    let all = this.store.list(cluster, storageOf(def), def.namespaced ? namespace : undefined).filter(filter);
    let start = '';
    let listRv = String(rv);
    if (q.continue) {
      const c = decodeContinue(q.continue);
      start = c.start;
      listRv = String(c.rv);
      all = all.filter((o) => keyOf(o) > start);
    }
    const limit = q.limit && q.limit > 0 ? q.limit : undefined;
    if (limit !== undefined && all.length > limit) {
      const items = all.slice(0, limit);
      return { items, resourceVersion: listRv, continue: encodeContinue(Number(listRv), keyOf(items[items.length - 1])), remainingItemCount: all.length - limit };
    }
    return { items: all, resourceVersion: listRv };
  }

  /** The predicate a list or watch applies (label and field selectors). */
  filterOf(def: ResourceDef, q: { labelSelector?: string; fieldSelector?: string }): (o: KubeObject) => boolean {
    const labels = parseLabelSelector(q.labelSelector);
    const fields = parseFieldSelector(q.fieldSelector);
    for (const f of fields) {
      if (f.field !== 'metadata.name' && f.field !== 'metadata.namespace' && !def.fields?.[f.field]) {
        throw KubeErrors.badRequest(`field label not supported: ${f.field}`);
      }
    }
    if (!labels.length && !fields.length) return () => true;
    return (o) => {
      if (labels.length && !matchesRequirements(labels, o.metadata.labels ?? {})) return false;
      for (const f of fields) {
        const v = f.field === 'metadata.name' ? o.metadata.name : f.field === 'metadata.namespace' ? (o.metadata.namespace ?? '') : (def.fields![f.field](o) ?? '');
        if ((v === f.value) !== (f.op === '=')) return false;
      }
      return true;
    };
  }

  // ---- writes -------------------------------------------------------------------------------------------------

  // Every write runs as the cluster's only writer among the emulator's instances (one process: at once).
  create(cluster: string, def: ResourceDef, namespace: string, body: unknown, o: WriteOptions): Promise<{ object: KubeObject; warnings: string[] }> {
    return this.store.exclusive(cluster, () => this.createNow(cluster, def, namespace, body, o));
  }

  update(cluster: string, def: ResourceDef, namespace: string, name: string, body: unknown, o: WriteOptions): Promise<{ object: KubeObject; created: boolean; warnings: string[] }> {
    return this.store.exclusive(cluster, () => this.updateNow(cluster, def, namespace, name, body, o));
  }

  patch(cluster: string, def: ResourceDef, namespace: string, name: string, type: PatchType, patch: unknown, o: WriteOptions): Promise<{ object: KubeObject; created: boolean; warnings: string[] }> {
    return this.store.exclusive(cluster, () => this.patchNow(cluster, def, namespace, name, type, patch, o));
  }

  delete(cluster: string, def: ResourceDef, namespace: string, name: string, o: DeleteOptions): Promise<{ object: KubeObject; gone: boolean }> {
    return this.store.exclusive(cluster, () => this.deleteNow(cluster, def, namespace, name, o));
  }

  deleteCollection(cluster: string, def: ResourceDef, namespace: string | undefined, q: ListQuery, o: DeleteOptions): Promise<KubeObject[]> {
    return this.store.exclusive(cluster, () => this.deleteCollectionNow(cluster, def, namespace, q, o));
  }

  batch(cluster: string, changes: BatchChange[], user: UserInfo = SYSTEM_USER, extra: WriteOp[] = []): Promise<KubeObject[]> {
    return this.store.exclusive(cluster, () => this.batchNow(cluster, changes, user, extra));
  }

  private async createNow(cluster: string, def: ResourceDef, namespace: string, body: unknown, o: WriteOptions): Promise<{ object: KubeObject; warnings: string[] }> {
    const p = this.prepareCreate(cluster, def, namespace, body, o);
    await this.commitPrepared(cluster, [p], o.dryRun);
    return { object: p.result, warnings: p.warnings ?? [] };
  }

  private async updateNow(cluster: string, def: ResourceDef, namespace: string, name: string, body: unknown, o: WriteOptions): Promise<{ object: KubeObject; created: boolean; warnings: string[] }> {
    const p = this.prepareUpdate(cluster, def, namespace, name, body, o);
    await this.commitPrepared(cluster, [p], o.dryRun);
    return { object: p.result, created: false, warnings: p.warnings ?? [] };
  }

  private async patchNow(
    cluster: string,
    def: ResourceDef,
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    o: WriteOptions,
  ): Promise<{ object: KubeObject; created: boolean; warnings: string[] }> {
    const ns = def.namespaced ? namespace : '';
    this.authorize(cluster, o.user, { verb: 'patch', group: def.group, resource: def.resource, subresource: o.subresource, namespace: def.namespaced ? namespace : undefined, name });
    const cur = this.store.get(cluster, storageOf(def), ns, name);
    if (type === 'apply') {
      if (!o.fieldManager) throw KubeErrors.badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      if (!isObj(patch)) throw KubeErrors.badRequest('error decoding YAML: the apply configuration must be an object');
      if (!cur) {
        // Apply creates what is not there.
        const body = applyConfiguration(undefined, patch, def, o.fieldManager, o.force === true).object;
        const p = this.prepareCreate(cluster, def, namespace, body, { ...o, fieldManager: o.fieldManager }, { apply: patch });
        await this.commitPrepared(cluster, [p], o.dryRun);
        return { object: p.result, created: true, warnings: p.warnings ?? [] };
      }
      const applied = applyConfiguration(def.convert ? this.present(def, cur) : cur, patch, def, o.fieldManager, o.force === true, o.subresource);
      const p = this.prepareUpdate(cluster, def, namespace, name, applied.object, { ...o }, { managed: applied.managedFields, patched: true });
      await this.commitPrepared(cluster, [p], o.dryRun);
      return { object: p.result, created: false, warnings: p.warnings ?? [] };
    }
    if (!cur) throw KubeErrors.notFound(def.group, def.resource, name);
    const base = this.present(def, cur);
    let candidate: any;
    if (type === 'json') candidate = applyJsonPatch(base, patch);
    else if (type === 'merge') candidate = applyMergePatch(base, patch);
    else {
      if (def.custom) throw KubeErrors.unsupportedMediaType('application/strategic-merge-patch+json (strategic merge patch is not supported for custom resources; use a JSON merge patch)');
      candidate = applyStrategicMergePatch(base, patch, def.kind);
    }
    if (!isObj(candidate)) throw KubeErrors.badRequest('the patched object is not an object');
    // A patch that does not name a resourceVersion applies to whatever is stored now.
    const named = isObj(patch) && isObj((patch as any).metadata) && (patch as any).metadata.resourceVersion !== undefined;
    if (!named && isObj(candidate.metadata)) candidate.metadata.resourceVersion = cur.metadata.resourceVersion;
    const p = this.prepareUpdate(cluster, def, namespace, name, candidate, o, { patched: true });
    await this.commitPrepared(cluster, [p], o.dryRun);
    return { object: p.result, created: false, warnings: p.warnings ?? [] };
  }

  private async deleteNow(cluster: string, def: ResourceDef, namespace: string, name: string, o: DeleteOptions): Promise<{ object: KubeObject; gone: boolean }> {
    const p = this.prepareDelete(cluster, def, namespace, name, o);
    await this.commitPrepared(cluster, [p], o.dryRun);
    return { object: p.result, gone: p.gone === true };
  }

  private async deleteCollectionNow(cluster: string, def: ResourceDef, namespace: string | undefined, q: ListQuery, o: DeleteOptions): Promise<KubeObject[]> {
    this.authorize(cluster, o.user, { verb: 'deletecollection', group: def.group, resource: def.resource, namespace: def.namespaced ? namespace : undefined });
    const items = this.store.list(cluster, storageOf(def), def.namespaced ? namespace : undefined).filter(this.filterOf(def, q));
    const preps = items.map((it) => this.prepareDelete(cluster, def, it.metadata.namespace ?? '', it.metadata.name!, { ...o, user: SYSTEM_USER }));
    await this.commitPrepared(cluster, preps, o.dryRun);
    return preps.map((p) => p.result);
  }

  /** Several changes of one cluster in one write (controllers). Each element is prepared as its verb would be. */
  private async batchNow(cluster: string, changes: BatchChange[], user: UserInfo = SYSTEM_USER, extra: WriteOp[] = []): Promise<KubeObject[]> {
    const preps: Prepared[] = [];
    for (const c of changes) {
      try {
        if (c.verb === 'create') preps.push(this.prepareCreate(cluster, c.def, c.namespace, c.object, { user, fieldManager: c.fieldManager, owned: c.owned }));
        else if (c.verb === 'update')
          preps.push(
            this.prepareUpdate(cluster, c.def, c.namespace, c.object.metadata.name!, c.object, { user, fieldManager: c.fieldManager, subresource: c.subresource, whole: c.whole, owned: c.owned }),
          );
        else
          preps.push(
            this.prepareDelete(cluster, c.def, c.namespace, c.name, { user, propagationPolicy: c.propagationPolicy, gracePeriodSeconds: c.gracePeriodSeconds, preconditions: c.preconditions }),
          );
      } catch (e) {
        if (c.tolerate && e instanceof KubeError && c.tolerate.includes(e.code)) continue;
        throw e;
      }
    }
    await this.commitPrepared(cluster, preps, false, extra);
    return preps.map((p) => p.result);
  }

  // ---- preparing -----------------------------------------------------------------------------------------------

  /** The object as a client sees it (apiVersion and kind of the endpoint). */
  present(def: ResourceDef, o: KubeObject): KubeObject {
    const apiVersion = apiVersionOf(def.group, def.version);
    if (def.convert && o.apiVersion !== apiVersion) return def.convert.fromStorage(o);
    if (o.apiVersion === apiVersion && o.kind === def.kind) return o;
    return { ...o, apiVersion, kind: def.kind };
  }

  /** A write through a converted version: the body in the stored version's shape, and that version's kind. */
  private toStorage(cluster: string, def: ResourceDef, body: unknown): { def: ResourceDef; body: unknown } {
    if (!def.convert || !isObj(body)) return { def, body };
    this.checkTypeMeta(def, body);
    const storage = this.kinds(cluster).get(def.group, def.convert.storageVersion, def.resource);
    if (!storage) return { def, body };
    return { def: storage, body: def.convert.toStorage(clone(body) as KubeObject) };
  }

  private checkTypeMeta(def: ResourceDef, body: Record<string, any>): void {
    const want = apiVersionOf(def.group, def.version);
    if (body.apiVersion !== undefined && body.apiVersion !== '' && body.apiVersion !== want) {
      const [g] = String(body.apiVersion).includes('/') ? String(body.apiVersion).split('/') : [''];
      if (g !== def.group) throw KubeErrors.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${want})`);
    }
    if (body.kind !== undefined && body.kind !== '' && body.kind !== def.kind) {
      throw KubeErrors.badRequest(
        `${body.kind} in version "${def.version}" cannot be handled as a ${def.kind}: no kind "${body.kind}" is registered for version "${want}" in scheme "pkg/runtime/scheme.go:100"`,
      );
    }
  }

  private requireNamespace(cluster: string, def: ResourceDef, namespace: string, name: string, creating: boolean): void {
    if (!def.namespaced) return;
    if (!namespace) throw KubeErrors.badRequest('the server could not find the requested resource (a namespace must be given)');
    const ns = this.store.get(cluster, 'core/namespaces', '', namespace);
    if (!ns) throw KubeErrors.namespaceNotFound(namespace);
    if (creating && ns.metadata.deletionTimestamp) {
      throw KubeErrors.forbiddenMessage(def.group, def.resource, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private validateMeta(def: ResourceDef, o: KubeObject, old?: KubeObject): StatusCause[] {
    const m = o.metadata;
    // Labels and annotations kept as stored (the same maps) were valid when stored.
    const out: StatusCause[] = [
      ...(old && m.labels === old.metadata.labels ? [] : validateLabels('metadata.labels', m.labels)),
      ...(old && m.annotations === old.metadata.annotations ? [] : validateAnnotations('metadata.annotations', m.annotations)),
    ];
    if (Array.isArray(m.finalizers))
      m.finalizers.forEach((f, i) =>
        out.push(...(typeof f === 'string' && !f.includes('/') && ['orphan', 'foregroundDeletion', 'kubernetes'].includes(f) ? [] : qualifiedName(`metadata.finalizers[${i}]`, String(f)))),
      );
    if (m.ownerReferences !== undefined) {
      if (!Array.isArray(m.ownerReferences)) out.push(required('metadata.ownerReferences'));
      else
        m.ownerReferences.forEach((r, i) => {
          const f = `metadata.ownerReferences[${i}]`;
          if (!isObj(r)) return;
          for (const k of ['apiVersion', 'kind', 'name', 'uid'] as const) if (!r[k]) out.push(required(`${f}.${k}`));
        });
      if (Array.isArray(m.ownerReferences) && m.ownerReferences.filter((r) => r?.controller === true).length > 1) {
        out.push({ reason: 'FieldValueInvalid', message: 'Invalid value: []v1.OwnerReference: Only one reference can have Controller set to true', field: 'metadata.ownerReferences' });
      }
    }
    void def;
    return out;
  }

  private runHooks(cluster: string, def: ResourceDef, o: KubeObject, old: KubeObject | undefined): void {
    const ctx = this.ctx(cluster);
    def.defaults?.(o, ctx, old);
    const causes = [...this.validateMeta(def, o, old), ...(def.validate?.(o, ctx, old) ?? [])];
    if (causes.length) throw KubeErrors.invalid(def.group, def.kind, o.metadata.name ?? '', causes);
  }

  prepareCreate(cluster: string, def: ResourceDef, namespace: string, body: unknown, o: WriteOptions, extra: { apply?: unknown } = {}): Prepared {
    ({ def, body } = this.toStorage(cluster, def, body));
    if (!def.custom && !o.owned) body = decodeNulls(def.kind, body);
    if (!isObj(body)) throw KubeErrors.badRequest('the body of the request must be a JSON object');
    if (def.virtual) throw KubeErrors.methodNotAllowed();
    // An owned body is made for this write: it becomes the stored object as it is.
    const obj = (o.owned ? body : clone(body)) as KubeObject;
    this.checkTypeMeta(def, obj);
    obj.metadata = isObj(obj.metadata) ? obj.metadata : {};
    const m = obj.metadata;
    if (def.namespaced) {
      if (m.namespace !== undefined && m.namespace !== '' && namespace && m.namespace !== namespace) {
        throw KubeErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      m.namespace = namespace || m.namespace;
    } else delete m.namespace;
    if (!m.name && m.generateName) {
      for (let i = 0; i < 8; i++) {
        const n = `${m.generateName}${randomSuffix(5)}`;
        if (!this.store.get(cluster, storageOf(def), m.namespace ?? '', n)) {
          m.name = n;
          break;
        }
      }
    }
    if (!m.name) throw KubeErrors.invalid(def.group, def.kind, '', [required('metadata.name', 'name or generateName is required')]);
    // A create is authorized by its URL, which names no object (resourceNames rules never allow a create).
    this.authorize(cluster, o.user, {
      verb: 'create',
      group: def.group,
      resource: def.resource,
      subresource: o.subresource,
      namespace: def.namespaced ? m.namespace : undefined,
      name: o.subresource ? m.name : undefined,
    });
    this.requireNamespace(cluster, def, m.namespace ?? '', m.name, true);
    if (this.store.get(cluster, storageOf(def), m.namespace ?? '', m.name)) throw KubeErrors.alreadyExists(def.group, def.resource, m.name);
    if (m.resourceVersion !== undefined && m.resourceVersion !== '') throw KubeErrors.badRequest('resourceVersion should not be set on objects to be created');
    const now = this.now();
    m.uid = randomUUID();
    m.creationTimestamp = nowTime(now);
    for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'resourceVersion']) delete m[k];
    if (def.generation) m.generation = 1;
    else delete m.generation;
    // What a client sends as status is not kept; a built-in kind starts with an empty one (as the API server's
    // create strategies reset it: clients read `status` of a fresh deployment), a custom resource with none.
    // Nodes keep theirs (statusOnCreate).
    if (def.statusSubresource && !def.statusOnCreate) {
      if (def.custom) delete obj.status;
      else obj.status = {};
    }
    obj.apiVersion = apiVersionOf(def.group, def.version);
    obj.kind = def.kind;
    def.requestor?.(obj, o.user);
    this.runHooks(cluster, def, obj, undefined);
    m.managedFields = updateManagedFields(undefined, obj, {
      manager: o.fieldManager ?? managerOf(o.user),
      operation: extra.apply ? 'Apply' : 'Update',
      apiVersion: obj.apiVersion,
      subresource: o.subresource,
      applied: extra.apply,
      time: nowTime(now),
    });
    if (!m.managedFields.length) delete m.managedFields;
    return { op: { put: obj, gr: storageOf(def) }, result: obj };
  }

  prepareUpdate(
    cluster: string,
    def: ResourceDef,
    namespace: string,
    name: string,
    body: unknown,
    o: WriteOptions,
    extra: { patched?: boolean; managed?: KubeObject['metadata']['managedFields'] } = {},
  ): Prepared {
    ({ def, body } = this.toStorage(cluster, def, body));
    if (!def.custom && !o.owned) body = decodeNulls(def.kind, body);
    if (!isObj(body)) throw KubeErrors.badRequest('the body of the request must be a JSON object');
    const ns = def.namespaced ? namespace : '';
    if (!extra.patched)
      this.authorize(cluster, o.user, { verb: 'update', group: def.group, resource: def.resource, subresource: o.subresource, namespace: def.namespaced ? namespace : undefined, name });
    const old = this.store.get(cluster, storageOf(def), ns, name);
    // A status write keeps only the body's status, labels and annotations: nothing else is copied.
    const statusOnly = o.subresource === 'status' && !o.whole;
    const obj = (o.owned || statusOnly ? { ...body, metadata: isObj(body.metadata) ? { ...body.metadata } : body.metadata } : clone(body)) as KubeObject;
    if (statusOnly && !o.owned) {
      obj.status = clone(obj.status);
      if (isObj(obj.metadata)) for (const k of ['labels', 'annotations'] as const) if (obj.metadata[k] !== undefined) obj.metadata[k] = clone(obj.metadata[k]);
    }
    this.checkTypeMeta(def, obj);
    obj.metadata = isObj(obj.metadata) ? obj.metadata : {};
    const m = obj.metadata;
    if (m.name !== undefined && m.name !== name) throw KubeErrors.badRequest(`the name of the object (${m.name}) does not match the name on the URL (${name})`);
    if (def.namespaced && m.namespace !== undefined && m.namespace !== '' && m.namespace !== namespace) {
      throw KubeErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!old) throw KubeErrors.notFound(def.group, def.resource, name);
    if (m.resourceVersion !== undefined && m.resourceVersion !== '' && m.resourceVersion !== old.metadata.resourceVersion) {
      throw KubeErrors.conflict(def.group, def.resource, name);
    }
    if (m.uid !== undefined && m.uid !== '' && m.uid !== old.metadata.uid) {
      throw KubeErrors.conflict(def.group, def.resource, name, `Precondition failed: UID in precondition: ${m.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    // Kept from what is stored.
    m.name = name;
    if (def.namespaced) m.namespace = namespace;
    else delete m.namespace;
    m.uid = old.metadata.uid;
    m.creationTimestamp = old.metadata.creationTimestamp;
    for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
      if (old.metadata[k] !== undefined) (m as Record<string, unknown>)[k] = old.metadata[k];
      else delete m[k];
    }
    if (m.generateName === undefined && old.metadata.generateName !== undefined) m.generateName = old.metadata.generateName;
    obj.apiVersion = apiVersionOf(def.group, def.version);
    obj.kind = def.kind;
    let candidate = obj;
    if ((def.statusSubresource || o.subresource === 'status') && !o.whole) {
      if (o.subresource === 'approval') {
        // /approval changes the conditions only (CertificateSigningRequests: approve, deny).
        candidate = { ...old, apiVersion: obj.apiVersion, kind: obj.kind, status: { ...(old.status ?? {}), conditions: obj.status?.conditions } };
        if (candidate.status.conditions === undefined) delete candidate.status.conditions;
      } else if (o.subresource === 'status') {
        // Only status changes through /status (metadata other than labels and annotations stays); the rest is
        // the stored object's own (shared, never changed).
        candidate = { ...old, apiVersion: obj.apiVersion, kind: obj.kind, status: obj.status };
        candidate.metadata = { ...candidate.metadata, labels: m.labels ?? old.metadata.labels, annotations: m.annotations ?? old.metadata.annotations };
        if (candidate.metadata.labels === undefined) delete candidate.metadata.labels;
        if (candidate.metadata.annotations === undefined) delete candidate.metadata.annotations;
      } else if (old.status !== undefined) candidate.status = old.status;
      else delete candidate.status;
    }
    // A terminating object may lose finalizers, not gain them.
    if (old.metadata.deletionTimestamp) {
      const added = (candidate.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
      if (added.length) {
        throw KubeErrors.invalid(def.group, def.kind, name, [
          {
            reason: 'FieldValueForbidden',
            message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => `"${f}"`).join(', ')}}`,
            field: 'metadata.finalizers',
          },
        ]);
      }
    }
    if (Array.isArray(candidate.metadata.finalizers) && candidate.metadata.finalizers.length === 0) delete candidate.metadata.finalizers;
    if (def.generation) {
      const spec = (x: KubeObject) => Object.fromEntries(Object.entries(x).filter(([k]) => !['metadata', 'status', 'apiVersion', 'kind'].includes(k)));
      candidate.metadata.generation = (old.metadata.generation ?? 1) + (sameJson(spec(candidate), spec(old)) ? 0 : 1);
    }
    this.runHooks(cluster, def, candidate, old);
    candidate.metadata.managedFields =
      extra.managed ??
      updateManagedFields(old, candidate, {
        manager: o.fieldManager ?? managerOf(o.user),
        operation: 'Update',
        apiVersion: candidate.apiVersion,
        subresource: o.subresource,
        time: nowTime(this.now()),
      });
    if (!candidate.metadata.managedFields?.length) delete candidate.metadata.managedFields;
    // Finalizers all gone on a terminating object: it goes now.
    if (old.metadata.deletionTimestamp && (old.metadata.finalizers ?? []).length > 0 && !(candidate.metadata.finalizers ?? []).length && !def.graceful) {
      return { op: { delete: { namespace: ns, name }, gr: storageOf(def) }, result: candidate, gone: true };
    }
    // (sameObject leaves resourceVersion out; the commit sets it. Not deleted: a deleted key turns the stored
    // metadata into a slow dictionary-mode object, several times larger.)
    if (sameObject(candidate, old)) return { op: { put: old, gr: storageOf(def) }, result: old, noop: true };
    candidate.metadata.resourceVersion = undefined;
    return { op: { put: candidate, gr: storageOf(def) }, result: candidate };
  }

  prepareDelete(cluster: string, def: ResourceDef, namespace: string, name: string, o: DeleteOptions): Prepared {
    const ns = def.namespaced ? namespace : '';
    this.authorize(cluster, o.user, { verb: 'delete', group: def.group, resource: def.resource, namespace: def.namespaced ? namespace : undefined, name });
    const cur = this.store.get(cluster, storageOf(def), ns, name);
    if (!cur) throw KubeErrors.notFound(def.group, def.resource, name);
    const pre = o.preconditions;
    if (pre?.uid && pre.uid !== cur.metadata.uid)
      throw KubeErrors.conflict(def.group, def.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw KubeErrors.conflict(
        def.group,
        def.resource,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`,
      );
    }
    if (def.group === '' && def.resource === 'namespaces' && SYSTEM_NAMESPACES.has(name)) {
      throw KubeErrors.forbiddenMessage('', 'namespaces', name, 'this namespace may not be deleted');
    }
    const gr = storageOf(def);
    const now = this.now();
    const next = clone(cur);
    const m = next.metadata;
    const finalizers = [...(m.finalizers ?? [])];
    const policy = o.propagationPolicy;
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    const isNamespace = def.group === '' && def.resource === 'namespaces';
    if (def.graceful) {
      // Pods: graceful on a node (the kubelet ends it), at once when unscheduled, forced with grace 0.
      const grace = o.gracePeriodSeconds ?? cur.spec?.terminationGracePeriodSeconds ?? 30;
      const bound = !!cur.spec?.nodeName && !['Succeeded', 'Failed'].includes(cur.status?.phase);
      if (grace > 0 && bound) {
        if (m.deletionTimestamp && (m.deletionGracePeriodSeconds ?? 0) <= grace) return { op: { put: cur, gr }, result: cur, noop: true };
        m.deletionTimestamp = nowTime(now + grace * 1000);
        m.deletionGracePeriodSeconds = grace;
        m.finalizers = finalizers.length ? finalizers : undefined;
        if (!m.finalizers) delete m.finalizers;
        return { op: { put: next, gr }, result: next };
      }
      if (finalizers.length) {
        if (!m.deletionTimestamp) {
          m.deletionTimestamp = nowTime(now);
          m.deletionGracePeriodSeconds = 0;
        }
        m.finalizers = finalizers;
        if (sameJson(next, cur)) return { op: { put: cur, gr }, result: cur, noop: true };
        return { op: { put: next, gr }, result: next };
      }
      return { op: { delete: { namespace: ns, name }, gr }, result: cur, gone: true };
    }
    if (isNamespace) {
      // A terminating namespace goes once its content is gone and it is finalized (spec.finalizers empty).
      if (m.deletionTimestamp && !(cur.spec?.finalizers ?? []).length && !(m.finalizers ?? []).length) return { op: { delete: { namespace: '', name }, gr }, result: cur, gone: true };
      if (m.deletionTimestamp) return { op: { put: cur, gr }, result: cur, noop: true };
      m.deletionTimestamp = nowTime(now);
      m.deletionGracePeriodSeconds = 0;
      if (finalizers.length) m.finalizers = finalizers;
      next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      return { op: { put: next, gr }, result: next };
    }
    if (finalizers.length) {
      if (m.deletionTimestamp && finalizers.length === (cur.metadata.finalizers ?? []).length) return { op: { put: cur, gr }, result: cur, noop: true };
      if (!m.deletionTimestamp) {
        m.deletionTimestamp = nowTime(now);
        m.deletionGracePeriodSeconds = 0;
      }
      m.finalizers = finalizers;
      return { op: { put: next, gr }, result: next };
    }
    return { op: { delete: { namespace: ns, name }, gr }, result: cur, gone: true };
  }

  /** Commits prepared changes in one write (nothing for a dry run or when nothing changed). */
  async commitPrepared(cluster: string, preps: Prepared[], dryRun = false, extra: WriteOp[] = []): Promise<StoreEvent[]> {
    const ops = preps.filter((p) => !p.noop).map((p) => p.op);
    if (dryRun || (ops.length === 0 && extra.length === 0)) return [];
    // A change that names the same object twice keeps the last.
    const events = await this.store.commit(cluster, ops, { extra });
    // Deleted objects answer with the resourceVersion of their deletion.
    for (const p of preps) {
      if (p.gone) {
        const ev = events.find((e) => e.type === 'DELETED' && e.object.metadata.uid === p.result.metadata.uid);
        if (ev) p.result = ev.object;
      }
    }
    return events;
  }
}

export type BatchChange =
  | { verb: 'create'; def: ResourceDef; namespace: string; object: KubeObject; fieldManager?: string; owned?: boolean; tolerate?: number[] }
  | { verb: 'update'; def: ResourceDef; namespace: string; object: KubeObject; fieldManager?: string; subresource?: string; whole?: boolean; owned?: boolean; tolerate?: number[] }
  | {
      verb: 'delete';
      def: ResourceDef;
      namespace: string;
      name: string;
      propagationPolicy?: DeleteOptions['propagationPolicy'];
      gracePeriodSeconds?: number;
      preconditions?: DeleteOptions['preconditions'];
      tolerate?: number[];
    };

function managerOf(user: UserInfo): string {
  if (user === SYSTEM_USER) return 'kube-controller-manager';
  return 'unknown';
}

function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, managedFields: undefined, resourceVersion: undefined } });
  return sameJson(strip(a), strip(b));
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start }), 'utf8').toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (c?.v !== 'meta.k8s.io/v1' || typeof c.start !== 'string' || !Number.isInteger(c.rv)) throw new Error('bad');
    return c;
  } catch {
    throw KubeErrors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
