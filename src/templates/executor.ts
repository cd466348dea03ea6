// Runs a prepared deployment through the host: instances start as soon as their dependencies are
// done (independent ones in parallel, up to `concurrency`), serial copy batches in turn, condition-false
// ones skipped, `existing` ones never written. Each write waits for its long-running operation. A
// failure fails the deployment with DeploymentFailed and per-resource details nested as ARM nests
// them; dependents of a failed resource never start; what succeeded stays. Complete mode then deletes
// what the template does not have; outputs are evaluated last. An AbortSignal cancels.

import { ArmError, type ErrorDetail } from '../arm/errors.js';
import type { EvalContext } from './context.js';
import { DEPLOYMENT_FAILED_MESSAGE, ExpressionError, TemplateErrors } from './errors.js';
import { evaluateValue } from './evaluator.js';
import { isHeaderKey, resourceBody, type Instance } from './expand.js';
import { createHooks, evaluateWithFetch, type HookState } from './hooks.js';
import type { HostError, TemplateHost } from './host.js';
import { evaluateOutputs } from './outputs.js';
import { prepareDeployment, type DeploymentRequest, type PreparedDeployment } from './prepare.js';
import { preflightDeployment } from './preflight.js';
import { redactParameters, scrub } from './redact.js';
import { isoDuration, newOperationId, statusName, type DeploymentDependency, type DeploymentOperation, type DeploymentResult } from './results.js';
import { parseResourceId, scopePrefix } from './scope.js';
import { isObject } from './values.js';

export interface DeployOptions {
  signal?: AbortSignal;
  /** Most resources written at once (ARM allows up to 800). */
  concurrency?: number;
  /** Called whenever an operation record is created or changes (for a live `operations` list). */
  onOperation?(op: DeploymentOperation): void;
  /**
   * Nested deployments as they start and end (ARM keeps each as a deployment of its own in its scope):
   * `start` before it runs, `end` with its outcome; `onOperation` inside it reports its own operations.
   */
  onNestedDeployment?(e: { phase: 'start' | 'end'; name: string; scopeId: string; result?: DeploymentResult }): void;
  /**
   * After a crash: the writes this deployment had already started, by lower-cased resource id. A resource
   * whose write is still running is waited for, one whose write ended is taken as it ended; neither is
   * written again (a second PUT would collide with the first: AnotherOperationInProgress).
   */
  adopt?: Record<string, AdoptedWrite>;
  /** For an outer-scope nested template: its parent's resources, which its expressions may name. */
  outer?: HookState;
}

export interface AdoptedWrite {
  operationId: string;
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  error?: HostError;
}

type Outcome = 'succeeded' | 'failed' | 'skipped' | 'canceled';

const RESOURCE_FAILED = "The resource write operation failed to complete successfully, because it reached terminal provisioning state '{0}'.";

/** Prepares, preflights and runs a deployment. Validation failures throw (ArmError, 400) before anything is written. */
export async function deploy(host: TemplateHost, request: DeploymentRequest, options: DeployOptions = {}): Promise<DeploymentResult> {
  const prepared = await prepareDeployment(host, request);
  await preflightDeployment(host, prepared);
  return executeDeployment(host, prepared, options);
}

function errorDetail(e: unknown): ErrorDetail {
  if (e instanceof ArmError) return e.toDetail();
  if (e instanceof ExpressionError) return { code: 'InvalidTemplate', message: e.message };
  return { code: 'InternalServerError', message: (e as Error)?.message ?? String(e) };
}

