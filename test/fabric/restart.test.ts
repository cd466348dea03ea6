// The fabric's state lives in the store and survives a restart: an operation interrupted in the
// middle of its fan-out resumes (or fails and rolls back) without leaking or double-counting VMs.

import assert from 'node:assert/strict';
import { ArmError } from '../../src/arm/errors.js';
import { clusterCreatePlan } from '../../src/kubernetes/plans.js';
import { MATRIX, World, clusterId, until } from './harness.js';

const plan = (owner: string) =>
  clusterCreatePlan({
    owner,
    site: 'local',
    kubernetesVersion: '1.20.7',
    controlPlane: { count: 3, vmSize: 'Standard_DS2_v2' },
    loadBalancer: { count: 1, vmSize: 'Standard_DS2_v2' },
    pools: [{ name: 'nodepool1', count: 3, vmSize: 'Standard_D4s_v3' }],
  });

for (const { mode, store, name } of MATRIX) {
  describe(`fabric restart (${name})`, function () {
    let w: World;
    afterEach(async () => {
      await w?.close();
    });

    it('a front-door crash in the middle of a fan-out resumes: same VMs, counted once', async () => {
      w = await World.create(mode, { store, durable: true, timeScale: 0.004 });
      const owner = clusterId('phoenix');
      const op = await w.start(owner, plan(owner));
      // some VMs booted, others not yet
      await until(() => w.fabric.ownerVms(owner).some((v) => v.state === 'Running') && w.engine.get(op.id)!.status === 'InProgress', 5000, 'mid fan-out');
      const reserved = w.fabric
        .ownerVms(owner)
        .map((v) => `${v.name}@${v.host}/${v.ip}`)
        .sort();
      assert.equal(reserved.length, 7);
      await w.restartFrontDoor();
      const done = await w.engine.waitFor(op.id);
      assert.equal(done.status, 'Succeeded', JSON.stringify(done.error));
      assert.equal(done.resumed, 1);
      const vms = w.fabric.ownerVms(owner);
      // the very VMs reserved before the crash, where they were, no second copy
      assert.deepEqual(vms.map((v) => `${v.name}@${v.host}/${v.ip}`).sort(), reserved);
      assert.ok(vms.every((v) => v.state === 'Running'));
      assert.deepEqual(w.fabric.ownerStatus(owner).nodeCounts, { nodepool1: 3 });
      const site = await w.siteSnapshot('local');
      assert.equal(site.capacity!.cores - site.capacity!.freeCores, 20);
      assert.equal(site.logicalNetworks[0].usedIps, 7);
    });

    it('an operation that fails after a restart rolls back what was made before the crash', async () => {
      w = await World.create(mode, { store, durable: true, timeScale: 0.004 });
      const fail = {
        run() {
          throw new ArmError(500, 'BootstrapFailed', 'kubeadm join failed');
        },
      };
      w.engine.registerTaskKind('test.fail', fail);
      const owner = clusterId('doomed');
      const tasks = plan(owner);
      tasks.push({ id: 'fail', kind: 'test.fail', params: {}, dependsOn: tasks.filter((t) => t.kind === 'fabric.joinNode').map((t) => t.id) });
      const op = await w.start(owner, tasks);
      await until(() => w.fabric.ownerVms(owner).some((v) => v.state === 'Running'), 5000, 'a running VM');
      await w.restartFrontDoor(async () => w.engine.registerTaskKind('test.fail', fail));
      const done = await w.engine.waitFor(op.id);
      assert.equal(done.status, 'Failed');
      assert.equal(done.error!.code, 'BootstrapFailed');
      assert.deepEqual(w.fabric.ownerVms(owner), []);
      const site = await w.siteSnapshot('local');
      assert.equal(site.capacity!.freeCores, site.capacity!.cores);
      assert.equal(site.logicalNetworks[0].usedIps, 0);
    });

    it('faults persist: a disconnected site and a failed host are still so after a restart', async () => {
      w = await World.create(mode, { store, durable: true });
      const owner = clusterId('steady');
      assert.equal((await w.run(owner, plan(owner))).status, 'Succeeded');
      const host = w.fabric.ownerVms(owner)[0].host!;
      await w.fabric.failHost('local', host);
      await w.fabric.disconnect('hci-test');
      await w.restartFrontDoor();
      const local = await w.siteSnapshot('local');
      assert.equal(local.hosts.find((h) => h.name === host)!.state, 'Failed');
      assert.equal((await w.siteSnapshot('hci-test')).connected, false);
      assert.equal(w.fabric.ownerVms(owner).length, 7);
      assert.equal(local.capacity!.cores - 16 - local.capacity!.freeCores, 20);
    });
  });
}

describe('fabric restart (remote site process)', function () {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });

  it('a site process that dies mid-operation and comes back within the wait: the operation finishes', async () => {
    w = await World.create('remote', { durable: true, timeScale: 0.004 }); // 30 s wait -> 120 ms
    const owner = clusterId('bounce');
    const op = await w.start(owner, plan(owner));
    await until(() => w.fabric.ownerVms(owner).some((v) => v.state === 'Running'), 5000, 'a running VM');
    const def = w.sites.find((s) => s.def.name === 'local')!.def;
    const port = await w.stopSite('local');
    await w.startSite(def, port);
    const done = await w.engine.waitFor(op.id);
    assert.equal(done.status, 'Succeeded', JSON.stringify(done.error));
    const site = w.sites.find((s) => s.def.name === 'local')!.site;
    assert.equal(site.vmsOf(owner).length, 7);
    assert.equal(w.fabric.ownerVms(owner).length, 7);
  });

  it('a site process that stays down fails the operation (SiteUnreachable); its rollback lands when the site returns', async () => {
    w = await World.create('remote', { durable: true, timeScale: 0.004 });
    const owner = clusterId('stranded');
    const op = await w.start(owner, plan(owner));
    await until(() => w.fabric.ownerVms(owner).some((v) => v.state === 'Running'), 5000, 'a running VM');
    const def = w.sites.find((s) => s.def.name === 'local')!.def;
    const port = await w.stopSite('local');
    const done = await w.engine.waitFor(op.id);
    assert.equal(done.status, 'Failed');
    assert.equal(done.error!.code, 'SiteUnreachable');
    assert.match(done.error!.message, /Azure Stack Hub stamp 'local' could not be reached/);
    // the site comes back with the VMs it had; the queued undo calls reach it and remove them
    const back = await w.startSite(def, port);
    assert.ok(back.site.vmsOf(owner).length > 0);
    await until(() => back.site.vmsOf(owner).length === 0, 5000, 'queued rollback to land');
    const snap = back.site.snapshotSync();
    assert.equal(snap.capacity!.freeCores, snap.capacity!.cores);
  });
});
