// A site as its own OS process (dist/src/fabric/site-main.js), declared in the config file with
// "remote", reached by the front door over loopback HTTP; killed and restarted, its state remains.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fabric } from '../../src/fabric/fabric.js';
import { clusterCreatePlan } from '../../src/kubernetes/plans.js';
import type { Services } from '../../src/framework/types.js';
import { makeServices, clusterId, SUB } from './harness.js';

const SITE_MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/fabric/site-main.js');

function startProcess(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SITE_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve({ child, url: JSON.parse(line).url });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (code) => reject(new Error(`site process exited (${code}): ${err}`)));
  });
}

describe('fabric site as its own process', function () {
  this.timeout(30_000);
  let tmp: string;
  let child: ChildProcess | undefined;
  let services: Services | undefined;
  let fabric: Fabric | undefined;

  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'site-proc-'));
  });
  afterEach(async () => {
    services?.asyncOperations.stop();
    await fabric?.close();
    await services?.store.close();
    child?.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('serves a configured HCI site; the front door creates a cluster on it; state survives kill -9', async () => {
    const configFile = path.join(tmp, 'emulator.json');
    const site = {
      name: 'edge-1',
      kind: 'AzureStackHCI',
      hosts: { count: 2, cores: 16, memoryGB: 128, storageGB: 2048 },
      logicalNetworks: [{ name: 'lnet-edge', addressPrefix: '172.16.0.0/24', ipPools: [{ start: '172.16.0.50', end: '172.16.0.99' }] }],
      infrastructureVms: [],
    };
    writeFileSync(configFile, JSON.stringify({ sites: [site] }));
    const dataDir = path.join(tmp, 'edge-1');
    let p = await startProcess(['--config', configFile, '--site', 'edge-1', '--data-dir', dataDir, '--no-fsync']);
    child = p.child;
    const port = new URL(p.url).port;
    // the front door reads the same file, where the site now says where its process listens
    writeFileSync(configFile, JSON.stringify({ subscriptions: [{ subscriptionId: SUB }], sites: [{ ...site, remote: p.url }] }));
    services = await makeServices({ dir: null, configFile });
    fabric = services.fabric!;

    const owner = clusterId('edge-cluster');
    const tasks = clusterCreatePlan({
      owner,
      site: 'edge-1',
      controlPlane: { count: 1, vmSize: 'Standard_A4_v2' },
      loadBalancer: { count: 1, vmSize: 'Standard_K8S3_v1' },
      pools: [{ name: 'linux', count: 2, vmSize: 'Standard_K8S3_v1' }],
    });
    const op = services.asyncOperations.create(
      { kind: 'create', tasks },
      {
        resourceId: owner,
        typeKey: 'microsoft.hybridcontainerservice/provisionedclusterinstances',
        namespace: 'Microsoft.HybridContainerService',
        location: 'eastus',
        subscriptionId: SUB,
        method: 'PUT',
        apiVersion: '2024-01-01',
      },
    );
    await services.store.write([services.asyncOperations.writeOp(op)]);
    services.asyncOperations.run(op);
    const done = await services.asyncOperations.waitFor(op.id);
    assert.equal(done.status, 'Succeeded', JSON.stringify(done.error));
    assert.deepEqual(fabric.ownerStatus(owner).nodeCounts, { linux: 2 });
    let snap = (await fabric.snapshot({ site: 'edge-1' })).sites[0];
    assert.equal(snap.remote, p.url);
    assert.equal(snap.vms.length, 4);
    assert.ok(snap.vms.every((v) => v.ip!.startsWith('172.16.0.')));

    // crash the site process, start it again on its port and data dir
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    p = await startProcess(['--config', configFile, '--site', 'edge-1', '--data-dir', dataDir, '--port', port, '--no-fsync']);
    child = p.child;
    snap = (await fabric.snapshot({ site: 'edge-1' })).sites[0];
    assert.equal(snap.reachable, true);
    assert.equal(snap.vms.length, 4);
    assert.equal(snap.capacity!.cores - snap.capacity!.freeCores, 16);
  });

  it('run-time logical networks and installed packages go through the site process and survive kill -9', async () => {
    const configFile = path.join(tmp, 'emulator.json');
    const site = { name: 'edge-2', kind: 'AzureStackHCI', hosts: { count: 1, cores: 16, memoryGB: 128 }, infrastructureVms: [] };
    writeFileSync(configFile, JSON.stringify({ sites: [site] }));
    const dataDir = path.join(tmp, 'edge-2');
    let p = await startProcess(['--config', configFile, '--site', 'edge-2', '--data-dir', dataDir, '--no-fsync']);
    child = p.child;
    const port = new URL(p.url).port;
    writeFileSync(configFile, JSON.stringify({ subscriptions: [{ subscriptionId: SUB }], sites: [{ ...site, remote: p.url }] }));
    services = await makeServices({ dir: null, configFile });
    fabric = services.fabric!;
    const b = fabric.site('edge-2');
    await b.addNetwork({ name: 'lnet-run', addressPrefix: '10.9.0.0/24', vlan: 9, ipPools: [{ start: '10.9.0.10', end: '10.9.0.11' }], owner: '/lnet' }, 'op-net');
    await assert.rejects(
      b.addNetwork({ name: 'other', addressPrefix: '10.9.0.128/25', vlan: 9, ipPools: [{ start: '10.9.0.130', end: '10.9.0.131' }], owner: '/o' }, 'op-2'),
      /overlaps logical network 'lnet-run'/,
    );
    const vm = await b.createVm({ name: 'bridge-vm', owner: '/bridge', role: 'appliance', vmSize: 'Standard_A4_v2', logicalNetwork: 'lnet-run' }, 'op-vm');
    assert.equal(vm.ip, '10.9.0.10');
    await b.installPackage({ name: 'pkg-1', owner: '/ext', host: '/bridge', packageType: 'microsoft.flux', version: '1.0.0' }, 'op-pkg');
    await assert.rejects(b.removeNetwork('lnet-run', '/lnet'), /in use by 1 VM/);

    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    p = await startProcess(['--config', configFile, '--site', 'edge-2', '--data-dir', dataDir, '--port', port, '--no-fsync']);
    child = p.child;
    let snap = (await fabric.snapshot({ site: 'edge-2' })).sites[0];
    assert.deepEqual(
      snap.logicalNetworks.filter((n) => n.owner).map((n) => [n.name, n.usedIps, n.freeIps]),
      [['lnet-run', 1, 1]],
    );
    assert.deepEqual(
      snap.packages!.map((x) => x.name),
      ['pkg-1'],
    );
    // deleting the host's VMs takes its packages; then the network can go
    await b.deleteOwner('/bridge');
    await b.removeNetwork('lnet-run', '/lnet');
    snap = (await fabric.snapshot({ site: 'edge-2' })).sites[0];
    assert.deepEqual(snap.packages, []);
    assert.ok(!snap.logicalNetworks.some((n) => n.name === 'lnet-run'));
  });

  it('refuses to start for a site that is not in the config', async () => {
    await assert.rejects(startProcess(['--site', 'nowhere', '--in-memory']), /site 'nowhere' is not in the default sites/);
  });
});
