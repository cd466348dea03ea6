// Start-up: how long from spawning the process to its first answer, and how much memory it holds idle, for the
// emulator on an existing data directory and on a fresh one (certificate and keys generated), each as a ratio to
// a bare Express HTTPS server started the same way in the same round (same node, same certificate, port 0,
// first answer = the first 200 to GET /metadata/endpoints, what az asks first). Rounds rotate their order; the
// ratios are per round, so the machine's load moves both sides of each ratio together.
//
//   npm run bench startup
import path from 'node:path';
import os from 'node:os';
import https from 'node:https';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WELL_KNOWN } from '../src/config/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, '../src/main.js');
const ROUNDS = 7;
/**
 * How long the process sits idle after its first answer before its RSS is read "idle": long enough for V8 to
 * give back what start-up used and no longer needs (its memory reducer runs after some seconds of idleness).
 */
const IDLE_MS = 25_000;
/** Rounds that also wait for the idle figure (the others only time the start). */
const IDLE_ROUNDS = 3;

export interface Started {
  /** ms from spawn to the first 200 to GET /metadata/endpoints (asked every 5 ms from spawn on, as a CI script polls). */
  firstAnswerMs: number;
  /** CPU the process used up to its first answer (user + system, ms; 10 ms ticks): what the machine's load does not change. */
  cpuMs: number;
  /** ms from spawn to its 'listening on' line (the emulator prints it once every request is served, state loaded). */
  readyMs: number;
  /** CPU up to then. */
  cpuReadyMs: number;
  /** ms from spawn to the first 200 of an authenticated ARM GET (token from an earlier run), when asked. */
  firstArmMs?: number;
  /** resident set once ready, MB. */
  rssMB?: number;
  /** resident set after IDLE_MS idle, MB. */
  idleRssMB?: number;
}

/** CPU time a process has used so far (user + system), ms. */
export function cpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return NaN;
  }
}

export function rssMB(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return NaN;
  }
}

function get(url: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Spawns `node script args` (which must listen on `port`), asks GET /metadata/endpoints every 5 ms until a 200
 * (the first answer), waits for its 'listening on <url>' line (ready), asks the authenticated GET when `arm`
 * is given, measures, then stops the process (SIGTERM, a clean stop).
 */
export async function timeStart(script: string, args: string[], caFile: () => string, opts: { port: number; arm?: { path: string; token: string }; idle?: boolean }): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let exited: Error | undefined;
  child.once('exit', (c) => (exited = new Error(`${script} exited ${c}`)));
  try {
    const ready = new Promise<{ url: string; ms: number; cpu: number }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (https?:\/\/\S+)/.exec(out);
        if (m) resolve({ url: m[1], ms: performance.now() - t0, cpu: cpuMs(child.pid) });
      });
      child.once('exit', (c) => reject(new Error(`${script} exited ${c}`)));
    });
    ready.catch(() => undefined);
    // the first answer, asked for as a script would: until the port answers (the certificate may be new)
    let ca = '';
    for (;;) {
      if (exited) throw exited;
      try {
        ca ||= readFileSync(caFile(), 'utf8');
        const first = await get(`https://localhost:${opts.port}/metadata/endpoints?api-version=2022-09-01`, ca);
        if (first.status === 200) break;
        throw new Error(`first answer ${first.status}: ${first.body}`);
      } catch (e) {
        if (/first answer/.test((e as Error).message)) throw e;
      }
      await sleep(5);
    }
    const firstAnswerMs = performance.now() - t0;
    const cpuFirst = cpuMs(child.pid);
    const r = await ready;
    const out: Started = { firstAnswerMs, cpuMs: cpuFirst, readyMs: r.ms, cpuReadyMs: r.cpu, rssMB: rssMB(child.pid) };
    if (opts.arm) {
      const g = await get(`${r.url}${opts.arm.path}`, ca, { authorization: `Bearer ${opts.arm.token}` });
      if (g.status !== 200) throw new Error(`authenticated GET ${g.status}: ${g.body}`);
      out.firstArmMs = performance.now() - t0;
    }
    if (opts.idle) {
      await sleep(IDLE_MS);
      out.idleRssMB = rssMB(child.pid);
    }
    return out;
  } finally {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
  }
}

