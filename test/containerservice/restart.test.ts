// A cluster create interrupted by an emulator stop resumes at the next start: the fabric's VMs,
// the cluster's credentials and its final state all come through the restart.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { durableStore, STORE_KINDS, waitForOperation } from '../support/emulator.js';
import { clusterBody, clusterPath, createGroup, fabricOf, startAksEmulator, vmSummary } from './helpers.js';

for (const kind of STORE_KINDS)
  describe(`Microsoft.ContainerService across a restart (${kind} store)`, function () {
    this.timeout(60_000);
    it('a create interrupted mid-operation completes after restart with its VMs and credentials', async () => {
      const store = await durableStore(kind);
      let emu = await startAksEmulator([...store, '--time-scale', '1']);
      await createGroup(emu, 'rs', 'local');
      const put = await emu
        .http()
        .put(`${clusterPath('rs', 'r1')}?api-version=2022-11-01`)
        .send(clusterBody('local', { count: 2 }));
      assert.equal(put.status, 201);
      // stop mid-operation: once a task runs (the control plane takes a minute at time-scale 1)
      const first = emu;
      const op = await waitUntil(() => first.services.asyncOperations.list().find((o) => o.resourceId.toLowerCase() === put.body.id.toLowerCase() && o.tasks.some((t) => t.state === 'running')), {
        what: 'a task of the create to run',
      });
      assert.equal(op.status, 'InProgress');
      await emu.close();
      emu = await startAksEmulator([...store, '--time-scale', '0']);
      try {
        const st = await waitForOperation(emu, put.headers['azure-asyncoperation']);
        assert.equal(st.status, 'Succeeded');
        const c = (await emu.http().get(`${clusterPath('rs', 'r1')}?api-version=2022-11-01`)).body;
        assert.equal(c.properties.provisioningState, 'Succeeded');
        assert.deepEqual(
          c.properties.agentPoolProfiles.map((p: any) => p.provisioningState),
          ['Succeeded'],
        );
        assert.deepEqual(vmSummary(fabricOf(emu), c.id), { controlPlane: 3, loadBalancer: 1, workers: { nodepool1: 2 }, states: ['Running'] });
        const cred = await emu.http().post(`${clusterPath('rs', 'r1')}/listClusterAdminCredential?api-version=2022-11-01`);
        assert.equal(cred.status, 200);
        assert.match(Buffer.from(cred.body.kubeconfigs[0].value, 'base64').toString(), /client-certificate-data/);
        const pool = (await emu.http().get(`${clusterPath('rs', 'r1')}/agentPools/nodepool1?api-version=2022-11-01`)).body;
        assert.equal(pool.properties.provisioningState, 'Succeeded');
      } finally {
        await emu.close();
      }
    });
  });
