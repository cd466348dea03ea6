// A cluster whose create fails on capacity reports what is true: Failed, and not Running (its VMs
// were rolled back).
import assert from 'node:assert/strict';
import { clusterBody, clusterPath, createGroup, fabricOf, startAksEmulator, waitForOperation } from './helpers.js';
import type { TestEmulator } from '../support/emulator.js';

describe('Microsoft.ContainerService: the state a failed create reports', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startAksEmulator();
    await createGroup(emu, 'full', 'local');
  });
  after(async () => emu.close());

  it('a create that does not fit ends Failed with powerState Stopped and no VMs', async () => {
    const r = await emu
      .http()
      .put(`${clusterPath('full', 'big')}?api-version=2020-11-01`)
      .send(clusterBody('local', { count: 20, vmSize: 'Standard_DS5_v2' }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Failed');
    assert.equal(st.error.code, 'InsufficientCapacity');
    const c = (await emu.http().get(`${clusterPath('full', 'big')}?api-version=2022-11-01`)).body;
    assert.equal(c.properties.provisioningState, 'Failed');
    assert.equal(c.properties.powerState.code, 'Stopped');
    assert.equal(c.properties.agentPoolProfiles[0].powerState.code, 'Stopped');
    assert.equal(fabricOf(emu).ownerVms(c.id).length, 0);
  });
});
