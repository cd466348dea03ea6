// The real az CLI (2.45, default profile, api-version 2022-11-01) on the operations beyond CRUD that
// it has: command invoke (kubectl get nodes answered from the fabric's VMs), nodepool upgrade
// --node-image-only, nodepool get-upgrades, nodepool snapshot create/list/show/delete and a pool from a
// snapshot; and the same commands refused synchronously on an Azure Stack Hub stamp, naming the limit.
// (az 2.45 has no `aks maintenanceconfiguration` and no `aks nodepool delete-machines`: those are
// exercised through @azure/arm-containerservice in sdk-operations.test.ts.)
import assert from 'node:assert/strict';
import { AzSession, ensureAz } from '../support/az.js';
import type { TestEmulator } from '../support/emulator.js';
import { clusterBody, clusterPath, fabricOf, startAksEmulator, writeAndWait } from './helpers.js';

describe('az aks operations beyond CRUD (real az CLI): command invoke, node image upgrade, get-upgrades, snapshots', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let az: AzSession;
  before(async () => {
    ensureAz();
    emu = await startAksEmulator();
    az = new AzSession(emu);
    await az.login();
    await az.ok(['group', 'create', '-n', 'azops', '-l', 'eastus']);
    await az.ok(['group', 'create', '-n', 'azopshub', '-l', 'local']);
  });
  after(async () => emu?.close());

  it('on an Azure region: command invoke lists the VMs as nodes; node image upgrade replaces them; get-upgrades; snapshot and a pool from it', async () => {
    const fabric = fabricOf(emu);
    const c = await az.ok(['aks', 'create', '-g', 'azops', '-n', 'k1', '--no-ssh-key', '--node-count', '2']);
    const workers = () =>
      fabric
        .ownerVms(c.id)
        .filter((v) => v.role === 'worker')
        .map((v) => v.name)
        .sort();
    const before = workers();
    assert.equal(before.length, 2);

    // az aks command invoke, with az's own printing (exit code and logs) and as JSON
    const printed = await az.run(['aks', 'command', 'invoke', '-g', 'azops', '-n', 'k1', '--command', 'kubectl get nodes']);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /with exitcode=0/);
    const v = String(c.kubernetesVersion).replace(/\./g, '\\.');
    for (const n of before) assert.match(printed.stdout, new RegExp(`^${n}\\s+Ready\\s+agent\\s+\\S+\\s+v${v}$`, 'm'));
    const json = await az.ok(['aks', 'command', 'invoke', '-g', 'azops', '-n', 'k1', '--command', 'kubectl get nodes -o name']);
    assert.equal(json.exitCode, 0);
    assert.equal(json.provisioningState, 'Succeeded');
    assert.deepEqual(
      json.logs.trim().split('\n').sort(),
      before.map((n) => `node/${n}`),
    );
    const other = await az.ok(['aks', 'command', 'invoke', '-g', 'azops', '-n', 'k1', '--command', 'helm install x y']);
    assert.equal(other.exitCode, 127);

    // az aks nodepool get-upgrades / upgrade --node-image-only
    const ups = await az.ok(['aks', 'nodepool', 'get-upgrades', '-g', 'azops', '--cluster-name', 'k1', '--nodepool-name', 'nodepool1']);
    assert.equal(ups.kubernetesVersion, '1.35.6');
    assert.ok(ups.latestNodeImageVersion);
    await az.ok(['aks', 'nodepool', 'upgrade', '-g', 'azops', '--cluster-name', 'k1', '-n', 'nodepool1', '--node-image-only']);
    const after = workers();
    assert.equal(after.length, 2);
    assert.ok(
      after.every((n) => !before.includes(n)),
      'the node image upgrade replaced every VM of the pool',
    );
    const pool = await az.ok(['aks', 'nodepool', 'show', '-g', 'azops', '--cluster-name', 'k1', '-n', 'nodepool1']);
    assert.equal(pool.provisioningState, 'Succeeded');
    assert.equal(pool.nodeImageVersion, ups.latestNodeImageVersion);

    // az aks nodepool snapshot create / list / show, a pool from it, delete
    const snap = await az.ok(['aks', 'nodepool', 'snapshot', 'create', '-g', 'azops', '-n', 'snap1', '--nodepool-id', pool.id]);
    assert.equal(snap.kubernetesVersion, '1.35.6');
    assert.equal(snap.nodeImageVersion, pool.nodeImageVersion);
    assert.deepEqual(
      (await az.ok(['aks', 'nodepool', 'snapshot', 'list', '-g', 'azops'])).map((s: any) => s.name),
      ['snap1'],
    );
    assert.equal((await az.ok(['aks', 'nodepool', 'snapshot', 'show', '-g', 'azops', '-n', 'snap1'])).id, snap.id);
    const p2 = await az.ok(['aks', 'nodepool', 'add', '-g', 'azops', '--cluster-name', 'k1', '-n', 'fromsnap', '--node-count', '1', '--snapshot-id', snap.id]);
    assert.equal(p2.creationData.sourceResourceId, snap.id);
    assert.equal(p2.currentOrchestratorVersion, '1.35.6');
    await az.ok(['aks', 'nodepool', 'snapshot', 'delete', '-g', 'azops', '-n', 'snap1', '--yes']);
    assert.deepEqual(await az.ok(['aks', 'nodepool', 'snapshot', 'list', '-g', 'azops']), []);
  });

  it('on an Azure Stack Hub stamp: the same commands are refused at once, naming the limit', async () => {
    const h = await writeAndWait(emu, 'put', `${clusterPath('azopshub', 'h1')}?api-version=2020-11-01`, clusterBody('local'));
    assert.equal(h.status.status, 'Succeeded');
    const refused = async (args: string[], ...needles: RegExp[]) => {
      const r = await az.run(args);
      assert.notEqual(r.code, 0, `expected az ${args.join(' ')} to fail; it printed ${r.stdout}`);
      for (const n of needles) assert.match(r.stderr, n);
    };
    await refused(['aks', 'command', 'invoke', '-g', 'azopshub', '-n', 'h1', '--command', 'kubectl get nodes'], /FeatureNotSupportedOnTarget/, /does not support run command/, /2020-11-01/);
    await refused(['aks', 'nodepool', 'upgrade', '-g', 'azopshub', '--cluster-name', 'h1', '-n', 'nodepool1', '--node-image-only', '--yes'], /FeatureNotSupportedOnTarget/, /node image upgrades/);
    const pool = await az.ok(['aks', 'nodepool', 'show', '-g', 'azopshub', '--cluster-name', 'h1', '-n', 'nodepool1']);
    await refused(['aks', 'nodepool', 'snapshot', 'create', '-g', 'azopshub', '-n', 's1', '--nodepool-id', pool.id], /FeatureNotSupportedOnTarget/, /snapshots/);
    // nothing changed on the stamp
    assert.equal((await az.ok(['aks', 'nodepool', 'show', '-g', 'azopshub', '--cluster-name', 'h1', '-n', 'nodepool1'])).provisioningState, 'Succeeded');
  });
});
