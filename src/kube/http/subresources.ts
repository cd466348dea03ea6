// Subresources: status (the core keeps spec and status apart), scale (autoscaling/v1 Scale over a
// workload's replicas), pods' binding, eviction and log, service accounts' token, namespaces' finalize;
// exec, attach, port-forward and proxy answer a clear refusal at once (nothing runs in the emulated
// pods, so there is nothing to connect to).

import type { Request, Response } from 'express';
import type { UserInfo } from '../api.js';
import { SYSTEM_USER } from '../api.js';
import type { ResourceDef } from '../kinds/registry.js';
import { storageOf } from '../kinds/registry.js';
import { apiVersionOf, isObj, type KubeObject } from '../model.js';
import { KubeError, KubeErrors } from '../status.js';
import type { ClusterView } from '../clusters.js';
import { selectorString } from '../selectors.js';
import { applyJsonPatch, applyMergePatch } from '../patch.js';
import type { KubeHost } from './respond.js';
import { flag, presentFor, sendOne } from './respond.js';
import type { AcceptForm } from './table.js';
import { podLogs } from '../controllers/logs.js';
import { serviceAccountToken } from '../auth/tokens.js';

export interface SubCall {
  view: ClusterView;
  user: UserInfo;
  def: ResourceDef;
  ns: string;
  name: string;
  sub: string;
  q: URLSearchParams;
  dryRun: boolean;
  fieldManager: string;
  form: AcceptForm;
  readBody(): Promise<unknown>;
}

function json(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

const success = (code: number, details?: Record<string, unknown>) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code });

