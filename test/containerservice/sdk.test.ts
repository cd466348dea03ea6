// The pinned @azure/arm-containerservice (25.3.0, modular, api-version 2026-04-01) against the
// emulator: long-running create/update/delete, paging, credentials, tags, start/stop, upgrade
// profiles, versions, a synchronous refusal and a failed operation surfacing its error code.
import assert from 'node:assert/strict';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import type { TestEmulator } from '../support/emulator.js';
import { SUB, checkKubeconfig, kubeServer, clusterPath, createGroup, fabricOf, freeCores, startAksEmulator, vmSummary } from './helpers.js';

describe('@azure/arm-containerservice 25.3.0 against the emulator', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  let client: ContainerServiceClient;
  const seen: string[] = [];
  const poll = { updateIntervalInMs: 10 };

  before(async () => {
    emu = await startAksEmulator();
    const credential = { getToken: async () => ({ token: emu.token, expiresOnTimestamp: Date.now() + 3600e3 }) };
    client = new ContainerServiceClient(credential, SUB, { endpoint: emu.url, retryOptions: { maxRetries: 0 } });
    client.pipeline.addPolicy({
      name: 'capture-and-page-small',
      sendRequest: (req, next) => {
        // Make list pages small so the client has to follow nextLink.
        if (req.method === 'GET' && /\/managedClusters\?/.test(req.url) && !req.url.includes('%24top') && !req.url.includes('$top')) req.url += '&$top=2';
        seen.push(`${req.method} ${req.url}`);
        return next(req);
      },
    });
    await createGroup(emu, 'sdk-rg', 'westeurope');
    await createGroup(emu, 'sdk-hub', 'local');
  });
  after(async () => emu?.close());

  it('sends its default api-version 2026-04-01 and creates a cluster with beginCreateOrUpdateAndWait', async () => {
    const mc = await client.managedClusters.beginCreateOrUpdateAndWait(
      'sdk-rg',
      'sdk1',
      {
        location: 'westeurope',
        identity: { type: 'SystemAssigned' },
        dnsPrefix: 'sdk1',
        agentPoolProfiles: [{ name: 'system', count: 2, vmSize: 'Standard_D2s_v3', mode: 'System' }],
        tags: { owner: 'sdk' },
      },
      poll,
    );
    assert.ok(seen.some((s) => s.startsWith('PUT ') && s.includes('api-version=2026-04-01')));
    assert.equal(mc.provisioningState, 'Succeeded');
    assert.equal(mc.kubernetesVersion, '1.35.6');
    assert.equal(mc.currentKubernetesVersion, '1.35.6');
    assert.equal(mc.type, 'Microsoft.ContainerService/ManagedClusters');
    assert.equal(mc.identity?.type, 'SystemAssigned');
    assert.equal(mc.servicePrincipalProfile?.clientId, 'msi');
    assert.equal(mc.nodeResourceGroup, 'MC_sdk-rg_sdk1_westeurope');
    assert.match(mc.fqdn!, /^sdk1-[0-9a-f]{8}\.hcp\.westeurope\.azmk8s\.io$/);
    assert.equal(mc.powerState?.code, 'Running');
    assert.equal(mc.maxAgentPools, 100);
    assert.equal(mc.sku?.name, 'Base');
    assert.ok(mc.eTag, 'eTag in the 2026-04-01 shape');
    assert.equal(mc.agentPoolProfiles?.[0].currentOrchestratorVersion, '1.35.6');
    assert.ok(mc.agentPoolProfiles?.[0].nodeImageVersion);
    assert.deepEqual(vmSummary(fabricOf(emu), mc.id!).workers, { system: 2 });

    const pool = await client.agentPools.beginCreateOrUpdateAndWait('sdk-rg', 'sdk1', 'user1', { count: 1, vmSize: 'Standard_D2s_v3', mode: 'User' }, poll);
    assert.equal(pool.provisioningState, 'Succeeded');
    const pools = [];
    for await (const p of client.agentPools.list('sdk-rg', 'sdk1')) pools.push(p.name);
    assert.deepEqual(pools.sort(), ['system', 'user1']);
    assert.equal((await client.managedClusters.get('sdk-rg', 'sdk1')).agentPoolProfiles?.length, 2);
    await client.agentPools.beginDeleteAndWait('sdk-rg', 'sdk1', 'user1', poll);
    assert.deepEqual(vmSummary(fabricOf(emu), mc.id!).workers, { system: 2 });
  });

  it('lists by resource group and subscription, following nextLink across pages', async () => {
    for (const n of ['sdk2', 'sdk3', 'sdk4']) {
      await client.managedClusters.beginCreateOrUpdateAndWait('sdk-rg', n, { location: 'westeurope', dnsPrefix: n, agentPoolProfiles: [{ name: 'np', count: 1, mode: 'System' }] }, poll);
    }
    seen.length = 0;
    const names: string[] = [];
    for await (const c of client.managedClusters.listByResourceGroup('sdk-rg')) names.push(c.name!);
    assert.deepEqual(names.sort(), ['sdk1', 'sdk2', 'sdk3', 'sdk4']);
    assert.ok(seen.filter((s) => s.includes('skipToken')).length >= 1, 'the client followed nextLink');
    const all: string[] = [];
    for await (const c of client.managedClusters.list()) all.push(c.name!);
    assert.equal(all.length, 4);
  });

  it('credentials: user and admin kubeconfigs differ and point at the cluster', async () => {
    await client.managedClusters.get('sdk-rg', 'sdk1');
    const user = await client.managedClusters.listClusterUserCredentials('sdk-rg', 'sdk1');
    const admin = await client.managedClusters.listClusterAdminCredentials('sdk-rg', 'sdk1');
    const mon = await client.managedClusters.listClusterMonitoringUserCredentials('sdk-rg', 'sdk1');
    assert.equal(user.kubeconfigs?.[0].name, 'clusterUser');
    assert.equal(admin.kubeconfigs?.[0].name, 'clusterAdmin');
    assert.equal(mon.kubeconfigs?.[0].name, 'clusterMonitoringUser');
    const text = (r: typeof user) => Buffer.from(r.kubeconfigs![0].value!).toString('utf8');
    const u = checkKubeconfig(text(user), kubeServer(emu), 'user');
    checkKubeconfig(text(admin), kubeServer(emu), 'admin');
    const m = checkKubeconfig(text(mon), kubeServer(emu), 'monitoring');
    assert.notEqual(u.token, m.token);
    const access = await client.managedClusters.getAccessProfile('sdk-rg', 'sdk1', 'clusterAdmin');
    checkKubeconfig(Buffer.from(access.kubeConfig!).toString('utf8'), kubeServer(emu), 'admin');
    const other = await client.managedClusters.listClusterAdminCredentials('sdk-rg', 'sdk2');
    assert.notEqual(text(other), text(admin), 'each cluster has its own certificates');
  });

  it('tags, stop/start, upgrade profile, kubernetes versions and operations', async () => {
    const tagged = await client.managedClusters.beginUpdateTagsAndWait('sdk-rg', 'sdk2', { tags: { env: 'test' } }, poll);
    assert.deepEqual(tagged.tags, { env: 'test' });
    await client.managedClusters.beginStopAndWait('sdk-rg', 'sdk2', poll);
    assert.equal((await client.managedClusters.get('sdk-rg', 'sdk2')).powerState?.code, 'Stopped');
    await client.managedClusters.beginStartAndWait('sdk-rg', 'sdk2', poll);
    assert.equal((await client.managedClusters.get('sdk-rg', 'sdk2')).powerState?.code, 'Running');
    const prof = await client.managedClusters.getUpgradeProfile('sdk-rg', 'sdk2');
    assert.equal(prof.controlPlaneProfile.kubernetesVersion, '1.35.6');
    assert.deepEqual(
      prof.controlPlaneProfile.upgrades?.map((u) => u.kubernetesVersion),
      ['1.36.1', '1.36.2'],
    );
    const kv = await client.managedClusters.listKubernetesVersions('local');
    assert.deepEqual(
      kv.values?.map((v) => v.version),
      ['1.19', '1.20', '1.21'],
    );
    assert.equal(kv.values?.find((v) => v.isDefault)?.version, '1.20');
    const ops: string[] = [];
    for await (const o of client.operations.list()) ops.push(o.name!);
    assert.ok(ops.includes('Microsoft.ContainerService/managedClusters/write'));
  });

  it('a refused request is a RestError with the limit as its code; a failed operation surfaces its error code and leaks nothing', async () => {
    await assert.rejects(
      client.managedClusters.beginCreateOrUpdateAndWait(
        'sdk-hub',
        'h1',
        { location: 'local', identity: { type: 'SystemAssigned' }, dnsPrefix: 'h1', agentPoolProfiles: [{ name: 'np', count: 1, mode: 'System' }] },
        poll,
      ),
      (e: any) => e.statusCode === 400 && e.code === 'FeatureNotSupportedOnTarget' && /managed identities/.test(e.message),
    );
    const fabric = fabricOf(emu);
    const free = await freeCores(fabric, 'local');
    await assert.rejects(
      client.managedClusters.beginCreateOrUpdateAndWait(
        'sdk-hub',
        'big',
        {
          location: 'local',
          dnsPrefix: 'big',
          servicePrincipalProfile: { clientId: 'dddddddd-0000-0000-0000-000000000001', secret: 's' },
          networkProfile: { loadBalancerSku: 'basic' },
          agentPoolProfiles: [{ name: 'np', count: 20, vmSize: 'Standard_DS5_v2', mode: 'System' }],
        },
        poll,
      ),
      (e: any) => /InsufficientCapacity/.test(e.message) && /cores/.test(e.message),
    );
    const failed = await client.managedClusters.get('sdk-hub', 'big');
    assert.equal(failed.provisioningState, 'Failed');
    assert.equal(fabric.ownerVms(failed.id!).length, 0, 'the rollback removed every VM');
    assert.equal(await freeCores(fabric, 'local'), free);
    await client.managedClusters.beginDeleteAndWait('sdk-hub', 'big', poll);
  });

  it('beginDeleteAndWait removes the cluster, its pools and its VMs', async () => {
    const id = (await client.managedClusters.get('sdk-rg', 'sdk1')).id!;
    await client.managedClusters.beginDeleteAndWait('sdk-rg', 'sdk1', poll);
    await assert.rejects(client.managedClusters.get('sdk-rg', 'sdk1'), (e: any) => e.statusCode === 404 && e.code === 'ResourceNotFound');
    assert.equal(fabricOf(emu).ownerVms(id).length, 0);
    const r = await emu.http().get(`${clusterPath('sdk-rg', 'sdk1')}/agentPools/system?api-version=2026-04-01`);
    assert.equal(r.status, 404);
  });
});
