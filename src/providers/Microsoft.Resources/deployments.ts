// Microsoft.Resources/deployments at every scope (resource group, subscription, management group,
// tenant), and calculateTemplateHash: the ARM template deployment API over the template engine
// (src/templates), whose evaluation runs in worker threads. A PUT validates the template at once
// (400 InvalidTemplate before anything is written), then runs it as a long-running operation whose
// one task deploys through the resource manager in process (templateHost.ts); the outcome
// (outputs, per-resource operations, error) is kept on the deployment as ARM keeps its history.
// validate, whatIf (long-running, result at the Location URL), cancel, exportTemplate and the
// operations list are served here too. Secure parameters and outputs are never shown.

import { Errors } from '../../arm/errors.js';
import { pageOf } from '../../framework/paging.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, Completion, Principal, RequestContext, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import type { OperationRecord } from '../../arm/asyncOperations.js';
import { lroHeaders } from '../../lro/urls.js';
// Only the engine's light modules load here (at start); the engine itself loads in the worker threads.
import { deploymentProperties, type DeploymentOperation, type DeploymentResult } from '../../templates/results.js';
import { redactorFor } from '../../templates/redact.js';
import { validationErrorBody } from '../../templates/errors.js';
import { azureStackEnvironment } from '../../templates/environment.js';
import { TemplateWorkers } from '../../templates/worker/pool.js';
import type { AdoptedWrite, DeploymentRequest, ScopeInfo } from '../../templates/index.js';
import { hostFor } from './templateHost.js';

/** Each emulator's template workers: evaluation runs there, never on the event loop. */
const pools = new WeakMap<Services, TemplateWorkers>();

export function templateWorkers(services: Services): TemplateWorkers {
  let p = pools.get(services);
  if (!p) {
    p = new TemplateWorkers({ timeLimitMs: Math.round(services.config.templateTimeLimit * 1000) });
    pools.set(services, p);
    const pool = p;
    (services.onClose ??= []).push(() => pool.close());
  }
  return p;
}

export const DEPLOY_TASK = 'resources.deploy';
export const WHATIF_TASK = 'resources.whatIf';
const NS = 'Microsoft.Resources';
const TYPE = `${NS}/deployments`;
/** ARM keeps at most this many deployments per scope and removes the oldest beyond it. */
const HISTORY_LIMIT = 800;
/** The index key of the type (as services.resources files deployments at every scope). */
const DEPLOYMENTS_TYPE_KEY = 'microsoft.resources/deployments';

/** Live per-resource records of running deployments (by operation id), for the operations list while they run. */
const live = new Map<string, DeploymentOperation[]>();

function scopeOf(ctx: Pick<RequestContext, 'path' | 'services' | 'principal' | 'subscription'>): ScopeInfo {
  const { services, path } = ctx;
  const sub = ctx.subscription; // looked up once, by the core
  const scope: ScopeInfo = { tenantId: sub?.tenantId ?? services.config.tenantId, deployerObjectId: ctx.principal.objectId };
  if (sub) {
    scope.subscriptionId = sub.subscriptionId;
    scope.subscriptionDisplayName = sub.displayName;
  }
  if (path.resourceGroup !== undefined) {
    const rg = services.resources.get(`/subscriptions/${path.subscriptionId}/resourceGroups/${path.resourceGroup}`)!;
    scope.resourceGroup = { name: rg.resource.name, location: rg.resource.location!, tags: rg.resource.tags, managedBy: rg.resource.managedBy };
  }
  const mg = managementGroupOf(path);
  if (mg) {
    const g = services.resources.get(`/providers/Microsoft.Management/managementGroups/${mg}`);
    scope.managementGroup = g?.resource.name ?? mg;
    if (g?.resource.properties?.displayName) scope.managementGroupDisplayName = String(g.resource.properties.displayName);
  }
  return scope;
}

/** The management group a deployment path lives in (`/providers/Microsoft.Management/managementGroups/{g}/providers/...`). */
function managementGroupOf(path: RequestContext['path']): string | undefined {
  const p = path.extendedParent;
  if (!p || p.namespace.toLowerCase() !== 'microsoft.management' || p.types[0]?.toLowerCase() !== 'managementgroups') return undefined;
  return p.names[0];
}

