// Arc benchmark: wall time of the infrastructure administrator's path at --time-scale 0 against the
// emulator in its own process, over HTTPS as a client sees it: resource bridge → two cluster
// extensions → custom location → logical network (each PUT, then GETs until Succeeded), and the
// same path deleted in reverse. No target yet; the figure is reported.
//
//   node dist/bench/arc.js            (or through npm run bench arc)

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchTls, startEmulator } from './process.js';
import { armClient, arcPlatformSteps } from './client.js';
import { WELL_KNOWN } from '../src/config/config.js';

const RUNS = 5;

export interface ArcBench {
  adminPathUpSeconds: number;
  adminPathDownSeconds: number;
  requestsPerPath: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchArc(): Promise<ArcBench> {
  const tls = await benchTls('arc');
  const emu = await startEmulator('arc', tls);
  const client = await armClient(emu.url, tls.ca);
  const call = (method: string, p: string, body?: unknown) => client.call(method, p, body);
  try {
    const rg = `/subscriptions/${WELL_KNOWN.subscriptionId}/resourceGroups/bench-arc`;
    await call('PUT', `${rg}?api-version=2021-04-01`, { location: 'eastus' });
    const { steps } = arcPlatformSteps(rg, { name: 'lnet', addressPrefix: '172.30.0.0/24', vlan: 30, pool: ['172.30.0.10', '172.30.0.200'] });
    const settle = async (id: string, v: string, gone: boolean) => {
      for (let i = 0; i < 10_000; i++) {
        const r = await call('GET', `${id}?api-version=${v}`);
        if (gone ? r.status === 404 : r.body?.properties?.provisioningState === 'Succeeded') return;
        if (!gone && r.body?.properties?.provisioningState === 'Failed') throw new Error(`${id} failed: ${JSON.stringify(r.body)}`);
      }
      throw new Error(`${id} did not settle`);
    };
    const up: number[] = [];
    const down: number[] = [];
    let perPath = 0;
    for (let run = 0; run < RUNS; run++) {
      const r0 = client.requests();
      let t0 = process.hrtime.bigint();
      for (const [id, v, body] of steps) {
        const r = await call('PUT', `${id}?api-version=${v}`, body);
        if (r.status >= 300) throw new Error(`PUT ${id}: ${r.status} ${JSON.stringify(r.body)}`);
        await settle(id, v, false);
      }
      up.push(Number(process.hrtime.bigint() - t0) / 1e9);
      t0 = process.hrtime.bigint();
      for (const [id, v] of [...steps].reverse()) {
        const r = await call('DELETE', `${id}?api-version=${v}`);
        if (r.status >= 300 && r.status !== 202) throw new Error(`DELETE ${id}: ${r.status} ${JSON.stringify(r.body)}`);
        await settle(id, v, true);
      }
      down.push(Number(process.hrtime.bigint() - t0) / 1e9);
      perPath = client.requests() - r0;
    }
    return { adminPathUpSeconds: median(up), adminPathDownSeconds: median(down), requestsPerPath: perPath };
  } finally {
    client.close();
    await emu.stop();
    tls.remove();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  benchArc()
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
