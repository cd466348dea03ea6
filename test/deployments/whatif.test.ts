// What-if against what exists (issue 20): an unchanged redeploy reports NoChange for every resource
// (the provider's defaults such as osDiskSizeGB 0 → 128, secrets it never shows, subnets with their ids,
// array elements whose only differences are the provider's additions); a real change is a Modify naming
// the property; nested deployments into another resource group or a group the template creates list
// their resources, and only a resource whose id needs the deployment's own results is Unsupported.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rgPath, SUB, type TestEmulator } from '../support/emulator.js';
import { startAksEmulator, createGroup } from '../containerservice/helpers.js';
import { waitForLocation, waitForOperation } from '../support/emulator.js';

const V = 'api-version=2021-04-01';
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const file = (f: string) => JSON.parse(readFileSync(`arm-templates/${f}`, 'utf8'));

async function whatIf(emu: TestEmulator, deployment: string, body: object): Promise<any[]> {
  const w = await emu.http().post(`${deployment}/whatIf?${V}`).send(body);
  assert.equal(w.status, 202, JSON.stringify(w.body));
  const r = await waitForLocation(emu, w.headers.location);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'Succeeded', JSON.stringify(r.body));
  return r.body.properties.changes;
}

const summary = (changes: any[]) => changes.map((c) => `${c.changeType} ${c.resourceId.split('/').slice(-2).join('/')}`).sort();

