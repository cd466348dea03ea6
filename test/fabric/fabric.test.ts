// Behaviour of the fabric through the real operation engine, against in-process sites and against
// sites served over HTTP (remote mode): the same expectations for both.

import assert from 'node:assert/strict';
import { ArmError } from '../../src/arm/errors.js';
import { clusterCreatePlan, deletePlan, poolScalePlan, startPlan, stopPlan, upgradePlan } from '../../src/kubernetes/plans.js';
import { BARRIER, MATRIX, World, barrier, clusterId, instant, isWorkerCreate, until, withBarrier } from './harness.js';
import { onFirstRefusal } from '../support/refusals.js';

const hubCluster = (owner: string, workers = 3, vmSize = 'Standard_D4s_v3') =>
  clusterCreatePlan({
    owner,
    site: 'local',
    kubernetesVersion: '1.20.7',
    controlPlane: { count: 3, vmSize: 'Standard_DS2_v2' },
    loadBalancer: { count: 1, vmSize: 'Standard_DS2_v2' },
    pools: [{ name: 'nodepool1', count: workers, vmSize }],
  });

/** Every VM but the workers made, as the engine records it (in remote mode a VM the site made may still have its answer on the way). */
const frontMade = (w: World, id: string) => w.engine.get(id)!.tasks.every((t) => t.kind !== 'fabric.createVm' || isWorkerCreate(t) || t.state === 'done');

