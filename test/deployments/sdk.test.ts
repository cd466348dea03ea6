// The real SDK clients drive the deployment API: JS @azure/arm-resources 6.1.0, the last version with the
// deployment operations (beginCreateOrUpdateAndWait and beginWhatIfAndWait pollers; installed under the alias
// arm-resources-6 beside 7.0.0, which moved them to @azure/arm-resourcesdeployments, a package that needs Node 22) and Python azure-mgmt-resource from Debian
// (deployments.begin_create_or_update(...).result()).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { ResourceManagementClient } from 'arm-resources-6';
import { CA_PATH, CLIENT_ID, SECRET, SUB, TENANT, tmpDir, type TestEmulator } from '../support/emulator.js';
import { createGroup, startAksEmulator } from '../containerservice/helpers.js';
import { ensureAz } from '../support/az.js';
import { execPythonOk } from '../support/python.js';

const file = (f: string) => JSON.parse(readFileSync(path.resolve('arm-templates', f), 'utf8'));

describe('real SDK clients: deployments', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startAksEmulator();
    await createGroup(emu, 'sdkdep', 'eastus');
  });
  after(async () => emu.close());

  it('JS @azure/arm-resources 6.1.0: beginCreateOrUpdateAndWait waits for the deployment, whatIf reports the changes', async () => {
    const credential = new ClientSecretCredential(TENANT, CLIENT_ID, SECRET, { authorityHost: emu.url, disableInstanceDiscovery: true });
    const client = new ResourceManagementClient(credential, SUB, { endpoint: emu.url, credentialScopes: [`${emu.url}/.default`], retryOptions: { maxRetries: 0 } } as any);
    const d = await client.deployments.beginCreateOrUpdateAndWait('sdkdep', 'js1', {
      properties: { mode: 'Incremental', template: file('identities-200.json'), parameters: { count: { value: 3 } } },
    } as any);
    assert.equal(d.properties?.provisioningState, 'Succeeded');
    const wi = await client.deployments.beginWhatIfAndWait('sdkdep', 'js2', {
      properties: { mode: 'Incremental', template: file('aks-azure.json'), parameters: { clusterName: { value: 'jswhatif' } } },
    } as any);
    assert.equal(wi.status, 'Succeeded');
    assert.ok(wi.changes?.some((c: any) => c.changeType === 'Create' && /managedClusters\/jswhatif$/i.test(c.resourceId)));
    const ops: any[] = [];
    for await (const o of client.deploymentOperations.list('sdkdep', 'js1')) ops.push(o);
    assert.ok(ops.length >= 3);
  });

  it('Python azure-mgmt-resource (Debian): begin_create_or_update(...).result()', async () => {
    ensureAz(); // python3-azure comes with Debian's azure-cli
    const dir = tmpDir();
    const script = path.join(dir, 'deploy.py');
    writeFileSync(
      script,
      [
        'import json, sys',
        'from azure.identity import ClientSecretCredential',
        'from azure.mgmt.resource import ResourceManagementClient',
        `cred = ClientSecretCredential("${TENANT}", "${CLIENT_ID}", "${SECRET}", authority="${emu.url}", instance_discovery=False)`,
        `client = ResourceManagementClient(cred, "${SUB}", base_url="${emu.url}", credential_scopes=["${emu.url}/.default"])`,
        `template = json.load(open("${path.resolve('arm-templates/aks-azure.json')}"))`,
        'poller = client.deployments.begin_create_or_update("sdkdep", "py1", {"properties": {"mode": "Incremental", "template": template, "parameters": {"clusterName": {"value": "pyaks"}, "agentCount": {"value": 1}}}})',
        'd = poller.result()',
        'print(json.dumps({"state": d.properties.provisioning_state, "outputs": d.properties.outputs}))',
      ].join('\n'),
    );
    // Asynchronously: the emulator runs in this process and must keep answering.
    const r = await execPythonOk([script], { env: { ...process.env, REQUESTS_CA_BUNDLE: CA_PATH }, timeout: 90_000 });
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(out.state, 'Succeeded');
    assert.match(out.outputs.controlPlaneFQDN.value, /azmk8s\.io$/);
  });

  it('JS @azure/arm-resources 6.1.0 at management-group and tenant scope (pollers), and calculateTemplateHash', async () => {
    // Rights at the root for the tenant calls, the documented way (elevate, then Owner at '/').
    const me = (await emu.http().get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`)).body.value[0].properties.principalId;
    assert.equal((await emu.http().post('/providers/Microsoft.Authorization/elevateAccess?api-version=2016-07-01')).status, 200);
    await emu
      .http()
      .put('/providers/Microsoft.Authorization/roleAssignments/33333333-0000-0000-0000-000000000001?api-version=2022-04-01')
      .send({ properties: { roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635', principalId: me } });
    assert.equal(
      (
        await emu
          .http()
          .put('/providers/Microsoft.Management/managementGroups/sdk-mg?api-version=2021-04-01')
          .send({ properties: { displayName: 'SDK' } })
      ).status,
      200,
    );
    const credential = new ClientSecretCredential(TENANT, CLIENT_ID, SECRET, { authorityHost: emu.url, disableInstanceDiscovery: true });
    const client = new ResourceManagementClient(credential, SUB, { endpoint: emu.url, credentialScopes: [`${emu.url}/.default`], retryOptions: { maxRetries: 0 } } as any);
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [],
      outputs: { mg: { type: 'string', value: '[managementGroup().name]' } },
    };
    const m = await client.deployments.beginCreateOrUpdateAtManagementGroupScopeAndWait('sdk-mg', 'jsmg', { location: 'eastus', properties: { mode: 'Incremental', template } } as any);
    assert.equal(m.properties?.provisioningState, 'Succeeded');
    assert.equal((m.properties?.outputs as any).mg.value, 'sdk-mg');
    assert.equal((await client.deployments.checkExistenceAtManagementGroupScope('sdk-mg', 'jsmg')).body, true);
    const tenantTemplate = {
      $schema: 'https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.Management/managementGroups',
          apiVersion: '2021-04-01',
          name: 'sdk-child',
          properties: { details: { parent: { id: '/providers/Microsoft.Management/managementGroups/sdk-mg' } } },
        },
      ],
    };
    const wi = await client.deployments.beginWhatIfAtTenantScopeAndWait('jst', { location: 'eastus', properties: { mode: 'Incremental', template: tenantTemplate } } as any);
    assert.deepEqual(
      wi.changes?.map((c: any) => [c.changeType, c.resourceId]),
      [['Create', '/providers/Microsoft.Management/managementGroups/sdk-child']],
    );
    const t = await client.deployments.beginCreateOrUpdateAtTenantScopeAndWait('jst', { location: 'eastus', properties: { mode: 'Incremental', template: tenantTemplate } } as any);
    assert.equal(t.properties?.provisioningState, 'Succeeded');
    const tenants: any[] = [];
    for await (const d of client.deployments.listAtTenantScope()) tenants.push(d.name);
    assert.ok(tenants.includes('jst'));
    const hash = await client.deployments.calculateTemplateHash(tenantTemplate);
    assert.match(hash.templateHash ?? '', /^\d+$/);
    assert.equal(hash.minifiedTemplate, JSON.stringify(tenantTemplate).toUpperCase());
    assert.equal(hash.templateHash, (await client.deployments.getAtTenantScope('jst')).properties?.templateHash);
  });

  it('Python azure-mgmt-managementgroups (Debian): create, get with children, delete', async () => {
    ensureAz();
    const dir = tmpDir();
    const script = path.join(dir, 'mg.py');
    writeFileSync(
      script,
      [
        'import json',
        'from azure.identity import ClientSecretCredential',
        'from azure.mgmt.managementgroups import ManagementGroupsAPI',
        `cred = ClientSecretCredential("${TENANT}", "${CLIENT_ID}", "${SECRET}", authority="${emu.url}", instance_discovery=False)`,
        `client = ManagementGroupsAPI(cred, base_url="${emu.url}", credential_scopes=["${emu.url}/.default"])`,
        'g = client.management_groups.begin_create_or_update("py-mg", {"display_name": "Py"}).result()',
        'c = client.management_groups.begin_create_or_update("py-child", {"details": {"parent": {"id": "/providers/Microsoft.Management/managementGroups/py-mg"}}}).result()',
        'got = client.management_groups.get("py-mg", expand="children")',
        'client.management_groups.begin_delete("py-child").result()',
        'client.management_groups.begin_delete("py-mg").result()',
        'names = [x.name for x in client.management_groups.list()]',
        'print(json.dumps({"name": g.name, "display": g.display_name, "parent": c.details.parent.name, "children": [x.name for x in got.children], "left": names}))',
      ].join('\n'),
    );
    const r = await execPythonOk([script], { env: { ...process.env, REQUESTS_CA_BUNDLE: CA_PATH }, timeout: 90_000 });
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.deepEqual(out, { name: 'py-mg', display: 'Py', parent: 'py-mg', children: ['py-child'], left: out.left.filter((n: string) => n !== 'py-mg' && n !== 'py-child') });
    assert.ok(!out.left.includes('py-mg'));
  });
});
