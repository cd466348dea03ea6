// The emulator's own admin API (mounted at /_emulator): readiness, the fabric's state, faults to inject,
// and control over how fast operations complete, for tests and scripts. The front door guards it
// (adminGuard in src/http/app.ts: own Origin only; with auth on, changes need the token of a configured
// service principal or of an Owner of the root scope). Views never carry secrets: operation records are redacted (redactSecrets).

import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { ArmError, Errors } from '../arm/errors.js';
import { StoreConflictError, StoreUnavailableError } from '../store/store.js';
import type { GateRule } from '../arm/asyncOperations.js';
import type { CompletionGate, OperationRecord } from '../arm/asyncOperations.js';
import type { Services } from '../framework/types.js';
import { ARM_AUDIENCES } from '../identity/tokens.js';
import type { Fabric } from '../fabric/fabric.js';
import type { SiteDefinition } from '../fabric/sites.js';
import { eventLoopDelay } from '../framework/eventLoop.js';

type Handler = (req: Request, res: Response) => unknown | Promise<unknown>;

/** An async route whose return value is the JSON answer (errors go on to the ARM error handler). */
export const wrap =
  (fn: Handler) =>
  async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const out = await fn(req, res);
      if (!res.headersSent) res.json(out ?? {});
    } catch (e) {
      next(e);
    }
  };

function badRequest(message: string): ArmError {
  return Errors.invalidRequestContent(message);
}

function parseGate(g: unknown, at: string): CompletionGate {
  if (!g || typeof g !== 'object') throw badRequest(`${at} must be an object {mode, polls?, seconds?}`);
  const { mode, polls, seconds } = g as Record<string, unknown>;
  if (mode === 'immediate') return { mode };
  if (mode === 'polls') {
    if (!Number.isInteger(polls) || (polls as number) < 0) throw badRequest(`${at}.polls must be a whole number >= 0`);
    return { mode, polls: polls as number };
  }
  if (mode === 'time') {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw badRequest(`${at}.seconds must be a number >= 0`);
    return { mode, seconds };
  }
  throw badRequest(`${at}.mode must be 'immediate', 'polls' or 'time'`);
}

/** The 4xx status Express attaches to errors that are the client's (e.g. a path that is not valid percent-encoding). */
function clientErrorStatus(err: unknown): number | undefined {
  const st = (err as any)?.status ?? (err as any)?.statusCode;
  return Number.isInteger(st) && st >= 400 && st < 500 ? st : undefined;
}

export function parseGateRules(body: unknown): GateRule[] {
  const list = Array.isArray(body) ? body : (body as any)?.rules;
  if (!Array.isArray(list)) throw badRequest('expected {"rules": [{"typeKey", "operation", "gate": {"mode", ...}}]}');
  return list.map((r, i) => {
    const at = `rules[${i}]`;
    if (!r || typeof r !== 'object') throw badRequest(`${at} must be an object`);
    const typeKey = r.typeKey ?? '*';
    const operation = r.operation ?? '*';
    if (typeof typeKey !== 'string' || typeof operation !== 'string') throw badRequest(`${at}.typeKey and .operation must be strings ('*' for any)`);
    return { typeKey: typeKey === '*' ? '*' : typeKey.toLowerCase(), operation, gate: parseGate(r.gate, `${at}.gate`) };
  });
}

// Keys whose values are secrets wherever they appear: passwords and keys, tokens, and kubeconfigs (an admin
// kubeconfig carries a client key: the result of listAdminKubeconfig / listClusterAdminCredential).
const SECRET_KEY = /secret|password|passwd|private.?key|access.?token|refresh.?token|credential|kubeconfig|^token$|^keys$|^(primary|secondary)(key|connectionString)$|connectionString|sharedKey/i;

/** A deep copy with the value of every secret-looking key replaced (service-principal secrets, keys, tokens). */
export function redactSecrets<T>(v: T): T {
  if (Array.isArray(v)) return v.map(redactSecrets) as T;
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) && x !== null && x !== undefined && x !== '' ? '[redacted]' : redactSecrets(x);
  return out as T;
}

