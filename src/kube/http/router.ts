// The HTTP edge of the Kubernetes API: /k8s/<cluster key>/... on the emulator's own HTTPS port. It finds
// the cluster, refuses a stopped or unfinished one (503) and an unknown one (404), authenticates the
// caller, then maps the request to the core (../api.ts): discovery, OpenAPI, get/list/watch, create,
// update, patch, delete, subresources. It only parses and formats; every decision is the core's.

import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import { parse as parseYaml } from 'yaml';
import type { PatchType, UserInfo } from '../api.js';
import { SYSTEM_USER } from '../api.js';
import type { ResourceDef } from '../kinds/registry.js';
import { storageOf } from '../kinds/registry.js';
import { apiVersionOf, isObj, type KubeObject } from '../model.js';
import { isKubeError, KubeError, KubeErrors } from '../status.js';
import { StoreConflictError, StoreUnavailableError } from '../../store/store.js';
import { readLimited } from '../../arm/body.js';
import type { ClusterView } from '../clusters.js';
import { aggregated, AGGREGATED_V2, AGGREGATED_V2BETA1, apiGroup, apiGroupList, apiVersions, resourceList } from './discovery.js';
import { openapiDoc, openapiRoot } from './openapi.js';
import { openapiV2Json, openapiV2Proto, PROTO_V2 } from './openapiv2.js';
import { negotiate, toPartialList, toTable, type AcceptForm } from './table.js';
import { serveWatch } from './watch.js';
import { isProtobuf, protobufToJson } from './protobuf.js';
import { subresource } from './subresources.js';
import { flag, presentFor, sendJson, sendJsonText, sendOne, sendStatus, type KubeHost } from './respond.js';

export type { KubeHost } from './respond.js';
export { flag, presentFor, sendOne, sendStatus } from './respond.js';

interface Target {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  sub?: string;
  watchPath: boolean;
}

export function kubeRouter(host: KubeHost, byToken = false) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (byToken) {
      // kubectl's --raw and a few clients drop the server URL's path: the cluster is found from the credential.
      const cert = clientCertificate(req);
      const authorization = header(req, 'authorization');
      const key = host.keyForToken?.(authorization, cert);
      if (!key) {
        // a client certificate and no token: a Kubernetes client whose certificate no cluster's CA signed (or
        // that expired), answered as an API server answers it rather than by the ARM front door's 404
        if (cert && !authorization) return sendStatus(res, KubeErrors.unauthorized());
        return next();
      }
      (req as Request & { kubeKey?: string }).kubeKey = key;
    }
    handleRetrying(host, req, res).catch((e) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (e instanceof StoreConflictError)
        return sendStatus(res, new KubeError(409, 'Conflict', `Operation cannot be fulfilled: ${e.message}; please apply your changes to the latest version and try again`));
      if (e instanceof StoreUnavailableError) {
        res.setHeader('Retry-After', String(e.retryAfter));
        return sendStatus(res, KubeErrors.serviceUnavailable(e.message));
      }
      if (!isKubeError(e) && !host.quiet) console.error(`[kube] ${req.method} ${req.originalUrl}:`, e);
      sendStatus(res, isKubeError(e) ? e : KubeErrors.internal((e as Error)?.message ?? String(e)));
    });
    void next;
  };
}

/** Attempts of a request that meets another instance's change to the same cluster (see handleRetrying). */
const CONFLICT_ATTEMPTS = 6;

/**
 * Serves a request; when the store refuses its write because another instance sharing the database changed the
 * cluster first (its controllers, another client), serves it again on the caught-up state, as kube-apiserver's
 * storage retries an update that lost a race. Nothing was written by the refused attempt, and the request's own
 * preconditions (a resourceVersion, a uid) are checked again against the new state: a real conflict is still 409.
 */
async function handleRetrying(host: KubeHost, req: Request, res: Response): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await handle(host, req, res);
    } catch (e) {
      if (!(e instanceof StoreConflictError) || attempt >= CONFLICT_ATTEMPTS || res.headersSent) throw e;
    }
  }
}

