// Template workers, seen from the emulator: jobs (jobs.ts) run in worker threads so that evaluating a
// template never holds the emulator's event loop; the emulator answers each worker's host calls with
// the real TemplateHost. Workers start on first use, take jobs by least load, and are replaced when
// one dies (out of memory, say): the jobs it had fail (InvalidTemplate), nothing else does.

import { Worker } from 'node:worker_threads';
import { ArmError } from '../../arm/errors.js';
import type { TemplateHost } from '../host.js';
import { DEFAULT_EVALUATION_TIME_LIMIT_MS } from '../limits.js';
import type { DeploymentOperation, DeploymentResult } from '../results.js';
import type { WhatIfResult } from '../whatif.js';
import type { AcceptArgs, Accepted, DeployArgs, Validated } from './jobs.js';
import type { DeploymentRequest } from '../prepare.js';
import { decodeError, encodeError, SYNC_BUFFER_BYTES, SYNC_HEADER_BYTES, type FromWorker, type JobName, type ToWorker } from './protocol.js';

export interface PoolOptions {
  /** Worker threads at most (default 2). */
  size?: number;
  /** Limit of one synchronous stretch of evaluation, ms. */
  timeLimitMs?: number;
  /** Heap of each worker, MB: a job that would take more fails instead of the emulator. */
  maxHeapMb?: number;
}

interface Job {
  id: number;
  host: TemplateHost;
  abort: AbortController;
  onEvent?: (v: unknown) => void;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
  control: Int32Array;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();
/**
 * The worker's entry beside this file: entry.js, or in the bundle the content-hashed entry of the build this
 * process started from (its main.js names it, scripts/bundle.mjs), so a rebuild under a running emulator
 * never hands it a worker of other code.
 */
const workerEntry = (): URL => new URL((globalThis as { armEmulatorWorkerEntry?: string }).armEmulatorWorkerEntry ?? './entry.js', import.meta.url);
/** The TemplateHost methods a host may lack (the engine then does without). */
/** The worker's synchronous lookups of the type catalogue (their first argument is a namespace). */
const SYNC_LOOKUPS = new Set(['knownType', 'knownNamespace']);
const OPTIONAL = ['preflight', 'predict', 'checkWrite', 'knownNamespace', 'fetchTemplate', 'keyVaultSecret', 'resourceGroup'];

/**
 * Idle workers of closed pools, kept a short while for this process's next pool with the same heap limit. Starting a
 * worker (a new isolate loading the template engine) costs ~150-190 ms of CPU, which every emulator that evaluated a
 * template paid again on its first deployment: embedders and test suites that start an emulator per test. A worker
 * keeps nothing of a job once it is done (each job brings its host and time limit). Unref'd, ended after SPARE_MS.
 */
interface Spare {
  worker: Worker;
  control: Int32Array;
  bytes: Uint8Array;
  maxHeapMb: number;
  timer: NodeJS.Timeout;
}
const spares: Spare[] = [];
const SPARE_MS = 30_000;
const MAX_SPARES = 4;

function park(slot: Slot, maxHeapMb: number): boolean {
  if (spares.length >= MAX_SPARES) return false;
  const { worker, control, bytes } = slot;
  worker.removeAllListeners('message');
  worker.removeAllListeners('error');
  worker.removeAllListeners('exit');
  const spare: Spare = { worker, control, bytes, maxHeapMb, timer: setTimeout(() => drop(true), SPARE_MS) };
  spare.timer.unref();
  const drop = (terminate = false) => {
    clearTimeout(spare.timer);
    const i = spares.indexOf(spare);
    if (i >= 0) spares.splice(i, 1);
    if (terminate) void worker.terminate().catch(() => undefined);
  };
  worker.on('error', () => drop());
  worker.on('exit', () => drop());
  spares.push(spare);
  return true;
}

function takeSpare(maxHeapMb: number): Spare | undefined {
  const i = spares.findIndex((s) => s.maxHeapMb === maxHeapMb);
  if (i < 0) return undefined;
  const [s] = spares.splice(i, 1);
  clearTimeout(s.timer);
  s.worker.removeAllListeners('error');
  s.worker.removeAllListeners('exit');
  return s;
}

export class TemplateWorkers {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  private readonly size: number;
  private readonly timeLimitMs: number;
  private readonly maxHeapMb: number;

