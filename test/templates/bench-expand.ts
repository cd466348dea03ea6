// Not a test: measures the engine's own overhead for the 200-copy identities template.
//   npx tsc -p . && node dist/test/templates/bench-expand.js
// prepare = read + parameters + expansion + dependency graph; deploy = prepare + evaluating 200 bodies
// + scheduling + outputs against a host whose PUTs complete immediately.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deploy, parseTemplateText, prepareDeployment } from '../../src/templates/index.js';
import { FakeHost, SUB, TENANT } from './helpers.js';

const template = parseTemplateText(readFileSync(join(process.cwd(), 'arm-templates/identities-200.json'), 'utf8'));
const req = () => ({
  name: 'bench',
  scope: { tenantId: TENANT, subscriptionId: SUB, resourceGroup: { name: 'rg', location: 'eastus' } },
  properties: { template, parameters: { count: { value: 200 } }, mode: 'Incremental' },
});

async function main() {
  const host = new FakeHost();
  host.delay = 0;
  for (let i = 0; i < 20; i++) await deploy(host, req()); // warm up
  const N = 100;
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const prep: number[] = [];
  const dep: number[] = [];
  for (let i = 0; i < N; i++) {
    let t0 = performance.now();
    await prepareDeployment(host, req());
    prep.push(performance.now() - t0);
    t0 = performance.now();
    await deploy(host, req());
    dep.push(performance.now() - t0);
  }
  // A host that answers every PUT at once, synchronously (no operation to wait for): engine cost only.
  const instant = new FakeHost();
  instant.put = async (id: string, _api: string, body: any) => ({ status: 201, body: { id, ...body } });
  const bare: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await deploy(instant, req());
    bare.push(performance.now() - t0);
  }
  const b = median(bare);
  console.log(`200-copy template (median of ${N}): full deploy, synchronous host ${b.toFixed(2)} ms (${((b / 200) * 1000).toFixed(1)} µs per resource; min ${Math.min(...bare).toFixed(2)} ms)`);
  const p = median(prep);
  const d = median(dep);
  console.log(
    `200-copy template (median of ${N}): prepare ${p.toFixed(2)} ms, full deploy against an instant host ${d.toFixed(2)} ms (${((d / 200) * 1000).toFixed(1)} µs per resource; min ${Math.min(...dep).toFixed(2)} ms)`,
  );
}

void main();
