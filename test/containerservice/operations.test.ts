// Every operation of the stable spec beyond cluster and pool CRUD, over REST, on an Azure region and on
// an Azure Stack Hub stamp: maintenance configurations, snapshots (and pools created from them), run
// command / command results, node image upgrade, pool abort and delete-machines, machines, available
// pool versions, OS options, trusted access roles, outbound endpoints, private link resources and
// private endpoint connections, mesh revision and upgrade profiles; and the Allow header of a 405.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import type { TestEmulator } from '../support/emulator.js';
import { NS, SUB, clusterBody, clusterPath, createGroup, fabricOf, rgPath, startAksEmulator, waitForOperation, writeAndWait } from './helpers.js';

const V = '2025-10-01';

function expectError(res: any, status: number, code: string, text?: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.error?.code, code, JSON.stringify(res.body));
  if (text) assert.match(res.body.error.message, text);
}

describe('Microsoft.ContainerService: the operations beyond CRUD', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  const az = () => clusterPath('ops', 'c1');
  const hub = () => clusterPath('opshub', 'h1');
  before(async () => {
    emu = await startAksEmulator();
    await createGroup(emu, 'ops', 'eastus');
    await createGroup(emu, 'opshub', 'local');
    const a = await writeAndWait(emu, 'put', `${az()}?api-version=${V}`, clusterBody('eastus', { lb: 'standard', count: 2 }));
    assert.equal(a.status.status, 'Succeeded', JSON.stringify(a.status));
    const h = await writeAndWait(emu, 'put', `${hub()}?api-version=2020-11-01`, clusterBody('local', { count: 1 }));
    assert.equal(h.status.status, 'Succeeded', JSON.stringify(h.status));
  });
  after(async () => emu?.close());
  afterEach(() => emu.services.asyncOperations.setGateRules([]));

  const get = (path: string, v = V) => emu.http().get(`${path}${path.includes('?') ? '&' : '?'}api-version=${v}`);
  const put = (path: string, body: unknown, v = V) =>
    emu
      .http()
      .put(`${path}?api-version=${v}`)
      .send(body as object);
  const post = (path: string, body?: unknown, v = V) =>
    emu
      .http()
      .post(`${path}?api-version=${v}`)
      .send((body ?? {}) as object);

  it('maintenance configurations: validated, created, listed, shown, replaced, deleted; refused on the Hub stamp', async () => {
    const mc = `${az()}/maintenanceConfigurations`;
    const body = { properties: { timeInWeek: [{ day: 'Monday', hourSlots: [3, 1, 2] }], notAllowedTime: [{ start: '2026-12-24T00:00:00Z', end: '2026-12-27T00:00:00Z' }] } };
    const c = await put(`${mc}/default`, body);
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.equal(c.body.type, `${NS}/managedClusters/maintenanceConfigurations`);
    assert.deepEqual(c.body.properties.timeInWeek, [{ day: 'Monday', hourSlots: [1, 2, 3] }]);
    assert.ok(c.body.systemData?.createdAt);
    assert.equal(c.body.properties.provisioningState, undefined);
    const w = await put(`${mc}/aksManagedAutoUpgradeSchedule`, {
      properties: { maintenanceWindow: { schedule: { weekly: { intervalWeeks: 1, dayOfWeek: 'Sunday' } }, durationHours: 4, startTime: '00:00', utcOffset: '+01:00' } },
    });
    assert.equal(w.status, 200, JSON.stringify(w.body));
    // any other name is a timeInWeek window too, as AKS accepts it
    const n = await put(`${mc}/nightly`, body);
    assert.equal(n.status, 200, JSON.stringify(n.body));
    assert.equal(n.body.name, 'nightly');
    const list = (await get(mc)).body.value.map((x: any) => x.name).sort();
    assert.deepEqual(list, ['aksManagedAutoUpgradeSchedule', 'default', 'nightly']);
    assert.equal((await get(`${mc}/default`)).body.properties.notAllowedTime[0].end, '2026-12-27T00:00:00Z');
    // the AKS rules
    expectError(
      await put(`${mc}/nightly`, { properties: { maintenanceWindow: { schedule: { daily: { intervalDays: 1 } }, startTime: '01:00' } } }),
      400,
      'InvalidParameter',
      /maintenanceWindow is for 'aksManagedAutoUpgradeSchedule'/,
    );
    expectError(await put(`${mc}/default`, { properties: {} }), 400, 'InvalidParameter', /at least one of/);
    expectError(await put(`${mc}/default`, { properties: { timeInWeek: [{ day: 'Someday' }] } }), 400, 'InvalidParameter', /not a weekday/);
    expectError(await put(`${mc}/default`, { properties: { timeInWeek: [{ day: 'Monday', hourSlots: [24] }] } }), 400, 'InvalidParameter', /0 to 23/);
    expectError(await put(`${mc}/default`, { properties: { notAllowedTime: [{ start: '2026-12-27T00:00:00Z', end: '2026-12-24T00:00:00Z' }] } }), 400, 'InvalidParameter', /after its start/);
    expectError(await put(`${mc}/aksManagedNodeOSUpgradeSchedule`, body), 400, 'InvalidParameter', /needs properties.maintenanceWindow/);
    expectError(
      await put(`${mc}/aksManagedNodeOSUpgradeSchedule`, {
        properties: { maintenanceWindow: { schedule: { daily: { intervalDays: 1 }, weekly: { intervalWeeks: 1, dayOfWeek: 'Monday' } }, startTime: '01:00' } },
      }),
      400,
      'InvalidParameter',
      /exactly one/,
    );
    // an older api-version has no maintenanceWindow; 2020-11-01 has no maintenance configurations at all
    const v2022 = (await get(`${mc}/aksManagedAutoUpgradeSchedule`, '2022-11-01')).body;
    assert.equal(v2022.properties.maintenanceWindow, undefined);
    expectError(await get(mc, '2020-11-01'), 400, 'NoRegisteredProviderFound');
    assert.equal((await emu.http().delete(`${mc}/default?api-version=${V}`)).status, 200);
    assert.equal((await emu.http().delete(`${mc}/default?api-version=${V}`)).status, 204);
    expectError(await get(`${mc}/default`), 404, 'ResourceNotFound');
    // Hub: refused up front with the limit named
    expectError(await put(`${hub()}/maintenanceConfigurations/default`, body), 400, 'FeatureNotSupportedOnTarget', /Azure Stack Hub.*maintenance configurations.*2020-11-01/);
  });

  it('snapshots of a pool; a new pool created from one takes its version and node image; refused on the Hub stamp', async () => {
    const poolId = `${az()}/agentPools/nodepool1`;
    const snapPath = `${rgPath('ops')}/providers/${NS}/snapshots/snap1`;
    expectError(await put(snapPath, { location: 'eastus', properties: {} }), 400, 'InvalidParameter', /sourceResourceId is required/);
    const s = await put(snapPath, { location: 'eastus', tags: { t: '1' }, properties: { creationData: { sourceResourceId: poolId } } });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const pool = (await get(poolId)).body.properties;
    assert.equal(s.body.properties.kubernetesVersion, pool.currentOrchestratorVersion);
    assert.equal(s.body.properties.nodeImageVersion, pool.nodeImageVersion);
    assert.equal(s.body.properties.snapshotType, 'NodePool');
    assert.equal(s.body.properties.osSku, 'Ubuntu');
    assert.deepEqual(
      (await get(`${rgPath('ops')}/providers/${NS}/snapshots`)).body.value.map((x: any) => x.name),
      ['snap1'],
    );
    assert.deepEqual(
      (await get(`/subscriptions/${SUB}/providers/${NS}/snapshots`)).body.value.map((x: any) => x.name),
      ['snap1'],
    );
    const tagged = await emu
      .http()
      .patch(`${snapPath}?api-version=${V}`)
      .send({ tags: { t: '2' } });
    assert.equal(tagged.status, 200);
    assert.deepEqual(tagged.body.tags, { t: '2' });
    // a pool from the snapshot
    const np = await writeAndWait(emu, 'put', `${az()}/agentPools/fromsnap?api-version=${V}`, { properties: { count: 1, creationData: { sourceResourceId: s.body.id } } });
    assert.equal(np.status.status, 'Succeeded', JSON.stringify(np.status));
    const p2 = (await get(`${az()}/agentPools/fromsnap`)).body.properties;
    assert.equal(p2.creationData.sourceResourceId, s.body.id);
    assert.equal(p2.currentOrchestratorVersion, s.body.properties.kubernetesVersion);
    assert.equal(p2.nodeImageVersion, s.body.properties.nodeImageVersion);
    assert.equal(p2.vmSize, s.body.properties.vmSize);
    expectError(
      await put(`${az()}/agentPools/bad`, { properties: { count: 1, creationData: { sourceResourceId: `${rgPath('ops')}/providers/${NS}/snapshots/nope` } } }),
      400,
      'InvalidParameter',
      /does not exist/,
    );
    await writeAndWait(emu, 'delete', `${az()}/agentPools/fromsnap?api-version=${V}`);
    assert.equal((await emu.http().delete(`${snapPath}?api-version=${V}`)).status, 200);
    expectError(
      await put(`${rgPath('opshub')}/providers/${NS}/snapshots/s2`, { location: 'local', properties: { creationData: { sourceResourceId: `${hub()}/agentPools/nodepool1` } } }),
      400,
      'FeatureNotSupportedOnTarget',
      /snapshots/,
    );
  });

  it("run command: 202 with a Location; the result (202 while the command runs) lists the fabric's VMs for kubectl get nodes; errors come back as kubectl prints them", async () => {
    /** Polls a command's result until it has ended. */
    const result = async (location: string) => {
      const u = new URL(location, emu.url);
      for (;;) {
        const res = await emu.http().get(u.pathname + u.search);
        if (res.status === 200) return res;
        assert.equal(res.status, 202, JSON.stringify(res.body));
        assert.equal(new URL(res.headers.location, emu.url).pathname, u.pathname);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const r = await post(`${az()}/runCommand`, { command: 'kubectl get nodes', context: '' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const loc = new URL(r.headers.location, emu.url);
    assert.match(loc.pathname, /\/commandResults\/[0-9a-f]{32}$/);
    assert.ok(r.headers['retry-after']);
    const res = await result(r.headers.location);
    assert.equal(res.body.properties.provisioningState, 'Succeeded');
    assert.equal(res.body.properties.exitCode, 0);
    assert.ok(Date.parse(res.body.properties.finishedAt) >= Date.parse(res.body.properties.startedAt));
    const vms = fabricOf(emu)
      .ownerVms((await get(az())).body.id)
      .filter((v) => v.role === 'worker');
    assert.equal(vms.length, 2);
    const lines = res.body.properties.logs.trim().split('\n');
    assert.match(lines[0], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    assert.deepEqual(
      lines
        .slice(1)
        .map((l: string) => l.split(/\s+/)[0])
        .sort(),
      vms.map((v) => v.name).sort(),
    );
    for (const l of lines.slice(1)) assert.match(l, /\sReady\s+agent\s+\S+\s+v1\.\d+\.\d+$/);
    const other = await post(`${az()}/runCommand`, { command: 'kubectl delete ns default' });
    const o = (await result(other.headers.location)).body;
    assert.equal(o.properties.exitCode, 1);
    assert.equal(o.properties.logs, 'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted\n');
    const ver = await post(`${az()}/runCommand`, { command: 'kubectl version' });
    assert.match((await result(ver.headers.location)).body.properties.logs, /Server Version: v1\.35\.6/);
    expectError(await post(`${az()}/runCommand`, { command: 'kubectl get pods', context: 'bm90IGEgemlw' }), 400, 'InvalidParameter', /not a zip archive/);
    expectError(await post(`${az()}/runCommand`, {}), 400, 'InvalidParameter', /command/);
    expectError(await get(`${az()}/commandResults/0123456789abcdef0123456789abcdef`), 404, 'ResourceNotFound');
    expectError(await post(`${hub()}/runCommand`, { command: 'kubectl get nodes' }), 400, 'FeatureNotSupportedOnTarget', /run command/);
  });

  it("node image upgrade replaces the pool's VMs on the fabric; delete-machines removes the named ones; pool abort cancels", async () => {
    const fabric = fabricOf(emu);
    const id = (await get(az())).body.id;
    const before = fabric
      .ownerVms(id)
      .filter((v) => v.pool === 'nodepool1')
      .map((v) => v.name)
      .sort();
    const up = await post(`${az()}/agentPools/nodepool1/upgradeNodeImageVersion`);
    assert.equal(up.status, 202, JSON.stringify(up.body));
    assert.equal((await waitForOperation(emu, up.headers['azure-asyncoperation'])).status, 'Succeeded');
    const after = fabric
      .ownerVms(id)
      .filter((v) => v.pool === 'nodepool1')
      .map((v) => v.name)
      .sort();
    assert.equal(after.length, before.length);
    assert.ok(
      after.every((n) => !before.includes(n)),
      'every VM was replaced',
    );
    const pool = (await get(`${az()}/agentPools/nodepool1`)).body.properties;
    assert.equal(pool.provisioningState, 'Succeeded');
    assert.ok(pool.nodeImageVersion);

    const machines = (await get(`${az()}/agentPools/nodepool1/machines`)).body.value;
    assert.deepEqual(machines.map((m: any) => m.name).sort(), after);
    expectError(await post(`${az()}/agentPools/nodepool1/deleteMachines`, { machineNames: ['nope'] }), 400, 'InvalidParameter', /not a machine/);
    const del = await post(`${az()}/agentPools/nodepool1/deleteMachines`, { machineNames: [after[0]] });
    assert.equal(del.status, 202, JSON.stringify(del.body));
    assert.equal((await waitForOperation(emu, del.headers['azure-asyncoperation'])).status, 'Succeeded');
    assert.deepEqual(
      fabric
        .ownerVms(id)
        .filter((v) => v.pool === 'nodepool1')
        .map((v) => v.name),
      after.slice(1),
    );
    assert.equal((await get(`${az()}/agentPools/nodepool1`)).body.properties.count, 1);
    assert.equal((await get(az())).body.properties.agentPoolProfiles[0].count, 1);
    expectError(await post(`${az()}/agentPools/nodepool1/deleteMachines`, { machineNames: [after[1]] }), 400, 'OperationNotAllowed', /without nodes/);
    expectError(await post(`${az()}/agentPools/nodepool1/deleteMachines`, { machineNames: [after[1]] }, '2022-11-01'), 404, 'InvalidResourceType');

    // abort: a scale held open, then aborted
    emu.services.asyncOperations.setGateRules([{ typeKey: 'microsoft.containerservice/managedclusters/agentpools', operation: 'update', gate: { mode: 'polls', polls: 1000 } }]);
    expectError(await post(`${az()}/agentPools/nodepool1/abort`), 409, 'OperationNotAllowed', /no operation in progress/);
    const scale = await put(`${az()}/agentPools/nodepool1`, { properties: { count: 2 } });
    assert.equal(scale.status, 200);
    const scaleOp = new URL(scale.headers['azure-asyncoperation']).pathname.split('/').pop()!;
    await waitUntil(() => emu.services.asyncOperations.get(scaleOp)?.tasks.every((t) => t.state === 'done'), { what: "the scale's tasks" });
    assert.equal((await post(`${az()}/agentPools/nodepool1/abort`)).status, 204);
    assert.equal((await waitForOperation(emu, scale.headers['azure-asyncoperation'])).status, 'Canceled');
    const ab = (await get(`${az()}/agentPools/nodepool1`)).body.properties;
    assert.equal(ab.provisioningState, 'Canceled');
    assert.equal(ab.count, 1);

    expectError(await post(`${hub()}/agentPools/nodepool1/upgradeNodeImageVersion`), 400, 'FeatureNotSupportedOnTarget', /node image/);
    expectError(await post(`${hub()}/agentPools/nodepool1/deleteMachines`, { machineNames: ['x'] }), 400, 'FeatureNotSupportedOnTarget', /node pool commands are not available/);
  });

  it('reads: available pool versions, OS options, trusted access roles, outbound endpoints, private link, mesh profiles', async () => {
    const av = (await get(`${az()}/availableAgentPoolVersions`)).body;
    assert.ok(av.properties.agentPoolVersions.some((v: any) => v.default === true && v.kubernetesVersion === '1.35.6'));
    assert.ok(av.properties.agentPoolVersions.every((v: any) => v.kubernetesVersion <= '1.35.6'));
    expectError(await get(`${hub()}/availableAgentPoolVersions`, '2020-11-01'), 400, 'FeatureNotSupportedOnTarget', /az aks get-upgrades/);
    const os = (await get(`/subscriptions/${SUB}/providers/${NS}/locations/eastus/osOptions/default`, '2022-11-01')).body;
    assert.deepEqual(
      os.properties.osOptionPropertyList.map((o: any) => `${o['os-type']}/${o['os-sku']}`),
      ['Linux/Ubuntu', 'Linux/AzureLinux', 'Windows/Windows2019', 'Windows/Windows2022'],
    );
    const roles = (await get(`/subscriptions/${SUB}/providers/${NS}/locations/eastus/trustedAccessRoles`)).body.value;
    assert.ok(roles.length > 0 && roles[0].sourceResourceType && roles[0].rules.length);
    expectError(await get(`/subscriptions/${SUB}/providers/${NS}/locations/local/trustedAccessRoles`), 400, 'FeatureNotSupportedOnTarget');
    const out = (await get(`${az()}/outboundNetworkDependenciesEndpoints`)).body.value;
    assert.ok(out.some((g: any) => g.endpoints.some((e: any) => e.domainName === '*.hcp.eastus.azmk8s.io')));
    assert.deepEqual((await get(`${az()}/privateLinkResources`)).body.value, []);
    assert.deepEqual((await get(`${az()}/privateEndpointConnections`)).body.value, []);
    expectError(await get(`${az()}/privateEndpointConnections/kube-apiserver`), 404, 'ResourceNotFound');
    const mesh = (await get(`/subscriptions/${SUB}/providers/${NS}/locations/eastus/meshRevisionProfiles`)).body.value;
    assert.equal(mesh[0].name, 'istio');
    assert.ok(mesh[0].properties.meshRevisions.length > 0);
    assert.deepEqual((await get(`${az()}/meshUpgradeProfiles`)).body.value, []);
    expectError(await get(`/subscriptions/${SUB}/providers/${NS}/locations/local/meshRevisionProfiles`), 400, 'FeatureNotSupportedOnTarget', /mesh/);
  });

  it('resetAADProfile (legacy AAD) and rotateServiceAccountSigningKeys; both refused on the Hub stamp', async () => {
    const rot = await post(`${az()}/rotateServiceAccountSigningKeys`);
    assert.equal(rot.status, 202, JSON.stringify(rot.body));
    assert.equal((await waitForOperation(emu, rot.headers['azure-asyncoperation'])).status, 'Succeeded');
    expectError(await post(`${az()}/rotateServiceAccountSigningKeys`, {}, '2022-06-01'), 404, 'InvalidResourceType');
    expectError(await post(`${az()}/resetAADProfile`, { serverAppID: 'a', clientAppID: 'b' }), 400, 'BadRequest', /no Azure AD integration/);
    expectError(await post(`${hub()}/resetAADProfile`, { serverAppID: 'a', clientAppID: 'b' }), 400, 'FeatureNotSupportedOnTarget', /Azure AD/);
    expectError(await post(`${hub()}/rotateServiceAccountSigningKeys`), 400, 'FeatureNotSupportedOnTarget');
  });

  it('a 405 always carries Allow', async () => {
    const collection = await emu
      .http()
      .post(`${rgPath('ops')}/providers/${NS}/managedClusters/c1/agentPools?api-version=${V}`)
      .send({});
    assert.equal(collection.status, 405, JSON.stringify(collection.body));
    assert.equal(collection.headers.allow, 'GET');
    const patchPool = await emu.http().patch(`${az()}/agentPools/nodepool1?api-version=${V}`).send({});
    assert.equal(patchPool.status, 405);
    assert.equal(patchPool.headers.allow, 'GET, HEAD, PUT, DELETE');
    const getAction = await emu.http().get(`${az()}/runCommand?api-version=${V}`);
    assert.equal(getAction.status, 405);
    assert.equal(getAction.headers.allow, 'POST');
  });
});