/** A token from the emulator's own token endpoint (valid across restarts of the same data directory). */
export async function tokenFrom(url: string, ca: string): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: WELL_KNOWN.clientId,
    client_secret: WELL_KNOWN.clientSecret,
    scope: 'https://management.azure.com/.default',
  }).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}/${WELL_KNOWN.tenantId}/oauth2/v2.0/token`, { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body).access_token) : reject(new Error(body))));
    });
    req.on('error', reject);
    req.end(form);
  });
}

/** A port free right now (the emulator's token issuer names its port: a token outlives a restart on the same one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[], d = 2) => `${Math.min(...xs).toFixed(d)} – ${Math.max(...xs).toFixed(d)}`;

export async function benchStartup(): Promise<Record<string, number | string>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-start-'));
  const port = String(await freePort());
  const emuArgs = (dir: string, p = '0') => ['--port', p, '--quiet', '--time-scale', '0', '--data-dir', dir];
  const cert = path.join(dataDir, 'cert.pem');
  const key = path.join(dataDir, 'key.pem');
  const rgPath = `/subscriptions/${WELL_KNOWN.subscriptionId}/resourcegroups/bench-start?api-version=2021-04-01`;
  // The existing data directory: made by a first start, with one resource group and a token for later rounds.
  let token = '';
  {
    const child = spawn(process.execPath, [MAIN, ...emuArgs(dataDir, port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (https?:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
    });
    const ca = readFileSync(cert, 'utf8');
    token = await tokenFrom(url, ca);
    await new Promise<void>((resolve, reject) => {
      const req = https.request(`${url}${rgPath}`, { method: 'PUT', ca, agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`PUT ${res.statusCode}`))));
      });
      req.end(JSON.stringify({ location: 'eastus' }));
    });
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  }
  const rounds: { bare: Started; existing: Started; fresh: Started }[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const round: Partial<{ bare: Started; existing: Started; fresh: Started }> = {};
      const runs: [keyof typeof round, () => Promise<Started>][] = [
        [
          'bare',
          async () => {
            const p = await freePort();
            return timeStart(path.join(here, 'bare-server.js'), [cert, key, String(p)], () => cert, { port: p, idle: i < IDLE_ROUNDS });
          },
        ],
        ['existing', () => timeStart(MAIN, emuArgs(dataDir, port), () => cert, { port: Number(port), idle: i < IDLE_ROUNDS, arm: { path: rgPath, token } })],
        [
          'fresh',
          async () => {
            const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-fresh-'));
            const p = await freePort();
            try {
              return await timeStart(MAIN, emuArgs(dir, String(p)), () => path.join(dir, 'cert.pem'), { port: p });
            } finally {
              rmSync(dir, { recursive: true, force: true });
            }
          },
        ],
      ];
      for (let j = 0; j < runs.length; j++) {
        const [name, run] = runs[(i + j) % runs.length];
        round[name] = await run();
      }
      rounds.push(round as { bare: Started; existing: Started; fresh: Started });
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const ratio = (k: 'existing' | 'fresh', f: 'firstAnswerMs' | 'readyMs' = 'firstAnswerMs') => rounds.map((r) => r[k][f] / r.bare.firstAnswerMs);
  const cpuRatio = (k: 'existing' | 'fresh', f: 'cpuMs' | 'cpuReadyMs' = 'cpuMs') => rounds.map((r) => r[k][f] / r.bare.cpuMs);
  const existing = ratio('existing');
  const fresh = ratio('fresh');
  const existingReady = ratio('existing', 'readyMs');
  const freshReady = ratio('fresh', 'readyMs');
  const idle = rounds.slice(0, IDLE_ROUNDS).map((r) => r.existing.idleRssMB!);
  const bareIdle = rounds.slice(0, IDLE_ROUNDS).map((r) => r.bare.idleRssMB!);
  const atStart = rounds.map((r) => r.existing.rssMB!);
  const ms = (k: 'bare' | 'existing' | 'fresh', f: 'firstAnswerMs' | 'readyMs' = 'firstAnswerMs') =>
    `${median(rounds.map((r) => r[k][f])).toFixed(0)} (${range(
      rounds.map((r) => r[k][f]),
      0,
    )})`;
  const goal = (xs: number[], max: number) => `${median(xs).toFixed(2)} (rounds ${range(xs)}; goal <= ${max}: ${median(xs) <= max ? 'met' : 'MISSED'})`;
  return {
    rounds: ROUNDS,
    loadAverage: `${os.loadavg()[0].toFixed(2)} (uptime's 1-minute load on ${os.cpus().length} cores: wall times stretch with it, the CPU figures much less)`,
    bareFirstAnswerMs: ms('bare'),
    existingFirstAnswerMs: `${ms('existing')}; ready (every request served, the 'listening on' line) ${ms('existing', 'readyMs')}`,
    freshFirstAnswerMs: `${ms('fresh')}; ready ${ms('fresh', 'readyMs')}`,
    existingFirstArmAnswerMs: `${median(rounds.map((r) => r.existing.firstArmMs!)).toFixed(0)} (authenticated GET of a resource group, token from an earlier run)`,
    cpuToFirstAnswerMs: `bare ${median(rounds.map((r) => r.bare.cpuMs)).toFixed(0)}, existing ${median(rounds.map((r) => r.existing.cpuMs)).toFixed(0)} (ready ${median(rounds.map((r) => r.existing.cpuReadyMs)).toFixed(0)}), fresh ${median(rounds.map((r) => r.fresh.cpuMs)).toFixed(0)} (ready ${median(rounds.map((r) => r.fresh.cpuReadyMs)).toFixed(0)}) (process CPU, user + system: what the machine's load does not move); ratios to the bare server's: existing ${median(cpuRatio('existing')).toFixed(2)}, ready ${median(cpuRatio('existing', 'cpuReadyMs')).toFixed(2)}; fresh ${median(cpuRatio('fresh')).toFixed(2)}, ready ${median(cpuRatio('fresh', 'cpuReadyMs')).toFixed(2)}`,
    startupRatio: `first answer / bare server's, existing data dir: ${goal(existing, 1.3)}`,
    // the goal is met when every request is served that soon, not only the metadata
    startupReadyRatio: `ready / bare server's first answer, existing data dir: ${goal(existingReady, 1.3)}`,
    freshStartupRatio: `first answer / bare server's, fresh data dir (certificate and keys made): ${goal(fresh, 1.5)}`,
    freshStartupReadyRatio: `ready / bare server's first answer, fresh data dir: ${goal(freshReady, 1.5)}`,
    idleRssMB: `${median(idle).toFixed(1)} after ${IDLE_MS / 1000} s idle (rounds ${range(idle, 1)}; goal <= 60: ${median(idle) <= 60 ? 'met' : 'MISSED'}); the bare server: ${median(bareIdle).toFixed(1)}; right when ready: ${median(atStart).toFixed(1)}`,
  };
}