function requestOf(ctx: RequestContext, name: string): DeploymentRequest {
  const body = ctx.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body) || body === null) throw Errors.invalidRequestContent('The request content must be a JSON object.');
  if (typeof body.properties !== 'object' || body.properties === null || Array.isArray(body.properties)) {
    throw Errors.invalidRequestContent("The request content is invalid: property 'properties' is required.", 'properties');
  }
  if (ctx.path.resourceGroup === undefined && (typeof body.location !== 'string' || body.location === '')) {
    const at = managementGroupOf(ctx.path) ? 'management group' : ctx.path.subscriptionId ? 'subscription' : 'tenant';
    throw Errors.invalid('InvalidDeploymentLocation', `The location of a deployment at ${at} scope is required: pass --location (the body's location).`, 'location');
  }
  const isHub =
    (ctx.path.resourceGroup !== undefined ? scopeOf(ctx).resourceGroup?.location : body.location) === 'local' || ctx.services.locations.get(String(body.location ?? ''))?.kind === 'AzureStackHub';
  return {
    name,
    scope: scopeOf(ctx),
    location: typeof body.location === 'string' ? (ctx.services.locations.normalize(body.location) ?? body.location) : undefined,
    properties: body.properties,
    apiVersion: ctx.apiVersion,
    environment: isHub ? azureStackEnvironment(`${ctx.baseUrl || 'https://localhost'}/`) : undefined,
  };
}

/** The deployment as GET shows it. */
function deploymentWire(s: StoredResource): ArmResource {
  const r = s.resource;
  const out: ArmResource = { id: r.id, name: r.name, type: TYPE };
  if (r.location) out.location = r.location;
  if (r.tags && Object.keys(r.tags).length) out.tags = { ...r.tags };
  out.properties = structuredClone(r.properties ?? {});
  return out;
}

function operationWire(deploymentId: string, o: DeploymentOperation) {
  const props: Record<string, unknown> = {
    provisioningOperation: o.provisioningOperation,
    provisioningState: o.provisioningState,
    timestamp: o.timestamp,
    duration: o.duration,
    trackingId: o.operationId.toLowerCase(),
    serviceRequestId: o.operationId.toLowerCase(),
    targetResource: o.targetResource,
  };
  if (o.statusCode) props.statusCode = o.statusCode;
  if (o.statusMessage !== undefined) props.statusMessage = o.statusMessage;
  return { id: `${deploymentId}/operations/${o.operationId}`, operationId: o.operationId, properties: props };
}

/** The deployment's state while it runs, before it has a result. */
function runningProperties(req: DeploymentRequest, prepared: { templateHash: string; mode: string; parameters: unknown }, correlationId: string) {
  const p: Record<string, unknown> = {
    templateHash: prepared.templateHash,
    parameters: prepared.parameters,
    mode: prepared.mode,
    provisioningState: 'Accepted',
    timestamp: new Date().toISOString(),
    duration: 'PT0S',
    correlationId,
    providers: [],
    dependencies: [],
  };
  if (req.properties.templateLink) p.templateLink = req.properties.templateLink;
  if (req.properties.parametersLink) p.parametersLink = req.properties.parametersLink;
  return p;
}

