// Every kind of bad input gets an ARM error envelope with its own code and the right status.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestEmulator, rgPath, SUB, type TestEmulator } from '../support/emulator.js';
import { testProvider, TEST_NS } from '../support/test-provider.js';
import { allProviders } from '../../src/providers/index.js';

const V = 'api-version=2021-04-01';

function envelope(r: request.Response, status: number, code: string) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(typeof r.body.error?.message, 'string', 'ARM error envelope');
  assert.equal(r.body.error.code, code, r.body.error.message);
  return r.body.error;
}

describe('front door: bad input', () => {
  let emu: TestEmulator;
  const W = (n: string) => `${rgPath('bad')}/providers/${TEST_NS}/widgets/${n}`;
  const put = (url: string, body: string | object) => emu.http().put(url).send(body);
  before(async () => {
    emu = await startTestEmulator([], { providers: [...allProviders(), testProvider()] });
    await emu
      .http()
      .put(`${rgPath('bad')}?${V}`)
      .send({ location: 'eastus' });
  });
  after(async () => emu.close());

  it('missing api-version -> 400 MissingApiVersionParameter', async () => {
    envelope(await emu.http().get(rgPath('bad')), 400, 'MissingApiVersionParameter');
    envelope(await emu.http().get(W('x')), 400, 'MissingApiVersionParameter');
  });

  it('unsupported api-version on ARM surfaces -> 400 InvalidApiVersionParameter listing the supported versions', async () => {
    const e = envelope(await emu.http().get(`${rgPath('bad')}?api-version=2099-01-01`), 400, 'InvalidApiVersionParameter');
    assert.match(e.message, /The api-version '2099-01-01' is invalid. The supported versions are '.*2021-04-01.*'/);
  });

  it('unsupported api-version on a provider type -> 400 NoRegisteredProviderFound listing versions', async () => {
    const e = envelope(await emu.http().get(`${W('x')}?api-version=2019-01-01`), 400, 'NoRegisteredProviderFound');
    assert.match(e.message, /type 'Microsoft.Test\/widgets'. The supported api-versions are '2024-01-01, 2023-01-01-preview, 2022-01-01'/);
    envelope(await emu.http().get(`${W('x')}?api-version=yesterday`), 400, 'InvalidApiVersionParameter');
  });

  it('unknown namespace and unknown type', async () => {
    envelope(await emu.http().get(`${rgPath('bad')}/providers/Microsoft.Nope/things/x?api-version=2024-01-01`), 400, 'InvalidResourceNamespace');
    envelope(await emu.http().get(`${rgPath('bad')}/providers/${TEST_NS}/sprockets/x?api-version=2024-01-01`), 400, 'InvalidResourceType');
    envelope(await emu.http().get(`/nonsense/path?${V}`), 404, 'InvalidResourceType');
  });

  it('malformed JSON -> 400 InvalidRequestContent', async () => {
    const r = await emu
      .http()
      .put(`${rgPath('json')}?${V}`)
      .set('Content-Type', 'application/json')
      .send('{"location": "eastus",');
    envelope(r, 400, 'InvalidRequestContent');
    const arr = await emu
      .http()
      .put(`${W('arr')}?api-version=2024-01-01`)
      .set('Content-Type', 'application/json')
      .send('[1,2]');
    envelope(arr, 400, 'InvalidRequestContent');
  });

  it('oversized body -> 413 RequestEntityTooLarge, and the server keeps serving', async () => {
    const big = JSON.stringify({ location: 'eastus', tags: { a: 'x'.repeat(200) }, properties: { pad: 'y'.repeat(5 * 1024 * 1024) } });
    const r = await request(emu.url)
      .put(`${rgPath('big')}?${V}`)
      .set('Authorization', `Bearer ${emu.token}`)
      .set('Content-Type', 'application/json')
      .send(big)
      .catch((e) => e.response ?? e);
    if (r.status !== undefined) envelope(r, 413, 'RequestEntityTooLarge');
    assert.equal((await emu.http().get(`${rgPath('big')}?${V}`)).status, 404, 'nothing was created');
    assert.equal((await emu.http().get(`${rgPath('bad')}?${V}`)).status, 200);
  });

  it('invalid names -> 400 with ARM rules (resource group and resource)', async () => {
    envelope(await put(`${rgPath('ends.')}?${V}`, { location: 'eastus' }), 400, 'InvalidResourceGroupName');
    envelope(await put(`${rgPath('has*star')}?${V}`, { location: 'eastus' }), 400, 'InvalidResourceGroupName');
    envelope(await put(`${rgPath('x'.repeat(91))}?${V}`, { location: 'eastus' }), 400, 'InvalidResourceGroupName');
    envelope(await put(`${W('Bad_Name')}?api-version=2024-01-01`, { location: 'eastus' }), 400, 'InvalidResourceName');
    envelope(await put(`${W(encodeURIComponent('a<b'))}?api-version=2024-01-01`, { location: 'eastus' }), 400, 'InvalidResourceName');
  });

  it('unknown or missing location -> 400', async () => {
    envelope(await put(`${rgPath('where')}?${V}`, { location: 'atlantis' }), 400, 'LocationNotAvailableForResourceType');
    envelope(await put(`${W('noloc')}?api-version=2024-01-01`, { properties: {} }), 400, 'InvalidRequestContent');
  });

  it('schema failures name the offending property in target', async () => {
    const e = envelope(await put(`${W('w')}?api-version=2024-01-01`, { location: 'eastus', properties: { size: 'big' } }), 400, 'InvalidRequestContent');
    assert.equal(e.target, 'properties.size');
    const e2 = envelope(await put(`${W('w')}?api-version=2024-01-01`, { location: 'eastus', properties: { color: 'mauve' } }), 400, 'InvalidRequestContent');
    assert.equal(e2.target, 'properties.color');
    const e3 = envelope(await put(`${rgPath('t')}?${V}`, { location: 'eastus', tags: { a: 5 } }), 400, 'InvalidRequestContent');
    assert.equal(e3.target, 'tags.a');
  });

  it('a provider validation failure refuses before anything is created', async () => {
    const e = envelope(await put(`${W('thirteen')}?api-version=2024-01-01`, { location: 'eastus', properties: { size: 13 } }), 400, 'UnluckySize');
    assert.equal(e.target, 'properties.size');
    assert.equal((await emu.http().get(`${W('thirteen')}?api-version=2024-01-01`)).status, 404);
  });

  it('a differing provisioningState in a PUT body is refused; a matching one is ignored', async () => {
    const c = await emu
      .http()
      .put(`${rgPath('ps')}?${V}`)
      .send({ location: 'eastus', properties: { provisioningState: 'Succeeded' } });
    assert.equal(c.status, 201);
    envelope(await put(`${rgPath('ps')}?${V}`, { location: 'eastus', properties: { provisioningState: 'Failed' } }), 400, 'InvalidRequestContent');
  });

  it('resources in a missing resource group -> 404 ResourceGroupNotFound; missing parent -> 404 ParentResourceNotFound', async () => {
    envelope(await put(`${rgPath('ghost')}/providers/${TEST_NS}/widgets/w?api-version=2024-01-01`, { location: 'eastus' }), 404, 'ResourceGroupNotFound');
    envelope(await put(`${W('none')}/gadgets/g?api-version=2024-01-01`, {}), 404, 'ParentResourceNotFound');
    const nf = envelope(await emu.http().get(`${W('none')}?api-version=2024-01-01`), 404, 'ResourceNotFound');
    assert.match(nf.message, /The Resource 'Microsoft.Test\/widgets\/none' under resource group 'bad' was not found/);
  });

  it('an RG-scoped type addressed without a resource group is refused', async () => {
    envelope(await emu.http().get(`/subscriptions/${SUB}/providers/${TEST_NS}/widgets/x?api-version=2024-01-01`), 400, 'InvalidResourceType');
  });

  it('wrong verbs -> 405 MethodNotAllowed; unknown actions -> 404', async () => {
    envelope(await emu.http().post(`/subscriptions/${SUB}/resourcegroups?${V}`).send({}), 405, 'MethodNotAllowed');
    const w = await emu
      .http()
      .put(`${W('acts')}?api-version=2024-01-01`)
      .send({ location: 'eastus' });
    assert.equal(w.status, 201);
    envelope(
      await emu
        .http()
        .post(`${W('acts')}/explode?api-version=2024-01-01`)
        .send({}),
      404,
      'InvalidResourceType',
    );
  });

  it('stamps request ids and echoes the client and correlation ids', async () => {
    const r = await emu
      .http()
      .get(`${rgPath('bad')}?${V}`)
      .set('x-ms-client-request-id', 'client-1')
      .set('x-ms-correlation-request-id', 'corr-1');
    assert.match(r.headers['x-ms-request-id'], /^[0-9a-f-]{36}$/);
    assert.equal(r.headers['x-ms-client-request-id'], 'client-1');
    assert.equal(r.headers['x-ms-correlation-request-id'], 'corr-1');
    assert.ok(r.headers['x-ms-routing-request-id']);
    const err = await emu
      .http()
      .get(`${rgPath('nope')}?${V}`)
      .set('x-ms-client-request-id', 'client-2');
    assert.equal(err.headers['x-ms-client-request-id'], 'client-2');
  });

  it('collapses repeated slashes in paths', async () => {
    assert.equal((await emu.http().get(`//subscriptions//${SUB}///resourceGroups/bad?${V}`)).status, 200);
  });

  it('tags: bad names and too many are refused', async () => {
    envelope(await put(`${rgPath('tg')}?${V}`, { location: 'eastus', tags: { 'a/b': 'x' } }), 400, 'InvalidTagNameCharacters');
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    envelope(await put(`${rgPath('tg')}?${V}`, { location: 'eastus', tags: many }), 400, 'InvalidTagCount');
  });

  it('bad $top and $skipToken -> 400', async () => {
    envelope(await emu.http().get(`/subscriptions/${SUB}/resourcegroups?${V}&$top=0`), 400, 'InvalidTopInQueryString');
    envelope(await emu.http().get(`/subscriptions/${SUB}/resourcegroups?${V}&$skipToken=%%%`), 400, 'InvalidSkipToken');
  });
});
