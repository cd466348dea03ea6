// The real Azure SDK for JavaScript: @azure/identity gets a token from the emulator's token service,
// and @azure/arm-resources manages resource groups with it (paging, LRO delete).
import assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startTestEmulator, SUB, TENANT, CLIENT_ID, SECRET, type TestEmulator } from '../support/emulator.js';

describe('real SDK clients: @azure/identity and @azure/arm-resources', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startTestEmulator();
  });
  after(async () => emu.close());

  const credential = () => new ClientSecretCredential(TENANT, CLIENT_ID, SECRET, { authorityHost: emu.url, disableInstanceDiscovery: true });

  it('ClientSecretCredential gets a token from the emulator (AAD-style authority)', async () => {
    const t = await credential().getToken('https://management.azure.com/.default');
    assert.ok(t?.token);
    assert.ok(t!.expiresOnTimestamp > Date.now());
  });

  it('ClientSecretCredential with the ADFS authority', async () => {
    const c = new ClientSecretCredential('adfs', CLIENT_ID, SECRET, { authorityHost: emu.url, disableInstanceDiscovery: true });
    const t = await c.getToken(`${emu.url}/.default`);
    assert.ok(t?.token);
  });

  it('the wrong secret is refused by the credential', async () => {
    const c = new ClientSecretCredential(TENANT, CLIENT_ID, 'wrong', { authorityHost: emu.url, disableInstanceDiscovery: true });
    await assert.rejects(() => c.getToken('https://management.azure.com/.default'), /invalid_client|Invalid client secret/);
  });

  it('resource groups: createOrUpdate, get, list with paging, update tags, delete (LRO)', async () => {
    const client = new ResourceManagementClient(credential(), SUB, { endpoint: emu.url, retryOptions: { maxRetries: 0 } } as any);
    const created = await client.resourceGroups.createOrUpdate('sdk-rg', { location: 'eastus', tags: { owner: 'sdk' } });
    assert.equal(created.name, 'sdk-rg');
    assert.equal(created.properties?.provisioningState, 'Succeeded');
    const got = await client.resourceGroups.get('SDK-RG');
    assert.deepEqual(got.tags, { owner: 'sdk' });
    for (let i = 0; i < 120; i++) await client.resourceGroups.createOrUpdate(`bulk-${i}`, { location: 'westus' });
    const names: string[] = [];
    for await (const g of client.resourceGroups.list()) names.push(g.name!);
    assert.equal(names.length, 121, 'every page followed through nextLink');
    const updated = await client.resourceGroups.update('sdk-rg', { tags: { owner: 'someone-else' } });
    assert.deepEqual(updated.tags, { owner: 'someone-else' });
    const poller = await client.resourceGroups.beginDelete('sdk-rg', { updateIntervalInMs: 10 } as any);
    await poller.pollUntilDone();
    await assert.rejects(
      () => client.resourceGroups.get('sdk-rg'),
      (e: any) => e.statusCode === 404 && e.code === 'ResourceGroupNotFound',
    );
  });

  it('ARM errors surface as RestError with code and status', async () => {
    const client = new ResourceManagementClient(credential(), SUB, { endpoint: emu.url, retryOptions: { maxRetries: 0 } } as any);
    await assert.rejects(
      () => client.resourceGroups.createOrUpdate('bad.', { location: 'eastus' }),
      (e: any) => e.statusCode === 400 && e.code === 'InvalidResourceGroupName',
    );
    await assert.rejects(
      () => client.resourceGroups.createOrUpdate('nowhere', { location: 'atlantis' }),
      (e: any) => e.statusCode === 400 && e.code === 'LocationNotAvailableForResourceType',
    );
  });
});