const peers = new WeakMap<object, X509Certificate | null>();
/**
 * The certificate the client presented in the TLS handshake (the emulator's HTTPS server asks for one without
 * requiring it), read once per connection.
 */
function clientCertificate(req: Request): X509Certificate | undefined {
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerX509Certificate !== 'function') return undefined;
  let c = peers.get(socket);
  if (c === undefined) {
    c = socket.getPeerX509Certificate() ?? null;
    peers.set(socket, c);
  }
  return c ?? undefined;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function handle(host: KubeHost, req: Request, res: Response): Promise<void> {
  const url = new URL(req.originalUrl, 'http://x');
  const raw = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  // /k8s/<key>/..., or a root path whose cluster the credential names.
  const viaToken = (req as Request & { kubeKey?: string }).kubeKey;
  const segs = viaToken ? ['k8s', viaToken, ...raw] : raw;
  const key = segs[1];
  const rest = segs.slice(2);
  const q = url.searchParams;
  // Reads see what any instance of the emulator committed.
  await host.sync?.();
  const view = key ? host.resolve(key) : undefined;
  if (!view)
    throw new KubeError(
      404,
      'NotFound',
      `no Kubernetes cluster is served at ${segs.slice(0, 2).join('/') || '/'}: the cluster was deleted (or never existed); get a new kubeconfig for the cluster you mean`,
    );
  if (!view.serving) throw KubeErrors.serviceUnavailable(`${view.why ?? 'the cluster is not running'}`);
  const user = host.authenticate(view, header(req, 'authorization'), clientCertificate(req));
  await host.ensure(view);
  const cluster = view.key;
  const api = host.api;
  const kinds = api.kinds(cluster);
  const method = req.method.toUpperCase();
  const p = rest.join('/');

  // ---- non-resource paths -------------------------------------------------------------------------------
  if (p === 'version') return sendJson(res, 200, versionInfo(view));
  if (p === 'healthz' || p === 'livez' || p === 'readyz' || /^(healthz|livez|readyz)\//.test(p)) {
    res.status(200).setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('ok');
    return;
  }
  const accept = header(req, 'accept') ?? '';
  if (method === 'GET' && (p === 'api' || p === 'apis')) {
    const v2 = accept.includes('g=apidiscovery.k8s.io;v=v2;') || accept.includes('g=apidiscovery.k8s.io;v=v2,') || /g=apidiscovery\.k8s\.io;v=v2(;|,|$)/.test(accept);
    const v2beta1 = !v2 && accept.includes('v=v2beta1;as=APIGroupDiscoveryList');
    if (v2 || v2beta1) {
      const doc = aggregated(kinds, p === 'api');
      if (v2beta1) doc.apiVersion = 'apidiscovery.k8s.io/v2beta1';
      return sendJson(res, 200, doc, v2 ? AGGREGATED_V2 : AGGREGATED_V2BETA1);
    }
    return sendJson(res, 200, p === 'api' ? apiVersions(host.serverAddress()) : apiGroupList(kinds));
  }
  if (p === 'openapi/v3') return sendJson(res, 200, openapiRoot(kinds));
  if (p.startsWith('openapi/v3/')) {
    const doc = openapiDoc(kinds, p.slice('openapi/v3/'.length));
    if (!doc) throw KubeErrors.pathNotFound();
    return sendJson(res, 200, doc);
  }
  if (p === 'openapi/v2') {
    if (accept.includes('protobuf')) {
      res.status(200).setHeader('Content-Type', PROTO_V2);
      res.end(openapiV2Proto(kinds));
      return;
    }
    return sendJson(res, 200, openapiV2Json(kinds));
  }
  if (p === 'swagger-2.0.0.pb-v1' || p === 'swagger.json') throw KubeErrors.pathNotFound();

  // ---- discovery of one group / version --------------------------------------------------------------------
  let group = '';
  let version: string;
  let tail: string[];
  if (rest[0] === 'api') {
    if (rest.length === 1) throw KubeErrors.pathNotFound();
    version = rest[1];
    tail = rest.slice(2);
  } else if (rest[0] === 'apis') {
    if (rest.length === 2 && method === 'GET') {
      const g = apiGroup(kinds, rest[1]);
      if (!g) throw KubeErrors.pathNotFound();
      return sendJson(res, 200, g);
    }
    if (rest.length < 3) throw KubeErrors.pathNotFound();
    group = rest[1];
    version = rest[2];
    tail = rest.slice(3);
  } else throw KubeErrors.pathNotFound();
  if (tail.length === 0) {
    if (method !== 'GET') throw KubeErrors.methodNotAllowed();
    const list = resourceList(kinds, group, version);
    if (!list) throw KubeErrors.pathNotFound();
    return sendJson(res, 200, list);
  }

  // ---- resources -------------------------------------------------------------------------------------------------
  const t = parseTarget(group, version, tail);
  const def = kinds.get(group, version, t.resource);
  if (!def) throw KubeErrors.pathNotFound();
  if (!def.namespaced && t.namespace !== undefined) throw KubeErrors.pathNotFound();
  if (def.namespaced && t.namespace === undefined && t.name !== undefined) throw KubeErrors.pathNotFound();
  if (t.sub && !(def.subresources ?? []).includes(t.sub)) throw KubeErrors.pathNotFound();
  const ns = t.namespace ?? '';
  const form = negotiate(accept);
  if (form === 'unacceptable') throw KubeErrors.notAcceptable('only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
  form.kubernetesVersion = view.kubernetesVersion;
  const present = (o: KubeObject) => presentFor(api, def, o);
  const dryRun = q.getAll('dryRun').includes('All');
  const fieldManager = q.get('fieldManager') ?? userAgentManager(header(req, 'user-agent'));
  const fieldValidation = (q.get('fieldValidation') as 'Strict' | 'Warn' | 'Ignore' | null) ?? undefined;

  if (t.sub) return subresource(host, req, res, { view, user, def, ns, name: t.name!, sub: t.sub, q, dryRun, fieldManager, form, readBody: () => readJsonBody(req, host.maxBodyBytes) });

  switch (method) {
    case 'GET': {
      const watch = t.watchPath || flag(q, 'watch');
      if (watch) {
        if (t.name !== undefined && t.watchPath) {
          // /watch/.../name: a watch of one object
          q.set('fieldSelector', [q.get('fieldSelector'), `metadata.name=${t.name}`].filter(Boolean).join(','));
        }
        api.authorize(cluster, user, { verb: 'watch', group: def.group, resource: def.resource, namespace: def.namespaced ? t.namespace : undefined, name: t.name });
        const filter = api.filterOf(def, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
        let close: (() => void) | undefined;
        const off = host.onShutdown(() => close?.());
        res.on('close', off);
        serveWatch(
          api.store,
          res,
          {
            cluster,
            def,
            namespace: t.namespace,
            filter,
            resourceVersion: q.get('resourceVersion') ?? undefined,
            sendInitialEvents: flag(q, 'sendInitialEvents'),
            allowBookmarks: flag(q, 'allowWatchBookmarks'),
            timeoutSeconds: q.get('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : undefined,
            form,
            includeObject: q.get('includeObject') ?? undefined,
            present,
            initial: () => api.store.list(cluster, storageOf(def), def.namespaced ? t.namespace : undefined),
          },
          (fn) => (close = fn),
        );
        return;
      }
      if (def.virtual && t.name === undefined && def.resource === 'componentstatuses') {
        const items = componentStatuses();
        return sendList(res, def, items, String(api.store.rv(cluster)), form, q, present);
      }
      if (t.name !== undefined) {
        if (def.virtual && def.resource === 'componentstatuses') {
          const o = componentStatuses().find((x) => x.metadata.name === t.name);
          if (!o) throw KubeErrors.notFound('', 'componentstatuses', t.name);
          return sendOne(res, 200, def, o, form, q, present);
        }
        const o = api.get(cluster, def, ns, t.name, user);
        // The object as stored: the Store's JSON text is its answer (nothing to serialise again).
        const text = form.as === undefined && present(o) === o ? api.store.text(cluster, storageOf(def), def.namespaced ? ns : '', t.name) : undefined;
        if (text !== undefined) return sendJsonText(res, 200, text);
        return sendOne(res, 200, def, o, form, q, present);
      }
      if (def.virtual) throw KubeErrors.methodNotAllowed();
      const limit = q.get('limit') ? Number(q.get('limit')) : undefined;
      const r = api.list(
        cluster,
        def,
        t.namespace,
        { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined, limit, continue: q.get('continue') ?? undefined },
        user,
      );
      return sendList(res, def, r.items, r.resourceVersion, form, q, present, r.continue, r.remainingItemCount);
    }
    case 'POST': {
      if (t.name !== undefined) throw KubeErrors.methodNotAllowed();
      const body = await readJsonBody(req, host.maxBodyBytes);
      if (def.virtual) return sendJson(res, 201, review(host, view, user, def, body));
      const out = await api.create(cluster, def, ns, body, { user, dryRun, fieldManager, fieldValidation });
      warn(res, out.warnings);
      return sendOne(res, 201, def, out.object, form, q, present);
    }
    case 'PUT': {
      if (t.name === undefined) throw KubeErrors.methodNotAllowed();
      const body = await readJsonBody(req, host.maxBodyBytes);
      const out = await api.update(cluster, def, ns, t.name, body, { user, dryRun, fieldManager, fieldValidation });
      warn(res, out.warnings);
      return sendOne(res, out.created ? 201 : 200, def, out.object, form, q, present);
    }
    case 'PATCH': {
      if (t.name === undefined) throw KubeErrors.methodNotAllowed();
      const type = patchTypeOf(header(req, 'content-type'));
      const raw = await readRaw(req, host.maxBodyBytes);
      const body = parseBody(raw, type === 'apply');
      const force = flag(q, 'force');
      const out = await api.patch(cluster, def, ns, t.name, type, body, { user, dryRun, fieldManager: type === 'apply' ? (q.get('fieldManager') ?? undefined) : fieldManager, fieldValidation, force });
      warn(res, out.warnings);
      return sendOne(res, out.created ? 201 : 200, def, out.object, form, q, present);
    }
    case 'DELETE': {
      const raw = await readRaw(req, host.maxBodyBytes);
      const parsed = raw.toString('utf8').trim() ? parseBody(raw, false) : {};
      const opts: Record<string, any> = isObj(parsed) ? parsed : {};
      const propagation = (q.get('propagationPolicy') ?? opts.propagationPolicy ?? (flag(q, 'orphanDependents') || opts.orphanDependents === true ? 'Orphan' : undefined)) as
        'Background' | 'Foreground' | 'Orphan' | undefined;
      if (propagation !== undefined && !['Background', 'Foreground', 'Orphan'].includes(propagation)) {
        throw KubeErrors.badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${propagation}": supported values: "Foreground", "Background", "Orphan", "nil"`);
      }
      const grace = q.get('gracePeriodSeconds') ?? opts.gracePeriodSeconds;
      const delOpts = {
        user,
        dryRun: dryRun || (Array.isArray(opts.dryRun) && opts.dryRun.includes('All')),
        propagationPolicy: propagation,
        gracePeriodSeconds: grace !== undefined && grace !== null ? Number(grace) : undefined,
        preconditions: isObj(opts.preconditions) ? opts.preconditions : undefined,
      };
      if (t.name === undefined) {
        const items = await api.deleteCollection(cluster, def, t.namespace, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined }, delOpts);
        return sendList(res, def, items, String(api.store.rv(cluster)), {}, q, present);
      }
      const out = await api.delete(cluster, def, ns, t.name, delOpts);
      if (out.gone && !returnsDeletedObject(def)) {
        const d: Record<string, unknown> = { name: t.name, kind: def.resource, uid: out.object.metadata.uid };
        if (def.group) d.group = def.group;
        return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: d });
      }
      return sendOne(res, out.gone ? 200 : 202, def, out.object, form, q, present);
    }
    default:
      throw KubeErrors.methodNotAllowed();
  }
}