async function putDeployment(ctx: RequestContext, candidate: ArmResource) {
  const { services } = ctx;
  const name = candidate.name;
  const req = requestOf(ctx, name);
  // Validation errors (bad template, missing parameter, cycle...) are synchronous 400s, as at ARM.
  const host = hostFor(services, ctx.principal, ctx.baseUrl);
  // Preflight too: what a provider would refuse is refused now, for the whole deployment (InvalidTemplateDeployment).
  const accepted = await templateWorkers(services).accept(host, { request: req, preflight: true });
  const correlationId = ctx.headers['x-ms-correlation-request-id'] ?? crypto.randomUUID();
  const shown = { templateHash: accepted.templateHash, mode: accepted.mode, parameters: accepted.parameters };
  const resource: ArmResource = { ...candidate, properties: runningProperties(req, shown, correlationId) };
  if (req.location) resource.location = req.location;
  if (ctx.body?.tags) resource.tags = ctx.body.tags;
  // History as ARM keeps it: beyond the limit the oldest deployments of the scope go. Counted from the index; the
  // siblings are read only when some must go (reading every one on each PUT held the event loop for 100 ms once a
  // resource group had a few thousand).
  const scope =
    ctx.parent?.resource.id ??
    (ctx.path.resourceGroup !== undefined ? `/subscriptions/${ctx.path.subscriptionId}/resourceGroups/${ctx.path.resourceGroup}` : `/subscriptions/${ctx.path.subscriptionId}`);
  const others = services.resources.countByParent(scope, DEPLOYMENTS_TYPE_KEY).ofType - (ctx.existing ? 1 : 0);
  const excess = others + 1 - HISTORY_LIMIT;
  const drop =
    excess > 0
      ? services.resources
          .listByParent(scope)
          .filter((r) => r.typeKey === DEPLOYMENTS_TYPE_KEY && r.resource.name.toLowerCase() !== name.toLowerCase())
          .sort((a, b) => String(a.resource.systemData?.createdAt).localeCompare(String(b.resource.systemData?.createdAt)))
          .slice(0, excess)
          .map((s) => s.resource.id)
      : [];
  return {
    resource,
    // The deployment writes as its deployer (RBAC, deny assignments), also when it resumes after a restart.
    internal: {
      request: req,
      secrets: accepted.secrets,
      linkedTemplate: accepted.linkedTemplate,
      correlationId,
      deployer: { tenantId: ctx.principal.tenantId, clientId: ctx.principal.clientId, objectId: ctx.principal.objectId },
    },
    related: drop.length ? { delete: drop } : undefined,
    operation: { kind: ctx.existing ? ('update' as const) : ('create' as const), tasks: [{ id: 'deploy', kind: DEPLOY_TASK, params: {}, durationMs: 0 }] },
  };
}

/** The one task of a deployment's operation: prepare again (so a restart can resume) and execute. */
function registerDeployTask(services: Services): void {
  services.asyncOperations.registerTaskKind(DEPLOY_TASK, {
    async run(_task, op) {
      const stored = services.resources.get(op.resourceId);
      if (!stored) throw Errors.conflictWith('DeploymentNotFound', `The deployment '${op.resourceId}' no longer exists.`);
      const req = stored.internal.request as DeploymentRequest;
      const deployer = (stored.internal.deployer as Principal | undefined) ?? { tenantId: req.scope.tenantId, clientId: 'Microsoft.Resources', objectId: req.scope.deployerObjectId ?? '' };
      const host = hostFor(services, deployer, '', op.id);
      const abort = new AbortController();
      const watch = setInterval(() => op.cancelRequested && abort.abort(), 20);
      const records: DeploymentOperation[] = [];
      live.set(op.id, records);
      try {
        // Prepared again in the worker (so that a restart can resume), then executed; the result comes back scrubbed.
        const result = await templateWorkers(services).deploy(
          host,
          { request: req, adopt: op.resumed ? adoptable(services, op.id) : undefined },
          {
            signal: abort.signal,
            onOperation: (o) => {
              const i = records.findIndex((x) => x.operationId === o.operationId);
              if (i >= 0) records[i] = o;
              else records.push(o);
              // A resource done is progress: restarts in a row no longer count against the deployment.
              if (o.provisioningState !== 'Running') services.asyncOperations.progress(op.id);
            },
          },
        );
        if (result.provisioningState === 'Canceled') throw Errors.conflictWith('DeploymentCanceled', `The deployment '${req.name}' was canceled.`);
        if (result.provisioningState === 'Failed') {
          const e = Errors.refused(result.error?.code ?? 'DeploymentFailed', result.error?.message ?? 'The deployment failed.', undefined, result.error?.details);
          (e as any).result = result;
          op.data = { ...(op.data ?? {}), result: result as unknown as Record<string, unknown> };
          throw e;
        }
        op.data = { ...(op.data ?? {}), result: result as unknown as Record<string, unknown> };
        return { outputs: Object.keys(result.outputs ?? {}).length };
      } finally {
        clearInterval(watch);
        live.delete(op.id);
      }
    },
  });
  services.asyncOperations.registerTaskKind(WHATIF_TASK, {
    async run(task) {
      const req = task.params.request as DeploymentRequest;
      const host = hostFor(services, { tenantId: req.scope.tenantId, clientId: 'Microsoft.Resources', objectId: req.scope.deployerObjectId ?? '' }, '');
      try {
        return await templateWorkers(services).whatIf(host, { request: req, resultFormat: task.params.resultFormat as 'FullResourcePayloads' | undefined });
      } catch (e) {
        return { status: 'Failed', error: validationErrorBody(e).error };
      }
    },
  });
}

