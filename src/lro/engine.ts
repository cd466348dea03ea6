// One engine for every provider's long-running operations. An operation is a persisted plan of
// tasks; the engine runs ready tasks in parallel, each after its simulated duration (scaled by
// --time-scale), records each transition, and on failure or cancel undoes what was done in reverse.
// After a restart, resumeAll() reruns interrupted tasks (task kinds are idempotent) or finishes an
// interrupted rollback, so no resource is left in a non-terminal state.

import { v4 as uuidv4 } from 'uuid';
import { Errors, ArmError, type ErrorDetail } from '../arm/errors.js';
import type { Store, WriteOp } from '../store/store.js';
import type { ResourceRepository } from '../framework/repository.js';
import { relatedOps, deleteTreeOps } from '../framework/related.js';
import type { AsyncOperations, Completion, Services, StoredResource, TypeRegistry } from '../framework/types.js';
import type {
  CompletionGate,
  GateRule,
  OperationSubject,
  OperationPlan,
  OperationRecord,
  TaskKind,
  TaskRecord,
} from '../arm/asyncOperations.js';

const COLLECTION = 'operations';
const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

export class OperationEngine implements AsyncOperations {
  private readonly kinds = new Map<string, TaskKind>();
  private readonly waiters = new Map<string, ((op: OperationRecord) => void)[]>();
  private readonly driving = new Set<string>();
  private readonly finishing = new Set<string>();
  private readonly pendingSaves = new Map<string, OperationRecord>();
  /**
   * The operations this process drives, by lowercased id, from run() until they end. The store hands out a
   * fresh copy on every read, so the driver's record is kept here: cancel, hold, release and polls change the
   * very record the driver reads.
   */
  private readonly live = new Map<string, OperationRecord>();
  private saveBatch: Promise<void> | null = null;
  private gateRules: GateRule[] = [];
  private stopped = false;
  /** Timers of simulated durations, so stop() can release them. */
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: Store,
    private readonly registry: TypeRegistry,
    private readonly resources: ResourceRepository,
    private timeScale: number,
    /** The services the completion hooks get (built with the engine in them, so read when needed). */
    private readonly servicesOf: () => Services,
  ) {}

  private get services(): Services {
    return this.servicesOf();
  }

  setTimeScale(scale: number): void {
    this.timeScale = scale;
    // Others (the fabric's bounded waits) read the scale from the config.
    this.services.config.timeScale = scale;
  }

  registerTaskKind(kind: string, impl: TaskKind): void {
    this.kinds.set(kind, impl);
  }

  // ---- completion gates (test control over time) ---------------------------------------------

  setGateRules(rules: GateRule[]): void {
    this.gateRules = rules;
  }
  getGateRules(): GateRule[] {
    return this.gateRules;
  }
  private gateFor(typeKey: string, op: string): CompletionGate | undefined {
    let best: { score: number; gate: CompletionGate } | undefined;
    for (const r of this.gateRules) {
      const t = r.typeKey === '*' || r.typeKey === typeKey;
      const o = r.operation === '*' || r.operation.toLowerCase() === op.toLowerCase();
      if (!t || !o) continue;
      const score = (r.typeKey === '*' ? 0 : 2) + (r.operation === '*' ? 0 : 1);
      if (!best || score >= best.score) best = { score, gate: r.gate };
    }
    return best?.gate;
  }

  // ---- reads -----------------------------------------------------------------------------------

  get(id: string): OperationRecord | undefined {
    const key = id.toLowerCase();
    return this.live.get(key) ?? this.store.get<OperationRecord>(COLLECTION, key);
  }

  list(): OperationRecord[] {
    const out: OperationRecord[] = [];
    for (const [key, text] of this.store.texts(COLLECTION)) out.push(this.live.get(key) ?? (JSON.parse(text) as OperationRecord));
    return out;
  }

  /**
   * Every operation not yet ended and the `n` that ended last (in no order): the others are skipped from the
   * head of their stored text (status and endTime come first), so a dashboard with thousands stored parses n.
   */
  listRecent(n: number): OperationRecord[] {
    const out: OperationRecord[] = [];
    const ended: [string, string][] = []; // [endTime, key], newest first, at most n
    for (const [key, text] of this.store.texts(COLLECTION)) {
      const live = this.live.get(key);
      const head = live ?? opHead(text);
      if (!TERMINAL.has(head.status)) {
        out.push(live ?? (JSON.parse(text) as OperationRecord));
        continue;
      }
      const end = head.endTime ?? '';
      if (ended.length === n && end <= ended[n - 1][0]) continue;
      let i = ended.length;
      while (i > 0 && ended[i - 1][0] < end) i--;
      ended.splice(i, 0, [end, key]);
      if (ended.length > n) ended.pop();
    }
    for (const [, key] of ended) {
      const op = this.get(key);
      if (op) out.push(op);
    }
    return out;
  }

  /** Operations not yet ended, read from the store without parsing the others (a restart with many stored). */
  private unfinished(): OperationRecord[] {
    const out: OperationRecord[] = [];
    for (const [key, text] of this.store.texts(COLLECTION)) {
      const op = this.live.get(key);
      if (op) {
        if (!TERMINAL.has(op.status)) out.push(op);
      } else if (!TERMINAL.has(opHead(text).status)) out.push(JSON.parse(text) as OperationRecord);
    }
    return out;
  }

  /** A poll of the operation: counts toward a 'polls' gate, and may release a finished operation. */
  async poll(id: string): Promise<OperationRecord | undefined> {
    const op = this.get(id);
    if (!op) return undefined;
    if (op.status === 'InProgress' && op.gate) {
      op.gate.pollsSeen = (op.gate.pollsSeen ?? 0) + 1;
      await this.save(op);
      await this.maybeRelease(op);
    }
    return this.get(id);
  }

  /** The Azure-AsyncOperation status resource. */
  statusBody(op: OperationRecord, baseUrl: string): Record<string, unknown> {
    const body: Record<string, unknown> = {
      id: `/subscriptions/${op.subscriptionId}/providers/${op.namespace}/locations/${op.location}/operationStatuses/${op.id}`,
      name: op.id,
      resourceId: op.resourceId,
      status: op.status,
      startTime: op.startTime,
      percentComplete: op.percentComplete,
    };
    if (op.endTime) body.endTime = op.endTime;
    if (op.error && (op.status === 'Failed' || op.status === 'Canceled')) body.error = op.error;
    // Some services (AKS hybrid's listAdminKubeconfig) put an action's result in the operation
    // status's properties; a result shaped as a status with properties is shown here too.
    const result = op.status === 'Succeeded' ? (op.result?.body as { status?: unknown; properties?: unknown } | undefined) : undefined;
    if (result && typeof result === 'object' && result.status === 'Succeeded' && result.properties !== undefined) body.properties = result.properties;
    void baseUrl;
    return body;
  }

  waitFor(id: string): Promise<OperationRecord> {
    const op = this.get(id);
    if (!op) return Promise.reject(new Error(`operation ${id} not found`));
    if (TERMINAL.has(op.status)) return Promise.resolve(op);
    return new Promise((resolve) => {
      const list = this.waiters.get(op.id) ?? [];
      list.push(resolve);
      this.waiters.set(op.id, list);
    });
  }

  // ---- start / cancel ----------------------------------------------------------------------------

  /** Builds the record for a plan; the caller persists it with the resource (one atomic write) then calls run(). */
  create(plan: OperationPlan, target: OperationSubject): OperationRecord {
    const tasks: TaskRecord[] = plan.tasks.map((t) => ({ ...t, state: 'pending' as const }));
    for (const t of tasks) {
      if (!this.kinds.has(t.kind)) throw new Error(`unknown task kind '${t.kind}'`);
      for (const d of t.dependsOn ?? []) {
        if (!tasks.some((x) => x.id === d)) throw new Error(`task ${t.id} depends on unknown task ${d}`);
      }
    }
    const opName = plan.kind === 'action' ? plan.action ?? 'action' : plan.kind;
    const gate = this.gateFor(target.typeKey, opName);
    // status first: a restart finds the unfinished ones from the head of each stored text
    const op: OperationRecord = {
      status: 'InProgress',
      id: uuidv4(),
      namespace: target.namespace,
      location: plan.location ?? target.location,
      subscriptionId: target.subscriptionId,
      resourceId: target.resourceId,
      typeKey: target.typeKey,
      kind: plan.kind,
      action: plan.action,
      method: target.method,
      apiVersion: target.apiVersion,
      startTime: new Date().toISOString(),
      percentComplete: 0,
      tasks,
      data: plan.data,
    };
    if (plan.resultTask) op.resultTask = plan.resultTask;
    if (plan.resultIsResource) op.resultIsResource = true;
    if (gate && gate.mode !== 'immediate') {
      op.gate = { ...gate, pollsSeen: 0 };
      if (gate.mode === 'time') op.gate.readyAt = new Date(Date.now() + gate.seconds * 1000).toISOString();
    }
    return op;
  }

  writeOp(op: OperationRecord): WriteOp {
    // status and endTime first: listRecent() and a restart read them from the head of the stored text
    const value: OperationRecord = Object.assign({ status: op.status }, op.endTime !== undefined ? { endTime: op.endTime } : {}, op);
    return { collection: COLLECTION, key: op.id.toLowerCase(), value };
  }

  /** Starts driving a persisted operation (does not wait for it). */
  run(op: OperationRecord): void {
    if (this.driving.has(op.id) || this.stopped) return;
    if (TERMINAL.has(op.status)) return;
    this.live.set(op.id.toLowerCase(), op);
    this.driving.add(op.id);
    this.drive(op)
      .catch((e) => {
        if (this.stopped || e instanceof Stopped) return undefined; // resumed at the next start
        // Whatever the driver threw, the operation ends Failed and what its tasks did is undone.
        return this.rollback(op, toDetail(e)).catch(() => this.finishFailed(op, toDetail(e)));
      })
      .catch(() => undefined)
      .finally(() => this.driving.delete(op.id));
  }

  /** Asks a running operation to stop; it rolls back and ends Canceled. */
  async cancel(id: string, message = 'The operation was canceled.'): Promise<OperationRecord> {
    const op = this.inFlight(id, 'canceled', 'OperationNotCancellable');
    op.cancelRequested = true;
    op.error = { code: 'OperationCanceled', message };
    await this.save(op);
    if (!this.driving.has(op.id)) this.run(op);
    return op;
  }

  /**
   * Holds an operation in flight: its tasks go on, but it is not reported finished (it stays InProgress at
   * most 99%) until released. For watching a state that is normally gone in a moment (the dashboard's Hold).
   */
  async hold(id: string): Promise<OperationRecord> {
    const op = this.inFlight(id, 'held');
    op.held = true;
    await this.save(op);
    return op;
  }

  /** Releases a held operation: it finishes as soon as its tasks and its gate allow. */
  async release(id: string): Promise<OperationRecord> {
    const op = this.inFlight(id, 'released');
    if (!op.held) return op;
    delete op.held;
    await this.save(op);
    await this.maybeRelease(op);
    this.armTimeGate(op);
    return this.get(id) ?? op;
  }

  /** The operation, still in progress: 404 when unknown, 409 `code` once it has ended. */
  private inFlight(id: string, verb: string, code = 'OperationNotInProgress'): OperationRecord {
    const op = this.get(id);
    if (!op) throw Errors.withStatus(404, 'NotFound', `Operation '${id}' was not found.`);
    if (TERMINAL.has(op.status)) throw Errors.conflictWith(code, `Operation '${id}' has already ${op.status.toLowerCase()} and cannot be ${verb}.`);
    return op;
  }

  // ---- the driver ----------------------------------------------------------------------------------

  /**
   * Persists an operation. Saves made in the same tick (many tasks finishing together) share one
   * store write, and an operation saved several times in it is serialised once.
   */
  private save(op: OperationRecord): Promise<void> {
    this.pendingSaves.set(op.id, op);
    if (!this.saveBatch) {
      this.saveBatch = new Promise<void>((r) => setImmediate(r)).then(() => {
        const ops = [...this.pendingSaves.values()].map((o) => this.writeOp(o));
        this.pendingSaves.clear();
        this.saveBatch = null;
        return this.store.write(ops);
      });
    }
    return this.saveBatch;
  }

  private delay(task: TaskRecord): Promise<void> {
    const ms = (task.durationMs ?? 0) * this.timeScale;
    return new Promise((resolve) => {
      if (ms <= 0) {
        setImmediate(resolve);
        return;
      }
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async drive(op: OperationRecord): Promise<void> {
    if ((op as any).rollingBack) return this.rollback(op, op.error ?? { code: 'OperationFailed', message: 'The operation failed.' });
    let failure: ErrorDetail | undefined;
    const running = new Map<string, Promise<void>>();
    const byId = new Map(op.tasks.map((t) => [t.id, t]));
    const ready = () =>
      op.tasks.filter((t) => t.state === 'pending' && (t.dependsOn ?? []).every((d) => byId.get(d)?.state === 'done'));

    const runTask = async (t: TaskRecord): Promise<void> => {
      await this.delay(t);
      if (this.stopped) throw new Stopped();
      if (op.cancelRequested) {
        t.state = 'pending';
        return;
      }
      try {
        t.result = await this.kinds.get(t.kind)!.run(t, op);
        t.state = 'done';
      } catch (e) {
        if (e instanceof Stopped) throw e;
        t.state = 'failed';
        t.error = toDetail(e);
        failure ??= t.error;
      }
      this.updatePercent(op);
      await this.save(op);
    };

    for (;;) {
      if (this.stopped) return;
      if (op.cancelRequested || failure) break;
      for (const t of ready()) {
        t.state = 'running';
        running.set(t.id, runTask(t).finally(() => running.delete(t.id)));
      }
      if (running.size === 0) break;
      await this.save(op);
      await Promise.race(running.values());
    }
    // let siblings already running settle before deciding
    await Promise.allSettled(running.values());
    if (this.stopped) return;
    if (op.cancelRequested) return this.rollback(op, op.error ?? { code: 'OperationCanceled', message: 'The operation was canceled.' }, 'Canceled');
    if (failure) return this.rollback(op, failure);
    if (op.tasks.some((t) => t.state !== 'done' && t.state !== 'skipped')) {
      return this.rollback(op, { code: 'InternalOperationError', message: 'The operation plan could not be completed (unsatisfiable task dependencies).' });
    }
    await this.save(op);
    await this.maybeRelease(op);
    this.armTimeGate(op);
  }

  /** Releases a time-gated operation when its time comes; a timer that fires early re-arms itself. */
  private armTimeGate(op: OperationRecord): void {
    // A held operation re-arms when released (release() calls this), not in a loop while held.
    if (op.status !== 'InProgress' || op.gate?.mode !== 'time' || op.held || this.stopped) return;
    const wait = Date.parse(op.gate.readyAt!) - Date.now();
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.maybeRelease(op)
        .then(() => this.armTimeGate(op))
        .catch(() => undefined);
    }, Math.max(0, wait) + 1);
    this.timers.add(t);
  }

  private updatePercent(op: OperationRecord): void {
    const total = op.tasks.reduce((s, t) => s + (t.weight ?? 1), 0);
    const done = op.tasks.filter((t) => t.state === 'done').reduce((s, t) => s + (t.weight ?? 1), 0);
    // 100 is reserved for the moment the operation is reported finished.
    op.percentComplete = total === 0 ? 99 : Math.min(99, Math.round((done / total) * 1000) / 10);
  }

  /** Finishes an operation whose tasks are all done once its gate allows. */
  private async maybeRelease(op: OperationRecord): Promise<void> {
    if (op.status !== 'InProgress') return;
    if (op.tasks.some((t) => t.state !== 'done' && t.state !== 'skipped')) return;
    if (op.held) return;
    const g = op.gate;
    if (g?.mode === 'polls' && (g.pollsSeen ?? 0) < g.polls) return;
    if (g?.mode === 'time' && Date.now() < Date.parse(g.readyAt!)) return;
    await this.finishSucceeded(op);
  }

  private async rollback(op: OperationRecord, error: ErrorDetail, status: 'Failed' | 'Canceled' = 'Failed'): Promise<void> {
    (op as any).rollingBack = (op as any).rollingBack ?? status;
    op.error = error;
    await this.trySave(op);
    for (const t of [...op.tasks].reverse()) {
      if (t.state !== 'done' && t.state !== 'failed' && t.state !== 'running') continue;
      const undo = this.kinds.get(t.kind)?.undo;
      if (undo) {
        try {
          await undo(t, op);
        } catch {
          // undo is best effort and idempotent; a failing undo must not wedge the operation
        }
      }
      t.state = 'undone';
      await this.trySave(op);
    }
    await this.finishFailed(op, error, ((op as any).rollingBack as 'Failed' | 'Canceled') ?? status);
  }

  /** A save during rollback that fails must not stop the undo of what was allocated. */
  private async trySave(op: OperationRecord): Promise<void> {
    try {
      await this.save(op);
    } catch {
      /* the final write reports it */
    }
  }

  private async finishSucceeded(op: OperationRecord): Promise<void> {
    if (TERMINAL.has(op.status) || this.finishing.has(op.id)) return;
    this.finishing.add(op.id);
    let next: Completion;
    const stored = this.resources.get(op.resourceId);
    try {
      const def = this.registry.typeByKey(op.typeKey);
      next = def?.onOperationSucceeded ? await def.onOperationSucceeded(op, stored, this.services) : { resource: defaultSucceeded(op, stored) };
    } catch (e) {
      // A completion hook that throws turns success into a clean failure, never a stuck operation.
      this.finishing.delete(op.id);
      return this.rollback(op, toDetail(e));
    }
    op.status = 'Succeeded';
    op.percentComplete = 100;
    op.endTime = new Date().toISOString();
    if (op.resultTask) op.result = { status: 200, body: op.tasks.find((t) => t.id === op.resultTask)?.result };
    const gate = op.gate;
    delete op.gate;
    try {
      await this.commitFinal(op, stored, next);
    } catch (e) {
      // The final state could not be stored: undo the work and end Failed instead.
      op.status = 'InProgress';
      op.percentComplete = 99;
      delete op.endTime;
      if (gate) op.gate = gate;
      this.finishing.delete(op.id);
      return this.rollback(op, { code: 'InternalOperationError', message: `The operation's final state could not be stored: ${toDetail(e).message}` });
    }
    this.settled(op);
  }

  private async finishFailed(op: OperationRecord, error: ErrorDetail, status: 'Failed' | 'Canceled' = 'Failed'): Promise<void> {
    if (TERMINAL.has(op.status) || this.finishing.has(op.id)) return;
    this.finishing.add(op.id);
    const stored = this.resources.get(op.resourceId);
    let next: Completion;
    try {
      const def = this.registry.typeByKey(op.typeKey);
      next = def?.onOperationFailed ? await def.onOperationFailed(op, stored, error, this.services) : { resource: defaultFailed(op, stored, status) };
    } catch {
      next = { resource: defaultFailed(op, stored, status) };
    }
    op.status = status;
    op.error = error;
    op.endTime = new Date().toISOString();
    delete (op as any).rollingBack;
    try {
      await this.commitFinal(op, stored, next);
    } catch (e) {
      // Even the failure could not be stored as the hook built it: store the minimum, so the
      // operation and its resource still reach a terminal state.
      await this.store.write(lastResort(this.resources, op, stored, e)).catch(() => undefined);
    }
    this.settled(op);
  }

  /** Resource, related resources and operation reach their terminal state in one atomic write (throws if it cannot be stored). */
  private async commitFinal(op: OperationRecord, before: StoredResource | undefined, next: Completion): Promise<void> {
    const ops = [this.writeOp(op)];
    if (next.resource) {
      if (next.resource.operationId === op.id) delete next.resource.operationId;
      ops.push(...this.resources.putOps(next.resource));
    } else if (before) {
      ops.push(...deleteTreeOps(this.resources, before.resource.id));
    }
    ops.push(...relatedOps(this.registry, this.resources, next.related).map((w) => clearOperation(w, op.id)));
    await this.store.write(ops);
  }

  /** The operation has reached its terminal state: release whoever waits for it. */
  private settled(op: OperationRecord): void {
    this.finishing.delete(op.id);
    this.live.delete(op.id.toLowerCase());
    const list = this.waiters.get(op.id) ?? [];
    this.waiters.delete(op.id);
    for (const w of list) w(op);
  }

  // ---- restart -----------------------------------------------------------------------------------

  /** After a restart: resume every operation that was in flight, and heal resources left mid-operation. */
  async resumeAll(): Promise<number> {
    let n = 0;
    for (const op of this.unfinished()) {
      for (const t of op.tasks) if (t.state === 'running') t.state = 'pending';
      op.resumed = (op.resumed ?? 0) + 1;
      await this.save(op);
      this.run(op);
      n++;
    }
    // A resource pointing at an operation that no longer exists is stuck: settle it as failed.
    const stuck: StoredResource[] = [];
    for (const key of this.resources.keysWithOperation()) {
      const r = this.resources.byKey(key);
      if (r?.operationId && !this.get(r.operationId)) stuck.push(r);
    }
    for (const r of stuck) {
      const copy: StoredResource = structuredClone(r);
      delete copy.operationId;
      if (copy.resource.properties?.provisioningState && !TERMINAL.has(copy.resource.properties.provisioningState)) {
        copy.resource.properties.provisioningState = 'Failed';
      }
      await this.resources.put(copy);
    }
    return n;
  }

  /** Stops driving (process shutdown); persisted state lets the next start resume. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Operations still running in this process (for tests and shutdown). */
  active(): number {
    return this.driving.size;
  }
}

