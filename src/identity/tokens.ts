// The token service: client-credentials only (service principals; Azure Stack Hub has no managed
// identity), JWTs signed with the emulator's own RSA key, published as JWKS so clients that care
// can verify them. verify() maps each way a bearer token can be wrong to ARM's 401 codes.

import { createPublicKey, generateKeyPairSync, randomUUID, createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { ArmError } from '../arm/errors.js';
import type { EmulatorConfig, ServicePrincipalConfig } from '../config/config.js';
import type { Principal } from '../framework/types.js';

/** Audiences ARM accepts (the classic SDKs ask for '<endpoint>/.default'; loopback origins are accepted too). */
export const ARM_AUDIENCES = [
  'https://management.core.windows.net/',
  'https://management.core.windows.net',
  'https://management.azure.com/',
  'https://management.azure.com',
];

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
  body() {
    return {
      error: this.error,
      error_description: this.description,
      error_codes: [this.error === 'unsupported_grant_type' ? 70003 : this.error === 'invalid_client' ? 7000215 : 900144],
      timestamp: new Date().toISOString().replace('T', ' ').replace(/\..*/, 'Z'),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    };
  }
}

export interface TokenResponse {
  token_type: 'Bearer';
  expires_in: number;
  ext_expires_in: number;
  expires_on: number;
  not_before: number;
  resource: string;
  access_token: string;
}

export class TokenService {
  readonly kid: string;
  private readonly privateKey: string;
  /** Bounded cache of tokens whose signature was verified (insertion order = eviction order). */
  private readonly verified = new Map<string, jwt.JwtPayload>();
  readonly publicKey: string;

