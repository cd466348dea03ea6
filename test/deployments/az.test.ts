// The real az CLI (2.45) drives the deployment API: group create/validate/what-if/show/list/
// operation list/cancel/delete and sub create, with --template-file and --parameters @file /
// key=value, in the default and the 2020-09-01-hybrid profiles.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AzSession } from '../support/az.js';
import { azOnEmulator } from '../support/azSuite.js';
import { tmpDir, type TestEmulator } from '../support/emulator.js';
import { startAksEmulator } from '../containerservice/helpers.js';

const T = (f: string) => path.resolve('arm-templates', f);

describe('az deployment (real az CLI, default profile)', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let az: AzSession;
  before(async () => {
    ({ emu, az } = await azOnEmulator(startAksEmulator));
    await az.ok(['group', 'create', '-n', 'dep', '-l', 'eastus']);
  });
  after(async () => emu?.close());

  it('group validate, create (outputs), show, list, operation list, what-if, delete', async () => {
    const v = await az.ok(['deployment', 'group', 'validate', '-g', 'dep', '--template-file', T('aks-azure.json'), '--parameters', `@${T('aks-azure.parameters.json')}`]);
    assert.equal(v.properties.provisioningState, 'Succeeded');
    const d = await az.ok(['deployment', 'group', 'create', '-g', 'dep', '-n', 'aks', '--template-file', T('aks-azure.json'), '--parameters', `@${T('aks-azure.parameters.json')}`, 'agentCount=2']);
    assert.equal(d.properties.provisioningState, 'Succeeded');
    assert.match(d.properties.outputs.controlPlaneFQDN.value, /azmk8s\.io$/);
    const cluster = await az.ok(['aks', 'show', '-g', 'dep', '-n', d.properties.outputs.clusterId.value.split('/').pop()]);
    assert.equal(cluster.agentPoolProfiles[0].count, 2);
    const shown = await az.ok(['deployment', 'group', 'show', '-g', 'dep', '-n', 'aks']);
    assert.equal(shown.properties.outputs.clusterId.value, d.properties.outputs.clusterId.value);
    const list = await az.ok(['deployment', 'group', 'list', '-g', 'dep']);
    assert.deepEqual(
      list.map((x: any) => x.name),
      ['aks'],
    );
    const ops = await az.ok(['deployment', 'operation', 'group', 'list', '-g', 'dep', '-n', 'aks']);
    assert.ok(ops.some((o: any) => o.properties.targetResource?.resourceType === 'Microsoft.ContainerService/managedClusters' && o.properties.provisioningState === 'Succeeded'));
    const wi = await az.run(['deployment', 'group', 'what-if', '-g', 'dep', '--template-file', T('aks-azure.json'), '--parameters', 'clusterName=other', '--no-pretty-print', '-o', 'json']);
    assert.equal(wi.code, 0, wi.stderr);
    const changes = JSON.parse(wi.stdout).changes;
    assert.ok(changes.some((c: any) => c.changeType === 'Create' && /managedClusters\/other$/i.test(c.resourceId)));
    await az.ok(['deployment', 'group', 'delete', '-g', 'dep', '-n', 'aks']);
    assert.deepEqual(await az.ok(['deployment', 'group', 'list', '-g', 'dep']), []);
  });

  it('a bad template and a disallowed value fail as ARM fails them', async () => {
    const dir = tmpDir();
    const bad = path.join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: [],
        outputs: { o: { type: 'string', value: '[nope()]' } },
      }),
    );
    const r = await az.run(['deployment', 'group', 'create', '-g', 'dep', '--template-file', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /InvalidTemplate/);
    const r2 = await az.run(['deployment', 'group', 'create', '-g', 'dep', '--template-file', T('aks-hub.json'), '--parameters', `@${T('aks-hub.parameters.json')}`, 'kubernetesVersion=9.9.9']);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /kubernetesVersion/);
  });

  it('group cancel stops a running deployment (create --no-wait, then cancel, then show: Canceled)', async () => {
    emu.services.asyncOperations.setGateRules([{ typeKey: 'microsoft.containerservice/managedclusters', operation: 'create', gate: { mode: 'polls', polls: 1_000_000 } }]);
    try {
      await az.ok(['deployment', 'group', 'create', '-g', 'dep', '-n', 'held', '--no-wait', '--template-file', T('aks-azure.json'), '--parameters', 'clusterName=held']);
      const r = await az.run(['deployment', 'group', 'cancel', '-g', 'dep', '-n', 'held']);
      assert.equal(r.code, 0, r.stderr);
      let state = '';
      for (let i = 0; i < 50 && state !== 'Canceled'; i++) state = (await az.ok(['deployment', 'group', 'show', '-g', 'dep', '-n', 'held'])).properties.provisioningState;
      assert.equal(state, 'Canceled');
    } finally {
      emu.services.asyncOperations.setGateRules([]);
    }
  });

  it('sub create deploys at subscription scope', async () => {
    const dir = tmpDir();
    const t = path.join(dir, 'sub.json');
    writeFileSync(
      t,
      JSON.stringify({
        $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        parameters: { rg: { type: 'string' } },
        resources: [{ type: 'Microsoft.Resources/resourceGroups', apiVersion: '2021-04-01', name: "[parameters('rg')]", location: 'westus' }],
        outputs: { id: { type: 'string', value: "[subscriptionResourceId('Microsoft.Resources/resourceGroups', parameters('rg'))]" } },
      }),
    );
    const d = await az.ok(['deployment', 'sub', 'create', '-l', 'eastus', '-n', 'subdep', '--template-file', t, '--parameters', 'rg=from-sub']);
    assert.equal(d.properties.provisioningState, 'Succeeded');
    assert.match(d.properties.outputs.id.value, /resourceGroups\/from-sub$/);
    assert.equal((await az.ok(['group', 'show', '-n', 'from-sub'])).location, 'westus');
  });
});

describe('az deployment (real az CLI, 2020-09-01-hybrid profile, Azure Stack Hub)', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let az: AzSession;
  before(async () => {
    ({ emu, az } = await azOnEmulator(startAksEmulator, '2020-09-01-hybrid'));
    await az.ok(['group', 'create', '-n', 'hubdep', '-l', 'local']);
  });
  after(async () => emu?.close());

  it('deploys the shipped Hub template (apiProfile, service principal, basic load balancer) and shows its outputs', async () => {
    const d = await az.ok(['deployment', 'group', 'create', '-g', 'hubdep', '-n', 'hub', '--template-file', T('aks-hub.json'), '--parameters', `@${T('aks-hub.parameters.json')}`]);
    assert.equal(d.properties.provisioningState, 'Succeeded');
    assert.match(d.properties.outputs.controlPlaneFQDN.value, /azurestack\.external$/);
    const shown = await az.ok(['deployment', 'group', 'show', '-g', 'hubdep', '-n', 'hub']);
    assert.doesNotMatch(JSON.stringify(shown), /emulator-secret/);
    const ops = await az.ok(['deployment', 'operation', 'group', 'list', '-g', 'hubdep', '-n', 'hub']);
    assert.ok(ops.length >= 2);
  });
});
