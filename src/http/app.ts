// The Express edge: normalises the URL, stamps request ids, reads bodies with a limit, and hands
// ARM requests to the framework-independent dispatcher. Every error leaves as an ARM envelope.

import express, { type Request, type Response, type NextFunction } from 'express';
import { randomUUID } from 'node:crypto';
import { ArmError, Errors, isArmError } from '../arm/errors.js';
import { readLimited } from '../arm/body.js';
import { handleArm } from './dispatcher.js';
import type { Services } from '../framework/types.js';
import type { TokenService } from '../identity/tokens.js';
import { identityRouter } from '../identity/routes.js';
import { graphRouter, GRAPH_PREFIX } from '../graph/routes.js';
import { mountDashboard } from '../dashboard/routes.js';
import { KUBE_PREFIX } from '../kube/clusters.js';
import { StoreConflictError, StoreUnavailableError } from '../store/store.js';
import { mountFarmAdmin, SNAPSHOT_MAX_BODY_BYTES } from '../farm/routes.js';
import { isRootOwner } from '../authorization/enforce.js';
import { mountFabricAdmin } from '../admin/routes.js';
import { capabilityDocument } from '../kubernetes/capabilities.js';

export function createHttpApp(services: Services, tokens: TokenService): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  const scheme = services.config.tls ? 'https' : 'http';
  // Absolute URLs (Azure-AsyncOperation, Location, cloud metadata, token issuer) come from the configured
  // public URL (--public-url, default the listen URL), never from the client's Host header: a forged Host
  // must not be able to point a poller elsewhere.
  const baseUrlOf = (_req?: Request) => services.config.publicUrl ?? `${scheme}://localhost:${services.config.port}`;

  // az builds '//metadata/endpoints' from a trailing-slash endpoint: collapse repeated slashes.
  app.use((req, res, next) => {
    const q = req.url.indexOf('?');
    const p = q < 0 ? req.url : req.url.slice(0, q);
    if (p.includes('//')) req.url = p.replace(/\/{2,}/g, '/') + (q < 0 ? '' : req.url.slice(q));
    const requestId = randomUUID();
    const correlation = header(req, 'x-ms-correlation-request-id') ?? requestId;
    // providers see the correlation id ARM assigned when the client sent none
    req.headers['x-ms-correlation-request-id'] = correlation;
    res.setHeader('x-ms-request-id', requestId);
    res.setHeader('x-ms-correlation-request-id', correlation);
    res.setHeader('x-ms-routing-request-id', `LOCAL:${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}Z:${requestId}`);
    const clientId = header(req, 'x-ms-client-request-id');
    if (clientId) res.setHeader('x-ms-client-request-id', clientId);
    res.setHeader('Cache-Control', 'no-cache');
    // The request log: one line when the answer has been sent (or the client went away first).
    if (services.log.enabled('info')) {
      const started = process.hrtime.bigint();
      const line = () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const status = res.writableFinished ? String(res.statusCode) : `${res.statusCode} (client gone)`;
        const extra = services.log.enabled('debug') ? ` correlation=${correlation}${clientId ? ` client=${clientId}` : ''}` : '';
        services.log.info('request', `${requestId} ${req.method} ${req.originalUrl} ${status} ${ms.toFixed(1)}ms${extra}`);
      };
      res.once('close', line);
    }
    next();
  });

  // Several instances on one database: memory catches up with every commit made anywhere before a request is
  // served, so reads see writes made through any instance (one query, shared by the requests waiting for it).
  app.use((_req, _res, next) => {
    services.store.sync().then(() => next(), next);
  });

  app.use(identityRouter(tokens, baseUrlOf));
  // The admin API (src/admin; the capabilities it shows per site are the Kubernetes providers' view) and the
  // dashboard page (src/dashboard), both under /_emulator.
  const admin = express.Router();
  if (services.fabric) mountFabricAdmin(admin, services, services.fabric, capabilityDocument);
  mountFarmAdmin(admin, services); // subscriptions per job, resets, snapshots (src/farm)
  mountDashboard(admin, services);
  app.use('/_emulator', adminGuard(services, tokens, baseUrlOf), admin);
  app.use(GRAPH_PREFIX, graphRouter(services, tokens, baseUrlOf)); // Microsoft Graph v1.0 subset (src/graph)
  if (services.kube) {
    app.use(KUBE_PREFIX, services.kube.router()); // the clusters' Kubernetes APIs (src/kube)
    // Root paths ARM never serves, for clients that drop the server URL's path (kubectl get --raw).
    app.use(['/api', '/apis', '/version', '/openapi', '/healthz', '/livez', '/readyz'], services.kube.rootRouter());
  }

  app.use(async (req, res, next) => {
    try {
      const rawBody = await readBody(req, services.config.maxBodyBytes);
      const out = await handleArm(
        {
          method: req.method,
          pathname: req.path,
          query: flatQuery(req.query as Record<string, unknown>),
          headers: req.headers as Record<string, string | undefined>,
          rawBody,
          baseUrl: baseUrlOf(req),
        },
        services,
        services.config.auth ? tokens : null,
      );
      for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
      res.status(out.status);
      if (out.body === undefined || req.method === 'HEAD') res.end();
      else {
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(out.body));
      }
    } catch (e) {
      next(e);
    }
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = isArmError(err) ? err : fromUnknown(err);
    if (!isArmError(err) && !(err instanceof StoreUnavailableError) && !(err instanceof StoreConflictError))
      services.log.error('request', `${res.getHeader('x-ms-request-id')} ${req.method} ${req.url} failed: ${(err as Error)?.stack ?? String(err)}`);
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    if (e.status === 413) res.setHeader('Connection', 'close');
    res.status(e.status);
    if (req.method === 'HEAD') res.end();
    else res.type('application/json').send(JSON.stringify(e.toBody()));
  });
  return app;
}

