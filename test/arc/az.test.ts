// The real az CLI 2.45 on the Arc path: the az extensions (arcappliance, k8s-extension,
// customlocation) cannot be installed here, so this is what a user has: az resource and az rest,
// with the default profile and the Azure Stack Hub hybrid profile. The commands are the README's.
import assert from 'node:assert/strict';
import { SUB, type TestEmulator } from '../support/emulator.js';
import { AzSession } from '../support/az.js';
import { azOnEmulator } from '../support/azSuite.js';

const RG = 'arc-az';
const base = `/subscriptions/${SUB}/resourceGroups/${RG}/providers`;
const app = `${base}/Microsoft.ResourceConnector/appliances/bridge1`;
const ext = (n: string) => `${app}/providers/Microsoft.KubernetesConfiguration/extensions/${n}`;
const cl = `${base}/Microsoft.ExtendedLocation/customLocations/hci-cl`;
const ln = `${base}/Microsoft.AzureStackHCI/logicalNetworks/lnet-az`;

describe('real az CLI: the Arc platform with az resource and az rest', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let az: AzSession;
  before(async () => ({ emu, az } = await azOnEmulator()));
  after(async () => emu?.close());

  it('bridge → extensions → custom location → logical network, then deleted in reverse', async () => {
    await az.ok(['group', 'create', '-n', RG, '-l', 'eastus']);
    const a = await az.ok([
      'resource',
      'create',
      '--id',
      app,
      '--api-version',
      '2022-10-27',
      '--is-full-object',
      '--properties',
      JSON.stringify({ location: 'eastus', identity: { type: 'SystemAssigned' }, properties: { distro: 'AKSEdge', infrastructureConfig: { provider: 'HCI' } } }),
    ]);
    assert.equal(a.properties.provisioningState, 'Succeeded');
    assert.equal(a.properties.status, 'Running');
    for (const [name, type] of [
      ['hybridaks', 'Microsoft.HybridAKSOperator'],
      ['vm-operator', 'Microsoft.AZStackHCI.Operator'],
    ]) {
      const e = await az.ok([
        'rest',
        '--method',
        'put',
        '--url',
        `${ext(name)}?api-version=2023-05-01`,
        '--body',
        JSON.stringify({ properties: { extensionType: type, autoUpgradeMinorVersion: true, releaseTrain: 'Stable' } }),
      ]);
      assert.equal(e.properties.provisioningState, 'Creating');
    }
    // az rest does not wait: the user polls with az resource show (or az rest get)
    for (const name of ['hybridaks', 'vm-operator']) {
      let state = '';
      for (let i = 0; i < 20 && state !== 'Succeeded'; i++) state = (await az.ok(['resource', 'show', '--id', ext(name), '--api-version', '2023-05-01'])).properties.provisioningState;
      assert.equal(state, 'Succeeded');
    }
    const c = await az.ok([
      'resource',
      'create',
      '--id',
      cl,
      '--api-version',
      '2021-08-15',
      '--is-full-object',
      '--properties',
      JSON.stringify({ location: 'eastus', properties: { hostResourceId: app, namespace: 'hci-cl', clusterExtensionIds: [ext('hybridaks'), ext('vm-operator')], hostType: 'Kubernetes' } }),
    ]);
    assert.equal(c.properties.provisioningState, 'Succeeded');
    const types = await az.ok(['rest', '--method', 'get', '--url', `${cl}/enabledResourceTypes?api-version=2021-08-15`]);
    assert.equal(types.value.length, 2);
    const n = await az.ok([
      'resource',
      'create',
      '--id',
      ln,
      '--api-version',
      '2024-01-01',
      '--is-full-object',
      '--properties',
      JSON.stringify({
        location: 'eastus',
        extendedLocation: { type: 'CustomLocation', name: cl },
        properties: {
          subnets: [{ name: 'default', properties: { addressPrefix: '172.20.0.0/24', ipAllocationMethod: 'Static', vlan: 20, ipPools: [{ start: '172.20.0.100', end: '172.20.0.199' }] } }],
        },
      }),
    ]);
    assert.equal(n.properties.provisioningState, 'Succeeded');
    const list = await az.ok(['resource', 'list', '-g', RG]);
    const listed = list.map((r: any) => r.type).sort();
    assert.deepEqual(listed, ['Microsoft.AzureStackHCI/logicalNetworks', 'Microsoft.ExtendedLocation/customLocations', 'Microsoft.ResourceConnector/appliances']);
    const fabric = (await emu.http().get('/_emulator/fabric?site=hci-site-1')).body.sites[0];
    assert.ok(fabric.logicalNetworks.some((x: any) => x.name === 'lnet-az' && x.freeIps === 100));

    // a refusal reads as ARM's error in az's output
    const busy = await az.run(['rest', '--method', 'delete', '--url', `${cl}?api-version=2021-08-15`]);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, /CustomLocationInUse/);
    assert.ok(busy.stderr.includes(ln));
    const busy2 = await az.run(['resource', 'delete', '--id', cl, '--api-version', '2021-08-15']);
    assert.notEqual(busy2.code, 0);

    for (const [id, v] of [
      [ln, '2024-01-01'],
      [cl, '2021-08-15'],
      [ext('vm-operator'), '2023-05-01'],
      [ext('hybridaks'), '2023-05-01'],
      [app, '2022-10-27'],
    ]) {
      const d = await az.run(['resource', 'delete', '--id', id, '--api-version', v]);
      assert.equal(d.code, 0, `${id}: ${d.stderr}`);
    }
    const after = (await emu.http().get('/_emulator/fabric?site=hci-site-1')).body.sites[0];
    assert.deepEqual(after.packages, []);
    assert.ok(!after.vms.some((v: any) => v.role === 'appliance'));
    assert.ok(!after.logicalNetworks.some((x: any) => x.name === 'lnet-az'));
  });

  it('the hybrid profile (2020-09-01-hybrid): az resource create/show/list/delete of a bridge', async () => {
    const hub = new AzSession(emu);
    await hub.login('2020-09-01-hybrid');
    await hub.ok(['group', 'create', '-n', 'arc-hub', '-l', 'eastus']);
    const id = `/subscriptions/${SUB}/resourceGroups/arc-hub/providers/Microsoft.ResourceConnector/appliances/hub-bridge`;
    const a = await hub.ok([
      'resource',
      'create',
      '--id',
      id,
      '--api-version',
      '2022-10-27',
      '--is-full-object',
      '--properties',
      JSON.stringify({ location: 'eastus', properties: { infrastructureConfig: { provider: 'HCI' } } }),
    ]);
    assert.equal(a.properties.status, 'Running');
    const shown = await hub.ok(['resource', 'show', '--id', id, '--api-version', '2022-10-27']);
    assert.equal(shown.name, 'hub-bridge');
    const listed = await hub.ok(['resource', 'list', '--resource-type', 'Microsoft.ResourceConnector/appliances']);
    assert.ok(listed.some((r: any) => r.name === 'hub-bridge'));
    const creds = await hub.ok(['rest', '--method', 'post', '--url', `${id}/listClusterUserCredential?api-version=2022-10-27`]);
    assert.equal(creds.kubeconfigs[0].name, 'clusterUser');
    const d = await hub.run(['resource', 'delete', '--id', id, '--api-version', '2022-10-27']);
    assert.equal(d.code, 0, d.stderr);
    const gone = await hub.run(['resource', 'show', '--id', id, '--api-version', '2022-10-27']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /ResourceNotFound/);
  });
});
