// The product catalogues as published today: AKS and AKS on Azure Local Kubernetes versions with their upgrade
// paths, VM sizes per target (Standard_D2_v3 in eastus, AKS on Azure Local's GPU sizes), overridable per site in
// the config; the cluster autoscaler on AKS on Azure Local; a logical network with only a VIP pool.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { rgPath, SUB, tmpDir, type TestEmulator } from '../support/emulator.js';
import { clusterBody, clusterPath, createGroup, startAksEmulator, writeAndWait } from '../containerservice/helpers.js';
import { HV, ccBody, ccId, pciBody, pciId, platform } from '../hybrid/helpers.js';
import { lnetBody, put, rg, settle, site } from '../arc/helpers.js';
import { capabilityDocument } from '../../src/kubernetes/capabilities.js';

const CS = 'Microsoft.ContainerService';

describe('product catalogues: Kubernetes versions, VM sizes, the AKS on Azure Local autoscaler', function () {
  this.timeout(120_000);

  describe('Azure regions and an Azure Stack HCI site, by default', () => {
    let emu: TestEmulator;
    let p: { cl: string; lnet: string };
    before(async () => {
      emu = await startAksEmulator();
      await createGroup(emu, 'prod', 'eastus');
      p = await platform(emu);
    });
    after(async () => emu?.close());

    it('AKS offers the minors in standard support today (1.34-1.36), two patches each, and upgrades one minor at a time', async () => {
      const kv = await emu.http().get(`/subscriptions/${SUB}/providers/${CS}/locations/eastus/kubernetesVersions?api-version=2024-02-01`);
      assert.equal(kv.status, 200, JSON.stringify(kv.body));
      assert.deepEqual(
        kv.body.values.map((v: any) => v.version),
        ['1.34', '1.35', '1.36'],
      );
      const v135 = kv.body.values.find((v: any) => v.version === '1.35');
      assert.equal(v135.isDefault, true);
      assert.deepEqual(v135.patchVersions['1.35.5'].upgrades, ['1.35.6', '1.36.1', '1.36.2']);
      const v134 = kv.body.values.find((v: any) => v.version === '1.34');
      assert.deepEqual(v134.patchVersions['1.34.9'].upgrades, ['1.35.5', '1.35.6'], 'no minor is skipped');
      const old = await writeAndWait(emu, 'put', `${clusterPath('prod', 'old')}?api-version=2024-02-01`, {
        ...clusterBody('eastus'),
        properties: { ...clusterBody('eastus').properties, kubernetesVersion: '1.29.9' },
      });
      assert.equal(old.res.status, 400);
      assert.equal(old.res.body.error.code, 'KubernetesVersionNotSupported');
      assert.match(old.res.body.error.message, /1\.34\.8, 1\.34\.9, 1\.35\.5, 1\.35\.6, 1\.36\.1, 1\.36\.2/);
    });

    it('an Azure region offers the published VM sizes: Standard_D2_v3 in eastus, with its vCPUs and memory', async () => {
      const body = clusterBody('eastus');
      body.properties.agentPoolProfiles[0].vmSize = 'Standard_D2_v3';
      const c = await writeAndWait(emu, 'put', `${clusterPath('prod', 'd2v3')}?api-version=2024-02-01`, body);
      assert.equal(c.status?.status, 'Succeeded', JSON.stringify(c.res.body));
      const doc = capabilityDocument({ name: 'eastus', kind: 'AzureRegion', location: 'eastus' });
      assert.deepEqual(
        doc.vmSizes.find((s) => s.name === 'Standard_D2_v3'),
        { name: 'Standard_D2_v3', cores: 2, memoryGB: 8, storageGB: 128 },
      );
      for (const s of ['Standard_E64_v3', 'Standard_D96ds_v5', 'Standard_F72s_v2', 'Standard_NC4as_T4_v3'])
        assert.ok(
          doc.vmSizes.some((x) => x.name === s),
          s,
        );
      assert.ok(!doc.vmSizes.some((x) => x.name === 'Standard_K8S3_v1'), 'AKS on Azure Local sizes are not Azure sizes');
    });

    it('AKS on Azure Local offers 1.29.4 and newer (with the v its templates write), its GPU sizes, and the cluster autoscaler', async () => {
      const cc = ccId('scaler1');
      await settle(emu, await put(emu, cc, HV.cc, ccBody(), 201), cc, HV.cc);
      const pci = pciId(cc);
      const body = pciBody(p.cl, p.lnet, { version: 'v1.29.4', pools: [{ name: 'auto1', count: 1, vmSize: 'Standard_A4_v2', osType: 'Linux', enableAutoScaling: true, minCount: 1, maxCount: 3 }] });
      const r = await put(emu, pci, HV.hcs, body, 201);
      const done = await settle(emu, r, pci, HV.hcs);
      assert.equal(done.properties.provisioningState, 'Succeeded', JSON.stringify(done));
      assert.equal(done.properties.kubernetesVersion, '1.29.4');
      const pool = done.properties.agentPoolProfiles.find((a: any) => a.name === 'auto1');
      assert.deepEqual([pool.enableAutoScaling, pool.minCount, pool.maxCount], [true, 1, 3]);
      // autoscaling without its bounds is refused, naming the property
      const bad = await emu
        .http()
        .put(`${pci}/agentPools/auto2?api-version=${HV.hcs}`)
        .send({ properties: { count: 1, vmSize: 'Standard_A4_v2', osType: 'Linux', enableAutoScaling: true } });
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.equal(bad.body.error.target, 'properties.minCount');
      const sizes = await emu
        .http()
        .put(`${p.cl}/providers/Microsoft.HybridContainerService/skus/default?api-version=${HV.hcs}`)
        .send({ extendedLocation: { type: 'CustomLocation', name: p.cl } });
      assert.ok([200, 201].includes(sizes.status), JSON.stringify(sizes.body));
      const names = sizes.body.properties.values.map((v: any) => v.name);
      for (const s of ['Standard_A4_v2', 'Standard_D16s_v3', 'Standard_NK6', 'Standard_NC4_A2', 'Standard_NC32_A16']) assert.ok(names.includes(s), s);
      const versions = await emu
        .http()
        .put(`${p.cl}/providers/Microsoft.HybridContainerService/kubernetesVersions/default?api-version=${HV.hcs}`)
        .send({ extendedLocation: { type: 'CustomLocation', name: p.cl } });
      const patches = versions.body.properties.values.flatMap((v: any) => Object.keys(v.patchVersions));
      assert.deepEqual(patches, ['1.29.4', '1.29.7', '1.29.9', '1.29.12', '1.29.13', '1.30.3', '1.30.4', '1.30.8', '1.30.9', '1.31.4', '1.31.5']);
    });

    it('a logical network with only a VIP pool gets no VM pool covering its prefix', async () => {
      const cl = p.cl;
      const id = `${rg()}/providers/Microsoft.AzureStackHCI/logicalNetworks/vip-only`;
      const body = lnetBody(cl, '172.30.0.0/24', 30, { start: '172.30.0.200', end: '172.30.0.210' });
      (body.properties.subnets[0].properties.ipPools[0] as any).ipPoolType = 'vippool';
      await settle(emu, await put(emu, id, '2024-01-01', body, 201), id, '2024-01-01');
      const net = (await site(emu)).logicalNetworks.find((n: any) => n.addressPrefix === '172.30.0.0/24');
      assert.deepEqual(net.vipPools, [{ start: '172.30.0.200', end: '172.30.0.210' }]);
      assert.deepEqual(net.ipPools, [], 'no default pool of the whole prefix');
      assert.equal(net.freeIps, 0);
    });
  });

  it("a site's config entry overrides its Kubernetes versions and VM sizes", async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        sites: [{ name: 'westeurope', kind: 'AzureRegion', capabilities: { kubernetesVersions: ['1.35.6', '1.36.2'], defaultKubernetesVersion: '1.36.2', vmSizes: ['Standard_D2_v3'] } }],
      }),
    );
    const emu = await startAksEmulator(['--config', file]);
    try {
      await createGroup(emu, 'we', 'westeurope');
      const kv = await emu.http().get(`/subscriptions/${SUB}/providers/${CS}/locations/westeurope/kubernetesVersions?api-version=2024-02-01`);
      assert.deepEqual(
        kv.body.values.map((v: any) => v.version),
        ['1.35', '1.36'],
      );
      const body = clusterBody('westeurope');
      const refused = await writeAndWait(emu, 'put', `${clusterPath('we', 'c1')}?api-version=2024-02-01`, body);
      assert.equal(refused.res.body.error?.code, 'VMSizeNotSupported', JSON.stringify(refused.res.body));
      body.properties.agentPoolProfiles[0].vmSize = 'Standard_D2_v3';
      const ok = await writeAndWait(emu, 'put', `${clusterPath('we', 'c1')}?api-version=2024-02-01`, body);
      assert.equal(ok.status?.status, 'Succeeded', JSON.stringify(ok.res.body));
      assert.equal((await emu.http().get(`${rgPath('we')}/providers/${CS}/managedClusters/c1?api-version=2024-02-01`)).body.properties.kubernetesVersion, '1.36.2');
    } finally {
      await emu.close();
    }
  });
});
