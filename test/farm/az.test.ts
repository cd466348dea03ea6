// Two instances on one PostgreSQL behind different ports, each with its own az 2.45 session: az on one creates an
// AKS cluster (Hub stamp) and an AKS hybrid cluster (HCI custom location), az on the other reads and deletes
// them; a subscription reset and a snapshot round trip go through az rest.
import assert from 'node:assert/strict';
import path from 'node:path';
import { rgPath, SUB, tmpDir, CLIENT_ID, SECRET, TENANT, type TestEmulator } from '../support/emulator.js';
import { AzSession, ensureAz } from '../support/az.js';
import { sharedPostgres } from '../support/postgres.js';
import { startAksEmulator } from '../containerservice/helpers.js';
import { platform, pciBody } from '../hybrid/helpers.js';

const V = '2024-01-01';

describe('real az CLI on two instances sharing one PostgreSQL database', function () {
  this.timeout(600_000);
  let a: TestEmulator;
  let b: TestEmulator;
  let azA: AzSession;
  let azB: AzSession;
  before(async () => {
    ensureAz();
    const url = await (await sharedPostgres()).createDatabase('faraz');
    a = await startAksEmulator(['--store', url]);
    b = await startAksEmulator(['--store', url]);
    azA = new AzSession(a);
    azB = new AzSession(b);
    await Promise.all([azA.login(), azB.login()]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('az aks create on one instance; az aks show, list and delete on the other', async () => {
    await azA.ok(['group', 'create', '-n', 'farm', '-l', 'local']);
    const made = await azA.ok([
      'aks',
      'create',
      '-g',
      'farm',
      '-n',
      'k1',
      '--node-count',
      '2',
      '--service-principal',
      'cccccccc-0000-0000-0000-000000000001',
      '--client-secret',
      'emulator-secret',
      '--generate-ssh-keys',
      '--load-balancer-sku',
      'basic',
    ]);
    assert.equal(made.provisioningState, 'Succeeded');
    const shown = await azB.ok(['aks', 'show', '-g', 'farm', '-n', 'k1']);
    assert.equal(shown.agentPoolProfiles[0].count, 2);
    assert.deepEqual(
      (await azB.ok(['aks', 'list', '-g', 'farm'])).map((c: any) => c.name),
      ['k1'],
    );
    await azB.ok(['aks', 'delete', '-g', 'farm', '-n', 'k1', '--yes']);
    assert.notEqual((await azA.run(['aks', 'show', '-g', 'farm', '-n', 'k1'])).code, 0);
    assert.equal(a.services.fabric!.ownerVms(`${rgPath('farm')}/providers/Microsoft.ContainerService/managedClusters/k1`).length, 0);
  });

  it('an AKS hybrid cluster made with az on one instance is read and deleted with az on the other', async () => {
    const p = await platform(a);
    const cc = `/subscriptions/${SUB}/resourceGroups/arc/providers/Microsoft.Kubernetes/connectedClusters/farm-hybrid`;
    const pci = `${cc}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default`;
    await azA.ok([
      'resource',
      'create',
      '--id',
      cc,
      '--api-version',
      V,
      '--is-full-object',
      '--properties',
      JSON.stringify({ location: 'eastus', kind: 'ProvisionedCluster', identity: { type: 'SystemAssigned' }, properties: { agentPublicKeyCertificate: '' } }),
    ]);
    await azA.ok([
      'rest',
      '--method',
      'put',
      '--url',
      `${pci}?api-version=${V}`,
      '--body',
      JSON.stringify(pciBody(p.cl, p.lnet, { cp: 1, pools: [{ name: 'nodepool1', count: 1, vmSize: 'Standard_A4_v2', osType: 'Linux' }] })),
    ]);
    let state = '';
    for (let i = 0; i < 30 && state !== 'Succeeded'; i++) state = (await azB.ok(['resource', 'show', '--id', pci, '--api-version', V])).properties.provisioningState;
    assert.equal(state, 'Succeeded');
    const shown = await azB.ok(['resource', 'show', '--id', cc, '--api-version', V]);
    assert.equal(shown.properties.connectivityStatus, 'Connected');
    await azB.ok(['resource', 'delete', '--id', cc, '--api-version', V]);
    assert.notEqual((await azA.run(['resource', 'show', '--id', pci, '--api-version', V])).code, 0);
  });

  it('az rest: a subscription for a job, reset through one instance, and a snapshot round trip through the other', async () => {
    const adminUrl = (emu: TestEmulator, p: string) => `${emu.url}/_emulator${p}`;
    const resource = ['--resource', 'https://management.azure.com/'];
    const sub = await azA.ok(['rest', '--method', 'post', '--url', adminUrl(a, '/subscriptions'), ...resource, '--body', JSON.stringify({ displayName: 'job-az' })]);
    const id = sub.subscriptionId;
    // az rest picks its token by the subscription in the URL: az learns the new one at its next login
    for (const az of [azA, azB]) await az.ok(['login', '--service-principal', '-u', CLIENT_ID, '-p', SECRET, '--tenant', TENANT]);
    await azB.ok([
      'rest',
      '--method',
      'put',
      '--url',
      `${b.url}/subscriptions/${id}/resourceGroups/work?api-version=2021-04-01`,
      ...resource,
      '--body',
      JSON.stringify({ location: 'eastus', tags: { v: '1' } }),
    ]);
    const file = path.join(tmpDir(), 'job.json');
    const snap = await azB.run(['rest', '--method', 'get', '--url', adminUrl(b, `/snapshots?subscriptionId=${id}`), ...resource, '--output-file', file]);
    assert.equal(snap.code, 0, snap.stderr);
    await azA.ok(['rest', '--method', 'post', '--url', adminUrl(a, `/subscriptions/${id}/reset`), ...resource]);
    assert.notEqual((await azB.run(['rest', '--method', 'get', '--url', `${b.url}/subscriptions/${id}/resourceGroups/work?api-version=2021-04-01`, ...resource])).code, 0);
    await azA.ok(['rest', '--method', 'post', '--url', adminUrl(a, '/snapshots'), ...resource, '--headers', 'Content-Type=application/json', '--body', `@${file}`]);
    const back = await azB.ok(['rest', '--method', 'get', '--url', `${b.url}/subscriptions/${id}/resourceGroups/work?api-version=2021-04-01`, ...resource]);
    assert.deepEqual(back.tags, { v: '1' });
  });
});
