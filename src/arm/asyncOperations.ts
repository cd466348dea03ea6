// Plain data for long-running operations. An operation is a plan of tasks; the engine runs the
// tasks in dependency order, each after its simulated duration, persisting every transition so a
// restart can resume or roll back. Task kinds are registered by whoever owns the work (the fabric
// registers VM tasks, Microsoft.Resources registers cascade deletes), never by the engine.

import type { ErrorDetail } from './errors.js';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
export type TaskState = 'pending' | 'running' | 'done' | 'failed' | 'undone' | 'skipped';

export interface TaskSpec {
  /** Unique within the operation. */
  id: string;
  /** A registered task kind, e.g. 'fabric.createVm'. */
  kind: string;
  params: Record<string, unknown>;
  dependsOn?: string[];
  /** Simulated duration at time-scale 1. */
  durationMs?: number;
  /** Share of percentComplete (default 1). */
  weight?: number;
}

export interface TaskRecord extends TaskSpec {
  state: TaskState;
  /** What run() returned; undo() gets it back. */
  result?: unknown;
  error?: ErrorDetail;
}

export type OperationKind = 'create' | 'update' | 'delete' | 'action';

/** When the engine may report an operation finished (tests drive this; moto's state manager idea). */
export type CompletionGate = { mode: 'immediate' } | { mode: 'polls'; polls: number } | { mode: 'time'; seconds: number };

export interface OperationRecord {
  id: string;
  /** Namespace whose operationStatuses/operationResults serve it. */
  namespace: string;
  location: string;
  subscriptionId: string;
  resourceId: string;
  /** lowercase type key of the resource, used to find its completion hooks. */
  typeKey: string;
  kind: OperationKind;
  action?: string;
  method: 'PUT' | 'PATCH' | 'DELETE' | 'POST';
  apiVersion: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  percentComplete: number;
  error?: ErrorDetail;
  tasks: TaskRecord[];
  /** Provider data carried through to completion hooks (plain JSON). */
  data?: Record<string, unknown>;
  /** Final synchronous-equivalent response for the Location URL (POST actions, DELETE). */
  result?: { status: number; body?: unknown };
  cancelRequested?: boolean;
  /** Held by the admin API: not reported finished until released (its tasks still run). */
  held?: boolean;
  /** The task whose result becomes `result` when the operation succeeds. */
  resultTask?: string;
  /** The Location answers with the resource worked on, also for an action. */
  resultIsResource?: boolean;
  gate?: CompletionGate & { pollsSeen?: number; readyAt?: string };
  /** Set when the engine resumed this operation after a restart. */
  resumed?: number;
  /**
   * Restarts in a row that resumed this operation without it making progress since (a task finished) and
   * without a clean shutdown in between: past MAX_RESUME_ATTEMPTS it ends Failed instead of being run again.
   */
  resumeAttempts?: number;
  /** The operation that started this one (a deployment's, for the resources it writes). */
  initiatedBy?: string;
  /** Object id of the principal whose request started it (it may poll it whatever its roles); absent for the platform's own. */
  startedBy?: string;
}

export interface OperationPlan {
  kind: OperationKind;
  /** The operation on whose behalf this one runs (a deployment's): it can find and adopt it after a crash. */
  initiatedBy?: string;
  action?: string;
  tasks: TaskSpec[];
  data?: Record<string, unknown>;
  /** Defaults to the resource's location. */
  location?: string;
  /** The task whose result is the operation's result (200 body at the Location URL). */
  resultTask?: string;
  /** An action whose Location answers, once done, with the resource it worked on (e.g. upgradeNodeImageVersion). */
  resultIsResource?: boolean;
}

/** What a task kind does. run() must be idempotent: after a crash a running task is run again. */
export interface TaskKind {
  run(task: TaskRecord, op: OperationRecord): unknown | Promise<unknown>;
  /** Reverses a done task when the operation fails or is canceled. Must be idempotent. */
  undo?(task: TaskRecord, op: OperationRecord): void | Promise<void>;
}

/** Where task kinds are registered (the operation engine): whoever owns the work registers its kinds. */
export interface TaskKindRegistry {
  registerTaskKind(kind: string, impl: TaskKind): void;
}

export interface OperationSubject {
  resourceId: string;
  typeKey: string;
  namespace: string;
  location: string;
  subscriptionId: string;
  method: OperationRecord['method'];
  apiVersion: string;
  /** Object id of the principal whose request starts it. */
  startedBy?: string;
}

/** A rule deciding how fast operations complete, for tests (most specific match wins). */
export interface GateRule {
  /** lowercase type key ('microsoft.containerservice/managedclusters') or '*' */
  typeKey: string;
  /** operation kind or action name, or '*' */
  operation: string;
  gate: CompletionGate;
}
