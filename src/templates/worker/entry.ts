// The template worker: runs jobs (jobs.ts) off the emulator's event loop. Its TemplateHost is a proxy:
// every resource read or write is a message to the emulator, answered asynchronously; the type
// catalogue, which expressions read synchronously, is asked over a shared buffer while this thread
// waits (only this thread ever waits). A job that runs away is stopped by the engine's limits; one
// that crashes this thread takes only this thread down.

import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { TemplateHost } from '../host.js';
import { setEvaluationTimeLimit } from '../limits.js';
import { acceptJob, deployJob, hashJob, validateJob, whatIfJob } from './jobs.js';
import { decodeError, encodeError, SYNC_HEADER_BYTES, type FromWorker, type ToWorker } from './protocol.js';

// Evaluation is background work: on Linux this thread lowers its own scheduling priority, so that on a
// busy machine the emulator's event loop gets the CPU first (a thread id is a pid to setpriority).
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10);
} catch {
  /* elsewhere: the default priority */
}

const port = parentPort!;
const sab = (workerData as { sab: SharedArrayBuffer }).sab;
const control = new Int32Array(sab, 0, 2);
const bytes = new Uint8Array(sab, SYNC_HEADER_BYTES);
const decoder = new TextDecoder();

let nextCall = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const running = new Map<number, AbortController>();

function send(m: FromWorker): void {
  port.postMessage(m);
}

function call(id: number, method: string, args: unknown[]): Promise<any> {
  const n = nextCall++;
  return new Promise((resolve, reject) => {
    pending.set(n, { resolve, reject });
    send({ t: 'call', id, call: n, method, args });
  });
}

function syncCall(id: number, method: string, args: unknown[]): any {
  Atomics.store(control, 0, 0);
  send({ t: 'sync', id, method, args });
  // The emulator answers within its event loop; a minute without an answer means it is gone.
  if (Atomics.wait(control, 0, 0, 60_000) === 'timed-out') throw new Error(`The emulator did not answer '${method}'.`);
  const text = decoder.decode(bytes.slice(0, Atomics.load(control, 1)));
  return text === '' ? undefined : JSON.parse(text);
}

function proxyHost(id: number, signal: AbortSignal, optional: string[]): TemplateHost {
  const types = new Map<string, unknown>();
  const host: TemplateHost = {
    put: (resourceId, apiVersion, body) => call(id, 'put', [resourceId, apiVersion, body]),
    preflight: (resourceId, apiVersion, body) => call(id, 'preflight', [resourceId, apiVersion, body]),
    predict: (resourceId, apiVersion, body) => call(id, 'predict', [resourceId, apiVersion, body]),
    checkWrite: (resourceId, apiVersion) => call(id, 'checkWrite', [resourceId, apiVersion]),
    waitFor: (operationId, s) => {
      // The job's own signal cancels on the emulator's side; a narrower one only stops waiting here.
      const p = call(id, 'waitFor', [operationId]);
      if (!s || s === signal) return p;
      return Promise.race([p, new Promise<never>((_, reject) => s.addEventListener('abort', () => reject(Object.assign(new Error('canceled'), { name: 'AbortError' })), { once: true }))]);
    },
    get: (resourceId, apiVersion) => call(id, 'get', [resourceId, apiVersion]),
    action: (resourceId, action, apiVersion, body) => call(id, 'action', [resourceId, action, apiVersion, body]),
    delete: (resourceId, apiVersion) => call(id, 'delete', [resourceId, apiVersion]),
    list: (scopeId) => call(id, 'list', [scopeId]),
    knownType(namespace, type) {
      const key = `${namespace}/${type}`.toLowerCase();
      if (!types.has(key)) types.set(key, syncCall(id, 'knownType', [namespace, type]));
      return types.get(key) as ReturnType<TemplateHost['knownType']>;
    },
    knownNamespace(namespace) {
      const key = `ns:${namespace}`.toLowerCase();
      if (!types.has(key)) types.set(key, syncCall(id, 'knownNamespace', [namespace]));
      return types.get(key) as boolean;
    },
    fetchTemplate: (url) => call(id, 'fetchTemplate', [url]),
    keyVaultSecret: (vaultId, secretName, secretVersion) => call(id, 'keyVaultSecret', [vaultId, secretName, secretVersion]),
    resourceGroup: (subscriptionId, name) => call(id, 'resourceGroup', [subscriptionId, name]),
  };
  // What the emulator's host lacks, this one lacks too: the engine checks for them.
  for (const m of ['preflight', 'predict', 'checkWrite', 'knownNamespace', 'fetchTemplate', 'keyVaultSecret', 'resourceGroup']) {
    if (!optional.includes(m)) delete (host as unknown as Record<string, unknown>)[m];
  }
  return host;
}

async function runJob(m: Extract<ToWorker, { t: 'job' }>): Promise<unknown> {
  setEvaluationTimeLimit(m.timeLimitMs);
  const ac = new AbortController();
  running.set(m.id, ac);
  const host = proxyHost(m.id, ac.signal, m.optional);
  const args = m.args as any;
  try {
    switch (m.job) {
      case 'accept':
        return await acceptJob(host, args);
      case 'deploy':
        return await deployJob(host, args, { signal: ac.signal, onOperation: (op) => send({ t: 'event', id: m.id, value: op }) });
      case 'validate':
        return await validateJob(host, args);
      case 'whatIf':
        return await whatIfJob(host, args);
      case 'hash':
        return hashJob(args);
    }
  } finally {
    running.delete(m.id);
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'job':
      runJob(m).then(
        (value) => send({ t: 'done', id: m.id, ok: true, value }),
        (e) => send({ t: 'done', id: m.id, ok: false, error: encodeError(e) }),
      );
      break;
    case 'cancel':
      running.get(m.id)?.abort();
      break;
    case 'reply': {
      const p = pending.get(m.call);
      if (!p) break;
      pending.delete(m.call);
      if (m.ok) p.resolve(m.value);
      else p.reject(decodeError(m.error!));
      break;
    }
  }
});
