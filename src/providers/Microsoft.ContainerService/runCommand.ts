// managedClusters/runCommand and commandResults (az aks command invoke / az aks command result). AKS
// runs the command in a pod of the cluster and answers asynchronously: 202 with a Location of the
// command's result, which answers 202 while the command runs and then 200 with its exit code and logs.
// Here the command runs against the cluster's own Kubernetes API (kubectl in src/kube/command, through
// the adapter in commandInvoke.ts) after a short, time-scaled start; the result is stored (a child of the
// cluster, removed with it), so clients poll it as they do at AKS.

import { randomBytes } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import type { ActionOutcome, RequestContext, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { assertOperationOffered } from '../../kubernetes/clusterOperations.js';
import { isStopped, targetOfStored } from './clusterCommon.js';
import { isObj, NS } from './shape.js';
import { commandOutcome, startCommand } from './commandInvoke.js';
import { offeredAt, shapeFor, versionsOf } from './versions.js';

/** How long the command pod takes to start before the command runs (scaled by --time-scale). */
const RUN_MS = 2_000;

type ActionCtx = RequestContext & { existing: StoredResource };

/** POST .../runCommand: validates, starts the command's operation, stores its result (running); 202 + Location. */
export async function runCommand(ctx: ActionCtx): Promise<ActionOutcome> {
  const { services } = ctx;
  const cluster = ctx.existing;
  if (!offeredAt('managedClusters/runCommand', ctx.apiVersion)) throw Errors.actionNotFound('managedClusters/runCommand', NS, ctx.apiVersion);
  assertOperationOffered(targetOfStored(services, cluster).doc, 'runCommand');
  const body = ctx.body;
  if (!isObj(body) || typeof body.command !== 'string' || body.command.trim() === '') {
    throw Errors.invalidParameter('The request body needs command: the command to run, e.g. "kubectl get nodes".', 'command');
  }
  if (body.context !== undefined && body.context !== null && (typeof body.context !== 'string' || (body.context !== '' && !/^[A-Za-z0-9+/=\s]*$/.test(body.context)))) {
    throw Errors.invalidParameter('context must be a base64-encoded zip file of the files the command needs.', 'context');
  }
  if (isStopped(cluster)) throw Errors.operationNotAllowed(`Managed cluster '${cluster.resource.name}' is stopped; start it (az aks start) before running commands in it.`);
  if (!cluster.internal.secrets) throw Errors.operationNotAllowed(`Managed cluster '${cluster.resource.name}' is not ready yet; run the command once it is created.`);
  const commandId = randomBytes(16).toString('hex');
  const started = Date.now();
  const id = `${cluster.resource.id}/commandResults/${commandId}`;
  const internal = await startCommand(
    ctx,
    cluster,
    id,
    { command: body.command, context: body.context ?? undefined, clusterToken: typeof body.clusterToken === 'string' ? body.clusterToken : undefined },
    RUN_MS,
  );
  const result = {
    id,
    name: commandId,
    type: `${NS}/managedClusters/commandResults`,
    properties: { provisioningState: 'Running', startedAt: new Date(started).toISOString() },
  };
  const location = `${ctx.baseUrl}${id}?api-version=${ctx.apiVersion}`;
  return {
    status: 202,
    headers: { Location: location, 'Retry-After': String(services.config.retryAfter ?? 1) },
    related: { put: [{ resource: result, internal }] },
  };
}

/** GET .../commandResults/{id}: 202 while the command runs, then 200 with its result. */
export const commandResults: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/commandResults',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/commandResults'),
  handlers: {
    get(ctx) {
      const s = ctx.services.resources.get(ctx.path.id);
      if (!s) throw Errors.resourceNotFound(`${NS}/managedClusters/${ctx.path.names[0]}/commandResults/${ctx.path.names[1]}`, ctx.path.resourceGroup);
      const properties = commandOutcome(ctx.services, s);
      if (!properties) {
        return { status: 202, headers: { Location: `${ctx.baseUrl}${s.resource.id}?api-version=${ctx.apiVersion}`, 'Retry-After': String(ctx.services.config.retryAfter ?? 1) } };
      }
      const body = { id: s.resource.name, properties };
      return { status: 200, body: shapeFor('runCommandResult', body, ctx.apiVersion) };
    },
  },
};
