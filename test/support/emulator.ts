// Starts an emulator in-process for a test, on a free loopback port, with the test certificate.
import path from 'node:path';
import os from 'node:os';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import request from 'supertest';
import { parseConfig, WELL_KNOWN, type EmulatorConfig } from '../../src/config/config.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator.js';
import { waitUntil } from './wait.js';
import { nextTestSigningKey } from './signingKeys.js';

export const TLS_DIR = path.resolve('.test-tls');
export const CA_PATH = path.join(TLS_DIR, 'cert.pem');
export const SUB = WELL_KNOWN.subscriptionId;
export const TENANT = WELL_KNOWN.tenantId;
export const CLIENT_ID = WELL_KNOWN.clientId;
export const SECRET = WELL_KNOWN.clientSecret;

const made: string[] = [];
let cleanupHooked = false;

/** A fresh folder under the system temp dir, removed when the test process exits (whatever the outcome). */
export function tmpDir(prefix = 'arm-emu-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  if (!cleanupHooked) {
    cleanupHooked = true;
    process.on('exit', removeTmpDirs);
  }
  return dir;
}

/** Removes every folder tmpDir made so far (also run at exit). */
export function removeTmpDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface TestEmulator extends Emulator {
  token: string;
  /** supertest against the live HTTPS server, over this emulator's kept-alive connections (see `agent`). */
  http: () => request.Agent;
  /**
   * The kept-alive HTTPS agent `http()` sends through, as az and the SDKs keep their connections: superagent's
   * default is a new TLS connection (and client context) per request, most of a request's CPU in an in-process test.
   * Pass it to `.agent()` on other supertest calls against this emulator; close() destroys it.
   */
  agent: https.Agent;
  config: EmulatorConfig;
}

/** Flags as on the command line; by default in memory, time scale 0, quiet. */
export async function startTestEmulator(args: string[] = [], opts: EmulatorOptions & { env?: Record<string, string> } = {}): Promise<TestEmulator> {
  const hasStore = args.some((a) => a.startsWith('--data-dir') || a === '--in-memory');
  const all = [
    '--port',
    '0',
    '--quiet',
    '--cert',
    path.join(TLS_DIR, 'cert.pem'),
    '--key',
    path.join(TLS_DIR, 'key.pem'),
    ...(hasStore ? [] : ['--in-memory']),
    ...(args.some((a) => a.startsWith('--time-scale')) ? [] : ['--time-scale', '0']),
    ...args,
  ];
  const config = parseConfig(all, { ...(opts.env ?? {}) });
  // In memory: one of the run's prepared signing keys (npm pretest), not a new RSA key per start.
  const signingKey = opts.signingKey ?? (config.inMemory ? nextTestSigningKey(TLS_DIR) : undefined);
  const emu = await startEmulator(config, { providers: opts.providers, fabric: opts.fabric, logSink: opts.logSink, signingKey });
  const token = emu.tokens.issue({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://management.azure.com/.default' }, TENANT, emu.url).access_token;
  const agent = new https.Agent({ keepAlive: true });
  const http = () => withAgent(request.agent(emu.url), agent).set('Authorization', `Bearer ${token}`);
  const close = emu.close.bind(emu);
  return Object.assign(emu, {
    token,
    http,
    agent,
    config,
    async close() {
      agent.destroy();
      await close();
    },
  });
}

/** A supertest agent whose requests go through `agent` (superagent's own default is `agent: false`, no reuse). */
export function withAgent(t: request.Agent, agent: https.Agent): request.Agent {
  return t.use((req: { agent(a: https.Agent): unknown }) => void req.agent(agent));
}

export const rgPath = (rg: string) => `/subscriptions/${SUB}/resourceGroups/${rg}`;

/** Polls an Azure-AsyncOperation URL until the status is terminal (the guard is against a hang, not a timing check). */
export async function waitForOperation(emu: TestEmulator, asyncUrl: string, timeoutMs = 25_000): Promise<any> {
  const u = new URL(asyncUrl);
  return waitUntil(
    async () => {
      const r = await emu.http().get(u.pathname + u.search);
      if (r.status !== 200) throw new Error(`operation status returned ${r.status}: ${JSON.stringify(r.body)}`);
      return ['Succeeded', 'Failed', 'Canceled'].includes(r.body.status) ? r.body : undefined;
    },
    { what: `operation ${asyncUrl} to finish`, timeoutMs, everyMs: 10 },
  );
}

/** Polls a Location URL (operationResults, a group delete) until it answers something other than 202; that response. */
export async function waitForLocation(emu: TestEmulator, location: string, timeoutMs = 25_000): Promise<request.Response> {
  const u = new URL(location);
  return waitUntil(
    async () => {
      const r = await emu.http().get(u.pathname + u.search);
      return r.status === 202 ? undefined : r;
    },
    { what: `${location} to answer other than 202`, timeoutMs, everyMs: 10 },
  );
}

/** The stores the store-facing suites run against (ARM_EMULATOR_TEST_STORES=journal,postgres narrows it). */
export type StoreKind = 'journal' | 'postgres';
export const STORE_KINDS: StoreKind[] = (process.env.ARM_EMULATOR_TEST_STORES ?? 'journal,postgres')
  .split(',')
  .map((s) => s.trim() as StoreKind)
  .filter((s) => s === 'journal' || s === 'postgres');

/**
 * Flags naming a fresh durable store of this kind: emulators started (or restarted) with the same flags share it.
 * Journal: a temp data directory; PostgreSQL: a new database on the test run's own server.
 */
export async function durableStore(kind: StoreKind): Promise<string[]> {
  if (kind === 'journal') return ['--data-dir', tmpDir()];
  const { sharedPostgres } = await import('./postgres.js');
  return ['--store', await (await sharedPostgres()).createDatabase('t')];
}
