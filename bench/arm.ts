// Front-door benchmark: authenticated GET and PUT of resource groups against the emulator (its own
// process, durable store with fsync), each as a ratio to a bare Express HTTPS server in the same
// run; and PUT throughput with 10,000 groups stored as a ratio to PUT with 100 stored.
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

export interface ArmBench {
  bareRps: number;
  getRps: number;
  putRps: number;
  put100Rps: number;
  put10kRps: number;
  getRatio: number;
  putRatio: number;
  scaleRatio: number;
}

export async function benchArm(): Promise<ArmBench> {
  const tlsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-tls-'));
  const tls = await ensureCertificate({ dataDir: tlsDir });
  const ca = readFileSync(tls.caPath, 'utf8');
  const certArgs = [path.join(tlsDir, 'cert.pem'), path.join(tlsDir, 'key.pem')];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-data-'));

  const bare = await startProcess(path.join(here, 'bare-server.js'), certArgs);
  const emu = await startProcess(path.join(here, '../src/main.js'), ['--port', '0', '--quiet', '--time-scale', '0', '--data-dir', dataDir, '--cert', certArgs[0], '--key', certArgs[1]]);
  try {
    const client = await armClient(emu.url, ca);
    const token = client.token;
    client.close();
    const auth = { authorization: `Bearer ${token}` };
    const rg = (name: string) => `/subscriptions/${SUB}/resourcegroups/${name}?api-version=2021-04-01`;
    const putBody = () => JSON.stringify({ location: 'eastus', tags: { bench: 'true' } });
    // warm-up both
    await load({ url: bare.url, method: 'GET', concurrency: CONCURRENCY, seconds: 1, ca, path: () => '/x' });
    const seed = async (from: number, to: number) => {
      const r = await load({
        url: emu.url,
        method: 'PUT',
        concurrency: CONCURRENCY,
        seconds: 600,
        maxRequests: to - from,
        ca,
        headers: auth,
        path: (i) => rg(`seed-${from + i}`),
        body: putBody,
        expect: [201],
      });
      if (r.errors) throw new Error(`seeding failed: ${r.errors} errors`);
    };
    await seed(0, 100);
    // warm the emulator's hot paths before measuring
    await load({ url: emu.url, method: 'GET', concurrency: CONCURRENCY, seconds: 1, ca, headers: auth, path: (i) => rg(`seed-${i % 100}`) });
    await load({ url: emu.url, method: 'PUT', concurrency: CONCURRENCY, seconds: 1, ca, headers: auth, path: (i) => rg(`seed-${i % 100}`), body: putBody });
    const bareR = await load({ url: bare.url, method: 'GET', concurrency: CONCURRENCY, seconds: SECONDS, ca, path: () => '/x' });
    const getR = await load({ url: emu.url, method: 'GET', concurrency: CONCURRENCY, seconds: SECONDS, ca, headers: auth, path: (i) => rg(`seed-${i % 100}`), expect: [200] });
    const put100 = await load({ url: emu.url, method: 'PUT', concurrency: CONCURRENCY, seconds: SECONDS, ca, headers: auth, path: (i) => rg(`p100-${i}`), body: putBody, expect: [201] });
    const stored = 100 + put100.requests;
    if (stored < 10_000) await seed(stored, 10_000);
    const put10k = await load({ url: emu.url, method: 'PUT', concurrency: CONCURRENCY, seconds: SECONDS, ca, headers: auth, path: (i) => rg(`p10k-${i}`), body: putBody, expect: [201] });
    for (const [name, r] of [
      ['get', getR],
      ['put100', put100],
      ['put10k', put10k],
    ] as const) {
      if (r.errors) throw new Error(`${name}: ${r.errors} unexpected responses`);
    }
    return {
      bareRps: bareR.perSecond,
      getRps: getR.perSecond,
      putRps: put100.perSecond,
      put100Rps: put100.perSecond,
      put10kRps: put10k.perSecond,
      getRatio: getR.perSecond / bareR.perSecond,
      putRatio: put100.perSecond / bareR.perSecond,
      scaleRatio: put10k.perSecond / put100.perSecond,
    };
  } finally {
    bare.child.kill();
    emu.child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
