// The operator's AKS hybrid path over raw HTTPS, on top of the administrator's Arc platform:
// connected cluster → provisioned cluster instance (3 control-plane nodes, a Linux pool) → a Windows
// pool → scale → upgrade → credentials → delete, checking the fabric (VMs, IPs, cores) after each step.
import assert from 'node:assert/strict';
import { startTestEmulator, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { del, put, settle, site } from '../arc/helpers.js';
import { connectedCluster, HV, pciBody, pciId, platform, poolBody, poolId } from './helpers.js';

const mine = (s: any, owner: string) => s.vms.filter((v: any) => v.owner.toLowerCase() === owner.toLowerCase());
const lnetUse = (s: any, name: string) => s.logicalNetworks.find((n: any) => n.name === name).usedIps;

describe('AKS hybrid clusters on a custom location (REST)', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  beforeEach(async () => {
    emu = await startTestEmulator();
  });
  afterEach(async () => {
    await emu.close();
  });

  it("walks the operator's path and frees everything at the end", async () => {
    const p = await platform(emu);
    const base = await site(emu);
    const cc = await connectedCluster(emu);
    let g = (await emu.http().get(`${cc}?api-version=${HV.cc}`)).body;
    assert.equal(g.kind, 'ProvisionedCluster');
    assert.equal(g.properties.connectivityStatus, 'Connecting');
    assert.ok(g.identity.principalId);

    // 1. the cluster: 3 control-plane nodes, one Linux pool of 2
    const pci = pciId(cc);
    const body = pciBody(p.cl, p.lnet, { cp: 3, pools: [{ name: 'linux1', count: 2, vmSize: 'Standard_K8S3_v1', osType: 'Linux' }] });
    const r1 = await put(emu, pci, HV.hcs, body, 201);
    assert.equal(r1.body.properties.provisioningState, 'Creating');
    assert.ok(r1.headers['azure-asyncoperation']);
    const c1 = await settle(emu, r1, pci, HV.hcs);
    assert.equal(c1.properties.provisioningState, 'Succeeded');
    assert.equal(c1.type, 'Microsoft.HybridContainerService/provisionedClusterInstances');
    assert.equal(c1.properties.kubernetesVersion, '1.30.9');
    assert.deepEqual(
      c1.properties.agentPoolProfiles.map((a: any) => [a.name, a.count, a.osType]),
      [['linux1', 2, 'Linux']],
    );
    assert.deepEqual(
      c1.properties.status.controlPlaneStatus.map((x: any) => [x.phase, x.ready]),
      [
        ['provisioned', true],
        ['provisioned', true],
        ['provisioned', true],
      ],
    );
    const ep = c1.properties.controlPlane.controlPlaneEndpoint.hostIP;
    assert.match(ep, /^172\.20\.0\.\d+$/);
    const last = Number(ep.split('.')[3]);
    assert.ok(last < 100 || last > 199, `endpoint ${ep} is outside the pool`);
    let s = await site(emu);
    let vms = mine(s, pci);
    assert.equal(vms.filter((v: any) => v.role === 'controlPlane').length, 3);
    assert.equal(vms.filter((v: any) => v.role === 'worker').length, 2);
    assert.ok(vms.every((v: any) => v.state === 'Running' && /^172\.20\.0\.1\d\d$/.test(v.ip)));
    const cores = (list: any[]) => list.reduce((n, v) => n + v.cores, 0);
    assert.equal(s.capacity.freeCores, base.capacity.freeCores - cores(vms));
    assert.equal(lnetUse(s, 'aks-lnet'), 5);
    g = (await emu.http().get(`${cc}?api-version=${HV.cc}`)).body;
    assert.equal(g.properties.connectivityStatus, 'Connected');
    assert.equal(g.properties.totalNodeCount, 5);
    assert.equal(g.properties.totalCoreCount, cores(vms));
    assert.equal(g.properties.kubernetesVersion, '1.30.9');

    // 2. a Windows pool (PutAgentPool.json)
    const win = poolId('win1', cc);
    const r2 = await put(emu, win, HV.hcs, poolBody({ osType: 'Windows', osSKU: 'Windows2022', vmSize: 'Standard_K8S3_v1' }), 201);
    assert.equal(r2.body.properties.provisioningState, 'Creating');
    const w = await settle(emu, r2, win, HV.hcs);
    assert.equal(w.properties.provisioningState, 'Succeeded');
    assert.equal(w.properties.osSKU, 'Windows2022');
    assert.equal(w.properties.status.readyReplicas[0].count, 1);
    assert.equal(w.properties.status.currentState, 'Succeeded');
    assert.equal(r2.body.properties.status.currentState, 'Creating');
    s = await site(emu);
    assert.equal(mine(s, pci).filter((v: any) => v.pool === 'win1').length, 1);
    assert.equal(lnetUse(s, 'aks-lnet'), 6);
    const list = await emu.http().get(`${pci}/agentPools?api-version=${HV.hcs}`);
    assert.deepEqual(
      list.body.value.map((x: any) => x.name),
      ['linux1', 'win1'],
    );
    assert.equal((await emu.http().get(`${pci}?api-version=${HV.hcs}`)).body.properties.agentPoolProfiles.length, 2);

    // 3. scale the Linux pool to 4
    const lin = poolId('linux1', cc);
    await settle(emu, await put(emu, lin, HV.hcs, poolBody({ count: 4, vmSize: 'Standard_K8S3_v1' }), 200), lin, HV.hcs);
    s = await site(emu);
    vms = mine(s, pci);
    assert.equal(vms.filter((v: any) => v.pool === 'linux1').length, 4);
    assert.equal(lnetUse(s, 'aks-lnet'), 8);
    assert.equal(s.capacity.freeCores, base.capacity.freeCores - cores(vms));
    assert.equal((await emu.http().get(`${cc}?api-version=${HV.cc}`)).body.properties.totalNodeCount, 8);

    // 4. upgrade (upgradeProfiles says where to)
    const up = await emu.http().get(`${pci}/upgradeProfiles/default?api-version=${HV.hcs}`);
    assert.equal(up.status, 200);
    assert.equal(up.body.properties.controlPlaneProfile.kubernetesVersion, '1.30.9');
    assert.equal(up.body.systemData.createdAt, c1.systemData.createdAt);
    assert.ok(up.body.properties.controlPlaneProfile.upgrades.some((u: any) => u.kubernetesVersion === '1.31.5'));
    const r4 = await put(emu, pci, HV.hcs, { ...body, properties: { ...body.properties, kubernetesVersion: '1.31.5', agentPoolProfiles: undefined } }, 200);
    assert.equal(r4.body.properties.provisioningState, 'Upgrading');
    const c4 = await settle(emu, r4, pci, HV.hcs);
    assert.equal(c4.properties.kubernetesVersion, '1.31.5');
    assert.ok(c4.properties.agentPoolProfiles.every((a: any) => a.kubernetesVersion === '1.31.5'));
    s = await site(emu);
    vms = mine(s, pci);
    assert.equal(vms.length, 8);
    assert.ok(vms.every((v: any) => v.kubernetesVersion === '1.31.5' && v.state === 'Running'));
    assert.equal(lnetUse(s, 'aks-lnet'), 8);
    assert.equal(s.capacity.freeCores, base.capacity.freeCores - cores(vms));

    // 5. credentials (asynchronous: 202, then the result at the Location URL)
    const kc: Record<string, string> = {};
    for (const which of ['listAdminKubeconfig', 'listUserKubeconfig']) {
      const r = await emu.http().post(`${pci}/${which}?api-version=${HV.hcs}`).send({});
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.ok(r.headers.location);
      const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
      assert.equal(st.status, 'Succeeded');
      const res = await emu.http().get(new URL(r.headers.location).pathname + new URL(r.headers.location).search);
      assert.equal(res.status, 200);
      kc[which] = Buffer.from(res.body.properties.kubeconfigs[0].value, 'base64').toString('utf8');
      assert.match(kc[which], new RegExp(`server: ${emu.url}/k8s/[0-9a-f]{20}\n`));
      assert.match(kc[which], /certificate-authority-data: /);
    }
    assert.match(kc.listAdminKubeconfig, /client-certificate-data/);
    assert.match(kc.listUserKubeconfig, /token: /);
    assert.notEqual(kc.listAdminKubeconfig, kc.listUserKubeconfig);
    const cred = await emu.http().post(`${cc}/listClusterUserCredential?api-version=${HV.cc}`).send({ authenticationMethod: 'Token', clientProxy: false });
    assert.equal(cred.status, 200);
    assert.match(Buffer.from(cred.body.kubeconfigs[0].value, 'base64').toString(), new RegExp(`server: ${emu.url}/k8s/[0-9a-f]{20}\n`));

    // a pool scaled through the cluster's own PUT (agentPoolProfiles), and a pool deleted
    const r5 = await put(
      emu,
      pci,
      HV.hcs,
      { ...body, properties: { ...body.properties, kubernetesVersion: '1.31.5', agentPoolProfiles: [{ name: 'linux1', count: 3, vmSize: 'Standard_K8S3_v1' }] } },
      200,
    );
    const c5 = await settle(emu, r5, pci, HV.hcs);
    assert.deepEqual(
      c5.properties.agentPoolProfiles.map((a: any) => [a.name, a.count]),
      [
        ['linux1', 3],
        ['win1', 1],
      ],
    );
    await del(emu, win, HV.hcs);
    s = await site(emu);
    vms = mine(s, pci);
    assert.deepEqual(
      vms.filter((v: any) => v.role === 'worker').map((v: any) => v.pool),
      ['linux1', 'linux1', 'linux1'],
    );
    assert.equal(lnetUse(s, 'aks-lnet'), 6);
    assert.equal(s.capacity.freeCores, base.capacity.freeCores - cores(vms));
    assert.equal((await emu.http().get(`${cc}?api-version=${HV.cc}`)).body.properties.totalNodeCount, 6);

    // an extension on the connected cluster installs on the cluster's site
    const flux = `${cc}/providers/Microsoft.KubernetesConfiguration/extensions/flux`;
    const fx = await settle(emu, await put(emu, flux, '2023-05-01', { properties: { extensionType: 'microsoft.flux' } }, 201), flux, '2023-05-01');
    assert.equal(fx.properties.provisioningState, 'Succeeded');
    assert.ok((await site(emu)).packages.some((x: any) => x.owner === flux && x.host === cc));

    // 6. delete the connected cluster: the instance, its pools, VMs and extensions go with it
    await del(emu, cc, HV.cc);
    assert.equal((await emu.http().get(`${flux}?api-version=2023-05-01`)).status, 404);
    assert.ok(!(await site(emu)).packages.some((x: any) => x.owner === flux));
    assert.equal((await emu.http().get(`${pci}?api-version=${HV.hcs}`)).status, 404);
    s = await site(emu);
    assert.equal(mine(s, pci).length, 0);
    assert.equal(lnetUse(s, 'aks-lnet'), 0);
    assert.equal(s.capacity.freeCores, base.capacity.freeCores);
    // the network is free to delete again
    await del(emu, p.lnet, '2024-01-01');
  });
});
