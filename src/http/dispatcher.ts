// The ARM front door's request pipeline, independent of the HTTP framework and thin: authenticate,
// require an api-version, parse the body, hand the call to the resource manager, and turn
// a long-running operation into ARM's polling headers.

import { Errors } from '../arm/errors.js';
import { parsePath, splitPath } from '../arm/paths.js';
import { parseJsonBody } from '../arm/body.js';
import { parseTolerantJson } from '../arm/tolerantJson.js';
import { findSubscription } from '../framework/registration.js';
import type { Method, Principal, Services } from '../framework/types.js';
import type { TokenService } from '../identity/tokens.js';
import { lroHeaders } from '../lro/urls.js';

export interface ArmRequest {
  method: string;
  pathname: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  rawBody?: Buffer;
  baseUrl: string;
}

export interface ArmResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const METHODS = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'POST']);

export async function handleArm(req: ArmRequest, services: Services, tokens: TokenService | null): Promise<ArmResponse> {
  const method = req.method.toUpperCase();
  const parsed = parsePath(splitPath(req.pathname));

  // Authentication comes first, as at ARM.
  let principal: Principal = { tenantId: services.config.tenantId, clientId: 'anonymous', objectId: '00000000-0000-0000-0000-000000000000' };
  const sub = parsed.subscriptionId ? findSubscription(services, parsed.subscriptionId) : undefined;
  if (tokens) {
    principal = tokens.verify(req.headers.authorization, `${req.baseUrl}/adfs`, sub?.tenantId);
  }

  const apiVersion = req.query['api-version'];
  if (apiVersion === undefined || apiVersion === '') throw Errors.missingApiVersion();
  if (!METHODS.has(method)) throw Errors.methodNotAllowed(method, req.pathname);
  const deployment = /\/providers\/microsoft\.resources\/deployments\//i.test(req.pathname);
  const parse = deployment ? parseTolerantJson : parseJsonBody;
  const body = method === 'PUT' || method === 'PATCH' || method === 'POST' ? parse(req.rawBody) : undefined;

  const out = await services.resourceManager.execute({
    method: method as Method,
    path: req.pathname,
    parsed,
    subscription: sub ?? null,
    apiVersion,
    query: req.query,
    headers: req.headers,
    body,
    principal,
    baseUrl: req.baseUrl,
  });
  const headers = { ...(out.headers ?? {}) };
  if (out.operation) Object.assign(headers, lroHeaders(req.baseUrl, services.config.retryAfter, out.operation, out.location !== false));
  return { status: out.status, headers, body: out.body };
}