export async function subresource(host: KubeHost, req: Request, res: Response, c: SubCall): Promise<void> {
  const { api } = host;
  const { view, user, def, ns, name, sub } = c;
  const cluster = view.key;
  const method = req.method.toUpperCase();
  const present = (o: KubeObject) => presentFor(api, def, o);
  switch (sub) {
    case 'status': {
      if (method === 'GET') return sendOne(res, 200, def, api.get(cluster, def, ns, name, user, 'status'), c.form, c.q, present);
      if (method === 'PUT') {
        const body = await c.readBody();
        const out = await api.update(cluster, def, ns, name, body, { user, dryRun: c.dryRun, fieldManager: c.fieldManager, subresource: 'status' });
        return sendOne(res, 200, def, out.object, c.form, c.q, present);
      }
      if (method === 'PATCH') return patchSub(host, req, res, c, 'status');
      throw KubeErrors.methodNotAllowed();
    }
    case 'approval': {
      // CertificateSigningRequests: who approves or denies must also be allowed to for the request's signer.
      if (method === 'GET') return sendOne(res, 200, def, api.get(cluster, def, ns, name, user, 'approval'), c.form, c.q, present);
      if (method === 'PUT') {
        const body = await c.readBody();
        approveAllowed(host, c, body);
        const out = await api.update(cluster, def, ns, name, body, { user, dryRun: c.dryRun, fieldManager: c.fieldManager, subresource: 'approval' });
        return sendOne(res, 200, def, out.object, c.form, c.q, present);
      }
      if (method === 'PATCH') {
        approveAllowed(host, c, undefined);
        return patchSub(host, req, res, c, 'approval');
      }
      throw KubeErrors.methodNotAllowed();
    }
    case 'scale':
      return scale(host, req, res, c);
    case 'binding': {
      if (method !== 'POST') throw KubeErrors.methodNotAllowed();
      const body = (await c.readBody()) as Record<string, any>;
      api.authorize(cluster, user, { verb: 'create', group: '', resource: 'pods', subresource: 'binding', namespace: ns, name });
      const target = isObj(body?.target) ? body.target : undefined;
      if (!target?.name) throw KubeErrors.invalid('', 'Binding', name, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }]);
      const pod = api.get(cluster, def, ns, name);
      if (pod.spec?.nodeName) throw KubeErrors.conflict('', 'pods/binding', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      const next = structuredClone(pod);
      next.spec.nodeName = target.name;
      next.status = {
        ...(next.status ?? {}),
        conditions: [
          ...((next.status?.conditions ?? []) as any[]).filter((x) => x.type !== 'PodScheduled'),
          { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
        ],
      };
      await api.batch(cluster, [{ verb: 'update', def, namespace: ns, object: next, whole: true }], SYSTEM_USER);
      return json(res, 201, success(201));
    }
    case 'eviction': {
      if (method !== 'POST') throw KubeErrors.methodNotAllowed();
      const body = (await c.readBody()) as Record<string, any>;
      api.authorize(cluster, user, { verb: 'create', group: '', resource: 'pods', subresource: 'eviction', namespace: ns, name });
      const pod = api.get(cluster, def, ns, name);
      const blocked = host.evictionBlocked?.(cluster, pod);
      if (blocked) throw new KubeError(429, 'TooManyRequests', blocked, { causes: [{ reason: 'DisruptionBudget', message: blocked }] });
      const opts = isObj(body?.deleteOptions) ? body.deleteOptions : {};
      await api.delete(cluster, def, ns, name, { user: SYSTEM_USER, dryRun: c.dryRun, gracePeriodSeconds: opts.gracePeriodSeconds, preconditions: opts.preconditions });
      return json(res, 201, success(201));
    }
    case 'log': {
      if (method !== 'GET') throw KubeErrors.methodNotAllowed();
      api.authorize(cluster, user, { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: ns, name });
      const pod = api.get(cluster, def, ns, name);
      const text = podLogs(pod, {
        container: c.q.get('container') ?? undefined,
        previous: flag(c.q, 'previous'),
        timestamps: flag(c.q, 'timestamps'),
        tailLines: c.q.get('tailLines') ? Number(c.q.get('tailLines')) : undefined,
      });
      res.status(200).setHeader('Content-Type', 'text/plain');
      if (flag(c.q, 'follow')) {
        // Nothing more is ever written by an emulated container: the stream stays open until the pod goes.
        res.setHeader('Transfer-Encoding', 'chunked');
        res.write(text);
        const gr = storageOf(def);
        // eslint-disable-next-line prefer-const -- end() (declared next) needs it before the watch that sets it exists
        let stop: (() => void) | undefined;
        const end = () => {
          stop?.();
          res.end();
        };
        stop = api.store.watch(cluster, { gr, namespace: ns, after: api.store.rv(cluster), send: (ev) => ev.type === 'DELETED' && ev.object.metadata.name === name && end(), close: end });
        const off = host.onShutdown(end);
        res.on('close', () => {
          stop?.();
          off();
        });
        return;
      }
      res.end(text);
      return;
    }
    case 'exec':
    case 'attach':
    case 'portforward':
    case 'proxy': {
      api.authorize(cluster, user, { verb: method === 'GET' ? 'get' : 'create', group: def.group, resource: def.resource, subresource: sub, namespace: def.namespaced ? ns : undefined, name });
      api.get(cluster, def, ns, name);
      const what = { exec: 'exec', attach: 'attach', portforward: 'port-forward', proxy: 'proxy' }[sub];
      // Answered before any upgrade: clients print the message and exit instead of waiting.
      res.setHeader('Connection', 'close');
      throw new KubeError(
        400,
        'BadRequest',
        `${what} is not available in the emulated cluster: its pods are simulated and run no containers, so there is no process or port to connect to (${def.resource}/${name} in cluster '${view.name}')`,
      );
    }
    case 'token': {
      if (method !== 'POST') throw KubeErrors.methodNotAllowed();
      api.authorize(cluster, user, { verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: ns, name });
      const sa = api.get(cluster, def, ns, name);
      const body = (await c.readBody()) as Record<string, any>;
      const spec = isObj(body?.spec) ? body.spec : {};
      const audiences: string[] = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : ['https://kubernetes.default.svc.cluster.local'];
      const expirationSeconds = Math.max(600, Math.min(Number(spec.expirationSeconds ?? 3600), 48 * 3600));
      if (!view.secrets) throw KubeErrors.serviceUnavailable('the cluster has no signing key yet');
      const { token, expires } = serviceAccountToken(view, sa, audiences, expirationSeconds, isObj(spec.boundObjectRef) ? spec.boundObjectRef : undefined);
      return json(res, 201, {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { name, namespace: ns, creationTimestamp: sa.metadata.creationTimestamp },
        spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
        status: { token, expirationTimestamp: new Date(expires * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
      });
    }
    case 'finalize': {
      if (method !== 'PUT') throw KubeErrors.methodNotAllowed();
      const body = (await c.readBody()) as Record<string, any>;
      const cur = api.get(cluster, def, ns, name, user, 'finalize');
      const next = structuredClone(cur);
      next.spec = { ...(next.spec ?? {}), finalizers: Array.isArray(body?.spec?.finalizers) ? body.spec.finalizers : [] };
      const out = await api.update(cluster, def, ns, name, next, { user: SYSTEM_USER, dryRun: c.dryRun, fieldManager: c.fieldManager });
      return sendOne(res, 200, def, out.object, c.form, c.q, present);
    }
    default:
      throw KubeErrors.pathNotFound();
  }
}

async function patchSub(host: KubeHost, req: Request, res: Response, c: SubCall, sub: string): Promise<void> {
  const ct = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  const type =
    ct === 'application/json-patch+json'
      ? 'json'
      : ct === 'application/merge-patch+json'
        ? 'merge'
        : ct === 'application/strategic-merge-patch+json'
          ? 'strategic'
          : ct === 'application/apply-patch+yaml'
            ? 'apply'
            : undefined;
  if (!type) throw KubeErrors.unsupportedMediaType(ct);
  const body = await c.readBody();
  const out = await host.api.patch(c.view.key, c.def, c.ns, c.name, type, body, {
    user: c.user,
    dryRun: c.dryRun,
    fieldManager: type === 'apply' ? (c.q.get('fieldManager') ?? undefined) : c.fieldManager,
    subresource: sub,
    force: flag(c.q, 'force'),
  });
  return sendOne(res, 200, c.def, out.object, c.form, c.q, (o) => presentFor(host.api, c.def, o));
}

/** The replicas path of a workload (built-in or custom resource with a scale subresource). */
function replicasOf(def: ResourceDef, o: KubeObject): { spec: number; status: number; selector: string } {
  if (def.custom?.scaleSpec) {
    const s = def.custom.scaleSpec;
    const get = (p: string) =>
      p
        .replace(/^\./, '')
        .split('.')
        .reduce((x: any, k) => (x === undefined || x === null ? undefined : x[k]), o);
    return { spec: Number(get(s.specReplicasPath) ?? 0), status: Number(get(s.statusReplicasPath) ?? 0), selector: s.labelSelectorPath ? String(get(s.labelSelectorPath) ?? '') : '' };
  }
  return { spec: Number(o.spec?.replicas ?? 0), status: Number(o.status?.replicas ?? 0), selector: selectorString(o.spec?.selector) };
}

function setReplicas(def: ResourceDef, o: KubeObject, n: number): KubeObject {
  const next = structuredClone(o);
  if (def.custom?.scaleSpec) {
    const parts = def.custom.scaleSpec.specReplicasPath.replace(/^\./, '').split('.');
    let cur: any = next;
    for (const k of parts.slice(0, -1)) cur = cur[k] = isObj(cur[k]) ? cur[k] : {};
    cur[parts[parts.length - 1]] = n;
  } else next.spec = { ...(next.spec ?? {}), replicas: n };
  return next;
}

function scaleOf(def: ResourceDef, o: KubeObject): KubeObject {
  const r = replicasOf(def, o);
  const meta: Record<string, unknown> = { name: o.metadata.name, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp };
  if (o.metadata.namespace) meta.namespace = o.metadata.namespace;
  return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: meta, spec: { replicas: r.spec }, status: { replicas: r.status, ...(r.selector ? { selector: r.selector } : {}) } };
}

async function scale(host: KubeHost, req: Request, res: Response, c: SubCall): Promise<void> {
  const { api } = host;
  const { view, user, def, ns, name } = c;
  const cluster = view.key;
  const method = req.method.toUpperCase();
  const verb = method === 'GET' ? 'get' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : '';
  if (!verb) throw KubeErrors.methodNotAllowed();
  api.authorize(cluster, user, { verb, group: def.group, resource: def.resource, subresource: 'scale', namespace: def.namespaced ? ns : undefined, name });
  const cur = api.get(cluster, def, ns, name);
  const sc = scaleOf(def, cur);
  if (method === 'GET') return json(res, 200, sc);
  const body = await c.readBody();
  let next: any;
  if (method === 'PUT') next = body;
  else {
    const ct = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (ct === 'application/json-patch+json') next = applyJsonPatch(sc, body);
    else if (ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json' || ct === 'application/apply-patch+yaml') next = applyMergePatch(sc, body);
    else throw KubeErrors.unsupportedMediaType(ct);
  }
  if (!isObj(next) || !isObj(next.spec)) throw KubeErrors.badRequest('the body must be a Scale object');
  const n = next.spec.replicas;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw KubeErrors.invalid('autoscaling', 'Scale', name, [
      { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(n)}: must be greater than or equal to 0`, field: 'spec.replicas' },
    ]);
  }
  const rv = next.metadata?.resourceVersion;
  if (method === 'PUT' && rv && rv !== cur.metadata.resourceVersion) throw KubeErrors.conflict(def.group, def.resource, name);
  const out = await api.update(cluster, def, ns, name, setReplicas(def, cur, n), { user: SYSTEM_USER, dryRun: c.dryRun, fieldManager: c.fieldManager });
  void apiVersionOf;
  return json(res, 200, scaleOf(def, out.object));
}

/** The certificates.k8s.io admission check: approving or denying needs the `approve` verb on the request's signer. */
function approveAllowed(host: KubeHost, c: SubCall, body: unknown): void {
  const cur = host.api.find(c.view.key, c.def, c.ns, c.name);
  const signer = String(cur?.spec?.signerName ?? (isObj(body) && isObj(body.spec) ? body.spec.signerName : '') ?? '');
  try {
    host.api.authorize(c.view.key, c.user, { verb: 'approve', group: 'certificates.k8s.io', resource: 'signers', name: signer });
  } catch (e) {
    if (e instanceof KubeError && e.code === 403) throw KubeErrors.forbiddenMessage(c.def.group, c.def.resource, c.name, `user not permitted to approve requests with signerName "${signer}"`);
    throw e;
  }
}