export async function executeDeployment(host: TemplateHost, prepared: PreparedDeployment, options: DeployOptions = {}): Promise<DeploymentResult> {
  const start = Date.now();
  const startIso = new Date(start).toISOString();
  const { exp } = prepared;
  const signal = options.signal;
  const concurrency = options.concurrency ?? 800;
  const operations: DeploymentOperation[] = [];
  const failures: ErrorDetail[] = [];
  const outcome = new Map<string, Outcome>();
  const state: HookState = { host, exp, prefix: prepared.prefix, nested: new Map(), outer: options.outer };
  const redact = (v: unknown) => scrub(v, prepared.secrets);

  const emit = (op: DeploymentOperation) => {
    try {
      options.onOperation?.(op);
    } catch {
      /* an observer's failure is not the deployment's */
    }
  };
  const newOp = (inst: { id: string; type: string; name: string; apiVersion?: string }, kind: DeploymentOperation['provisioningOperation']): DeploymentOperation => {
    const now = new Date().toISOString();
    const op: DeploymentOperation = {
      operationId: newOperationId(),
      provisioningOperation: kind,
      provisioningState: 'Running',
      startTime: now,
      timestamp: now,
      duration: 'PT0S',
      targetResource: { id: inst.id, resourceType: inst.type, resourceName: inst.name, ...(inst.apiVersion ? { apiVersion: inst.apiVersion } : {}) },
    };
    operations.push(op);
    emit(op);
    return op;
  };
  const finish = (op: DeploymentOperation, st: DeploymentOperation['provisioningState'], status: number | undefined, error?: ErrorDetail) => {
    op.provisioningState = st;
    op.timestamp = new Date().toISOString();
    op.duration = isoDuration(Date.parse(op.timestamp) - Date.parse(op.startTime));
    if (status !== undefined) op.statusCode = statusName(status);
    op.statusMessage = error ? { status: st, error: redact(error) as ErrorDetail } : { status: st };
    emit(op);
  };

  const evaluateBody = async (inst: Instance): Promise<Record<string, unknown>> => {
    const cache = new Map<string, unknown>();
    return evaluateWithFetch((c) => {
      const ctx: EvalContext = { ...inst.ctx, site: 'resourceBody', hooks: createHooks(state, c) };
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(inst.raw.body)) {
        if (isHeaderKey(k)) continue;
        if (inst.isDeployment && k.toLowerCase() === 'properties' && isObject(v)) {
          // The nested template itself is evaluated by the nested deployment, never by its parent.
          const props: Record<string, unknown> = {};
          for (const [pk, pv] of Object.entries(v)) props[pk] = pk.toLowerCase() === 'template' ? pv : evaluateValue(pv, ctx);
          out[k] = props;
          continue;
        }
        out[k] = evaluateValue(v, ctx);
      }
      return out;
    }, cache);
  };

  const runNested = async (inst: Instance, op: DeploymentOperation, body: Record<string, unknown>): Promise<Outcome> => {
    // The nested deployment is a write in its target scope (another group, a subscription): allowed there or refused.
    await host.checkWrite?.(inst.id, inst.apiVersion);
    const props = (body.properties ?? {}) as Record<string, unknown>;
    const evalScope = String((props.expressionEvaluationOptions as Record<string, unknown> | undefined)?.scope ?? 'outer').toLowerCase();
    const target = { ...inst.target! };
    if (target.resourceGroup && !target.resourceGroup.location) {
      const sameGroup =
        prepared.target.resourceGroup && target.subscriptionId === prepared.target.subscriptionId && target.resourceGroup.name.toLowerCase() === prepared.target.resourceGroup.name.toLowerCase();
      if (sameGroup) target.resourceGroup = { ...prepared.target.resourceGroup! };
      else if (host.resourceGroup) {
        const rg = await host.resourceGroup(target.subscriptionId!, target.resourceGroup.name);
        if (!rg) throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${target.resourceGroup.name}' could not be found.`);
        target.resourceGroup = { name: target.resourceGroup.name, ...rg };
      }
    }
    const useOuter = props.template !== undefined && evalScope !== 'inner';
    const nestedPrepared = await prepareDeployment(
      host,
      {
        name: inst.name,
        scope: target,
        location: typeof body.location === 'string' ? body.location : undefined,
        properties: {
          template: props.template,
          templateLink: props.templateLink as never,
          parameters: useOuter ? undefined : props.parameters,
          parametersLink: props.parametersLink as never,
          // Nested deployments are always Incremental: only the root deployment deletes in Complete mode.
          mode: 'Incremental',
        },
        environment: prepared.ctx.environment,
        now: prepared.ctx.now,
      },
      { outerContext: useOuter ? inst.ctx : undefined, parentTemplateUri: prepared.templateUri },
    );
    const scopeId = scopePrefix(nestedPrepared.target);
    const notify = (e: Parameters<NonNullable<DeployOptions['onNestedDeployment']>>[0]) => {
      try {
        options.onNestedDeployment?.(e);
      } catch {
        /* an observer's failure is not the deployment's */
      }
    };
    notify({ phase: 'start', name: inst.name, scopeId });
    const result = await executeDeployment(host, nestedPrepared, { ...options, onOperation: undefined, outer: useOuter ? state : undefined });
    notify({ phase: 'end', name: inst.name, scopeId, result });
    state.nested.set(inst.key, result);
    op.nested = result;
    if (result.provisioningState === 'Succeeded') {
      finish(op, 'Succeeded', 200);
      return 'succeeded';
    }
    if (result.provisioningState === 'Canceled') {
      finish(op, 'Canceled', undefined);
      return 'canceled';
    }
    finish(op, 'Failed', 400, result.error);
    failures.push(result.error!);
    return 'failed';
  };

  const runOne = async (inst: Instance): Promise<Outcome> => {
    if (!inst.condition || inst.existing) return 'skipped';
    if (signal?.aborted) return 'canceled';
    const op = newOp(inst, 'Create');
    try {
      let body: Record<string, unknown>;
      try {
        body = await evaluateBody(inst);
      } catch (e) {
        if (e instanceof ExpressionError) throw TemplateErrors.processing(inst.id, e.message);
        throw e;
      }
      if (inst.isDeployment) return await runNested(inst, op, body);
      const adopted = options.adopt?.[inst.id.toLowerCase()];
      const put = adopted ? { status: 201, operationId: adopted.operationId } : await host.put(inst.id, inst.apiVersion, resourceBody(body));
      if (put.operationId) {
        const done = adopted && adopted.status !== 'InProgress' ? { status: adopted.status, error: adopted.error } : await waitOrAbort(host, put.operationId, signal);
        if (done.status === 'Succeeded') {
          finish(op, 'Succeeded', 200);
          return 'succeeded';
        }
        if (done.status === 'Canceled' && signal?.aborted) {
          finish(op, 'Canceled', undefined);
          return 'canceled';
        }
        const rp: ErrorDetail = (done.error as ErrorDetail | undefined) ?? { code: 'ResourceDeploymentFailure', message: 'The resource operation failed.' };
        const detail: ErrorDetail = {
          code: 'ResourceDeploymentFailure',
          target: inst.id,
          message: RESOURCE_FAILED.replace('{0}', done.status),
          details: [rp],
        };
        finish(op, done.status === 'Canceled' ? 'Canceled' : 'Failed', 409, detail);
        failures.push(redact(detail) as ErrorDetail);
        return 'failed';
      }
      finish(op, 'Succeeded', put.status);
      return 'succeeded';
    } catch (e) {
      if (e instanceof AbortedError) {
        finish(op, 'Canceled', undefined);
        return 'canceled';
      }
      const detail = errorDetail(e);
      const status = e instanceof ArmError ? e.status : 500;
      finish(op, 'Failed', status, detail);
      failures.push(redact(detail) as ErrorDetail);
      return 'failed';
    }
  };

  // Scheduler: start every instance whose dependencies are done; a failed or canceled dependency
  // means the instance never starts.
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const inst of exp.instances) {
    remaining.set(inst.key, inst.dependsOn.size);
    for (const d of inst.dependsOn) {
      const l = dependents.get(d) ?? [];
      l.push(inst.key);
      dependents.set(d, l);
    }
  }
  await new Promise<void>((resolve) => {
    const ready: Instance[] = exp.instances.filter((i) => i.dependsOn.size === 0);
    let running = 0;
    let settled = 0;
    const total = exp.instances.length;
    if (total === 0) return resolve();
    const blocked = (key: string, why: Outcome) => {
      // Transitively mark dependents as never started.
      const stack = [...(dependents.get(key) ?? [])];
      while (stack.length) {
        const k = stack.pop()!;
        if (outcome.has(k)) continue;
        outcome.set(k, why === 'canceled' ? 'canceled' : 'failed');
        settled++;
        stack.push(...(dependents.get(k) ?? []));
      }
    };
    const pump = () => {
      while (ready.length && running < concurrency) {
        const inst = ready.shift()!;
        if (outcome.has(inst.key)) continue;
        running++;
        void runOne(inst)
          .catch((): Outcome => 'failed')
          .then((o) => {
            running--;
            outcome.set(inst.key, o);
            settled++;
            if (o === 'succeeded' || o === 'skipped') {
              for (const k of dependents.get(inst.key) ?? []) {
                const n = remaining.get(k)! - 1;
                remaining.set(k, n);
                if (n === 0 && !outcome.has(k)) ready.push(exp.byKey.get(k)!);
              }
            } else {
              blocked(inst.key, o);
            }
            if (settled >= total && running === 0) resolve();
            else pump();
          });
      }
      if (settled >= total && running === 0) resolve();
    };
    pump();
  });

  let provisioningState: DeploymentResult['provisioningState'] = 'Succeeded';
  let error: ErrorDetail | undefined;
  if (failures.length) {
    provisioningState = 'Failed';
    error = { code: 'DeploymentFailed', message: DEPLOYMENT_FAILED_MESSAGE, details: failures };
  } else if (signal?.aborted || [...outcome.values()].includes('canceled')) {
    provisioningState = 'Canceled';
  }

  // Complete mode: delete what the group has and the template does not (condition-false ones too).
  if (provisioningState === 'Succeeded' && prepared.mode === 'Complete' && prepared.target.resourceGroup) {
    const cleanup = await completeModeDeletes(host, prepared, newOp, finish, signal);
    if (cleanup.length) {
      provisioningState = 'Failed';
      error = {
        code: 'DeploymentFailedCleanUp',
        message: 'The deployment succeeded, but deleting the resources that are not in the template failed. See details.',
        details: cleanup,
      };
    }
  }

  let outputs: DeploymentResult['outputs'];
  if (provisioningState === 'Succeeded') {
    try {
      outputs = await evaluateWithFetch((c) => evaluateOutputs(prepared.template, { ...prepared.ctx, hooks: createHooks(state, c) }));
    } catch (e) {
      provisioningState = 'Failed';
      const inner = errorDetail(e);
      error = {
        code: 'DeploymentOutputEvaluationFailed',
        message: 'Unable to evaluate template outputs. Please see error details and deployment operations. Please see https://aka.ms/arm-common-errors for usage details.',
        details: [redact(inner) as ErrorDetail],
      };
    }
  }

  const end = Date.now();
  const deployed = exp.instances.filter((i) => outcome.get(i.key) === 'succeeded' && !i.isDeployment);
  return {
    name: prepared.request.name,
    scopeId: scopePrefix(prepared.target),
    provisioningState,
    mode: prepared.mode,
    startTime: startIso,
    timestamp: new Date(end).toISOString(),
    duration: isoDuration(end - start),
    templateHash: prepared.templateHash,
    parameters: redactParameters(prepared),
    ...(outputs ? { outputs } : {}),
    outputResources: deployed.map((i) => ({ id: i.id })),
    dependencies: dependencyList(prepared),
    operations,
    ...(error ? { error } : {}),
  };
}

