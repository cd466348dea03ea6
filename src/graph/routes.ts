// Microsoft Graph v1.0, the part clients use to make service principals: applications (+ addPassword,
// removePassword), servicePrincipals, lookups by appId and $filter, directoryObjects/getByIds.
// Mounted at /graph; /metadata/endpoints publishes '{base}/graph/' as microsoftGraphResourceId.
// Errors use Graph's envelope {"error":{"code","message","innerError"}}.

import express, { type Request, type Response, type NextFunction } from 'express';
import { randomUUID } from 'node:crypto';
import type { Services } from '../framework/types.js';
import type { TokenService } from '../identity/tokens.js';
import { isArmError } from '../arm/errors.js';
import { directoryOf, GraphError, notFound, type GraphApplication, type GraphServicePrincipal } from './directory.js';

export const GRAPH_PREFIX = '/graph';

/** The Graph resource id (token audience) of an emulator reached at `base`. */
export const graphResourceOf = (base: string) => `${base}${GRAPH_PREFIX}/`;

type Filter = (o: Record<string, any>) => boolean;

/** The OData $filter forms az and the SDKs send: eq, startswith, any(x:x eq ...), joined by 'and'. */
export function parseGraphFilter(f: string | undefined): Filter {
  if (!f || !f.trim()) return () => true;
  const parts = f.split(/\s+and\s+/i).map((p) => p.trim());
  const preds: Filter[] = parts.map((p) => {
    let m = /^(\w+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(p);
    if (m) {
      const [, prop, v] = m;
      const val = v.replace(/''/g, "'");
      return (o) => String(o[key(o, prop)] ?? '').toLowerCase() === val.toLowerCase();
    }
    m = /^startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)$/i.exec(p);
    if (m) {
      const [, prop, v] = m;
      const val = v.replace(/''/g, "'").toLowerCase();
      return (o) => String(o[key(o, prop)] ?? '').toLowerCase().startsWith(val);
    }
    m = /^(\w+)\/any\(\s*(\w+)\s*:\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*\)$/i.exec(p);
    if (m) {
      const [, prop, , , v] = m;
      const val = v.replace(/''/g, "'").toLowerCase();
      return (o) => Array.isArray(o[key(o, prop)]) && (o[key(o, prop)] as unknown[]).some((x) => String(x).toLowerCase() === val);
    }
    throw new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${p}' of resource.`);
  });
  return (o) => preds.every((pr) => pr(o));
}

function key(o: Record<string, any>, prop: string): string {
  return Object.keys(o).find((k) => k.toLowerCase() === prop.toLowerCase()) ?? prop;
}

export function applicationWire(a: GraphApplication): Record<string, unknown> {
  return {
    id: a.id,
    deletedDateTime: null,
    appId: a.appId,
    applicationTemplateId: null,
    disabledByMicrosoftStatus: null,
    createdDateTime: a.createdDateTime,
    displayName: a.displayName,
    description: a.description,
    groupMembershipClaims: null,
    identifierUris: a.identifierUris,
    isDeviceOnlyAuthSupported: null,
    isFallbackPublicClient: null,
    notes: null,
    publisherDomain: 'emulator.local',
    serviceManagementReference: null,
    signInAudience: a.signInAudience,
    tags: a.tags,
    tokenEncryptionKeyId: null,
    defaultRedirectUri: null,
    optionalClaims: null,
    addIns: [],
    api: { acceptMappedClaims: null, knownClientApplications: [], requestedAccessTokenVersion: null, oauth2PermissionScopes: [], preAuthorizedApplications: [] },
    appRoles: [],
    info: { logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null },
    keyCredentials: a.keyCredentials,
    parentalControlSettings: { countriesBlockedForMinors: [], legalAgeGroupRule: 'Allow' },
    passwordCredentials: a.passwordCredentials.map(({ secretHash: _s, ...p }) => ({ ...p, secretText: null })),
    publicClient: { redirectUris: [] },
    requiredResourceAccess: [],
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    web: { homePageUrl: null, logoutUrl: null, redirectUris: [], implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false } },
    spa: { redirectUris: [] },
  };
}

