// The client side of ARM, as az and the SDKs do it: a client-credentials token from the emulator's token
// endpoint, JSON requests with a bearer token, errors from ARM's envelope, and long-running operations
// followed through Azure-AsyncOperation (or Location) with the Retry-After the service sends.

import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { CliError } from './args.js';
import type { Target } from './endpoint.js';

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json?: any;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string;
  ca?: string;
  timeoutMs?: number;
}

/** One HTTP(S) request; resolves with whatever status came back, rejects only when nothing did. */
export function request(method: string, url: string, opts: RequestOptions = {}): Promise<Response> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method,
        headers: { ...(opts.body !== undefined ? { 'content-length': Buffer.byteLength(opts.body).toString() } : {}), ...opts.headers },
        ...(opts.ca && u.protocol === 'https:' ? { ca: readFileSync(opts.ca) } : {}),
        timeout: opts.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${u.origin} in ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s`)));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** What a failed request says, az's way: `(Code) Message`. */
export function errorText(r: Response): string {
  const e = r.json?.error;
  if (e && typeof e === 'object') return `(${e.code ?? r.status}) ${e.message ?? ''}`.trim() + (e.target ? `\nTarget: ${e.target}` : '');
  if (r.json?.error_description) return `(${r.json.error}) ${r.json.error_description}`;
  return `(HTTP ${r.status}) ${r.text.slice(0, 500)}`;
}

export interface CallOptions {
  /** Return once the service accepted a long-running request (az's --no-wait). */
  noWait?: boolean;
  log?: (line: string) => void;
}

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'cancelled']);

export class ArmClient {
  private token?: { value: string; expiresAt: number };

  constructor(readonly target: Target) {}

  get subscriptionId(): string {
    return this.target.subscriptionId;
  }

  /** A token for the emulator's own audience ({url}/.default), as the SDKs ask for one. */
  async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 60_000) return this.token.value;
    const { url, tenantId, clientId, clientSecret } = this.target;
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `${url}/.default` }).toString();
    const r = await this.send('POST', `${url}/${tenantId}/oauth2/v2.0/token`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    if (r.status !== 200 || !r.json?.access_token) throw new CliError(`could not sign in as ${clientId}: ${errorText(r)}`);
    this.token = { value: r.json.access_token, expiresAt: Date.now() + Number(r.json.expires_in ?? 3600) * 1000 };
    return this.token.value;
  }

  private async send(method: string, url: string, opts: RequestOptions): Promise<Response> {
    try {
      try {
        return await request(method, url, { ...opts, ca: this.target.ca });
      } catch (e) {
        // a guessed CA file that is not this emulator's: Node's own trust (NODE_EXTRA_CA_CERTS) may still know it
        if (!this.target.ca || !isTlsTrustError(e)) throw e;
        const r = await request(method, url, opts);
        this.target.ca = undefined;
        return r;
      }
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new CliError(`cannot reach the emulator at ${this.target.url} (${why}). Is it running? Start it with \`npm start\` in its folder, then \`eval "$(npm run -s env)"\`.`);
    }
  }

  /** One ARM request; `pathOrUrl` is a path below the emulator's URL or an absolute URL it handed out. */
  async raw(method: string, pathOrUrl: string, body?: unknown, log?: (line: string) => void): Promise<Response> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${this.target.url}${pathOrUrl}`;
    const headers: Record<string, string> = { authorization: `Bearer ${await this.accessToken()}`, accept: 'application/json' };
    let text: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      text = JSON.stringify(body);
    }
    log?.(`${method} ${url}`);
    const r = await this.send(method, url, { headers, body: text });
    log?.(`  ${r.status}`);
    return r;
  }

  /** GET that answers undefined on 404. */
  async get(path: string, log?: (line: string) => void): Promise<any> {
    const r = await this.raw('GET', path, undefined, log);
    if (r.status === 404) return undefined;
    if (r.status >= 400) throw new CliError(errorText(r));
    return r.json;
  }

  /** Every item of a paged list (`value` + `nextLink`). */
  async list(path: string, log?: (line: string) => void): Promise<any[]> {
    const out: any[] = [];
    let next: string | undefined = path;
    while (next) {
      const r = await this.raw('GET', next, undefined, log);
      if (r.status >= 400) throw new CliError(errorText(r));
      out.push(...(r.json?.value ?? []));
      next = r.json?.nextLink;
    }
    return out;
  }

  /**
   * A write as az does it: the request, then, when the service answers with a long-running operation, polls
   * its status until it ends. Answers what az prints: for PUT and PATCH the resource as it is afterwards, for
   * POST the operation's result, for DELETE nothing.
   */
  async write(method: 'PUT' | 'PATCH' | 'POST' | 'DELETE', path: string, body?: unknown, opts: CallOptions = {}): Promise<any> {
    const r = await this.raw(method, path, body, opts.log);
    if (r.status >= 400) throw new CliError(errorText(r));
    const asyncUrl = header(r, 'azure-asyncoperation');
    const location = header(r, 'location');
    const longRunning = (r.status === 201 || r.status === 202 || (r.status === 200 && !!asyncUrl)) && (asyncUrl || location);
    if (!longRunning || opts.noWait) return method === 'DELETE' ? undefined : r.json;
    let result: any;
    if (asyncUrl) {
      const status = await this.poll(asyncUrl, opts.log, retryAfter(r));
      result = status;
    } else {
      result = await this.pollLocation(location!, opts.log, retryAfter(r));
    }
    if (method === 'DELETE') return undefined;
    if (method === 'POST') {
      // the final result is at the Location (operationResults) when the service gave one
      if (location && asyncUrl) {
        const final = await this.raw('GET', location, undefined, opts.log);
        if (final.status === 200 && final.json !== undefined) return final.json;
      }
      return result?.properties ?? result;
    }
    return this.get(path, opts.log);
  }

  /** Polls an Azure-AsyncOperation URL until its status is terminal; a failure throws the operation's error. */
  async poll(url: string, log?: (line: string) => void, firstWaitS = 1): Promise<any> {
    let wait = firstWaitS;
    for (;;) {
      await sleep(wait * 1000);
      const r = await this.raw('GET', url, undefined, log);
      if (r.status >= 400) throw new CliError(errorText(r));
      const status = String(r.json?.status ?? '').toLowerCase();
      if (TERMINAL.has(status)) {
        if (status !== 'succeeded') {
          const e = r.json?.error ?? {};
          throw new CliError(`(${e.code ?? r.json?.status}) ${e.message ?? 'the operation did not succeed'}`);
        }
        return r.json;
      }
      wait = retryAfter(r);
    }
  }

  private async pollLocation(url: string, log?: (line: string) => void, firstWaitS = 1): Promise<any> {
    let wait = firstWaitS;
    for (;;) {
      await sleep(wait * 1000);
      const r = await this.raw('GET', url, undefined, log);
      if (r.status >= 400) throw new CliError(errorText(r));
      if (r.status !== 202) return r.json;
      wait = retryAfter(r);
    }
  }
}

/** The server's certificate is not trusted by the CA we were given. */
export function isTlsTrustError(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? '';
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code);
}

function header(r: Response, name: string): string | undefined {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The service's Retry-After (seconds), within 0 to 30; 1 when it sent none. */
function retryAfter(r: Response): number {
  const n = Number(header(r, 'retry-after'));
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 30) : 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