  constructor(private readonly config: EmulatorConfig, dataDir: string | null) {
    let keyPem: string | undefined;
    const file = dataDir ? path.join(dataDir, 'token-signing-key.pem') : undefined;
    if (file && existsSync(file)) keyPem = readFileSync(file, 'utf8');
    if (!keyPem) {
      keyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      if (file) {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, keyPem, { mode: 0o600 });
      }
    }
    this.privateKey = keyPem;
    this.publicKey = createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString();
    this.kid = createHash('sha256').update(this.publicKey).digest('base64url').slice(0, 27);
  }

  jwks() {
    const jwk = createPublicKey(this.privateKey).export({ format: 'jwk' }) as Record<string, string>;
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e }] };
  }

  private principal(clientId: string): ServicePrincipalConfig | undefined {
    return this.config.servicePrincipals.find((p) => p.clientId.toLowerCase() === clientId.toLowerCase());
  }

  /** Service principals created at run time (Microsoft Graph): checks a client's secret, gives its tenant. */
  private directory?: (clientId: string, secret: string) => { clientId: string; tenantId: string } | undefined;
  setDirectoryLookup(lookup: (clientId: string, secret: string) => { clientId: string; tenantId: string } | undefined): void {
    this.directory = lookup;
  }
  private authenticateClient(clientId: string, secret: string): { clientId: string; tenantId: string } | undefined {
    const sp = this.principal(clientId);
    if (sp) return safeEqual(sp.clientSecret, secret) ? sp : undefined;
    return this.directory?.(clientId, secret);
  }

  knownTenant(tenant: string): boolean {
    const t = tenant.toLowerCase();
    return t === 'adfs' || t === 'common' || t === 'organizations' || this.config.servicePrincipals.some((p) => p.tenantId.toLowerCase() === t) || this.config.subscriptions.some((s) => s.tenantId.toLowerCase() === t);
  }

  /** The client-credentials grant. `tenant` is the path segment ('adfs' for the ADFS authority). */
  issue(form: Record<string, string>, tenant: string, issuerBase: string): TokenResponse {
    const grant = form.grant_type;
    if (!grant) throw new OAuthError(400, 'invalid_request', "AADSTS900144: The request body must contain the following parameter: 'grant_type'.");
    if (grant !== 'client_credentials') {
      throw new OAuthError(
        400,
        'unsupported_grant_type',
        `AADSTS70003: The grant type '${grant}' is not supported by the ARM emulator. Only service principals are supported: use the client_credentials grant with a client id and secret (az login --service-principal).`,
      );
    }
    if (form.client_assertion || form.client_assertion_type) {
      throw new OAuthError(400, 'invalid_client', 'AADSTS7000215: Certificate credentials are not supported by the ARM emulator; use a client secret.');
    }
    const clientId = form.client_id;
    if (!clientId) throw new OAuthError(400, 'invalid_request', "AADSTS900144: The request body must contain the following parameter: 'client_id'.");
    const sp = this.authenticateClient(clientId, form.client_secret ?? '');
    if (!sp) {
      throw new OAuthError(401, 'invalid_client', `AADSTS7000215: Invalid client secret provided for application '${clientId}'.`);
    }
    const t = tenant.toLowerCase();
    if (t !== 'adfs' && t !== 'common' && t !== 'organizations' && t !== sp.tenantId.toLowerCase()) {
      throw new OAuthError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
    }
    const resource = resourceFromRequest(form);
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.config.tokenLifetime;
    const token = jwt.sign(
      {
        aud: resource,
        iss: `${issuerBase}/${sp.tenantId}/`,
        iat: now,
        nbf: now - 60,
        exp,
        appid: sp.clientId,
        appidacr: '1',
        idtyp: 'app',
        oid: objectIdFor(sp.clientId),
        sub: objectIdFor(sp.clientId),
        tid: sp.tenantId,
        ver: '1.0',
        uti: randomUUID(),
      },
      this.privateKey,
      { algorithm: 'RS256', keyid: this.kid, header: { alg: 'RS256', typ: 'JWT', x5t: this.kid } as any },
    );
    return { token_type: 'Bearer', expires_in: this.config.tokenLifetime, ext_expires_in: this.config.tokenLifetime, expires_on: exp, not_before: now, resource, access_token: token };
  }

  /** Checks an Authorization header; throws ArmError 401 with the code for what is wrong. */
  /** `audience`: which token audiences this surface accepts (default: ARM's); the Graph routes pass the Graph resource. */
  verify(header: string | undefined, authorizationUri: string, subscriptionTenant?: string, audience: (aud: string) => boolean = audienceAccepted): Principal {
    const challenge = (error: string, desc: string) => ({
      'WWW-Authenticate': `Bearer authorization_uri="${authorizationUri}", error="${error}", error_description="${desc.replace(/"/g, "'")}"`,
    });
    const fail = (code: string, message: string, error = 'invalid_token') =>
      new ArmError(401, code, message, { headers: challenge(error, message) });
    if (!header) throw fail('AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", 'invalid_request');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw fail('AuthenticationFailedInvalidHeader', "Authentication failed. The 'Authorization' header is provided in an invalid format.", 'invalid_request');
    const token = m[1];
    // A token verified once need not pay for an RSA check again; its claims are still checked each time.
    let claims = this.verified.get(token);
    if (claims && (claims.exp ?? 0) * 1000 <= Date.now() - 60_000) {
      this.verified.delete(token);
      claims = undefined;
    }
    if (!claims) claims = this.verifySignature(token, fail);
    return this.checkClaims(claims, fail, subscriptionTenant, audience);
  }

  private verifySignature(token: string, fail: (code: string, message: string) => ArmError): jwt.JwtPayload {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload !== 'object') throw fail('InvalidAuthenticationToken', 'The access token is invalid.');
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.publicKey, { algorithms: ['RS256'], clockTolerance: 60 }) as jwt.JwtPayload;
    } catch (e) {
      if (e instanceof jwt.TokenExpiredError) {
        throw fail(
          'ExpiredAuthenticationToken',
          `The access token expiry UTC time '${e.expiredAt.toUTCString()}' is earlier than current UTC time '${new Date().toUTCString()}'.`,
        );
      }
      if (e instanceof jwt.NotBeforeError) throw fail('InvalidAuthenticationToken', 'The access token is not yet valid.');
      throw fail('InvalidAuthenticationTokenSignature', 'The access token has an invalid signature: it was not issued by this ARM emulator.');
    }
    if (this.verified.size >= 1024) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims;
  }

  private checkClaims(claims: jwt.JwtPayload, fail: (code: string, message: string) => ArmError, subscriptionTenant?: string, audience: (aud: string) => boolean = audienceAccepted): Principal {
    const aud = String(claims.aud ?? '');
    if (!audience(aud)) {
      throw fail(
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${aud}'. It should exactly match with one of the allowed audiences '${ARM_AUDIENCES.join("','")}'.`,
      );
    }
    const tid = String(claims.tid ?? '');
    if (subscriptionTenant && tid.toLowerCase() !== subscriptionTenant.toLowerCase()) {
      throw fail(
        'InvalidAuthenticationTokenTenant',
        `The access token is from the wrong issuer '${claims.iss}'. It must match the tenant 'https://sts.windows.net/${subscriptionTenant}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/${subscriptionTenant}' to get the token.`,
      );
    }
    return { tenantId: tid, clientId: String(claims.appid ?? ''), objectId: String(claims.oid ?? '') };
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A stable object id per client id, so systemData and tokens agree across restarts. */
export function objectIdFor(clientId: string): string {
  const h = createHash('sha256').update(`oid:${clientId.toLowerCase()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** v2 sends scope '<resource>/.default' (az sends 'https://x//.default'); v1 sends resource. */
export function resourceFromRequest(form: Record<string, string>): string {
  if (form.resource) return form.resource;
  const scope = (form.scope ?? '').split(/\s+/).find((s) => s.endsWith('/.default')) ?? '';
  if (!scope) return ARM_AUDIENCES[0];
  const r = scope.slice(0, -'.default'.length);
  return r.endsWith('//') ? r.slice(0, -1) : r;
}

export function audienceAccepted(aud: string): boolean {
  if (ARM_AUDIENCES.includes(aud)) return true;
  try {
    const u = new URL(aud);
    // Classic SDK clients ask for '<endpoint>/.default' where the endpoint is this emulator.
    return u.protocol === 'https:' && (u.hostname === 'localhost' || u.hostname.startsWith('127.') || u.hostname === '[::1]');
  } catch {
    return false;
  }
}
