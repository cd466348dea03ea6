// The adapter between managedClusters/runCommand + commandResults (ARM) and the cluster's Kubernetes API
// (services.kube, src/kube/command): the command runs as an operation of its own (after a short, time-scaled
// start, as AKS schedules its command pod), and the stored command result answers 202 until it has ended,
// then 200 with its exit code and logs, or Failed with the reason it could not run.

import { Errors } from '../../arm/errors.js';
import type { RequestContext, Services, StoredResource } from '../../framework/types.js';

interface KubeFailure {
  code?: number;
  message?: string;
  name?: string;
}

/** Starts the command's operation; what the command result keeps to find it. */
export async function startCommand(
  ctx: RequestContext,
  cluster: StoredResource,
  resultId: string,
  body: { command: string; context?: string; clusterToken?: string },
  durationMs: number,
): Promise<Record<string, unknown>> {
  const kube = ctx.services.kube;
  if (!kube?.commandTask) throw Errors.operationNotAllowed(`Managed cluster '${cluster.resource.name}' has no Kubernetes API in this emulator (started without one), so it cannot run commands.`);
  await kube.ready?.(cluster.resource.id);
  let task;
  try {
    task = kube.commandTask(cluster.resource.id, { command: body.command, context: body.context ?? undefined, clusterToken: body.clusterToken ?? undefined }, durationMs);
  } catch (e) {
    const err = e as KubeFailure;
    if (err.name === 'ZipError' || e?.constructor?.name === 'ZipError')
      throw Errors.invalidParameter(`context must be a base64-encoded zip file of the files the command needs: ${err.message}.`, 'context');
    if (err.code === 401)
      throw Errors.invalidParameter(
        `clusterToken is not a token the cluster accepts (${err.message}); az aks command invoke sends the signed-in user's token for the cluster's Azure AD server application.`,
        'clusterToken',
      );
    if (err.code === 503 || err.code === 404) throw Errors.operationNotAllowed(`Managed cluster '${cluster.resource.name}' cannot run commands now: ${err.message}.`);
    throw e;
  }
  const op = await ctx.services.resourceManager.startDetached(ctx, resultId, { kind: 'action', action: 'runCommand', tasks: [task], resultTask: task.id });
  return { operationId: op.id, command: body.command };
}

/** The command result as commandResults answers it: undefined while the command runs. */
export function commandOutcome(services: Services, stored: StoredResource): Record<string, unknown> | undefined {
  const op = services.asyncOperations.get(String(stored.internal.operationId ?? ''));
  if (!op) {
    // The operation record is gone (past --operation-retention): what is left is the state it ended in.
    const props = stored.resource.properties ?? {};
    return {
      ...props,
      provisioningState: props.provisioningState === 'Running' ? 'Failed' : props.provisioningState,
      reason: "The command's output is no longer kept (results are kept as long as operations, --operation-retention).",
    };
  }
  if (op.status === 'InProgress') return undefined;
  if (op.status === 'Succeeded') {
    const r = (op.result?.body ?? {}) as { exitCode?: number; logs?: string; startedAt?: string; finishedAt?: string };
    return { provisioningState: 'Succeeded', exitCode: r.exitCode ?? 0, startedAt: r.startedAt ?? op.startTime, finishedAt: r.finishedAt ?? op.endTime, logs: r.logs ?? '' };
  }
  return { provisioningState: 'Failed', exitCode: 1, startedAt: op.startTime, finishedAt: op.endTime, logs: '', reason: op.error?.message ?? `The command ended ${op.status}.` };
}
