// Arc VMs on the HCI site: the Azure quickstart vm-simple-ashci-linux deployed as a user deploys it
// (after its prerequisites: a gallery image and a logical network on the custom location), the VM on
// the fabric with its capacity and address, power actions, delete freeing everything; and over REST,
// the checks (sizes, images, interfaces), a failure rolled back, and a resource-group delete.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SUB, startTestEmulator, waitForLocation, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { buildPlatform, del, put, rg, settle } from './helpers.js';

const HV = '2023-09-01-preview';
const MV = '2023-10-03-preview';
const QUICKSTART = JSON.parse(readFileSync(path.resolve('test/fixtures/quickstarts/vm-simple-ashci-linux.json'), 'utf8'));
const id = (type: string, name: string) => `${rg()}/providers/${type}/${name}`;
const machineId = (name: string) => id('Microsoft.HybridCompute/machines', name);
const vmiId = (machine: string) => `${machineId(machine)}/providers/Microsoft.AzureStackHCI/virtualMachineInstances/default`;

async function fabricSite(emu: TestEmulator) {
  return (await emu.http().get('/_emulator/fabric?site=hci-site-1')).body.sites[0];
}

/** prereq.main.bicep of the quickstart, as REST: a gallery image and a logical network (Dynamic with a pool). */
async function prerequisites(emu: TestEmulator, cl: string) {
  const img = id('Microsoft.AzureStackHCI/galleryImages', 'ubuntu-01');
  const g = await settle(
    emu,
    await put(
      emu,
      img,
      HV,
      {
        location: 'eastus',
        extendedLocation: { type: 'CustomLocation', name: cl },
        properties: { hyperVGeneration: 'V2', osType: 'Linux', imagePath: 'C:\\ClusterStorage\\UserStorage_01\\ubuntu-01.vhdx' },
      },
      201,
    ),
    img,
    HV,
  );
  assert.equal(g.properties.provisioningState, 'Succeeded');
  const ln = id('Microsoft.AzureStackHCI/logicalNetworks', 'vnet-compute');
  const body = {
    location: 'eastus',
    extendedLocation: { type: 'CustomLocation', name: cl },
    properties: {
      subnets: [
        {
          name: 'default',
          properties: {
            addressPrefix: '172.16.0.0/22',
            ipAllocationMethod: 'Dynamic',
            vlan: 0,
            ipPools: [{ start: '172.16.1.100', end: '172.16.1.200' }],
            routeTable: { properties: { routes: [{ name: 'default', properties: { addressPrefix: '0.0.0.0/0', nextHopIpAddress: '172.16.0.1' } }] } },
          },
        },
      ],
      vmSwitchName: 'ComputeSwitch(compute)',
      dhcpOptions: { dnsServers: ['1.1.1.1', '8.8.8.8'] },
    },
  };
  const n = await settle(emu, await put(emu, ln, HV, body, 201), ln, HV);
  assert.equal(n.properties.provisioningState, 'Succeeded');
  return { img, ln };
}

async function deploy(emu: TestEmulator, name: string, parameters: Record<string, unknown>) {
  const dep = `${rg()}/providers/Microsoft.Resources/deployments/${name}`;
  const r = await emu
    .http()
    .put(`${dep}?api-version=2021-04-01`)
    .send({ properties: { mode: 'Incremental', template: QUICKSTART, parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, { value: v }])) } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
  return { status: st, deployment: (await emu.http().get(`${dep}?api-version=2021-04-01`)).body };
}

async function action(emu: TestEmulator, vmi: string, what: string) {
  const r = await emu.http().post(`${vmi}/${what}?api-version=2024-01-01`);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
  assert.equal(st.status, 'Succeeded', JSON.stringify(st));
  const loc = new URL(r.headers.location);
  const res = await emu.http().get(loc.pathname + loc.search);
  assert.equal(res.status, 200);
  assert.equal(res.body.type, 'Microsoft.AzureStackHCI/virtualMachineInstances');
  return res.body;
}