function returnsDeletedObject(def: ResourceDef): boolean {
  return def.group === '' && ['pods', 'services', 'namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'nodes'].includes(def.resource);
}

function parseTarget(group: string, version: string, tail: string[]): Target {
  let s = tail;
  let watchPath = false;
  if (s[0] === 'watch') {
    watchPath = true;
    s = s.slice(1);
  }
  if (s[0] === 'namespaces' && s.length >= 3 && !(s.length === 3 && (s[2] === 'status' || s[2] === 'finalize'))) {
    return { group, version, namespace: s[1], resource: s[2], name: s[3], sub: s.slice(4).join('/') || undefined, watchPath };
  }
  return { group, version, resource: s[0], name: s[1], sub: s.slice(2).join('/') || undefined, watchPath };
}

function userAgentManager(ua: string | undefined): string {
  // The API server names a manager after the client's user agent up to its first '/'.
  if (!ua) return 'unknown';
  return ua.split('/')[0] || 'unknown';
}

function patchTypeOf(ct: string | undefined): PatchType {
  const t = (ct ?? '').split(';')[0].trim().toLowerCase();
  switch (t) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      throw KubeErrors.unsupportedMediaType(t);
  }
}

function warn(res: Response, warnings: string[]): void {
  if (warnings.length) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', '));
}