for (const { mode, store, name } of MATRIX) {
  describe(`fabric (${name})`, function () {
    let w: World;
    afterEach(async () => {
      await w?.close();
    });

    it('creates a cluster: control plane, load balancer, workers spread over hosts, nodes joined', async () => {
      w = await World.create(mode, { store });
      const owner = clusterId('c1');
      const op = await w.run(owner, hubCluster(owner));
      assert.equal(op.status, 'Succeeded', JSON.stringify(op.error));
      assert.equal(op.percentComplete, 100);
      const s = w.fabric.ownerStatus(owner);
      assert.equal(s.controlPlaneCount, 3);
      assert.equal(s.loadBalancerCount, 1);
      assert.deepEqual(s.nodeCounts, { nodepool1: 3 });
      assert.equal(s.powerState, 'Running');
      assert.equal(s.degraded, false);
      assert.deepEqual(s.kubernetesVersions, ['1.20.7']);
      // the three control-plane VMs sit on three different hosts
      const cpHosts = new Set(s.vms.filter((v) => v.role === 'controlPlane').map((v) => v.host));
      assert.equal(cpHosts.size, 3);
      // every VM has its own address from the pool
      const ips = s.vms.map((v) => v.ip);
      assert.equal(new Set(ips).size, 7);
      assert.ok(ips.every((ip) => ip!.startsWith('10.240.')));
      // capacity accounting: 3 x 2 + 1 x 2 + 3 x 4 = 20 cores used
      const site = await w.siteSnapshot('local');
      assert.equal(site.capacity!.cores - site.capacity!.freeCores, 20);
      assert.equal(site.vms.length, 7);
      assert.ok(site.vms.every((v) => v.owner === owner && v.state === 'Running'));
    });

    it('percentComplete follows the tasks while the fan-out runs', async () => {
      w = await World.create(mode, { store });
      const gate = barrier();
      w.engine.registerTaskKind(BARRIER, gate.kind);
      const owner = clusterId('c-progress');
      // the workers wait for the barrier: the operation stands with the control plane and load balancer made
      const op = await w.start(owner, withBarrier(hubCluster(owner), isWorkerCreate));
      assert.equal(w.engine.get(op.id)!.percentComplete, 0);
      await until(() => frontMade(w, op.id), 20_000, 'the control plane and load balancer');
      const weight = (t: { weight?: number }) => t.weight ?? 1;
      const tasks = w.engine.get(op.id)!.tasks;
      const part = Math.round((tasks.filter((t) => t.state === 'done').reduce((s, t) => s + weight(t), 0) / tasks.reduce((s, t) => s + weight(t), 0)) * 1000) / 10;
      await until(() => w.engine.get(op.id)!.percentComplete === part, 20_000, `percentComplete ${part}`);
      assert.ok(part > 0 && part < 100, `${part}`);
      assert.equal(w.engine.get(op.id)!.status, 'InProgress');
      gate.open();
      const done = await w.engine.waitFor(op.id);
      assert.equal(done.status, 'Succeeded');
      assert.equal(done.percentComplete, 100);
    });

    it('refuses a cluster that does not fit, naming the shortfall, and leaks nothing', async () => {
      w = await World.create(mode, { store });
      const before = await w.siteSnapshot('local');
      const owner = clusterId('too-big');
      // 3 x 2 + 2 + 10 x 8 = 88 cores on a 64-core stamp
      const op = await w.run(owner, hubCluster(owner, 10, 'Standard_D8s_v3'));
      assert.equal(op.status, 'Failed');
      assert.equal(op.error!.code, 'InsufficientCapacity');
      assert.equal(op.error!.message, "Not enough cores on Azure Stack Hub stamp 'local': the operation needs 88 more cores, 64 are free.");
      assert.deepEqual(w.fabric.ownerVms(owner), []);
      const after = await w.siteSnapshot('local');
      assert.deepEqual(after.hosts, before.hosts);
      assert.equal(after.logicalNetworks[0].usedIps, 0);
    });

    it('two clusters compete: the second is refused with the numbers, the first keeps its capacity', async () => {
      w = await World.create(mode, { store });
      const a = clusterId('a');
      const b = clusterId('b');
      // 3 x 2 + 2 + 7 x 4 = 36 cores each, on a 64-core stamp
      const [opA, opB] = await Promise.all([w.run(a, hubCluster(a, 7)), w.run(b, hubCluster(b, 7))]);
      const ok = [opA, opB].filter((o) => o.status === 'Succeeded');
      const failed = [opA, opB].filter((o) => o.status === 'Failed');
      assert.equal(ok.length, 1);
      assert.equal(failed.length, 1);
      assert.match(failed[0].error!.message, /the operation needs 36 more cores, 28 are free\.$/);
      const site = await w.siteSnapshot('local');
      assert.equal(site.capacity!.cores - site.capacity!.freeCores, 36);
      assert.equal(site.vms.length, 11);
    });

    it('rolls back every VM the operation made when a later task fails', async () => {
      w = await World.create(mode, { store });
      const other = clusterId('bystander');
      assert.equal((await w.run(other, hubCluster(other, 1))).status, 'Succeeded');
      const before = await w.siteSnapshot('local');
      w.engine.registerTaskKind('test.fail', {
        run() {
          throw new ArmError(500, 'ExtensionInstallFailed', 'the cluster extension could not be installed');
        },
      });
      const owner = clusterId('doomed');
      const tasks = hubCluster(owner);
      tasks.push({ id: 'fail', kind: 'test.fail', params: {}, dependsOn: tasks.filter((t) => t.kind === 'fabric.joinNode').map((t) => t.id) });
      const op = await w.run(owner, tasks);
      assert.equal(op.status, 'Failed');
      assert.equal(op.error!.code, 'ExtensionInstallFailed');
      assert.ok(op.tasks.filter((t) => t.kind === 'fabric.createVm').every((t) => t.state === 'undone'));
      assert.deepEqual(w.fabric.ownerVms(owner), []);
      const after = await w.siteSnapshot('local');
      assert.deepEqual(after.hosts, before.hosts);
      assert.equal(w.fabric.ownerVms(other).length, 5);
    });

    it('an unknown VM size on the site fails cleanly', async () => {
      w = await World.create(mode, { store });
      const owner = clusterId('bad-size');
      const op = await w.run(owner, hubCluster(owner, 1, 'Standard_K8S3_v1'));
      assert.equal(op.status, 'Failed');
      assert.equal(op.error!.code, 'VMSizeNotSupported');
      assert.match(op.error!.message, /Standard_K8S3_v1' is not available on Azure Stack Hub stamp 'local'/);
    });

    it('runs out of addresses on an HCI logical network with a clear error', async () => {
      w = await World.create(mode, { store });
      // 10 addresses, the appliance holds one: 9 VMs fit, 10 do not
      const owner = clusterId('many');
      const plan = clusterCreatePlan({ owner, site: 'hci-test', controlPlane: { count: 1, vmSize: 'Standard_K8S2_v1' }, pools: [{ name: 'p', count: 9, vmSize: 'Standard_K8S2_v1' }] });
      const op = await w.run(owner, plan);
      assert.equal(op.status, 'Failed');
      assert.equal(op.error!.code, 'InsufficientIpAddresses');
      assert.match(op.error!.message, /Logical network 'lnet-1' on Azure Stack HCI site 'hci-test' has no free IP addresses: all 10 addresses/);
      assert.deepEqual(w.fabric.ownerVms(owner), []);
      assert.equal((await w.siteSnapshot('hci-test')).logicalNetworks[0].usedIps, 1);
    });

    it('Azure regions are elastic but still track VMs', async () => {
      w = await World.create(mode, { store });
      const owner = clusterId('cloud');
      const op = await w.run(owner, clusterCreatePlan({ owner, site: 'eastus', pools: [{ name: 'nodepool1', count: 50, vmSize: 'Standard_D8s_v3' }] }));
      assert.equal(op.status, 'Succeeded');
      const s = await w.siteSnapshot('eastus');
      assert.equal(s.elastic, true);
      assert.equal(s.capacity, null);
      assert.equal(s.vms.length, 50);
      assert.deepEqual(w.fabric.ownerStatus(owner).nodeCounts, { nodepool1: 50 });
    });

    it('scales a pool out and in, and deletes a cluster without leftovers', async () => {
      w = await World.create(mode, { store });
      const owner = clusterId('scaler');
      await w.run(owner, hubCluster(owner, 2));
      const up = await w.run(owner, poolScalePlan({ owner, site: 'local', pool: 'nodepool1', vmSize: 'Standard_D4s_v3', count: 4, current: w.fabric.ownerVms(owner) }), 'update');
      assert.equal(up.status, 'Succeeded');
      assert.deepEqual(w.fabric.ownerStatus(owner).nodeCounts, { nodepool1: 4 });
      const names = w.fabric
        .ownerVms(owner)
        .filter((v) => v.role === 'worker')
        .map((v) => v.name)
        .sort();
      assert.deepEqual(
        names.map((n) => n.slice(-2)),
        ['00', '01', '02', '03'],
      );
      const down = await w.run(owner, poolScalePlan({ owner, site: 'local', pool: 'nodepool1', vmSize: 'Standard_D4s_v3', count: 1, current: w.fabric.ownerVms(owner) }), 'update');
      assert.equal(down.status, 'Succeeded');
      assert.deepEqual(w.fabric.ownerStatus(owner).nodeCounts, { nodepool1: 1 });
      const del = await w.run(owner, deletePlan({ owner, site: 'local', current: w.fabric.ownerVms(owner) }), 'delete');
      assert.equal(del.status, 'Succeeded');
      assert.deepEqual(w.fabric.ownerVms(owner), []);
      const site = await w.siteSnapshot('local');
      assert.equal(site.capacity!.freeCores, site.capacity!.cores);
      assert.equal(site.logicalNetworks[0].usedIps, 0);
    });

    it('stop deallocates workers (freeing capacity) and start brings them back', async () => {
      w = await World.create(mode, { store });
      const owner = clusterId('sleepy');
      await w.run(owner, hubCluster(owner, 3));
      const stop = await w.run(owner, stopPlan({ owner, site: 'local', current: w.fabric.ownerVms(owner) }), 'action');
      assert.equal(stop.status, 'Succeeded');
      let s = w.fabric.ownerStatus(owner);
      assert.equal(s.powerState, 'Stopped');
      assert.deepEqual(s.nodeCounts, { nodepool1: 0 });
      let site = await w.siteSnapshot('local');
      assert.equal(site.capacity!.cores - site.capacity!.freeCores, 8); // control plane and LB still allocated
      const start = await w.run(owner, startPlan({ owner, site: 'local', current: w.fabric.ownerVms(owner) }), 'action');
      assert.equal(start.status, 'Succeeded');
      s = w.fabric.ownerStatus(owner);
      assert.equal(s.powerState, 'Running');
      assert.deepEqual(s.nodeCounts, { nodepool1: 3 });
      site = await w.siteSnapshot('local');
      assert.equal(site.capacity!.cores - site.capacity!.freeCores, 20);
    });

    it('upgrades with a rolling replacement, one node of surge', async () => {
      w = await World.create(mode, { store });
      const owner = clusterId('upgrader');
      await w.run(owner, hubCluster(owner, 2));
      const before = new Set(w.fabric.ownerVms(owner).map((v) => v.name));
      const plan = upgradePlan({ owner, site: 'local', current: w.fabric.ownerVms(owner), kubernetesVersion: '1.21.2' });
      const op = await w.run(owner, plan, 'update');
      assert.equal(op.status, 'Succeeded');
      const s = w.fabric.ownerStatus(owner);
      assert.deepEqual(s.kubernetesVersions, ['1.20.7', '1.21.2']); // the load balancer keeps its version
      assert.equal(s.controlPlaneCount, 3);
      assert.deepEqual(s.nodeCounts, { nodepool1: 2 });
      assert.ok(s.vms.filter((v) => v.role !== 'loadBalancer').every((v) => !before.has(v.name) && v.kubernetesVersion === '1.21.2'));
    });

    it('a failed upgrade keeps replacements whose old node is gone, so no node is lost', async () => {
      w = await World.create(mode, { store });
      const owner = clusterId('half-upgraded');
      await w.run(owner, hubCluster(owner, 2));
      w.engine.registerTaskKind('test.fail', {
        run() {
          throw new ArmError(500, 'UpgradeFailed', 'node drain timed out');
        },
      });
      const plan = upgradePlan({ owner, site: 'local', current: w.fabric.ownerVms(owner), kubernetesVersion: '1.21.2' });
      // fail right after the second control-plane node's old VM is deleted
      const cut = plan.findIndex((t, i) => t.kind === 'fabric.deleteVm' && plan.slice(0, i).filter((x) => x.kind === 'fabric.deleteVm').length === 1);
      plan.push({ id: 'boom', kind: 'test.fail', params: {}, dependsOn: [plan[cut].id] });
      const op = await w.run(owner, plan, 'update');
      assert.equal(op.status, 'Failed');
      const s = w.fabric.ownerStatus(owner);
      assert.equal(s.controlPlaneCount, 3);
      assert.deepEqual(s.nodeCounts, { nodepool1: 2 });
      // the nodes replaced before the failure stay replaced (the third may or may not have been reached)
      assert.ok(s.vms.filter((v) => v.role === 'controlPlane' && v.kubernetesVersion === '1.21.2').length >= 2);
      const site = await w.siteSnapshot('local');
      assert.equal(site.vms.length, 6); // no surge VM left behind
    });

    describe('faults', () => {
      it('an operation on a disconnected site waits (bounded, scaled) and fails with SiteDisconnected', async () => {
        w = await World.create(mode, { store, timeScale: 0.01 }); // 30 s -> 300 ms
        await w.fabric.disconnect('local');
        const owner = clusterId('cut-off');
        const t0 = Date.now();
        const op = await w.run(owner, instant(hubCluster(owner, 1)));
        const took = Date.now() - t0;
        assert.equal(op.status, 'Failed');
        assert.equal(op.error!.code, 'SiteDisconnected');
        assert.match(op.error!.message, /Azure Stack Hub stamp 'local' is disconnected from Azure: the operation waited 30 s.*POST \/_emulator\/fabric\/sites\/local\/connect/);
        // it waited (at least the scaled 30 s; how much longer depends on the machine's load, so no upper figure)
        assert.ok(took >= 290, `took ${took} ms`);
        assert.deepEqual(w.fabric.ownerVms(owner), []);
      });

      it('reconnecting within the wait lets the operation finish', async () => {
        // time scale 1 (plan durations dropped): the task waits up to 30 s (real) for the site, far more than a reconnect takes
        w = await World.create(mode, { store, timeScale: 1 });
        await w.fabric.disconnect('local');
        const owner = clusterId('patient');
        // reconnect when the site first refuses the operation's work: it is then waiting for the site
        const reconnected = onFirstRefusal(w.fabric.site('local'), 'SiteDisconnected', () => w.fabric.connect('local'));
        const op = await w.start(owner, instant(hubCluster(owner, 1)));
        await reconnected;
        assert.equal((await w.engine.waitFor(op.id)).status, 'Succeeded');
      });

      it('a site cut off mid-operation: rollback deletions are queued and carried out on reconnect', async () => {
        // time scale 0: a task's 30 s wait for the site takes no time
        w = await World.create(mode, { store });
        const gate = barrier();
        w.engine.registerTaskKind(BARRIER, gate.kind);
        const owner = clusterId('mid-cut');
        const op = await w.start(owner, withBarrier(hubCluster(owner, 3), isWorkerCreate));
        await until(() => frontMade(w, op.id), 20_000, 'the control plane and load balancer');
        await w.fabric.disconnect('local');
        gate.open(); // the workers' VMs are asked for while the site is cut off
        const done = await w.engine.waitFor(op.id);
        assert.equal(done.status, 'Failed');
        assert.equal(done.error!.code, 'SiteDisconnected');
        // the site could not be told yet: the VMs are marked for deletion and still hold capacity
        const queued = w.fabric.ownerVms(owner);
        assert.ok(queued.length > 0 && queued.every((v) => v.state === 'Deleting'));
        await w.fabric.connect('local');
        assert.deepEqual(w.fabric.ownerVms(owner), []);
        const site = await w.siteSnapshot('local');
        assert.equal(site.capacity!.freeCores, site.capacity!.cores);
      });

      it('a failed host: its VMs restart on other hosts when there is room', async () => {
        w = await World.create(mode, { store });
        const owner = clusterId('resilient');
        await w.run(owner, hubCluster(owner, 3));
        const victim = w.fabric.ownerVms(owner)[0].host!;
        const onVictim = w.fabric
          .ownerVms(owner)
          .filter((v) => v.host === victim)
          .map((v) => v.name);
        const report = await w.fabric.failHost('local', victim);
        assert.deepEqual(report.restarted.map((r) => r.vm).sort(), onVictim.sort());
        assert.deepEqual(report.failed, []);
        const s = w.fabric.ownerStatus(owner);
        assert.equal(s.degraded, false);
        assert.ok(s.vms.every((v) => v.host !== victim && v.state === 'Running'));
        const site = await w.siteSnapshot('local');
        const h = site.hosts.find((x) => x.name === victim)!;
        assert.equal(h.state, 'Failed');
        assert.equal(h.freeCores, 0);
        assert.equal(site.capacity!.cores - 16 - site.capacity!.freeCores, 20); // same 20 cores used, on 3 hosts
        // new work avoids the failed host
        const other = clusterId('after-failure');
        await w.run(other, hubCluster(other, 1));
        assert.ok(w.fabric.ownerVms(other).every((v) => v.host !== victim));
      });

      it('a failed host with no room elsewhere: the cluster is degraded until the host recovers', async () => {
        w = await World.create(mode, { store });
        const hci = clusterId('edge');
        // 2 hosts x 16 cores; the appliance takes 4. 1 x 4 + 4 x 4 + 1 x 4 = 24 cores more: 28 of 32 used.
        const plan = clusterCreatePlan({
          owner: hci,
          site: 'hci-test',
          controlPlane: { count: 1, vmSize: 'Standard_A4_v2' },
          loadBalancer: { count: 1, vmSize: 'Standard_K8S3_v1' },
          pools: [{ name: 'linux', count: 4, vmSize: 'Standard_K8S4_v1' }],
        });
        assert.equal((await w.run(hci, plan)).status, 'Succeeded');
        const changes: boolean[] = [];
        w.fabric.onOwnerChanged((o, s) => o === hci && changes.push(s.degraded));
        const report = await w.fabric.failHost('hci-test', 'hci-node-01');
        assert.ok(report.failed.length > 0);
        assert.ok(report.degradedOwners.includes(hci));
        let s = w.fabric.ownerStatus(hci);
        assert.equal(s.degraded, true);
        assert.deepEqual(s.failedVms.sort(), report.failed.filter((n) => w.fabric.ownerVms(hci).some((v) => v.name === n)).sort());
        assert.ok(changes.includes(true));
        const rec = await w.fabric.recoverHost('hci-test', 'hci-node-01');
        assert.ok(rec.restarted.length >= report.failed.length);
        s = w.fabric.ownerStatus(hci);
        assert.equal(s.degraded, false);
        assert.equal(s.powerState, 'Running');
        const site = await w.siteSnapshot('hci-test');
        assert.equal(site.capacity!.cores - site.capacity!.freeCores, 28);
      });

      it('Failed VMs restart as soon as capacity is freed elsewhere (another cluster deleted)', async () => {
        w = await World.create(mode, { store });
        const small = clusterId('small');
        const big = clusterId('big');
        const mk = (owner: string, workers: number) =>
          clusterCreatePlan({ owner, site: 'hci-test', controlPlane: { count: 1, vmSize: 'Standard_K8S4_v1' }, pools: [{ name: 'p', count: workers, vmSize: 'Standard_K8S4_v1' }] });
        assert.equal((await w.run(small, mk(small, 1))).status, 'Succeeded'); // 8 cores
        assert.equal((await w.run(big, mk(big, 4))).status, 'Succeeded'); // 20 cores: 32 of 32 used with the appliance
        await w.fabric.failHost('hci-test', 'hci-node-01');
        assert.ok(w.fabric.ownerStatus(big).degraded || w.fabric.ownerStatus(small).degraded);
        const del = await w.run(small, deletePlan({ owner: small, site: 'hci-test', current: w.fabric.ownerVms(small) }), 'delete');
        assert.equal(del.status, 'Succeeded');
        const s = w.fabric.ownerStatus(big);
        // 16 cores on the surviving host: the appliance and 3 of big's VMs fit there, the rest stay down
        assert.equal(s.vms.filter((v) => v.state === 'Running').length + s.failedVms.length, 5);
        const site = await w.siteSnapshot('hci-test');
        assert.equal(site.hosts.find((h) => h.name === 'hci-node-02')!.freeCores, 0);
        await w.fabric.recoverHost('hci-test', 'hci-node-01');
        assert.equal(w.fabric.ownerStatus(big).degraded, false);
      });

      it('canceling a fan-out rolls it back', async () => {
        w = await World.create(mode, { store });
        const gate = barrier();
        w.engine.registerTaskKind(BARRIER, gate.kind);
        const owner = clusterId('changed-mind');
        const op = await w.start(owner, withBarrier(hubCluster(owner), isWorkerCreate));
        await until(() => frontMade(w, op.id), 20_000, 'the control plane and load balancer');
        await w.engine.cancel(op.id);
        gate.open(); // the step in progress ends; the workers are never made
        const done = await w.engine.waitFor(op.id);
        assert.equal(done.status, 'Canceled');
        assert.deepEqual(w.fabric.ownerVms(owner), []);
        const site = await w.siteSnapshot('local');
        assert.equal(site.capacity!.freeCores, site.capacity!.cores);
      });

      it('a host failing under a VM being created fails the operation (HostFailed) and rolls back', async () => {
        w = await World.create(mode, { store });
        const gate = barrier();
        w.engine.registerTaskKind(BARRIER, gate.kind);
        const owner = clusterId('unlucky');
        // fills both HCI hosts: 12 cores + 12 cores on top of the appliance's 4
        const plan = clusterCreatePlan({
          owner,
          site: 'hci-test',
          controlPlane: { count: 1, vmSize: 'Standard_A4_v2' },
          pools: [{ name: 'p', count: 5, vmSize: 'Standard_K8S4_v1' }],
        });
        // the workers wait for the barrier: the host fails with their VMs reserved on it, not yet made
        const op = await w.start(owner, withBarrier(plan, isWorkerCreate));
        await until(() => frontMade(w, op.id), 20_000, 'the reservation');
        await w.fabric.failHost('hci-test', 'hci-node-02');
        gate.open();
        const done = await w.engine.waitFor(op.id);
        assert.equal(done.status, 'Failed');
        assert.equal(done.error!.code, 'HostFailed');
        assert.match(done.error!.message, /its host 'hci-node-02' failed and no other host has room/);
        assert.deepEqual(w.fabric.ownerVms(owner), []);
        await w.fabric.recoverHost('hci-test', 'hci-node-02');
        const site = await w.siteSnapshot('hci-test');
        assert.equal(site.capacity!.cores - site.capacity!.freeCores, 4);
      });

      it('unknown sites and hosts are 404s', async () => {
        w = await World.create(mode, { store });
        await assert.rejects(w.fabric.failHost('local', 'nope'), (e: any) => e.status === 404 && e.code === 'HostNotFound');
        assert.throws(
          () => w.fabric.site('atlantis'),
          (e: any) => e.code === 'SiteNotFound',
        );
      });
    });

    describe('completion gates', () => {
      it('completes only after N polls', async () => {
        w = await World.create(mode, { store });
        w.engine.setGateRules([{ typeKey: 'microsoft.containerservice/managedclusters', operation: 'create', gate: { mode: 'polls', polls: 3 } }]);
        const owner = clusterId('gated');
        const op = await w.start(owner, hubCluster(owner, 1));
        await until(() => w.engine.get(op.id)!.tasks.every((t) => t.state === 'done'), 5000, 'tasks');
        assert.equal(w.engine.get(op.id)!.status, 'InProgress');
        await w.engine.poll(op.id);
        await w.engine.poll(op.id);
        assert.equal(w.engine.get(op.id)!.status, 'InProgress');
        await w.engine.poll(op.id);
        assert.equal(w.engine.get(op.id)!.status, 'Succeeded');
        // the fabric did its part before the gate opened
        assert.equal(w.fabric.ownerVms(owner).length, 5);
      });

      it('completes after T seconds', async () => {
        // Deterministic: the gate's clock is driven by the test (Date.now stubbed), never raced against real time.
        w = await World.create(mode, { store });
        w.engine.setGateRules([{ typeKey: '*', operation: '*', gate: { mode: 'time', seconds: 600 } }]);
        const owner = clusterId('timed');
        const op = await w.start(owner, hubCluster(owner, 1));
        await until(() => w.engine.get(op.id)!.tasks.every((t) => t.state === 'done'), 10_000, 'tasks');
        const readyAt = Date.parse(w.engine.get(op.id)!.gate!.readyAt!);
        const realNow = Date.now;
        try {
          Date.now = () => readyAt - 1000; // 1 s before the gate opens: a poll does not release it
          await w.engine.poll(op.id);
          assert.equal(w.engine.get(op.id)!.status, 'InProgress');
          Date.now = () => readyAt + 1; // T seconds later
          await w.engine.poll(op.id);
        } finally {
          Date.now = realNow;
        }
        assert.equal((await w.engine.waitFor(op.id)).status, 'Succeeded');
        assert.equal(w.fabric.ownerVms(owner).length, 5);
      });
    });
  });
}