/**
 * After a crash, the writes a deployment's operation had started (the operations its PUTs began, newest
 * per resource): the resumed deployment waits for them instead of writing those resources again.
 */
function adoptable(services: Services, deploymentOpId: string): Record<string, AdoptedWrite> {
  const out: Record<string, AdoptedWrite & { startTime: string }> = {};
  for (const o of services.asyncOperations.list()) {
    if (o.initiatedBy !== deploymentOpId || (o.kind !== 'create' && o.kind !== 'update')) continue;
    const k = o.resourceId.toLowerCase();
    if (out[k] && out[k].startTime >= o.startTime) continue;
    out[k] = { operationId: o.id, status: o.status, startTime: o.startTime, ...(o.error ? { error: o.error } : {}) };
  }
  return out;
}

/** Nested deployments are kept as deployments of their own, where they ran. */
function nestedDeployments(result: DeploymentResult): { resource: ArmResource }[] {
  const out: { resource: ArmResource }[] = [];
  for (const o of result.operations ?? []) {
    const n = o.nested;
    if (!n || !o.targetResource?.id) continue;
    out.push({ resource: { id: o.targetResource.id, name: n.name, type: TYPE, properties: { ...deploymentProperties(n), operations: n.operations } } });
    out.push(...nestedDeployments(n));
  }
  return out;
}

function finish(op: OperationRecord, stored: StoredResource | undefined, state: 'Succeeded' | 'Failed' | 'Canceled', error?: unknown): Completion {
  if (!stored) return { resource: undefined };
  if (op.kind === 'delete') return { resource: undefined };
  const s = structuredClone(stored);
  const result = op.data?.result as unknown as DeploymentResult | undefined;
  const props = s.resource.properties ?? {};
  if (result) Object.assign(props, deploymentProperties(result));
  props.provisioningState = state;
  props.timestamp = new Date().toISOString();
  if (result?.duration) props.duration = result.duration;
  else props.duration = isoSince(op.startTime);
  if (state !== 'Succeeded') {
    props.error = result?.error ?? error ?? { code: state === 'Canceled' ? 'DeploymentCanceled' : 'DeploymentFailed', message: `The deployment ${state.toLowerCase()}.` };
    delete props.outputs;
  }
  s.resource.properties = props;
  s.internal = { ...s.internal, operations: result?.operations?.map(({ nested: _n, ...o }) => o) ?? [] };
  delete s.internal.request?.properties?.parameters; // secure values are not kept past the run
  return { resource: s, related: result ? { put: nestedDeployments(result).filter((n) => n.resource.id.toLowerCase() !== s.resource.id.toLowerCase()) } : undefined };
}

function isoSince(start: string): string {
  return `PT${Math.max(0, (Date.now() - Date.parse(start)) / 1000).toFixed(3)}S`;
}

// ---- actions -------------------------------------------------------------------------------------------

