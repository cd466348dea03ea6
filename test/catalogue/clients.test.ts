// Types never hand-built (Microsoft.Web/sites, Microsoft.Sql/servers/databases, Microsoft.HybridCompute/privateLinkScopes; machines are hand-built since the Arc VMs)
// through the real clients: az 2.45's generic `az resource` commands (which find the api-version in the provider
// document), @azure/arm-resources' generic calls, and Debian's python3-azure (generic calls and the typed App
// Service and SQL SDKs).
import assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startTestEmulator, rgPath, SUB, TENANT, CLIENT_ID, SECRET, type TestEmulator } from '../support/emulator.js';
import { AzSession, ensureAz } from '../support/az.js';
import { runPython } from '../support/python.js';

describe('generic provider: real clients (az 2.45, @azure/arm-resources, python3-azure)', function () {
  this.timeout(600_000); // az starts slowly on a loaded machine
  let emu: TestEmulator;
  before(async () => {
    ensureAz();
    emu = await startTestEmulator();
  });
  after(async () => emu?.close());

  it('az resource create / show / list / update / tag / delete on never-modelled types', async () => {
    const az = new AzSession(emu);
    await az.login();
    const rg = 'az-gen';
    await az.ok(['group', 'create', '-n', rg, '-l', 'eastus']);
    const site = await az.ok([
      'resource',
      'create',
      '-g',
      rg,
      '-n',
      'site1',
      '--resource-type',
      'Microsoft.Web/sites',
      '-l',
      'eastus',
      '--properties',
      '{"httpsOnly":true,"siteConfig":{"alwaysOn":true}}',
    ]);
    assert.equal(site.type, 'Microsoft.Web/sites');
    assert.equal(site.properties.provisioningState, 'Succeeded');
    assert.equal(site.properties.httpsOnly, true);
    const server = await az.ok([
      'resource',
      'create',
      '-g',
      rg,
      '-n',
      'sqlsrv',
      '--resource-type',
      'Microsoft.Sql/servers',
      '-l',
      'eastus',
      '--properties',
      '{"administratorLogin":"a","administratorLoginPassword":"P@ssw0rd-1"}',
    ]);
    assert.equal(server.properties.administratorLoginPassword, undefined);
    const dbId = `${server.id}/databases/db1`;
    const db = await az.ok([
      'resource',
      'create',
      '--id',
      dbId,
      '--is-full-object',
      '--properties',
      '{"location":"eastus","sku":{"name":"Basic"},"properties":{"collation":"SQL_Latin1_General_CP1_CI_AS"}}',
    ]);
    assert.equal(db.type, 'Microsoft.Sql/servers/databases');
    const machine = await az.ok([
      'resource',
      'create',
      '-g',
      rg,
      '-n',
      'm1',
      '--resource-type',
      'Microsoft.HybridCompute/machines',
      '--is-full-object',
      '--properties',
      '{"location":"eastus","kind":"HCI","identity":{"type":"SystemAssigned"},"properties":{}}',
    ]);
    assert.match(machine.identity.principalId, /^[0-9a-f-]{36}$/);
    const shown = await az.ok(['resource', 'show', '--ids', dbId]);
    assert.equal(shown.sku.name, 'Basic');
    const listed = await az.ok(['resource', 'list', '-g', rg]);
    assert.deepEqual(
      listed.map((r: any) => `${r.type} ${r.name}`).sort(),
      ['Microsoft.HybridCompute/machines m1', 'Microsoft.Sql/servers sqlsrv', 'Microsoft.Sql/servers/databases sqlsrv/db1', 'Microsoft.Web/sites site1'],
      'tracked child resources are listed, by their full name',
    );
    const byType = await az.ok(['resource', 'list', '--resource-type', 'Microsoft.Web/sites']);
    assert.ok(byType.some((r: any) => r.name === 'site1'));
    const updated = await az.ok(['resource', 'update', '--ids', site.id, '--set', 'properties.clientAffinityEnabled=false']);
    assert.equal(updated.properties.clientAffinityEnabled, false);
    const tagged = await az.ok(['resource', 'tag', '--ids', site.id, '--tags', 'team=web']);
    assert.deepEqual(tagged.tags, { team: 'web' });
    // a body that breaks the schema: az shows ARM's error with the property
    const bad = await az.run(['resource', 'create', '-g', rg, '-n', 'site2', '--resource-type', 'Microsoft.Web/sites', '-l', 'eastus', '--properties', '{"siteConfig":{"appSettings":"A=1"}}']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /InvalidRequestContent.*properties\.siteConfig\.appSettings/s);
    const del = await az.run(['resource', 'delete', '--ids', dbId, machine.id]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal((await az.run(['resource', 'show', '--ids', dbId])).code, 3);
    const prov = await az.ok(['provider', 'show', '-n', 'Microsoft.HybridCompute']);
    assert.ok(prov.resourceTypes.some((t: any) => t.resourceType === 'machines' && t.apiVersions.includes('2024-07-10')));
    const gone = await az.run(['group', 'delete', '-n', rg, '--yes']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(emu.services.resources.get(site.id), undefined, "the group's delete took the generic resources");
  });

  it('az resource with the 2020-09-01-hybrid profile: create / show / delete in an Azure Stack Hub namespace and in another', async () => {
    const az = new AzSession(emu);
    await az.login('2020-09-01-hybrid');
    await az.ok(['group', 'create', '-n', 'az-gen-hub', '-l', 'local']);
    const zone = await az.ok(['resource', 'create', '-g', 'az-gen-hub', '-n', 'hub.example', '--resource-type', 'Microsoft.Network/dnsZones', '-l', 'global', '--properties', '{}']);
    assert.equal(zone.location, 'global');
    const vault = await az.ok(['resource', 'create', '-g', 'az-gen-hub', '-n', 'hubsite', '--resource-type', 'Microsoft.Web/sites', '-l', 'local', '--properties', '{}']);
    assert.equal(vault.location, 'local', 'App Service runs on a Hub stamp');
    const refused = await az.run(['resource', 'create', '-g', 'az-gen-hub', '-n', 'pls1', '--resource-type', 'Microsoft.HybridCompute/privateLinkScopes', '-l', 'local', '--properties', '{}']);
    assert.match(refused.stderr, /LocationNotAvailableForResourceType/);
    assert.equal((await az.ok(['resource', 'show', '--ids', zone.id])).name, 'hub.example');
    assert.equal((await az.run(['resource', 'delete', '--ids', zone.id, vault.id])).code, 0);
  });

  it('@azure/arm-resources: createOrUpdateById / getById / listByResourceGroup / deleteById, and a schema error', async () => {
    const credential = new ClientSecretCredential(TENANT, CLIENT_ID, SECRET, { authorityHost: emu.url, disableInstanceDiscovery: true });
    const client = new ResourceManagementClient(credential, SUB, { endpoint: emu.url, credentialScopes: [`${emu.url}/.default`] } as any);
    await client.resourceGroups.createOrUpdate('js-gen', { location: 'eastus' });
    const id = `${rgPath('js-gen')}/providers/Microsoft.Web/sites/js-site`;
    const created = await client.resources.beginCreateOrUpdateByIdAndWait(id, '2022-09-01', { location: 'eastus', kind: 'app', properties: { httpsOnly: true } }, { updateIntervalInMs: 10 });
    assert.equal(created.type, 'Microsoft.Web/sites');
    assert.equal((created.properties as any).provisioningState, 'Succeeded');
    const dbServer = `${rgPath('js-gen')}/providers/Microsoft.Sql/servers/js-sql`;
    await client.resources.beginCreateOrUpdateByIdAndWait(
      dbServer,
      '2021-11-01',
      { location: 'eastus', properties: { administratorLogin: 'a', administratorLoginPassword: 'x' } },
      { updateIntervalInMs: 10 },
    );
    const db = await client.resources.beginCreateOrUpdateByIdAndWait(`${dbServer}/databases/js-db`, '2021-11-01', { location: 'eastus', sku: { name: 'S1' } }, { updateIntervalInMs: 10 });
    assert.equal(db.sku?.name, 'S1');
    const got = await client.resources.getById(id, '2022-09-01');
    assert.equal(got.kind, 'app');
    const names: string[] = [];
    for await (const r of client.resources.listByResourceGroup('js-gen')) names.push(`${r.type}/${r.name}`);
    assert.deepEqual(names.sort(), ['Microsoft.Sql/servers/databases/js-sql/js-db', 'Microsoft.Sql/servers/js-sql', 'Microsoft.Web/sites/js-site']);
    await assert.rejects(
      client.resources.beginCreateOrUpdateByIdAndWait(id, '2022-09-01', { location: 'eastus', properties: { httpsOnly: { yes: 1 } } } as any, { updateIntervalInMs: 10 }),
      (e: any) => e.statusCode === 400 && e.code === 'InvalidRequestContent' && /properties\.httpsOnly/.test(e.message),
    );
    await client.resources.beginDeleteByIdAndWait(id, '2022-09-01', { updateIntervalInMs: 10 });
    await assert.rejects(client.resources.getById(id, '2022-09-01'), (e: any) => e.statusCode === 404);
  });

  it('python3-azure: generic calls, and the typed App Service and SQL SDKs', async () => {
    const out = await runPython(emu, 'generic_clients.py', { RG: 'py-gen' });
    assert.deepEqual(out.machine, { type: 'Microsoft.HybridCompute/machines', location: 'westeurope', state: 'Succeeded', principal: true });
    assert.equal(out.machineGet, 'py-machine');
    assert.deepEqual(out.listed, ['Microsoft.HybridCompute/machines']);
    assert.deepEqual(out.badBody, { status: 400, code: 'InvalidRequestContent', target: 'properties.publicNetworkAccess' });
    assert.equal(out.site.type, 'Microsoft.Web/sites');
    assert.equal(out.site.plan, true);
    assert.equal(out.site.httpsOnly, true);
    assert.deepEqual(out.sites, ['py-site']);
    assert.deepEqual(out.sql, { server: 'Microsoft.Sql/servers', password: null, db: 'Microsoft.Sql/servers/databases', sku: 'S0' });
    assert.deepEqual(out.dbs, ['py-db']);
    assert.deepEqual(out.dbsAfterDelete, []);
    assert.deepEqual(out.afterDelete, ['py-plan', 'py-site', 'py-sql']);
  });
});