export function operationSummary(op: OperationRecord) {
  const counts: Record<string, number> = {};
  for (const t of op.tasks) counts[t.state] = (counts[t.state] ?? 0) + 1;
  return {
    id: op.id,
    resourceId: op.resourceId,
    typeKey: op.typeKey,
    kind: op.kind,
    action: op.action,
    status: op.status,
    percentComplete: op.percentComplete,
    startTime: op.startTime,
    endTime: op.endTime,
    error: redactSecrets(op.error),
    tasks: counts,
    gate: op.gate,
    held: op.held === true,
  };
}

/** Adds the fabric and operation routes to the admin router. */
export function mountFabricAdmin(router: Router, services: Services, fabric: Fabric, describe: (site: SiteDefinition) => unknown): void {
  const json = express.json({ limit: '1mb' });

  router.get(
    '/health',
    wrap(async (req) => {
      const sites = fabric.sites();
      return {
        status: 'Healthy',
        time: new Date().toISOString(),
        timeScale: services.config.timeScale,
        sites: sites.length,
        disconnectedSites: sites.filter((s) => !fabric.site(s.name).connected()).map((s) => s.name),
        operationsInProgress: services.asyncOperations.active(),
        // perf_hooks' event-loop delay since start (or the last ?reset=eventLoop): the longest the emulator could not answer.
        eventLoopDelay: eventLoopDelay(req.query.reset === 'eventLoop'),
        // How a page signs in for the changes (with auth on, the guard wants a trusted principal's token).
        auth: services.config.auth,
        tokenEndpoint: '/adfs/oauth2/token',
        audience: ARM_AUDIENCES[2],
      };
    }),
  );

  // ?kind=AzureStackHub&site=local narrows the list (all 20-odd Azure regions are listed otherwise).
  router.get(
    '/fabric',
    wrap((req) => fabric.snapshot({ kind: req.query.kind as string | undefined, site: req.query.site as string | undefined })),
  );
  router.get(
    '/fabric/sites/:site',
    wrap(async (req) => {
      const b = fabric.site(String(req.params.site));
      return { ...(await fabric.snapshot({ site: b.definition.name })).sites[0], capabilities: describe(b.definition) };
    }),
  );
  router.get(
    '/fabric/sites/:site/capabilities',
    wrap((req) => describe(fabric.site(String(req.params.site)).definition)),
  );
  router.get(
    '/fabric/owners',
    wrap((req) => {
      const owner = String(req.query.id ?? '');
      if (!owner) throw badRequest('pass the ARM id of the resource as ?id=');
      const s = fabric.ownerStatus(owner);
      return { ...s, vms: s.vms.map((v) => ({ name: v.name, role: v.role, pool: v.pool, host: v.host, state: v.state, ip: v.ip, joined: v.joined, kubernetesVersion: v.kubernetesVersion })) };
    }),
  );

  const siteView = async (site: string) => (await fabric.snapshot({ site })).sites[0];
  router.post(
    '/fabric/sites/:site/disconnect',
    wrap(async (req) => {
      const name = fabric.site(String(req.params.site)).definition.name;
      await fabric.disconnect(name);
      return siteView(name);
    }),
  );
  router.post(
    '/fabric/sites/:site/connect',
    wrap(async (req) => {
      const name = fabric.site(String(req.params.site)).definition.name;
      await fabric.connect(name);
      return siteView(name);
    }),
  );
  router.post(
    '/fabric/sites/:site/hosts/:host/fail',
    wrap((req) => fabric.failHost(fabric.site(String(req.params.site)).definition.name, String(req.params.host))),
  );
  router.post(
    '/fabric/sites/:site/hosts/:host/recover',
    wrap((req) => fabric.recoverHost(fabric.site(String(req.params.site)).definition.name, String(req.params.host))),
  );

  // ---- time control -------------------------------------------------------------------------------------

  router.get(
    '/operations/gates',
    wrap(() => ({ rules: services.asyncOperations.getGateRules() })),
  );
  router.put(
    '/operations/gates',
    json,
    wrap((req) => {
      const rules = parseGateRules(req.body);
      services.asyncOperations.setGateRules(rules);
      return { rules };
    }),
  );
  router.post(
    '/operations/gates',
    json,
    wrap((req) => {
      const added = parseGateRules(Array.isArray(req.body) || req.body?.rules ? req.body : [req.body]);
      const rules = [...services.asyncOperations.getGateRules(), ...added];
      services.asyncOperations.setGateRules(rules);
      return { rules };
    }),
  );
  router.delete(
    '/operations/gates',
    wrap(() => {
      services.asyncOperations.setGateRules([]);
      return { rules: [] };
    }),
  );
  router.get(
    '/operations/time-scale',
    wrap(() => ({ timeScale: services.config.timeScale })),
  );
  router.put(
    '/operations/time-scale',
    json,
    wrap((req) => {
      const v = req.body?.timeScale;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw badRequest('expected {"timeScale": number >= 0}');
      services.config.timeScale = v;
      services.asyncOperations.setTimeScale(v);
      return { timeScale: v };
    }),
  );
  // The calendar: periods no work shortens (a certificate's lifetime) pass by advancing it.
  const clockView = () => ({ now: new Date(services.clock.now()).toISOString(), offsetSeconds: services.clock.offsetMs() / 1000 });
  router.get(
    '/clock',
    wrap(() => clockView()),
  );
  router.post(
    '/clock/advance',
    json,
    wrap(async (req) => {
      const s = req.body?.seconds ?? (typeof req.body?.days === 'number' ? req.body.days * 86_400 : undefined);
      if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) throw badRequest('expected {"seconds": number >= 0} or {"days": number >= 0}');
      await services.clock.advance(s * 1000);
      await services.asyncOperations.prune(); // records past their retention on the new date go now
      return clockView();
    }),
  );
  router.get(
    '/operations',
    wrap((req) => {
      const status = req.query.status as string | undefined;
      const ops = services.asyncOperations
        .list()
        .filter((o) => !status || o.status.toLowerCase() === status.toLowerCase())
        .sort((a, b) => a.startTime.localeCompare(b.startTime));
      return { value: ops.map(operationSummary) };
    }),
  );
  router.get(
    '/operations/:id',
    wrap((req) => {
      const op = services.asyncOperations.get(String(req.params.id));
      if (!op) throw Errors.withStatus(404, 'NotFound', `Operation '${req.params.id}' was not found.`);
      return redactSecrets(op);
    }),
  );
  router.post(
    '/operations/:id/cancel',
    wrap(async (req) => operationSummary(await services.asyncOperations.cancel(String(req.params.id)))),
  );
  // Hold keeps an operation InProgress (its tasks still run) until released: a moment to look at.
  router.post(
    '/operations/:id/hold',
    wrap(async (req) => operationSummary(await services.asyncOperations.hold(String(req.params.id)))),
  );
  router.post(
    '/operations/:id/release',
    wrap(async (req) => operationSummary(await services.asyncOperations.release(String(req.params.id)))),
  );

  // Errors on these routes answer in ARM's envelope.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e =
      err instanceof ArmError
        ? err
        : err instanceof StoreUnavailableError
          ? Errors.storeUnavailable(err)
          : err instanceof StoreConflictError
            ? Errors.conflictWith('Conflict', `Another request changed the same state at the same time: ${err.message}. Retry the request.`)
            : (err as any)?.type === 'entity.parse.failed'
              ? badRequest(`The request body is not valid JSON: ${(err as Error).message}`)
              : (err as any)?.type === 'entity.too.large'
                ? Errors.requestEntityTooLarge(1024 * 1024)
                : clientErrorStatus(err)
                  ? Errors.withStatus(clientErrorStatus(err)!, 'BadRequest', (err as Error).message)
                  : Errors.withStatus(500, 'InternalServerError', err instanceof Error ? err.message : String(err));
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    if (e.status === 413) res.setHeader('Connection', 'close');
    res.status(e.status).json(e.toBody());
  });
}
