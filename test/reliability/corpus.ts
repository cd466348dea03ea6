// The bad-input corpus's harness: a case is one raw HTTPS request with what it must get back. Every answer is
// checked (no 5xx; an error is ARM's envelope, an OAuth error on token endpoints, Graph's shape on Graph);
// after each batch the emulator must still answer and, for batches of refusals, nothing may have been stored
// or started.
import https from 'node:https';
import type { TestEmulator } from '../support/emulator.js';

/** Which error shape a case's answers must have. */
export type Kind = 'arm' | 'oauth' | 'admin' | 'graph';

export interface Case {
  what: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  kind: Kind;
  /** Must be refused (4xx); otherwise any non-5xx answer is fine. */
  refuse?: boolean;
  /** Must be answered with this status. */
  status?: number;
  /** Must be answered with this error code. */
  code?: string;
  /** Path that must still be 404 afterwards (nothing stored). */
  absent?: string;
  /** Bearer token to send (default: the well-known principal's ARM token; Graph cases pass theirs). '' sends none. */
  token?: string;
}

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
}

// One kept-alive connection per emulator, as real clients (az, the SDKs) send their requests: every case is framed
// correctly (no case plays with Content-Length or chunking), so one case's answer cannot be mistaken for the next's,
// and the emulator must go on serving a connection after any hostile request on it. A new TLS connection per case
// (a fresh client context with the root store loaded again, a full handshake, the certificate checked again) was
// half of the corpus's CPU.
const agents = new WeakMap<TestEmulator, https.Agent>();

/** Raw HTTPS, so that malformed paths, headers and bodies reach the server exactly as written. */
export async function send(emu: TestEmulator, c: Case): Promise<Answer> {
  let agent = agents.get(emu);
  if (!agent) agents.set(emu, (agent = new https.Agent({ keepAlive: true, maxSockets: 1 })));
  try {
    return await sendOn(emu, c, agent);
  } catch (e) {
    // The server closed the kept-alive connection as this request went out (its idle timeout, or it ended the
    // connection after the previous answer): the request never reached it, so send it again on a new one.
    if ((e as { reusedSocket?: boolean }).reusedSocket && ['ECONNRESET', 'EPIPE'].includes((e as NodeJS.ErrnoException).code ?? '')) return sendOn(emu, c, agent);
    throw e;
  }
}

function sendOn(emu: TestEmulator, c: Case, agent: https.Agent): Promise<Answer> {
  const u = new URL(emu.url);
  const token = c.token ?? (c.kind === 'oauth' ? '' : emu.token);
  const headers: Record<string, string | number> = { ...(token && c.headers?.Authorization === undefined ? { Authorization: `Bearer ${token}` } : {}), ...(c.headers ?? {}) };
  if (headers.Authorization === '') delete headers.Authorization;
  if (c.body !== undefined && headers['Content-Type'] === undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: Number(u.port), servername: 'localhost', method: c.method, path: c.path, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', (e) => reject(Object.assign(e, { reusedSocket: req.reusedSocket })));
    req.end(c.body);
  });
}

/** What is wrong with an answer to a case, if anything. */
export function judge(c: Case, r: Answer): string[] {
  const out: string[] = [];
  const where = `${c.what} (${c.method} ${c.path.slice(0, 140)}) -> ${r.status} ${r.text.slice(0, 240)}`;
  if (r.status >= 500) out.push(`5xx: ${where}`);
  if (c.refuse && r.status < 400) out.push(`not refused: ${where}`);
  if (c.status !== undefined && r.status !== c.status) out.push(`expected ${c.status}: ${where}`);
  if (r.status >= 400 && c.method !== 'HEAD') {
    let body: any;
    try {
      body = JSON.parse(r.text);
    } catch {
      out.push(`not JSON: ${where}`);
      return out;
    }
    if (c.kind === 'oauth') {
      if (typeof body.error !== 'string' || typeof body.error_description !== 'string') out.push(`not an OAuth error: ${where}`);
    } else if (typeof body.error?.code !== 'string' || typeof body.error?.message !== 'string') {
      out.push(`not an error envelope: ${where}`);
    } else if (c.kind === 'graph' && (typeof body.error.innerError?.['request-id'] !== 'string' || typeof body.error.innerError?.date !== 'string')) {
      out.push(`not Graph's error shape (innerError): ${where}`);
    }
    if (c.code !== undefined && body?.error?.code !== c.code) out.push(`expected code ${c.code}: ${where}`);
  }
  return out;
}

