// kill -9 and deployments (issue 22, items 1 and 7), with real emulator processes:
// - a deployment killed while one of its resources is being created adopts that resource's operation
//   after the restart (no second PUT, no AnotherOperationInProgress), waits for it, creates what depended
//   on it and ends Succeeded, consistent with what exists;
// - an operation whose resumption is interrupted again and again (a crash loop) ends Failed after a
//   bounded number of restarts in a row, its work undone, instead of being resumed for ever.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import request from 'supertest';
import { MAX_RESUME_ATTEMPTS } from '../../src/lro/engine.js';
import { rgPath, startTestEmulator, tmpDir, waitForOperation } from '../support/emulator.js';
import { kill9, startEmulatorProcess, type EmulatorProcess } from '../support/process.js';

const RV = 'api-version=2021-04-01';
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

type Child = EmulatorProcess;

/** A time scale at which a few simulated seconds outlast any test: the operation stays where it is while observed. */
const FROZEN = '1000';
const start = (dir: string, scale: string) => startEmulatorProcess(dir, ['--port', '0', '--time-scale', scale, '--no-fsync']);

const api = (c: Child) => request.agent(c.url).set('Authorization', `Bearer ${c.token}`);

/** waitUntil with the hang guard these child-process tests need under load. */
const until = <T>(what: string, fn: () => Promise<T | undefined>): Promise<NonNullable<T>> => waitUntil(fn, { what, timeoutMs: 90_000, everyMs: 50 });

async function operations(c: Child): Promise<any[]> {
  const r = await api(c).get('/_emulator/operations');
  assert.equal(r.status, 200, r.text);
  return r.body.value;
}

