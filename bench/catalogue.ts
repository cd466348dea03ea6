// The public catalogue's cost. Generic PUT throughput (Microsoft.Web/sites, checked against its schema) as a
// ratio to a hand-built tracked type's PUT (Microsoft.ManagedIdentity/userAssignedIdentities), both through the
// same emulator process; and start-up time and idle memory (RSS) of an emulator with the catalogue, lazily
// unread and then loaded (one generic PUT, a namespace's provider document), as ratios to --no-catalogue.
// Processes are started in alternating order and medians are taken, since the machine is shared.
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from './load.js';
import { startProcess } from './process.js';
import { armClient } from './client.js';
import { ensureCertificate } from '../src/identity/certificate.js';
import { WELL_KNOWN } from '../src/config/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SUB = WELL_KNOWN.subscriptionId;
const CONCURRENCY = 16;
const SECONDS = 3;
const ROUNDS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssMB = (pid: number | undefined) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};
const settle = () => new Promise((r) => setTimeout(r, 1500));

export async function benchCatalogue() {
  const tlsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-tls-'));
  const tls = await ensureCertificate({ dataDir: tlsDir });
  const ca = readFileSync(tls.caPath, 'utf8');
  const certArgs = ['--cert', path.join(tlsDir, 'cert.pem'), '--key', path.join(tlsDir, 'key.pem')];
  const start = async (extra: string[]) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-data-'));
    const t0 = process.hrtime.bigint();
    const p = await startProcess(path.join(here, '../src/main.js'), ['--port', '0', '--quiet', '--time-scale', '0', '--data-dir', dataDir, ...certArgs, ...extra]);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return { ...p, ms, stop: () => (p.child.kill(), rmSync(dataDir, { recursive: true, force: true })) };
  };

  // ---- start-up and idle memory ----
  const startup = { off: [] as number[], lazy: [] as number[] };
  const rss = { off: [] as number[], lazy: [] as number[], loaded: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 ? (['lazy', 'off'] as const) : (['off', 'lazy'] as const)) {
      const emu = await start(mode === 'off' ? ['--no-catalogue'] : []);
      try {
        startup[mode].push(emu.ms);
        // the same hand-built work in both modes, then the idle process's memory
        const c = await armClient(emu.url, ca);
        await c.call('PUT', `/subscriptions/${SUB}/resourcegroups/bench?api-version=2021-04-01`, { location: 'eastus' });
        await c.call('PUT', `/subscriptions/${SUB}/resourceGroups/bench/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1?api-version=2023-01-31`, { location: 'eastus' });
        await c.call('GET', `/subscriptions/${SUB}/providers/Microsoft.ManagedIdentity?api-version=2021-04-01`);
        await settle();
        rss[mode].push(rssMB(emu.child.pid));
        if (mode === 'lazy') {
          // then a type only the catalogue knows: its index and its namespace's schemas are read
          const r = await c.call('PUT', `/subscriptions/${SUB}/resourceGroups/bench/providers/Microsoft.Web/sites/s1?api-version=2022-09-01`, { location: 'eastus', properties: { httpsOnly: true } });
          if (r.status >= 300) throw new Error(`generic PUT answered ${r.status}: ${JSON.stringify(r.body)}`);
          await c.call('GET', `/subscriptions/${SUB}/providers/Microsoft.Web?api-version=2021-04-01`);
          await settle();
          rss.loaded.push(rssMB(emu.child.pid));
        }
        c.close();
      } finally {
        emu.stop();
      }
    }
  }

  // ---- generic PUT against a hand-built tracked PUT, one process ----
  const emu = await start([]);
  const generic: number[] = [];
  const handBuilt: number[] = [];
  try {
    const client = await armClient(emu.url, ca);
    const auth = { authorization: `Bearer ${client.token}` };
    await client.call('PUT', `/subscriptions/${SUB}/resourcegroups/bench?api-version=2021-04-01`, { location: 'eastus' });
    client.close();
    const site = (i: number) => `/subscriptions/${SUB}/resourceGroups/bench/providers/Microsoft.Web/sites/site${i % 200}?api-version=2022-09-01`;
    const identity = (i: number) => `/subscriptions/${SUB}/resourceGroups/bench/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id${i % 200}?api-version=2023-01-31`;
    const siteBody = () =>
      JSON.stringify({ location: 'eastus', kind: 'app', tags: { bench: 'true' }, properties: { httpsOnly: true, siteConfig: { alwaysOn: true, appSettings: [{ name: 'A', value: '1' }] } } });
    const idBody = () => JSON.stringify({ location: 'eastus', tags: { bench: 'true' } });
    // warm both paths (and load the catalogue) before measuring
    await load({ url: emu.url, method: 'PUT', concurrency: CONCURRENCY, seconds: 1, ca, headers: auth, path: site, body: siteBody });
    await load({ url: emu.url, method: 'PUT', concurrency: CONCURRENCY, seconds: 1, ca, headers: auth, path: identity, body: idBody });
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? ['id', 'site'] : ['site', 'id'];
      for (const which of order) {
        const r = await load({
          url: emu.url,
          method: 'PUT',
          concurrency: CONCURRENCY,
          seconds: SECONDS,
          ca,
          headers: auth,
          path: which === 'site' ? site : identity,
          body: which === 'site' ? siteBody : idBody,
          expect: [200, 201],
        });
        if (r.errors) throw new Error(`${which}: ${r.errors} unexpected responses`);
        (which === 'site' ? generic : handBuilt).push(r.perSecond);
      }
    }
  } finally {
    emu.stop();
    rmSync(tlsDir, { recursive: true, force: true });
  }
  const g = median(generic);
  const h = median(handBuilt);
  const verdict = (ok: boolean) => (ok ? 'meets target' : 'BELOW TARGET');
  return {
    'generic PUT (Microsoft.Web/sites), req/s': g,
    'hand-built tracked PUT (userAssignedIdentities), req/s': h,
    'generic / hand-built PUT ratio': `${(g / h).toFixed(2)} (target >= 0.9: ${verdict(g / h >= 0.9)})`,
    'start-up ms, --no-catalogue': median(startup.off),
    'start-up ms, catalogue (lazy)': median(startup.lazy),
    'start-up ratio': `${(median(startup.lazy) / median(startup.off)).toFixed(2)} (target <= 1.1: ${verdict(median(startup.lazy) / median(startup.off) <= 1.1)})`,
    'idle RSS MB, --no-catalogue (a group, an identity, a provider document)': median(rss.off),
    'idle RSS MB, catalogue unread (same hand-built work)': median(rss.lazy),
    'idle RSS MB, catalogue loaded (then a generic PUT and its provider document)': median(rss.loaded),
    'idle RSS ratio, loaded / --no-catalogue': `${(median(rss.loaded) / median(rss.off)).toFixed(2)} (target <= 1.1: ${verdict(median(rss.loaded) / median(rss.off) <= 1.1)})`,
  };
}
