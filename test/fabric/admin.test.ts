// The admin API over HTTP: /_emulator/health, /_emulator/fabric, faults, and time control.

import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { clusterCreatePlan } from '../../src/kubernetes/plans.js';
import { capabilityDocument } from '../../src/kubernetes/capabilities.js';
import { mountFabricAdmin } from '../../src/admin/routes.js';
import { MATRIX, World, clusterId, until } from './harness.js';

const plan = (owner: string) =>
  clusterCreatePlan({
    owner,
    site: 'local',
    controlPlane: { count: 3, vmSize: 'Standard_DS2_v2' },
    loadBalancer: { count: 1, vmSize: 'Standard_DS2_v2' },
    pools: [{ name: 'nodepool1', count: 3, vmSize: 'Standard_D4s_v3' }],
  });

for (const { mode, store, name } of MATRIX) {
  describe(`fabric admin API (${name})`, function () {
    let w: World;
    let app: express.Express;
    beforeEach(async () => {
      w = await World.create(mode, { store });
      app = express();
      const admin = express.Router();
      mountFabricAdmin(admin, w.services, w.fabric, capabilityDocument);
      app.use('/_emulator', admin);
    });
    afterEach(async () => {
      await w?.close();
    });

    it('GET /_emulator/health answers when ready', async () => {
      const res = await request(app).get('/_emulator/health').expect(200);
      assert.equal(res.body.status, 'Healthy');
      assert.deepEqual(res.body.disconnectedSites, []);
    });

    it('GET /_emulator/fabric: every target with hosts, capacity and VMs, in the stable shape', async () => {
      const owner = clusterId('shown');
      await w.run(owner, plan(owner));
      const res = await request(app).get('/_emulator/fabric').expect(200);
      const kinds = new Set(res.body.sites.map((s: any) => s.kind));
      assert.deepEqual([...kinds].sort(), ['AzureRegion', 'AzureStackHCI', 'AzureStackHub']);
      const hub = res.body.sites.find((s: any) => s.name === 'local');
      assert.equal(hub.connected, true);
      for (const h of hub.hosts) for (const k of ['name', 'state', 'cores', 'freeCores', 'memoryGB', 'freeMemoryGB']) assert.ok(k in h, `host.${k}`);
      assert.equal(hub.vms.length, 7);
      for (const v of hub.vms) for (const k of ['name', 'role', 'host', 'state', 'owner']) assert.ok(k in v, `vm.${k}`);
      assert.ok(hub.vms.every((v: any) => v.owner === owner));
      assert.deepEqual(new Set(hub.vms.map((v: any) => v.role)), new Set(['controlPlane', 'loadBalancer', 'worker']));
      const only = await request(app).get('/_emulator/fabric?kind=AzureStackHCI').expect(200);
      assert.deepEqual(
        only.body.sites.map((s: any) => s.name),
        ['hci-test'],
      );
      const one = await request(app).get('/_emulator/fabric/sites/local').expect(200);
      assert.deepEqual(one.body.capabilities.loadBalancerSkus, ['basic']);
      const o = await request(app).get('/_emulator/fabric/owners').query({ id: owner }).expect(200);
      assert.deepEqual(o.body.nodeCounts, { nodepool1: 3 });
    });

    it('disconnect and connect a site', async () => {
      let res = await request(app).post('/_emulator/fabric/sites/hci-test/disconnect').expect(200);
      assert.equal(res.body.connected, false);
      res = await request(app).get('/_emulator/health').expect(200);
      assert.deepEqual(res.body.disconnectedSites, ['hci-test']);
      res = await request(app).post('/_emulator/fabric/sites/hci-test/connect').expect(200);
      assert.equal(res.body.connected, true);
    });

    it('fail and recover a host', async () => {
      const owner = clusterId('moved');
      await w.run(owner, plan(owner));
      const host = w.fabric.ownerVms(owner)[0].host!;
      const res = await request(app).post(`/_emulator/fabric/sites/local/hosts/${host}/fail`).expect(200);
      assert.ok(res.body.restarted.length >= 1);
      let snap = await request(app).get('/_emulator/fabric?site=local').expect(200);
      assert.equal(snap.body.sites[0].hosts.find((h: any) => h.name === host).state, 'Failed');
      await request(app).post(`/_emulator/fabric/sites/local/hosts/${host}/recover`).expect(200);
      snap = await request(app).get('/_emulator/fabric?site=local').expect(200);
      assert.equal(snap.body.sites[0].hosts.find((h: any) => h.name === host).state, 'Up');
    });

    it('unknown sites and hosts answer 404 in ARM’s error envelope', async () => {
      let res = await request(app).post('/_emulator/fabric/sites/atlantis/disconnect').expect(404);
      assert.equal(res.body.error.code, 'SiteNotFound');
      res = await request(app).post('/_emulator/fabric/sites/local/hosts/nope/fail').expect(404);
      assert.equal(res.body.error.code, 'HostNotFound');
      assert.match(res.body.error.message, /Azure Stack Hub stamp 'local' has no host named 'nope'/);
    });

    it('gates: set over HTTP, an operation completes after N polls; listed under /_emulator/operations', async () => {
      const rules = [{ typeKey: 'Microsoft.ContainerService/managedClusters', operation: 'create', gate: { mode: 'polls', polls: 2 } }];
      const put = await request(app).put('/_emulator/operations/gates').send({ rules }).expect(200);
      assert.equal(put.body.rules[0].typeKey, 'microsoft.containerservice/managedclusters');
      assert.deepEqual((await request(app).get('/_emulator/operations/gates').expect(200)).body.rules, put.body.rules);
      const owner = clusterId('gated');
      const op = await w.start(owner, plan(owner));
      await until(() => w.engine.get(op.id)!.tasks.every((t) => t.state === 'done'), 5000, 'tasks');
      let list = await request(app).get('/_emulator/operations').expect(200);
      assert.equal(list.body.value.find((o: any) => o.id === op.id).status, 'InProgress');
      await w.engine.poll(op.id);
      await w.engine.poll(op.id);
      const one = await request(app).get(`/_emulator/operations/${op.id}`).expect(200);
      assert.equal(one.body.status, 'Succeeded');
      list = await request(app).get('/_emulator/operations?status=succeeded').expect(200);
      assert.ok(list.body.value.some((o: any) => o.id === op.id));
      await request(app).delete('/_emulator/operations/gates').expect(200);
      assert.deepEqual(w.engine.getGateRules(), []);
    });

    it('refuses a bad gate and a bad time scale with 400', async () => {
      let res = await request(app)
        .put('/_emulator/operations/gates')
        .send({ rules: [{ typeKey: '*', operation: '*', gate: { mode: 'later' } }] })
        .expect(400);
      assert.equal(res.body.error.code, 'InvalidRequestContent');
      assert.match(res.body.error.message, /rules\[0\]\.gate\.mode/);
      res = await request(app).put('/_emulator/operations/gates').set('content-type', 'application/json').send('{oops').expect(400);
      assert.equal(res.body.error.code, 'InvalidRequestContent');
      await request(app).put('/_emulator/operations/time-scale').send({ timeScale: -1 }).expect(400);
      await request(app).put('/_emulator/operations/time-scale').send({ timeScale: 0.5 }).expect(200);
      assert.equal(w.services.config.timeScale, 0.5);
    });
  });
}
