// One engine for every provider's long-running operations. An operation is a persisted plan of
// tasks; the engine runs ready tasks in parallel, each after its simulated duration (scaled by
// --time-scale), records each transition, and on failure or cancel undoes what was done in reverse.
// After a restart, resumeAll() reruns interrupted tasks (task kinds are idempotent) or finishes an
// interrupted rollback, so no resource is left in a non-terminal state.

import { randomUUID } from 'node:crypto';
import { Errors, ArmError, type ErrorDetail } from '../arm/errors.js';
import { StoreConflictError, StoreUnavailableError, type Lease, type Store, type StoreChange, type WriteOp } from '../store/store.js';
import type { ResourceRepository } from '../framework/repository.js';
import { relatedOps, relatedReady, deleteTreeOps } from '../framework/related.js';
import type { AsyncOperations, Completion, Services, StoredResource, TypeRegistry } from '../framework/types.js';
import type { CompletionGate, GateRule, OperationSubject, OperationPlan, OperationRecord, TaskKind, TaskRecord } from '../arm/asyncOperations.js';

const COLLECTION = 'operations';
/** Requests to an operation from an instance that does not drive it (cancel, hold, release, polls): its driver applies them. */
export const CONTROL_COLLECTION = 'operationControl';
const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);
/** The head of a finished operation's stored text (see writeOp): its end time. */
const FINISHED_HEAD = /^\{"status":"(?:Succeeded|Failed|Canceled)","endTime":"([^"]+)"/;
/** How often operations nobody drives are looked for (another instance died, a snapshot was imported). */
const SWEEP_MS = 1000;

/** A task's simulated duration under way: what is left of it since armedAt, at the scale it was armed with. */
interface Delay {
  simLeftMs: number;
  armedAt: number;
  scale: number;
  resolve: () => void;
  timer?: NodeJS.Timeout;
}

interface OperationControl {
  cancel?: { message: string };
  held?: boolean;
  polls?: number;
}
/**
 * Restarts in a row an operation may be resumed without progress before it ends Failed (a crash loop ends).
 * A process killed from outside while the operation waits looks the same as one the operation crashed,
 * so the bound leaves room for a few such kills (the crash suite kills six times in a row).
 */
export const MAX_RESUME_ATTEMPTS = 10;

export class OperationEngine implements AsyncOperations {
  private readonly kinds = new Map<string, TaskKind>();
  private readonly waiters = new Map<string, ((op: OperationRecord) => void)[]>();
  private readonly driving = new Set<string>();
  /**
   * Keys of the stored operations not yet ended (kept from the writes and external changes, built once from
   * the head of each stored text): the sweep and a restart look at these, never at every operation stored.
   */
  private inFlightKeys = new Set<string>();
  private readonly finishing = new Set<string>();
  private readonly pendingSaves = new Map<string, { op: OperationRecord; done: Promise<void> }>();
  /**
   * The operations this process drives, by lowercased id, from run() until they end. The store hands out a
   * fresh copy on every read, so the driver's record is kept here: cancel, hold, release and polls change the
   * very record the driver reads.
   */
  private readonly live = new Map<string, OperationRecord>();
  private saveBatch: Promise<void> | null = null;
  /** Operations this instance holds the lease of (it alone drives them until they end). */
  private readonly leases = new Map<string, Lease>();
  /** Operations whose record was deleted or replaced from elsewhere (reset, import): their driver gives up. */
  private readonly abandoned = new Set<string>();
  private sweepTimer: NodeJS.Timeout | null = null;
  /** Created here and about to be run by their creator once committed: not for the sweep to take. */
  private readonly starting = new Set<string>();
  private gateRules: GateRule[] = [];
  private stopped = false;
  /** Timers of simulated durations, so stop() can release them. */
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Tasks' simulated durations under way (re-armed when the time scale changes). */
  private readonly delays = new Set<Delay>();