const bodies = new WeakMap<Request, Promise<Buffer>>();
/** The request's body, read once (a request served again after a conflict reads it from here). */
function readRaw(req: Request, limit: number): Promise<Buffer> {
  let b = bodies.get(req);
  if (!b) {
    b = readLimited(req, limit, { tooLarge: () => KubeErrors.tooLarge(), unreadable: (e) => KubeErrors.badRequest(`the request body could not be read: ${e.message}`) });
    bodies.set(req, b);
  }
  return b;
}

function parseBody(raw: Buffer, yamlAllowed: boolean): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') throw KubeErrors.badRequest('the request body is empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    if (yamlAllowed) {
      try {
        return parseYaml(text);
      } catch (y) {
        throw KubeErrors.badRequest(`error decoding YAML: ${(y as Error).message}`);
      }
    }
    throw KubeErrors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

export async function readJsonBody(req: Request, limit: number): Promise<unknown> {
  const raw = await readRaw(req, limit);
  const ct = (header(req, 'content-type') ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (isProtobuf(ct)) return protobufToJson(raw);
  return parseBody(raw, ct === 'application/yaml' || ct === 'application/apply-patch+yaml');
}

function sendList(
  res: Response,
  def: ResourceDef,
  items: KubeObject[],
  rv: string,
  form: AcceptForm,
  q: URLSearchParams,
  present: (o: KubeObject) => KubeObject,
  cont?: string,
  remaining?: number,
): void {
  const meta: Record<string, unknown> = { resourceVersion: rv };
  if (cont) meta.continue = cont;
  if (remaining !== undefined) meta.remainingItemCount = remaining;
  if (form.as === 'Table')
    return sendJson(
      res,
      200,
      toTable(def, items, { version: form.version ?? 'v1', includeObject: q.get('includeObject') ?? undefined, now: Date.now(), present, listMeta: meta, kubernetesVersion: form.kubernetesVersion }),
    );
  if (form.as === 'PartialObjectMetadataList' || form.as === 'PartialObjectMetadata') return sendJson(res, 200, toPartialList(items, form.version ?? 'v1', meta));
  const apiVersion = apiVersionOf(def.group, def.version);
  // Items of a built-in list carry no apiVersion and kind (custom resources do).
  const shown = items.map((o) => {
    const p = present(o);
    if (def.custom) return p;
    const { apiVersion: _a, kind: _k, ...rest } = p;
    return rest;
  });
  sendJson(res, 200, { kind: def.listKind ?? `${def.kind}List`, apiVersion, metadata: meta, items: shown });
}

function versionInfo(view: ClusterView) {
  const [major, minor] = view.kubernetesVersion.split('.');
  return {
    major,
    minor,
    gitVersion: `v${view.kubernetesVersion}`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function componentStatuses(): KubeObject[] {
  return ['scheduler', 'controller-manager', 'etcd-0'].map((name) => ({
    apiVersion: 'v1',
    kind: 'ComponentStatus',
    metadata: { name },
    conditions: [{ type: 'Healthy', status: 'True', message: name === 'etcd-0' ? 'ok' : 'ok' }],
  }));
}

/** SelfSubjectAccessReview and friends: answered from the authorizer. */
function review(host: KubeHost, view: ClusterView, user: UserInfo, def: ResourceDef, body: unknown): Record<string, unknown> {
  if (!isObj(body)) throw KubeErrors.badRequest('the body of the request must be a JSON object');
  const spec = isObj(body.spec) ? body.spec : {};
  const out: Record<string, unknown> = { kind: def.kind, apiVersion: apiVersionOf(def.group, def.version), metadata: { creationTimestamp: null }, spec };
  const can = (u: UserInfo, a: Record<string, any>): { allowed: boolean; reason?: string } => {
    try {
      host.api.authorize(view.key, u, {
        verb: String(a.verb ?? ''),
        group: String(a.group ?? ''),
        resource: String(a.resource ?? ''),
        subresource: a.subresource || undefined,
        namespace: a.namespace || undefined,
        name: a.name || undefined,
      });
      return { allowed: true };
    } catch (e) {
      // RBAC denies without a reason (kubectl auth can-i prints a bare "no"); Azure RBAC says why.
      if (e instanceof KubeError && e.code === 403) return { allowed: false, reason: e.reasonOfDenial };
      return { allowed: false, reason: e instanceof KubeError ? e.message : String(e) };
    }
  };
  switch (def.resource) {
    case 'selfsubjectaccessreviews':
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      const subject: UserInfo = def.resource === 'selfsubjectaccessreviews' ? user : { username: String(spec.user ?? ''), groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [] };
      if (def.resource !== 'selfsubjectaccessreviews') host.api.authorize(view.key, user, { verb: 'create', group: def.group, resource: def.resource });
      if (isObj(spec.nonResourceAttributes)) {
        out.status = { allowed: true, reason: 'non-resource URLs are open to authenticated users' };
        break;
      }
      const r = can(subject, isObj(spec.resourceAttributes) ? spec.resourceAttributes : {});
      out.status = r.allowed ? { allowed: true, reason: "allowed by the cluster's authorization" } : { allowed: false, ...(r.reason ? { reason: r.reason } : {}) };
      break;
    }
    case 'selfsubjectrulesreviews':
      out.status = {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }].filter(() => can(user, { verb: '*', group: '*', resource: '*' }).allowed),
        nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'] }],
        incomplete: false,
      };
      break;
    case 'selfsubjectreviews':
      out.status = { userInfo: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) } };
      break;
    case 'tokenreviews':
      host.api.authorize(view.key, user, { verb: 'create', group: def.group, resource: def.resource });
      try {
        const u = host.authenticate(view, `Bearer ${String(spec.token ?? '')}`);
        out.status = { authenticated: true, user: { username: u.username, groups: u.groups }, audiences: spec.audiences ?? [] };
      } catch (e) {
        out.status = { authenticated: false, error: (e as Error).message };
      }
      break;
    default:
      throw KubeErrors.methodNotAllowed();
  }
  void SYSTEM_USER;
  return out;
}
