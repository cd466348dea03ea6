// What a custom location offers (kubernetesVersions/default, skus/default: written by the
// administrator, read by the operator, from the site's capabilities), HybridContainerService virtual
// networks backed by the fabric's IP allocation, and hybridIdentityMetadata — with the public spec
// example bodies (GetKubernetesVersions, PutVmSkus, PutVirtualNetwork, HybridIdentityMetadata_Put).
import assert from 'node:assert/strict';
import { startTestEmulator, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { del, put, rg, settle, site } from '../arc/helpers.js';
import { connectedCluster, HV, pciBody, pciId, platform } from './helpers.js';

describe('AKS hybrid: custom location offerings, virtual networks, hybrid identity metadata', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  beforeEach(async () => {
    emu = await startTestEmulator();
  });
  afterEach(async () => emu.close());

  it('kubernetesVersions/default and skus/default: 404 until the administrator puts them, then the site offerings', async () => {
    const p = await platform(emu);
    const kv = `${p.cl}/providers/Microsoft.HybridContainerService/kubernetesVersions/default`;
    const sk = `${p.cl}/providers/Microsoft.HybridContainerService/skus/default`;
    assert.equal((await emu.http().get(`${kv}?api-version=${HV.hcs}`)).status, 404);
    const v = await settle(emu, await put(emu, kv, HV.hcs, { extendedLocation: { type: 'CustomLocation', name: p.cl } }, 201), kv, HV.hcs);
    assert.equal(v.properties.provisioningState, 'Succeeded');
    assert.deepEqual(
      v.properties.values.map((x: any) => x.version),
      ['1.29', '1.30', '1.31'],
      'what AKS on Azure Local offers (1.29.4 and newer)',
    );
    const v130 = v.properties.values.find((x: any) => x.version === '1.30');
    assert.deepEqual(Object.keys(v130.patchVersions), ['1.30.3', '1.30.4', '1.30.8', '1.30.9']);
    assert.deepEqual(v130.patchVersions['1.30.9'].upgrades, ['1.31.4', '1.31.5']);
    assert.deepEqual(v130.patchVersions['1.30.4'].upgrades, ['1.30.8', '1.30.9', '1.31.4', '1.31.5']);
    assert.ok(v130.patchVersions['1.30.9'].readiness.some((r: any) => r.osType === 'Windows' && r.ready));
    const s = await settle(emu, await put(emu, sk, HV.hcs, { extendedLocation: { type: 'CustomLocation', name: p.cl }, properties: {} }, 201), sk, HV.hcs);
    const a4 = s.properties.values.find((x: any) => x.name === 'Standard_A4_v2');
    assert.equal(a4.resourceType, 'VirtualMachines');
    assert.deepEqual(
      a4.capabilities.find((c: any) => c.name === 'vCpu'),
      { name: 'vCpu', value: '4' },
    );
    const list = await emu.http().get(`${p.cl}/providers/Microsoft.HybridContainerService/kubernetesVersions?api-version=${HV.hcs}`);
    assert.equal(list.body.value.length, 1);
    // not on something that is not a custom location
    const bad = await put(emu, `${p.lnet}/providers/Microsoft.HybridContainerService/skus/default`, HV.hcs, {});
    assert.equal(bad.status, 400);
    await del(emu, sk, HV.hcs);
  });

  it('virtualNetworks (PutVirtualNetwork.json with an HCI profile): backed by the fabric, usable by a cluster, refused while in use', async () => {
    const p = await platform(emu);
    const id = `${rg()}/providers/Microsoft.HybridContainerService/virtualNetworks/test-vnet-static`;
    const body = {
      location: 'westus',
      extendedLocation: { type: 'CustomLocation', name: p.cl },
      properties: {
        infraVnetProfile: { hci: { mocGroup: 'target-group', mocLocation: 'MocLocation', mocVnetName: 'test-vnet' } },
        vipPool: [{ startIP: '192.168.10.10', endIP: '192.168.10.50' }],
        vmipPool: [{ startIP: '192.168.10.110', endIP: '192.168.10.130' }],
        dnsServers: ['192.168.10.1'],
        gateway: '192.168.10.1',
        ipAddressPrefix: '192.168.10.0/24',
        vlanID: 10,
      },
    };
    const bad = await put(emu, id, HV.hcs, { ...body, properties: { ...body.properties, vmipPool: [{ startIP: '10.0.0.1', endIP: '10.0.0.9' }] } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /outside ipAddressPrefix/);
    const v = await settle(emu, await put(emu, id, HV.hcs, body, 201), id, HV.hcs);
    assert.equal(v.properties.provisioningState, 'Succeeded');
    assert.equal(v.type, 'Microsoft.HybridContainerService/virtualNetworks');
    let s = await site(emu);
    assert.ok(s.logicalNetworks.some((n: any) => n.name === 'vnet-test-vnet-static'));
    const cc = await connectedCluster(emu);
    const pci = pciId(cc);
    const c = await settle(emu, await put(emu, pci, HV.hcs, pciBody(p.cl, id), 201), pci, HV.hcs);
    assert.equal(c.properties.provisioningState, 'Succeeded');
    const ep = c.properties.controlPlane.controlPlaneEndpoint.hostIP;
    assert.ok(!/^192\.168\.10\.(1[1-2]\d|130|[1-4]\d|50)$/.test(ep), ep);
    s = await site(emu);
    assert.ok(s.vms.filter((x: any) => x.owner === pci).every((x: any) => /^192\.168\.10\.1[1-3]\d$/.test(x.ip)));
    assert.equal((await emu.http().delete(`${id}?api-version=${HV.hcs}`)).status, 409);
    const bySub = await emu.http().get(`/subscriptions/${rg().split('/')[2]}/providers/Microsoft.HybridContainerService/virtualNetworks?api-version=${HV.hcs}`);
    assert.equal(bySub.body.value.length, 1);
    await del(emu, cc, HV.cc);
    await del(emu, id, HV.hcs);
    s = await site(emu);
    assert.ok(!s.logicalNetworks.some((n: any) => n.name === 'vnet-test-vnet-static'));
  });

  it('hybridIdentityMetadata/default: synchronous PUT, GET, list; long-running DELETE (202, then gone)', async () => {
    const p = await platform(emu);
    const cc = await connectedCluster(emu);
    const pci = pciId(cc);
    await settle(emu, await put(emu, pci, HV.hcs, pciBody(p.cl, p.lnet), 201), pci, HV.hcs);
    const id = `${pci}/hybridIdentityMetadata/default`;
    const r = await put(emu, id, HV.hcs, { properties: { resourceUid: 'f8b82dff-38ef-4220-99ef-43a6a2a2db56', publicKey: '7b226b7479223a22525341222c226e223a22744a...' } }, 201);
    assert.equal(r.body.properties.provisioningState, 'Succeeded');
    const list = await emu.http().get(`${pci}/hybridIdentityMetadata?api-version=${HV.hcs}`);
    assert.equal(list.body.value[0].properties.resourceUid, 'f8b82dff-38ef-4220-99ef-43a6a2a2db56');
    const hd = await emu.http().delete(`${id}?api-version=${HV.hcs}`);
    assert.equal(hd.status, 202);
    assert.equal((await waitForOperation(emu, hd.headers['azure-asyncoperation'])).status, 'Succeeded');
    assert.equal((await emu.http().get(`${id}?api-version=${HV.hcs}`)).status, 404);
    assert.equal((await emu.http().delete(`${id}?api-version=${HV.hcs}`)).status, 204);
    await put(emu, id, HV.hcs, { properties: { resourceUid: 'f8b82dff-38ef-4220-99ef-43a6a2a2db56' } }, 201);
    const d = await emu.http().delete(`${pci}?api-version=${HV.hcs}`);
    assert.equal(d.status, 202);
    assert.equal((await waitForOperation(emu, d.headers['azure-asyncoperation'])).status, 'Succeeded');
    assert.equal((await emu.http().get(`${id}?api-version=${HV.hcs}`)).status, 404);
  });
});