/** Every error code anywhere in an error (details nested), to find internal errors hidden in an operation's. */
export function codesIn(e: unknown, out: string[] = []): string[] {
  if (!e || typeof e !== 'object') return out;
  if (Array.isArray(e)) {
    for (const x of e) codesIn(x, out);
    return out;
  }
  const o = e as Record<string, unknown>;
  if (typeof o.code === 'string') out.push(o.code);
  for (const v of Object.values(o)) if (v && typeof v === 'object') codesIn(v, out);
  return out;
}

// ---- values that schemas refuse, for generated cases ----------------------------------------------------

export interface Leaf {
  path: string[];
  schema: any;
}

/** Every property of a JSON Schema, with its path. */
export function schemaLeaves(schema: any, at: string[] = []): Leaf[] {
  const out: Leaf[] = [];
  if (!schema || typeof schema !== 'object') return out;
  if (at.length) out.push({ path: at, schema });
  for (const [k, v] of Object.entries<any>(schema.properties ?? {})) out.push(...schemaLeaves(v, [...at, k]));
  if (schema.items && typeof schema.items === 'object') out.push(...schemaLeaves(schema.items, [...at, '0']));
  return out;
}

/** Every leaf of a sample body (for types without a schema): its path and a schema-like description of its value. */
export function bodyLeaves(body: unknown, at: string[] = []): Leaf[] {
  const out: Leaf[] = [];
  if (at.length)
    out.push({ path: at, schema: { type: Array.isArray(body) ? 'array' : body === null ? 'null' : typeof body === 'number' ? (Number.isInteger(body) ? 'integer' : 'number') : typeof body } });
  if (Array.isArray(body)) body.forEach((v, i) => out.push(...bodyLeaves(v, [...at, String(i)])));
  else if (body && typeof body === 'object') for (const [k, v] of Object.entries(body)) out.push(...bodyLeaves(v, [...at, k]));
  return out;
}

const typesOf = (s: any): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

/** Values the leaf's schema refuses: wrong types, enum misses, format misses, out-of-range numbers. */
export function badValues(s: any): unknown[] {
  const t = typesOf(s);
  const out: unknown[] = [];
  if (t.length) {
    if (!t.includes('string')) out.push('not-a-' + t[0]);
    if (!t.includes('integer') && !t.includes('number')) out.push(12345);
    if (!t.includes('object')) out.push({ nested: { deeper: true } });
    if (!t.includes('array')) out.push([1, 'two']);
    if (!t.includes('boolean')) out.push(true);
    if (t.includes('integer')) out.push(1.5);
  }
  if (Array.isArray(s.enum)) out.push('Bogus', 'MANAGED-ish');
  if (s.format) out.push('not-valid-for-' + s.format, '999.999.999.999/99', '');
  if (typeof s.minimum === 'number') out.push(s.minimum - 1, -2147483649);
  if (typeof s.maximum === 'number') out.push(s.maximum + 1, 1e12);
  if (typeof s.minLength === 'number' && s.minLength > 0) out.push('');
  if (typeof s.maxLength === 'number') out.push('x'.repeat(s.maxLength + 1));
  return out;
}

/** A copy of body with the value at path p replaced (missing containers are made). */
export function setDeep(body: any, p: string[], v: unknown): any {
  const copy = JSON.parse(JSON.stringify(body));
  let o = copy;
  for (let i = 0; i < p.length - 1; i++) {
    const k = p[i];
    if (o[k] === undefined || o[k] === null || typeof o[k] !== 'object') o[k] = /^\d+$/.test(p[i + 1]) ? [] : {};
    o = o[k];
  }
  o[p[p.length - 1]] = v;
  return copy;
}

/** A copy of body without the value at path p. */
export function dropDeep(body: any, p: string[]): any {
  const copy = JSON.parse(JSON.stringify(body));
  let o = copy;
  for (let i = 0; i < p.length - 1; i++) {
    o = o?.[p[i]];
    if (!o || typeof o !== 'object') return copy;
  }
  if (Array.isArray(o)) o.splice(Number(p[p.length - 1]), 1);
  else delete o[p[p.length - 1]];
  return copy;
}
