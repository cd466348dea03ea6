// The generic provider over REST: types no hand-built provider declares (Microsoft.Web/sites,
// Microsoft.Sql/servers/databases, Microsoft.HybridCompute/machines, DNS zones, locks, diagnostic settings)
// are served from the public catalogue in ARM's shape, checked against the schema of the api-version asked
// for; hand-built types still win and accept every api-version the catalogue lists for them.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { startTestEmulator, rgPath, SUB, waitForLocation, type TestEmulator } from '../support/emulator.js';
import { newPrincipal } from '../authorization/helpers.js';

const WEB = '2022-09-01';
const SQL = '2021-11-01';

describe('generic provider: every catalogued type through the core (REST)', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  const site = (name: string, rg = 'gen') => `${rgPath(rg)}/providers/Microsoft.Web/sites/${name}`;
  const put = (path: string, body: unknown, v: string) =>
    emu
      .http()
      .put(`${path}?api-version=${v}`)
      .send(body as object);
  const get = (path: string, v: string) => emu.http().get(`${path}?api-version=${v}`);
  /** A create answers 201, or 200 where the type's spec declares no 201. */
  const created = (r: { status: number; body: any }) => assert.ok([200, 201].includes(r.status), `${r.status} ${JSON.stringify(r.body)}`);
  const error = (r: { status: number; body: any }, status: number, code: string, target?: string) => {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code, JSON.stringify(r.body));
    if (target !== undefined) assert.equal(r.body.error.target, target, JSON.stringify(r.body));
  };

  before(async () => {
    emu = await startTestEmulator();
    for (const rg of ['gen', 'gen2']) created(await put(rgPath(rg), { location: 'eastus' }, '2021-04-01'));
  });
  after(async () => emu?.close());

  it("PUT/GET of a tracked type in ARM's shape: type casing, location, tags, systemData, read-only dropped, Succeeded", async () => {
    // the path's casing is the client's; the type is the catalogue's
    const r = await put(
      `${rgPath('gen')}/providers/microsoft.web/SITES/app1`,
      {
        location: 'East US',
        kind: 'app,linux',
        tags: { env: 'dev' },
        properties: {
          serverFarmId: `${rgPath('gen')}/providers/Microsoft.Web/serverfarms/plan1`,
          httpsOnly: 'true',
          defaultHostName: 'forged.example',
          siteConfig: { linuxFxVersion: 'NODE|18-lts', appSettings: [{ name: 'A', value: '1' }] },
        },
        unknownTopLevel: 1,
      },
      WEB,
    );
    assert.equal(r.status, 200, 'the status the spec declares for a create (Web declares 200 and 202, no 201)');
    assert.equal(r.body.id, `${rgPath('gen')}/providers/Microsoft.Web/sites/app1`);
    assert.equal(r.body.type, 'Microsoft.Web/sites');
    assert.equal(r.body.name, 'app1');
    assert.equal(r.body.location, 'eastus');
    assert.equal(r.body.kind, 'app,linux');
    assert.deepEqual(r.body.tags, { env: 'dev' });
    assert.equal(r.body.properties.provisioningState, 'Succeeded');
    assert.equal(r.body.properties.httpsOnly, true, "a boolean sent as 'true' is read as the deserializer reads it");
    assert.equal(r.body.properties.defaultHostName, 'app1.azurewebsites.net', "read-only: what the client sent is dropped; the documented host name is the service's");
    assert.equal(r.body.properties.state, 'Running');
    assert.equal(r.body.unknownTopLevel, undefined, 'not part of the api-version: dropped');
    assert.deepEqual(r.body.properties.siteConfig.appSettings, [{ name: 'A', value: '1' }]);
    assert.ok(r.body.systemData.createdAt && r.body.systemData.createdBy);
    const g = await get(site('app1'), WEB);
    assert.equal(g.status, 200);
    assert.deepEqual(g.body.properties, r.body.properties);
    const again = await put(site('app1'), { location: 'eastus', properties: {} }, WEB);
    assert.equal(again.status, 200, 'an update answers 200');
    assert.equal(again.body.systemData.createdAt, r.body.systemData.createdAt);
  });

  it('location: required for tracked types, checked against the catalogue; global types take only global', async () => {
    error(await put(site('noloc'), { properties: {} }, WEB), 400, 'LocationRequired', 'location');
    const bad = await put(site('mars'), { location: 'marsnorth' }, WEB);
    error(bad, 400, 'LocationNotAvailableForResourceType');
    assert.match(bad.body.error.message, /eastus/);
    const zone = `${rgPath('gen')}/providers/Microsoft.Network/dnsZones/contoso.test`;
    const z = await put(zone, { location: 'global', properties: { zoneType: 'Public' } }, '2018-05-01');
    created(z);
    assert.equal(z.body.location, 'global');
    error(await put(zone, { location: 'eastus' }, '2018-05-01'), 400, 'LocationNotAvailableForResourceType');
    // a closed enum
    const e = await put(`${rgPath('gen')}/providers/Microsoft.Network/dnsZones/other.test`, { location: 'global', properties: { zoneType: 'Sideways' } }, '2018-05-01');
    error(e, 400, 'InvalidRequestContent', 'properties.zoneType');
    assert.match(e.body.error.message, /must be one of \["Public","Private"\]/);
  });

  it('bodies that break the schema of the api-version get 400 naming the property', async () => {
    const arr = await put(site('bad1'), { location: 'eastus', properties: { siteConfig: { appSettings: 'A=1' } } }, WEB);
    error(arr, 400, 'InvalidRequestContent', 'properties.siteConfig.appSettings');
    assert.match(arr.body.error.message, /must be an array/);
    const lock = `${rgPath('gen')}/providers/Microsoft.Authorization/locks/l1`;
    error(await put(lock, { properties: { notes: 'x' } }, '2020-05-01'), 400, 'InvalidRequestContent', 'properties.level');
    error(await put(lock, {}, '2020-05-01'), 400, 'InvalidRequestContent', 'properties');
    const num = await put(`${rgPath('gen')}/providers/Microsoft.Sql/servers/sql1`, { location: 'eastus', properties: { administratorLogin: { nested: true } } }, SQL);
    error(num, 400, 'InvalidRequestContent', 'properties.administratorLogin');
    // the name rule of the type: a blob service is always 'default'
    await put(`${rgPath('gen')}/providers/Microsoft.Storage/storageAccounts/genstore1`, { location: 'eastus', kind: 'StorageV2', sku: { name: 'Standard_LRS' } }, '2023-01-01');
    const blob = await put(`${rgPath('gen')}/providers/Microsoft.Storage/storageAccounts/genstore1/blobServices/mine`, { properties: {} }, '2023-01-01');
    error(blob, 400, 'InvalidResourceName');
    assert.match(blob.body.error.message, /'default'/);
    const ok = await put(
      `${rgPath('gen')}/providers/Microsoft.Storage/storageAccounts/genstore1/blobServices/default`,
      { properties: { deleteRetentionPolicy: { enabled: true, days: 7 } } },
      '2023-01-01',
    );
    created(ok);
    assert.equal(ok.body.type, 'Microsoft.Storage/storageAccounts/blobServices');
  });

  it('children: servers/databases under a generic server; write-only secrets kept but never returned', async () => {
    const server = `${rgPath('gen')}/providers/Microsoft.Sql/servers/sqlsrv1`;
    error(await put(`${server}/databases/db1`, { location: 'eastus' }, SQL), 404, 'ParentResourceNotFound');
    const s = await put(server, { location: 'eastus', properties: { administratorLogin: 'sqladmin', administratorLoginPassword: 'P@ssw0rd-123', version: '12.0' } }, SQL);
    created(s);
    assert.equal(s.body.properties.administratorLogin, 'sqladmin');
    assert.equal(s.body.properties.administratorLoginPassword, undefined);
    assert.equal((await get(server, SQL)).body.properties.administratorLoginPassword, undefined);
    const db = await put(`${server}/databases/db1`, { location: 'eastus', sku: { name: 'S0', tier: 'Standard' }, properties: { collation: 'SQL_Latin1_General_CP1_CI_AS' } }, SQL);
    created(db);
    assert.equal(db.body.type, 'Microsoft.Sql/servers/databases');
    assert.deepEqual(db.body.sku, { name: 'S0', tier: 'Standard' });
    const list = await get(`${server}/databases`, SQL);
    assert.deepEqual(
      list.body.value.map((d: any) => d.name),
      ['db1'],
    );
    // PATCH merges and is checked like a PUT; the secret survives it (still hidden)
    const p = await emu
      .http()
      .patch(`${server}?api-version=${SQL}`)
      .send({ tags: { a: 'b' }, properties: { minimalTlsVersion: '1.2' } });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.equal(p.body.properties.minimalTlsVersion, '1.2');
    assert.equal(p.body.properties.administratorLogin, 'sqladmin');
    assert.equal(p.body.properties.administratorLoginPassword, undefined);
    assert.deepEqual(p.body.tags, { a: 'b' });
    assert.equal(emu.services.resources.get(server)!.internal.secrets['properties.administratorLoginPassword'], 'P@ssw0rd-123');
    // deleting the server takes its databases
    assert.equal((await emu.http().delete(`${server}?api-version=${SQL}`)).status, 200);
    assert.equal((await get(`${server}/databases/db1`, SQL)).status, 404);
  });

  it('managed identities get their ids (an Automation account, never modelled)', async () => {
    const m = await put(
      `${rgPath('gen')}/providers/Microsoft.Automation/automationAccounts/auto1`,
      { location: 'eastus', identity: { type: 'SystemAssigned', principalId: 'forged' }, properties: { sku: { name: 'Basic' } } },
      '2023-11-01',
    );
    assert.equal(emu.services.registry.isHandBuilt('Microsoft.Automation', 'automationAccounts'), false);
    created(m);
    assert.match(m.body.identity.principalId, /^[0-9a-f-]{36}$/);
    assert.notEqual(m.body.identity.principalId, 'forged');
    assert.equal(m.body.identity.tenantId, emu.config.tenantId);
    const uai = `${rgPath('gen')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`;
    const idr = await put(uai, { location: 'eastus' }, '2023-01-31');
    const s = await put(site('withuai'), { location: 'eastus', identity: { type: 'UserAssigned', userAssignedIdentities: { [uai]: {} } } }, WEB);
    created(s);
    assert.equal(s.body.identity.userAssignedIdentities[uai].principalId, idr.body.properties.principalId);
    assert.equal(s.body.identity.userAssignedIdentities[uai].clientId, idr.body.properties.clientId);
  });

  it('extension resources (locks, diagnostic settings) at every scope they live at, deleted with what they extend', async () => {
    await put(site('diag'), { location: 'eastus' }, WEB);
    const ds = `${site('diag')}/providers/Microsoft.Insights/diagnosticSettings/toLogs`;
    const d = await put(
      ds,
      { properties: { workspaceId: `${rgPath('gen')}/providers/Microsoft.OperationalInsights/workspaces/w`, logs: [{ category: 'AppServiceHTTPLogs', enabled: true }] } },
      '2021-05-01-preview',
    );
    created(d);
    assert.equal(d.body.id, ds);
    assert.equal(d.body.type, 'Microsoft.Insights/diagnosticSettings');
    const subLock = `/subscriptions/${SUB}/providers/Microsoft.Authorization/locks/sublock`;
    created(await put(subLock, { properties: { level: 'CanNotDelete' } }, '2020-05-01'));
    const rgLock = `${rgPath('gen2')}/providers/Microsoft.Authorization/locks/rglock`;
    created(await put(rgLock, { properties: { level: 'ReadOnly', notes: 'keep' } }, '2020-05-01'));
    created(await put(`${site('diag')}/providers/Microsoft.Authorization/locks/sitelock`, { properties: { level: 'CanNotDelete' } }, '2020-05-01'));
    // a type that lives in resource groups only
    error(await put(`/subscriptions/${SUB}/providers/Microsoft.Web/sites/nowhere`, { location: 'eastus' }, WEB), 400, 'InvalidResourceType');
    assert.equal((await emu.http().delete(`${site('diag')}?api-version=${WEB}`)).status, 200);
    assert.equal((await get(ds, '2021-05-01-preview')).status, 404);
    assert.equal((await get(`${site('diag')}/providers/Microsoft.Authorization/locks/sitelock`, '2020-05-01')).status, 404);
  });

  it("lists: the group's /resources and the type's collections show generic tracked resources; the group's delete cascades", async () => {
    await put(site('l1', 'gen2'), { location: 'westeurope' }, WEB);
    await put(site('l2', 'gen2'), { location: 'westeurope', tags: { tier: 'web' } }, WEB);
    const all = await get(`${rgPath('gen2')}/resources`, '2021-04-01');
    assert.deepEqual(all.body.value.map((r: any) => `${r.type}/${r.name}`).sort(), ['Microsoft.Web/sites/l1', 'Microsoft.Web/sites/l2']);
    const bySub = await get(`/subscriptions/${SUB}/providers/Microsoft.Web/sites`, WEB);
    assert.ok(bySub.body.value.some((r: any) => r.name === 'l1') && bySub.body.value.some((r: any) => r.name === 'app1'));
    const byRg = await get(`${rgPath('gen2')}/providers/Microsoft.Web/sites`, WEB);
    assert.deepEqual(byRg.body.value.map((r: any) => r.name).sort(), ['l1', 'l2']);
    const del = await emu.http().delete(`${rgPath('gen2')}?api-version=2021-04-01`);
    assert.equal(del.status, 202);
    await waitUntil(() => !emu.services.resources.get(rgPath('gen2')), { what: 'the group to be deleted' });
    assert.equal(emu.services.resources.get(rgPath('gen2')), undefined);
    assert.equal(emu.services.resources.get(site('l1', 'gen2')), undefined);
    assert.equal(emu.services.resources.get(`${rgPath('gen2')}/providers/Microsoft.Authorization/locks/rglock`), undefined);
  });

  it('unknown namespaces, types and api-versions get ARM errors listing what is supported', async () => {
    error(await put(`${rgPath('gen')}/providers/Microsoft.Nope/things/x`, {}, '2024-01-01'), 400, 'InvalidResourceNamespace');
    error(await put(`${rgPath('gen')}/providers/Microsoft.Web/spaceships/x`, {}, WEB), 400, 'InvalidResourceType');
    const v = await put(site('v'), { location: 'eastus' }, '2099-01-01');
    error(v, 400, 'NoRegisteredProviderFound');
    assert.match(v.body.error.message, /The supported api-versions are '[^']*2022-09-01[^']*'/);
    assert.match(v.body.error.message, /The supported locations are '[^']*eastus/);
  });

  it('hand-built types win, and accept every api-version the catalogue lists (previews included), shaped by the nearest they model', async () => {
    const def = emu.services.registry.type('Microsoft.ContainerService', 'managedClusters')!;
    assert.equal(def.generic, undefined, 'the hand-built managed clusters');
    assert.equal(emu.services.registry.type('Microsoft.ContainerService', 'fleets')?.generic, true, 'a catalogue type of a hand-built namespace');
    assert.ok(!def.apiVersions.includes('2021-11-01-preview'));
    // a preview only the catalogue lists reaches the hand-built provider (its own validation answers)
    const preview = await put(`${rgPath('gen')}/providers/Microsoft.ContainerService/managedClusters/c1`, { location: 'eastus' }, '2021-11-01-preview');
    assert.notEqual(preview.body.error?.code, 'NoRegisteredProviderFound', JSON.stringify(preview.body));
    const uai = await put(`${rgPath('gen')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/old`, { location: 'eastus' }, '2018-11-30');
    created(uai);
    const lst = await get(`${rgPath('gen')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/old`, '2015-08-31-PREVIEW');
    assert.equal(lst.status, 200, 'versions match in any casing');
    const p = await get(`/subscriptions/${SUB}/providers/Microsoft.ContainerService`, '2021-04-01');
    const mc = p.body.resourceTypes.find((t: any) => t.resourceType === 'managedClusters');
    assert.ok(mc.apiVersions.includes('2021-11-01-preview') && mc.apiVersions.includes('2023-07-02-preview'), 'the provider document lists every api-version it accepts');
    assert.ok(
      p.body.resourceTypes.some((t: any) => t.resourceType === 'fleets'),
      "and the catalogue's other types of the namespace",
    );
  });

  it('providers: az provider show / list answer from the catalogue; /operations gives the RBAC actions', async () => {
    const web = await get(`/subscriptions/${SUB}/providers/microsoft.web`, '2021-04-01');
    assert.equal(web.status, 200);
    assert.equal(web.body.namespace, 'Microsoft.Web');
    assert.equal(web.body.registrationState, 'Registered');
    const sites = web.body.resourceTypes.find((t: any) => t.resourceType === 'sites');
    assert.ok(sites.apiVersions.includes('2022-09-01'));
    assert.ok(sites.locations.includes('East US'));
    assert.equal(sites.capabilities, 'SupportsTags, SupportsLocation');
    const list = await get(`/subscriptions/${SUB}/providers`, '2021-04-01');
    const names = list.body.value.map((p: any) => p.namespace);
    for (const ns of ['Microsoft.Web', 'Microsoft.Sql', 'Microsoft.HybridCompute', 'Microsoft.ContainerService', 'Microsoft.Resources']) assert.ok(names.includes(ns), ns);
    assert.ok(names.length > 250, `${names.length} namespaces`);
    const ops = await get('/providers/Microsoft.Web/operations', '2022-09-01');
    const opNames = ops.body.value.map((o: any) => o.name);
    for (const a of ['Microsoft.Web/sites/write', 'Microsoft.Web/sites/read', 'Microsoft.Web/sites/delete', 'Microsoft.Web/register/action']) assert.ok(opNames.includes(a), a);
  });

  it('RBAC: the actions of a generic type are derived as for any type ({ns}/{type}/write, .../read)', async () => {
    const reader = await newPrincipal(emu, 'generic-reader');
    const assign = await emu
      .http()
      .put(`${rgPath('gen')}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`)
      .send({
        properties: {
          roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
          principalId: reader.oid,
          principalType: 'ServicePrincipal',
        },
      });
    assert.equal(assign.status, 201, JSON.stringify(assign.body));
    assert.equal((await reader.http().get(`${site('app1')}?api-version=${WEB}`)).status, 200, 'Reader reads Microsoft.Web/sites');
    const w = await reader
      .http()
      .put(`${site('byreader')}?api-version=${WEB}`)
      .send({ location: 'eastus' });
    error(w, 403, 'AuthorizationFailed');
    assert.match(w.body.error.message, /'Microsoft\.Web\/sites\/write'/);
    const d = await reader
      .http()
      .put(`${rgPath('gen')}/providers/Microsoft.Sql/servers/sqlx/databases/d?api-version=${SQL}`)
      .send({ location: 'eastus' });
    error(d, 403, 'AuthorizationFailed');
    assert.match(d.body.error.message, /'Microsoft\.Sql\/servers\/databases\/write'/);
  });

  it('templates: never-modelled types deploy; a condition-false resource of any type or api-version is never refused', async () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        { type: 'Microsoft.Web/serverfarms', apiVersion: '2022-09-01', name: 'tplan', location: 'eastus', sku: { name: 'B1' }, kind: 'linux', properties: { reserved: true } },
        {
          type: 'Microsoft.Web/sites',
          apiVersion: '2022-09-01',
          name: 'tsite',
          location: 'eastus',
          dependsOn: ['tplan'],
          properties: { serverFarmId: "[resourceId('Microsoft.Web/serverfarms', 'tplan')]" },
        },
        { type: 'Microsoft.Sql/servers', apiVersion: '2021-11-01', name: 'tsql', location: 'eastus', properties: { administratorLogin: 'a', administratorLoginPassword: 'P@ssw0rd-1' } },
        { type: 'Microsoft.Sql/servers/databases', apiVersion: '2021-11-01', name: 'tsql/tdb', location: 'eastus', dependsOn: ['tsql'], sku: { name: 'S0' } },
        { condition: false, type: 'Microsoft.Nope/things', apiVersion: '2099-01-01', name: 'never' },
        { condition: false, type: 'Microsoft.Web/sites', apiVersion: '1999-01-01', name: 'neverEither' },
        { condition: false, type: 'Microsoft.Kubernetes/connectedClusters', apiVersion: '2024-01-01', name: 'noIdentity', location: 'eastus' },
      ],
      outputs: { host: { type: 'string', value: "[reference('tsite').defaultHostName]" }, fqdn: { type: 'string', value: "[reference('tsql').fullyQualifiedDomainName]" } },
    };
    const url = `${rgPath('gen')}/providers/Microsoft.Resources/deployments/generic-tpl?api-version=2021-04-01`;
    const r = await emu
      .http()
      .put(url)
      .send({ properties: { mode: 'Incremental', template } });
    assert.ok([200, 201].includes(r.status), JSON.stringify(r.body));
    const d = await waitUntil(
      async () => {
        const b = (await emu.http().get(url)).body;
        return ['Accepted', 'Running'].includes(b.properties.provisioningState) ? undefined : b;
      },
      { what: 'the deployment to finish', everyMs: 10 },
    );
    assert.equal(d.properties.provisioningState, 'Succeeded', JSON.stringify(d.properties.error));
    assert.deepEqual(d.properties.outputs, { host: { type: 'String', value: 'tsite.azurewebsites.net' }, fqdn: { type: 'String', value: 'tsql.database.windows.net' } });
    assert.equal((await get(`${rgPath('gen')}/providers/Microsoft.Sql/servers/tsql/databases/tdb`, SQL)).status, 200);
    // what-if (evaluated in a template worker, judged against a dry-run PUT of each generic type): the same template
    // changes nothing, the condition-false resources are ignored; another SKU is a Modify naming it
    const whatIf = async (t: object) => {
      const w = await emu
        .http()
        .post(`${rgPath('gen')}/providers/Microsoft.Resources/deployments/generic-tpl/whatIf?api-version=2021-04-01`)
        .send({ properties: { mode: 'Incremental', template: t } });
      assert.equal(w.status, 202, JSON.stringify(w.body));
      const res = await waitForLocation(emu, w.headers.location);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.properties.changes as any[];
    };
    // (the group's other resources, not in the template, are Ignore too)
    const same = (await whatIf(template)).filter((c) => c.changeType !== 'Ignore' || ['never', 'neverEither', 'noIdentity'].includes(c.resourceId.split('/').pop()));
    assert.deepEqual(same.map((c) => `${c.changeType} ${c.resourceId.split('/providers/')[1]}`).sort(), [
      'Ignore Microsoft.Kubernetes/connectedClusters/noIdentity',
      'Ignore Microsoft.Nope/things/never',
      'Ignore Microsoft.Web/sites/neverEither',
      'NoChange Microsoft.Sql/servers/tsql',
      'NoChange Microsoft.Sql/servers/tsql/databases/tdb',
      'NoChange Microsoft.Web/serverfarms/tplan',
      'NoChange Microsoft.Web/sites/tsite',
    ]);
    const bigger: any = structuredClone(template);
    bigger.resources[0].sku = { name: 'B2' };
    const changed = (await whatIf(bigger)).filter((c) => c.changeType !== 'NoChange' && c.changeType !== 'Ignore');
    assert.deepEqual(
      changed.map((c) => [c.changeType, c.resourceId.split('/').pop(), c.delta.filter((d: any) => d.propertyChangeType !== 'NoEffect').map((d: any) => d.path)]),
      [['Modify', 'tplan', ['sku.name']]],
    );
  });

  it('POST functions of the spec answer in its shape, with stable placeholders', async () => {
    const wsId = `${rgPath('gen')}/providers/Microsoft.EventHub/namespaces/ehns-test-1`;
    created(await put(wsId, { location: 'eastus', sku: { name: 'Standard' } }, '2021-11-01'));
    const rule = `${wsId}/authorizationRules/send`;
    created(await put(rule, { properties: { rights: ['Send'] } }, '2021-11-01'));
    const k1 = await emu.http().post(`${rule}/listKeys?api-version=2021-11-01`);
    assert.equal(k1.status, 200, JSON.stringify(k1.body));
    assert.equal(typeof k1.body.primaryKey, 'string');
    assert.equal(typeof k1.body.primaryConnectionString, 'string');
    const k2 = await emu.http().post(`${rule}/listKeys?api-version=2021-11-01`);
    assert.deepEqual(k2.body, k1.body);
  });
});
