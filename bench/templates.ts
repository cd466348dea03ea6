// Template evaluation off the event loop: the emulator (its own process, --time-scale 0, durable store)
// evaluates heavy and runaway templates (a 200-copy deployment, a replace loop ended by the time limit,
// createObject doubling, json() of a 10,000-deep array, concat doubling) while a probe asks
// /_emulator/health every 10 ms. Figures: the emulator's own event-loop delay (perf_hooks
// monitorEventLoopDelay, reported by the health answer) and the probe's slowest answer, idle and
// under that load. Target: the longest event-loop delay under load below 100 ms.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchTls, startEmulator } from './process.js';
import { armClient, type BenchClient } from './client.js';
import { WELL_KNOWN } from '../src/config/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SUB = WELL_KNOWN.subscriptionId;
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

export interface TemplateLoopBench {
  idleEventLoopDelayMaxMs: number;
  loadEventLoopDelayMaxMs: number;
  loadEventLoopDelayP99Ms: number;
  idleProbeMaxMs: number;
  loadProbeMaxMs: number;
  loadSeconds: number;
  target: string;
}

async function probe(client: BenchClient, stop: () => boolean): Promise<number> {
  let worst = 0;
  while (!stop()) {
    const t = performance.now();
    await client.call('GET', '/_emulator/health');
    worst = Math.max(worst, performance.now() - t);
    await new Promise((r) => setTimeout(r, 10));
  }
  return worst;
}

async function health(client: BenchClient, reset: boolean) {
  return (await client.call('GET', `/_emulator/health${reset ? '?reset=eventLoop' : ''}`)).body.eventLoopDelay as { maxMs: number; p99Ms: number };
}

export async function benchTemplates(): Promise<TemplateLoopBench> {
  const tls = await benchTls('tpl');
  const ca = tls.ca;
  const emu = await startEmulator('tpl', tls, { args: ['--template-time-limit', '5'] });
  try {
    const client = await armClient(emu.url, ca);
    const rg = `/subscriptions/${SUB}/resourcegroups/tpl`;
    await client.call('PUT', `${rg}?api-version=2021-04-01`, { location: 'eastus' });

    await health(client, true);
    let idleDone = false;
    const idleProbe = probe(client, () => idleDone);
    await new Promise((r) => setTimeout(r, 2000));
    idleDone = true;
    const idleProbeMax = await idleProbe;
    const idle = await health(client, true);

    const t = (extra: Record<string, unknown>) => ({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [], ...extra });
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const heavy: [string, unknown, unknown?][] = [
      ['ids', JSON.parse(readFileSync(path.join(here, '../../arm-templates/identities-200.json'), 'utf8')), { count: { value: 200 } }],
      [
        'replace',
        t({
          variables: { v: "[reduce(range(0, 10000), padLeft('', 1000000, 'a'), lambda('s', 'i', replace(replace(lambdaVariables('s'), 'a', 'b'), 'b', 'a')))]" },
          outputs: { o: { type: 'int', value: "[length(variables('v'))]" } },
        }),
      ],
      [
        'doubling',
        t({ outputs: { o: { type: 'object', value: "[reduce(range(0, 30), createObject('x', 1), lambda('a', 'i', createObject('l', lambdaVariables('a'), 'r', lambdaVariables('a'))))]" } } }),
      ],
      ['deep', t({ parameters: { s: { type: 'string' } }, outputs: { o: { type: 'array', value: "[json(parameters('s'))]" } } }), { s: { value: deep } }],
      ['concat', t({ outputs: { o: { type: 'array', value: "[reduce(range(0, 40), createArray(1), lambda('a', 'i', concat(lambdaVariables('a'), lambdaVariables('a'))))]" } } })],
    ];
    let loadDone = false;
    const loadProbe = probe(client, () => loadDone);
    const t0 = performance.now();
    await Promise.all(
      heavy.map(async ([name, template, parameters]) => {
        const put = await client.call('PUT', `${rg}/providers/Microsoft.Resources/deployments/${name}?api-version=2021-04-01`, { properties: { mode: 'Incremental', template, parameters } });
        if (put.status !== 201) return; // refused at validation: its evaluation is over
        const poll = new URL(String(put.headers['azure-asyncoperation']));
        for (;;) {
          const st = await client.call('GET', poll.pathname + poll.search);
          if (st.body.status !== 'InProgress') return;
          await new Promise((r) => setTimeout(r, 20));
        }
      }),
    );
    const loadSeconds = (performance.now() - t0) / 1000;
    loadDone = true;
    const loadProbeMax = await loadProbe;
    const load = await health(client, true);
    client.close();
    return {
      idleEventLoopDelayMaxMs: idle.maxMs,
      loadEventLoopDelayMaxMs: load.maxMs,
      loadEventLoopDelayP99Ms: load.p99Ms,
      idleProbeMaxMs: Math.round(idleProbeMax),
      loadProbeMaxMs: Math.round(loadProbeMax),
      loadSeconds,
      target: `event-loop delay under load < 100 ms: ${load.maxMs < 100 ? 'meets target' : 'BELOW TARGET'}`,
    };
  } finally {
    await emu.stop();
    tls.remove();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  void benchTemplates().then((r) => console.log(r));
}