class Stopped extends Error {}

const STATUS_HEAD = /^\{"status":"([A-Za-z]+)"(?:,"endTime":"([^"\\]*)")?/;

/** status and endTime from the head of a stored operation (parsed when an older record has them elsewhere). */
function opHead(text: string): { status: string; endTime?: string } {
  const m = STATUS_HEAD.exec(text);
  if (m) return { status: m[1], endTime: m[2] };
  const op = JSON.parse(text) as OperationRecord;
  return { status: op.status, endTime: op.endTime };
}

function toDetail(e: unknown): ErrorDetail {
  if (e instanceof ArmError) return e.toDetail();
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    return { code: String((e as any).code), message: String((e as any).message) };
  }
  return { code: 'InternalOperationError', message: e instanceof Error ? e.message : String(e) };
}

/** Related resources leave the finished operation. */
function clearOperation(w: WriteOp, opId: string): WriteOp {
  const v = w.value as StoredResource | undefined;
  if (w.collection === 'resources' && v?.operationId === opId) delete v.operationId;
  return w;
}

/** The minimal terminal writes when the normal final write failed: the operation Failed, the resource Failed. */
function lastResort(resources: ResourceRepository, op: OperationRecord, before: StoredResource | undefined, e: unknown): WriteOp[] {
  const detail = toDetail(e);
  op.status = 'Failed';
  op.error = { code: 'InternalOperationError', message: detail.message };
  op.endTime ??= new Date().toISOString();
  delete op.data;
  let record: OperationRecord;
  try {
    record = JSON.parse(JSON.stringify(op));
  } catch {
    record = { ...op, tasks: op.tasks.map((t) => ({ ...t, result: undefined })) };
  }
  const ops: WriteOp[] = [{ collection: COLLECTION, key: op.id.toLowerCase(), value: record }];
  if (before) {
    const r = before.resource;
    let resource: typeof r;
    try {
      resource = JSON.parse(JSON.stringify(r));
    } catch {
      // What the resource holds cannot be stored: keep its identity, drop the rest.
      resource = { id: r.id, name: r.name, type: r.type, location: r.location, properties: {} };
    }
    resource.properties = { ...(resource.properties ?? {}), provisioningState: 'Failed' };
    const settled: StoredResource = { resource, internal: {}, parent: before.parent, typeKey: before.typeKey };
    try {
      settled.internal = JSON.parse(JSON.stringify(before.internal));
    } catch {
      /* drop unstorable internals */
    }
    delete settled.deleting;
    ops.push(...resources.putOps(settled));
  }
  return ops;
}

function withState(stored: StoredResource, state: string): StoredResource {
  const copy: StoredResource = structuredClone(stored);
  copy.resource.properties = { ...(copy.resource.properties ?? {}), provisioningState: state };
  delete copy.operationId;
  return copy;
}

export function defaultSucceeded(op: OperationRecord, stored: StoredResource | undefined): StoredResource | undefined {
  if (!stored) return undefined;
  if (op.kind === 'delete') return undefined;
  return withState(stored, 'Succeeded');
}

export function defaultFailed(op: OperationRecord, stored: StoredResource | undefined, status: 'Failed' | 'Canceled'): StoredResource | undefined {
  if (!stored) return undefined;
  return withState(stored, status);
}
