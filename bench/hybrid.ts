// AKS hybrid benchmark: AKS hybrid cluster creates → Succeeded at --time-scale 0, 50 clusters at
// once, against the emulator in its own process over HTTPS, on an HCI site big enough for them
// (configured here: 16 hosts of 64 cores). The administrator's platform (bridge, AKS hybrid
// and HCI VM operator extensions, custom location, a logical network with room for every node) is built first and not
// timed; then 50 connected clusters are created (not timed either), then 50 provisioned cluster
// instances (one control-plane node, one Linux worker) are PUT together and polled until all have
// Succeeded. Reported as clusters/s; target >= 20/s.
//
//   node dist/bench/hybrid.js            (or through npm run bench hybrid)

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from './process.js';
import { armClient, arcPlatformSteps } from './client.js';
import { ensureCertificate } from '../src/identity/certificate.js';
import { WELL_KNOWN } from '../src/config/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLUSTERS = 50;
const TARGET = 20;

export interface HybridBench {
  clusters: number;
  createSeconds: number;
  clustersPerSecond: number;
  target: string;
}

export async function benchHybrid(): Promise<HybridBench> {
  const tlsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-hybrid-tls-'));
  const tls = await ensureCertificate({ dataDir: tlsDir });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-hybrid-data-'));
  const config = path.join(dataDir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      sites: [
        {
          name: 'hci-site-1',
          kind: 'AzureStackHCI',
          hosts: { count: 16, cores: 64, memoryGB: 512, storageGB: 16384 },
          logicalNetworks: [{ name: 'lnet-compute', addressPrefix: '192.168.0.0/24', gateway: '192.168.0.1', ipPools: [{ start: '192.168.0.100', end: '192.168.0.199' }] }],
        },
      ],
    }),
  );
  const emu = await startProcess(path.join(here, '../src/main.js'), [
    '--port',
    '0',
    '--quiet',
    '--time-scale',
    '0',
    '--data-dir',
    dataDir,
    '--config',
    config,
    '--cert',
    path.join(tlsDir, 'cert.pem'),
    '--key',
    path.join(tlsDir, 'key.pem'),
  ]);
  const client = await armClient(emu.url, readFileSync(tls.caPath), 16);
  const call = (method: string, p: string, body?: unknown) => client.call(method, p, body);
  try {
    const rg = `/subscriptions/${WELL_KNOWN.subscriptionId}/resourceGroups/bench-hybrid`;
    await call('PUT', `${rg}?api-version=2021-04-01`, { location: 'eastus' });
    const platform = arcPlatformSteps(rg, { name: 'aks', addressPrefix: '10.40.0.0/16', vlan: 40, pool: ['10.40.1.0', '10.40.4.255'] });
    const cl = platform.customLocation;
    const ln = platform.logicalNetwork;
    const settle = async (id: string, v: string) => {
      for (let i = 0; i < 100_000; i++) {
        const r = await call('GET', `${id}?api-version=${v}`);
        const s = r.body?.properties?.provisioningState;
        if (s === 'Succeeded') return;
        if (s === 'Failed' || s === 'Canceled') throw new Error(`${id} ${s}: ${JSON.stringify(r.body)}`);
      }
      throw new Error(`${id} did not settle`);
    };
    const put = async (id: string, v: string, body: unknown) => {
      const r = await call('PUT', `${id}?api-version=${v}`, body);
      if (r.status >= 300) throw new Error(`PUT ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    for (const [id, v, body] of platform.steps) {
      await put(id, v, body);
      await settle(id, v);
    }
    const ccs = Array.from({ length: CLUSTERS }, (_, i) => `${rg}/providers/Microsoft.Kubernetes/connectedClusters/c${i}`);
    await Promise.all(
      ccs.map(async (id) => {
        await put(id, '2024-01-01', { location: 'eastus', kind: 'ProvisionedCluster', identity: { type: 'SystemAssigned' }, properties: { agentPublicKeyCertificate: '' } });
        await settle(id, '2024-01-01');
      }),
    );
    const body = {
      extendedLocation: { type: 'CustomLocation', name: cl },
      properties: {
        controlPlane: { count: 1, vmSize: 'Standard_A4_v2' },
        agentPoolProfiles: [{ name: 'nodepool1', count: 1, vmSize: 'Standard_A4_v2', osType: 'Linux' }],
        cloudProviderProfile: { infraNetworkProfile: { vnetSubnetIds: [ln] } },
      },
    };
    const t0 = process.hrtime.bigint();
    await Promise.all(
      ccs.map(async (cc) => {
        const id = `${cc}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default`;
        await put(id, '2024-01-01', body);
        await settle(id, '2024-01-01');
      }),
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    // every cluster has its VMs and its own endpoint
    const snap = await call('GET', '/_emulator/fabric?site=hci-site-1');
    const vms = snap.body.sites[0].vms.filter((v: any) => v.owner.includes('provisionedClusterInstances'));
    if (vms.length !== CLUSTERS * 2) throw new Error(`expected ${CLUSTERS * 2} cluster VMs, found ${vms.length}`);
    const eps = await Promise.all(
      ccs.map(
        async (cc) =>
          (await call('GET', `${cc}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default?api-version=2024-01-01`)).body.properties.controlPlane.controlPlaneEndpoint.hostIP,
      ),
    );
    if (new Set(eps).size !== CLUSTERS) throw new Error(`control-plane endpoints are not distinct: ${eps.join(', ')}`);
    const rate = CLUSTERS / seconds;
    return { clusters: CLUSTERS, createSeconds: seconds, clustersPerSecond: rate, target: `>= ${TARGET}/s: ${rate >= TARGET ? 'meets target' : 'BELOW TARGET'}` };
  } finally {
    client.close();
    emu.child.kill();
    for (const d of [dataDir, tlsDir]) rmSync(d, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  benchHybrid()
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
