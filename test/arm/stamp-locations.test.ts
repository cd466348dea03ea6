// An Azure Stack Hub stamp's location ('local') is taken only by the types of the namespaces a stamp serves (az's
// 2020-09-01-hybrid profile, AKS, monitoring), hand-built or generic: an Arc connected cluster, an Arc machine, a
// custom location or an Arc resource bridge is an Azure resource in an Azure region, and a stamp's ARM has no such
// provider. Refused up front with ARM's LocationNotAvailableForResourceType, nothing made; the provider documents
// list the locations each type takes.
import assert from 'node:assert/strict';
import { startTestEmulator, rgPath, SUB, type TestEmulator } from '../support/emulator.js';

describe('Azure Stack Hub stamp locations: only the namespaces a stamp serves', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  const put = (id: string, v: string, body: unknown) =>
    emu
      .http()
      .put(`${id}?api-version=${v}`)
      .send(body as object);
  const rg = rgPath('stamp');

  before(async () => {
    emu = await startTestEmulator();
    assert.equal(emu.services.locations.get('local')?.kind, 'AzureStackHub', 'the default stamp');
    assert.equal((await put(rg, '2021-04-01', { location: 'local' })).status, 201, 'a resource group on the stamp');
  });
  after(async () => emu?.close());

  const refusedOnStamp: [string, string, unknown][] = [
    [`${rg}/providers/Microsoft.Kubernetes/connectedClusters/cc1`, '2024-01-01', { location: 'local', identity: { type: 'SystemAssigned' }, properties: { agentPublicKeyCertificate: '' } }],
    [`${rg}/providers/Microsoft.HybridCompute/machines/m1`, '2024-07-10', { location: 'local', kind: 'HCI' }],
    [
      `${rg}/providers/Microsoft.ExtendedLocation/customLocations/cl1`,
      '2021-08-15',
      { location: 'local', properties: { hostType: 'Kubernetes', hostResourceId: `${rg}/providers/Microsoft.Kubernetes/connectedClusters/cc1`, namespace: 'ns', clusterExtensionIds: [] } },
    ],
    [`${rg}/providers/Microsoft.ResourceConnector/appliances/b1`, '2022-10-27', { location: 'local', properties: { distro: 'AKSEdge', infrastructureConfig: { provider: 'HCI' } } }],
    [`${rg}/providers/Microsoft.OperationalInsights/workspaces/w1`, '2022-10-01', { location: 'local', properties: {} }],
  ];
  for (const [id, v, body] of refusedOnStamp) {
    const type = id.split('/providers/')[1].split('/').slice(0, 2).join('/');
    it(`${type} on 'local': 400 LocationNotAvailableForResourceType naming the type, nothing made`, async () => {
      const r = await put(id, v, body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'LocationNotAvailableForResourceType', JSON.stringify(r.body));
      assert.match(r.body.error.message, new RegExp(`'local'.*${type}`, 'i'));
      const listed = /available regions for the resource type is '([^']*)'/.exec(r.body.error.message)![1].split(',');
      assert.ok(listed.includes('eastus') && !listed.includes('local'), listed.join(','));
      assert.equal((await emu.http().get(`${id}?api-version=${v}`)).status, 404);
    });
  }

  it('the types a stamp serves still take it (a storage account, a managed identity)', async () => {
    for (const [id, v, body] of [
      [`${rg}/providers/Microsoft.Storage/storageAccounts/stampsa1`, '2019-06-01', { location: 'local', kind: 'StorageV2', sku: { name: 'Standard_LRS' } }],
      [`${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`, '2018-11-30', { location: 'local' }],
    ] as const) {
      const r = await put(id, v, body);
      assert.ok([200, 201].includes(r.status), `${id}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body.location, 'local');
    }
  });

  it('the provider documents list the stamp only for the types that take it', async () => {
    const doc = async (ns: string) => (await emu.http().get(`/subscriptions/${SUB}/providers/${ns}?api-version=2021-04-01`)).body;
    const locationsOf = (d: any, type: string) => d.resourceTypes.find((t: any) => t.resourceType === type).locations as string[];
    assert.ok(!locationsOf(await doc('Microsoft.Kubernetes'), 'connectedClusters').includes('local'));
    assert.ok(locationsOf(await doc('Microsoft.Kubernetes'), 'connectedClusters').includes('East US'));
    assert.ok(!locationsOf(await doc('Microsoft.HybridCompute'), 'machines').includes('local'));
    assert.ok(locationsOf(await doc('Microsoft.ContainerService'), 'managedClusters').includes('local'));
    assert.ok(locationsOf(await doc('Microsoft.Storage'), 'storageAccounts').includes('local'));
  });
});
