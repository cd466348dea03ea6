// Microsoft Graph v1.0, the part clients use to make service principals: applications (+ addPassword,
// removePassword, owners), servicePrincipals (+ owners, ownedObjects), lookups by appId and $filter,
// directoryObjects/getByIds, and directory roles (roleManagement/directory). Every call is decided by the
// directory with the caller's identity (directory.ts: owners and directory roles, else 403).
// Mounted at /graph; /metadata/endpoints publishes '{base}/graph/' as microsoftGraphResourceId.
// Errors use Graph's envelope {"error":{"code","message","innerError"}}.

import express, { type Request, type Response, type NextFunction } from 'express';
import { randomUUID } from 'node:crypto';
import type { Services } from '../framework/types.js';
import type { TokenService } from '../identity/tokens.js';
import { isArmError } from '../arm/errors.js';
import { StoreUnavailableError } from '../store/store.js';
import { directoryOf, GraphError, notFound, type Caller, type DirectoryRoleAssignment, type GraphApplication, type GraphServicePrincipal } from './directory.js';
import { roleDefinitionWire } from './roles.js';

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
      return (o) =>
        String(o[key(o, prop)] ?? '')
          .toLowerCase()
          .startsWith(val);
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

export function roleAssignmentWire(a: DirectoryRoleAssignment): Record<string, unknown> {
  return { id: a.id, principalId: a.principalId, roleDefinitionId: a.roleDefinitionId, directoryScopeId: a.directoryScopeId, appScopeId: null, condition: null };
}

