// Deployment benchmark: a template whose copy loop makes 200 user-assigned identities in one
// resource group, deployed through the deployment API (PUT + polling until Succeeded), as a rate
// against the same 200 PUTs sent directly over HTTPS (16 keep-alive connections), against the
// emulator in its own process at --time-scale 0 with a durable store. Target: ratio >= 0.5.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from './load.js';
import { benchTls, startEmulator } from './process.js';
import { armClient } from './client.js';
import { WELL_KNOWN } from '../src/config/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SUB = WELL_KNOWN.subscriptionId;
const COUNT = 200;

export interface DeploymentBench {
  directPutsPerSecond: number;
  templatePutsPerSecond: number;
  ratio: number;
  templateSeconds: number;
}

export async function benchDeployments(): Promise<DeploymentBench> {
  const tls = await benchTls('dep');
  const ca = tls.ca;
  const emu = await startEmulator('dep', tls);
  try {
    const client = await armClient(emu.url, ca);
    const token = client.token;
    const rg = (n: string) => `/subscriptions/${SUB}/resourcegroups/${n}`;
    for (const g of ['direct', 'template']) await client.call('PUT', `${rg(g)}?api-version=2021-04-01`, { location: 'eastus' });
    const ident = (g: string, i: number) => `${rg(g)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id${i}?api-version=2023-01-31`;

    const direct = await load({
      url: emu.url,
      method: 'PUT',
      concurrency: 16,
      seconds: 60,
      maxRequests: COUNT,
      ca,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      path: (i) => ident('direct', i),
      body: () => JSON.stringify({ location: 'eastus' }),
    });

    const template = JSON.parse(readFileSync(path.join(here, '../../arm-templates/identities-200.json'), 'utf8'));
    const t0 = process.hrtime.bigint();
    const put = await client.call('PUT', `${rg('template')}/providers/Microsoft.Resources/deployments/ids?api-version=2021-04-01`, {
      properties: { mode: 'Incremental', template, parameters: { count: { value: COUNT } } },
    });
    if (put.status !== 201) throw new Error(`deployment PUT answered ${put.status}: ${JSON.stringify(put.body)}`);
    const poll = new URL(String(put.headers['azure-asyncoperation']));
    for (;;) {
      const st = await client.call('GET', poll.pathname + poll.search);
      if (st.body.status === 'Succeeded') break;
      if (st.body.status !== 'InProgress') throw new Error(`deployment ended ${JSON.stringify(st.body)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const templateRate = COUNT / seconds;
    client.close();
    return { directPutsPerSecond: direct.perSecond, templatePutsPerSecond: templateRate, ratio: templateRate / direct.perSecond, templateSeconds: seconds };
  } finally {
    await emu.stop();
    tls.remove();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  void benchDeployments().then((r) => console.log(r));
}
