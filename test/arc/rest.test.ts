// The administrator's whole path over REST, checking the fabric after each step, then deleting in
// reverse and checking that everything was freed; and every refusal the path can meet.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestEmulator, tmpDir, waitForLocation, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { applianceBody, applianceId, buildPlatform, customLocationBody, customLocationId, del, extensionBody, extensionId, lnetBody, lnetId, put, rg, settle, site, V } from './helpers.js';

describe('Arc platform on an HCI site (REST)', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  beforeEach(async () => {
    emu = await startTestEmulator();
  });
  afterEach(async () => {
    await emu.close();
  });

  it("walks the administrator's path: bridge → extensions → custom location → logical network, then back, freeing everything", async () => {
    const before = await site(emu);
    assert.ok(!before.vms.some((v: any) => v.role === 'appliance'), 'no bridge VM before the appliance exists');
    await put(emu, rg(), V.rg, { location: 'eastus' }, 201);

    // 1. the resource bridge
    const app = applianceId();
    const r1 = await put(emu, app, V.appliance, applianceBody(), 201);
    assert.equal(r1.body.properties.provisioningState, 'Creating');
    assert.equal(r1.body.properties.status, 'WaitingForHeartbeat');
    assert.ok(r1.headers['azure-asyncoperation']);
    const a = await settle(emu, r1, app, V.appliance);
    assert.equal(a.properties.provisioningState, 'Succeeded');
    assert.equal(a.properties.status, 'Running');
    assert.equal(a.properties.infrastructureConfig.provider, 'HCI');
    assert.equal(a.type, 'Microsoft.ResourceConnector/appliances');
    assert.ok(a.identity.principalId);
    let s = await site(emu);
    const bridgeVm = s.vms.find((v: any) => v.role === 'appliance');
    assert.equal(bridgeVm.owner, app);
    assert.equal(bridgeVm.state, 'Running');
    assert.equal(s.capacity.freeCores, before.capacity.freeCores - bridgeVm.cores);

    // 2. cluster extensions on the bridge
    const aks = extensionId(app, 'hybridaks');
    const hci = extensionId(app, 'vmss-hci');
    const r2 = await put(emu, aks, V.extension, extensionBody('Microsoft.HybridAKSOperator', { configurationProtectedSettings: { token: 's3cret' } }), 201);
    assert.equal(r2.body.properties.provisioningState, 'Creating');
    assert.equal(r2.body.properties.configurationProtectedSettings, undefined, 'protected settings are never returned');
    const e1 = await settle(emu, r2, aks, V.extension);
    assert.equal(e1.properties.provisioningState, 'Succeeded');
    assert.equal(e1.properties.currentVersion, '0.4.9');
    assert.equal(e1.properties.releaseTrain, 'Stable');
    assert.deepEqual(e1.properties.scope, { cluster: { releaseNamespace: 'hybridaks-operator' } });
    assert.equal(JSON.stringify(e1).includes('s3cret'), false);
    await settle(emu, await put(emu, hci, V.extension, extensionBody('Microsoft.AZStackHCI.Operator'), 201), hci, V.extension);
    s = await site(emu);
    assert.deepEqual(s.packages.map((p: any) => p.packageType).sort(), ['Microsoft.AZStackHCI.Operator', 'Microsoft.HybridAKSOperator']);
    assert.ok(s.packages.every((p: any) => p.host === app && p.state === 'Installed'));
    const list = await emu.http().get(`${app}/providers/Microsoft.KubernetesConfiguration/extensions?api-version=${V.extension}`);
    assert.equal(list.body.value.length, 2);

    // 3. the custom location
    const cl = customLocationId();
    const r3 = await put(emu, cl, V.customLocation, customLocationBody(app, [aks, hci]), 201);
    // asynchronous, as real ARM answers it: Creating with Azure-AsyncOperation, then Succeeded
    assert.equal(r3.body.properties.provisioningState, 'Creating');
    assert.ok(r3.headers['azure-asyncoperation']);
    const c3 = await settle(emu, r3, cl, V.customLocation);
    assert.equal(c3.properties.provisioningState, 'Succeeded');
    assert.equal(c3.properties.hostType, 'Kubernetes');
    const u3 = await put(emu, cl, V.customLocation, customLocationBody(app, [aks, hci]), 200);
    assert.equal(u3.body.properties.provisioningState, 'Updating');
    assert.equal((await settle(emu, u3, cl, V.customLocation)).properties.provisioningState, 'Succeeded');
    const types = await emu.http().get(`${cl}/enabledResourceTypes?api-version=${V.customLocation}`);
    assert.equal(types.status, 200);
    const all = types.body.value.flatMap((t: any) => t.properties.typesMetadata.map((m: any) => `${m.resourceProviderNamespace}/${m.resourceType}`));
    assert.ok(all.includes('Microsoft.AzureStackHCI/logicalNetworks'));
    assert.ok(all.includes('Microsoft.HybridContainerService/provisionedClusterInstances'));

    // 4. a logical network on it, backed by the site's IP allocation
    const ln = lnetId();
    const r4 = await put(emu, ln, V.lnet, lnetBody(cl), 201);
    // the service's enum has no Creating: Accepted, with status.provisioningStatus InProgress
    assert.equal(r4.body.properties.provisioningState, 'Accepted');
    assert.equal(r4.body.properties.status.provisioningStatus.status, 'InProgress');
    const n = await settle(emu, r4, ln, V.lnet);
    assert.equal(n.properties.provisioningState, 'Succeeded');
    assert.deepEqual(n.properties.status, { errorCode: '', errorMessage: '', provisioningStatus: { operationId: n.properties.status.provisioningStatus.operationId, status: 'Succeeded' } });
    assert.deepEqual(n.properties.dhcpOptions, { dnsServers: ['172.16.0.1'] });
    assert.equal(n.properties.subnets[0].properties.vlan, 10);
    assert.equal(n.properties.subnets[0].properties.routeTable.properties.routes[0].properties.nextHopIpAddress, '172.16.0.1');
    s = await site(emu);
    const fnet = s.logicalNetworks.find((x: any) => x.name === 'lnet1');
    assert.equal(fnet.addressPrefix, '172.16.0.0/24');
    assert.equal(fnet.vlan, 10);
    assert.equal(fnet.gateway, '172.16.0.1');
    assert.equal(fnet.freeIps, 10);
    assert.equal(fnet.owner, ln);

    // later clusters draw addresses from its pool; exhaustion is a clear error; in use → 409
    const backend = emu.services.fabric!.site('hci-site-1');
    const vms = [];
    for (let i = 0; i < 10; i++) vms.push(await backend.createVm({ name: `probe-${i}`, owner: '/probe', role: 'worker', vmSize: 'Standard_K8S_v1', logicalNetwork: 'lnet1' }, 'probe-op'));
    assert.equal(vms[0].ip, '172.16.0.50');
    await assert.rejects(
      backend.createVm({ name: 'probe-10', owner: '/probe', role: 'worker', vmSize: 'Standard_K8S_v1', logicalNetwork: 'lnet1' }, 'probe-op'),
      (e: any) => e.code === 'InsufficientIpAddresses' && /lnet1/.test(e.message),
    );
    const inUse = await emu.http().delete(`${ln}?api-version=${V.lnet}`);
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.error.code, 'LogicalNetworkInUse');
    assert.match(inUse.body.error.message, /probe-0 \(172\.16\.0\.50/);
    await backend.deleteOwner('/probe');

    // deleting what is in use is refused, naming what uses it
    const clBusy = await emu.http().delete(`${cl}?api-version=${V.customLocation}`);
    assert.equal(clBusy.status, 409);
    assert.equal(clBusy.body.error.code, 'CustomLocationInUse');
    assert.ok(clBusy.body.error.message.includes(ln));
    const appBusy = await emu.http().delete(`${app}?api-version=${V.appliance}`);
    assert.equal(appBusy.status, 409);
    assert.ok(appBusy.body.error.message.includes(cl));

    // back down, in reverse
    await del(emu, ln, V.lnet);
    s = await site(emu);
    assert.ok(!s.logicalNetworks.some((x: any) => x.name === 'lnet1'));
    await del(emu, cl, V.customLocation);
    await del(emu, hci, V.extension);
    s = await site(emu);
    assert.deepEqual(
      s.packages.map((p: any) => p.packageType),
      ['Microsoft.HybridAKSOperator'],
    );
    await del(emu, app, V.appliance);
    assert.equal((await emu.http().get(`${aks}?api-version=${V.extension}`)).status, 404, "the host's extensions go with it");
    s = await site(emu);
    assert.deepEqual(s.packages, []);
    assert.ok(!s.vms.some((v: any) => v.role === 'appliance'));
    assert.deepEqual(s.capacity, before.capacity);
    assert.deepEqual(
      s.logicalNetworks.map((x: any) => [x.name, x.usedIps]),
      before.logicalNetworks.map((x: any) => [x.name, x.usedIps]),
    );
  });

  it('refuses what cannot work, synchronously, naming the thing and the fix, leaving nothing behind', async () => {
    await put(emu, rg(), V.rg, { location: 'eastus' }, 201);
    // appliance: wrong infrastructure for an HCI site, missing provider
    let r = await put(emu, applianceId('vm-bridge'), V.appliance, applianceBody('VMWare'), 400);
    assert.equal(r.body.error.code, 'InfrastructureProviderMismatch');
    assert.match(r.body.error.message, /Azure Stack HCI site 'hci-site-1'.*'VMWare'.*'HCI'/);
    r = await put(emu, applianceId('nope'), V.appliance, { location: 'eastus', properties: {} }, 400);
    assert.equal(r.body.error.target, 'properties.infrastructureConfig.provider');
    assert.equal((await emu.http().get(`${applianceId('vm-bridge')}?api-version=${V.appliance}`)).status, 404);

    const { app, aks, hci, cl } = await buildPlatform(emu);
    // a second bridge: the only HCI site has one
    r = await put(emu, applianceId('bridge2'), V.appliance, applianceBody(), 409);
    assert.equal(r.body.error.code, 'ApplianceAlreadyExists');
    assert.ok(r.body.error.message.includes(app));
    // extensions: unknown type, version without pinning, both scopes, type on the wrong host
    r = await put(emu, extensionId(app, 'x'), V.extension, extensionBody('microsoft.nope'), 400);
    assert.equal(r.body.error.code, 'ExtensionTypeRegistrationGetFailed');
    assert.match(r.body.error.message, /microsoft\.flux/);
    r = await put(emu, extensionId(app, 'x'), V.extension, extensionBody('Microsoft.HybridAKSOperator', { version: '0.4.7' }), 400);
    assert.match(r.body.error.message, /autoUpgradeMinorVersion/);
    r = await put(emu, extensionId(app, 'x'), V.extension, extensionBody('Microsoft.HybridAKSOperator', { scope: { cluster: {}, namespace: {} } }), 400);
    assert.equal(r.body.error.target, 'properties.scope');
    r = await put(emu, extensionId(app, 'x'), V.extension, extensionBody('Microsoft.HybridAKSOperator', { autoUpgradeMinorVersion: false, version: '9.9.9' }), 400);
    assert.match(r.body.error.message, /0\.4\.9/);
    r = await put(emu, extensionId(app, 'x'), V.extension, extensionBody('microsoft.flux'), 400);
    assert.equal(r.body.error.code, 'ExtensionTypeNotSupportedOnCluster');
    // custom location: bad host, extension not on that host
    r = await put(emu, customLocationId('cl2'), V.customLocation, customLocationBody(`${rg()}/providers/Microsoft.ResourceConnector/appliances/ghost`, []), 400);
    assert.equal(r.body.error.target, 'properties.hostResourceId');
    assert.match(r.body.error.message, /ghost/);
    r = await put(emu, customLocationId('cl2'), V.customLocation, customLocationBody(app, [aks, extensionId(app, 'missing')]), 400);
    assert.equal(r.body.error.target, 'properties.clusterExtensionIds[1]');
    assert.match(r.body.error.message, /missing/);
    // a custom location with only the AKS hybrid extension does not enable logical networks
    await settle(emu, await put(emu, customLocationId('aks-only'), V.customLocation, customLocationBody(app, [aks]), 201), customLocationId('aks-only'), V.customLocation);
    r = await put(emu, lnetId('ln-x'), V.lnet, lnetBody(customLocationId('aks-only')), 400);
    assert.equal(r.body.error.code, 'ResourceTypeNotEnabled');
    assert.match(r.body.error.message, /'Microsoft\.AzureStackHCI\/logicalNetworks'.*'Microsoft\.AZStackHCI\.Operator'/);
    r = await put(emu, lnetId('ln-x'), V.lnet, lnetBody(customLocationId('ghost')), 400);
    assert.equal(r.body.error.code, 'InvalidExtendedLocation');
    // logical networks: overlap with the site's network on the same VLAN, pool outside prefix, bad CIDR, no extendedLocation
    r = await put(emu, lnetId('ln-x'), V.lnet, lnetBody(cl, '192.168.0.0/25', 0, { start: '192.168.0.10', end: '192.168.0.20' }), 400);
    assert.equal(r.body.error.code, 'LogicalNetworkOverlap');
    assert.match(r.body.error.message, /lnet-compute/);
    r = await put(emu, lnetId('ln-x'), V.lnet, lnetBody(cl, '172.16.0.0/24', 10, { start: '172.16.1.1', end: '172.16.1.9' }), 400);
    assert.match(r.body.error.message, /outside the address prefix/);
    r = await put(emu, lnetId('ln-x'), V.lnet, lnetBody(cl, '172.16.0.0/33'), 400);
    assert.match(r.body.error.target, /addressPrefix/);
    const { extendedLocation: _e, ...noExt } = lnetBody(cl);
    r = await put(emu, lnetId('ln-x'), V.lnet, noExt, 400);
    assert.equal(r.body.error.target, 'extendedLocation');
    // the same prefix on another VLAN is fine; on the same VLAN as another new network it is not
    await settle(emu, await put(emu, lnetId('ln-a'), V.lnet, lnetBody(cl, '10.50.0.0/24', 20, { start: '10.50.0.10', end: '10.50.0.20' }), 201), lnetId('ln-a'), V.lnet);
    r = await put(emu, lnetId('ln-b'), V.lnet, lnetBody(cl, '10.50.0.128/25', 20, { start: '10.50.0.130', end: '10.50.0.140' }), 400);
    assert.match(r.body.error.message, /ln-a/);
    await settle(emu, await put(emu, lnetId('ln-b'), V.lnet, lnetBody(cl, '10.50.0.0/24', 21, { start: '10.50.0.10', end: '10.50.0.20' }), 201), lnetId('ln-b'), V.lnet);
    // an extension a custom location names cannot go (without forceDelete)
    r = await emu.http().delete(`${hci}?api-version=${V.extension}`);
    assert.equal(r.status, 409);
    assert.ok(r.body.error.message.includes(cl));
    for (const [id, v] of [
      [lnetId('ln-x'), V.lnet],
      [extensionId(app, 'x'), V.extension],
      [customLocationId('cl2'), V.customLocation],
      [applianceId('bridge2'), V.appliance],
    ]) {
      assert.equal((await emu.http().get(`${id}?api-version=${v}`)).status, 404, `${id} was left behind`);
    }
  });

  it('PATCH: appliance and custom location tags synchronously, extension 202 with a body; version pinning', async () => {
    const { app, aks, cl } = await buildPlatform(emu);
    let r = await emu
      .http()
      .patch(`${app}?api-version=${V.appliance}`)
      .send({ tags: { env: 'lab' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.tags, { env: 'lab' });
    r = await emu
      .http()
      .patch(`${cl}?api-version=${V.customLocation}`)
      .send({ tags: { a: 'b' }, properties: { displayName: 'renamed' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.properties.displayName, 'renamed');
    const flux = extensionId(app, 'aks2');
    await settle(
      emu,
      await put(emu, flux, V.extension, extensionBody('Microsoft.HybridAKSOperator', { autoUpgradeMinorVersion: false, version: '0.4.5', configurationSettings: { a: '1' } }), 201),
      flux,
      V.extension,
    );
    r = await emu
      .http()
      .patch(`${flux}?api-version=${V.extension}`)
      .send({ properties: { version: '0.4.7', configurationProtectedSettings: { k: 'v' } } });
    assert.equal(r.status, 202);
    assert.equal(r.body.properties.provisioningState, 'Updating');
    assert.ok(r.headers['azure-asyncoperation']);
    const opUrl = new URL(r.headers['azure-asyncoperation']);
    const e = await settle(emu, r, flux, V.extension);
    assert.equal(e.properties.currentVersion, '0.4.7');
    assert.equal(e.properties.version, '0.4.7');
    assert.deepEqual(e.properties.configurationSettings, { a: '1' });
    // the per-extension operation status route
    const opId = opUrl.pathname.split('/').pop();
    const st = await emu.http().get(`${flux}/operations/${opId}?api-version=${V.extension}`);
    assert.equal(st.status, 200);
    // OperationStatusResult: id, name, status, properties (and error)
    assert.deepEqual(st.body, { id: `${flux}/operations/${opId}`, name: opId, status: 'Succeeded', properties: {} });
    // the host's operations: those in progress on its configuration (none now); 404 for a host that does not exist
    const ops = await emu.http().get(`${app}/providers/Microsoft.KubernetesConfiguration/operations?api-version=${V.extension}`);
    assert.equal(ops.status, 200);
    assert.deepEqual(ops.body, { value: [] });
    // an update held open (the emulator's time control) shows as in progress there
    emu.services.asyncOperations.setGateRules([{ typeKey: 'microsoft.kubernetesconfiguration/extensions', operation: 'update', gate: { mode: 'polls', polls: 2 } }]);
    const hold = await emu
      .http()
      .patch(`${flux}?api-version=${V.extension}`)
      .send({ properties: { configurationSettings: { a: '2' } } });
    const busy = await emu.http().get(`${app}/providers/Microsoft.KubernetesConfiguration/operations?api-version=${V.extension}`);
    assert.deepEqual(
      busy.body.value.map((o: any) => [o.id.split('/operations/')[0], o.status]),
      [[flux, 'InProgress']],
    );
    emu.services.asyncOperations.setGateRules([]);
    await settle(emu, hold, flux, V.extension); // its polls open the gate
    const ghost = await emu.http().get(`${applianceId('ghost')}/providers/Microsoft.KubernetesConfiguration/operations?api-version=${V.extension}`);
    assert.equal(ghost.status, 404);
    assert.equal(ghost.body.error.code, 'ParentResourceNotFound');
    const s = await site(emu);
    assert.equal(s.packages.find((p: any) => p.owner === flux).version, '0.4.7');
    // forceDelete
    r = await emu.http().delete(`${flux}?api-version=${V.extension}&forceDelete=true`);
    assert.ok([200, 202].includes(r.status));
    await del(emu, flux, V.extension);
    void aks;
  });

  it('actions: listClusterUserCredential, listkeys, upgradeGraphs, telemetryconfig, operations; extensions on a managed cluster', async () => {
    const { app } = await buildPlatform(emu);
    let r = await emu.http().post(`${app}/listClusterUserCredential?api-version=${V.appliance}`).send({});
    assert.equal(r.status, 200);
    assert.equal(r.body.kubeconfigs[0].name, 'clusterUser');
    assert.match(Buffer.from(r.body.kubeconfigs[0].value, 'base64').toString(), /kind: Config/);
    assert.ok(r.body.hybridConnectionConfig.token);
    r = await emu.http().post(`${app}/listkeys?api-version=${V.appliance}&artifactType=LogsArtifactType`).send({});
    assert.equal(r.status, 200);
    assert.ok(r.body.sshKeys.SSHCustomerUser.publicKey);
    assert.deepEqual(Object.keys(r.body.sshKeys).sort(), ['LogsKey', 'ManagementCAKey', 'SSHCustomerUser', 'ScopedAccessKey']);
    assert.match(r.body.sshKeys.ManagementCAKey.publicKey, /ManagementCAKey$/);
    r = await emu.http().get(`${app}/upgradeGraphs/stable?api-version=${V.appliance}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.properties.applianceVersion, '1.0.18');
    r = await emu.http().get(`/subscriptions/${rg().split('/')[2]}/providers/Microsoft.ResourceConnector/telemetryconfig?api-version=${V.appliance}`);
    assert.equal(r.status, 200);
    assert.ok(r.body.telemetryInstrumentationKey);
    for (const ns of ['Microsoft.ResourceConnector', 'Microsoft.KubernetesConfiguration', 'Microsoft.ExtendedLocation', 'Microsoft.AzureStackHCI']) {
      r = await emu
        .http()
        .get(
          `/providers/${ns}/operations?api-version=${ns === 'Microsoft.ResourceConnector' ? V.appliance : ns === 'Microsoft.ExtendedLocation' ? V.customLocation : ns === 'Microsoft.AzureStackHCI' ? V.lnet : V.extension}`,
        );
      assert.equal(r.status, 200, ns);
      assert.ok(r.body.value.length > 0, ns);
    }
    // an extension on an AKS cluster in an Azure region; the HCI operator is refused there
    const mc = `${rg()}/providers/Microsoft.ContainerService/managedClusters/aks1`;
    const c = await emu
      .http()
      .put(`${mc}?api-version=2024-02-01`)
      .send({
        location: 'eastus',
        identity: { type: 'SystemAssigned' },
        properties: { dnsPrefix: 'aks1', agentPoolProfiles: [{ name: 'nodepool1', count: 1, vmSize: 'Standard_DS2_v2', mode: 'System' }] },
      });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    await settle(emu, c, mc, '2024-02-01');
    r = await put(emu, extensionId(mc, 'hci'), V.extension, extensionBody('Microsoft.AZStackHCI.Operator'), 400);
    assert.equal(r.body.error.code, 'ExtensionTypeNotSupportedOnCluster');
    const mon = extensionId(mc, 'azuremonitor');
    const e = await settle(emu, await put(emu, mon, V.extension, extensionBody('microsoft.azuremonitor.containers'), 201), mon, V.extension);
    assert.equal(e.properties.provisioningState, 'Succeeded');
    const region = (await emu.http().get('/_emulator/fabric?site=eastus')).body.sites[0];
    assert.equal(region.packages.length, 1);
    // deleting the cluster removes its extensions and what they installed
    await del(emu, mc, '2024-02-01');
    assert.equal((await emu.http().get(`${mon}?api-version=${V.extension}`)).status, 404);
    assert.deepEqual((await emu.http().get('/_emulator/fabric?site=eastus')).body.sites[0].packages, []);
  });

  it('deleting the resource group takes the whole platform down in an order that works, and frees the site', async () => {
    const before = await site(emu);
    await buildPlatform(emu, { lnet: true });
    const r = await emu.http().delete(`${rg()}?api-version=${V.rg}`);
    assert.equal(r.status, 202);
    const p = await waitForLocation(emu, r.headers.location);
    assert.ok(p.status === 200 || p.status === 204, JSON.stringify(p.body));
    assert.equal((await emu.http().get(`${rg()}?api-version=${V.rg}`)).status, 404);
    const s = await site(emu);
    assert.deepEqual(s.packages, []);
    assert.deepEqual(s.capacity, before.capacity);
    assert.deepEqual(
      s.logicalNetworks.map((x: any) => x.name),
      ['lnet-compute'],
    );
  });

  it('binds each bridge deterministically: the site whose config names it, else the first free HCI site', async () => {
    await emu.close();
    const file = path.join(tmpDir(), 'sites.json');
    writeFileSync(file, JSON.stringify({ sites: [{ name: 'branch-a', kind: 'AzureStackHCI', hosts: { count: 1, cores: 16, memoryGB: 64 }, capabilities: { arcResourceBridges: ['edge-bridge'] } }] }));
    emu = await startTestEmulator(['--config', file]);
    await put(emu, rg(), V.rg, { location: 'eastus' }, 201);
    await settle(emu, await put(emu, applianceId('first'), V.appliance, applianceBody(), 201), applianceId('first'), V.appliance);
    await settle(emu, await put(emu, applianceId('edge-bridge'), V.appliance, applianceBody(), 201), applianceId('edge-bridge'), V.appliance);
    assert.ok(
      (await site(emu, 'hci-site-1')).vms.some((v: any) => v.owner === applianceId('first')),
      "'first' is on the first HCI site that reserves no names",
    );
    assert.ok(
      (await site(emu, 'branch-a')).vms.some((v: any) => v.owner === applianceId('edge-bridge')),
      "'edge-bridge' is on the site that names it",
    );
    const r = await put(emu, applianceId('third'), V.appliance, applianceBody(), 409);
    assert.equal(r.body.error.code, 'ApplianceAlreadyExists');
    assert.match(r.body.error.message, /'hci-site-1' has .*first'; 'branch-a' has .*edge-bridge'/);
  });

  it('two bridges racing for the one HCI site: one gets it, the other is refused or fails, one bridge VM', async () => {
    await put(emu, rg(), V.rg, { location: 'eastus' }, 201);
    const [a, b] = await Promise.all(['race-a', 'race-b'].map((n) => put(emu, applianceId(n), V.appliance, applianceBody())));
    const outcomes: string[] = [];
    for (const r of [a, b]) {
      if (r.status === 409) outcomes.push('refused');
      else outcomes.push((await waitForOperation(emu, r.headers['azure-asyncoperation'])).status);
    }
    assert.equal(outcomes.filter((o) => o === 'Succeeded').length, 1, outcomes.join());
    const s = await site(emu);
    assert.equal(s.vms.filter((v: any) => v.role === 'appliance').length, 1);
  });

  it('a Dynamic logical network: the properties real responses carry (vlan 0, empty routes and DNS); pools given with it are its DHCP scope', async () => {
    const p = await buildPlatform(emu);
    const bare = lnetId('dyn-bare');
    const b = {
      location: 'eastus',
      extendedLocation: { type: 'CustomLocation', name: p.cl },
      properties: { subnets: [{ name: 'default', properties: { ipAllocationMethod: 'Dynamic' } }], vmSwitchName: 'ComputeSwitch' },
    };
    const n = await settle(emu, await put(emu, bare, V.lnet, b, 201), bare, V.lnet);
    assert.deepEqual(n.properties.dhcpOptions, { dnsServers: [] });
    assert.deepEqual(n.properties.subnets[0].properties, { ipAllocationMethod: 'Dynamic', vlan: 0, ipPools: [], routeTable: { properties: { routes: [] } }, ipConfigurationReferences: [] });
    // as the HCI VM quickstart's prerequisites write it: Dynamic with a pool
    const scoped = lnetId('dyn-scope');
    const body = lnetBody(p.cl, '172.18.0.0/22', 0, { start: '172.18.1.100', end: '172.18.1.200' });
    body.properties.subnets[0].properties.ipAllocationMethod = 'Dynamic';
    const d = await settle(emu, await put(emu, scoped, V.lnet, body, 201), scoped, V.lnet);
    assert.equal(d.properties.provisioningState, 'Succeeded');
    const net = (await site(emu)).logicalNetworks.find((x: any) => x.name === 'dyn-scope');
    assert.equal(net.dhcp, true);
    assert.equal(net.freeIps, 101);
  });
});
