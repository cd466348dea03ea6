// Microsoft.ContainerService over plain HTTPS: defaults, per-api-version shapes, bad input, Hub
// limits beyond what az can send, credentials rules, abort, certificate rotation, service principal
// reset, busy clusters, the agent pool <-> cluster sync, and the fabric's capacity on a Hub stamp.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { X509Certificate } from 'node:crypto';
import { waitForLocation, type TestEmulator } from '../support/emulator.js';
import { AZ_API, HUB_API, NS, SUB, clusterBody, clusterPath, createGroup, fabricOf, freeCores, rgPath, startAksEmulator, vmSummary, waitForOperation, writeAndWait } from './helpers.js';

const V = '2024-02-01';

function expectError(res: any, status: number, code: string, text?: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.error?.code, code, JSON.stringify(res.body));
  if (text) assert.match(res.body.error.message, text);
}

describe('Microsoft.ContainerService over REST', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startAksEmulator();
    await createGroup(emu, 'hub', 'local');
    await createGroup(emu, 'az', 'eastus');
  });
  after(async () => emu?.close());
  afterEach(() => emu.services.asyncOperations.setGateRules([]));

  const put = (path: string, body: unknown, v = V) => writeAndWait(emu, 'put', `${path}?api-version=${v}`, body);
  const get = (path: string, v = V) => emu.http().get(`${path}?api-version=${v}`);

  it('fills defaults as AKS does and never returns the service principal secret', async () => {
    const { res, status } = await put(clusterPath('hub', 'd1'), clusterBody('local', { count: 2 }));
    assert.equal(res.status, 201);
    assert.equal(res.body.properties.provisioningState, 'Creating');
    assert.ok(res.headers['azure-asyncoperation'] && res.headers['retry-after']);
    assert.equal(status.status, 'Succeeded');
    const r = await get(clusterPath('hub', 'd1'));
    const p = r.body.properties;
    assert.equal(r.body.type, 'Microsoft.ContainerService/ManagedClusters');
    assert.equal(p.kubernetesVersion, '1.20.7');
    assert.equal(p.currentKubernetesVersion, '1.20.7');
    assert.equal(p.nodeResourceGroup, 'MC_hub_d1_local');
    assert.equal(p.maxAgentPools, 1);
    assert.deepEqual(p.powerState, { code: 'Running' });
    assert.equal(p.enableRBAC, true);
    assert.ok(p.fqdn && p.azurePortalFQDN);
    assert.equal(p.agentPoolProfiles[0].osDiskSizeGB, 128);
    assert.equal(p.agentPoolProfiles[0].maxPods, 110);
    assert.equal(p.agentPoolProfiles[0].currentOrchestratorVersion, '1.20.7');
    assert.ok(p.agentPoolProfiles[0].nodeImageVersion);
    const everything = JSON.stringify([r.body, (await get(`${rgPath('hub')}/providers/${NS}/managedClusters`)).body, (await get(`/subscriptions/${SUB}/providers/${NS}/managedClusters`)).body]);
    assert.ok(!everything.includes('emulator-secret'), 'the secret is nowhere on the wire');
    assert.equal(r.body.eTag, undefined, `${V} defines no eTag on a cluster`);
    const recent = await get(clusterPath('hub', 'd1'), '2025-10-01');
    assert.equal(recent.headers.etag?.replace(/"/g, ''), recent.body.eTag);
  });

  it('shapes responses by api-version', async () => {
    const old = (await get(clusterPath('hub', 'd1'), HUB_API)).body;
    assert.equal(old.properties.currentKubernetesVersion, undefined);
    assert.equal(old.properties.disableLocalAccounts, undefined);
    assert.equal(old.properties.storageProfile, undefined);
    assert.equal(old.properties.agentPoolProfiles[0].currentOrchestratorVersion, undefined);
    assert.deepEqual(old.sku, { name: 'Basic', tier: 'Free' });
    assert.equal(old.systemData, undefined);
    assert.equal(old.eTag, undefined);
    const cli = (await get(clusterPath('hub', 'd1'), AZ_API)).body;
    assert.equal(cli.properties.currentKubernetesVersion, '1.20.7');
    assert.equal(cli.properties.disableLocalAccounts, false);
    assert.equal(cli.properties.supportPlan, undefined);
    assert.deepEqual(cli.sku, { name: 'Basic', tier: 'Free' });
    const recent = (await get(clusterPath('hub', 'd1'), '2025-10-01')).body;
    assert.deepEqual(recent.sku, { name: 'Base', tier: 'Free' });
    assert.equal(recent.properties.supportPlan, 'KubernetesOfficial');
    const pool = (await get(`${clusterPath('hub', 'd1')}/agentPools/nodepool1`, HUB_API)).body;
    assert.equal(pool.type, 'Microsoft.ContainerService/managedClusters/agentPools');
    assert.equal(pool.properties.currentOrchestratorVersion, undefined);
    // what 2020-11-01 (the Hub profile) does not define: osSKU, kubeletDiskType, scaleDownMode, pod/service CIDR lists
    for (const k of ['osSKU', 'kubeletDiskType', 'scaleDownMode']) {
      assert.equal(pool.properties[k], undefined, k);
      assert.equal(old.properties.agentPoolProfiles[0][k], undefined, k);
    }
    for (const k of ['podCidrs', 'serviceCidrs', 'ipFamilies']) assert.equal(old.properties.networkProfile[k], undefined, k);
    assert.equal(pool.systemData, undefined);
    const pool24 = (await get(`${clusterPath('hub', 'd1')}/agentPools/nodepool1`, '2024-02-01')).body;
    assert.equal(pool24.systemData, undefined, 'no stable version up to 2024-02-01 defines systemData on a pool');
    assert.equal(pool24.properties.eTag, undefined);
    assert.equal(pool24.properties.osSKU, 'Ubuntu');
    const bad = await emu.http().get(`${clusterPath('hub', 'd1')}?api-version=2018-01-01`);
    expectError(bad, 400, 'NoRegisteredProviderFound');
  });

  it('refuses bad input with ARM error envelopes', async () => {
    const body = () => clusterBody('eastus');
    expectError((await put(clusterPath('az', '-bad-'), body())).res, 400, 'InvalidResourceName');
    expectError((await put(clusterPath('az', 'b1'), { ...body(), properties: { ...body().properties, agentPoolProfiles: [] } })).res, 400, 'InvalidParameter', /at least one agent pool/);
    const pool = (extra: any) => ({ ...body(), properties: { ...body().properties, agentPoolProfiles: [{ ...body().properties.agentPoolProfiles[0], ...extra }] } });
    expectError((await put(clusterPath('az', 'b1'), pool({ name: 'Bad_Pool' }))).res, 400, 'InvalidParameter', /agent pool name/);
    expectError((await put(clusterPath('az', 'b1'), pool({ count: -1 }))).res, 400, 'InvalidParameter', /count/);
    expectError((await put(clusterPath('az', 'b1'), pool({ mode: 'User' }))).res, 400, 'InvalidParameter', /System mode/);
    expectError((await put(clusterPath('az', 'b1'), pool({ enableAutoScaling: true, minCount: 5, maxCount: 2 }))).res, 400, 'InvalidParameter', /minCount/);
    expectError((await put(clusterPath('az', 'b1'), pool({ vmSize: 'Standard_Nope' }))).res, 400, 'VMSizeNotSupported');
    expectError((await put(clusterPath('az', 'b1'), pool({ count: 'three' }))).res, 400, 'InvalidRequestContent', /count/);
    expectError((await put(clusterPath('az', 'b1'), { ...body(), properties: { ...body().properties, dnsPrefix: '-x' } })).res, 400, 'InvalidDNSPrefix');
    expectError((await put(clusterPath('az', 'b1'), { ...body(), identity: { type: 'Magic' } })).res, 400, 'InvalidParameter', /identity type/);
    expectError((await put(clusterPath('az', 'b1'), { ...body(), properties: { ...body().properties, kubernetesVersion: '1.33' } })).res, 400, 'KubernetesVersionNotSupported');
    expectError((await put(clusterPath('az', 'b1'), { ...body(), properties: { ...body().properties, servicePrincipalProfile: { clientId: 'x' } } })).res, 400, 'InvalidParameter', /secret/);
    expectError((await put(clusterPath('az', 'b1'), { ...body(), properties: { ...body().properties, disableLocalAccounts: true } })).res, 400, 'BadRequest', /Local accounts/);
    const priv = {
      ...body(),
      properties: { ...body().properties, networkProfile: { loadBalancerSku: 'standard' }, apiServerAccessProfile: { enablePrivateCluster: true, authorizedIPRanges: ['20.1.2.0/24'] } },
    };
    expectError((await put(clusterPath('az', 'b1'), priv)).res, 400, 'BadRequest', /private cluster/);
    expectError(await get(clusterPath('az', 'nope')), 404, 'ResourceNotFound');
    expectError(await get(`${clusterPath('az', 'nope')}/upgradeProfiles/default`), 404, 'ResourceNotFound');
    expectError(await get(`${clusterPath('nogroup', 'x')}`), 404, 'ResourceGroupNotFound');
    expectError(await emu.http().get(`/subscriptions/${SUB}/providers/${NS}/locations/atlantis/kubernetesVersions?api-version=${V}`), 404, 'LocationNotFound');
    // malformed shapes: always a 400 envelope, never a 500
    const malformed: any[] = [
      { location: 'eastus', properties: null },
      { location: 'eastus', properties: { agentPoolProfiles: 'x' } },
      { location: 'eastus', properties: { agentPoolProfiles: [null] } },
      { location: 'eastus', properties: { agentPoolProfiles: [{ count: 1 }] } },
      { ...body(), identity: 'x' },
      { ...body(), sku: 5 },
      { ...body(), sku: { tier: 'Gold' } },
      { ...body(), properties: { ...body().properties, networkProfile: 'x' } },
      { ...body(), properties: { ...body().properties, apiServerAccessProfile: { authorizedIPRanges: ['not-an-ip'] } } },
      { ...body(), properties: { ...body().properties, kubernetesVersion: 5 } },
      pool({ osType: 'Windows' }),
      pool({ availabilityZones: ['7'] }),
      pool({ maxPods: 5000 }),
      [],
      'text',
    ];
    for (const m of malformed) {
      const r = await emu
        .http()
        .put(`${clusterPath('az', 'b2')}?api-version=${V}`)
        .send(m);
      assert.equal(r.status, 400, `${JSON.stringify(m)} -> ${r.status} ${JSON.stringify(r.body)}`);
      assert.ok(r.body.error?.code && r.body.error?.message, JSON.stringify(r.body));
    }
    const list = (await get(`${rgPath('az')}/providers/${NS}/managedClusters`)).body;
    assert.deepEqual(list.value, [], 'nothing was created by a refused request');
  });

  it('on a Hub stamp refuses each limit with 400 and a code naming it', async () => {
    const b = (opts: Parameters<typeof clusterBody>[1], top: Record<string, unknown> = {}) => ({ ...clusterBody('local', opts), ...top });
    const cases: [any, RegExp, string][] = [
      [
        b({}, { identity: { type: 'UserAssigned', userAssignedIdentities: { '/subscriptions/x/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u': {} } } }),
        /managed identities/,
        'identity.type',
      ],
      [{ ...b({}), properties: { ...b({}).properties, servicePrincipalProfile: undefined } }, /names no service principal.*--service-principal/, 'properties.servicePrincipalProfile'],
      [b({ lb: 'standard' }), /--load-balancer-sku basic/, 'properties.networkProfile.loadBalancerSku'],
      [
        b({ extra: { networkProfile: { loadBalancerSku: 'basic', loadBalancerProfile: { managedOutboundIPs: { count: 2 } } } } }),
        /managed outbound IPs/,
        'properties.networkProfile.loadBalancerProfile.managedOutboundIPs.count',
      ],
      [b({ pool: { enableAutoScaling: true, minCount: 1, maxCount: 3 } }), /cluster autoscaler/, 'properties.agentPoolProfiles[0].enableAutoScaling'],
      [b({ extra: { apiServerAccessProfile: { enablePrivateCluster: true } } }), /private clusters/, 'properties.apiServerAccessProfile.enablePrivateCluster'],
      [b({ extra: { apiServerAccessProfile: { authorizedIPRanges: ['20.1.2.0/24'] } } }), /authorized IP ranges/, 'properties.apiServerAccessProfile.authorizedIPRanges'],
      [b({ pool: { availabilityZones: ['1'] } }), /availability zones/, 'properties.agentPoolProfiles[0].availabilityZones'],
      [b({ pool: { type: 'AvailabilitySet' } }), /availability sets/, 'properties.agentPoolProfiles[0].type'],
      [b({ version: '1.36.1' }), /not supported on Azure Stack Hub/, 'properties.kubernetesVersion'],
    ];
    for (const [body, msg, target] of cases) {
      const { res } = await put(clusterPath('hub', 'lim'), body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body.error.code, /FeatureNotSupportedOnTarget|KubernetesVersionNotSupported/);
      assert.match(res.body.error.message, msg);
      assert.equal(res.body.error.target, target);
    }
    const two = clusterBody('local');
    two.properties.agentPoolProfiles.push({ name: 'pool2', count: 1, mode: 'User' });
    expectError((await put(clusterPath('hub', 'lim'), two)).res, 400, 'FeatureNotSupportedOnTarget', /single node pool/);
    expectError(await get(clusterPath('hub', 'lim')), 404, 'ResourceNotFound');
    // PATCH of anything but tags
    const patch = await emu
      .http()
      .patch(`${clusterPath('hub', 'd1')}?api-version=${V}`)
      .send({ tags: { a: 'b' }, properties: { enableRBAC: false } });
    expectError(patch, 400, 'FeatureNotSupportedOnTarget', /az aks update/);
    const tags = await emu
      .http()
      .patch(`${clusterPath('hub', 'd1')}?api-version=${V}`)
      .send({ tags: { a: 'b' } });
    assert.equal(tags.status, 200);
    assert.deepEqual(tags.body.tags, { a: 'b' });
    // a full PUT that changes settings is `az aks update`
    const cur = (await get(clusterPath('hub', 'd1'))).body;
    cur.properties.networkProfile.networkPolicy = 'calico';
    expectError((await put(clusterPath('hub', 'd1'), cur)).res, 400, 'FeatureNotSupportedOnTarget', /az aks update/);
    // a second pool through the agentPools API
    expectError((await put(`${clusterPath('hub', 'd1')}/agentPools/pool2`, { properties: { count: 1, mode: 'User' } })).res, 400, 'FeatureNotSupportedOnTarget', /single node pool/);
  });

  it('credentials: admin refused with disableLocalAccounts; AAD users get their own token; rotation replaces certificates', async () => {
    const aad = clusterBody('eastus', { lb: 'standard', extra: { disableLocalAccounts: true, aadProfile: { managed: true, enableAzureRBAC: true } } });
    delete aad.properties.servicePrincipalProfile;
    aad.identity = { type: 'SystemAssigned' };
    await put(clusterPath('az', 'aad1'), aad);
    const admin = await emu.http().post(`${clusterPath('az', 'aad1')}/listClusterAdminCredential?api-version=${V}`);
    expectError(admin, 400, 'BadRequest', /disable local accounts/);
    const user = await emu.http().post(`${clusterPath('az', 'aad1')}/listClusterUserCredential?api-version=${V}`);
    assert.equal(user.status, 200);
    const userYaml = Buffer.from(user.body.kubeconfigs[0].value, 'base64').toString();
    assert.doesNotMatch(userYaml, /kubelogin|exec:/, 'no exec plugin the machine may not have');
    // The token is the caller's, issued by the emulator for AKS's Azure AD server application.
    const jwt = /token: (\S+)/.exec(userYaml)![1];
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
    assert.equal(claims.aud, '6dae42f8-4368-4678-94ff-3960e28e3630');
    assert.equal(claims.appid, 'cccccccc-0000-0000-0000-000000000001');

    await put(clusterPath('az', 'rot'), clusterBody('eastus', { lb: 'standard' }));
    const cred = async () => Buffer.from((await emu.http().post(`${clusterPath('az', 'rot')}/listClusterAdminCredential?api-version=${V}`)).body.kubeconfigs[0].value, 'base64').toString();
    const ca = (y: string) => new X509Certificate(Buffer.from(/client-certificate-data: (\S+)/.exec(y)![1], 'base64')).fingerprint256;
    const token = (y: string) => /token: (\S+)/.exec(y)![1];
    const before = await cred();
    const rot = await writeAndWait(emu, 'post', `${clusterPath('az', 'rot')}/rotateClusterCertificates?api-version=${V}`);
    assert.equal(rot.res.status, 202);
    assert.ok(rot.res.headers.location);
    assert.equal(rot.status.status, 'Succeeded');
    const after = await cred();
    assert.notEqual(ca(after), ca(before), 'a new admin certificate (from a new cluster CA)');
    assert.notEqual(token(after), token(before), 'a new admin token');
    assert.equal((await get(clusterPath('az', 'rot'))).body.properties.provisioningState, 'Succeeded');
    const bad = await emu.http().post(`${clusterPath('az', 'rot')}/listClusterUserCredential?api-version=${V}&server-fqdn=evil.example.com`);
    expectError(bad, 400, 'InvalidParameter');
  });

  it('resetServicePrincipalProfile changes the service principal; refused on a managed-identity cluster', async () => {
    const r = await writeAndWait(emu, 'post', `${clusterPath('hub', 'd1')}/resetServicePrincipalProfile?api-version=${V}`, { clientId: 'eeeeeeee-0000-0000-0000-000000000001', secret: 'new-secret' });
    assert.equal(r.status.status, 'Succeeded');
    const c = (await get(clusterPath('hub', 'd1'))).body;
    assert.equal(c.properties.servicePrincipalProfile.clientId, 'eeeeeeee-0000-0000-0000-000000000001');
    assert.ok(!JSON.stringify(c).includes('new-secret'));
    expectError(
      await emu
        .http()
        .post(`${clusterPath('az', 'aad1')}/resetServicePrincipalProfile?api-version=${V}`)
        .send({ clientId: 'x', secret: 'y' }),
      400,
      'BadRequest',
      /managed identity/,
    );
    expectError(
      await emu
        .http()
        .post(`${clusterPath('hub', 'd1')}/resetServicePrincipalProfile?api-version=${V}`)
        .send({}),
      400,
      'InvalidParameter',
    );
  });

  it('abort cancels the operation in flight: the cluster ends Canceled and the fabric undoes its VMs', async () => {
    emu.services.asyncOperations.setGateRules([{ typeKey: 'microsoft.containerservice/managedclusters', operation: 'create', gate: { mode: 'polls', polls: 1000 } }]);
    const res = await emu
      .http()
      .put(`${clusterPath('hub', 'ab1')}?api-version=${V}`)
      .send(clusterBody('local'));
    assert.equal(res.status, 201);
    // the tasks have run (VMs exist), the gate holds the operation open
    const id = res.body.id;
    const held = await waitUntil(() => emu.services.asyncOperations.list().find((o) => o.resourceId.toLowerCase() === id.toLowerCase() && o.tasks.every((t) => t.state === 'done')), {
      what: "the create's tasks",
    });
    assert.equal(held.status, 'InProgress');
    assert.ok(fabricOf(emu).ownerVms(id).length > 0);
    // busy: other writes wait
    expectError(
      await emu
        .http()
        .put(`${clusterPath('hub', 'ab1')}/agentPools/nodepool1?api-version=${V}`)
        .send({ properties: { count: 2 } }),
      409,
      'OperationNotAllowed',
    );
    expectError(await emu.http().post(`${clusterPath('hub', 'ab1')}/stop?api-version=${V}`), 409, 'OperationNotAllowed');
    const abort = await emu.http().post(`${clusterPath('hub', 'ab1')}/abort?api-version=${V}`);
    assert.equal(abort.status, 204);
    const st = await waitForOperation(emu, res.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Canceled');
    const c = (await get(clusterPath('hub', 'ab1'))).body;
    assert.equal(c.properties.provisioningState, 'Canceled');
    assert.equal(fabricOf(emu).ownerVms(id).length, 0);
    expectError(await emu.http().post(`${clusterPath('hub', 'ab1')}/abort?api-version=${V}`), 409, 'OperationNotAllowed');
    await writeAndWait(emu, 'delete', `${clusterPath('hub', 'ab1')}?api-version=${V}`);
  });

  it('agent pools and the cluster stay in step both ways; the last System pool cannot go', async () => {
    await put(clusterPath('az', 'p1'), clusterBody('eastus', { lb: 'standard' }));
    const add = await put(`${clusterPath('az', 'p1')}/agentPools/user1`, { properties: { count: 2, vmSize: 'Standard_D4s_v3', mode: 'User', orchestratorVersion: '1.35' } });
    assert.equal(add.res.status, 201);
    assert.equal(add.res.body.properties.provisioningState, 'Creating');
    assert.equal(add.status.status, 'Succeeded');
    let c = (await get(clusterPath('az', 'p1'))).body;
    assert.deepEqual(
      c.properties.agentPoolProfiles.map((p: any) => [p.name, p.count, p.provisioningState]),
      [
        ['nodepool1', 1, 'Succeeded'],
        ['user1', 2, 'Succeeded'],
      ],
    );
    assert.equal(c.properties.agentPoolProfiles[1].currentOrchestratorVersion, '1.35.6');
    c.properties.agentPoolProfiles[1].count = 3;
    await put(clusterPath('az', 'p1'), c);
    assert.equal((await get(`${clusterPath('az', 'p1')}/agentPools/user1`)).body.properties.count, 3);
    assert.deepEqual(vmSummary(fabricOf(emu), c.id).workers, { nodepool1: 1, user1: 3 });
    expectError((await put(`${clusterPath('az', 'p1')}/agentPools/user1`, { properties: { vmSize: 'Standard_D8s_v3', count: 3 } })).res, 400, 'PropertyChangeNotAllowed');
    expectError((await put(`${clusterPath('az', 'p1')}/agentPools/user1`, { properties: { count: 3, orchestratorVersion: '1.36.1' } })).res, 400, 'NodePoolMcVersionIncompatible');
    const prof = (await get(`${clusterPath('az', 'p1')}/agentPools/user1/upgradeProfiles/default`)).body;
    assert.equal(prof.properties.kubernetesVersion, '1.35.6');
    assert.deepEqual(prof.properties.upgrades, [], 'a pool cannot pass its control plane');
    expectError(await emu.http().delete(`${clusterPath('az', 'p1')}/agentPools/nodepool1?api-version=${V}`), 400, 'OperationNotAllowed', /at least one system agent pool/);
    const del = await writeAndWait(emu, 'delete', `${clusterPath('az', 'p1')}/agentPools/user1?api-version=${V}`);
    assert.equal(del.res.status, 202);
    assert.equal(del.status.status, 'Succeeded');
    c = (await get(clusterPath('az', 'p1'))).body;
    assert.deepEqual(
      c.properties.agentPoolProfiles.map((p: any) => p.name),
      ['nodepool1'],
    );
    assert.deepEqual(vmSummary(fabricOf(emu), c.id).workers, { nodepool1: 1 });
    // az aks nodepool stop / start: a pool PUT with the power state asked for
    await put(`${clusterPath('az', 'p1')}/agentPools/spare`, { properties: { count: 2, mode: 'User' } });
    const spare = (await get(`${clusterPath('az', 'p1')}/agentPools/spare`)).body;
    spare.properties.powerState = { code: 'Stopped' };
    const stop = await put(`${clusterPath('az', 'p1')}/agentPools/spare`, spare);
    assert.equal(stop.res.body.properties.provisioningState, 'Stopping');
    assert.equal(stop.status.status, 'Succeeded');
    const sp = fabricOf(emu)
      .ownerVms(c.id)
      .filter((v) => v.pool === 'spare');
    assert.deepEqual([...new Set(sp.map((v) => v.state))], ['Deallocated']);
    assert.equal((await get(`${clusterPath('az', 'p1')}/agentPools/spare`)).body.properties.powerState.code, 'Stopped');
    assert.deepEqual(vmSummary(fabricOf(emu), c.id).workers, { nodepool1: 1, spare: 2 });
    const np1 = (await get(`${clusterPath('az', 'p1')}/agentPools/nodepool1`)).body;
    np1.properties.powerState = { code: 'Stopped' };
    expectError((await put(`${clusterPath('az', 'p1')}/agentPools/nodepool1`, np1)).res, 400, 'OperationNotAllowed', /only running System pool/);
    spare.properties.powerState = { code: 'Running' };
    assert.equal((await put(`${clusterPath('az', 'p1')}/agentPools/spare`, spare)).status.status, 'Succeeded');
    assert.ok(
      fabricOf(emu)
        .ownerVms(c.id)
        .every((v) => v.state === 'Running'),
    );
    await writeAndWait(emu, 'delete', `${clusterPath('az', 'p1')}/agentPools/spare?api-version=${V}`);
    // downgrade is refused
    c.properties.kubernetesVersion = '1.34.9';
    expectError((await put(clusterPath('az', 'p1'), c)).res, 400, 'InvalidUpgradePath', /Downgrading/);
  });

  it('Hub capacity: a stopped cluster frees its workers for others; a scale or start that does not fit fails, rolls back and leaks nothing', async () => {
    await createGroup(emu, 'cap', 'local');
    const fabric = fabricOf(emu);
    const total = 4 * 48;
    const used0 = total - (await freeCores(fabric, 'local'));
    const big = (name: string) => ({
      ...clusterBody('local', { count: 8, vmSize: 'Standard_DS5_v2' }),
      properties: { ...clusterBody('local', { count: 8, vmSize: 'Standard_DS5_v2' }).properties, dnsPrefix: name },
    });
    const a = await put(clusterPath('cap', 'ca'), big('ca'));
    assert.equal(a.status.status, 'Succeeded');
    assert.equal(total - (await freeCores(fabric, 'local')), used0 + 8 + 8 * 16);
    // B does not fit while A runs
    const b1 = await put(clusterPath('cap', 'cb'), big('cb'));
    assert.equal(b1.status.status, 'Failed');
    assert.equal(b1.status.error.code, 'InsufficientCapacity');
    assert.equal((await get(clusterPath('cap', 'cb'))).body.properties.provisioningState, 'Failed');
    assert.equal(fabric.ownerVms(b1.res.body.id).length, 0);
    await writeAndWait(emu, 'delete', `${clusterPath('cap', 'cb')}?api-version=${V}`);
    // stop A: its workers go, and B fits
    const stop = await writeAndWait(emu, 'post', `${clusterPath('cap', 'ca')}/stop?api-version=${V}`);
    assert.equal(stop.status.status, 'Succeeded');
    const b2 = await put(clusterPath('cap', 'cb'), big('cb'));
    assert.equal(b2.status.status, 'Succeeded');
    // A cannot start now: the start fails and A stays stopped, as it was
    const start = await writeAndWait(emu, 'post', `${clusterPath('cap', 'ca')}/start?api-version=${V}`);
    assert.equal(start.status.status, 'Failed');
    assert.equal(start.status.error.code, 'InsufficientCapacity');
    const ca = (await get(clusterPath('cap', 'ca'))).body;
    assert.equal(ca.properties.powerState.code, 'Stopped');
    assert.equal(ca.properties.provisioningState, 'Failed');
    // a scale of B past the stamp fails and leaves B as it was
    const cb = (await get(clusterPath('cap', 'cb'))).body;
    cb.properties.agentPoolProfiles[0].count = 20;
    const scale = await put(clusterPath('cap', 'cb'), cb);
    assert.equal(scale.status.status, 'Failed');
    const after = (await get(clusterPath('cap', 'cb'))).body;
    assert.equal(after.properties.agentPoolProfiles[0].count, 8);
    assert.equal(after.properties.provisioningState, 'Failed');
    assert.deepEqual(vmSummary(fabric, cb.id).workers, { nodepool1: 8 });
    // deleting the group deletes both clusters and frees everything they held
    const rg = await emu.http().delete(`${rgPath('cap')}?api-version=2021-04-01`);
    assert.equal(rg.status, 202);
    await waitForLocation(emu, rg.headers.location);
    assert.equal((await emu.http().get(`${rgPath('cap')}?api-version=2021-04-01`)).status, 404);
    assert.equal(fabric.ownerVms(ca.id).length + fabric.ownerVms(cb.id).length, 0);
    assert.equal(total - (await freeCores(fabric, 'local')), used0);
  });

  it('control-plane-only upgrade, then a node pool upgrade through the agentPools API, each replacing only its own VMs', async () => {
    await put(clusterPath('hub', 'u1'), clusterBody('local', { count: 2 }));
    const fabric = fabricOf(emu);
    let c = (await get(clusterPath('hub', 'u1'))).body;
    const versions = (role: string) => [
      ...new Set(
        fabric
          .ownerVms(c.id)
          .filter((v) => v.role === role)
          .map((v) => v.kubernetesVersion),
      ),
    ];
    c.properties.kubernetesVersion = '1.21.2'; // pools keep orchestratorVersion 1.20.7
    const cp = await put(clusterPath('hub', 'u1'), c);
    assert.equal(cp.res.body.properties.provisioningState, 'Upgrading');
    assert.equal(cp.status.status, 'Succeeded');
    c = (await get(clusterPath('hub', 'u1'))).body;
    assert.equal(c.properties.currentKubernetesVersion, '1.21.2');
    assert.equal(c.properties.agentPoolProfiles[0].currentOrchestratorVersion, '1.20.7');
    assert.deepEqual(versions('controlPlane'), ['1.21.2']);
    assert.deepEqual(versions('worker'), ['1.20.7']);
    const prof = (await get(`${clusterPath('hub', 'u1')}/agentPools/nodepool1/upgradeProfiles/default`)).body;
    assert.deepEqual(
      prof.properties.upgrades.map((u: any) => u.kubernetesVersion),
      ['1.21.2'],
    );
    const pool = (await get(`${clusterPath('hub', 'u1')}/agentPools/nodepool1`)).body;
    pool.properties.orchestratorVersion = '1.21.2';
    const pu = await put(`${clusterPath('hub', 'u1')}/agentPools/nodepool1`, pool);
    assert.equal(pu.res.status, 200);
    assert.equal(pu.res.body.properties.provisioningState, 'Upgrading');
    assert.equal(pu.status.status, 'Succeeded');
    assert.deepEqual(versions('worker'), ['1.21.2']);
    assert.deepEqual(vmSummary(fabric, c.id).workers, { nodepool1: 2 });
    c = (await get(clusterPath('hub', 'u1'))).body;
    assert.equal(c.properties.agentPoolProfiles[0].currentOrchestratorVersion, '1.21.2', 'the cluster follows the pool');
    await writeAndWait(emu, 'delete', `${clusterPath('hub', 'u1')}?api-version=${V}`);
  });

  it('lists versions by location (kubernetesVersions and orchestrators) and the operations', async () => {
    const kv = (await emu.http().get(`/subscriptions/${SUB}/providers/${NS}/locations/eastus/kubernetesVersions?api-version=${V}`)).body;
    assert.deepEqual(
      kv.values.map((v: any) => v.version),
      ['1.34', '1.35', '1.36'],
    );
    assert.deepEqual(kv.values[1].patchVersions['1.35.6'].upgrades, ['1.36.1', '1.36.2']);
    const orch = (await emu.http().get(`/subscriptions/${SUB}/providers/${NS}/locations/local/orchestrators?api-version=${HUB_API}&resource-type=managedClusters`)).body;
    assert.deepEqual(
      orch.properties.orchestrators.map((o: any) => o.orchestratorVersion),
      ['1.19.11', '1.20.7', '1.21.2'],
    );
    assert.equal(orch.properties.orchestrators.find((o: any) => o.default).orchestratorVersion, '1.20.7');
    const ops = (await emu.http().get(`/providers/${NS}/operations?api-version=${V}`)).body;
    assert.ok(ops.value.some((o: any) => o.name === `${NS}/managedClusters/listClusterAdminCredential/action`));
  });
});
