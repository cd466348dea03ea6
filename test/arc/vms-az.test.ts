// The real az CLI 2.45 on the Arc VM path: the Azure quickstart vm-simple-ashci-linux deployed with
// `az deployment group create --template-file` (default and Azure Stack Hub hybrid profiles), the VM
// stopped and started with az rest (polled with az resource show, as az rest does not wait) and deleted
// with az resource delete; the fabric shows the VM, then frees it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { AzSession, ensureAz } from '../support/az.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { buildPlatform, put, rg, settle } from './helpers.js';

const TEMPLATE = path.resolve('test/fixtures/quickstarts/vm-simple-ashci-linux.json');
const HV = '2023-09-01-preview';

async function fabricSite(emu: TestEmulator) {
  return (await emu.http().get('/_emulator/fabric?site=hci-site-1')).body.sites[0];
}

describe('real az CLI: an Arc VM from the HCI quickstart', function () {
  this.timeout(600_000);
  let emu: TestEmulator;
  before(async () => {
    ensureAz();
    emu = await startTestEmulator();
    const p = await buildPlatform(emu);
    // the quickstart's prerequisites (prereq.main.bicep): an image and a Dynamic logical network with a pool
    const img = `${rg()}/providers/Microsoft.AzureStackHCI/galleryImages/ubuntu-01`;
    await settle(
      emu,
      await put(
        emu,
        img,
        HV,
        { location: 'eastus', extendedLocation: { type: 'CustomLocation', name: p.cl }, properties: { osType: 'Linux', imagePath: 'C:\\ClusterStorage\\UserStorage_01\\ubuntu-01.vhdx' } },
        201,
      ),
      img,
      HV,
    );
    const ln = `${rg()}/providers/Microsoft.AzureStackHCI/logicalNetworks/vnet-compute`;
    const body = {
      location: 'eastus',
      extendedLocation: { type: 'CustomLocation', name: p.cl },
      properties: {
        subnets: [{ name: 'default', properties: { addressPrefix: '172.16.0.0/22', ipAllocationMethod: 'Dynamic', ipPools: [{ start: '172.16.1.100', end: '172.16.1.200' }] } }],
        vmSwitchName: 'ComputeSwitch(compute)',
      },
    };
    await settle(emu, await put(emu, ln, HV, body, 201), ln, HV);
  });
  after(async () => emu?.close());

  for (const profile of ['latest', '2020-09-01-hybrid'] as const) {
    it(`${profile} profile: az deployment group create of the quickstart, stop, start, delete`, async () => {
      const az = new AzSession(emu);
      await az.login(profile === 'latest' ? undefined : profile);
      const name = profile === 'latest' ? 'vm-az' : 'vm-hub';
      const before = await fabricSite(emu);
      const d = await az.ok([
        'deployment',
        'group',
        'create',
        '-g',
        'arc',
        '-n',
        `quickstart-${name}`,
        '--template-file',
        TEMPLATE,
        '--parameters',
        `name=${name}`,
        'location=eastus',
        'adminUsername=admin-quickstart',
        'adminPassword=P@ssw0rd-quick1',
        'vCPUCount=2',
        'memoryMB=4096',
        'imageName=ubuntu-01',
        'hciLogicalNetworkName=vnet-compute',
        'customLocationName=cl1',
      ]);
      assert.equal(d.properties.provisioningState, 'Succeeded');
      const vmi = `${rg()}/providers/Microsoft.HybridCompute/machines/${name}/providers/Microsoft.AzureStackHCI/virtualMachineInstances/default`;
      const shown = await az.ok(['resource', 'show', '--id', vmi, '--api-version', '2024-01-01']);
      assert.equal(shown.properties.status.powerState, 'Running');
      let s = await fabricSite(emu);
      const vm = s.vms.find((v: any) => v.owner === vmi);
      assert.equal(vm.cores, 2);
      assert.equal(s.capacity.freeCores, before.capacity.freeCores - 2);
      const power = async (action: string, want: string) => {
        await az.ok(['rest', '--method', 'post', '--url', `${vmi}/${action}?api-version=2024-01-01`]);
        let state = '';
        for (let i = 0; i < 30 && state !== want; i++) state = (await az.ok(['resource', 'show', '--id', vmi, '--api-version', '2024-01-01'])).properties.status.powerState;
        assert.equal(state, want, `${action}`);
      };
      await power('stop', 'Stopped');
      assert.equal((await fabricSite(emu)).capacity.freeCores, before.capacity.freeCores);
      await power('start', 'Running');
      const del = await az.run(['resource', 'delete', '--id', vmi, '--api-version', '2024-01-01']);
      assert.equal(del.code, 0, del.stderr);
      s = await fabricSite(emu);
      assert.ok(!s.vms.some((v: any) => v.owner === vmi));
      assert.equal(s.capacity.freeCores, before.capacity.freeCores);
      for (const id of [`${rg()}/providers/Microsoft.HybridCompute/machines/${name}`, `${rg()}/providers/Microsoft.AzureStackHCI/networkInterfaces/nic-${name}`]) {
        const r = await az.run(['resource', 'delete', '--id', id, '--api-version', id.includes('HybridCompute') ? '2023-10-03-preview' : HV]);
        assert.equal(r.code, 0, r.stderr);
      }
      assert.equal((await fabricSite(emu)).logicalNetworks.find((n: any) => n.name === 'vnet-compute').usedIps, 0);
    });
  }
});
