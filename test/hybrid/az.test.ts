// The real az CLI 2.45 on the operator's AKS hybrid path: the aksarc and connectedk8s extensions
// cannot be installed here, so az resource and az rest for every type (the README's commands).
import assert from 'node:assert/strict';
import { SUB, type TestEmulator } from '../support/emulator.js';
import type { AzSession } from '../support/az.js';
import { azOnEmulator } from '../support/azSuite.js';
import { platform, pciBody } from './helpers.js';

const RG = 'arc';
const base = `/subscriptions/${SUB}/resourceGroups/${RG}/providers`;
const cc = `${base}/Microsoft.Kubernetes/connectedClusters/aks-az`;
const pci = `${cc}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default`;
const V = '2024-01-01';

describe('real az CLI: AKS hybrid clusters with az resource and az rest', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let az: AzSession;
  before(async () => ({ emu, az } = await azOnEmulator()));
  after(async () => emu?.close());

  it('connected cluster → cluster → pool → offerings → kubeconfig → delete', async () => {
    const p = await platform(emu);
    const c = await az.ok([
      'resource',
      'create',
      '--id',
      cc,
      '--api-version',
      V,
      '--is-full-object',
      '--properties',
      JSON.stringify({ location: 'eastus', kind: 'ProvisionedCluster', identity: { type: 'SystemAssigned' }, properties: { agentPublicKeyCertificate: '' } }),
    ]);
    assert.equal(c.properties.provisioningState, 'Succeeded');
    assert.equal(c.kind, 'ProvisionedCluster');
    // az rest does not wait for the operation: poll with az resource show
    const made = await az.ok([
      'rest',
      '--method',
      'put',
      '--url',
      `${pci}?api-version=${V}`,
      '--body',
      JSON.stringify(pciBody(p.cl, p.lnet, { cp: 1, pools: [{ name: 'nodepool1', count: 1, vmSize: 'Standard_A4_v2', osType: 'Linux' }] })),
    ]);
    assert.equal(made.properties.provisioningState, 'Creating');
    let state = '';
    for (let i = 0; i < 30 && state !== 'Succeeded'; i++) state = (await az.ok(['resource', 'show', '--id', pci, '--api-version', V])).properties.provisioningState;
    assert.equal(state, 'Succeeded');
    await az.ok(['rest', '--method', 'put', '--url', `${pci}/agentPools/win1?api-version=${V}`, '--body', JSON.stringify({ properties: { count: 1, vmSize: 'Standard_A4_v2', osType: 'Windows' } })]);
    state = '';
    for (let i = 0; i < 30 && state !== 'Succeeded'; i++) state = (await az.ok(['resource', 'show', '--id', `${pci}/agentPools/win1`, '--api-version', V])).properties.provisioningState;
    assert.equal(state, 'Succeeded');
    const pools = await az.ok(['rest', '--method', 'get', '--url', `${pci}/agentPools?api-version=${V}`]);
    assert.deepEqual(
      pools.value.map((x: any) => x.name),
      ['nodepool1', 'win1'],
    );
    const shown = await az.ok(['resource', 'show', '--id', cc, '--api-version', V]);
    assert.equal(shown.properties.totalNodeCount, 3);
    assert.equal(shown.properties.connectivityStatus, 'Connected');
    await az.ok([
      'rest',
      '--method',
      'put',
      '--url',
      `${p.cl}/providers/Microsoft.HybridContainerService/kubernetesVersions/default?api-version=${V}`,
      '--body',
      JSON.stringify({ extendedLocation: { type: 'CustomLocation', name: p.cl } }),
    ]);
    const kv = await az.ok(['resource', 'show', '--id', `${p.cl}/providers/Microsoft.HybridContainerService/kubernetesVersions/default`, '--api-version', V]);
    assert.ok(kv.properties.values.length > 0);
    const up = await az.ok(['rest', '--method', 'get', '--url', `${pci}/upgradeProfiles/default?api-version=${V}`]);
    assert.equal(up.properties.controlPlaneProfile.kubernetesVersion, '1.30.9');
    // the asynchronous kubeconfig action: az resource invoke-action waits and prints the result
    const kc = await az.ok(['resource', 'invoke-action', '--ids', pci, '--action', 'listAdminKubeconfig', '--api-version', V]);
    const yaml = Buffer.from(kc.properties.kubeconfigs[0].value, 'base64').toString('utf8');
    assert.match(yaml, /server: https:\/\/(localhost|127\.0\.0\.1):\d+\/k8s\/[0-9a-f]{20}\n/);
    const list = await az.ok(['resource', 'list', '-g', RG, '--resource-type', 'Microsoft.Kubernetes/connectedClusters']);
    assert.deepEqual(
      list.map((x: any) => x.name),
      ['aks-az'],
    );
    await az.ok(['resource', 'delete', '--id', cc, '--api-version', V]);
    const gone = await az.run(['resource', 'show', '--id', pci, '--api-version', V]);
    assert.notEqual(gone.code, 0);
  });
});
