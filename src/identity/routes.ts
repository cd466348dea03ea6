// The login surface real clients use: cloud metadata (az cloud register), OpenID discovery under
// any prefix (MSAL asks /adfs/..., /adfs/adfs/..., /{tenant}/v2.0/...), client-credentials token
// endpoints (ADFS style, AAD v1 and v2), and the signing keys. Only service principals are served.

import express, { type Request, type Response, type NextFunction, type RequestHandler } from 'express';
import { OAuthError, type TokenService } from './tokens.js';
import { metadataEndpoints } from './metadata.js';
import { readLimited } from '../arm/body.js';

const OPENID_RE = /^(.*)\/\.well-known\/openid-configuration$/i;
const TOKEN_RE = /^\/([^/]+)\/oauth2\/(v2\.0\/)?token$/i;
const KEYS_RE = /^\/([^/]+)\/discovery\/(v2\.0\/)?keys$/i;
const DEVICE_RE = /^\/([^/]+)\/oauth2\/(v2\.0\/)?devicecode$/i;
const AUTHORIZE_RE = /^\/([^/]+)\/oauth2\/(v2\.0\/)?authorize$/i;

const FORM_RE = /^\s*application\/x-www-form-urlencoded\s*(?:;\s*charset\s*=\s*"?(utf-?8|us-ascii)"?\s*)?$/i;
/** body-parser's limit on a form's fields (a larger form is refused with 413, as before). */
const FORM_FIELDS = 1000;

/**
 * The token form, read here when it is what every client sends (UTF-8 or ASCII, not compressed): body-parser
 * decodes every body through iconv-lite, whose first use loads every code page it knows (half a megabyte of
 * heap for the life of the process, for the first token). Anything else goes through body-parser as before.
 * A field sent twice becomes an array, as body-parser makes it (the token route refuses it).
 */
function utf8Form(fallback: RequestHandler, limit: number): RequestHandler {
  return (req, res, next) => {
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (!FORM_RE.test(req.headers['content-type'] ?? '') || encoding !== 'identity') return fallback(req, res, next);
    const tooLarge = () => Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' });
    readLimited(req, limit, { tooLarge, unreadable: (e) => Object.assign(e, { status: 400 }) }).then((raw) => {
      const body: Record<string, string | string[]> = Object.create(null);
      let fields = 0;
      for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) {
        if (++fields > FORM_FIELDS) return next(Object.assign(new Error('too many parameters'), { status: 413, type: 'parameters.too.many' }));
        const had = body[k];
        body[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
      }
      req.body = body;
      next();
    }, next);
  };
}

export function identityRouter(tokens: TokenService, baseUrlOf: (req: Request) => string): express.Router {
  const r = express.Router();
  const form = utf8Form(express.urlencoded({ extended: false, limit: '64kb' }), 64 * 1024);

  r.get('/metadata/endpoints', (req, res) => {
    res.json(metadataEndpoints(baseUrlOf(req), String(req.query['api-version'] ?? '')));
  });

  r.get(OPENID_RE, (req, res) => {
    const base = baseUrlOf(req);
    const prefix = OPENID_RE.exec(req.path)![1];
    const first = prefix.split('/').filter(Boolean)[0] ?? 'adfs';
    const adfs = first.toLowerCase() === 'adfs' || prefix === '';
    const v2 = /\/v2\.0$/i.test(prefix);
    const tenant = adfs ? 'adfs' : first;
    const tokenPath = adfs ? '/adfs/oauth2/token' : `/${tenant}/oauth2/${v2 ? 'v2.0/' : ''}token`;
    res.json({
      issuer: adfs ? `${base}/adfs` : `${base}/${tenant}${v2 ? '/v2.0' : '/'}`,
      authorization_endpoint: `${base}/${tenant}/oauth2/${v2 ? 'v2.0/' : ''}authorize`,
      token_endpoint: `${base}${tokenPath}`,
      device_authorization_endpoint: `${base}/${tenant}/oauth2/${v2 ? 'v2.0/' : ''}devicecode`,
      end_session_endpoint: `${base}/${tenant}/oauth2/${v2 ? 'v2.0/' : ''}logout`,
      jwks_uri: `${base}/${tenant}/discovery/${v2 ? 'v2.0/' : ''}keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      response_types_supported: ['token'],
      grant_types_supported: ['client_credentials'],
      scopes_supported: ['openid'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      tenant_region_scope: 'WW',
      cloud_instance_name: 'emulator.local',
    });
  });

  r.get('/common/discovery/instance', (req, res) => {
    const base = baseUrlOf(req);
    const host = new URL(base).host;
    res.json({
      tenant_discovery_endpoint: `${base}/common/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });

  r.get(KEYS_RE, async (_req, res) => {
    await tokens.ready;
    res.json(tokens.jwks());
  });

  r.post(TOKEN_RE, form, async (req, res) => {
    const tenant = TOKEN_RE.exec(req.path)![1];
    await tokens.ready;
    try {
      const body: Record<string, string> = {};
      for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
        // A field sent twice arrives as an array: AAD answers invalid_request, never a server error.
        if (typeof v !== 'string')
          throw new OAuthError(400, 'invalid_request', `AADSTS90014: The request parameter '${k}' must appear once; it was sent ${Array.isArray(v) ? v.length : 'several'} times.`);
        body[k] = v;
      }
      // client_secret_basic: base64(urlencode(id) ':' urlencode(secret)), RFC 6749 2.3.1
      const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
      if (basic && !body.client_id) {
        const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        try {
          body.client_id = decodeURIComponent(colon < 0 ? decoded : decoded.slice(0, colon));
          body.client_secret = decodeURIComponent(colon < 0 ? '' : decoded.slice(colon + 1));
        } catch {
          throw new OAuthError(400, 'invalid_request', 'AADSTS50012: The client credentials in the Authorization header (Basic) are not valid: the client id and secret must be form-urlencoded.');
        }
      }
      if (!tokens.knownTenant(tenant)) throw new OAuthError(400, 'invalid_tenant', `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID.`);
      res.set('Cache-Control', 'no-store').json(tokens.issue(body, tenant, baseUrlOf(req)));
    } catch (e) {
      if (e instanceof OAuthError) res.status(e.status).json(e.body());
      else throw e;
    }
  });

  const refuse = (what: string) => (_req: Request, res: Response) => {
    const e = new OAuthError(
      400,
      'unsupported_grant_type',
      `AADSTS70003: ${what} is not supported by the ARM emulator. Only service principals are supported: sign in with a client id and secret (az login --service-principal -u <appId> -p <secret> --tenant <tenant>).`,
    );
    res.status(400).json(e.body());
  };
  r.post(DEVICE_RE, form, refuse('The device code flow'));
  r.get(AUTHORIZE_RE, refuse('Interactive sign-in'));
  r.all(/^\/metadata\/identity\/oauth2\/token$/i, refuse('Managed identity'));

  r.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((err as any)?.type === 'entity.too.large') {
      res.status(413).json(new OAuthError(413, 'invalid_request', 'The token request is too large.').body());
      return;
    }
    const st = (err as any)?.status ?? (err as any)?.statusCode;
    if ((err as any)?.type === 'entity.parse.failed' || (Number.isInteger(st) && st >= 400 && st < 500)) {
      res.status(400).json(new OAuthError(400, 'invalid_request', 'The token request body could not be parsed.').body());
      return;
    }
    next(err);
  });
  return r;
}
