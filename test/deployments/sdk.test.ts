// The real SDK clients drive the deployment API: JS @azure/arm-resources 6.1.0, the last version with the
// deployment operations (beginCreateOrUpdateAndWait and beginWhatIfAndWait pollers; installed under the alias
// arm-resources-6 beside 7.0.0, which moved them to @azure/arm-resourcesdeployments, a package that needs Node 22) and Python azure-mgmt-resource from Debian
// (deployments.begin_create_or_update(...).result()).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ClientSecretCredential } from '@azure/identity';
import { ResourceManagementClient } from 'arm-resources-6';
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
    const r = await promisify(execFile)('/usr/bin/python3', [script], { encoding: 'utf8', env: { ...process.env, REQUESTS_CA_BUNDLE: CA_PATH }, timeout: 90_000 });
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(out.state, 'Succeeded');
    assert.match(out.outputs.controlPlaneFQDN.value, /azmk8s\.io$/);
  });
});
