// The deployment API over REST: PUT runs the template through the core (Accepted → Running →
// Succeeded) with outputs read by reference(); validation errors are synchronous 400s with
// nothing stored; operations, validate, whatIf (long-running), cancel, export, history and
// subscription-scope deployments.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rgPath, SUB, waitForLocation, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { startAksEmulator, createGroup } from '../containerservice/helpers.js';

const V = 'api-version=2021-04-01';
const dep = (rg: string, n: string) => `${rgPath(rg)}/providers/Microsoft.Resources/deployments/${n}`;
const file = (f: string) => JSON.parse(readFileSync(`arm-templates/${f}`, 'utf8'));

describe('deployments: the ARM template deployment API (REST)', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startAksEmulator();
    await createGroup(emu, 'd1', 'eastus');
    await createGroup(emu, 'hub', 'local');
  });
  after(async () => emu.close());

  it('deploys the shipped AKS template: 201 Accepted, then Succeeded with the outputs the template reads back', async () => {
    const body = { properties: { mode: 'Incremental', template: file('aks-azure.json'), parameters: file('aks-azure.parameters.json').parameters } };
    const r = await emu
      .http()
      .put(`${dep('d1', 'aks')}?${V}`)
      .send(body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.properties.provisioningState, 'Accepted');
    assert.ok(r.headers['azure-asyncoperation']);
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Succeeded', JSON.stringify(st));
    const g = await emu.http().get(`${dep('d1', 'aks')}?${V}`);
    assert.equal(g.body.properties.provisioningState, 'Succeeded');
    const cluster = await emu.http().get(`${g.body.properties.outputs.clusterId.value}?api-version=2022-11-01`);
    assert.equal(cluster.status, 200);
    assert.equal(g.body.properties.outputs.controlPlaneFQDN.value, cluster.body.properties.fqdn);
    assert.deepEqual(
      g.body.properties.outputResources.map((o: any) => o.id.toLowerCase()),
      [cluster.body.id.toLowerCase()],
    );
    const ops = await emu.http().get(`${dep('d1', 'aks')}/operations?${V}`);
    assert.equal(ops.status, 200);
    const create = ops.body.value.find((o: any) => o.properties.targetResource?.resourceType === 'Microsoft.ContainerService/managedClusters');
    assert.equal(create.properties.provisioningState, 'Succeeded');
    assert.equal(create.properties.provisioningOperation, 'Create');
    const one = await emu.http().get(`${dep('d1', 'aks')}/operations/${create.operationId}?${V}`);
    assert.equal(one.body.operationId, create.operationId);
    const list = await emu.http().get(`${rgPath('d1')}/providers/Microsoft.Resources/deployments?${V}`);
    assert.deepEqual(
      list.body.value.map((d: any) => d.name),
      ['aks'],
    );
  });

  it('a template error is a synchronous 400 (InvalidTemplate) and stores nothing', async () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [],
      outputs: { x: { type: 'string', value: "[nosuchfunction('a')]" } },
    };
    const r = await emu
      .http()
      .put(`${dep('d1', 'bad')}?${V}`)
      .send({ properties: { mode: 'Incremental', template } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'InvalidTemplate');
    const notThere = await emu.http().get(`${dep('d1', 'bad')}?${V}`);
    assert.equal(notThere.status, 404);
    assert.equal(notThere.body.error.code, 'DeploymentNotFound');
    const missing = await emu
      .http()
      .put(`${dep('d1', 'bad2')}?${V}`)
      .send({ properties: { mode: 'Incremental', template: file('aks-hub.json') } });
    assert.equal(missing.status, 400);
    assert.match(JSON.stringify(missing.body.error), /servicePrincipalClientId/);
  });

  it('validate answers 200 with the validated resources, or 400 with the error; nothing is deployed', async () => {
    const body = { properties: { mode: 'Incremental', template: file('aks-hub.json'), parameters: file('aks-hub.parameters.json').parameters } };
    const v = await emu
      .http()
      .post(`${dep('hub', 'v')}/validate?${V}`)
      .send(body);
    assert.equal(v.status, 200, JSON.stringify(v.body));
    assert.equal(v.body.properties.provisioningState, 'Succeeded');
    assert.ok(v.body.properties.validatedResources.length >= 1);
    // the secret parameter is never echoed
    assert.doesNotMatch(JSON.stringify(v.body), /emulator-secret/);
    assert.equal((await emu.http().get(`${dep('hub', 'v')}?${V}`)).status, 404);
  });

  it('whatIf is long-running and its Location answers the predicted changes', async () => {
    const body = { properties: { mode: 'Incremental', template: file('aks-azure.json'), parameters: { clusterName: { value: 'wi1' } } } };
    const r = await emu
      .http()
      .post(`${dep('d1', 'wi')}/whatIf?${V}`)
      .send(body);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const res = await waitForLocation(emu, r.headers.location);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'Succeeded');
    const c = res.body.properties.changes.find((x: any) => /managedClusters\/wi1$/i.test(x.resourceId));
    assert.equal(c.changeType, 'Create');
    // the existing cluster from the first test is NoChange/Modify when redeployed
    const again = await emu
      .http()
      .post(`${dep('d1', 'wi2')}/whatIf?${V}`)
      .send({ properties: { mode: 'Incremental', template: file('aks-azure.json'), parameters: file('aks-azure.parameters.json').parameters } });
    const res2 = await waitForLocation(emu, again.headers.location);
    assert.equal(res2.status, 200, JSON.stringify(res2.body));
    const c2 = res2.body.properties.changes.find((x: any) => /managedClusters\//i.test(x.resourceId));
    assert.notEqual(c2.changeType, 'Create');
  });

  it('subscription-scope deployments create resource groups; the location is required', async () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { names: { type: 'array', defaultValue: ['sa', 'sb'] } },
      resources: [
        {
          type: 'Microsoft.Resources/resourceGroups',
          apiVersion: '2021-04-01',
          name: "[parameters('names')[copyIndex()]]",
          location: 'eastus',
          copy: { name: 'g', count: "[length(parameters('names'))]" },
        },
      ],
      outputs: { first: { type: 'string', value: "[parameters('names')[0]]" } },
    };
    const noLoc = await emu
      .http()
      .put(`/subscriptions/${SUB}/providers/Microsoft.Resources/deployments/s1?${V}`)
      .send({ properties: { mode: 'Incremental', template } });
    assert.equal(noLoc.status, 400);
    const r = await emu
      .http()
      .put(`/subscriptions/${SUB}/providers/Microsoft.Resources/deployments/s1?${V}`)
      .send({ location: 'eastus', properties: { mode: 'Incremental', template } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Succeeded', JSON.stringify(st));
    for (const n of ['sa', 'sb']) assert.equal((await emu.http().get(`${rgPath(n)}?${V}`)).status, 200);
    const list = await emu.http().get(`/subscriptions/${SUB}/providers/Microsoft.Resources/deployments?${V}`);
    assert.deepEqual(
      list.body.value.map((d: any) => d.name),
      ['s1'],
    );
  });

  it('what a provider refuses is refused at once by preflight (400 InvalidTemplateDeployment), nothing stored', async () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.ContainerService/managedClusters',
          apiVersion: '2020-11-01',
          name: 'hubbad',
          location: 'local',
          properties: {
            dnsPrefix: 'hubbad',
            agentPoolProfiles: [{ name: 'nodepool1', count: 1, vmSize: 'Standard_DS2_v2', mode: 'System', enableAutoScaling: true, minCount: 1, maxCount: 3 }],
            servicePrincipalProfile: { clientId: 'x', secret: 'y' },
          },
        },
      ],
    };
    const r = await emu
      .http()
      .put(`${dep('hub', 'refused')}?${V}`)
      .send({ properties: { mode: 'Incremental', template } });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'InvalidTemplateDeployment');
    assert.match(JSON.stringify(r.body.error.details), /autoscaler/i);
    assert.equal((await emu.http().get(`${dep('hub', 'refused')}?${V}`)).status, 404);
    assert.equal((await emu.http().get(`${rgPath('hub')}/providers/Microsoft.ContainerService/managedClusters/hubbad?api-version=2020-11-01`)).status, 404);
  });

  it('a resource that fails while deploying fails the deployment with DeploymentFailed and its error nested; what succeeded stays', async () => {
    const ident = { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'kept', location: 'local' };
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        ident,
        // passes preflight, then does not fit on the stamp's hosts
        {
          type: 'Microsoft.ContainerService/managedClusters',
          apiVersion: '2020-11-01',
          name: 'toobig',
          location: 'local',
          dependsOn: ['kept'],
          properties: {
            dnsPrefix: 'toobig',
            agentPoolProfiles: [{ name: 'nodepool1', count: 20, vmSize: 'Standard_DS5_v2', mode: 'System' }],
            servicePrincipalProfile: { clientId: 'x', secret: 'y' },
            networkProfile: { loadBalancerSku: 'basic' },
          },
        },
      ],
    };
    const r = await emu
      .http()
      .put(`${dep('hub', 'fails')}?${V}`)
      .send({ properties: { mode: 'Incremental', template } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Failed');
    assert.equal(st.error.code, 'DeploymentFailed');
    assert.match(JSON.stringify(st.error.details), /InsufficientCapacity/);
    const g = await emu.http().get(`${dep('hub', 'fails')}?${V}`);
    assert.equal(g.body.properties.provisioningState, 'Failed');
    assert.equal(g.body.properties.error.code, 'DeploymentFailed');
    assert.equal((await emu.http().get(`${rgPath('hub')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/kept?api-version=2023-01-31`)).status, 200);
  });

  it('exportTemplate returns the template; DELETE removes the history entry, not the resources', async () => {
    const ex = await emu.http().post(`${dep('d1', 'aks')}/exportTemplate?${V}`);
    assert.equal(ex.status, 200);
    assert.equal(ex.body.template.resources[0].type, 'Microsoft.ContainerService/managedClusters');
    const del = await emu.http().delete(`${dep('d1', 'aks')}?${V}`);
    assert.ok([200, 202, 204].includes(del.status));
    if (del.status === 202) await waitForOperation(emu, del.headers['azure-asyncoperation']);
    assert.equal((await emu.http().get(`${dep('d1', 'aks')}?${V}`)).status, 404);
    const name = file('aks-azure.parameters.json').parameters.clusterName?.value ?? 'aks1';
    assert.equal((await emu.http().get(`${rgPath('d1')}/providers/Microsoft.ContainerService/managedClusters/${name}?api-version=2022-11-01`)).status, 200);
  });

  it('cancel stops a running deployment (Canceled); a finished one cannot be canceled', async () => {
    emu.services.asyncOperations.setGateRules([{ typeKey: 'microsoft.containerservice/managedclusters', operation: 'create', gate: { mode: 'polls', polls: 1_000_000 } }]);
    try {
      const r = await emu
        .http()
        .put(`${dep('d1', 'slow')}?${V}`)
        .send({ properties: { mode: 'Incremental', template: file('aks-azure.json'), parameters: { clusterName: { value: 'held' } } } });
      assert.equal(r.status, 201);
      const running = await emu.http().get(`${dep('d1', 'slow')}?${V}`);
      assert.ok(['Accepted', 'Running'].includes(running.body.properties.provisioningState));
      const del = await emu.http().delete(`${dep('d1', 'slow')}?${V}`);
      assert.equal(del.status, 409);
      const c = await emu.http().post(`${dep('d1', 'slow')}/cancel?${V}`);
      assert.equal(c.status, 204);
      const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
      assert.equal(st.status, 'Canceled');
      assert.equal((await emu.http().get(`${dep('d1', 'slow')}?${V}`)).body.properties.provisioningState, 'Canceled');
      const again = await emu.http().post(`${dep('d1', 'slow')}/cancel?${V}`);
      assert.equal(again.status, 409);
    } finally {
      emu.services.asyncOperations.setGateRules([]);
    }
  });

  it('secure parameters are never shown: not in GET, operations, export or the operation status', async () => {
    const r = await emu
      .http()
      .put(`${dep('hub', 'sec')}?${V}`)
      .send({
        properties: {
          mode: 'Incremental',
          template: file('aks-hub.json'),
          parameters: { ...file('aks-hub.parameters.json').parameters, servicePrincipalClientSecret: { value: 'top-secret-value-42' }, clusterName: { value: 'sec1' } },
        },
      });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Succeeded', JSON.stringify(st));
    const seen = [JSON.stringify(r.body), JSON.stringify(st)];
    seen.push(JSON.stringify((await emu.http().get(`${dep('hub', 'sec')}?${V}`)).body));
    seen.push(JSON.stringify((await emu.http().get(`${dep('hub', 'sec')}/operations?${V}`)).body));
    seen.push(JSON.stringify((await emu.http().post(`${dep('hub', 'sec')}/exportTemplate?${V}`)).body));
    for (const s of seen) assert.doesNotMatch(s, /top-secret-value-42/);
    const g = (await emu.http().get(`${dep('hub', 'sec')}?${V}`)).body;
    assert.deepEqual(Object.keys(g.properties.parameters.servicePrincipalClientSecret), ['type']);
  });

  it('Complete mode deletes what the group holds that the template does not declare', async () => {
    await createGroup(emu, 'cm', 'eastus');
    const ident = (n: string) => ({ type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: n, location: 'eastus' });
    const t = (names: string[]) => ({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources: names.map(ident) });
    for (const [name, mode, names] of [
      ['one', 'Incremental', ['a', 'b']],
      ['two', 'Complete', ['b']],
    ] as const) {
      const r = await emu
        .http()
        .put(`${dep('cm', name)}?${V}`)
        .send({ properties: { mode, template: t([...names]) } });
      {
        const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
        assert.equal(st.status, 'Succeeded', JSON.stringify(st));
      }
    }
    const left = await emu.http().get(`${rgPath('cm')}/resources?${V}`);
    assert.deepEqual(
      left.body.value.map((x: any) => x.name),
      ['b'],
    );
  });

  it('history: a scope keeps at most 800 deployments, the oldest goes first; redeploying a name does not count it twice', async () => {
    await createGroup(emu, 'hist', 'eastus');
    const empty = {
      properties: { mode: 'Incremental', template: { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources: [] } },
    };
    const deploy = async (n: string) => {
      const r = await emu
        .http()
        .put(`${dep('hist', n)}?${V}`)
        .send(empty);
      assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
      assert.equal((await waitForOperation(emu, r.headers['azure-asyncoperation'])).status, 'Succeeded');
    };
    await deploy('first');
    // 799 older deployments beside it (stored directly: 800 template runs would take the test's whole budget)
    const stored = emu.services.resources.get(dep('hist', 'first'))!;
    const older = (i: number) => `old-${String(i).padStart(3, '0')}`;
    for (let i = 0; i < 799; i++) {
      const copy = JSON.parse(JSON.stringify(stored));
      delete copy.operationId;
      copy.resource.id = dep('hist', older(i));
      copy.resource.name = older(i);
      copy.resource.systemData = { ...copy.resource.systemData, createdAt: new Date(Date.UTC(2000, 0, 1, 0, 0, i)).toISOString() };
      await emu.services.resources.put(copy);
    }
    const count = () => emu.services.resources.countByParent(rgPath('hist'), 'microsoft.resources/deployments').ofType;
    assert.equal(count(), 800);
    await deploy('first'); // a redeploy at the limit: nothing goes
    assert.equal(count(), 800);
    assert.equal((await emu.http().get(`${dep('hist', older(0))}?${V}`)).status, 200);
    await deploy('second'); // one too many: the oldest goes
    assert.equal(count(), 800);
    assert.equal((await emu.http().get(`${dep('hist', older(0))}?${V}`)).status, 404);
    for (const n of [older(1), 'first', 'second']) assert.equal((await emu.http().get(`${dep('hist', n)}?${V}`)).status, 200, n);
  });
});
