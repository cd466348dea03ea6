// Debian's python3-azure clients (azure-mgmt-resourceconnector, -extendedlocation,
// -kubernetesconfiguration) with azure-identity's client-secret credential, each creating,
// reading, listing and deleting through its own client.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ensureAz } from '../support/az.js';
import { runPython } from '../support/python.js';
import { put, rg, V } from './helpers.js';

describe('Python management clients on the Arc path', function () {
  this.timeout(180_000);
  let emu: TestEmulator;
  before(async () => {
    ensureAz(); // python3-azure comes with azure-cli
    if (!existsSync('/usr/lib/python3/dist-packages/azure/mgmt/resourceconnector')) throw new Error('python3-azure is missing: sudo apt-get install -y python3-azure');
    emu = await startTestEmulator();
  });
  after(async () => emu?.close());

  it('appliances, extensions and custom locations through their own clients', async () => {
    await put(emu, rg('py'), V.rg, { location: 'eastus' }, 201);
    const out = await runPython(emu, 'arc_clients.py', { RG: 'py' });
    assert.deepEqual(out.appliance, { state: 'Succeeded', status: 'Running', provider: 'HCI' });
    assert.deepEqual(out.applianceList, ['py-bridge']);
    assert.deepEqual(out.applianceCreds, ['clusterUser']);
    assert.equal(out.extension.state, 'Succeeded');
    assert.equal(out.extension.version, '0.4.9');
    assert.equal(out.extension.protected, null);
    assert.deepEqual(out.extensionList, ['hybridaks']);
    assert.equal(out.customLocation.state, 'Succeeded');
    assert.match(out.customLocation.host, /appliances\/py-bridge$/);
    assert.deepEqual(out.enabledTypes, ['Microsoft.HybridAKSOperator']);
    assert.deepEqual(out.customLocationList, ['py-cl']);
    assert.equal(out.missing, 'ResourceNotFound');
    assert.deepEqual(out.afterDelete, []);
    const s = (await emu.http().get('/_emulator/fabric?site=hci-site-1')).body.sites[0];
    assert.deepEqual(s.packages, []);
    assert.ok(!s.vms.some((v: any) => v.role === 'appliance'));
  });
});