async function validateAction(ctx: RequestContext & { existing?: StoredResource }): Promise<{ status: number; body: unknown }> {
  const name = ctx.path.names[ctx.path.names.length - 1];
  const req = requestOf(ctx, name);
  const host = hostFor(ctx.services, ctx.principal, ctx.baseUrl);
  try {
    const v = await templateWorkers(ctx.services).validate(host, { request: req });
    const id = ctx.path.id;
    const body: Record<string, unknown> = {
      id,
      name,
      type: TYPE,
      properties: {
        templateHash: v.templateHash,
        parameters: v.parameters,
        mode: v.mode,
        provisioningState: 'Succeeded',
        timestamp: new Date().toISOString(),
        duration: 'PT0S',
        correlationId: ctx.headers['x-ms-correlation-request-id'] ?? crypto.randomUUID(),
        validatedResources: v.validatedResources,
      },
    };
    if (req.location) body.location = req.location;
    return { status: 200, body };
  } catch (e) {
    const b = validationErrorBody(e);
    return { status: 400, body: b };
  }
}

/** POST .../deployments/{name}/{validate|whatIf|cancel|exportTemplate}: served without the deployment having to exist. */
async function postHandler(ctx: RequestContext) {
  const action = (ctx.path.action ?? '').toLowerCase();
  const id = ctx.path.id;
  const existing = ctx.services.resources.get(id);
  switch (action) {
    case 'validate':
      return validateAction(ctx);
    case 'whatif': {
      const req = requestOf(ctx, ctx.path.names[ctx.path.names.length - 1]);
      // Fail fast on what is wrong with the template itself, as ARM does before accepting.
      await templateWorkers(ctx.services).accept(hostFor(ctx.services, ctx.principal, ctx.baseUrl), { request: req, preflight: false });
      const plan = {
        kind: 'action' as const,
        action: 'whatIf',
        resultTask: 'whatif',
        tasks: [{ id: 'whatif', kind: WHATIF_TASK, params: { request: req, resultFormat: ctx.query.resultFormat ?? ctx.body?.properties?.whatIfSettings?.resultFormat }, durationMs: 0 }],
      };
      // The what-if runs as an operation of its own; its result is served at the Location URL.
      const op = await ctx.services.resourceManager.startDetached(ctx, `${id}/whatIf`, plan);
      const h = lroHeaders(ctx.baseUrl, ctx.services.config.retryAfter, op, true);
      return { status: 202, headers: { Location: h.Location, 'Retry-After': h['Retry-After'] } };
    }
    case 'cancel': {
      if (!existing) throw deploymentNotFound(ctx.path.names[ctx.path.names.length - 1]);
      const op = existing.operationId ? ctx.services.asyncOperations.get(existing.operationId) : undefined;
      if (!op || op.status !== 'InProgress') {
        throw Errors.conflictWith(
          'DeploymentCannotBeCancelled',
          `The deployment '${existing.resource.name}' cannot be cancelled: it is not running (provisioning state '${existing.resource.properties?.provisioningState}').`,
        );
      }
      await ctx.services.asyncOperations.cancel(op.id, `The deployment '${existing.resource.name}' was canceled.`);
      return { status: 204 };
    }
    case 'exporttemplate': {
      if (!existing) throw deploymentNotFound(ctx.path.names[ctx.path.names.length - 1]);
      const req = existing.internal.request as DeploymentRequest | undefined;
      // a linked deployment's template is the one fetched from its link when it was accepted
      const template = req?.properties.template ?? existing.internal.linkedTemplate ?? {};
      return { status: 200, body: { template: redactorFor({ secrets: (existing.internal.secrets as string[]) ?? [] })(template) } };
    }
    default:
      throw Errors.actionNotFound(`deployments/${ctx.path.action}`, NS, ctx.apiVersion);
  }
}

/** ARM's 404 for a deployment that does not exist. */
const deploymentNotFound = (name: string) => Errors.withStatus(404, 'DeploymentNotFound', `Deployment '${name}' could not be found.`);

