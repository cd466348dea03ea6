// The real az CLI (Debian's azure-cli 2.45) against the emulator: cloud register, service-principal
// login, resource groups, providers and az rest.
import assert from 'node:assert/strict';
import { SUB, TENANT, type TestEmulator } from '../support/emulator.js';
import { AzSession } from '../support/az.js';
import { azOnEmulator } from '../support/azSuite.js';

describe('real az CLI: login, resource groups, providers, az rest', function () {
  this.timeout(180_000);
  let emu: TestEmulator;
  let az: AzSession;
  before(async () => ({ emu, az } = await azOnEmulator()));
  after(async () => emu?.close());

  it('logs in with the service principal and shows the subscription', async () => {
    const acct = await az.ok(['account', 'show']);
    assert.equal(acct.id, SUB);
    assert.equal(acct.tenantId, TENANT);
    assert.equal(acct.user.type, 'servicePrincipal');
    const tok = await az.ok(['account', 'get-access-token']);
    assert.ok(tok.accessToken.split('.').length === 3, 'a JWT from the emulator');
  });

  it('group create / show / list / exists / delete', async () => {
    const g = await az.ok(['group', 'create', '-n', 'az-rg', '-l', 'westeurope', '--tags', 'team=k8s']);
    assert.equal(g.properties.provisioningState, 'Succeeded');
    assert.equal(g.location, 'westeurope');
    const shown = await az.ok(['group', 'show', '-n', 'AZ-RG']);
    assert.equal(shown.name, 'az-rg');
    assert.deepEqual(shown.tags, { team: 'k8s' });
    const list = await az.ok(['group', 'list']);
    assert.ok(list.some((x: any) => x.name === 'az-rg'));
    assert.equal(await az.ok(['group', 'exists', '-n', 'az-rg']), true);
    const del = await az.run(['group', 'delete', '-n', 'az-rg', '--yes']);
    assert.equal(del.code, 0, del.stderr);
    const gone = await az.run(['group', 'show', '-n', 'az-rg']);
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /\(ResourceGroupNotFound\) Resource group 'az-rg' could not be found/);
  });

  it('provider show / register', async () => {
    const p = await az.ok(['provider', 'show', '-n', 'Microsoft.Resources']);
    assert.equal(p.registrationState, 'Registered');
    const r = await az.run(['provider', 'register', '-n', 'Microsoft.Resources', '--wait']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('az rest sends bodies verbatim and prints ARM errors', async () => {
    const put = await az.ok(['rest', '--method', 'put', '--url', `/subscriptions/${SUB}/resourcegroups/rest-rg?api-version=2021-04-01`, '--body', '{"location":"eastus","tags":{"via":"rest"}}']);
    assert.equal(put.tags.via, 'rest');
    const get = await az.ok(['rest', '--method', 'get', '--url', `/subscriptions/${SUB}/resourceGroups/rest-rg?api-version=2021-04-01`]);
    assert.equal(get.name, 'rest-rg');
    const bad = await az.run(['rest', '--method', 'get', '--url', `/subscriptions/${SUB}/resourceGroups/rest-rg`]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /MissingApiVersionParameter/);
  });

  it('the hybrid profile (Azure Stack Hub) logs in and manages groups in location local', async () => {
    const hub = new AzSession(emu);
    await hub.login('2020-09-01-hybrid');
    const g = await hub.ok(['group', 'create', '-n', 'hub-rg', '-l', 'local']);
    assert.equal(g.location, 'local');
    assert.equal((await hub.ok(['group', 'show', '-n', 'hub-rg'])).name, 'hub-rg');
  });
});