describe('deployments: what-if against what exists', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startAksEmulator();
    await createGroup(emu, 'wa', 'eastus');
    await createGroup(emu, 'wh', 'local');
    await createGroup(emu, 'w1', 'eastus');
    await createGroup(emu, 'w2', 'westus');
  });
  after(async () => emu.close());

  for (const [rg, template, params] of [
    ['wa', 'aks-azure.json', 'aks-azure.parameters.json'],
    ['wh', 'aks-hub.json', 'aks-hub.parameters.json'],
  ]) {
    it(`an unchanged redeploy of ${template} is NoChange for every resource; a changed count is a Modify naming it`, async () => {
      const dep = `${rgPath(rg)}/providers/Microsoft.Resources/deployments/d`;
      const body = { properties: { mode: 'Incremental', template: file(template), parameters: file(params).parameters } };
      const put = await emu.http().put(`${dep}?${V}`).send(body);
      assert.equal(put.status, 201, JSON.stringify(put.body));
      assert.equal((await waitForOperation(emu, put.headers['azure-asyncoperation'])).status, 'Succeeded');
      const same = await whatIf(emu, dep, body);
      assert.ok(same.length >= 1);
      assert.deepEqual(
        same.filter((c) => c.changeType !== 'NoChange').map((c) => ({ id: c.resourceId, changeType: c.changeType, delta: c.delta })),
        [],
      );
      // The secret a Hub cluster is created with is never shown, and not as a change either.
      assert.doesNotMatch(JSON.stringify(same), /emulator-secret/);

      const changed = { properties: { ...body.properties, parameters: { ...body.properties.parameters, agentCount: { value: 3 } } } };
      const modify = await whatIf(emu, dep, changed);
      const cluster = modify.find((c) => /managedClusters/i.test(c.resourceId));
      assert.equal(cluster.changeType, 'Modify');
      const pools = cluster.delta.find((d: any) => d.path === 'properties.agentPoolProfiles');
      assert.equal(pools.propertyChangeType, 'Array');
      // The pool's changes: its count (what the provider adds of its own is there as NoEffect).
      assert.deepEqual(
        pools.children.map((c: any) => [
          c.path,
          c.propertyChangeType,
          c.children?.filter((x: any) => x.propertyChangeType !== 'NoEffect').map((x: any) => [x.path, x.propertyChangeType, x.before, x.after]),
        ]),
        [['0', 'Modify', [['count', 'Modify', 2, 3]]]],
      );
      assert.ok(
        modify.filter((c) => c !== cluster).every((c) => c.changeType === 'NoChange'),
        JSON.stringify(summary(modify)),
      );
    });
  }

  it('an unchanged redeploy of identities-200.json is NoChange for each of its 200 identities', async () => {
    await createGroup(emu, 'wi', 'eastus');
    const dep = `${rgPath('wi')}/providers/Microsoft.Resources/deployments/d`;
    const body = { properties: { mode: 'Incremental', template: file('identities-200.json'), parameters: file('identities-200.parameters.json').parameters } };
    const put = await emu.http().put(`${dep}?${V}`).send(body);
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal((await waitForOperation(emu, put.headers['azure-asyncoperation'])).status, 'Succeeded');
    const same = await whatIf(emu, dep, body);
    assert.equal(same.filter((c) => c.changeType === 'NoChange').length, 200);
    assert.deepEqual(
      same.filter((c) => c.changeType !== 'NoChange').map((c) => `${c.changeType} ${c.resourceId}`),
      [],
    );
  });

  it('nested deployments into another group or a group the template creates list their resources; an id that needs reference() is Unsupported', async () => {
    const vnet = (n: string, loc: string) => ({
      type: 'Microsoft.Network/virtualNetworks',
      apiVersion: '2022-07-01',
      name: n,
      location: loc,
      properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } },
    });
    const inner = (resources: unknown[], parameters = {}) => ({ $schema: SCHEMA, contentVersion: '1.0.0.0', parameters, resources });
    const rgTemplate = {
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      resources: [
        { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'id1', location: 'eastus' },
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2021-04-01',
          name: 'nested',
          resourceGroup: 'w2',
          properties: {
            mode: 'Incremental',
            expressionEvaluationOptions: { scope: 'inner' },
            parameters: { pid: { value: "[reference('id1').principalId]" }, n: { value: 3 } },
            template: inner(
              [
                vnet("[concat('vn', parameters('n'))]", 'westus'),
                { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: "[concat('x', uniqueString(parameters('pid')))]", location: 'westus' },
              ],
              { pid: { type: 'string' }, n: { type: 'int' } },
            ),
          },
        },
      ],
    };
    const a = await whatIf(emu, `${rgPath('w1')}/providers/Microsoft.Resources/deployments/n1`, { properties: { mode: 'Incremental', template: rgTemplate } });
    assert.deepEqual(
      summary(a),
      [
        'Create userAssignedIdentities/id1',
        'Create virtualNetworks/vn3',
        `Unsupported userAssignedIdentities/${a
          .find((c) => c.changeType === 'Unsupported')
          ?.resourceId.split('/')
          .pop()}`,
      ].sort(),
    );
    assert.ok(a.some((c) => c.resourceId === `${rgPath('w2')}/providers/Microsoft.Network/virtualNetworks/vn3`));
    assert.match(a.find((c) => c.changeType === 'Unsupported').unsupportedReason, /reference\(\)/);

    const subTemplate = {
      $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        { type: 'Microsoft.Resources/resourceGroups', apiVersion: '2021-04-01', name: 'wnew', location: 'eastus' },
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2021-04-01',
          name: 'mod',
          resourceGroup: 'wnew',
          dependsOn: ["[resourceId('Microsoft.Resources/resourceGroups', 'wnew')]"],
          properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, template: inner([vnet('vnx', '[resourceGroup().location]')]) },
        },
      ],
    };
    const b = await whatIf(emu, `/subscriptions/${SUB}/providers/Microsoft.Resources/deployments/n2`, { location: 'eastus', properties: { mode: 'Incremental', template: subTemplate } });
    assert.deepEqual(
      b.map((c) => [c.changeType, c.resourceId]),
      [
        ['Create', rgPath('wnew')],
        ['Create', `${rgPath('wnew')}/providers/Microsoft.Network/virtualNetworks/vnx`],
      ],
    );
  });
});
