// The real SDK clients drive the deployment API: JS @azure/arm-resourcesdeployments
// (createOrUpdate and whatIf pollers) and Python azure-mgmt-resource from Debian
// (deployments.begin_create_or_update(...).result()).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ClientSecretCredential } from '@azure/identity';
import { DeploymentsClient } from '@azure/arm-resourcesdeployments';
import { CA_PATH, CLIENT_ID, SECRET, SUB, TENANT, tmpDir, type TestEmulator } from '../support/emulator.js';
import { createGroup, startAksEmulator } from '../containerservice/helpers.js';
import { ensureAz } from '../support/az.js';

const file = (f: string) => JSON.parse(readFileSync(path.resolve('arm-templates', f), 'utf8'));

describe('real SDK clients: deployments', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startAksEmulator();
    await createGroup(emu, 'sdkdep', 'eastus');
  });
  after(async () => emu.close());

  it('JS @azure/arm-resourcesdeployments: createOrUpdate waits for the deployment, whatIf reports the changes', async () => {
    const credential = new ClientSecretCredential(TENANT, CLIENT_ID, SECRET, { authorityHost: emu.url, disableInstanceDiscovery: true });
    const client = new DeploymentsClient(credential, SUB, { endpoint: emu.url, retryOptions: { maxRetries: 0 } } as any);
    const d = await client.deployments.createOrUpdate('sdkdep', 'js1', {
      properties: { mode: 'Incremental', template: file('identities-200.json'), parameters: { count: { value: 3 } } },
    } as any);
    assert.equal(d.properties?.provisioningState, 'Succeeded');
    const wi = await client.deployments.whatIf('sdkdep', 'js2', {
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
    const r = await promisify(execFile)('/usr/bin/python3', [script], { encoding: 'utf8', env: { ...process.env, REQUESTS_CA_BUNDLE: CA_PATH }, timeout: 90_000 });
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(out.state, 'Succeeded');
    assert.match(out.outputs.controlPlaneFQDN.value, /azmk8s\.io$/);
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
    const r = await promisify(execFile)('/usr/bin/python3', [script], { encoding: 'utf8', env: { ...process.env, REQUESTS_CA_BUNDLE: CA_PATH }, timeout: 90_000 });
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.deepEqual(out, { name: 'py-mg', display: 'Py', parent: 'py-mg', children: ['py-child'], left: out.left.filter((n: string) => n !== 'py-mg' && n !== 'py-child') });
    assert.ok(!out.left.includes('py-mg'));
  });
});
