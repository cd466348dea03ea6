// The pinned @azure/arm-containerservice (25.5.0, api-version 2026-06-01) on the operations beyond
// CRUD: maintenance configurations (what az 2.45 lacks), run command and its result, node image upgrade,
// delete-machines and the pool's machines, available pool versions, trusted access roles, outbound
// endpoints, private link resources, mesh revision profiles, snapshots; and a Hub refusal.
import assert from 'node:assert/strict';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import type { TestEmulator } from '../support/emulator.js';
import { SUB, clusterBody, clusterPath, createGroup, fabricOf, startAksEmulator, writeAndWait } from './helpers.js';

describe('@azure/arm-containerservice 25.5.0: the operations beyond CRUD', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  let client: ContainerServiceClient;
  const poll = { updateIntervalInMs: 10 };

  before(async () => {
    emu = await startAksEmulator();
    const credential = { getToken: async () => ({ token: emu.token, expiresOnTimestamp: Date.now() + 3600e3 }) };
    client = new ContainerServiceClient(credential, SUB, { endpoint: emu.url, retryOptions: { maxRetries: 0 } });
    await createGroup(emu, 'sdkops', 'westeurope');
    await createGroup(emu, 'sdkopshub', 'local');
    await client.managedClusters.beginCreateOrUpdateAndWait(
      'sdkops',
      'k1',
      { location: 'westeurope', identity: { type: 'SystemAssigned' }, dnsPrefix: 'k1', agentPoolProfiles: [{ name: 'system', count: 3, vmSize: 'Standard_D2s_v3', mode: 'System' }] },
      poll,
    );
    const h = await writeAndWait(emu, 'put', `${clusterPath('sdkopshub', 'h1')}?api-version=2020-11-01`, clusterBody('local'));
    assert.equal(h.status.status, 'Succeeded');
  });
  after(async () => emu?.close());

  it('maintenance configurations: createOrUpdate, get, listByManagedCluster, delete', async () => {
    const mc = await client.maintenanceConfigurations.createOrUpdate('sdkops', 'k1', 'default', { timeInWeek: [{ day: 'Tuesday', hourSlots: [1, 2] }] });
    assert.deepEqual(mc.timeInWeek, [{ day: 'Tuesday', hourSlots: [1, 2] }]);
    const sched = await client.maintenanceConfigurations.createOrUpdate('sdkops', 'k1', 'aksManagedNodeOSUpgradeSchedule', {
      maintenanceWindow: {
        schedule: { relativeMonthly: { intervalMonths: 1, weekIndex: 'First', dayOfWeek: 'Saturday' } },
        durationHours: 6,
        startTime: '22:00',
        utcOffset: '+00:00',
        notAllowedDates: [{ start: new Date('2026-12-24') as any, end: new Date('2026-12-26') as any }],
      },
    });
    assert.equal(sched.maintenanceWindow?.durationHours, 6);
    assert.equal((await client.maintenanceConfigurations.get('sdkops', 'k1', 'default')).name, 'default');
    const names: string[] = [];
    for await (const m of client.maintenanceConfigurations.listByManagedCluster('sdkops', 'k1')) names.push(m.name!);
    assert.deepEqual(names.sort(), ['aksManagedNodeOSUpgradeSchedule', 'default']);
    await client.maintenanceConfigurations.delete('sdkops', 'k1', 'default');
    await assert.rejects(client.maintenanceConfigurations.get('sdkops', 'k1', 'default'), (e: any) => e.statusCode === 404);
    await assert.rejects(
      client.maintenanceConfigurations.createOrUpdate('sdkopshub', 'h1', 'default', { timeInWeek: [{ day: 'Monday' }] }),
      (e: any) => e.statusCode === 400 && e.code === 'FeatureNotSupportedOnTarget',
    );
  });

  it('run command and its result; node image upgrade; delete-machines and machines; pool versions', async () => {
    const id = (await client.managedClusters.get('sdkops', 'k1')).id!;
    const vms = () =>
      fabricOf(emu)
        .ownerVms(id)
        .filter((v) => v.role === 'worker')
        .map((v) => v.name)
        .sort();
    const r = await client.managedClusters.beginRunCommandAndWait('sdkops', 'k1', { command: 'kubectl get nodes' }, poll);
    assert.equal(r.exitCode, 0);
    assert.equal(r.provisioningState, 'Succeeded');
    for (const n of vms()) assert.ok(r.logs!.includes(n), `${n} listed`);
    const again = await client.managedClusters.getCommandResult('sdkops', 'k1', r.id!);
    assert.equal((again as any).exitCode, 0);

    const before = vms();
    const p = await client.agentPools.beginUpgradeNodeImageVersionAndWait('sdkops', 'k1', 'system', poll);
    void p;
    const after = vms();
    assert.ok(
      after.every((n) => !before.includes(n)),
      'the VMs were replaced',
    );

    const machines: string[] = [];
    for await (const m of client.machines.list('sdkops', 'k1', 'system')) machines.push(m.name!);
    assert.deepEqual(machines.sort(), after);
    await client.agentPools.beginDeleteMachinesAndWait('sdkops', 'k1', 'system', { machineNames: [after[0]] }, poll);
    assert.deepEqual(vms(), after.slice(1));
    assert.equal((await client.agentPools.get('sdkops', 'k1', 'system')).count, 2);

    const av = await client.agentPools.getAvailableAgentPoolVersions('sdkops', 'k1');
    assert.ok(av.agentPoolVersions!.some((v) => v.default && v.kubernetesVersion === '1.35.6'));
  });

  it('trusted access roles, outbound endpoints, private link resources, mesh revisions, snapshots', async () => {
    const roles: any[] = [];
    for await (const x of client.trustedAccessRoles.list('westeurope')) roles.push(x);
    assert.ok(roles.length > 0 && roles[0].rules.length > 0);
    const eps: any[] = [];
    for await (const x of client.managedClusters.listOutboundNetworkDependenciesEndpoints('sdkops', 'k1')) eps.push(x);
    assert.ok(eps.some((g) => g.category === 'azure-cloud'));
    const pl = await client.privateLinkResources.list('sdkops', 'k1');
    assert.deepEqual(pl.value ?? [], []);
    const revs: any[] = [];
    for await (const x of client.managedClusters.listMeshRevisionProfiles('westeurope')) revs.push(x);
    assert.equal(revs[0].name, 'istio');
    const pool = await client.agentPools.get('sdkops', 'k1', 'system');
    const snap = await client.snapshots.createOrUpdate('sdkops', 'snap1', { location: 'westeurope', creationData: { sourceResourceId: pool.id } });
    assert.equal(snap.nodeImageVersion, pool.nodeImageVersion);
    const all: string[] = [];
    for await (const s of client.snapshots.list()) all.push(s.name!);
    assert.deepEqual(all, ['snap1']);
    await client.snapshots.delete('sdkops', 'snap1');
  });
});