describe('Arc VMs on the HCI site', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  beforeEach(async () => {
    emu = await startTestEmulator();
  });
  afterEach(async () => emu?.close());

  it('the quickstart vm-simple-ashci-linux deploys; the VM runs on the site, stops, starts, restarts; deleting frees it', async () => {
    const p = await buildPlatform(emu);
    await prerequisites(emu, p.cl);
    const before = await fabricSite(emu);
    const { status, deployment } = await deploy(emu, 'vm-simple', {
      name: 'vm-sampledeploy',
      location: 'eastus',
      adminUsername: 'admin-quickstart',
      adminPassword: 'P@ssw0rd-quick1',
      vCPUCount: 2,
      memoryMB: 4096,
      imageName: 'ubuntu-01',
      hciLogicalNetworkName: 'vnet-compute',
      customLocationName: 'cl1',
    });
    assert.equal(status.status, 'Succeeded', JSON.stringify(status));
    assert.equal(deployment.properties.provisioningState, 'Succeeded');
    assert.equal(deployment.properties.outputResources.length, 3);
    // the machine, the interface with its address, the VM instance
    const m = (await emu.http().get(`${machineId('vm-sampledeploy')}?api-version=${MV}`)).body;
    assert.equal(m.kind, 'HCI');
    assert.equal(m.identity.type, 'SystemAssigned');
    assert.equal(m.properties.status, 'Connected');
    assert.equal(m.properties.osType, 'linux');
    const nic = (await emu.http().get(`${id('Microsoft.AzureStackHCI/networkInterfaces', 'nic-vm-sampledeploy')}?api-version=${HV}`)).body;
    const ip = nic.properties.ipConfigurations[0].properties.privateIPAddress;
    assert.match(ip, /^172\.16\.1\.(1\d\d|200)$/);
    assert.equal(nic.properties.ipConfigurations[0].properties.gateway, '172.16.0.1');
    assert.equal(nic.properties.ipConfigurations[0].properties.prefixLength, '22');
    const vmi = vmiId('vm-sampledeploy');
    const v = (await emu.http().get(`${vmi}?api-version=${HV}`)).body;
    assert.equal(v.properties.provisioningState, 'Succeeded');
    assert.equal(v.properties.status.powerState, 'Running');
    assert.deepEqual(v.properties.hardwareProfile, { vmSize: 'Custom', processors: 2, memoryMB: 4096 });
    assert.equal(v.properties.osProfile.adminPassword, undefined);
    assert.ok(!JSON.stringify(v).includes('P@ssw0rd'));
    // the VM on the fabric: its size on a host, its address from the pool
    let s = await fabricSite(emu);
    const vm = s.vms.find((x: any) => x.owner === vmi);
    assert.equal(vm.role, 'virtualMachine');
    assert.equal(vm.cores, 2);
    assert.equal(vm.memoryGB, 4);
    assert.equal(vm.ip, ip);
    assert.equal(vm.state, 'Running');
    assert.equal(s.capacity.freeCores, before.capacity.freeCores - 2);
    const lnet = s.logicalNetworks.find((x: any) => x.name === 'vnet-compute');
    assert.equal(lnet.usedIps, 1);
    assert.deepEqual(lnet.reservedIps, [{ ip, owner: nic.id }]);
    // the logical network names the interface on it
    const ln = (await emu.http().get(`${id('Microsoft.AzureStackHCI/logicalNetworks', 'vnet-compute')}?api-version=2024-01-01`)).body;
    assert.deepEqual(ln.properties.subnets[0].properties.ipConfigurationReferences, [{ ID: nic.id }]);
    // power: stop frees its cores (the disks stay), start takes them again, restart keeps it running
    const stopped = await action(emu, vmi, 'stop');
    assert.equal(stopped.properties.status.powerState, 'Stopped');
    s = await fabricSite(emu);
    assert.equal(s.vms.find((x: any) => x.owner === vmi).state, 'Deallocated');
    assert.equal(s.capacity.freeCores, before.capacity.freeCores);
    assert.equal((await emu.http().get(`${machineId('vm-sampledeploy')}?api-version=${MV}`)).body.properties.status, 'Disconnected');
    const started = await action(emu, vmi, 'start');
    assert.equal(started.properties.status.powerState, 'Running');
    assert.equal((await fabricSite(emu)).capacity.freeCores, before.capacity.freeCores - 2);
    assert.equal((await action(emu, vmi, 'restart')).properties.status.powerState, 'Running');
    // the machine cannot go before its VM instance; the interface cannot go while the VM uses it
    const busyM = await emu.http().delete(`${machineId('vm-sampledeploy')}?api-version=${MV}`);
    assert.equal(busyM.status, 409);
    assert.equal(busyM.body.error.code, 'VirtualMachineInstanceExists');
    const busyN = await emu.http().delete(`${nic.id}?api-version=${HV}`);
    assert.equal(busyN.status, 409);
    // delete: the VM goes and frees its capacity; then the interface gives its address back
    await del(emu, vmi, HV);
    s = await fabricSite(emu);
    assert.ok(!s.vms.some((x: any) => x.owner === vmi));
    assert.equal(s.capacity.freeCores, before.capacity.freeCores);
    await del(emu, machineId('vm-sampledeploy'), MV);
    await del(emu, nic.id, HV);
    s = await fabricSite(emu);
    assert.equal(s.logicalNetworks.find((x: any) => x.name === 'vnet-compute').usedIps, 0);
  });

  it('checks before anything is made: machine kind, size, image and interface on the same custom location, one VM per interface; a VM too big fails and rolls back', async () => {
    const p = await buildPlatform(emu, { lnet: true });
    const { img } = await prerequisites(emu, p.cl);
    const nic = id('Microsoft.AzureStackHCI/networkInterfaces', 'nic-a');
    const n = await settle(
      emu,
      await put(
        emu,
        nic,
        HV,
        {
          location: 'eastus',
          extendedLocation: { type: 'CustomLocation', name: p.cl },
          properties: { ipConfigurations: [{ name: 'ip', properties: { subnet: { id: p.lnet }, privateIPAddress: '172.16.0.55' } }] },
        },
        201,
      ),
      nic,
      HV,
    );
    assert.equal(n.properties.ipConfigurations[0].properties.privateIPAddress, '172.16.0.55');
    // the address asked for is taken now
    const clash = id('Microsoft.AzureStackHCI/networkInterfaces', 'nic-b');
    const c = await put(
      emu,
      clash,
      HV,
      {
        location: 'eastus',
        extendedLocation: { type: 'CustomLocation', name: p.cl },
        properties: { ipConfigurations: [{ name: 'ip', properties: { subnet: { id: p.lnet }, privateIPAddress: '172.16.0.55' } }] },
      },
      201,
    );
    const cst = await waitForOperation(emu, c.headers['azure-asyncoperation']);
    assert.equal(cst.status, 'Failed');
    assert.equal(cst.error.code, 'PrivateIPAddressInUse');
    await del(emu, clash, HV);
    await put(emu, machineId('m1'), MV, { location: 'eastus', kind: 'HCI', identity: { type: 'SystemAssigned' } }, 200);
    await put(emu, machineId('plain'), MV, { location: 'eastus' }, 200);
    const body = (extra: Record<string, unknown> = {}) => ({
      extendedLocation: { type: 'CustomLocation', name: p.cl },
      properties: {
        hardwareProfile: { vmSize: 'Default' },
        osProfile: { adminUsername: 'azureuser', adminPassword: 'P@ssw0rd-1', computerName: 'm1', linuxConfiguration: { provisionVMConfigAgent: true } },
        storageProfile: { imageReference: { id: img } },
        networkProfile: { networkInterfaces: [{ id: nic }] },
        ...extra,
      },
    });
    const refuse = async (target: string, b: unknown, code: string, msg?: RegExp) => {
      const r = await put(emu, target, HV, b);
      assert.equal(r.status >= 400 && r.status < 500, true, JSON.stringify(r.body));
      assert.equal(r.body.error.code, code, JSON.stringify(r.body));
      if (msg) assert.match(r.body.error.message, msg);
    };
    await refuse(vmiId('plain'), body(), 'InvalidMachineKind', /kind HCI/);
    await refuse(`${machineId('m1')}/providers/Microsoft.AzureStackHCI/virtualMachineInstances/other`, body(), 'InvalidResourceName');
    await refuse(vmiId('m1'), body({ hardwareProfile: { vmSize: 'Custom', processors: 2 } }), 'InvalidParameter', /memoryMB/);
    await refuse(vmiId('m1'), body({ hardwareProfile: { vmSize: 'Standard_X9' } }), 'InvalidParameter', /Azure Local VM size/);
    await refuse(vmiId('m1'), body({ storageProfile: { imageReference: { id: id('Microsoft.AzureStackHCI/galleryImages', 'nope') } } }), 'InvalidParameter', /was not found/);
    await refuse(vmiId('m1'), body({ osProfile: { adminUsername: 'a', adminPassword: 'x', windowsConfiguration: {} } }), 'InvalidParameter', /is Linux/);
    await refuse(vmiId('m1'), { ...body(), extendedLocation: undefined }, 'InvalidExtendedLocation');
    assert.equal((await emu.http().get(`${vmiId('m1')}?api-version=${HV}`)).status, 404);
    // too big for the site's hosts (2 x 32 cores): placed nowhere, the operation fails and nothing stays
    const before = await fabricSite(emu);
    const big = await put(emu, vmiId('m1'), HV, body({ hardwareProfile: { vmSize: 'Custom', processors: 48, memoryMB: 65536 } }), 201);
    const bst = await waitForOperation(emu, big.headers['azure-asyncoperation']);
    assert.equal(bst.status, 'Failed');
    assert.equal(bst.error.code, 'InsufficientCapacity');
    const failed = (await emu.http().get(`${vmiId('m1')}?api-version=${HV}`)).body;
    assert.equal(failed.properties.provisioningState, 'Failed');
    assert.equal(failed.properties.status.errorCode, 'InsufficientCapacity');
    const after = await fabricSite(emu);
    assert.equal(after.capacity.freeCores, before.capacity.freeCores);
    assert.ok(!after.vms.some((v: any) => v.owner === vmiId('m1')));
    await del(emu, vmiId('m1'), HV);
    // a right-sized one; then the interface is taken
    const ok = await settle(emu, await put(emu, vmiId('m1'), HV, body(), 201), vmiId('m1'), HV);
    assert.deepEqual(ok.properties.hardwareProfile, { vmSize: 'Default', processors: 4, memoryMB: 4096 });
    assert.equal((await fabricSite(emu)).vms.find((v: any) => v.owner === vmiId('m1')).ip, '172.16.0.55');
    await put(emu, machineId('m2'), MV, { location: 'eastus', kind: 'HCI' }, 200);
    await refuse(vmiId('m2'), body(), 'NetworkInterfaceInUse');
    // a disconnected site: power actions fail with SiteDisconnected, the VM stays as it was
    await emu.http().post('/_emulator/fabric/sites/hci-site-1/disconnect');
    await emu.http().put('/_emulator/operations/time-scale').send({ timeScale: 0.0001 });
    const st = await emu.http().post(`${vmiId('m1')}/stop?api-version=2024-01-01`);
    const sst = await waitForOperation(emu, st.headers['azure-asyncoperation']);
    assert.equal(sst.status, 'Failed');
    assert.equal(sst.error.code, 'SiteDisconnected');
    const still = (await emu.http().get(`${vmiId('m1')}?api-version=2024-01-01`)).body;
    assert.equal(still.properties.provisioningState, 'Succeeded');
    assert.equal(still.properties.status.powerState, 'Running');
    assert.equal(still.properties.status.errorCode, 'SiteDisconnected');
    await emu.http().post('/_emulator/fabric/sites/hci-site-1/connect');
    await emu.http().put('/_emulator/operations/time-scale').send({ timeScale: 0 });
  });

  it('deleting the resource group takes the VM instance first, then everything, and frees the site', async () => {
    const p = await buildPlatform(emu);
    const before = await fabricSite(emu);
    await prerequisites(emu, p.cl);
    const { status } = await deploy(emu, 'vm-rg', {
      name: 'vm-gone',
      location: 'eastus',
      adminUsername: 'u',
      adminPassword: 'P@ssw0rd-2',
      imageName: 'ubuntu-01',
      hciLogicalNetworkName: 'vnet-compute',
      customLocationName: 'cl1',
    });
    assert.equal(status.status, 'Succeeded', JSON.stringify(status));
    assert.equal((await fabricSite(emu)).capacity.freeCores, before.capacity.freeCores - 2);
    const r = await emu.http().delete(`${rg()}?api-version=2021-04-01`);
    assert.equal(r.status, 202);
    assert.equal((await waitForLocation(emu, r.headers.location)).status, 200);
    const s = await fabricSite(emu);
    assert.ok(!s.vms.some((v: any) => v.role === 'virtualMachine'));
    assert.ok(!s.logicalNetworks.some((x: any) => x.name === 'vnet-compute'));
    assert.deepEqual(s.packages, []);
    assert.equal((await emu.http().get(`/subscriptions/${SUB}/providers/Microsoft.HybridCompute/machines?api-version=${MV}`)).body.value.length, 0);
  });
});