/** Largest admin request body (the admin API takes small JSON documents). */
export const ADMIN_MAX_BODY_BYTES = 1024 * 1024;

/**
 * In front of the admin API (/_emulator): a browser page must not drive it, so a request whose Origin is not
 * the emulator's own is refused; with auth on, a change (any method but GET/HEAD) needs the bearer token of an
 * identity the emulator trusts with its fabric and clock: a service principal of its configuration, or a
 * principal holding Owner at the root scope '/' (403 AuthorizationFailed, with the reason, for anyone else).
 * Reads stay open (the views mask secrets); bodies over 1 MB get 413.
 */
export function adminGuard(services: Services, tokens: TokenService, baseUrlOf: () => string) {
  const guard = (req: Request, res: Response, next: NextFunction): void => {
    try {
      const origin = header(req, 'origin');
      if (origin !== undefined) {
        const own = new Set([baseUrlOf(), ...tokens.origins()].map((o) => o.toLowerCase().replace(/\/+$/, '')));
        if (!own.has(origin.toLowerCase().replace(/\/+$/, ''))) throw Errors.forbiddenOrigin(origin);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        if (services.config.auth) {
          const p = tokens.verify(header(req, 'authorization'), `${baseUrlOf()}/adfs`);
          if (!tokens.isConfigured(p.clientId, p.tenantId) && !isRootOwner(services, p.objectId)) {
            throw Errors.withStatus(
              403,
              'AuthorizationFailed',
              `The client '${p.clientId}' with object id '${p.objectId}' may not change the emulator through its admin API ('${req.method} /_emulator${req.path}'): ` +
                "changes need a service principal of the emulator's configuration (the well-known one, or --config servicePrincipals) or the Owner role at the root scope '/'.",
            );
          }
        }
        const declared = Number(req.headers['content-length'] ?? NaN);
        const limit = req.path === '/snapshots' ? SNAPSHOT_MAX_BODY_BYTES : ADMIN_MAX_BODY_BYTES;
        if (Number.isFinite(declared) && declared > limit) {
          req.resume();
          throw Errors.requestEntityTooLarge(limit);
        }
      }
      next();
    } catch (e) {
      next(e);
    }
  };
  return guard;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function flatQuery(q: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) out[k] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  return out;
}

function fromUnknown(err: unknown): ArmError {
  if (err instanceof StoreUnavailableError) return Errors.storeUnavailable(err);
  if (err instanceof StoreConflictError) {
    return Errors.anotherOperationInProgress('Operation is not allowed because another request changed the same resource at the same time (through another instance). Retry the request.');
  }
  const type = (err as any)?.type;
  if (type === 'entity.too.large') return Errors.withStatus(413, 'RequestEntityTooLarge', 'The request content is too large.');
  // Express marks the client's own mistakes (e.g. a path segment that is not valid percent-encoding) with a 4xx.
  const st = (err as any)?.status ?? (err as any)?.statusCode;
  if (Number.isInteger(st) && st >= 400 && st < 500) return Errors.withStatus(st, 'BadRequest', `The request is invalid: ${(err as Error).message}.`);
  return Errors.withStatus(500, 'InternalServerError', 'The emulator hit an internal error; see its log.');
}

/** Reads the request body up to `limit` bytes; past it, answers 413 without buffering the rest. */
export function readBody(req: Request, limit: number): Promise<Buffer | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD' || (req.method === 'DELETE' && !req.headers['content-length'])) return Promise.resolve(undefined);
  return readLimited(req, limit, {
    tooLarge: () => Errors.requestEntityTooLarge(limit),
    unreadable: (e) => Errors.invalidRequestContent(`The request body could not be read: ${e.message}`),
  }).then((b) => (b.length ? b : undefined));
}
