// The PostgreSQL store (issue 23), in one run: PUT and GET of resource groups against an emulator on PostgreSQL
// as ratios to one on the embedded journal (both durable: fsync on, emulators in their own processes, 16
// connections); two instances on one database against one; restart with 100,000 resources stored to the first
// answer; a snapshot import of 10,000 resources on each store.
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import https from 'node:https';
import pg from 'pg';
import { load } from './load.js';
import { startProcess } from './process.js';
import { armClient } from './client.js';
import { ensureCertificate } from '../src/identity/certificate.js';
import { WELL_KNOWN } from '../src/config/config.js';
import { encodeSnapshot, SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from '../src/farm/snapshotFile.js';
import { TestPostgres } from '../test/support/postgres.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SUB = WELL_KNOWN.subscriptionId;
const CONCURRENCY = 16;
const SECONDS = 3;

const rg = (name: string) => `/subscriptions/${SUB}/resourcegroups/${name}?api-version=2021-04-01`;
const putBody = () => JSON.stringify({ location: 'eastus', tags: { bench: 'true' } });

/** A stored resource group as the emulator writes it (index fields first: the repository reads them from the head of the text). */
function storedGroup(i: number, prefix: string) {
  const name = `${prefix}-${i}`;
  const id = `/subscriptions/${SUB}/resourceGroups/${name}`;
  return {
    parent: `/subscriptions/${SUB}`,
    typeKey: 'microsoft.resources/resourcegroups',
    resource: { id, name, type: 'Microsoft.Resources/resourceGroups', location: 'eastus', tags: { n: String(i) }, properties: { provisioningState: 'Succeeded' }, etag: `"${i}"` },
    internal: {},
  };
}

function post(url: string, p: string, body: string, ca: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { hostname: u.hostname, port: u.port, method: 'POST', path: p, ca, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function benchPostgres(): Promise<Record<string, number | string>> {
  const tlsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-tls-'));
  const tls = await ensureCertificate({ dataDir: tlsDir });
  const ca = readFileSync(tls.caPath, 'utf8');
  const certArgs = ['--cert', path.join(tlsDir, 'cert.pem'), '--key', path.join(tlsDir, 'key.pem')];
  const main = path.join(here, '../src/main.js');
  const server = await TestPostgres.start({ fsync: true });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-data-'));
  const procs: { child: { kill: (s?: NodeJS.Signals) => void } }[] = [];
  const start = async (args: string[]) => {
    const p = await startProcess(main, ['--port', '0', '--quiet', '--time-scale', '0', ...certArgs, ...args]);
    procs.push(p);
    return p;
  };
  try {
    const one = await server.createDatabase('bench1');
    const journal = await start(['--data-dir', dataDir]);
    const pgA = await start(['--store', one]);
    const token = async (url: string) => {
      const c = await armClient(url, ca);
      c.close();
      return { authorization: `Bearer ${c.token}` };
    };
    const authJ = await token(journal.url);
    const authP = await token(pgA.url);
    const run = (url: string, auth: Record<string, string>, method: 'GET' | 'PUT', prefix: string, seconds = SECONDS) =>
      load({
        url,
        method,
        concurrency: CONCURRENCY,
        seconds,
        ca,
        headers: auth,
        path: (i) => rg(method === 'GET' ? `seed-${i % 100}` : `${prefix}-${i}`),
        body: method === 'PUT' ? putBody : undefined,
        expect: method === 'GET' ? [200] : [201],
      });
    for (const [url, auth] of [
      [journal.url, authJ],
      [pgA.url, authP],
    ] as const) {
      await load({ url, method: 'PUT', concurrency: CONCURRENCY, seconds: 600, maxRequests: 100, ca, headers: auth, path: (i) => rg(`seed-${i}`), body: putBody, expect: [201] });
      await run(url, auth, 'GET', 'warm', 1);
    }
    // alternate the stores, two rounds each, best round counts (the machine is shared)
    const best = { jGet: 0, pGet: 0, jPut: 0, pPut: 0 };
    for (let round = 0; round < 2; round++) {
      best.jGet = Math.max(best.jGet, (await run(journal.url, authJ, 'GET', '')).perSecond);
      best.pGet = Math.max(best.pGet, (await run(pgA.url, authP, 'GET', '')).perSecond);
      best.jPut = Math.max(best.jPut, (await run(journal.url, authJ, 'PUT', `j${round}`)).perSecond);
      best.pPut = Math.max(best.pPut, (await run(pgA.url, authP, 'PUT', `p${round}`)).perSecond);
    }
    // two instances on one database: both loaded at once, each as the single one was
    const pgB = await start(['--store', one]);
    const authB = await token(pgB.url);
    const [ra, rb] = await Promise.all([run(pgA.url, authP, 'PUT', 'twoA'), run(pgB.url, authB, 'PUT', 'twoB')]);
    const twoPut = ra.perSecond + rb.perSecond;
    const single = (await run(pgA.url, authP, 'PUT', 'oneAgain')).perSecond;

    // restart with 100,000 resources in the database: spawn to the first answer (GET of one of them)
    const big = await server.createDatabase('bench100k');
    const seedOnce = await start(['--store', big]); // creates the schema and the start-up seeds
    procs.pop()!.child.kill('SIGTERM');
    void seedOnce;
    const c = new pg.Client({ connectionString: big });
    await c.connect();
    // 100,000 groups written as the emulator writes them (JSON.stringify's text, a text per group), in chunks
    for (let from = 0; from < 100_000; from += 10_000) {
      const keys: string[] = [];
      const texts: string[] = [];
      for (let i = from; i < from + 10_000; i++) {
        const g = storedGroup(i, 'big');
        keys.push(g.resource.id.toLowerCase());
        texts.push(JSON.stringify(g));
      }
      await c.query(`INSERT INTO arm_emulator_kv (collection, key, value, seq) SELECT 'resources', k, v::json, nextval('arm_emulator_seq') FROM unnest($1::text[], $2::text[]) AS t(k, v)`, [
        keys,
        texts,
      ]);
    }
    await c.end();
    const firstAnswer = async (args: string[], group: string) => {
      const t0 = process.hrtime.bigint();
      const p = await start(args);
      const auth = await token(p.url);
      const r = await load({
        url: p.url,
        method: 'GET',
        concurrency: 1,
        seconds: 60,
        maxRequests: 1,
        ca,
        headers: auth,
        path: () => (group ? rg(group) : `/subscriptions/${SUB}?api-version=2021-04-01`),
        expect: [200],
      });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      procs.pop()!.child.kill('SIGTERM');
      if (r.errors) throw new Error('the restarted instance did not answer 200');
      return ms;
    };
    const emptyDb = await server.createDatabase('benchempty');
    const restartEmptyMs = await firstAnswer(['--store', emptyDb], '');
    const restart100kMs = await firstAnswer(['--store', big], 'big-99999');

    // snapshot import of 10,000 resources, into each store
    const groups: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) groups[`/subscriptions/${SUB}/resourcegroups/imp-${i}`] = storedGroup(i, 'imp');
    const snap = encodeSnapshot({ format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, createdAt: new Date().toISOString(), subscriptionId: SUB, collections: { resources: groups } });
    const importMs = async (url: string, auth: Record<string, string>) => {
      const t0 = process.hrtime.bigint();
      const r = await post(url, '/_emulator/snapshots', snap, ca, auth);
      if (r.status !== 200) throw new Error(`import answered ${r.status}: ${r.text.slice(0, 300)}`);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const importJournalMs = await importMs(journal.url, authJ);
    const importPgMs = await importMs(pgA.url, authP);
    return {
      'journal GET req/s': Math.round(best.jGet),
      'postgres GET req/s': Math.round(best.pGet),
      'GET ratio postgres/journal (target >= 0.9)': best.pGet / best.jGet,
      'journal PUT req/s': Math.round(best.jPut),
      'postgres PUT req/s': Math.round(best.pPut),
      'PUT ratio postgres/journal (target >= 0.5)': best.pPut / best.jPut,
      'two instances PUT req/s (total)': Math.round(twoPut),
      'one instance PUT req/s (same run)': Math.round(single),
      'two/one PUT ratio (target >= 1.3)': twoPut / single,
      'start to first answer, empty database (ms)': Math.round(restartEmptyMs),
      'start to first answer, 100,000 resources (ms, target <= 1000)': Math.round(restart100kMs),
      'snapshot import of 10,000 resources, journal (ms, target <= 1000)': Math.round(importJournalMs),
      'snapshot import of 10,000 resources, postgres (ms, target <= 1000)': Math.round(importPgMs),
      cores: os.cpus().length,
      'load average (1 min)': os.loadavg()[0],
    };
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(tlsDir, { recursive: true, force: true });
  }
}
