// What the HTTP edge's files share: the host they serve for (KubeHost), and how an answer is written (JSON,
// Status objects, one object in the form the client asked for: the object, a Table or partial metadata).

import type { X509Certificate } from 'node:crypto';
import type { Response } from 'express';
import type { KubeApi, UserInfo } from '../api.js';
import type { ResourceDef } from '../kinds/registry.js';
import type { KubeObject } from '../model.js';
import type { KubeError } from '../status.js';
import type { ClusterView } from '../clusters.js';
import { toPartial, toTable, type AcceptForm } from './table.js';

export interface KubeHost {
  api: KubeApi;
  resolve(key: string): ClusterView | undefined;
  /** The caller, from its TLS client certificate (if it sent one) or its Authorization header. */
  authenticate(view: ClusterView, authorization: string | undefined, cert?: X509Certificate): UserInfo;
  ensure(view: ClusterView): Promise<void>;
  /** host:port clients reach the emulator at (for serverAddressByClientCIDRs). */
  serverAddress(): string;
  maxBodyBytes: number;
  /** Why evicting this pod would break a disruption budget (429), if it would. */
  evictionBlocked?(cluster: string, pod: KubeObject): string | undefined;
  /** The cluster a local-account or service account credential, or a client certificate, belongs to (root paths). */
  keyForToken?(authorization: string | undefined, cert?: X509Certificate): string | undefined;
  /** Catches memory up with other instances' commits (several instances on one database). */
  sync?(): Promise<void>;
  /** Ends open watches at shutdown. */
  onShutdown(fn: () => void): () => void;
  quiet: boolean;
}

export function sendJson(res: Response, status: number, body: unknown, contentType = 'application/json'): void {
  res.status(status);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-cache, private');
  res.end(JSON.stringify(body));
}

/** A JSON answer already serialised (an object's stored text). */
export function sendJsonText(res: Response, status: number, text: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.end(text);
}

/** A boolean query parameter as clients write it ('true', 'True' from Python, '1'). */
export function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && ['true', '1'].includes(v.toLowerCase());
}

export function sendStatus(res: Response, e: KubeError): void {
  sendJson(res, e.code, e.toStatus());
}

export function presentFor(api: KubeApi, def: ResourceDef, o: KubeObject): KubeObject {
  if (def.storageGroup !== undefined && def.group === 'events.k8s.io') return coreEventToV1(o);
  return api.present(def, o);
}

/** A core/v1 Event as events.k8s.io/v1 shows it. */
function coreEventToV1(o: KubeObject): KubeObject {
  const e: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: o.metadata };
  if (o.eventTime) e.eventTime = o.eventTime;
  else e.eventTime = null;
  if (o.reportingComponent) e.reportingController = o.reportingComponent;
  if (o.reportingInstance) e.reportingInstance = o.reportingInstance;
  if (o.action) e.action = o.action;
  if (o.reason) e.reason = o.reason;
  e.regarding = o.involvedObject;
  if (o.related) e.related = o.related;
  if (o.message) e.note = o.message;
  if (o.type) e.type = o.type;
  if (o.source) e.deprecatedSource = o.source;
  if (o.firstTimestamp) e.deprecatedFirstTimestamp = o.firstTimestamp;
  if (o.lastTimestamp) e.deprecatedLastTimestamp = o.lastTimestamp;
  if (o.count) e.deprecatedCount = o.count;
  if (o.series) e.series = o.series;
  return e;
}

function wantsListTable(form: AcceptForm): boolean {
  return form.as === 'Table';
}

export function sendOne(res: Response, status: number, def: ResourceDef, o: KubeObject, form: AcceptForm, q: URLSearchParams, present: (o: KubeObject) => KubeObject): void {
  if (wantsListTable(form))
    return sendJson(
      res,
      status,
      toTable(def, [o], {
        version: form.version ?? 'v1',
        includeObject: q.get('includeObject') ?? undefined,
        now: Date.now(),
        present,
        listMeta: { resourceVersion: o.metadata.resourceVersion },
        kubernetesVersion: form.kubernetesVersion,
      }),
    );
  if (form.as === 'PartialObjectMetadata') return sendJson(res, status, toPartial(o, form.version ?? 'v1'));
  sendJson(res, status, present(o));
}