export function deploymentTypes(apiVersions: string[]): ResourceTypeDefinition[] {
  const deployments: ResourceTypeDefinition = {
    namespace: NS,
    type: 'deployments',
    scope: 'subscription',
    tracked: false,
    apiVersions,
    patch: false,
    nameRule: { pattern: /^[-\w._()]{1,64}$/, message: 'A deployment name is 1-64 letters, digits, and -._() characters.' },
    providerOperations: [
      { name: 'deployments/read', operation: 'Get Deployment', description: 'Gets or lists deployments.' },
      { name: 'deployments/write', operation: 'Create Deployment', description: 'Creates or updates a deployment.' },
      { name: 'deployments/delete', operation: 'Delete Deployment', description: 'Deletes a deployment.' },
      { name: 'deployments/cancel/action', operation: 'Cancel Deployment', description: 'Cancels a deployment.' },
      { name: 'deployments/validate/action', operation: 'Validate Deployment', description: 'Validates a deployment.' },
      { name: 'deployments/whatIf/action', operation: 'Predict Template Changes', description: 'Predicts template deployment changes.' },
      { name: 'deployments/exportTemplate/action', operation: 'Export Template', description: 'Exports the template of a deployment.' },
    ],
    onPut: putDeployment,
    notFound: (path) => deploymentNotFound(path.names[path.names.length - 1]),
    onDelete(ctx) {
      const op = ctx.existing.operationId ? ctx.services.asyncOperations.get(ctx.existing.operationId) : undefined;
      if (op && op.status === 'InProgress') {
        throw Errors.conflictWith('DeploymentActive', `The deployment '${ctx.existing.resource.name}' is running; cancel it or wait for it to finish before deleting it.`);
      }
      return { operation: { kind: 'delete', tasks: [] } };
    },
    handlers: { post: postHandler },
    toWire: deploymentWire,
    onOperationSucceeded: (op, stored) => finish(op, stored, 'Succeeded'),
    onOperationFailed: (op, stored, error) => finish(op, stored, op.cancelRequested ? 'Canceled' : 'Failed', error),
  };
  const operations: ResourceTypeDefinition = {
    namespace: NS,
    type: 'deployments/operations',
    scope: 'subscription',
    tracked: false,
    apiVersions,
    handlers: {
      list(ctx) {
        const dep = findDeployment(ctx);
        return pageOf(
          ctx,
          operationsOf(ctx.services, dep),
          (o) => operationWire(dep.resource.id, o),
          (o) => o.startTime + o.operationId,
        );
      },
      get(ctx) {
        const dep = findDeployment(ctx);
        const want = ctx.path.names[ctx.path.names.length - 1].toLowerCase();
        const o = operationsOf(ctx.services, dep).find((x) => x.operationId.toLowerCase() === want);
        if (!o) throw Errors.notFound(`Deployment operation '${ctx.path.names[ctx.path.names.length - 1]}' could not be found.`);
        return { status: 200, body: operationWire(dep.resource.id, o) };
      },
    },
  };
  // POST /providers/Microsoft.Resources/calculateTemplateHash: the template's minified form and hash.
  const calculateTemplateHash: ResourceTypeDefinition = {
    namespace: NS,
    type: 'calculateTemplateHash',
    scope: 'tenant',
    tracked: false,
    apiVersions,
    providerOperations: [{ name: 'calculateTemplateHash/action', operation: 'Calculate Template Hash', description: 'Calculates the hash of a template.' }],
    handlers: {
      post: async (ctx) => {
        const t = ctx.body;
        if (t === undefined || t === null || typeof t !== 'object' || Array.isArray(t)) {
          throw Errors.invalidRequestContent('The request content must be a template: a JSON object.');
        }
        return { status: 200, body: await templateWorkers(ctx.services).hash(hostFor(ctx.services, ctx.principal, ctx.baseUrl), { template: t }) };
      },
    },
  };
  return [deployments, operations, calculateTemplateHash];
}

function findDeployment(ctx: RequestContext): StoredResource {
  const id = ctx.path.id.replace(/\/operations(\/[^/]*)?$/i, '');
  const dep = ctx.services.resources.get(id);
  if (!dep) throw deploymentNotFound(ctx.path.names[0]);
  return dep;
}

function operationsOf(services: Services, dep: StoredResource): DeploymentOperation[] {
  const running = dep.operationId ? live.get(dep.operationId) : undefined;
  const ops = running ?? (dep.internal.operations as DeploymentOperation[] | undefined) ?? [];
  const secrets = (dep.internal.secrets as string[]) ?? [];
  void services;
  return redactorFor({ secrets })(ops);
}

export function initDeployments(services: Services): void {
  registerDeployTask(services);
}
