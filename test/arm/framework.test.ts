// The provider framework's contract: ETags, systemData, async PUT/DELETE/POST, failures, children,
// registration and the operations list, using the test-only Microsoft.Test provider.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { startTestEmulator, rgPath, SUB, CLIENT_ID, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { testProvider, TEST_NS, runs } from '../support/test-provider.js';
import { allProviders } from '../../src/providers/index.js';

const V = 'api-version=2024-01-01';
const path = (u: string) => {
  const x = new URL(u);
  return x.pathname + x.search;
};

describe('framework: resource-provider contract', () => {
  let emu: TestEmulator;
  const W = (n: string) => `${rgPath('fw')}/providers/${TEST_NS}/widgets/${n}`;
  before(async () => {
    emu = await startTestEmulator([], { providers: [...allProviders(), testProvider()] });
    await emu
      .http()
      .put(`${rgPath('fw')}?api-version=2021-04-01`)
      .send({ location: 'eastus' });
  });
  after(async () => emu.close());

  it('a type with serialPuts: creates at the same moment never take the same shared thing (without it they do)', async () => {
    const put = (type: string, i: number) =>
      emu
        .http()
        .put(`${rgPath('fw')}/providers/${TEST_NS}/${type}/s${i}?${V}`)
        .send({ properties: {} });
    const serial = await Promise.all(Array.from({ length: 12 }, (_, i) => put('slots', i)));
    assert.ok(
      serial.every((r) => r.status === 201),
      serial.map((r) => r.status).join(),
    );
    assert.deepEqual(
      serial.map((r) => r.body.properties.slot).sort((a, b) => a - b),
      [...Array(12).keys()],
    );
    // In process, 12 creates started in one tick interleave the same way every run: with serialPuts they
    // still take distinct slots; the same hook without it shows the race the option closes.
    const inProcess = (type: string) =>
      Promise.all(Array.from({ length: 12 }, (_, i) => emu.services.resourceManager.put(`${rgPath('fw')}/providers/${TEST_NS}/${type}/p${i}`, { properties: {} }, { apiVersion: '2024-01-01' })));
    const serialSlots = (await inProcess('slots')).map((r: any) => r.body.properties.slot);
    assert.deepEqual(
      serialSlots.sort((a: number, b: number) => a - b),
      [...Array(24).keys()].slice(12),
    );
    const looseSlots = (await inProcess('looseSlots')).map((r: any) => r.body.properties.slot);
    assert.ok(new Set(looseSlots).size < 12, `without serialPuts two creates took one slot: ${looseSlots}`);
  });

  it('async PUT: 201 with a non-terminal state and absolute Azure-AsyncOperation, Location and Retry-After', async () => {
    const r = await emu
      .http()
      .put(`${W('a1')}?${V}`)
      .send({ location: 'eastus', properties: { size: 2 } });
    assert.equal(r.status, 201);
    assert.equal(r.body.properties.provisioningState, 'Creating');
    const aao = r.headers['azure-asyncoperation'];
    assert.match(aao, new RegExp(`^https://localhost:\\d+/subscriptions/${SUB}/providers/${TEST_NS}/locations/eastus/operationStatuses/[0-9a-f-]{36}\\?api-version=2024-01-01$`));
    assert.match(r.headers.location, /\/operationResults\//);
    assert.equal(r.headers['retry-after'], '1');
    const st = await waitForOperation(emu, aao);
    assert.equal(st.status, 'Succeeded');
    assert.equal(st.percentComplete, 100);
    assert.ok(st.startTime && st.endTime);
    assert.equal(st.name, aao.split('/').pop()!.split('?')[0]);
    const loc = await emu.http().get(path(r.headers.location));
    assert.equal(loc.status, 200);
    assert.equal(loc.body.properties.provisioningState, 'Succeeded');
    const g = await emu.http().get(`${W('a1')}?${V}`);
    assert.equal(g.body.properties.provisioningState, 'Succeeded');
    assert.equal(g.body.type, 'Microsoft.Test/widgets');
  });

  it('the Location URL answers 202 while the operation runs, and the status resource 200 InProgress', async () => {
    emu.services.asyncOperations.setTimeScale(1);
    try {
      const r = await emu
        .http()
        .put(`${W('slow')}?${V}`)
        .send({ location: 'eastus', properties: { workMs: 300 } });
      const loc = await emu.http().get(path(r.headers.location));
      assert.equal(loc.status, 202);
      assert.ok(loc.headers.location);
      assert.equal(loc.headers['retry-after'], '1');
      const st = await emu.http().get(path(r.headers['azure-asyncoperation']));
      assert.equal(st.status, 200);
      assert.equal(st.body.status, 'InProgress');
      assert.equal(st.headers['retry-after'], '1');
      const busy = await emu
        .http()
        .put(`${W('slow')}?${V}`)
        .send({ location: 'eastus' });
      assert.equal(busy.status, 409);
      assert.equal(busy.body.error.code, 'AnotherOperationInProgress');
      await waitForOperation(emu, r.headers['azure-asyncoperation']);
    } finally {
      emu.services.asyncOperations.setTimeScale(0);
    }
  });

  it('a failed task fails the operation with its error, undoes what was done, and leaves the resource Failed', async () => {
    runs.length = 0;
    const r = await emu
      .http()
      .put(`${W('jam')}?${V}`)
      .send({ location: 'eastus', properties: { fail: true } });
    assert.equal(r.status, 201);
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Failed');
    assert.deepEqual(st.error, { code: 'WidgetJammed', message: 'The widget jammed while being built.' });
    assert.ok(
      runs.some((x) => x.task === 'undo:a'),
      'the failed task was undone',
    );
    assert.ok(!runs.some((x) => x.task === 'b'), 'the dependent task never ran');
    const g = await emu.http().get(`${W('jam')}?${V}`);
    assert.equal(g.body.properties.provisioningState, 'Failed');
    const loc = await emu.http().get(path(r.headers.location));
    assert.equal(loc.status, 400);
    assert.equal(loc.body.error.code, 'WidgetJammed');
  });

  it('ETags: If-None-Match:* refuses an existing resource, If-Match must match', async () => {
    const c = await emu
      .http()
      .put(`${W('e1')}?${V}`)
      .set('If-None-Match', '*')
      .send({ location: 'eastus' });
    assert.equal(c.status, 201);
    const etag = c.headers.etag;
    assert.ok(etag);
    await waitForOperation(emu, c.headers['azure-asyncoperation']);
    const again = await emu
      .http()
      .put(`${W('e1')}?${V}`)
      .set('If-None-Match', '*')
      .send({ location: 'eastus' });
    assert.equal(again.status, 412);
    assert.equal(again.body.error.code, 'PreconditionFailed');
    const g = await emu.http().get(`${W('e1')}?${V}`);
    assert.equal(g.headers.etag, g.body.etag);
    const stale = await emu
      .http()
      .put(`${W('e1')}?${V}`)
      .set('If-Match', '"stale"')
      .send({ location: 'eastus' });
    assert.equal(stale.status, 412);
    const good = await emu
      .http()
      .put(`${W('e1')}?${V}`)
      .set('If-Match', g.headers.etag)
      .send({ location: 'eastus', properties: { size: 5 } });
    assert.equal(good.status, 200);
    assert.notEqual(good.headers.etag, g.headers.etag);
    await waitForOperation(emu, good.headers['azure-asyncoperation']);
    const missing = await emu
      .http()
      .put(`${W('e-missing')}?${V}`)
      .set('If-Match', '*')
      .send({ location: 'eastus' });
    assert.equal(missing.status, 412);
    const patchStale = await emu
      .http()
      .patch(`${W('e1')}?${V}`)
      .set('If-Match', '"stale"')
      .send({ tags: { a: 'b' } });
    assert.equal(patchStale.status, 412);
    const delStale = await emu
      .http()
      .delete(`${W('e1')}?${V}`)
      .set('If-Match', '"stale"');
    assert.equal(delStale.status, 412);
  });

  it('systemData records who created and last modified, and keeps createdAt', async () => {
    const r = await emu
      .http()
      .put(`${W('sd')}?${V}`)
      .send({ location: 'eastus' });
    await waitForOperation(emu, r.headers['azure-asyncoperation']);
    const first = (await emu.http().get(`${W('sd')}?${V}`)).body.systemData;
    assert.equal(first.createdBy, CLIENT_ID);
    assert.equal(first.createdByType, 'Application');
    await waitUntil(() => Date.now() > Date.parse(first.lastModifiedAt), { what: 'the next millisecond' });
    const p = await emu
      .http()
      .patch(`${W('sd')}?${V}`)
      .send({ tags: { x: 'y' } });
    assert.equal(p.status, 200);
    assert.equal(p.body.systemData.createdAt, first.createdAt);
    assert.notEqual(p.body.systemData.lastModifiedAt, first.lastModifiedAt);
  });

  it('PATCH merges properties (RFC 7396) and replaces tags', async () => {
    const r = await emu
      .http()
      .put(`${W('pm')}?${V}`)
      .send({ location: 'eastus', tags: { a: '1', b: '2' }, properties: { size: 3, color: 'red' } });
    await waitForOperation(emu, r.headers['azure-asyncoperation']);
    const p = await emu
      .http()
      .patch(`${W('pm')}?${V}`)
      .send({ tags: { c: '3' }, properties: { color: null, size: 4 } });
    assert.equal(p.status, 200);
    assert.deepEqual(p.body.tags, { c: '3' });
    assert.equal(p.body.properties.size, 4);
    assert.equal(p.body.properties.color, undefined);
    const missing = await emu
      .http()
      .patch(`${W('pm-none')}?${V}`)
      .send({ tags: {} });
    assert.equal(missing.status, 404);
  });

  it('write-only secrets are kept but never returned', async () => {
    const r = await emu
      .http()
      .put(`${W('sec')}?${V}`)
      .send({ location: 'eastus', properties: { secret: 's3cret' } });
    assert.equal(r.body.properties.secret, undefined);
    await waitForOperation(emu, r.headers['azure-asyncoperation']);
    const l = await emu
      .http()
      .post(`${W('sec')}/listSecrets?${V}`)
      .send();
    assert.equal(l.status, 200);
    assert.equal(l.body.secret, 's3cret');
  });

  it('async actions answer 202 + Location, which answers 204 when done', async () => {
    const r = await emu
      .http()
      .put(`${W('act')}?${V}`)
      .send({ location: 'eastus' });
    await waitForOperation(emu, r.headers['azure-asyncoperation']);
    const a = await emu
      .http()
      .post(`${W('act')}/restart?${V}`)
      .send();
    assert.equal(a.status, 202);
    assert.ok(a.headers.location && a.headers['azure-asyncoperation']);
    await waitForOperation(emu, a.headers['azure-asyncoperation']);
    const done = await emu.http().get(path(a.headers.location));
    assert.equal(done.status, 204);
    const missing = await emu
      .http()
      .post(`${W('act-none')}/restart?${V}`)
      .send();
    assert.equal(missing.status, 404);
  });

  it('child resources: list under the parent, and deleting the parent deletes them', async () => {
    const r = await emu
      .http()
      .put(`${W('par')}?${V}`)
      .send({ location: 'eastus' });
    await waitForOperation(emu, r.headers['azure-asyncoperation']);
    for (const g of ['g1', 'g2'])
      assert.equal(
        (
          await emu
            .http()
            .put(`${W('par')}/gadgets/${g}?${V}`)
            .send({ properties: { n: g } })
        ).status,
        201,
      );
    const l = await emu.http().get(`${W('par')}/gadgets?${V}`);
    assert.deepEqual(
      l.body.value.map((x: any) => x.name),
      ['g1', 'g2'],
    );
    assert.equal(l.body.value[0].type, 'Microsoft.Test/widgets/gadgets');
    assert.equal(l.body.value[0].id, `${W('par')}/gadgets/g1`);
    const d = await emu.http().delete(`${W('par')}?${V}`);
    assert.equal(d.status, 202);
    await waitForOperation(emu, d.headers['azure-asyncoperation']);
    assert.equal((await emu.http().get(`${W('par')}/gadgets/g1?${V}`)).status, 404);
    assert.equal(emu.services.resources.get(`${W('par')}/gadgets/g2`), undefined);
  });

  it('lists a type by resource group and by subscription', async () => {
    const rg = await emu.http().get(`${rgPath('fw')}/providers/${TEST_NS}/widgets?${V}`);
    assert.ok(rg.body.value.length >= 5);
    const sub = await emu.http().get(`/subscriptions/${SUB}/providers/${TEST_NS}/widgets?${V}`);
    assert.ok(sub.body.value.length >= rg.body.value.length);
  });

  it('providers: list, get (apiVersions newest first), unregister blocks writes with 409 MissingSubscriptionRegistration, register restores', async () => {
    const list = await emu.http().get(`/subscriptions/${SUB}/providers?api-version=2021-04-01`);
    assert.ok(list.body.value.some((p: any) => p.namespace === TEST_NS));
    const p = await emu.http().get(`/subscriptions/${SUB}/providers/microsoft.test?api-version=2021-04-01`);
    assert.equal(p.body.namespace, TEST_NS);
    assert.equal(p.body.registrationState, 'Registered');
    const widgets = p.body.resourceTypes.find((t: any) => t.resourceType === 'widgets');
    assert.deepEqual(widgets.apiVersions, ['2024-01-01', '2023-01-01-preview', '2022-01-01']);
    const un = await emu.http().post(`/subscriptions/${SUB}/providers/${TEST_NS}/unregister?api-version=2021-04-01`);
    assert.equal(un.body.registrationState, 'Unregistered');
    const refused = await emu
      .http()
      .put(`${W('unreg')}?${V}`)
      .send({ location: 'eastus' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'MissingSubscriptionRegistration');
    assert.equal(refused.body.error.details[0].target, TEST_NS);
    assert.equal((await emu.http().get(`${W('a1')}?${V}`)).status, 200, 'reads still work');
    const re = await emu.http().post(`/subscriptions/${SUB}/providers/${TEST_NS}/register?api-version=2021-04-01`);
    assert.equal(re.body.registrationState, 'Registered');
    assert.equal(
      (
        await emu
          .http()
          .put(`${W('unreg')}?${V}`)
          .send({ location: 'eastus' })
      ).status,
      201,
    );
    const unknown = await emu.http().get(`/subscriptions/${SUB}/providers/Microsoft.Nope?api-version=2021-04-01`);
    assert.equal(unknown.body.error.code, 'InvalidResourceNamespace');
  });

  it('GET /providers/{ns}/operations lists the namespace operations, including register/action', async () => {
    const r = await emu.http().get(`/providers/${TEST_NS}/operations?${V}`);
    assert.equal(r.status, 200);
    const names = r.body.value.map((o: any) => o.name);
    assert.ok(names.includes(`${TEST_NS}/register/action`));
    assert.ok(names.includes(`${TEST_NS}/widgets/write`));
    assert.ok(names.includes(`${TEST_NS}/widgets/restart/action`));
    const rs = await emu.http().get('/providers/Microsoft.Resources/operations?api-version=2021-04-01');
    assert.ok(rs.body.value.some((o: any) => o.name === 'Microsoft.Resources/subscriptions/resourceGroups/write'));
  });

  it('an unknown operation id is a 404 with an envelope', async () => {
    const r = await emu.http().get(`/subscriptions/${SUB}/providers/${TEST_NS}/locations/eastus/operationStatuses/00000000-0000-0000-0000-000000000000?${V}`);
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'OperationNotFound');
  });

  it('an operation can be canceled: it rolls back and ends Canceled', async () => {
    emu.services.asyncOperations.setTimeScale(1);
    try {
      const r = await emu
        .http()
        .put(`${W('cancel-me')}?${V}`)
        .send({ location: 'eastus', properties: { workMs: 400 } });
      const opId = r.headers['azure-asyncoperation'].split('/').pop()!.split('?')[0];
      await emu.services.asyncOperations.cancel(opId);
      const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
      assert.equal(st.status, 'Canceled');
      assert.equal(st.error.code, 'OperationCanceled');
      assert.equal((await emu.http().get(`${W('cancel-me')}?${V}`)).body.properties.provisioningState, 'Canceled');
    } finally {
      emu.services.asyncOperations.setTimeScale(0);
    }
  });
});
