// Resource groups, subscriptions, locations and the generic /resources lists.
import assert from 'node:assert/strict';
import { startTestEmulator, rgPath, SUB, TENANT, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { testProvider, TEST_NS } from '../support/test-provider.js';
import { allProviders } from '../../src/providers/index.js';

const V = 'api-version=2021-04-01';

describe('Microsoft.Resources: subscriptions, locations, resource groups', () => {
  let emu: TestEmulator;
  before(async () => {
    emu = await startTestEmulator([], { providers: [...allProviders(), testProvider()] });
  });
  after(async () => emu.close());

  it('lists and gets subscriptions and tenants', async () => {
    const l = await emu.http().get('/subscriptions?api-version=2019-11-01');
    assert.equal(l.status, 200);
    assert.deepEqual(
      l.body.value.map((s: any) => s.subscriptionId),
      [SUB],
    );
    assert.equal(l.body.value[0].state, 'Enabled');
    assert.equal(l.body.value[0].tenantId, TENANT);
    const g = await emu.http().get(`/subscriptions/${SUB}?api-version=2016-06-01`);
    assert.equal(g.body.id, `/subscriptions/${SUB}`);
    const t = await emu.http().get('/tenants?api-version=2020-01-01');
    assert.equal(t.body.value[0].tenantId, TENANT);
    const missing = await emu.http().get(`/subscriptions/00000000-0000-0000-0000-00000000dead/resourcegroups?${V}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'SubscriptionNotFound');
  });

  it('lists locations: Azure regions and the Azure Stack Hub stamp', async () => {
    const r = await emu.http().get(`/subscriptions/${SUB}/locations?api-version=2022-12-01`);
    const names = r.body.value.map((l: any) => l.name);
    for (const n of ['eastus', 'westeurope', 'local']) assert.ok(names.includes(n), n);
  });

  it('PUT creates (201) then updates (200), keeping the casing last sent; GET and HEAD are case-insensitive', async () => {
    const c = await emu
      .http()
      .put(`/subscriptions/${SUB}/resourcegroups/MyGroup?${V}`)
      .send({ location: 'East US', tags: { a: '1' } });
    assert.equal(c.status, 201);
    assert.equal(c.body.id, `/subscriptions/${SUB}/resourceGroups/MyGroup`);
    assert.equal(c.body.location, 'eastus');
    assert.equal(c.body.type, 'Microsoft.Resources/resourceGroups');
    assert.equal(c.body.properties.provisioningState, 'Succeeded');
    const u = await emu
      .http()
      .put(`/subscriptions/${SUB}/resourceGroups/mygroup?${V}`)
      .send({ location: 'eastus', tags: { b: '2' } });
    assert.equal(u.status, 200);
    assert.equal(u.body.name, 'mygroup');
    const g = await emu.http().get(`/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/MYGROUP?${V}`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.body.tags, { b: '2' });
    assert.equal((await emu.http().head(`${rgPath('MYGROUP')}?${V}`)).status, 204);
    assert.equal((await emu.http().head(`${rgPath('nope')}?${V}`)).status, 404);
    const nf = await emu.http().get(`${rgPath('nope')}?${V}`);
    assert.equal(nf.status, 404);
    assert.deepEqual(nf.body, { error: { code: 'ResourceGroupNotFound', message: "Resource group 'nope' could not be found." } });
  });

  it('refuses to move a resource group to another location', async () => {
    await emu
      .http()
      .put(`${rgPath('fixed')}?${V}`)
      .send({ location: 'westus' });
    const r = await emu
      .http()
      .put(`${rgPath('fixed')}?${V}`)
      .send({ location: 'eastus' });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'InvalidResourceGroupLocation');
  });

  it('PATCH replaces tags as a whole', async () => {
    await emu
      .http()
      .put(`${rgPath('tagged')}?${V}`)
      .send({ location: 'eastus', tags: { t1: 'a', t2: 'b' } });
    const p = await emu
      .http()
      .patch(`${rgPath('tagged')}?${V}`)
      .send({ tags: { t3: 'c' } });
    assert.equal(p.status, 200);
    assert.deepEqual(p.body.tags, { t3: 'c' });
  });

  it('lists with $top and an absolute nextLink that walks every page', async () => {
    for (let i = 0; i < 7; i++)
      await emu
        .http()
        .put(`${rgPath(`page-${i}`)}?${V}`)
        .send({ location: 'eastus' });
    const seen: string[] = [];
    let url: string | undefined = `/subscriptions/${SUB}/resourcegroups?${V}&$top=3`;
    let pages = 0;
    while (url) {
      const r = await emu.http().get(url);
      assert.equal(r.status, 200);
      assert.ok(r.body.value.length <= 3);
      seen.push(...r.body.value.map((g: any) => g.name));
      pages++;
      if (r.body.nextLink) {
        assert.ok(r.body.nextLink.startsWith(`${emu.url}/subscriptions/${SUB}/resourceGroups?`));
        const u = new URL(r.body.nextLink);
        url = u.pathname + u.search;
      } else url = undefined;
    }
    assert.ok(pages >= 3);
    for (let i = 0; i < 7; i++) assert.ok(seen.includes(`page-${i}`));
    assert.equal(new Set(seen).size, seen.length, 'no duplicates across pages');
  });

  it('DELETE is a long-running operation that deletes everything inside, including children', async () => {
    const rg = rgPath('doomed');
    await emu.http().put(`${rg}?${V}`).send({ location: 'eastus' });
    const w = `${rg}/providers/${TEST_NS}/widgets/w1?api-version=2024-01-01`;
    const put = await emu
      .http()
      .put(w)
      .send({ location: 'eastus', properties: { size: 1 } });
    assert.equal(put.status, 201);
    await waitForOperation(emu, put.headers['azure-asyncoperation']);
    const gadget = await emu.http().put(`${rg}/providers/${TEST_NS}/widgets/w1/gadgets/g1?api-version=2024-01-01`).send({ properties: {} });
    assert.equal(gadget.status, 201);
    const d = await emu.http().delete(`${rg}?${V}`);
    assert.equal(d.status, 202);
    assert.ok(d.headers.location.startsWith(`${emu.url}/subscriptions/${SUB}/providers/Microsoft.Resources/locations/eastus/operationResults/`));
    assert.equal(d.headers['retry-after'], '1');
    const status = await waitForOperation(emu, d.headers['azure-asyncoperation']);
    assert.equal(status.status, 'Succeeded');
    const loc = new URL(d.headers.location);
    const done = await emu.http().get(loc.pathname + loc.search);
    assert.equal(done.status, 200);
    assert.equal((await emu.http().get(`${rg}?${V}`)).status, 404);
    assert.equal(emu.services.resources.listByParent(rg).length, 0);
    assert.equal([...emu.services.resources.all()].filter((r) => r.resource.id.toLowerCase().includes('/doomed/')).length, 0);
    assert.equal((await emu.http().delete(`${rg}?${V}`)).status, 204, 'deleting what is gone is 204');
  });

  it('refuses writes into a resource group that is being deleted (409)', async () => {
    const rg = rgPath('going');
    await emu.http().put(`${rg}?${V}`).send({ location: 'eastus' });
    const slow = await emu
      .http()
      .put(`${rg}/providers/${TEST_NS}/widgets/slow?api-version=2024-01-01`)
      .send({ location: 'eastus', properties: { workMs: 0 } });
    await waitForOperation(emu, slow.headers['azure-asyncoperation']);
    // make the widget's delete take a while
    emu.services.asyncOperations.setTimeScale(1);
    const stored = emu.services.resources.get(`${rg}/providers/${TEST_NS}/widgets/slow`)!;
    stored.resource.properties!.workMs = 400;
    const d = await emu.http().delete(`${rg}?${V}`);
    assert.equal(d.status, 202);
    // held open (in this process, while the widget's 400 ms delete runs) until the checks below are done
    const opId = new URL(d.headers['azure-asyncoperation']).pathname.split('/').pop()!;
    await emu.services.asyncOperations.hold(opId);
    const w = await emu.http().put(`${rg}/providers/${TEST_NS}/widgets/late?api-version=2024-01-01`).send({ location: 'eastus' });
    assert.equal(w.status, 409);
    assert.equal(w.body.error.code, 'ResourceGroupBeingDeleted');
    const g = await emu.http().get(`${rg}?${V}`);
    assert.equal(g.body.properties.provisioningState, 'Deleting');
    await emu.services.asyncOperations.release(opId);
    assert.equal((await waitForOperation(emu, d.headers['azure-asyncoperation'])).status, 'Succeeded');
    emu.services.asyncOperations.setTimeScale(0);
  });

  it('lists resources in a subscription and a group with $filter, $top and $expand', async () => {
    const rg = rgPath('inventory');
    await emu.http().put(`${rg}?${V}`).send({ location: 'westeurope' });
    for (const [n, tags] of [
      ['alpha', { env: 'dev' }],
      ['beta', { env: 'prod' }],
      ['gamma', {}],
    ] as const) {
      const r = await emu.http().put(`${rg}/providers/${TEST_NS}/widgets/${n}?api-version=2024-01-01`).send({ location: 'westeurope', tags });
      await waitForOperation(emu, r.headers['azure-asyncoperation']);
    }
    const all = await emu.http().get(`${rg}/resources?${V}`);
    assert.deepEqual(all.body.value.map((r: any) => r.name).sort(), ['alpha', 'beta', 'gamma']);
    const byTag = await emu.http().get(`${rg}/resources?${V}&$filter=${encodeURIComponent("tagName eq 'env' and tagValue eq 'prod'")}`);
    assert.deepEqual(
      byTag.body.value.map((r: any) => r.name),
      ['beta'],
    );
    const sub = await emu
      .http()
      .get(`/subscriptions/${SUB}/resources?${V}&$filter=${encodeURIComponent(`resourceType eq '${TEST_NS}/widgets' and substringof('amm', name)`)}&$expand=createdTime,provisioningState`);
    assert.deepEqual(
      sub.body.value.map((r: any) => r.name),
      ['gamma'],
    );
    assert.ok(sub.body.value[0].createdTime);
    assert.equal(sub.body.value[0].provisioningState, 'Succeeded');
    const top = await emu.http().get(`${rg}/resources?${V}&$top=2`);
    assert.equal(top.body.value.length, 2);
    assert.ok(top.body.nextLink);
    const bad = await emu.http().get(`${rg}/resources?${V}&$filter=${encodeURIComponent('size gt 3')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidFilterInQueryString');
    const nogroup = await emu.http().get(`${rgPath('ghost')}/resources?${V}`);
    assert.equal(nogroup.body.error.code, 'ResourceGroupNotFound');
  });
});
