// What the site cannot do is refused at once (a 4xx naming the limit and the fix) with nothing left
// behind; a cluster too big for the site's hosts fails and is rolled back; site faults reach the
// cluster (disconnect → Offline and SiteDisconnected, failed host → VMs restart elsewhere or the
// cluster shows degraded); a crash mid-create ends terminal after restart with nothing leaked.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { startTestEmulator, tmpDir, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { customLocationBody, customLocationId, lnetBody, put, rg, settle, site } from '../arc/helpers.js';
import { ccBody, ccId, connectedCluster, HV, pciBody, pciId, platform, poolBody, poolId } from './helpers.js';

const mine = (s: any, owner: string) => s.vms.filter((v: any) => v.owner.toLowerCase() === owner.toLowerCase());

describe('AKS hybrid: refusals, failures and faults', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  afterEach(async () => {
    await emu?.close();
  });

  it('refuses at once what the custom location cannot do, naming the limit, and leaves nothing behind', async () => {
    emu = await startTestEmulator();
    const p = await platform(emu);
    const cc = await connectedCluster(emu);
    const pci = pciId(cc);
    const before = await site(emu);
    const refuse = async (body: any, status: number, code: string, text: RegExp) => {
      const r = await put(emu, pci, HV.hcs, body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.error.code, code, JSON.stringify(r.body));
      assert.match(r.body.error.message, text);
    };
    const b = (o: any) => pciBody(p.cl, p.lnet, o);
    await refuse(b({ cp: 2 }), 400, 'InvalidParameter', /1, 3, 5 control-plane nodes.*has 2/);
    await refuse(b({ cp: 4 }), 400, 'InvalidParameter', /odd number/);
    await refuse(b({ pools: [{ name: 'big', count: 1, vmSize: 'Standard_NC6' }] }), 400, 'VMSizeNotSupported', /Standard_NC6.*Available sizes: .*Standard_A4_v2/);
    await refuse(b({ version: '1.19.0' }), 400, 'KubernetesVersionNotSupported', /1\.19\.0.*1\.29\.4, .*1\.31\.5 /);
    await refuse(b({ pools: [{ name: 'many', count: 65 }] }), 400, 'MaxNodeCountExceeded', /at most 64 nodes/);
    await refuse(b({ pools: Array.from({ length: 17 }, (_, i) => ({ name: `p${i}`, count: 1 })) }), 400, 'MaxAgentPoolCountExceeded', /at most 16 node pools/);
    await refuse(b({ pools: [{ name: 'windows1', count: 1, osType: 'Windows' }] }), 400, 'InvalidParameter', /6 for Windows/);
    await refuse(b({ endpoint: '172.20.0.150' }), 400, 'InvalidControlPlaneEndpoint', /inside an IP pool.*outside the pools/);
    await refuse(b({ endpoint: '10.0.0.5' }), 400, 'InvalidControlPlaneEndpoint', /outside the address prefix 172\.20\.0\.0\/24/);
    const noExt = { ...b({}), extendedLocation: undefined };
    await refuse(noExt, 400, 'InvalidExtendedLocation', /custom location/);
    // a network on another custom location
    const cl2 = customLocationId('cl2');
    await settle(
      emu,
      await put(emu, cl2, '2021-08-15', { ...customLocationBody(p.app, [p.aks, p.hci]), properties: { ...customLocationBody(p.app, [p.aks, p.hci]).properties, namespace: 'cl2-ns' } }, 201),
      cl2,
      '2021-08-15',
    );
    const other = `${rg()}/providers/Microsoft.AzureStackHCI/logicalNetworks/other`;
    await settle(emu, await put(emu, other, '2024-01-01', lnetBody(cl2, '172.30.0.0/24', 30, { start: '172.30.0.10', end: '172.30.0.20' }), 201), other, '2024-01-01');
    await refuse(pciBody(p.cl, other), 400, 'NetworkOnAnotherCustomLocation', /custom location.*cl2.*not on the cluster's custom location/);
    // a custom location without the AKS hybrid extension
    const cl3 = customLocationId('cl3');
    await settle(
      emu,
      await put(emu, cl3, '2021-08-15', { ...customLocationBody(p.app, [p.hci]), properties: { ...customLocationBody(p.app, [p.hci]).properties, namespace: 'cl3-ns' } }, 201),
      cl3,
      '2021-08-15',
    );
    await refuse(pciBody(cl3, p.lnet), 400, 'ResourceTypeNotEnabled', /Microsoft\.HybridAKSOperator/);
    // a connected cluster that is not kind ProvisionedCluster
    const plain = ccId('plain');
    await settle(emu, await put(emu, plain, HV.cc, { ...ccBody(), kind: undefined, properties: { agentPublicKeyCertificate: 'a2V5' } }, 201), plain, HV.cc);
    const r = await put(emu, pciId(plain), HV.hcs, b({}));
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /ProvisionedCluster/);
    // nothing was created by any refusal
    assert.equal((await emu.http().get(`${pci}?api-version=${HV.hcs}`)).status, 404);
    assert.deepEqual((await site(emu)).vms.length, before.vms.length);
    // an endpoint already taken
    await settle(emu, await put(emu, pci, HV.hcs, b({ endpoint: '172.20.0.10' }), 201), pci, HV.hcs);
    const cc2 = await connectedCluster(emu, 'hybrid2');
    const r2 = await put(emu, pciId(cc2), HV.hcs, b({ endpoint: '172.20.0.10' }));
    assert.equal(r2.status, 409);
    assert.equal(r2.body.error.code, 'ControlPlaneEndpointInUse');
    assert.match(r2.body.error.message, /already used by the cluster/);
    // a second cluster without an endpoint gets another free one
    const c2 = await settle(emu, await put(emu, pciId(cc2), HV.hcs, b({}), 201), pciId(cc2), HV.hcs);
    assert.notEqual(c2.properties.controlPlane.controlPlaneEndpoint.hostIP, '172.20.0.10');
    // the network cannot go while clusters use it
    const d = await emu.http().delete(`${p.lnet}?api-version=2024-01-01`);
    assert.equal(d.status, 409);
    // pool refusals on the agentPools child
    const bad = await put(emu, poolId('win123456', cc), HV.hcs, poolBody({ osType: 'Windows' }));
    assert.equal(bad.status, 400);
    const vm = await put(emu, poolId('linux1', cc), HV.hcs, poolBody({ vmSize: 'Standard_D64_v9' }));
    assert.equal(vm.body.error.code, 'VMSizeNotSupported');
  });

  it('a cluster too big for the hosts fails on capacity and is rolled back; a failed scale keeps the old count', async () => {
    emu = await startTestEmulator();
    const p = await platform(emu);
    const cc = await connectedCluster(emu);
    const pci = pciId(cc);
    const before = await site(emu);
    const r = await put(emu, pci, HV.hcs, pciBody(p.cl, p.lnet, { cp: 3, pools: [{ name: 'huge', count: 20, vmSize: 'Standard_D16s_v3' }] }), 201);
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Failed');
    assert.match(st.error.message, /core|capacity|room/i);
    const g = (await emu.http().get(`${pci}?api-version=${HV.hcs}`)).body;
    assert.equal(g.properties.provisioningState, 'Failed');
    let s = await site(emu);
    assert.equal(mine(s, pci).length, 0);
    assert.equal(s.capacity.freeCores, before.capacity.freeCores);
    assert.equal(s.logicalNetworks.find((n: any) => n.name === 'aks-lnet').usedIps, 0);
    // the failed cluster can be deleted, then created smaller
    await settle(emu, await emu.http().delete(`${pci}?api-version=${HV.hcs}`), pci, HV.hcs);
    await settle(emu, await put(emu, pci, HV.hcs, pciBody(p.cl, p.lnet, { pools: [{ name: 'small', count: 1 }] }), 201), pci, HV.hcs);
    const pool = poolId('small', cc);
    const sc = await put(emu, pool, HV.hcs, poolBody({ count: 40, vmSize: 'Standard_K8S3_v1' }), 200);
    const st2 = await waitForOperation(emu, sc.headers['azure-asyncoperation']);
    assert.equal(st2.status, 'Failed');
    const gp = (await emu.http().get(`${pool}?api-version=${HV.hcs}`)).body;
    assert.equal(gp.properties.count, 1);
    assert.equal(gp.properties.provisioningState, 'Failed');
    s = await site(emu);
    assert.equal(mine(s, pci).filter((v: any) => v.role === 'worker').length, 1);
    // a failed scale does not disconnect the running cluster
    const c = (await emu.http().get(`${cc}?api-version=${HV.cc}`)).body;
    assert.equal(c.properties.connectivityStatus, 'Connected');
    assert.equal(c.properties.totalNodeCount, 2);
  });

  it('disconnect → Offline and work fails with SiteDisconnected; a failed host restarts VMs elsewhere or leaves the cluster degraded', async () => {
    emu = await startTestEmulator();
    const p = await platform(emu);
    const cc = await connectedCluster(emu);
    const pci = pciId(cc);
    await settle(emu, await put(emu, pci, HV.hcs, pciBody(p.cl, p.lnet, { pools: [{ name: 'lin', count: 2, vmSize: 'Standard_K8S3_v1' }] }), 201), pci, HV.hcs);
    assert.equal((await emu.http().post('/_emulator/fabric/sites/hci-site-1/disconnect')).status, 200);
    let g = (await emu.http().get(`${cc}?api-version=${HV.cc}`)).body;
    assert.equal(g.properties.connectivityStatus, 'Offline');
    const sc = await put(emu, poolId('lin', cc), HV.hcs, poolBody({ count: 3, vmSize: 'Standard_K8S3_v1' }), 200);
    const st = await waitForOperation(emu, sc.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Failed');
    assert.equal(st.error.code, 'SiteDisconnected');
    assert.equal((await emu.http().post('/_emulator/fabric/sites/hci-site-1/connect')).status, 200);
    g = (await emu.http().get(`${cc}?api-version=${HV.cc}`)).body;
    assert.equal(g.properties.connectivityStatus, 'Connected');
    assert.equal(g.properties.totalNodeCount, 3);
    // a failed host: its VMs restart on the other host when there is room
    let s = await site(emu);
    const host = mine(s, pci)[0].host;
    const f = await emu.http().post(`/_emulator/fabric/sites/hci-site-1/hosts/${host}/fail`);
    assert.equal(f.status, 200);
    s = await site(emu);
    const vms = mine(s, pci);
    const restarted = vms.filter((v: any) => v.state === 'Running').length;
    const inst = (await emu.http().get(`${pci}?api-version=${HV.hcs}`)).body;
    if (restarted < vms.length) assert.match(inst.properties.status.errorMessage, /Degraded/);
    else assert.ok(vms.every((v: any) => v.host !== host));
    await emu.http().post(`/_emulator/fabric/sites/hci-site-1/hosts/${host}/recover`);
    s = await site(emu);
    assert.ok(mine(s, pci).every((v: any) => v.state === 'Running'));
    const after = (await emu.http().get(`${pci}?api-version=${HV.hcs}`)).body;
    assert.ok(!/Degraded/.test(after.properties.status?.errorMessage ?? ''));
  });

  it('a crash in the middle of a create ends, after restart, in a terminal state with no VM or IP leaked', async () => {
    const dir = tmpDir('hybrid-crash-');
    emu = await startTestEmulator(['--data-dir', dir, '--time-scale', '0']);
    const p = await platform(emu);
    const cc = await connectedCluster(emu);
    const pci = pciId(cc);
    await emu.http().put('/_emulator/operations/time-scale').send({ timeScale: 0.02 });
    await put(emu, pci, HV.hcs, pciBody(p.cl, p.lnet, { cp: 3, pools: [{ name: 'lin', count: 2 }] }), 201);
    await waitUntil(() => emu.services.fabric!.ownerVms(pci).length > 0, { what: 'the first VM of the cluster' });
    await emu.close();
    emu = await startTestEmulator(['--data-dir', dir, '--time-scale', '0']);
    const op = emu.services.asyncOperations.list().find((o) => o.resourceId.toLowerCase() === pci.toLowerCase())!;
    const done = await emu.services.resourceManager.waitFor(op.id);
    assert.ok(['Succeeded', 'Failed'].includes(done.status), done.status);
    const g = (await emu.http().get(`${pci}?api-version=${HV.hcs}`)).body;
    assert.equal(g.properties.provisioningState, done.status);
    const s = await site(emu);
    const vms = mine(s, pci);
    assert.equal(vms.length, done.status === 'Succeeded' ? 5 : 0);
    assert.equal(s.logicalNetworks.find((n: any) => n.name === 'aks-lnet').usedIps, vms.length);
    // deleting the connected cluster frees everything
    await settle(emu, await emu.http().delete(`${cc}?api-version=${HV.cc}`), cc, HV.cc);
    const s2 = await site(emu);
    assert.equal(mine(s2, pci).length, 0);
    assert.equal(s2.logicalNetworks.find((n: any) => n.name === 'aks-lnet').usedIps, 0);
  });
  it('clusters created at the same moment get distinct control-plane endpoints and exact IP accounting', async () => {
    emu = await startTestEmulator();
    const p = await platform(emu);
    const ccs = await Promise.all(Array.from({ length: 5 }, (_, i) => connectedCluster(emu, `par${i}`)));
    const rs = await Promise.all(ccs.map((cc) => put(emu, pciId(cc), HV.hcs, pciBody(p.cl, p.lnet, { pools: [{ name: 'lin', count: 1 }] }))));
    assert.ok(
      rs.every((r) => r.status === 201),
      JSON.stringify(rs.map((r) => r.status)),
    );
    const done = await Promise.all(ccs.map((cc, i) => settle(emu, rs[i], pciId(cc), HV.hcs)));
    const eps = done.map((d) => d.properties.controlPlane.controlPlaneEndpoint.hostIP);
    assert.equal(new Set(eps).size, 5, eps.join(', '));
    const s = await site(emu);
    assert.equal(s.logicalNetworks.find((n: any) => n.name === 'aks-lnet').usedIps, 10);
    await Promise.all(ccs.map(async (cc) => settle(emu, await emu.http().delete(`${cc}?api-version=${HV.cc}`), cc, HV.cc)));
    const s2 = await site(emu);
    assert.equal(s2.logicalNetworks.find((n: any) => n.name === 'aks-lnet').usedIps, 0);
  });
});