export function servicePrincipalWire(s: GraphServicePrincipal): Record<string, unknown> {
  return {
    id: s.id,
    deletedDateTime: null,
    accountEnabled: s.accountEnabled,
    alternativeNames: [],
    appDisplayName: s.displayName,
    appDescription: null,
    appId: s.appId,
    applicationTemplateId: null,
    appOwnerOrganizationId: s.appOwnerOrganizationId,
    appRoleAssignmentRequired: false,
    createdDateTime: s.createdDateTime,
    description: null,
    disabledByMicrosoftStatus: null,
    displayName: s.displayName,
    homepage: null,
    loginUrl: null,
    logoutUrl: null,
    notes: null,
    notificationEmailAddresses: [],
    preferredSingleSignOnMode: null,
    preferredTokenSigningKeyThumbprint: null,
    replyUrls: [],
    servicePrincipalNames: s.servicePrincipalNames,
    servicePrincipalType: 'Application',
    signInAudience: 'AzureADMyOrg',
    tags: s.tags,
    tokenEncryptionKeyId: null,
    info: null,
    samlSingleSignOnSettings: null,
    addIns: [],
    appRoles: [],
    keyCredentials: [],
    oauth2PermissionScopes: [],
    passwordCredentials: [],
    resourceSpecificApplicationPermissions: [],
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
  };
}