class AbortedError extends Error {}

async function waitOrAbort(host: TemplateHost, operationId: string, signal?: AbortSignal) {
  if (!signal) return host.waitFor(operationId);
  if (signal.aborted) throw new AbortedError('aborted');
  return await new Promise<{ status: 'Succeeded' | 'Failed' | 'Canceled'; error?: HostError }>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    host.waitFor(operationId, signal).then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

async function completeModeDeletes(
  host: TemplateHost,
  prepared: PreparedDeployment,
  newOp: (i: { id: string; type: string; name: string }, k: 'Delete') => DeploymentOperation,
  finish: (op: DeploymentOperation, st: DeploymentOperation['provisioningState'], status: number | undefined, error?: ErrorDetail) => void,
  signal?: AbortSignal,
): Promise<ErrorDetail[]> {
  const keep = new Set(prepared.exp.instances.filter((i) => i.condition || i.existing).map((i) => i.id.toLowerCase()));
  const existing = await host.list(prepared.prefix);
  const doomed = existing.filter((r) => {
    const id = String(r.id ?? '').toLowerCase();
    if (!id || keep.has(id)) return false;
    // Child and extension resources of a kept resource stay with it.
    for (const k of keep) if (id.startsWith(k + '/')) return false;
    return true;
  });
  const errors: ErrorDetail[] = [];
  await Promise.all(
    doomed.map(async (r) => {
      if (signal?.aborted) return;
      const p = parseResourceId(r.id);
      const op = newOp({ id: r.id, type: r.type ?? p?.type ?? '', name: r.name ?? p?.name ?? '' }, 'Delete');
      try {
        const d = await host.delete(r.id);
        if (d.operationId) {
          const done = await host.waitFor(d.operationId, signal);
          if (done.status !== 'Succeeded') {
            const e = (done.error as ErrorDetail) ?? { code: 'ResourceDeletionFailure', message: `Deleting '${r.id}' failed.` };
            finish(op, 'Failed', 409, e);
            errors.push(e);
            return;
          }
        }
        finish(op, 'Succeeded', d.status);
      } catch (e) {
        const detail = errorDetail(e);
        finish(op, 'Failed', e instanceof ArmError ? e.status : 500, detail);
        errors.push(detail);
      }
    }),
  );
  return errors;
}

function dependencyList(prepared: PreparedDeployment): DeploymentDependency[] {
  const out: DeploymentDependency[] = [];
  for (const i of prepared.exp.instances) {
    if (!i.dependsOn.size) continue;
    out.push({
      id: i.id,
      resourceType: i.type,
      resourceName: i.name,
      dependsOn: [...i.dependsOn].map((k) => prepared.exp.byKey.get(k)!).map((d) => ({ id: d.id, resourceType: d.type, resourceName: d.name })),
    });
  }
  return out;
}
