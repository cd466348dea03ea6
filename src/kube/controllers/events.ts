// How the controllers' events are recorded, as client-go's event correlator does it: the same event again
// (same object, source, type, reason and message) raises the count and lastTimestamp of the one stored; more
// than ten different messages of the same kind (same object, source, type and reason) within ten minutes are
// folded into one event "(combined from similar events): <latest message>" whose count grows. Events waiting
// to be committed in the same pass count as stored ones. Node events carry the node's name as their uid,
// as the kubelet writes them (kubectl describe node looks for both).

import type { BatchChange } from '../api.js';
import { byName, type KubeStore } from '../store.js';
import { BUILTINS } from '../kinds/index.js';
import { clone, grKey, nowTime, type KubeObject } from '../model.js';

const EVENTS = BUILTINS.get('', 'v1', 'events')!;
/** client-go's defaults: maxEvents similar events in maxIntervalInSeconds before they are combined. */
const MAX_SIMILAR = 10;
const SIMILAR_WINDOW_MS = 600_000;
const COMBINED = '(combined from similar events): ';

export interface EventSource {
  component: string;
  /** The node of a kubelet's event. */
  host?: string;
}

/**
 * The change that records an event (undefined when it was folded into one already waiting in `pending`).
 * Never throws for a missing object: an event about something gone is still recorded.
 */
export function recordEvent(
  store: KubeStore,
  cluster: string,
  pending: BatchChange[],
  about: KubeObject,
  type: string,
  reason: string,
  message: string,
  source: EventSource,
  now: number,
): BatchChange | undefined {
  const ns = about.metadata.namespace || 'default';
  const uid = about.metadata.uid ?? about.metadata.name;
  const similar = (e: KubeObject) =>
    e.involvedObject?.uid === uid && e.involvedObject?.name === about.metadata.name && e.reason === reason && e.type === type && e.source?.component === source.component;
  // Waiting in this pass first (the newest state of an event), then stored.
  const waiting = pending.filter((c) => c.verb !== 'delete' && c.def === EVENTS && similar(c.object)).map((c) => (c as { object: KubeObject }).object);
  const names = new Set(waiting.map((e) => e.metadata.name));
  // The namespace's events unsorted, filtered, then the few similar ones in list order (name): every event a
  // controller records looked through all of them, and sorting them all was most of the cost.
  const stored: KubeObject[] = [];
  for (const e of store.values(cluster, grKey('', 'events'), ns)) if (similar(e) && !names.has(e.metadata.name)) stored.push(e);
  stored.sort(byName);
  const seen = [...waiting, ...stored];
  const time = nowTime(now);
  const bump = (e: KubeObject, msg: string): BatchChange | undefined => {
    if (names.has(e.metadata.name)) {
      e.count = Number(e.count ?? 1) + 1;
      e.lastTimestamp = time;
      e.message = msg;
      return undefined;
    }
    const next = clone(e);
    next.count = Number(next.count ?? 1) + 1;
    next.lastTimestamp = time;
    next.message = msg;
    return { verb: 'update', def: EVENTS, namespace: ns, object: next, owned: true };
  };
  const same = seen.find((e) => e.message === message);
  if (same) return bump(same, message);
  const recent = new Set(seen.filter((e) => !String(e.message).startsWith(COMBINED) && now - Date.parse(e.lastTimestamp ?? e.firstTimestamp ?? 0) < SIMILAR_WINDOW_MS).map((e) => e.message));
  let text = message;
  if (recent.size >= MAX_SIMILAR) {
    text = `${COMBINED}${message}`;
    const combined = seen.find((e) => String(e.message).startsWith(COMBINED));
    if (combined) return bump(combined, text);
  }
  const involved: Record<string, unknown> = {
    kind: about.kind,
    namespace: about.metadata.namespace,
    name: about.metadata.name,
    uid,
    apiVersion: about.apiVersion,
    resourceVersion: about.metadata.resourceVersion,
  };
  for (const k of Object.keys(involved)) if (involved[k] === undefined || involved[k] === '') delete involved[k];
  return {
    verb: 'create',
    def: EVENTS,
    namespace: ns,
    owned: true,
    object: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${about.metadata.name}.${eventSuffix(now)}`, namespace: ns },
      involvedObject: involved,
      reason,
      message: text,
      source: source.host ? { component: source.component, host: source.host } : { component: source.component },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    },
  };
}

let lastNanos = 0n;
/** `<object>.<hex of the time in ns>`, as client-go names events; strictly growing, so listing them by name is in order. */
function eventSuffix(now: number): string {
  let ns = BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1000));
  if (ns <= lastNanos) ns = lastNanos + 1n;
  lastNanos = ns;
  return ns.toString(16);
}

/** A node as the subject of node events (the kubelet names the node by its name in the uid field too). */
export function nodeRef(node: KubeObject): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata.name, uid: node.metadata.name } };
}