  constructor(opts: PoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? 2);
    this.timeLimitMs = opts.timeLimitMs ?? DEFAULT_EVALUATION_TIME_LIMIT_MS;
    this.maxHeapMb = opts.maxHeapMb ?? 512;
  }

  accept(host: TemplateHost, args: AcceptArgs): Promise<Accepted> {
    return this.run('accept', host, args) as Promise<Accepted>;
  }
  deploy(host: TemplateHost, args: DeployArgs, opts: { signal?: AbortSignal; onOperation?: (op: DeploymentOperation) => void } = {}): Promise<DeploymentResult> {
    return this.run('deploy', host, args, opts.signal, opts.onOperation as (v: unknown) => void) as Promise<DeploymentResult>;
  }
  validate(host: TemplateHost, args: { request: DeploymentRequest }): Promise<Validated> {
    return this.run('validate', host, args) as Promise<Validated>;
  }
  whatIf(host: TemplateHost, args: { request: DeploymentRequest; resultFormat?: 'FullResourcePayloads' | 'ResourceIdOnly' }): Promise<WhatIfResult> {
    return this.run('whatIf', host, args) as Promise<WhatIfResult>;
  }
  hash(host: TemplateHost, args: { template: unknown }): Promise<{ minifiedTemplate: string; templateHash: string }> {
    return this.run('hash', host, args) as Promise<{ minifiedTemplate: string; templateHash: string }>;
  }

