// Connected clusters onboarded through ARM as `az connectedk8s connect` does, then the extensions and
// Flux configurations users put on them, over REST: the agents' reports (Connecting -> Connected ->
// Offline -> Expired, driven by the emulator's time control), the cluster behind it on the fabric,
// every catalogued extension type with its settings and dependencies, and GitOps v2.
import assert from 'node:assert/strict';
import { SUB, startTestEmulator, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { del, extensionId, put, rg, settle, V } from './helpers.js';
import { AGENT_VERSION } from '../../src/providers/Microsoft.Kubernetes/agent.js';
import { EXTENSION_TYPES } from '../../src/kubernetes/extensionTypes.js';

const CV = '2024-01-01';
const FV = '2023-05-01';
const ccId = (name: string) => `${rg()}/providers/Microsoft.Kubernetes/connectedClusters/${name}`;
const fluxId = (cc: string, name: string) => `${cc}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/${name}`;
/** What `az connectedk8s connect` sends (2024-01-01). */
const connectBody = (infrastructure = 'generic', distribution = 'k3s') => ({
  location: 'eastus',
  identity: { type: 'SystemAssigned' },
  properties: { agentPublicKeyCertificate: Buffer.from('agent-public-key').toString('base64'), distribution, infrastructure },
});
const gitBody = (extra: Record<string, unknown> = {}) => ({
  properties: {
    scope: 'cluster',
    namespace: 'cluster-config',
    sourceKind: 'GitRepository',
    gitRepository: { url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', repositoryRef: { branch: 'main' }, syncIntervalInSeconds: 120 },
    kustomizations: {
      infra: { path: './infrastructure', prune: true },
      apps: { path: './apps/staging', dependsOn: ['infra'], prune: true },
    },
    ...extra,
  },
});

async function fabricSite(emu: TestEmulator, name: string) {
  return (await emu.http().get(`/_emulator/fabric?site=${name}`)).body.sites[0];
}
const get = async (emu: TestEmulator, id: string, v: string) => (await emu.http().get(`${id}?api-version=${v}`)).body;

async function connect(emu: TestEmulator, name: string, infrastructure = 'generic') {
  const id = ccId(name);
  const body = await settle(emu, await put(emu, id, CV, connectBody(infrastructure), 201), id, CV);
  assert.equal(body.properties.provisioningState, 'Succeeded');
  return id;
}

async function install(emu: TestEmulator, cc: string, name: string, extensionType: string, extra: Record<string, unknown> = {}) {
  const id = extensionId(cc, name);
  const e = await settle(emu, await put(emu, id, V.extension, { properties: { extensionType, ...extra } }, 201), id, V.extension);
  assert.equal(e.properties.provisioningState, 'Succeeded', JSON.stringify(e));
  return id;
}

describe('Arc-connected clusters: onboarding, agents, extensions and GitOps (REST)', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  beforeEach(async () => {
    emu = await startTestEmulator();
    await put(emu, rg(), V.rg, { location: 'eastus' }, 201);
  });
  afterEach(async () => emu?.close());

  it('connect: the resource, the cluster behind it on the fabric, then the agents report in; delete frees it', async () => {
    const id = ccId('k3s-1');
    // the connect operation held open (time control): the agents have not reported yet
    emu.services.asyncOperations.setGateRules([{ typeKey: 'microsoft.kubernetes/connectedclusters', operation: 'create', gate: { mode: 'polls', polls: 2 } }]);
    const r = await put(emu, id, CV, connectBody(), 201);
    assert.equal(r.body.properties.provisioningState, 'Accepted');
    assert.ok(r.headers['azure-asyncoperation']);
    const during = await get(emu, id, CV);
    assert.equal(during.properties.connectivityStatus, 'Connecting');
    assert.equal(during.properties.agentVersion, undefined);
    emu.services.asyncOperations.setGateRules([]);
    // registered, agents installed; at time scale 1 their first report is still half a minute away
    await emu.http().put('/_emulator/operations/time-scale').send({ timeScale: 1 });
    const done = await settle(emu, r, id, CV);
    assert.equal(done.properties.provisioningState, 'Succeeded');
    assert.equal(done.properties.connectivityStatus, 'Connecting');
    await emu.http().put('/_emulator/operations/time-scale').send({ timeScale: 0 });
    const c = await get(emu, id, CV);
    assert.equal(c.properties.connectivityStatus, 'Connected');
    assert.equal(c.properties.agentVersion, AGENT_VERSION);
    assert.equal(c.properties.distribution, 'k3s');
    assert.equal(c.properties.infrastructure, 'generic');
    assert.match(c.properties.kubernetesVersion, /^1\.\d+\.\d+$/);
    assert.equal(c.properties.totalNodeCount, 3);
    assert.equal(c.properties.totalCoreCount, 12);
    assert.ok(Date.parse(c.properties.lastConnectivityTime) > 0);
    assert.ok(Date.parse(c.properties.managedIdentityCertificateExpirationTime) > Date.now() + 80 * 86_400_000);
    assert.equal(c.properties.azureHybridBenefit, 'NotApplicable');
    assert.equal(c.identity.type, 'SystemAssigned');
    // a generic cluster runs in its location's Azure region: one control plane, two workers
    const region = await fabricSite(emu, 'eastus');
    const vms = region.vms.filter((v: any) => v.owner === id);
    assert.deepEqual(vms.map((v: any) => v.role).sort(), ['controlPlane', 'worker', 'worker']);
    assert.ok(vms.every((v: any) => v.state === 'Running' && v.kubernetesVersion === c.properties.kubernetesVersion));
    // 2021-10-01 has no kind nor the 2024 properties; 2021-03-01 the same model
    const old = await get(emu, id, '2021-10-01');
    assert.equal(old.kind, undefined);
    assert.equal(old.properties.azureHybridBenefit, undefined);
    assert.equal(old.properties.connectivityStatus, 'Connected');
    // deleting it frees the cluster behind it
    await del(emu, id, CV);
    assert.equal((await fabricSite(emu, 'eastus')).vms.filter((v: any) => v.owner === id).length, 0);
  });

  it('infrastructure azure_stack_hci puts the cluster on the HCI site, with its capacity; Offline when the site is cut off, Expired 90 days later, Connected again', async () => {
    const before = await fabricSite(emu, 'hci-site-1');
    const id = await connect(emu, 'edge-1', 'azure_stack_hci');
    let s = await fabricSite(emu, 'hci-site-1');
    const mine = s.vms.filter((v: any) => v.owner === id);
    assert.equal(mine.length, 3);
    assert.equal(s.capacity.freeCores, before.capacity.freeCores - 12);
    assert.equal((await get(emu, id, CV)).properties.connectivityStatus, 'Connected');
    // the site loses its link: the agents cannot report
    assert.equal((await emu.http().post('/_emulator/fabric/sites/hci-site-1/disconnect')).status, 200);
    const off = (await get(emu, id, CV)).properties;
    assert.equal(off.connectivityStatus, 'Offline');
    const lost = Date.parse(off.lastConnectivityTime);
    assert.ok(Date.now() - lost < 60_000);
    assert.equal(Date.parse(off.managedIdentityCertificateExpirationTime), lost + 90 * 86_400_000);
    // 89 days on the emulator's calendar: still Offline; 2 more: the certificate ran out
    const adv = await emu.http().post('/_emulator/clock/advance').send({ days: 89 });
    assert.equal(adv.status, 200, JSON.stringify(adv.body));
    assert.equal((await get(emu, id, CV)).properties.connectivityStatus, 'Offline');
    await emu.http().post('/_emulator/clock/advance').send({ days: 2 });
    assert.equal((await get(emu, id, CV)).properties.connectivityStatus, 'Expired');
    assert.equal((await emu.http().post('/_emulator/clock/advance').send({ seconds: -1 })).status, 400);
    // back online: the agents report again
    await emu.http().post('/_emulator/fabric/sites/hci-site-1/connect');
    const back = (await get(emu, id, CV)).properties;
    assert.equal(back.connectivityStatus, 'Connected');
    assert.ok(Date.parse(back.lastConnectivityTime) >= Date.now() + 90 * 86_400_000);
    await del(emu, id, CV);
    s = await fabricSite(emu, 'hci-site-1');
    assert.equal(s.capacity.freeCores, before.capacity.freeCores);
  });

  it('extensions on a plain connected cluster: every catalogued type with its trains and settings, dependencies first, one per type', async () => {
    const cc = await connect(emu, 'ext-1');
    const arcTypes = EXTENSION_TYPES.filter((t) => t.hosts.includes('microsoft.kubernetes/connectedclusters') && !t.connectedClusterKind);
    assert.ok(arcTypes.length >= 8, arcTypes.map((t) => t.name).join());
    // dependencies: IoT Operations needs cert management and the secret store, the secret store needs cert management
    let r = await put(emu, extensionId(cc, 'aio'), V.extension, { properties: { extensionType: 'microsoft.iotoperations' } }, 400);
    assert.equal(r.body.error.code, 'ExtensionDependencyNotInstalled');
    assert.match(r.body.error.message, /'microsoft\.certmanagement' and 'microsoft\.azure\.secretstore'/);
    r = await put(emu, extensionId(cc, 'sse'), V.extension, { properties: { extensionType: 'microsoft.azure.secretstore' } }, 400);
    assert.match(r.body.error.message, /'microsoft\.certmanagement'/);
    // settings are checked as the charts read them
    r = await put(
      emu,
      extensionId(cc, 'kv'),
      V.extension,
      { properties: { extensionType: 'Microsoft.AzureKeyVaultSecretsProvider', configurationSettings: { 'secrets-store-csi-driver.enableSecretRotation': 'yes' } } },
      400,
    );
    assert.equal(r.body.error.target, 'properties.configurationSettings.secrets-store-csi-driver.enableSecretRotation');
    r = await put(
      emu,
      extensionId(cc, 'mon'),
      V.extension,
      {
        properties: {
          extensionType: 'microsoft.azuremonitor.containers',
          configurationSettings: { logAnalyticsWorkspaceResourceID: `/subscriptions/${SUB}/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/y` },
        },
      },
      400,
    );
    assert.match(r.body.error.message, /Microsoft\.OperationalInsights\/workspaces/);
    // MetalLB is for AKS hybrid clusters only
    r = await put(emu, extensionId(cc, 'lb'), V.extension, { properties: { extensionType: 'microsoft.arcnetworking' } }, 400);
    assert.equal(r.body.error.code, 'ExtensionTypeNotSupportedOnCluster');
    // in dependency order, every Arc type with valid settings
    const settings: Record<string, Record<string, string>> = {
      'microsoft.flux': { 'multiTenancy.enforce': 'false', 'helm-controller.enabled': 'true' },
      'microsoft.azuremonitor.containers': {
        logAnalyticsWorkspaceResourceID: `/subscriptions/${SUB}/resourceGroups/arc/providers/Microsoft.OperationalInsights/workspaces/logs1`,
        'amalogs.useAADAuth': 'true',
      },
      'microsoft.certmanagement': { AgentOperationTimeoutInMinutes: '20', 'cert-manager.config.enableGatewayAPI': 'true' },
      'microsoft.azure.secretstore': { rotationPollIntervalInSeconds: '3600' },
      'microsoft.iotoperations': { trustSource: 'SelfSigned' },
      'microsoft.openservicemesh': { 'osm.osm.enablePermissiveTrafficPolicy': 'true' },
      'microsoft.azuredefender.kubernetes': {
        logAnalyticsWorkspaceResourceID: `/subscriptions/${SUB}/resourceGroups/arc/providers/Microsoft.OperationalInsights/workspaces/logs1`,
        auditLogPath: '/var/log/kube-apiserver/audit.log',
      },
      'microsoft.azurekeyvaultsecretsprovider': { 'secrets-store-csi-driver.enableSecretRotation': 'true', 'secrets-store-csi-driver.rotationPollInterval': '2m' },
    };
    const order = ['microsoft.certmanagement', 'microsoft.azure.secretstore', 'microsoft.iotoperations'];
    const sorted = [...arcTypes].sort((a, b) => order.indexOf(a.name.toLowerCase()) - order.indexOf(b.name.toLowerCase()));
    for (const t of sorted) {
      const name = t.name
        .toLowerCase()
        .replace(/^microsoft\./, '')
        .replace(/\./g, '-')
        .slice(0, 30);
      const id = await install(emu, cc, name, t.name, { configurationSettings: settings[t.name.toLowerCase()] ?? {} });
      const e = await get(emu, id, V.extension);
      const train = Object.keys(t.releaseTrains)[0];
      assert.equal(e.properties.currentVersion, t.releaseTrains[train].at(-1));
      assert.deepEqual(e.properties.scope, { cluster: { releaseNamespace: t.defaultReleaseNamespace } });
      assert.deepEqual(e.properties.configurationSettings, settings[t.name.toLowerCase()] ?? {});
    }
    const site = await fabricSite(emu, 'eastus');
    const pkgs = site.packages
      .filter((p: any) => p.host === cc)
      .map((p: any) => p.packageType.toLowerCase())
      .sort();
    assert.deepEqual(pkgs, arcTypes.map((t) => t.name.toLowerCase()).sort());
    // one per type; a pinned version from another train
    r = await put(emu, extensionId(cc, 'flux2'), V.extension, { properties: { extensionType: 'microsoft.flux' } }, 409);
    assert.equal(r.body.error.code, 'ExtensionTypeAlreadyInstalled');
    const osm = extensionId(cc, 'openservicemesh');
    const pinned = await settle(
      emu,
      await put(emu, osm, V.extension, { properties: { extensionType: 'Microsoft.openservicemesh', releaseTrain: 'pilot', autoUpgradeMinorVersion: false, version: '1.2.11' } }, 200),
      osm,
      V.extension,
    );
    assert.equal(pinned.properties.currentVersion, '1.2.11');
    // what others need cannot go first
    r = await emu.http().delete(`${extensionId(cc, 'certmanagement')}?api-version=${V.extension}`);
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'ExtensionInUse');
    // deleting the cluster takes its extensions and what they installed
    await del(emu, cc, CV);
    assert.equal((await emu.http().get(`${extensionId(cc, 'flux')}?api-version=${V.extension}`)).status, 404);
    assert.deepEqual(
      (await fabricSite(emu, 'eastus')).packages.filter((p: any) => p.host === cc),
      [],
    );
  });

  it('extensions: every api-version from 2021-09-01 on, each with its own model', async () => {
    const cc = await connect(emu, 'ver-1');
    const id = await install(emu, cc, 'flux', 'microsoft.flux');
    for (const [v, has, lacks] of [
      ['2021-09-01', [], ['installedVersion', 'currentVersion', 'isSystemExtension']],
      ['2022-03-01', ['installedVersion'], ['currentVersion', 'isSystemExtension']],
      ['2022-07-01', ['installedVersion'], ['currentVersion']],
      ['2022-11-01', ['currentVersion', 'isSystemExtension'], ['installedVersion']],
      ['2025-03-01', ['currentVersion'], ['installedVersion']],
    ] as const) {
      const r = await emu.http().get(`${id}?api-version=${v}`);
      assert.equal(r.status, 200, `${v}: ${JSON.stringify(r.body)}`);
      for (const k of has) assert.ok(k in r.body.properties, `${v} has ${k}`);
      for (const k of lacks) assert.ok(!(k in r.body.properties), `${v} lacks ${k}`);
    }
    assert.equal((await emu.http().get(`${cc}/providers/Microsoft.KubernetesConfiguration/extensions?api-version=2021-09-01`)).body.value.length, 1);
  });

  it('GitOps v2: Flux required first; a configuration reconciles to Compliant with one status per Flux object; checked as the service checks it', async () => {
    const cc = await connect(emu, 'gitops-1');
    const fc = fluxId(cc, 'cluster-config');
    let r = await put(emu, fc, FV, gitBody(), 400);
    assert.equal(r.body.error.code, 'FluxExtensionNotInstalled');
    await install(emu, cc, 'flux', 'microsoft.flux');
    // refusals, before anything is created
    const refuse = async (body: any, target: RegExp) => {
      const x = await put(emu, fc, FV, body, 400);
      assert.match(String(x.body.error.target), target, JSON.stringify(x.body));
    };
    await refuse(gitBody({ gitRepository: { url: 'https://github.com/org/repo' } }), /repositoryRef/);
    await refuse(gitBody({ gitRepository: { url: 'ftp://host/repo', repositoryRef: { branch: 'main' } } }), /gitRepository\.url/);
    await refuse(gitBody({ kustomizations: { a: { path: './a', dependsOn: ['b'] }, b: { path: './b', dependsOn: ['a'] } } }), /kustomizations/);
    await refuse(gitBody({ kustomizations: { a: { path: './a', dependsOn: ['nope'] } } }), /kustomizations\.a\.dependsOn/);
    await refuse(gitBody({ sourceKind: 'Bucket' }), /properties\.gitRepository/);
    await refuse({ properties: { sourceKind: 'Bucket' } }, /properties\.bucket/);
    await refuse(gitBody({ gitRepository: { url: 'https://github.com/org/repo', repositoryRef: { branch: 'main' }, httpsUser: 'me' } }), /httpsKey/);
    assert.equal((await emu.http().get(`${fc}?api-version=${FV}`)).status, 404);
    // created: Creating / Pending, then Succeeded / Compliant
    emu.services.asyncOperations.setGateRules([{ typeKey: 'microsoft.kubernetesconfiguration/fluxconfigurations', operation: 'create', gate: { mode: 'polls', polls: 2 } }]);
    r = await put(emu, fc, FV, { ...gitBody(), properties: { ...gitBody().properties, configurationProtectedSettings: { sshPrivateKey: 'unused' } } });
    assert.equal(r.status, 400, 'an SSH key for an https URL is refused');
    r = await put(emu, fc, FV, gitBody(), 201);
    assert.equal(r.body.properties.provisioningState, 'Creating');
    assert.equal(r.body.properties.complianceState, 'Pending');
    const busy = await emu.http().get(`${cc}/providers/Microsoft.KubernetesConfiguration/operations?api-version=${FV}`);
    assert.equal(busy.body.value.length, 1);
    emu.services.asyncOperations.setGateRules([]);
    const f = await settle(emu, r, fc, FV);
    assert.equal(f.properties.provisioningState, 'Succeeded');
    assert.equal(f.properties.complianceState, 'Compliant');
    assert.match(f.properties.sourceSyncedCommitId, /^main@sha1:[0-9a-f]{40}$/);
    assert.deepEqual(
      f.properties.statuses.map((s: any) => [s.kind, s.name, s.complianceState]),
      [
        ['GitRepository', 'cluster-config', 'Compliant'],
        ['Kustomization', 'cluster-config-infra', 'Compliant'],
        ['Kustomization', 'cluster-config-apps', 'Compliant'],
      ],
    );
    assert.equal(f.properties.kustomizations.apps.name, 'apps');
    assert.equal(f.properties.kustomizations.apps.syncIntervalInSeconds, 600);
    assert.deepEqual(f.properties.kustomizations.apps.dependsOn, ['infra']);
    assert.equal(f.properties.gitRepository.syncIntervalInSeconds, 120);
    assert.ok((await fabricSite(emu, 'eastus')).packages.some((p: any) => p.owner === fc && p.packageType === 'fluxConfiguration'));
    // PATCH: suspend, then a kustomization removed (null)
    r = await emu
      .http()
      .patch(`${fc}?api-version=${FV}`)
      .send({ properties: { suspend: true, kustomizations: { apps: null } } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const p = await settle(emu, r, fc, FV);
    assert.equal(p.properties.complianceState, 'Suspended');
    assert.deepEqual(Object.keys(p.properties.kustomizations), ['infra']);
    // a source Flux cannot reach: Non-Compliant with Flux's message
    const bad = fluxId(cc, 'unreachable');
    const u = await settle(emu, await put(emu, bad, FV, gitBody({ gitRepository: { url: 'https://git.example.invalid/org/repo', repositoryRef: { tag: 'v1.0.0' } } }), 201), bad, FV);
    assert.equal(u.properties.provisioningState, 'Succeeded');
    assert.equal(u.properties.complianceState, 'Non-Compliant');
    assert.match(u.properties.statuses[0].statusConditions[0].message, /no such host/);
    // SSH without a key: the service shows the public key Flux generated
    const ssh = fluxId(cc, 'over-ssh');
    const k = await settle(emu, await put(emu, ssh, FV, gitBody({ gitRepository: { url: 'ssh://git@github.com/org/repo.git', repositoryRef: { branch: 'main' } } }), 201), ssh, FV);
    assert.match(Buffer.from(k.properties.repositoryPublicKey, 'base64').toString(), /^ssh-rsa /);
    // Flux cannot be removed while configurations use it
    const busyFlux = await emu.http().delete(`${extensionId(cc, 'flux')}?api-version=${V.extension}`);
    assert.equal(busyFlux.status, 409);
    for (const id of [fc, bad, ssh]) await del(emu, id, FV);
    await del(emu, extensionId(cc, 'flux'), V.extension);
  });

  it('GitOps on an AKS cluster and the older api-versions of fluxConfigurations', async () => {
    const mc = `${rg()}/providers/Microsoft.ContainerService/managedClusters/aks-gitops`;
    const c = await emu
      .http()
      .put(`${mc}?api-version=2024-02-01`)
      .send({
        location: 'eastus',
        identity: { type: 'SystemAssigned' },
        properties: { dnsPrefix: 'aksg', agentPoolProfiles: [{ name: 'nodepool1', count: 1, vmSize: 'Standard_DS2_v2', mode: 'System' }] },
      });
    assert.equal((await waitForOperation(emu, c.headers['azure-asyncoperation'])).status, 'Succeeded');
    await install(emu, mc, 'flux', 'microsoft.flux');
    const fc = fluxId(mc, 'bucket-config');
    const b = await settle(
      emu,
      await put(
        emu,
        fc,
        '2022-03-01',
        {
          properties: {
            sourceKind: 'Bucket',
            bucket: { url: 'https://minio.contoso.com', bucketName: 'manifests', accessKey: 'minio' },
            configurationProtectedSettings: { bucketSecretKey: 'c2VjcmV0' },
            kustomizations: { all: { path: './' } },
          },
        },
        201,
      ),
      fc,
      '2022-03-01',
    );
    assert.equal(b.properties.complianceState, 'Compliant');
    assert.equal(b.properties.statuses[0].kind, 'Bucket');
    assert.ok(!JSON.stringify(b).includes('c2VjcmV0'));
    // 2022-01-01-preview names the synced commit lastSourceUpdatedCommitId; 2021-11-01-preview has no Bucket
    const old = await get(emu, fc, '2022-01-01-preview');
    assert.ok('lastSourceUpdatedCommitId' in old.properties && !('sourceSyncedCommitId' in old.properties));
    const r = await put(emu, fluxId(mc, 'nope'), '2021-11-01-preview', { properties: { sourceKind: 'Bucket', bucket: { url: 'https://minio.contoso.com', bucketName: 'm' } } }, 400);
    assert.match(r.body.error.message, /not in api-version 2021-11-01-preview/);
    await del(emu, mc, '2024-02-01');
    assert.equal((await emu.http().get(`${fc}?api-version=${FV}`)).status, 404);
  });
});
