// Watches: a chunked stream of {"type","object"} lines, from a resourceVersion (replayed from the store's
// recent history, 410 Expired as an ERROR event when too old) or from now with the current objects as
// ADDED (no resourceVersion, "0", or sendInitialEvents with a BOOKMARK closing the initial list). Label and
// field selectors apply; an object that stops matching leaves the watch as DELETED. Table watches
// (`kubectl get -w`) send one-row tables, with the column definitions in the first event only.

import type { Response } from 'express';
import type { KubeObject } from '../model.js';
import type { ResourceDef } from '../kinds/registry.js';
import { storageOf } from '../kinds/registry.js';
import type { KubeStore, StoreEvent } from '../store.js';
import { KubeError } from '../status.js';
import { toPartial, toTable, type AcceptForm } from './table.js';

export interface WatchRequest {
  cluster: string;
  def: ResourceDef;
  namespace?: string;
  filter: (o: KubeObject) => boolean;
  resourceVersion?: string;
  sendInitialEvents?: boolean;
  allowBookmarks?: boolean;
  timeoutSeconds?: number;
  form: AcceptForm;
  includeObject?: string;
  present: (o: KubeObject) => KubeObject;
  /** Called with the initial objects (the list the watch starts from). */
  initial: () => KubeObject[];
}

export function serveWatch(store: KubeStore, res: Response, w: WatchRequest, onClose: (fn: () => void) => void): void {
  res.status(200);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Transfer-Encoding', 'chunked');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.flushHeaders();
  let first = true;
  let ended = false;
  const encode = (type: string, o: KubeObject): string => {
    let object: unknown = w.present(o);
    if (w.form.as === 'Table') {
      object = toTable(w.def, [o], {
        version: w.form.version ?? 'v1',
        includeObject: w.includeObject,
        noHeaders: !first,
        now: Date.now(),
        present: w.present,
        kubernetesVersion: w.form.kubernetesVersion,
      });
      first = false;
    } else if (w.form.as === 'PartialObjectMetadata') object = toPartial(o, w.form.version ?? 'v1');
    return `${JSON.stringify({ type, object })}\n`;
  };
  const write = (line: string) => {
    if (ended) return;
    res.write(line);
  };
  let stop: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  const end = () => {
    if (ended) return;
    ended = true;
    stop?.();
    if (timer) clearTimeout(timer);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    res.end();
  };
  res.on('close', end);
  onClose(end);

  const rv = w.resourceVersion;
  const fromNow = rv === undefined || rv === '' || rv === '0' || w.sendInitialEvents === true;
  let after: number;
  if (fromNow) {
    after = store.rv(w.cluster);
    for (const o of w.initial()) if (w.filter(o)) write(encode('ADDED', o));
    if (w.sendInitialEvents) write(bookmark(w, String(after), true));
  } else {
    after = Number(rv);
    if (!Number.isInteger(after) || after < 0) {
      write(`${JSON.stringify({ type: 'ERROR', object: new KubeError(400, 'BadRequest', `invalid resource version: ${rv}`).toStatus() })}\n`);
      end();
      return;
    }
  }
  try {
    stop = store.watch(w.cluster, {
      gr: storageOf(w.def),
      namespace: w.def.namespaced ? w.namespace : undefined,
      after,
      send: (ev: StoreEvent) => {
        const now = w.filter(ev.object);
        const before = ev.old ? w.filter(ev.old) : false;
        if (ev.type === 'ADDED') {
          if (now) write(encode('ADDED', ev.object));
        } else if (ev.type === 'MODIFIED') {
          if (now && before) write(encode('MODIFIED', ev.object));
          else if (now) write(encode('ADDED', ev.object));
          else if (before) write(encode('DELETED', ev.object));
        } else if (before || now) write(encode('DELETED', ev.object));
      },
      close: end,
    });
  } catch (e) {
    if (e instanceof KubeError) {
      write(`${JSON.stringify({ type: 'ERROR', object: e.toStatus() })}\n`);
      end();
      return;
    }
    throw e;
  }
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) timer = setTimeout(end, w.timeoutSeconds * 1000);
  if (w.allowBookmarks) {
    bookmarkTimer = setInterval(() => write(bookmark(w, String(store.rv(w.cluster)), false)), 60_000);
    bookmarkTimer.unref();
  }
}

function bookmark(w: WatchRequest, rv: string, initialEnd: boolean): string {
  const metadata: Record<string, unknown> = { resourceVersion: rv };
  if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  const object =
    w.form.as === 'Table'
      ? { kind: 'Table', apiVersion: `meta.k8s.io/${w.form.version ?? 'v1'}`, metadata, columnDefinitions: null, rows: [] }
      : { kind: w.def.kind, apiVersion: w.def.group ? `${w.def.group}/${w.def.version}` : w.def.version, metadata };
  return `${JSON.stringify({ type: 'BOOKMARK', object })}\n`;
}