export function graphRouter(services: Services, tokens: TokenService, baseUrlOf: (req: Request) => string): express.Router {
  const dir = directoryOf(services);
  tokens.setDirectoryLookup({ authenticate: (clientId, secret) => dir.authenticate(clientId, secret), find: (clientId) => dir.find(clientId), disabled: (clientId) => dir.disabled(clientId) });
  const r = express.Router();
  const ctxUrl = (req: Request, what: string) => `${baseUrlOf(req)}${GRAPH_PREFIX}/v1.0/$metadata#${what}`;
  /** Who calls (set by the token check below); null with --no-auth. */
  const callers = new WeakMap<Request, Caller>();
  const caller = (req: Request): Caller => callers.get(req) ?? null;

  r.use(express.json({ limit: '1mb' }));
  // Bearer token, as for ARM (tokens minted for the Graph resource).
  const authenticate = (req: Request, res: Response, next: NextFunction): void => {
    if (!services.config.auth) return next();
    const isGraph = (aud: string) => tokens.graphAudienceAccepted(aud);
    try {
      const p = tokens.verify(req.headers.authorization, `${baseUrlOf(req)}/adfs`, undefined, isGraph);
      callers.set(req, { objectId: p.objectId, clientId: p.clientId });
      next();
    } catch (e) {
      if (!isArmError(e)) return next(e);
      const message = e.code === 'InvalidAuthenticationTokenAudience' ? 'Access token validation failure. Invalid audience.' : e.code === 'AuthenticationFailed' ? 'Access token is empty.' : e.message;
      next(new GraphError(401, 'InvalidAuthenticationToken', message));
    }
  };
  r.use(authenticate);

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
  const body = (req: Request): Record<string, any> => {
    const b = req.body;
    if (b === undefined || b === null || (typeof b === 'object' && !Array.isArray(b))) return b ?? {};
    throw new GraphError(400, 'BadRequest', 'The request body must be a JSON object.');
  };
  // '/applications/{id}' or the alternate key '/applications(appId='...')' (the same for servicePrincipals),
  // then what follows; the groups are (id, appId, owner?).
  const at = (collection: string, rest = '') => new RegExp(`^/v1\\.0/${collection}(?:/([^/()]+)|\\(appId='([^'/]+)'\\))${rest}/?$`, 'i');
  /** The addressed object's key and whether it is an appId. */
  const target = (req: Request): [string, boolean] => (req.params[1] !== undefined ? [String(req.params[1]), true] : [String(req.params[0]), false]);
  const principal = (s: GraphServicePrincipal) => ({ '@odata.type': '#microsoft.graph.servicePrincipal', ...servicePrincipalWire(s) });
  /** '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/{id}' (any host): the object id. */
  const refId = (req: Request): string => {
    const ref = body(req)['@odata.id'];
    const m = typeof ref === 'string' ? (/\/directoryObjects\/([^/?#]+)\/?$/i.exec(ref) ?? /\/servicePrincipals\/([^/?#]+)\/?$/i.exec(ref)) : null;
    if (!m) throw new GraphError(400, 'Request_BadRequest', 'The request body must name the owner as {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}.');
    try {
      return decodeURIComponent(m[1]);
    } catch {
      throw new GraphError(400, 'Request_BadRequest', `Invalid object identifier '${m[1]}'.`);
    }
  };

  /** GET, POST and DELETE .../owners of an application or a service principal (`key`: its object id from either key). */
  const ownerRoutes = (kind: 'applications' | 'servicePrincipals', path: (rest?: string) => RegExp, key: (id: string, byAltKey: boolean) => string) => {
    r.get(
      path('/owners'),
      wrap((req, res) => {
        const [id, alt] = target(req);
        res.json({ '@odata.context': ctxUrl(req, 'directoryObjects'), value: dir.owners(caller(req), kind, key(id, alt)).map(principal) });
      }),
    );
    r.post(
      path('/owners/\\$ref'),
      wrap(async (req, res) => {
        const [id, alt] = target(req);
        await dir.addOwner(caller(req), kind, key(id, alt), refId(req));
        res.status(204).end();
      }),
    );
    r.delete(
      path('/owners/([^/]+)/\\$ref'),
      wrap(async (req, res) => {
        const [id, alt] = target(req);
        await dir.removeOwner(caller(req), kind, key(id, alt), String(req.params[2]));
        res.status(204).end();
      }),
    );
  };

  /**
   * The routes every directory entity collection has: list and create (201) at /v1.0/{collection}; read, update
   * (PATCH, 204) and delete (204) at one object, by id or by appId. Returns the object path for further routes.
   */
  function entityRoutes<T>(
    collection: string,
    wire: (o: T) => Record<string, unknown>,
    ops: {
      list: (c: Caller) => T[];
      create: (c: Caller, b: Record<string, any>) => Promise<T>;
      read: (c: Caller, id: string, byAppId: boolean) => T;
      update: (c: Caller, id: string, byAppId: boolean, b: Record<string, any>) => Promise<void>;
      remove: (c: Caller, id: string, byAppId: boolean) => Promise<void>;
    },
  ): (rest?: string) => RegExp {
    r.get(
      `/v1.0/${collection}`,
      wrap((req, res) => list(req, res, ops.list(caller(req)), wire, collection)),
    );
    r.post(
      `/v1.0/${collection}`,
      wrap(async (req, res) => {
        const o = await ops.create(caller(req), body(req));
        res.status(201).json({ '@odata.context': ctxUrl(req, `${collection}/$entity`), ...wire(o) });
      }),
    );
    const path = (rest = '') => at(collection, rest);
    r.get(
      path(),
      wrap((req, res) => {
        const [id, alt] = target(req);
        res.json({ '@odata.context': ctxUrl(req, `${collection}/$entity`), ...wire(ops.read(caller(req), id, alt)) });
      }),
    );
    r.patch(
      path(),
      wrap(async (req, res) => {
        const [id, alt] = target(req);
        await ops.update(caller(req), id, alt, body(req));
        res.status(204).end();
      }),
    );
    r.delete(
      path(),
      wrap(async (req, res) => {
        const [id, alt] = target(req);
        await ops.remove(caller(req), id, alt);
        res.status(204).end();
      }),
    );
    return path;
  }

  // ---- applications ----
  {
    const path = entityRoutes('applications', applicationWire, {
      list: (c) => dir.listApplications(c),
      create: (c, b) => dir.createApplication(c, b),
      read: (c, id, alt) => dir.readApplication(c, id, alt),
      update: (c, id, alt, b) => dir.updateApplication(c, appKey(id, alt), b),
      remove: (c, id, alt) => dir.deleteApplication(c, appKey(id, alt)),
    });
    r.post(
      path('/addPassword'),
      wrap(async (req, res) => {
        const [id, alt] = target(req);
        const pc = await dir.addPassword(caller(req), appKey(id, alt), body(req));
        res.json({ '@odata.context': ctxUrl(req, 'microsoft.graph.passwordCredential'), ...pc });
      }),
    );
    r.post(
      path('/removePassword'),
      wrap(async (req, res) => {
        const [id, alt] = target(req);
        await dir.removePassword(caller(req), appKey(id, alt), body(req).keyId);
        res.status(204).end();
      }),
    );
    ownerRoutes('applications', path, appKey);
  }
  /** An application's object id from either key (the alternate key is resolved only to find the object). */
  function appKey(id: string, byAppId: boolean): string {
    return byAppId ? (dir.applicationByAppId(id)?.id ?? id) : id;
  }

  // ---- service principals ----
  {
    const path = entityRoutes('servicePrincipals', servicePrincipalWire, {
      list: (c) => dir.listServicePrincipals(c),
      create: (c, b) => dir.createServicePrincipal(c, b),
      read: (c, id, alt) => dir.readServicePrincipal(c, id, alt),
      update: (c, id, alt, b) => dir.updateServicePrincipal(c, id, b, alt),
      remove: (c, id, alt) => dir.deleteServicePrincipal(c, id, alt),
    });
    ownerRoutes('servicePrincipals', path, spKey);
    r.get(
      path('/ownedObjects'),
      wrap((req, res) => {
        const [id, alt] = target(req);
        const value = dir
          .ownedObjects(caller(req), spKey(id, alt))
          .map((o) => ('passwordCredentials' in o ? { '@odata.type': '#microsoft.graph.application', ...applicationWire(o) } : principal(o as GraphServicePrincipal)));
        res.json({ '@odata.context': ctxUrl(req, 'directoryObjects'), value });
      }),
    );
  }
  function spKey(id: string, byAppId: boolean): string {
    return byAppId ? (dir.servicePrincipalByAppId(id)?.id ?? id) : id;
  }

  r.post(
    '/v1.0/directoryObjects/getByIds',
    wrap((req, res) => {
      const b = body(req);
      if (!Array.isArray(b.ids)) throw new GraphError(400, 'Request_BadRequest', "A value is required for property 'ids'.");
      const types: string[] | undefined = Array.isArray(b.types) ? b.types.map((t: unknown) => String(t).toLowerCase()) : undefined;
      const found = dir.getByIds(caller(req), b.ids.map(String));
      const value = !types || types.includes('serviceprincipal') || types.includes('directoryobject') ? found.map(principal) : [];
      res.json({ '@odata.context': ctxUrl(req, 'directoryObjects'), value });
    }),
  );

  // ---- directory roles (roleManagement/directory) ----
  const RM = '/v1.0/roleManagement/directory';
  r.get(
    `${RM}/roleDefinitions`,
    wrap((req, res) => list(req, res, dir.roleDefinitions(caller(req)), roleDefinitionWire, 'roleManagement/directory/roleDefinitions')),
  );
  r.get(
    `${RM}/roleDefinitions/:id`,
    wrap((req, res) => {
      const d = dir.roleDefinitions(caller(req)).find((x) => x.id === String(req.params.id).toLowerCase());
      if (!d) throw notFound(String(req.params.id));
      res.json({ '@odata.context': ctxUrl(req, 'roleManagement/directory/roleDefinitions/$entity'), ...roleDefinitionWire(d) });
    }),
  );
  r.get(
    `${RM}/roleAssignments`,
    wrap((req, res) => list(req, res, dir.roleAssignments(caller(req)), roleAssignmentWire, 'roleManagement/directory/roleAssignments')),
  );
  r.post(
    `${RM}/roleAssignments`,
    wrap(async (req, res) => {
      const a = await dir.assignRole(caller(req), body(req));
      res.status(201).json({ '@odata.context': ctxUrl(req, 'roleManagement/directory/roleAssignments/$entity'), ...roleAssignmentWire(a) });
    }),
  );
  r.get(
    `${RM}/roleAssignments/:id`,
    wrap((req, res) => {
      res.json({ '@odata.context': ctxUrl(req, 'roleManagement/directory/roleAssignments/$entity'), ...roleAssignmentWire(dir.roleAssignment(caller(req), String(req.params.id))) });
    }),
  );
  r.delete(
    `${RM}/roleAssignments/:id`,
    wrap(async (req, res) => {
      await dir.removeRoleAssignment(caller(req), String(req.params.id));
      res.status(204).end();
    }),
  );

  r.get(
    '/v1.0/me',
    wrap(() => {
      throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    }),
  );
  r.get(
    '/v1.0/organization',
    wrap((req, res) => {
      dir.readOrganization(caller(req));
      res.json({
        '@odata.context': ctxUrl(req, 'organization'),
        value: [{ id: dir.tenantId, displayName: 'ARM Emulator', verifiedDomains: [{ name: 'emulator.local', isDefault: true, isInitial: true, type: 'Managed', capabilities: 'None' }] }],
      });
    }),
  );

  r.use(
    wrap((req) => {
      throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/').filter(Boolean).pop() ?? ''}'.`);
    }),
  );
  r.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const type = (err as any)?.type;
    const status = (err as any)?.status ?? (err as any)?.statusCode;
    const e =
      err instanceof GraphError
        ? err
        : err instanceof StoreUnavailableError
          ? new GraphError(503, 'ServiceUnavailable', err.message)
          : type === 'entity.parse.failed'
            ? new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.')
            : type === 'entity.too.large'
              ? new GraphError(413, 'Request_EntityTooLarge', 'The request is larger than the 1 MB Graph accepts.')
              : Number.isInteger(status) && status >= 400 && status < 500
                ? new GraphError(status, 'BadRequest', `The request is invalid: ${(err as Error).message}.`)
                : new GraphError(500, 'InternalServerError', 'The emulator hit an internal error; see its log.');
    if (e.status === 500) services.log.error('request', `${res.getHeader('x-ms-request-id')} ${req.method} ${req.url} failed (Graph): ${(err as Error)?.stack ?? String(err)}`);
    if (err instanceof StoreUnavailableError) res.setHeader('Retry-After', String(err.retryAfter));
    res.status(e.status).json({
      error: {
        code: e.code,
        message: e.message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d+Z$/, ''),
          'request-id': randomUUID(),
          'client-request-id': String(req.headers['client-request-id'] ?? req.headers['x-ms-client-request-id'] ?? randomUUID()),
        },
      },
    });
  });
  return r;
}