  constructor(
    private readonly store: Store,
    private readonly registry: TypeRegistry,
    private readonly resources: ResourceRepository,
    private timeScale: number,
    /** The services the completion hooks get (built with the engine in them, so read when needed). */
    private readonly servicesOf: () => Services,
  ) {
    this.inFlightKeys = this.unfinishedKeys();
    store.onExternalChange((changes) => this.external(changes));
  }

  private get services(): Services {
    return this.servicesOf();
  }

  setTimeScale(scale: number): void {
    this.timeScale = scale;
    if (!this.stopped) this.rescaleDelays();
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
    const scan = this.recentScan(n);
    for (const [key, text] of this.store.texts(COLLECTION)) scan.add(key, text);
    return scan.done();
  }

  /** listRecent, yielding to the event loop every `sliceMs` (thousands of stored operations, a dashboard asking). */
  async listRecentSliced(n: number, sliceMs = 8): Promise<OperationRecord[]> {
    const scan = this.recentScan(n);
    let sliceEnd = performance.now() + sliceMs;
    let i = 0;
    for (const [key, text] of this.store.texts(COLLECTION)) {
      scan.add(key, text);
      if (++i % 128 === 0 && performance.now() > sliceEnd) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceEnd = performance.now() + sliceMs;
      }
    }
    return scan.done();
  }

  private recentScan(n: number): { add(key: string, text: string): void; done(): OperationRecord[] } {
    const out: OperationRecord[] = [];
    const ended: [string, string][] = []; // [endTime, key], newest first, at most n
    return {
      add: (key, text) => {
        const live = this.live.get(key);
        const head = live ?? opHead(text);
        if (!TERMINAL.has(head.status)) {
          out.push(live ?? (JSON.parse(text) as OperationRecord));
          return;
        }
        const end = head.endTime ?? '';
        if (ended.length === n && end <= ended[n - 1][0]) return;
        let i = ended.length;
        while (i > 0 && ended[i - 1][0] < end) i--;
        ended.splice(i, 0, [end, key]);
        if (ended.length > n) ended.pop();
      },
      done: () => {
        for (const [, key] of ended) {
          const op = this.get(key);
          if (op) out.push(op);
        }
        return out;
      },
    };
  }

  /** Keys of the stored operations not yet ended, from the head of each stored text (nothing else parsed). */
  private unfinishedKeys(): Set<string> {
    const out = new Set<string>();
    for (const [key, text] of this.store.texts(COLLECTION)) if (!TERMINAL.has(opHead(text).status)) out.add(key);
    return out;
  }

  /** A poll of the operation: counts toward a 'polls' gate, and may release a finished operation. */
  async poll(id: string): Promise<OperationRecord | undefined> {
    const op = this.get(id);
    if (!op) return undefined;
    if (op.status === 'InProgress' && op.gate?.mode === 'polls') {
      if (!this.leases.has(op.id)) {
        // Driven by another instance: the poll is counted in the control record its driver follows.
        await this.control(op.id, (c) => ({ ...c, polls: (c.polls ?? 0) + 1 }));
        return this.get(id);
      }
      op.gate.pollsSeen = (op.gate.pollsSeen ?? 0) + 1;
      await this.save(op);
      await this.maybeRelease(op);
    } else if (op.status === 'InProgress' && op.gate && this.leases.has(op.id)) {
      op.gate.pollsSeen = (op.gate.pollsSeen ?? 0) + 1;
      await this.save(op);
      await this.maybeRelease(op);
    }
    return this.get(id);
  }

  /** Changes the control record of an operation driven elsewhere (read-modify-write, retried on a conflict). */
  private async control(id: string, change: (c: OperationControl) => OperationControl): Promise<void> {
    const key = id.toLowerCase();
    for (let i = 0; ; i++) {
      const cur = this.store.get<OperationControl>(CONTROL_COLLECTION, key) ?? {};
      try {
        await this.store.write([{ collection: CONTROL_COLLECTION, key, value: change(structuredClone(cur)) }]);
        return;
      } catch (e) {
        if (!(e instanceof StoreConflictError) || i >= 20) throw e;
        await this.store.sync();
      }
    }
  }

  /** A control record changed: the driver applies what it asks. */
  private async applyControl(op: OperationRecord): Promise<void> {
    const c = this.store.get<OperationControl>(CONTROL_COLLECTION, op.id.toLowerCase());
    if (!c || op.status !== 'InProgress') return;
    let changed = false;
    if (c.cancel && !op.cancelRequested) {
      op.cancelRequested = true;
      op.error = { code: 'OperationCanceled', message: c.cancel.message };
      changed = true;
    }
    if (c.held !== undefined && !!op.held !== c.held) {
      if (c.held) op.held = true;
      else delete op.held;
      changed = true;
    }
    if (op.gate?.mode === 'polls' && (c.polls ?? 0) > 0) {
      op.gate.pollsSeen = (op.gate.pollsSeen ?? 0) + c.polls!;
      await this.store.write([{ collection: CONTROL_COLLECTION, key: op.id.toLowerCase(), value: { ...c, polls: 0 } }]).catch(() => undefined);
      changed = true;
    }
    if (!changed) return;
    await this.save(op);
    if (op.cancelRequested && !this.driving.has(op.id)) this.run(op);
    else {
      await this.maybeRelease(op);
      this.armTimeGate(op);
    }
  }

  /** The Azure-AsyncOperation status resource. */
  statusBody(op: OperationRecord, baseUrl: string): Record<string, unknown> {
    const body: Record<string, unknown> = {
      // as its Azure-AsyncOperation URL: tenant-scope operations (management groups, tenant deployments) have no subscription
      id: `${op.subscriptionId ? `/subscriptions/${op.subscriptionId}` : ''}/providers/${op.namespace}/locations/${op.location}/operationStatuses/${op.id}`,
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
    const opName = plan.kind === 'action' ? (plan.action ?? 'action') : plan.kind;
    const gate = this.gateFor(target.typeKey, opName);
    // status first: a restart finds the unfinished ones from the head of each stored text
    const op: OperationRecord = {
      status: 'InProgress',
      id: randomUUID(),
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
    this.starting.add(op.id);
    if (target.startedBy) op.startedBy = target.startedBy;
    if (plan.resultTask) op.resultTask = plan.resultTask;
    if (plan.initiatedBy) op.initiatedBy = plan.initiatedBy;
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
    const key = op.id.toLowerCase();
    // (a write that is refused puts the stored record back, which reaches external(): the set follows)
    if (TERMINAL.has(op.status)) this.inFlightKeys.delete(key);
    else this.inFlightKeys.add(key);
    return { collection: COLLECTION, key, value };
  }

  /**
   * Stores a new operation (commit writes its record with what it changes, in one write) and starts driving it.
   * The lease is taken before the record is visible: another instance on the same database, sweeping for
   * operations nobody drives, would otherwise take one over between its commit and its creator's lease (and drive
   * it at its own time scale). A commit that fails lets the lease go.
   */
  async launch(op: OperationRecord, commit: () => Promise<void>): Promise<void> {
    await this.leased(op.id).catch(() => false); // not got (the database away): run() tries again after the commit
    try {
      await commit();
    } catch (e) {
      this.starting.delete(op.id);
      this.dropLease(op.id);
      throw e;
    }
    this.run(op);
  }

  /** Starts driving a persisted operation (does not wait for it). */
  run(op: OperationRecord, adopt = false): void {
    if (!adopt) this.starting.delete(op.id);
    if (this.driving.has(op.id) || this.stopped) return;
    if (TERMINAL.has(op.status)) return;
    this.live.set(op.id.toLowerCase(), op);
    if (!adopt) this.logTransition(op, 'Accepted', 'InProgress');
    this.driving.add(op.id);
    this.leased(op.id)
      .then(async (ok) => {
        if (!ok) return;
        if (adopt && !(await this.adopt(op))) return;
        await this.drive(op);
      })
      .catch((e) => {
        if (e instanceof Abandoned) return this.abandon(op);
        if (this.stopped || e instanceof Stopped || !this.leases.has(op.id)) return undefined; // resumed at the next start, or by whoever holds it now
        // Whatever the driver threw, the operation ends Failed and what its tasks did is undone.
        return this.rollback(op, toDetail(e)).catch(() => this.finishFailed(op, toDetail(e)));
      })
      .catch((e) => (e instanceof Abandoned ? this.abandon(op) : undefined))
      .catch(() => undefined)
      .finally(() => {
        this.driving.delete(op.id);
        this.live.delete(op.id.toLowerCase());
      });
  }

  /**
   * A long task reports progress (a deployment, each resource it finished): the operation is not stuck,
   * so restarts in a row no longer count against it.
   */
  progress(id: string): void {
    const op = this.live.get(id.toLowerCase());
    if (!op || !op.resumeAttempts || this.stopped) return;
    op.resumeAttempts = 0;
    void this.save(op).catch(() => undefined);
  }

  /** Holds (or takes) the lease of an operation: only its holder drives it. */
  private async leased(id: string): Promise<boolean> {
    if (this.leases.has(id)) return true;
    const lease = await this.store.lease(id);
    if (!lease) return false;
    if (this.stopped) {
      await lease.release();
      return false;
    }
    this.leases.set(id, lease);
    // Lost with the database connection: stop driving; whoever gets it next resumes from the stored record.
    lease.signal.addEventListener('abort', () => {
      if (this.leases.get(id) === lease) this.leases.delete(id);
    });
    return true;
  }

  private dropLease(id: string): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    this.leases.delete(id);
    void lease.release().catch(() => undefined);
  }

  /**
   * Taking over an operation someone else was driving (this process before a restart, another instance that
   * died, a snapshot): tasks it was running run again. The attempt is counted (and stored) before the
   * operation runs, so one whose resumption crashes the process is not run for ever: past MAX_RESUME_ATTEMPTS
   * takeovers in a row without progress it is undone and ends Failed, and if even undoing it never finishes,
   * it ends Failed without. Answers whether the operation is still to be driven.
   */
  private async adopt(op: OperationRecord): Promise<boolean> {
    await this.store.sync();
    const fresh = this.store.get<OperationRecord>(COLLECTION, op.id.toLowerCase());
    if (fresh && TERMINAL.has(fresh.status)) {
      // Another instance finished it and let its lease go before this one heard of the end: there is nothing to
      // drive and nothing to undo (abandoning would undo the tasks of a finished operation: a Succeeded cluster
      // would lose its VMs).
      this.dropLease(op.id);
      this.wake(op.id, fresh);
      return false;
    }
    if (!fresh) throw new Abandoned();
    Object.assign(op, fresh);
    for (const t of op.tasks) if (t.state === 'running') t.state = 'pending';
    op.resumed = (op.resumed ?? 0) + 1;
    this.logTransition(op, 'InProgress', 'InProgress', `resumed (takeover ${op.resumed})`);
    const attempts = (op.resumeAttempts ?? 0) + 1;
    op.resumeAttempts = attempts;
    await this.save(op);
    if (attempts > MAX_RESUME_ATTEMPTS) {
      const error: ErrorDetail = {
        code: 'OperationResumeFailed',
        message: `The operation was interrupted ${attempts - 1} times in a row while resuming after a restart of the emulator, without progress; it was stopped and what it had done was undone.`,
      };
      const rollingBack = (op as any).rollingBack;
      if (attempts === MAX_RESUME_ATTEMPTS + 1 && !rollingBack) await this.rollback(op, error).catch(() => this.finishFailed(op, error));
      else await this.finishFailed(op, rollingBack ? (op.error ?? error) : error);
      return false;
    }
    await this.applyControl(op);
    return true;
  }

  /**
   * The operation's record went away under its driver (its subscription was reset, a snapshot replaced the
   * state): undo what its tasks did, write nothing of it, release whoever waits.
   */
  private async abandon(op: OperationRecord): Promise<void> {
    this.abandoned.delete(op.id);
    for (const t of [...op.tasks].reverse()) {
      if (t.state !== 'done' && t.state !== 'failed' && t.state !== 'running') continue;
      try {
        await this.kinds.get(t.kind)?.undo?.(t, op);
      } catch {
        // best effort, as in a rollback
      }
    }
    this.dropLease(op.id);
    this.wake(op.id, { ...op, status: 'Canceled', error: { code: 'OperationReset', message: 'The operation was removed by a reset or a snapshot import.' } });
  }

  /** Resolves whoever waits for an operation. */
  private wake(id: string, op: OperationRecord): void {
    const list = this.waiters.get(id) ?? [];
    this.waiters.delete(id);
    for (const w of list) w(op);
  }

  /** Changes made elsewhere: waiters of operations finished by another instance, and drivers whose record vanished. */
  private external(changes: StoreChange[] | 'all'): void {
    if (changes === 'all') {
      // Everything was reloaded (this instance fell far behind): only a record that is gone ends its driver.
      this.inFlightKeys = this.unfinishedKeys();
      for (const id of this.leases.keys()) if (!this.store.has(COLLECTION, id.toLowerCase())) this.abandoned.add(id);
      for (const id of [...this.waiters.keys()]) {
        const now = this.get(id);
        if (!now) this.wake(id, { id, status: 'Canceled', error: { code: 'OperationReset', message: 'The operation was removed by a reset or a snapshot import.' } } as OperationRecord);
        else if (TERMINAL.has(now.status)) this.wake(id, now);
      }
      return;
    }
    for (const c of changes) {
      if (c.collection === CONTROL_COLLECTION) {
        const op = this.get(c.key);
        if (op && this.leases.has(op.id) && c.value) void this.applyControl(op).catch(() => undefined);
        continue;
      }
      if (c.collection !== COLLECTION) continue;
      const now = c.value as OperationRecord | undefined;
      if (now && !TERMINAL.has(now.status)) this.inFlightKeys.add(c.key);
      else this.inFlightKeys.delete(c.key);
      const id = now?.id ?? [...this.leases.keys(), ...this.waiters.keys()].find((k) => k.toLowerCase() === c.key);
      if (!id) continue;
      if (this.leases.has(id)) {
        // Only this instance writes an operation it drives: any other change is a reset or an import.
        this.abandoned.add(id);
        continue;
      }
      if (!now) this.wake(id, { id, status: 'Canceled', error: { code: 'OperationReset', message: 'The operation was removed by a reset or a snapshot import.' } } as OperationRecord);
      else if (TERMINAL.has(now.status)) this.wake(id, now);
    }
  }

  // ---- taking over operations nobody drives ----------------------------------------------------------------

  /** Starts the periodic look for operations nobody drives (after start-up has registered every task kind). */
  startSweeping(): void {
    if (this.sweepTimer || this.stopped) return;
    this.sweepTimer = setInterval(
      () =>
        void this.sweep()
          .then(() => this.prune())
          .catch(() => undefined),
      SWEEP_MS,
    );
    this.sweepTimer.unref();
  }

  /** Every operation in flight that no instance drives is taken over (another instance died, or a snapshot brought it). */
  async sweep(): Promise<void> {
    for (const key of [...this.inFlightKeys]) {
      if (this.stopped) return;
      const op = this.get(key);
      if (!op || TERMINAL.has(op.status)) {
        this.inFlightKeys.delete(key);
        continue;
      }
      if (this.driving.has(op.id) || this.leases.has(op.id) || this.starting.has(op.id)) continue;
      this.run(op, true);
    }
  }

  /** Asks a running operation to stop; it rolls back and ends Canceled. */
  async cancel(id: string, message = 'The operation was canceled.'): Promise<OperationRecord> {
    const op = this.inFlight(id, 'canceled', 'OperationNotCancellable');
    if (!this.leases.has(op.id)) {
      await this.control(op.id, (c) => ({ ...c, cancel: { message } }));
      return { ...op, cancelRequested: true, error: { code: 'OperationCanceled', message } };
    }
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
    if (!this.leases.has(op.id)) {
      await this.control(op.id, (c) => ({ ...c, held: true }));
      return { ...op, held: true };
    }
    op.held = true;
    await this.save(op);
    return op;
  }

  /** Releases a held operation: it finishes as soon as its tasks and its gate allow. */
  async release(id: string): Promise<OperationRecord> {
    const op = this.inFlight(id, 'released');
    if (!this.leases.has(op.id)) {
      await this.control(op.id, (c) => ({ ...c, held: false }));
      const { held: _h, ...rest } = op;
      return rest;
    }
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
    if (this.abandoned.has(op.id)) return Promise.reject(new Abandoned());
    if (!this.leases.has(op.id)) return Promise.reject(new Stopped()); // the lease was lost: whoever holds it now writes it
    const pending = this.pendingSaves.get(op.id);
    if (pending) return pending.done;
    if (!this.saveBatch) {
      this.saveBatch = new Promise<void>((r) => setImmediate(r)).then(() => {
        this.saveBatch = null;
      });
    }
    // Each operation is its own write (one refused write must not take others with it); the store still
    // commits the writes of one tick together.
    const done = this.saveBatch.then(() => {
      this.pendingSaves.delete(op.id);
      if (this.abandoned.has(op.id)) throw new Abandoned();
      return this.store.write([this.writeOp(op)]).catch((e) => {
        if (e instanceof StoreConflictError) throw new Abandoned();
        if (e instanceof StoreUnavailableError) throw new Stopped();
        throw e;
      });
    });
    this.pendingSaves.set(op.id, { op, done });
    return done;
  }

  /** A task's simulated duration, as a timer that follows changes of the time scale made while it runs. */
  private delay(task: TaskRecord): Promise<void> {
    const simMs = task.durationMs ?? 0;
    return new Promise((resolve) => {
      if (simMs * this.timeScale <= 0) {
        setImmediate(resolve);
        return;
      }
      this.arm({ simLeftMs: simMs, armedAt: Date.now(), scale: this.timeScale, resolve });
    });
  }

  private arm(d: Delay): void {
    const ms = d.simLeftMs * d.scale;
    if (ms <= 0) {
      setImmediate(d.resolve);
      return;
    }
    d.timer = setTimeout(() => {
      this.timers.delete(d.timer!);
      this.delays.delete(d);
      d.resolve();
    }, ms);
    this.timers.add(d.timer);
    this.delays.add(d);
  }

  /** Re-arms the durations under way at the new scale: what is left of each (in simulated time) at the new speed. */
  private rescaleDelays(): void {
    const now = Date.now();
    for (const d of [...this.delays]) {
      clearTimeout(d.timer);
      this.timers.delete(d.timer!);
      this.delays.delete(d);
      const simDone = d.scale > 0 ? (now - d.armedAt) / d.scale : d.simLeftMs;
      this.arm({ simLeftMs: Math.max(0, d.simLeftMs - simDone), armedAt: now, scale: this.timeScale, resolve: d.resolve });
    }
  }

  private async drive(op: OperationRecord): Promise<void> {
    if ((op as any).rollingBack) return this.rollback(op, op.error ?? { code: 'OperationFailed', message: 'The operation failed.' });
    let failure: ErrorDetail | undefined;
    const running = new Map<string, Promise<void>>();
    const byId = new Map(op.tasks.map((t) => [t.id, t]));
    const ready = () => op.tasks.filter((t) => t.state === 'pending' && (t.dependsOn ?? []).every((d) => byId.get(d)?.state === 'done'));

    const runTask = async (t: TaskRecord): Promise<void> => {
      await this.delay(t);
      if (this.stopped || !this.leases.has(op.id)) throw new Stopped();
      if (this.abandoned.has(op.id)) throw new Abandoned();
      if (op.cancelRequested) {
        t.state = 'pending';
        return;
      }
      try {
        t.result = await this.kinds.get(t.kind)!.run(t, op);
        t.state = 'done';
        if (this.services.log.enabled('debug')) this.services.log.debug('task', `${op.id} ${t.id} (${t.kind}) done`);
        delete op.resumeAttempts; // progress: restarts in a row start counting again
      } catch (e) {
        if (e instanceof Stopped || e instanceof Abandoned) throw e;
        // A task that fails because the emulator is shutting down did not fail: it runs again at the next start.
        if (this.stopped) throw new Stopped();
        t.state = 'failed';
        t.error = toDetail(e);
        this.services.log.debug('task', `${op.id} ${t.id} (${t.kind}) failed: ${t.error.code}`);
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
        running.set(
          t.id,
          runTask(t).finally(() => running.delete(t.id)),
        );
      }
      if (running.size === 0) break;
      await this.save(op);
      // The tasks still running may all have finished while the save was written: a race of none never settles
      // (the operation stayed InProgress for ever), so look again at what is ready instead.
      if (running.size > 0) await Promise.race(running.values());
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
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        this.maybeRelease(op)
          .then(() => this.armTimeGate(op))
          .catch(() => undefined);
      },
      Math.max(0, wait) + 1,
    );
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
    if (!(op as any).rollingBack) this.logTransition(op, 'InProgress', 'InProgress', `rolling back: ${error.code}`);
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
    } catch (e) {
      if (e instanceof Abandoned || e instanceof Stopped) throw e;
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
    await this.relatedReady(next);
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
    await this.relatedReady(next);
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

  /**
   * The catalogue's schemas of the related resources' types, read off the loop before the final write locates
   * them. Awaited before the operation's record changes: pollers read the driver's record, and must not see it
   * ended while the resource it ends is not written yet (a cluster Succeeded with the resource still Creating).
   */
  private async relatedReady(next: Completion): Promise<void> {
    const reading = relatedReady(this.registry, next.related);
    if (reading) await reading.catch(() => undefined); // a read that fails: the write reads synchronously
  }

  /** Resource, related resources and operation reach their terminal state in one atomic write (throws if it cannot be stored). */
  private async commitFinal(op: OperationRecord, before: StoredResource | undefined, next: Completion): Promise<void> {
    // no await before the write: the record pollers read (live) already says how it ended
    if (this.abandoned.has(op.id)) throw new Abandoned();
    const ops = [this.writeOp(op)];
    if (this.store.has(CONTROL_COLLECTION, op.id.toLowerCase())) ops.push({ collection: CONTROL_COLLECTION, key: op.id.toLowerCase(), value: undefined });
    if (next.resource) {
      if (next.resource.operationId === op.id) delete next.resource.operationId;
      ops.push(...this.resources.putOps(next.resource));
    } else if (before) {
      ops.push(...deleteTreeOps(this.resources, before.resource.id));
    }
    ops.push(...relatedOps(this.registry, this.resources, next.related).map((w) => clearOperation(w, op.id)));
    await this.store.write(ops);
  }

  /** One line of the operation log: `<id> <kind or action> <resource id> <from> -> <to> <ms since start> [note]`. */
  private logTransition(op: OperationRecord, from: string, to: string, note?: string): void {
    const log = this.services.log;
    if (!log.enabled('info')) return;
    const ms = Date.now() - Date.parse(op.startTime);
    log.info('operation', `${op.id} ${op.action ?? op.kind} ${op.resourceId} ${from} -> ${to} ${ms}ms${note ? ` ${note}` : ''}`);
  }

  // ---- retention ------------------------------------------------------------------------------------

  /**
   * ARM keeps a finished operation's status for a documented period (Azure's API guidelines: at least 24
   * hours), then its Azure-AsyncOperation URL answers 404. Records finished longer ago than
   * --operation-retention hours on the emulator's clock (so advancing the clock ages them) are deleted,
   * with their control records; 0 keeps them for ever. Run with the sweep and after each clock advance.
   */
  async prune(): Promise<number> {
    const hours = this.services.config.operationRetentionHours;
    if (!(hours > 0) || this.stopped) return 0;
    const cutoff = this.services.clock.now() - hours * 3_600_000;
    // Read from the head of each stored text (writeOp puts status and endTime first): parsing every record
    // each second held the event loop for hundreds of milliseconds once thousands of operations were kept.
    const old: string[] = [];
    for (const [key, text] of this.store.texts(COLLECTION)) {
      const head = FINISHED_HEAD.exec(text);
      if (head && Date.parse(head[1]) < cutoff && !this.live.has(key)) old.push(key);
    }
    if (old.length === 0) return 0;
    const writes: WriteOp[] = [];
    for (const key of old) {
      writes.push({ collection: COLLECTION, key, value: undefined });
      if (this.store.get(CONTROL_COLLECTION, key) !== undefined) writes.push({ collection: CONTROL_COLLECTION, key, value: undefined });
    }
    await this.store.write(writes);
    this.services.log.info('operation', `pruned ${old.length} operation record(s) finished more than ${hours} h ago`);
    return old.length;
  }

  /** The operation has reached its terminal state: release whoever waits for it. */
  private settled(op: OperationRecord): void {
    this.logTransition(op, 'InProgress', op.status, op.error && op.status !== 'Succeeded' ? op.error.code : undefined);
    this.finishing.delete(op.id);
    this.dropLease(op.id);
    this.wake(op.id, op);
  }

  // ---- restart -----------------------------------------------------------------------------------

  /**
   * After a restart: resume every operation that was in flight, and heal resources left mid-operation.
   * The attempt is counted (and stored) before the operation runs, so one whose resumption crashes the
   * process is not run for ever: past MAX_RESUME_ATTEMPTS restarts in a row it is undone and ends Failed,
   * and if even undoing it never finishes, it ends Failed without.
   */
  async resumeAll(): Promise<number> {
    let n = 0;
    for (const key of this.inFlightKeys) if (!this.driving.has(this.get(key)?.id ?? key)) n++;
    await this.sweep();
    this.startSweeping();
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
      await this.resources.put(copy).catch((e) => {
        if (!(e instanceof StoreConflictError)) throw e; // another instance settled it first
      });
    }
    return n;
  }

  /** Stops driving (process shutdown); persisted state lets the next start resume. */
  stop(): void {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.delays.clear();
    // Free the leases at once so another instance takes over without waiting for this one's connections to close.
    for (const id of [...this.leases.keys()]) this.dropLease(id);
  }

  /**
   * After stop(), on a clean shutdown: the operations that were running did not crash anything, so their
   * restarts in a row start counting again at the next start. (A killed process never gets here.)
   */
  async stoppedCleanly(): Promise<void> {
    const ops = [...this.live.values()].filter((op) => op.status === 'InProgress' && op.resumeAttempts);
    for (const op of ops) delete op.resumeAttempts;
    if (ops.length) await this.store.write(ops.map((op) => this.writeOp(op))).catch(() => undefined);
  }

  /** Operations still running in this process (for tests and shutdown). */
  active(): number {
    return this.driving.size;
  }
}

class Stopped extends Error {}
/** The operation's record was removed or replaced from elsewhere (reset, import). */
class Abandoned extends Error {}

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
