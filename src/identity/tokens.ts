// The token service: client-credentials only (service principals; Azure Stack Hub has no managed
// identity), JWTs signed with the emulator's own RSA key, published as JWKS so clients that care
// can verify them. verify() maps each way a bearer token can be wrong to ARM's 401 codes.

import { createPrivateKey, createPublicKey, generateKeyPair, randomUUID, createHash, timingSafeEqual, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import fsp from 'node:fs/promises';
import { ArmError, Errors } from '../arm/errors.js';
import type { EmulatorConfig, ServicePrincipalConfig } from '../config/config.js';
import type { Principal } from '../arm/types.js';

/** The claims of a token this service issued (a JSON object; RFC 7519 names). */
export interface JwtPayload {
  [claim: string]: unknown;
  aud?: string | string[];
  iss?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
}

// Tokens are JWTs signed RS256 (RFC 7515 compact form: base64url header.payload.signature, RSASSA-PKCS1-v1_5
// with SHA-256), as Entra ID signs them, made and checked with node:crypto: the jsonwebtoken package (a 93 KB
// chunk, 0.7 MB of heap once loaded, 20 - 40 ms of CPU on the first authenticated request) is left to the
// Kubernetes API's service-account tokens (ES256, src/kube/auth).

/** header.payload.signature, signed RS256 with `key`. */
export function signRs256(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${cryptoSign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** What checkRs256 found wrong with a token. */
export type JwtProblem = { why: 'malformed' } | { why: 'signature' } | { why: 'expired'; expiredAt: Date } | { why: 'notBefore' };

const B64URL = /^[A-Za-z0-9_-]+$/;

function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The claims of `token` when it is a compact JWS whose header says RS256 (no other algorithm is accepted: 'none',
 * HS256 keyed with the public key and the rest are refused) with a valid signature by `key`, and whose `exp` and
 * `nbf` (when present: numbers, seconds) hold at `nowS` within `toleranceS`; else what is wrong.
 */
export function checkRs256(token: string, key: KeyObject, nowS: number, toleranceS: number): { claims: JwtPayload } | JwtProblem {
  const parts = token.split('.');
  // an empty signature (alg 'none') is a token, refused below for its signature
  if (parts.length !== 3 || !B64URL.test(parts[0]) || !B64URL.test(parts[1]) || !(parts[2] === '' || B64URL.test(parts[2]))) return { why: 'malformed' };
  const header = jsonObject(parts[0]);
  const claims = jsonObject(parts[1]);
  if (!header || !claims) return { why: 'malformed' };
  if (header.alg !== 'RS256') return { why: 'signature' };
  let signed = false;
  try {
    signed = cryptoVerify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'));
  } catch {
    // OpenSSL refusing the signature's form is a bad signature too, never a 500
  }
  if (!signed) return { why: 'signature' };
  const { nbf, exp } = claims;
  if ((nbf !== undefined && typeof nbf !== 'number') || (exp !== undefined && typeof exp !== 'number')) return { why: 'malformed' };
  if (typeof nbf === 'number' && nbf > nowS + toleranceS) return { why: 'notBefore' };
  if (typeof exp === 'number' && nowS >= exp + toleranceS) return { why: 'expired', expiredAt: new Date(exp * 1000) };
  return { claims: claims as JwtPayload };
}

/**
 * ARM's well-known resource identifiers. The emulator accepts these and its own origins (the public URL and the
 * listen URL, with or without a trailing slash, see TokenService.setOrigins) as audience, nothing else. What real
 * clients ask for: az 2.45 (default and 2020-09-01-hybrid profiles) asks for the audience the cloud metadata
 * names ('https://management.azure.com/', scope 'https://management.azure.com//.default'); @azure/identity with
 * an ARM SDK client and Python azure-identity ask for '<endpoint>/.default', i.e. the emulator's own origin.
 */
export const ARM_AUDIENCES = ['https://management.core.windows.net/', 'https://management.core.windows.net', 'https://management.azure.com/', 'https://management.azure.com'];

/**
 * The Azure AD server applications of Kubernetes clusters: AKS (AAD-integrated clusters) and Azure Arc
 * (connected clusters). Tokens for them are issued too (what kubelogin asks for), for the clusters' own
 * Kubernetes API; ARM never accepts them.
 */
export const KUBERNETES_AUDIENCES = ['6dae42f8-4368-4678-94ff-3960e28e3630', '6256c85f-0aad-4d50-b960-e6e9b21efe35'];

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
  body() {
    const aadsts = /^AADSTS(\d+)/.exec(this.description);
    return {
      error: this.error,
      error_description: this.description,
      error_codes: [aadsts ? Number(aadsts[1]) : this.error === 'unsupported_grant_type' ? 70003 : this.error === 'invalid_client' ? 7000215 : 900144],
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

interface SigningKey {
  privatePem: string;
  publicPem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
}
/**
 * Keys derived from a PEM, by the PEM (parsing an RSA key and deriving its public half and kid is a few ms): the
 * emulators of one process that take turns with a few keys (a test suite's, an embedder's) derive each once.
 */
const derived = new Map<string, SigningKey>();
const MAX_DERIVED = 16;

export class TokenService {
  private key?: SigningKey;
  /** The key's promise once it is read or its generation started (see ready). */
  private keyPromise?: Promise<void>;
  /** Where a generated key is kept (the data directory's), when it is kept. */
  private readonly keyFile?: string;
  /** Bounded cache of tokens whose signature was verified (insertion order = eviction order). */
  private readonly verified = new Map<string, JwtPayload>();
  /** The emulator's own origins (public URL first), lowercase, no trailing slash. */
  private own: string[] = [];

  /** `signingKey`: a PEM shared by every instance of a farm (kept in the database); otherwise the data dir's file. */
  constructor(
    private readonly config: EmulatorConfig,
    dataDir: string | null,
    signingKey?: string,
  ) {
    const file = dataDir && !signingKey ? path.join(dataDir, 'token-signing-key.pem') : undefined;
    if (config.publicUrl) this.setOrigins([config.publicUrl]);
    if (signingKey) {
      this.useKey(signingKey);
      this.keyPromise = Promise.resolve();
      return;
    }
    if (file && existsSync(file)) {
      const keyPem = readFileSync(file, 'utf8');
      try {
        createPrivateKey(keyPem);
      } catch (e) {
        throw new Error(
          `the token-signing key ${file} is damaged (${(e as Error).message}). Delete it to have a new key generated at the next start (tokens issued with the old key stop working: sign in again, e.g. az login).`,
          { cause: e },
        );
      }
      this.useKey(keyPem);
      this.keyPromise = Promise.resolve();
      return;
    }
    this.keyFile = file;
  }

  /**
   * Settles once the signing key is there: read at once from the data directory (or the farm's database), or
   * generated on a libuv thread, started by the first look at `ready`. RSA-2048 costs 50 - 400 ms of CPU (a
   * random prime search): the command line looks once its banner is out, so a fresh start's CPU to ready does
   * not carry it, and the token route looks (and waits) if a request comes first. Until then no token of this
   * key can exist, so verify() refuses every token and issue() must wait (the token route does).
   */
  get ready(): Promise<void> {
    if (!this.keyPromise) {
      const file = this.keyFile;
      this.keyPromise = newSigningKey().then((keyPem) => {
        if (file) {
          mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
          writeFileDurably(file, keyPem);
        }
        this.useKey(keyPem);
      });
      this.keyPromise.catch(() => undefined); // (awaited by start-up, which reports a failure)
    }
    return this.keyPromise;
  }

  private useKey(privatePem: string): void {
    let key = derived.get(privatePem);
    if (!key) {
      const privateKey = createPrivateKey(privatePem);
      const publicKey = createPublicKey(privateKey);
      const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      key = { privatePem, publicPem, privateKey, publicKey, kid: createHash('sha256').update(publicPem).digest('base64url').slice(0, 27) };
      if (derived.size >= MAX_DERIVED) derived.delete(derived.keys().next().value!);
      derived.set(privatePem, key);
    }
    this.key = key;
  }

  private signingKey(): SigningKey {
    if (!this.key) throw new Error('the token-signing key is not ready yet (await tokens.ready)');
    return this.key;
  }
  /** The signing key's PEM (tests sign tokens of their own with it). */
  private get privateKey(): string {
    return this.signingKey().privatePem;
  }
  get kid(): string {
    return this.signingKey().kid;
  }
  get publicKey(): string {
    return this.signingKey().publicPem;
  }

  /** The emulator's own origins: accepted as token audience and issuer base (set once the server listens). */
  setOrigins(urls: string[]): void {
    this.own = [...new Set(urls.map((u) => u.toLowerCase().replace(/\/+$/, '')))];
  }
  origins(): string[] {
    return this.own;
  }

  /** The origins of the other instances of a farm (one database): their tokens are accepted here too. */
  private peers: () => Iterable<string> = () => [];
  setPeerOrigins(peers: () => Iterable<string>): void {
    this.peers = peers;
  }
  private ownOrPeer(origin: string): boolean {
    if (this.own.includes(origin)) return true;
    for (const p of this.peers()) if (p === origin) return true;
    return false;
  }

  /** ARM's resource identifiers and the emulator's own origins, with or without a trailing slash. */
  audienceAccepted(aud: unknown): boolean {
    if (typeof aud !== 'string') return false;
    if (ARM_AUDIENCES.includes(aud)) return true;
    return this.ownOrPeer(aud.toLowerCase().replace(/\/$/, ''));
  }

  jwks() {
    const jwk = createPublicKey(this.signingKey().privatePem).export({ format: 'jwk' }) as Record<string, string>;
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e }] };
  }

  private principal(clientId: string): ServicePrincipalConfig | undefined {
    return this.config.servicePrincipals.find((p) => p.clientId.toLowerCase() === clientId.toLowerCase());
  }

  /** Is this a service principal of the emulator's configuration (of that tenant)? The admin API trusts these. */
  isConfigured(clientId: string, tenantId: string): boolean {
    const sp = this.principal(clientId);
    return !!sp && sp.tenantId.toLowerCase() === tenantId.toLowerCase();
  }

  /** Service principals created at run time (Microsoft Graph): checks a client's secret, gives its tenant. */
  private directory?: DirectoryLookup;
  setDirectoryLookup(lookup: DirectoryLookup): void {
    this.directory = lookup;
  }
  private authenticateClient(clientId: string, secret: string): { clientId: string; tenantId: string } | undefined {
    const sp = this.principal(clientId);
    if (sp) return safeEqual(sp.clientSecret, secret) ? sp : undefined;
    return this.directory?.authenticate(clientId, secret);
  }
  /** A configured service principal or one created through Graph. */
  private knownClient(clientId: string): { clientId: string; tenantId: string } | undefined {
    return this.principal(clientId) ?? this.directory?.find(clientId);
  }

  /** The Graph resource of this emulator ({origin}/graph/, what the cloud metadata publishes); nothing foreign. */
  graphAudienceAccepted(aud: unknown): boolean {
    if (typeof aud !== 'string') return false;
    const a = aud.toLowerCase().replace(/\/+$/, '');
    return this.own.some((o) => a === `${o}/graph`);
  }

  knownTenant(tenant: string): boolean {
    const t = tenant.toLowerCase();
    return (
      t === 'adfs' ||
      t === 'common' ||
      t === 'organizations' ||
      this.config.servicePrincipals.some((p) => p.tenantId.toLowerCase() === t) ||
      this.config.subscriptions.some((s) => s.tenantId.toLowerCase() === t)
    );
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
    if (this.directory?.disabled?.(clientId)) {
      throw new OAuthError(400, 'unauthorized_client', `AADSTS7000112: Application '${clientId}' is disabled.`);
    }
    const sp = this.authenticateClient(clientId, form.client_secret ?? '');
    if (!sp) {
      throw new OAuthError(401, 'invalid_client', `AADSTS7000215: Invalid client secret provided for application '${clientId}'.`);
    }
    const t = tenant.toLowerCase();
    if (t !== 'adfs' && t !== 'common' && t !== 'organizations' && t !== sp.tenantId.toLowerCase()) {
      throw new OAuthError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
    }
    const resource = resourceFromRequest(form);
    if (!this.audienceAccepted(resource) && !this.graphAudienceAccepted(resource) && !KUBERNETES_AUDIENCES.includes(resource.replace(/\/+$/, ''))) {
      throw new OAuthError(
        400,
        'invalid_resource',
        `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant. (The ARM emulator issues tokens for ARM only: ${[...ARM_AUDIENCES.filter((a) => a.endsWith('/')), ...this.own.map((o) => `${o}/`)].join(', ')}.)`,
      );
    }
    return this.sign(sp, resource, issuerBase, this.config.tokenLifetime);
  }

  /**
   * A token of a known service principal for another audience, issued without its secret: what the
   * emulator hands a caller of listClusterUserCredential for an Azure AD cluster (the token kubelogin
   * would get for it). Throws for an unknown principal.
   */
  issueFor(clientId: string, audience: string, lifetime = this.config.tokenLifetime): TokenResponse {
    const sp = this.knownClient(clientId);
    if (!sp) throw new OAuthError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found.`);
    return this.sign(sp, audience, this.own[0] ?? this.config.publicUrl ?? '', lifetime);
  }

  private sign(sp: { clientId: string; tenantId: string }, resource: string, issuerBase: string, lifetime: number): TokenResponse {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + lifetime;
    const key = this.signingKey();
    const token = signRs256(
      // the header's fields in the order jsonwebtoken wrote them before
      { alg: 'RS256', typ: 'JWT', kid: key.kid, x5t: key.kid },
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
      key.privateKey,
    );
    return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, expires_on: exp, not_before: now, resource, access_token: token };
  }

  /** Checks an Authorization header; throws ArmError 401 with the code for what is wrong. */
  /** `audience`: which token audiences this surface accepts (default: ARM's); the Graph routes pass the Graph resource. */
  verify(header: string | undefined, authorizationUri: string, subscriptionTenant?: string, audience: (aud: string) => boolean = (x) => this.audienceAccepted(x)): Principal {
    const challenge = (error: string, desc: string) => ({
      'WWW-Authenticate': `Bearer authorization_uri="${authorizationUri}", error="${error}", error_description="${desc.replace(/"/g, "'")}"`,
    });
    const fail = (code: string, message: string, error = 'invalid_token') => Errors.unauthorized(code, message, challenge(error, message));
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

  private verifySignature(token: string, fail: (code: string, message: string) => ArmError): JwtPayload {
    if (!this.key) throw fail('InvalidAuthenticationTokenSignature', 'The access token has an invalid signature: it was not issued by this ARM emulator.');
    const checked = checkRs256(token, this.key.publicKey, Math.floor(Date.now() / 1000), 60);
    if (!('claims' in checked)) {
      if (checked.why === 'malformed') throw fail('InvalidAuthenticationToken', 'The access token is invalid.');
      if (checked.why === 'expired') {
        throw fail('ExpiredAuthenticationToken', `The access token expiry UTC time '${checked.expiredAt.toUTCString()}' is earlier than current UTC time '${new Date().toUTCString()}'.`);
      }
      if (checked.why === 'notBefore') throw fail('InvalidAuthenticationToken', 'The access token is not yet valid.');
      throw fail('InvalidAuthenticationTokenSignature', 'The access token has an invalid signature: it was not issued by this ARM emulator.');
    }
    const claims = checked.claims;
    if (this.verified.size >= 1024) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims;
  }

  private checkClaims(
    claims: JwtPayload,
    fail: (code: string, message: string) => ArmError,
    subscriptionTenant?: string,
    audience: (aud: string) => boolean = (x) => this.audienceAccepted(x),
  ): Principal {
    const aud = claims.aud;
    if (typeof aud !== 'string' || !audience(aud)) {
      throw fail(
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${Array.isArray(aud) ? aud.join(',') : String(aud ?? '')}'. It should exactly match with one of the allowed audiences '${[...ARM_AUDIENCES, ...this.own.map((o) => `${o}/`)].join("','")}'.`,
      );
    }
    const tid = typeof claims.tid === 'string' ? claims.tid : '';
    if (subscriptionTenant && tid.toLowerCase() !== subscriptionTenant.toLowerCase()) {
      throw fail(
        'InvalidAuthenticationTokenTenant',
        `The access token is from the wrong issuer '${claims.iss}'. It must match the tenant 'https://sts.windows.net/${subscriptionTenant}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/${subscriptionTenant}' to get the token.`,
      );
    }
    if (typeof claims.exp !== 'number') throw fail('InvalidAuthenticationToken', "The access token has no expiry time ('exp' claim); it was not issued by this ARM emulator's token endpoint.");
    const appid = typeof claims.appid === 'string' ? claims.appid : '';
    const sp = this.knownClient(appid);
    if (!sp || sp.tenantId.toLowerCase() !== tid.toLowerCase()) {
      throw fail('InvalidAuthenticationToken', `The access token names an application ('appid' '${appid}') that is not a service principal of tenant '${tid}' on this ARM emulator.`);
    }
    const iss = typeof claims.iss === 'string' ? claims.iss.toLowerCase() : '';
    const issOrigin = iss.endsWith(`/${tid.toLowerCase()}/`) ? iss.slice(0, -(tid.length + 2)) : '';
    if (!issOrigin || !this.ownOrPeer(issOrigin)) {
      throw fail('InvalidAuthenticationToken', `The access token is from the wrong issuer '${String(claims.iss)}'. It must be issued by this ARM emulator ('${this.own[0] ?? ''}/${tid}/').`);
    }
    return { tenantId: tid, clientId: String(claims.appid ?? ''), objectId: String(claims.oid ?? '') };
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Service principals created at run time (Microsoft Graph): sign-in by secret, and lookup by client id. */
export interface DirectoryLookup {
  authenticate(clientId: string, secret: string): { clientId: string; tenantId: string } | undefined;
  find(clientId: string): { clientId: string; tenantId: string } | undefined;
  /** A principal whose service principal is disabled (accountEnabled false): no sign-in, no token accepted. */
  disabled?(clientId: string): boolean;
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

/** Writes a file 0600 through a temp file: fsynced, renamed into place, directory fsynced. */
/** writeFileDurably with the writes and syncs on libuv's threads (the same steps, in the same order). */
export async function writeFileDurablyAsync(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await fsp.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
  try {
    const d = await fsp.open(path.dirname(file), 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // a folder that cannot be opened or synced (some file systems): the rename stands
  }
}

export function writeFileDurably(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  try {
    const d = openSync(path.dirname(file), 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    // a directory that cannot be fsynced: the rename is still atomic
  }
}

/** New RSA signing key (PKCS#8 PEM). */
export function newSigningKey(): Promise<string> {
  return new Promise<string>((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }, (e, _pub, priv) =>
      e ? reject(e) : resolve(priv),
    ),
  );
}