describe('deployments and kill -9', function () {
  this.timeout(180_000);
  const children: Child[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) await kill9(c);
  });

  it('a deployment killed mid-create adopts the resource operation on restart, waits for it, then creates its dependents', async () => {
    const dir = tmpDir('arm-emu-depcrash-');
    // At time scale 1 a cluster takes minutes to create: the kill lands inside it.
    let c = await start(dir, '1');
    children.push(c);
    assert.equal(
      (
        await api(c)
          .put(`${rgPath('crashdep')}?${RV}`)
          .send({ location: 'eastus' })
      ).status,
      201,
    );
    const cluster = `${rgPath('crashdep')}/providers/Microsoft.ContainerService/managedClusters/aks1`;
    const identity = `${rgPath('crashdep')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/after-aks`;
    const template = {
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.ContainerService/managedClusters',
          apiVersion: '2022-11-01',
          name: 'aks1',
          location: 'eastus',
          identity: { type: 'SystemAssigned' },
          properties: { dnsPrefix: 'aks1', agentPoolProfiles: [{ name: 'agentpool', count: 1, vmSize: 'Standard_D2s_v3', osType: 'Linux', mode: 'System' }] },
        },
        { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'after-aks', location: 'eastus', dependsOn: ['aks1'] },
      ],
      outputs: { fqdn: { type: 'string', value: "[reference('aks1').fqdn]" } },
    };
    const put = await api(c)
      .put(`${rgPath('crashdep')}/providers/Microsoft.Resources/deployments/dep?${RV}`)
      .send({ properties: { mode: 'Incremental', template } });
    assert.equal(put.status, 201, put.text);
    // The cluster's create is under way: hold it (held survives the restart), so that after the restart it
    // is still in flight when the deployment resumes, whatever the time scale.
    const clusterOp = await until('the cluster create', async () => (await operations(c)).find((o) => o.typeKey === 'microsoft.containerservice/managedclusters' && o.status === 'InProgress'));
    assert.equal((await api(c).post(`/_emulator/operations/${clusterOp.id}/hold`)).status, 200);
    const deploymentOp = (await operations(c)).find((o) => o.typeKey === 'microsoft.resources/deployments' && o.status === 'InProgress');
    assert.ok(deploymentOp, 'the deployment is in flight at the kill');
    await kill9(c);

    c = await start(dir, '0');
    children.push(c);
    // The resumed deployment must not write the cluster again: a second PUT would be refused while the first create
    // is in flight (the deployment would fail), or after the release it would be a second create (counted below).
    // Checked once the deployment has been taken over and runs again.
    await until('the deployment to be resumed', async () => {
      const op = (await api(c).get(`/_emulator/operations/${deploymentOp.id}`)).body;
      return (op.resumed ?? 0) >= 1 && op.tasks.some((t: any) => t.state === 'running') ? op : undefined;
    });
    const during = await api(c).get(`${rgPath('crashdep')}/providers/Microsoft.Resources/deployments/dep?${RV}`);
    assert.equal(during.status, 200);
    assert.ok(
      ['Accepted', 'Running'].includes(during.body.properties.provisioningState),
      `while the cluster is still being created the deployment runs: ${JSON.stringify(during.body.properties.error ?? during.body.properties.provisioningState)}`,
    );
    assert.equal((await api(c).get(`${identity}?api-version=2023-01-31`)).status, 404, 'the dependent waits for the cluster');
    assert.equal((await api(c).post(`/_emulator/operations/${clusterOp.id}/release`)).status, 200);

    const final = await until('the deployment to end', async () => {
      const g = await api(c).get(`${rgPath('crashdep')}/providers/Microsoft.Resources/deployments/dep?${RV}`);
      return ['Succeeded', 'Failed', 'Canceled'].includes(g.body.properties?.provisioningState) ? g.body : undefined;
    });
    assert.equal(final.properties.provisioningState, 'Succeeded', JSON.stringify(final.properties.error));
    const aks = await api(c).get(`${cluster}?api-version=2022-11-01`);
    assert.equal(aks.body.properties.provisioningState, 'Succeeded');
    assert.equal(final.properties.outputs.fqdn.value, aks.body.properties.fqdn);
    assert.equal((await api(c).get(`${identity}?api-version=2023-01-31`)).status, 200, 'what depended on the cluster was created');
    // One create of the cluster, the one started before the kill.
    const creates = (await operations(c)).filter((o) => o.typeKey === 'microsoft.containerservice/managedclusters' && (o.kind === 'create' || o.kind === 'update'));
    assert.deepEqual(
      creates.map((o) => [o.id, o.status]),
      [[clusterOp.id, 'Succeeded']],
    );
  });

  it('an operation interrupted on every resume ends Failed after ten restarts in a row, its work undone', async () => {
    const dir = tmpDir('arm-emu-resumeloop-');
    let c = await start(dir, FROZEN);
    children.push(c);
    assert.equal(
      (
        await api(c)
          .put(`${rgPath('loop')}?${RV}`)
          .send({ location: 'eastus' })
      ).status,
      201,
    );
    // A group's delete takes 5 s of simulated time: at time scale 1000 (FROZEN) that is over an hour, so every start below is
    // killed inside it however slow the machine (at time scale 1 a start slower than 5 s let it finish).
    const del = await api(c).delete(`${rgPath('loop')}?${RV}`);
    assert.equal(del.status, 202);
    const status = new URL(del.headers['azure-asyncoperation']);
    for (let restart = 1; restart <= MAX_RESUME_ATTEMPTS; restart++) {
      await kill9(c);
      c = await start(dir, FROZEN);
      children.push(c);
      const st = await api(c).get(status.pathname + status.search);
      assert.equal(st.body.status, 'InProgress', `resumed after restart ${restart}`);
    }
    await kill9(c);
    // The next start in a row without progress does not run it again: it is undone and ends Failed.
    c = await start(dir, FROZEN);
    children.push(c);
    const st = await until('the operation to end', async () => {
      const r = await api(c).get(status.pathname + status.search);
      return r.body.status !== 'InProgress' ? r.body : undefined;
    });
    assert.equal(st.status, 'Failed');
    assert.equal(st.error.code, 'OperationResumeFailed');
    const g = await api(c).get(`${rgPath('loop')}?${RV}`);
    assert.equal(g.status, 200, 'the group whose delete was abandoned is still there');
    assert.equal(g.body.properties.provisioningState, 'Succeeded');
  });

  it('a deployment interrupted by a clean stop resumes at the next start and succeeds (a stop is not a failure)', async () => {
    const dir = tmpDir('arm-emu-depstop-');
    let emu = await startTestEmulator(['--data-dir', dir, '--no-fsync', '--time-scale', '1']);
    await emu
      .http()
      .put(`${rgPath('stopdep')}?${RV}`)
      .send({ location: 'eastus' });
    const template = {
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.ContainerService/managedClusters',
          apiVersion: '2022-11-01',
          name: 'aks1',
          location: 'eastus',
          identity: { type: 'SystemAssigned' },
          properties: { dnsPrefix: 'aks1', agentPoolProfiles: [{ name: 'agentpool', count: 1, vmSize: 'Standard_D2s_v3', osType: 'Linux', mode: 'System' }] },
        },
      ],
    };
    const put = await emu
      .http()
      .put(`${rgPath('stopdep')}/providers/Microsoft.Resources/deployments/dep?${RV}`)
      .send({ properties: { mode: 'Incremental', template } });
    assert.equal(put.status, 201, put.text);
    await until('the cluster create', async () => emu.services.asyncOperations.list().find((o) => o.typeKey === 'microsoft.containerservice/managedclusters' && o.status === 'InProgress'));
    await emu.close();
    emu = await startTestEmulator(['--data-dir', dir, '--no-fsync', '--time-scale', '0']);
    try {
      const st = await waitForOperation(emu, put.headers['azure-asyncoperation']);
      assert.equal(st.status, 'Succeeded', JSON.stringify(st.error));
      const op = emu.services.asyncOperations.get(st.name)!;
      assert.equal(op.resumed, 1);
    } finally {
      await emu.close();
    }
  });
});