  /** Jobs running now, over every worker. */
  active(): number {
    return this.slots.reduce((n, s) => n + s.jobs.size, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    // Idle workers wait for the process's next pool (see park); busy ones end with their jobs.
    const slots = this.slots.splice(0).filter((s) => s.jobs.size > 0 || !park(s, this.maxHeapMb));
    for (const s of slots) for (const j of s.jobs.values()) j.reject(new ArmError(503, 'ServiceUnavailable', 'The emulator is shutting down.'));
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }

  private run(name: JobName, host: TemplateHost, args: unknown, signal?: AbortSignal, onEvent?: (v: unknown) => void): Promise<unknown> {
    if (this.closed) return Promise.reject(new ArmError(503, 'ServiceUnavailable', 'The emulator is shutting down.'));
    const slot = this.pick();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const job: Job = { id, host, abort: new AbortController(), onEvent, resolve, reject };
      slot.jobs.set(id, job);
      const cancel = () => {
        job.abort.abort();
        this.post(slot, { t: 'cancel', id });
      };
      if (signal) {
        if (signal.aborted) cancel();
        else signal.addEventListener('abort', cancel, { once: true });
      }
      const done = () => signal?.removeEventListener('abort', cancel);
      job.resolve = (v) => {
        done();
        resolve(v);
      };
      job.reject = (e) => {
        done();
        reject(e);
      };
      const optional = OPTIONAL.filter((m) => typeof (host as unknown as Record<string, unknown>)[m] === 'function');
      this.post(slot, { t: 'job', id, job: name, args, timeLimitMs: this.timeLimitMs, optional });
    });
  }

  private post(slot: Slot, m: ToWorker): void {
    try {
      slot.worker.postMessage(m);
    } catch (e) {
      // A value that cannot cross (it should be plain data): fail that job, not the worker.
      if (m.t === 'job') this.settle(slot, m.id, false, undefined, e instanceof Error ? e : new Error(String(e)));
      else if (m.t === 'reply') slot.worker.postMessage({ t: 'reply', call: m.call, ok: false, error: encodeError(e) } satisfies ToWorker);
    }
  }

  private pick(): Slot {
    let best: Slot | undefined;
    for (const s of this.slots) if (!best || s.jobs.size < best.jobs.size) best = s;
    if (best && (best.jobs.size === 0 || this.slots.length >= this.size)) return best;
    return this.spawn();
  }

  private spawn(): Slot {
    let slot: Slot;
    const spare = takeSpare(this.maxHeapMb);
    if (spare) slot = { worker: spare.worker, jobs: new Map(), control: spare.control, bytes: spare.bytes };
    else {
      const sab = new SharedArrayBuffer(SYNC_HEADER_BYTES + SYNC_BUFFER_BYTES);
      const worker = new Worker(workerEntry(), {
        workerData: { sab },
        resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
      });
      // Workers never keep the process alive: the emulator's server does.
      worker.unref();
      slot = { worker, jobs: new Map(), control: new Int32Array(sab, 0, 2), bytes: new Uint8Array(sab, SYNC_HEADER_BYTES) };
    }
    const worker = slot.worker;
    this.slots.push(slot);
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    const gone = (why: string) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      for (const j of [...slot.jobs.values()]) {
        slot.jobs.delete(j.id);
        j.abort.abort();
        // Only a template can make the engine run out of memory: it is the template's error (never a 5xx).
        j.reject(
          new ArmError(
            400,
            'InvalidTemplate',
            `Deployment template validation failed: 'The template engine stopped while evaluating the template (${why}). Simplify the template's expressions and try again.'.`,
          ),
        );
      }
    };
    worker.on('error', (e) => gone(/memory/i.test(e.message) ? 'it ran out of memory' : e.message));
    worker.on('exit', (code) => gone(`exit code ${code}`));
    return slot;
  }

  private settle(slot: Slot, id: number, ok: boolean, value: unknown, error?: Error): void {
    const job = slot.jobs.get(id);
    if (!job) return;
    slot.jobs.delete(id);
    if (ok) job.resolve(value);
    else job.reject(error!);
  }

  /** Answers a worker's synchronous call (it waits on the slot's control word) with the host's value. */
  private answerSync(slot: Slot, m: Extract<FromWorker, { t: 'sync' }>): void {
    const job = slot.jobs.get(m.id);
    let text: string;
    try {
      const fn = (job?.host as unknown as Record<string, (...a: unknown[]) => unknown> | undefined)?.[m.method];
      const v = typeof fn === 'function' ? fn.apply(job!.host, m.args) : undefined;
      text = v === undefined ? '' : JSON.stringify(v);
    } catch {
      text = '';
    }
    let data = encoder.encode(text);
    if (data.length > slot.bytes.length) data = new Uint8Array(0);
    slot.bytes.set(data);
    Atomics.store(slot.control, 1, data.length);
    Atomics.store(slot.control, 0, 1);
    Atomics.notify(slot.control, 0);
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    const job = slot.jobs.get(m.id);
    switch (m.t) {
      case 'done':
        this.settle(slot, m.id, m.ok, m.value, m.ok ? undefined : decodeError(m.error!));
        break;
      case 'event':
        try {
          job?.onEvent?.(m.value);
        } catch {
          /* an observer's failure is not the job's */
        }
        break;
      case 'call': {
        const reply = (ok: boolean, value?: unknown, error?: unknown) =>
          this.post(slot, ok ? { t: 'reply', call: m.call, ok: true, value } : { t: 'reply', call: m.call, ok: false, error: encodeError(error) });
        if (!job) {
          reply(false, undefined, Object.assign(new Error('The job has ended.'), { name: 'AbortError' }));
          break;
        }
        const fn = (job.host as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[m.method];
        if (typeof fn !== 'function') {
          reply(false, undefined, new Error(`The host has no '${m.method}'.`));
          break;
        }
        const args = m.method === 'waitFor' ? [m.args[0], job.abort.signal] : m.args;
        Promise.resolve()
          .then(() => fn.apply(job.host, args))
          .then(
            (v) => reply(true, v),
            (e) => reply(false, undefined, e),
          );
        break;
      }
      case 'sync': {
        // The worker waits (Atomics.wait) for the answer, not this loop: what the type lookups need of the
        // public catalogue is read off the loop first, the first time a template names its namespace.
        const reading = typeof m.args[0] === 'string' && SYNC_LOOKUPS.has(m.method) ? job?.host.catalogueReady?.(m.args[0]) : undefined;
        const answer = () => this.answerSync(slot, m);
        if (reading) void reading.then(answer, answer);
        else answer();
        break;
      }
    }
  }
}
