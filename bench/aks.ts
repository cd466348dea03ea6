// AKS benchmark: wall time of the real `az aks create` until the cluster is Succeeded, against the
// emulator in its own process at --time-scale 0, as a ratio to `az group show` in the same run
// (az's own start-up, about a second, is the floor every az command pays).
//
//   node dist/bench/aks.js            (or through npm run bench)

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from './process.js';
import { ensureCertificate } from '../src/identity/certificate.js';
import { WELL_KNOWN } from '../src/config/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RUNS = 3;

export interface AksBench {
  azAksCreateSeconds: number;
  azGroupShowSeconds: number;
  ratio: number;
}

const startEmulator = (args: string[]) => startProcess(path.join(here, '../src/main.js'), args);

function az(env: NodeJS.ProcessEnv, args: string[]): Promise<{ seconds: number; stdout: string }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    execFile('az', [...args, '-o', 'json'], { env, maxBuffer: 16 << 20, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`az ${args.join(' ')} failed: ${stderr}`));
      resolve({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, stdout });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchAks(): Promise<AksBench> {
  const tlsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-aks-tls-'));
  const tls = await ensureCertificate({ dataDir: tlsDir });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-aks-data-'));
  const configDir = mkdtempSync(path.join(os.tmpdir(), 'bench-aks-az-'));
  const emu = await startEmulator(['--port', '0', '--quiet', '--time-scale', '0', '--data-dir', dataDir, '--cert', path.join(tlsDir, 'cert.pem'), '--key', path.join(tlsDir, 'key.pem')]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AZURE_CONFIG_DIR: configDir,
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
    AZURE_CORE_ONLY_SHOW_ERRORS: 'true',
    AZURE_CORE_NO_COLOR: 'true',
    REQUESTS_CA_BUNDLE: tls.caPath,
  };
  try {
    await az(env, ['cloud', 'register', '-n', 'Emu', '--endpoint-resource-manager', `${emu.url}/`]);
    await az(env, ['cloud', 'set', '-n', 'Emu']);
    await az(env, ['login', '--service-principal', '-u', WELL_KNOWN.clientId, '-p', WELL_KNOWN.clientSecret, '--tenant', WELL_KNOWN.tenantId]);
    await az(env, ['group', 'create', '-n', 'bench-rg', '-l', 'eastus']);
    const show: number[] = [];
    const create: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      show.push((await az(env, ['group', 'show', '-n', 'bench-rg'])).seconds);
      const r = await az(env, ['aks', 'create', '-g', 'bench-rg', '-n', `bench${i}`, '--no-ssh-key', '--node-count', '3']);
      if (JSON.parse(r.stdout).provisioningState !== 'Succeeded') throw new Error(`az aks create bench${i} did not succeed`);
      create.push(r.seconds);
    }
    const azAksCreateSeconds = median(create);
    const azGroupShowSeconds = median(show);
    return { azAksCreateSeconds, azGroupShowSeconds, ratio: azAksCreateSeconds / azGroupShowSeconds };
  } finally {
    emu.child.kill();
    for (const d of [dataDir, configDir, tlsDir]) rmSync(d, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  benchAks()
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
