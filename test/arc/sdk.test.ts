// The pinned JS clients on the Arc path: @azure/arm-kubernetesconfiguration 6.1.0 (api-version
// 2023-05-01) for extensions on a bridge, @azure/arm-extendedlocation 1.0.0-beta.3
// (2021-08-31-preview) for the custom location.
import assert from 'node:assert/strict';
import { SourceControlConfigurationClient } from '@azure/arm-kubernetesconfiguration';
import { CustomLocationsManagementClient } from '@azure/arm-extendedlocation';
import { SUB, startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { applianceBody, applianceId, put, rg, settle, V } from './helpers.js';

describe('@azure/arm-kubernetesconfiguration 6.1.0 and @azure/arm-extendedlocation 1.0.0-beta.3 on the Arc path', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  const seen: string[] = [];
  const poll = { updateIntervalInMs: 10 };
  before(async () => {
    emu = await startTestEmulator();
  });
  after(async () => emu?.close());

  it('extensions: create, get, list, update (202 with a body), delete; custom location: create, get, list, enabled types, update, findTargetResourceGroup, delete', async () => {
    const credential = { getToken: async () => ({ token: emu.token, expiresOnTimestamp: Date.now() + 3600e3 }) };
    const opts = { endpoint: emu.url, retryOptions: { maxRetries: 0 } };
    const kc = new SourceControlConfigurationClient(credential, SUB, opts);
    const el = new CustomLocationsManagementClient(credential, SUB, opts);
    for (const c of [kc, el]) c.pipeline.addPolicy({ name: 'capture', sendRequest: (req, next) => (seen.push(`${req.method} ${req.url}`), next(req)) });
    await put(emu, rg('sdk'), V.rg, { location: 'eastus' }, 201);
    const app = applianceId('sdk-bridge', 'sdk');
    await settle(emu, await put(emu, app, V.appliance, applianceBody(), 201), app, V.appliance);

    const args = ['sdk', 'Microsoft.ResourceConnector', 'appliances', 'sdk-bridge'] as const;
    const e = await kc.extensions.beginCreateAndWait(
      ...args,
      'hci-operator',
      { extensionType: 'Microsoft.AZStackHCI.Operator', autoUpgradeMinorVersion: false, version: '1.7.0', releaseTrain: 'Stable', configurationProtectedSettings: { k: 'v' } },
      poll,
    );
    assert.ok(seen.some((s) => s.startsWith('PUT ') && s.includes('api-version=2023-05-01')));
    assert.equal(e.provisioningState, 'Succeeded');
    assert.equal(e.currentVersion, '1.7.0');
    assert.equal(e.configurationProtectedSettings, undefined);
    const got = await kc.extensions.get(...args, 'hci-operator');
    assert.equal(got.extensionType, 'Microsoft.AZStackHCI.Operator');
    const listed = [];
    for await (const x of kc.extensions.list(...args)) listed.push(x.name);
    assert.deepEqual(listed, ['hci-operator']);
    const up = await kc.extensions.beginUpdateAndWait(...args, 'hci-operator', { version: '1.8.1' }, poll);
    assert.equal(up.currentVersion, '1.8.1');
    // an unknown type surfaces ARM's error code
    await assert.rejects(
      kc.extensions.beginCreateAndWait(...args, 'bad', { extensionType: 'contoso.nope' }, poll),
      (err: any) => err.code === 'ExtensionTypeRegistrationGetFailed' && err.statusCode === 400,
    );

    const cl = await el.customLocations.beginCreateOrUpdateAndWait(
      'sdk',
      'sdk-cl',
      { location: 'eastus', hostResourceId: app, namespace: 'sdk-cl', clusterExtensionIds: [got.id!], hostType: 'Kubernetes', displayName: 'SDK site' },
      poll,
    );
    assert.ok(seen.some((s) => s.startsWith('PUT ') && s.includes('customLocations/sdk-cl?api-version=2021-08-31-preview')));
    assert.equal(cl.provisioningState, 'Succeeded');
    assert.equal((await el.customLocations.get('sdk', 'sdk-cl')).hostResourceId, app);
    const names = [];
    for await (const x of el.customLocations.listByResourceGroup('sdk')) names.push(x.name);
    assert.deepEqual(names, ['sdk-cl']);
    const types = [];
    for await (const t of el.customLocations.listEnabledResourceTypes('sdk', 'sdk-cl')) types.push(...(t.typesMetadata ?? []).map((m) => `${m.resourceProviderNamespace}/${m.resourceType}`));
    assert.ok(types.includes('Microsoft.AzureStackHCI/logicalNetworks'));
    const patched = await el.customLocations.update('sdk', 'sdk-cl', { tags: { tier: 'edge' }, displayName: 'renamed' });
    assert.deepEqual(patched.tags, { tier: 'edge' });
    assert.equal(patched.displayName, 'renamed');
    const target = await el.customLocations.findTargetResourceGroup('sdk', 'sdk-cl', { labels: { a: 'b' } });
    assert.equal(target.targetResourceGroup, undefined);
    await el.customLocations.beginDeleteAndWait('sdk', 'sdk-cl', poll);
    await assert.rejects(el.customLocations.get('sdk', 'sdk-cl'), (err: any) => err.statusCode === 404);
    await kc.extensions.beginDeleteAndWait(...args, 'hci-operator', poll);
    await assert.rejects(kc.extensions.get(...args, 'hci-operator'), (err: any) => err.statusCode === 404);
    const s = (await emu.http().get('/_emulator/fabric?site=hci-site-1')).body.sites[0];
    assert.deepEqual(s.packages, []);
  });
});
