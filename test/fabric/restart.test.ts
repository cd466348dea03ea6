// The fabric's state lives in the store and survives a restart: an operation interrupted in the
// middle of its fan-out resumes (or fails and rolls back) without leaking or double-counting VMs.
// Where the crash lands is chosen by the test, not by the clock: tasks take no simulated time (time scale 0) and a
// barrier task, released only by the test (or by the instance after the restart), holds the plan at that point.

import assert from 'node:assert/strict';
import { ArmError } from '../../src/arm/errors.js';
import { clusterCreatePlan } from '../../src/kubernetes/plans.js';
import { BARRIER, MATRIX, World, barrier, clusterId, instant, isWorkerCreate, until, withBarrier } from './harness.js';

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
      w = await World.create(mode, { store, durable: true });
      w.engine.registerTaskKind(BARRIER, barrier().kind);
      const owner = clusterId('phoenix');
      // the workers wait for the barrier, which this instance never opens: it crashes with them reserved, not booted
      const op = await w.start(owner, withBarrier(plan(owner), isWorkerCreate));
      const booted = (v: { role: string; state: string }) => v.role !== 'worker' && v.state === 'Running';
      await until(() => w.fabric.ownerVms(owner).filter(booted).length === 4, 20_000, 'the control plane and load balancer booted');
      assert.deepEqual(
        w.fabric
          .ownerVms(owner)
          .filter((v) => v.role === 'worker')
          .map((v) => v.state),
        ['Creating', 'Creating', 'Creating'],
      );
      assert.equal(w.engine.get(op.id)!.status, 'InProgress');
      const reserved = w.fabric
        .ownerVms(owner)
        .map((v) => `${v.name}@${v.host}/${v.ip}`)
        .sort();
      assert.equal(reserved.length, 7);
      // the instance after the crash has the barrier open
      await w.restartFrontDoor(async () => w.engine.registerTaskKind(BARRIER, barrier(true).kind));
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
      w = await World.create(mode, { store, durable: true });
      w.engine.registerTaskKind(BARRIER, barrier().kind);
      const fail = {
        run() {
          throw new ArmError(500, 'BootstrapFailed', 'kubeadm join failed');
        },
      };
      w.engine.registerTaskKind('test.fail', fail);
      const owner = clusterId('doomed');
      const tasks = plan(owner);
      tasks.push({ id: 'fail', kind: 'test.fail', params: {}, dependsOn: tasks.filter((t) => t.kind === 'fabric.joinNode').map((t) => t.id) });
      // the failing step waits for the barrier: the crash comes with every VM made and joined
      const op = await w.start(
        owner,
        withBarrier(tasks, (t) => t.id === 'fail'),
      );
      await until(() => w.engine.get(op.id)!.tasks.filter((t) => t.kind === 'fabric.joinNode' && t.state === 'done').length === 3, 20_000, 'every node joined');
      assert.equal(w.fabric.ownerVms(owner).filter((v) => v.state === 'Running').length, 7);
      await w.restartFrontDoor(async () => {
        w.engine.registerTaskKind('test.fail', fail);
        w.engine.registerTaskKind(BARRIER, barrier(true).kind);
      });
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
    // time scale 1: a task waits up to 30 s (real) for the site, far more than its restart takes
    w = await World.create('remote', { durable: true, timeScale: 1 });
    const gate = barrier();
    w.engine.registerTaskKind(BARRIER, gate.kind);
    const owner = clusterId('bounce');
    const op = await w.start(owner, withBarrier(instant(plan(owner)), isWorkerCreate));
    // (done as the engine records them: a VM the site has made may still have its answer on the way)
    await until(() => w.engine.get(op.id)!.tasks.every((t) => t.kind !== 'fabric.createVm' || isWorkerCreate(t) || t.state === 'done'), 20_000, 'the control plane and load balancer made');
    const def = w.sites.find((s) => s.def.name === 'local')!.def;
    const port = await w.stopSite('local');
    // the workers' VMs are made while the site is down: their tasks wait for it
    gate.open();
    await until(() => w.engine.get(op.id)!.tasks.filter((t) => isWorkerCreate(t) && t.state === 'running').length === 3, 20_000, 'the workers waiting for the site');
    await w.startSite(def, port);
    const done = await w.engine.waitFor(op.id);
    assert.equal(done.status, 'Succeeded', JSON.stringify(done.error));
    const site = w.sites.find((s) => s.def.name === 'local')!.site;
    assert.equal(site.vmsOf(owner).length, 7);
    assert.equal(w.fabric.ownerVms(owner).length, 7);
  });

  it('a site process that stays down fails the operation (SiteUnreachable); its rollback lands when the site returns', async () => {
    // time scale 0: the 30 s a task waits for the site take no time, so the task gives up at its first try
    w = await World.create('remote', { durable: true });
    const gate = barrier();
    w.engine.registerTaskKind(BARRIER, gate.kind);
    const owner = clusterId('stranded');
    const op = await w.start(owner, withBarrier(plan(owner), isWorkerCreate));
    // (done as the engine records them: a VM the site has made may still have its answer on the way)
    await until(() => w.engine.get(op.id)!.tasks.every((t) => t.kind !== 'fabric.createVm' || isWorkerCreate(t) || t.state === 'done'), 20_000, 'the control plane and load balancer made');
    const def = w.sites.find((s) => s.def.name === 'local')!.def;
    const port = await w.stopSite('local');
    gate.open();
    const done = await w.engine.waitFor(op.id);
    assert.equal(done.status, 'Failed');
    assert.equal(done.error!.code, 'SiteUnreachable');
    assert.match(done.error!.message, /Azure Stack Hub stamp 'local' could not be reached/);
    // the site comes back with the VMs it had; the queued undo calls reach it and remove them
    const back = await w.startSite(def, port);
    assert.ok(back.site.vmsOf(owner).length > 0);
    await until(() => back.site.vmsOf(owner).length === 0, 20_000, 'queued rollback to land');
    const snap = back.site.snapshotSync();
    assert.equal(snap.capacity!.freeCores, snap.capacity!.cores);
  });
});