export function graphRouter(services: Services, tokens: TokenService, baseUrlOf: (req: Request) => string): express.Router {
  const dir = directoryOf(services);
  tokens.setDirectoryLookup({ authenticate: (clientId, secret) => dir.authenticate(clientId, secret), find: (clientId) => dir.find(clientId) });
  const r = express.Router();
  const ctxUrl = (req: Request, what: string) => `${baseUrlOf(req)}${GRAPH_PREFIX}/v1.0/$metadata#${what}`;

  r.use(express.json({ limit: '1mb' }));
  // Bearer token, as for ARM (tokens minted for the Graph resource).
  r.use((req, _res, next) => {
    if (!services.config.auth) return next();
    const isGraph = (aud: string) => tokens.graphAudienceAccepted(aud);
    try {
      tokens.verify(req.headers.authorization, `${baseUrlOf(req)}/adfs`, undefined, isGraph);
      next();
    } catch (e) {
      if (!isArmError(e)) return next(e);
      const message = e.code === 'InvalidAuthenticationTokenAudience' ? 'Access token validation failure. Invalid audience.' : e.code === 'AuthenticationFailed' ? 'Access token is empty.' : e.message;
      next(new GraphError(401, 'InvalidAuthenticationToken', message));
    }
  });

  const wrap = (fn: (req: Request, res: Response) => unknown) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      await fn(req, res);
    } catch (e) {
      next(e);
    }
  };
  const list = <T>(req: Request, res: Response, items: T[], shape: (t: T) => Record<string, unknown>, what: string) => {
    const f = parseGraphFilter(typeof req.query.$filter === 'string' ? req.query.$filter : undefined);
    const value = items.map(shape).filter(f);
    const top = Number(req.query.$top);
    res.json({ '@odata.context': ctxUrl(req, what), value: Number.isInteger(top) && top > 0 ? value.slice(0, top) : value });
  };
  // '/applications(appId='...')' and '/servicePrincipals(appId='...')' alternate keys
  const ALT = /^\(appId='([^']+)'\)$/i;
  const app = (id: string) => {
    const m = ALT.exec(id);
    const a = m ? dir.applicationByAppId(m[1]) : dir.application(id);
    if (!a) throw notFound(m ? m[1] : id);
    return a;
  };
  const sp = (id: string) => {
    const m = ALT.exec(id);
    const s = m ? dir.servicePrincipalByAppId(m[1]) : dir.servicePrincipal(id);
    if (!s) throw notFound(m ? m[1] : id);
    return s;
  };

  r.get('/v1.0/applications', wrap((req, res) => list(req, res, dir.applications(), applicationWire, 'applications')));
  r.post('/v1.0/applications', wrap(async (req, res) => {
    const a = await dir.createApplication(req.body ?? {});
    res.status(201).json({ '@odata.context': ctxUrl(req, 'applications/$entity'), ...applicationWire(a) });
  }));
  r.get(/^\/v1\.0\/applications(\(appId='[^']+'\))$/i, wrap((req, res) => {
    res.json({ '@odata.context': ctxUrl(req, 'applications/$entity'), ...applicationWire(app(req.params[0])) });
  }));
  r.get('/v1.0/applications/:id', wrap((req, res) => {
    res.json({ '@odata.context': ctxUrl(req, 'applications/$entity'), ...applicationWire(app(String(req.params.id))) });
  }));
  r.patch('/v1.0/applications/:id', wrap(async (req, res) => {
    await dir.updateApplication(app(String(req.params.id)).id, req.body ?? {});
    res.status(204).end();
  }));
  r.delete('/v1.0/applications/:id', wrap(async (req, res) => {
    await dir.deleteApplication(app(String(req.params.id)).id);
    res.status(204).end();
  }));
  r.post('/v1.0/applications/:id/addPassword', wrap(async (req, res) => {
    const pc = await dir.addPassword(app(String(req.params.id)).id, req.body ?? {});
    res.json({ '@odata.context': ctxUrl(req, 'microsoft.graph.passwordCredential'), ...pc });
  }));
  r.post('/v1.0/applications/:id/removePassword', wrap(async (req, res) => {
    await dir.removePassword(app(String(req.params.id)).id, (req.body ?? {}).keyId);
    res.status(204).end();
  }));

  r.get('/v1.0/servicePrincipals', wrap((req, res) => list(req, res, dir.servicePrincipals(), servicePrincipalWire, 'servicePrincipals')));
  r.post('/v1.0/servicePrincipals', wrap(async (req, res) => {
    const s = await dir.createServicePrincipal(req.body ?? {});
    res.status(201).json({ '@odata.context': ctxUrl(req, 'servicePrincipals/$entity'), ...servicePrincipalWire(s) });
  }));
  r.get(/^\/v1\.0\/servicePrincipals(\(appId='[^']+'\))$/i, wrap((req, res) => {
    res.json({ '@odata.context': ctxUrl(req, 'servicePrincipals/$entity'), ...servicePrincipalWire(sp(req.params[0])) });
  }));
  r.get('/v1.0/servicePrincipals/:id', wrap((req, res) => {
    res.json({ '@odata.context': ctxUrl(req, 'servicePrincipals/$entity'), ...servicePrincipalWire(sp(String(req.params.id))) });
  }));
  r.delete('/v1.0/servicePrincipals/:id', wrap(async (req, res) => {
    await dir.deleteServicePrincipal(sp(String(req.params.id)).id);
    res.status(204).end();
  }));

  r.post('/v1.0/directoryObjects/getByIds', wrap((req, res) => {
    const body = req.body ?? {};
    if (!Array.isArray(body.ids)) throw new GraphError(400, 'Request_BadRequest', "A value is required for property 'ids'.");
    const types: string[] | undefined = Array.isArray(body.types) ? body.types.map((t: unknown) => String(t).toLowerCase()) : undefined;
    const value: Record<string, unknown>[] = [];
    if (!types || types.includes('serviceprincipal') || types.includes('directoryobject')) {
      for (const id of body.ids) {
        const s = dir.servicePrincipal(String(id));
        if (s) value.push({ '@odata.type': '#microsoft.graph.servicePrincipal', ...servicePrincipalWire(s) });
      }
    }
    res.json({ '@odata.context': ctxUrl(req, 'directoryObjects'), value });
  }));

  r.get('/v1.0/me', wrap(() => {
    throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  }));
  r.get('/v1.0/organization', wrap((req, res) => {
    res.json({ '@odata.context': ctxUrl(req, 'organization'), value: [{ id: dir.tenantId, displayName: 'ARM Emulator', verifiedDomains: [{ name: 'emulator.local', isDefault: true, isInitial: true, type: 'Managed', capabilities: 'None' }] }] });
  }));

  r.use(wrap((req) => {
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/').filter(Boolean).pop() ?? ''}'.`);
  }));
  r.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e =
      err instanceof GraphError
        ? err
        : (err as any)?.type === 'entity.parse.failed'
          ? new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.')
          : new GraphError(500, 'InternalServerError', 'The emulator hit an internal error; see its log.');
    if (e.status === 500 && !services.config.quiet) console.error('[arm-emulator] graph', req.method, req.url, err);
    res.status(e.status).json({
      error: { code: e.code, message: e.message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': randomUUID(), 'client-request-id': String(req.headers['client-request-id'] ?? req.headers['x-ms-client-request-id'] ?? randomUUID()) } },
    });
  });
  return r;
}
