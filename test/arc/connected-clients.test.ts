// Real clients on the connected-cluster path: az 2.45 (az resource / az rest; the connectedk8s,
// k8s-extension and k8s-configuration az extensions cannot be installed here) in the default profile
// and the Azure Stack Hub hybrid profile, and Debian's python3-azure azure-mgmt-hybridkubernetes and
// azure-mgmt-kubernetesconfiguration: connect a cluster, install Flux and a GitOps configuration, and
// every catalogued extension type the cluster can take.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { SUB, startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { AzSession, ensureAz } from '../support/az.js';
import { runPython } from '../support/python.js';
import { EXTENSION_TYPES } from '../../src/kubernetes/extensionTypes.js';

const WS = (rg: string) => `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.OperationalInsights/workspaces/logs`;
/** Every catalogued type a plain connected cluster takes, dependencies first, with settings the charts accept. */
function arcTypes(rg: string): [string, string, Record<string, string>][] {
  const order = ['microsoft.certmanagement', 'microsoft.azure.secretstore', 'microsoft.iotoperations'];
  const settings: Record<string, Record<string, string>> = {
    'microsoft.azuremonitor.containers': { logAnalyticsWorkspaceResourceID: WS(rg) },
    'microsoft.azuredefender.kubernetes': { logAnalyticsWorkspaceResourceID: WS(rg) },
    'microsoft.azurekeyvaultsecretsprovider': { 'secrets-store-csi-driver.enableSecretRotation': 'true' },
  };
  return EXTENSION_TYPES.filter((t) => t.hosts.includes('microsoft.kubernetes/connectedclusters') && !t.connectedClusterKind)
    .sort((a, b) => order.indexOf(a.name.toLowerCase()) - order.indexOf(b.name.toLowerCase()))
    .map((t) => [
      t.name
        .toLowerCase()
        .replace(/^microsoft\./, '')
        .replace(/\./g, '-'),
      t.name,
      settings[t.name.toLowerCase()] ?? {},
    ]);
}

describe('real clients: connected clusters, extensions and GitOps', function () {
  this.timeout(600_000);
  let emu: TestEmulator;
  before(async () => {
    ensureAz();
    emu = await startTestEmulator();
  });
  after(async () => emu?.close());

  for (const profile of ['latest', '2020-09-01-hybrid'] as const) {
    it(`az resource / az rest (${profile} profile): connect, Flux, a GitOps configuration, the catalogued extensions, delete`, async () => {
      const az = new AzSession(emu);
      await az.login(profile === 'latest' ? undefined : profile);
      const rg = `cc-${profile === 'latest' ? 'az' : 'hub'}`;
      await az.ok(['group', 'create', '-n', rg, '-l', 'eastus']);
      const cc = `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Kubernetes/connectedClusters/k3s-1`;
      const kc = `${cc}/providers/Microsoft.KubernetesConfiguration`;
      const c = await az.ok([
        'resource',
        'create',
        '--id',
        cc,
        '--api-version',
        '2024-01-01',
        '--is-full-object',
        '--properties',
        JSON.stringify({ location: 'eastus', identity: { type: 'SystemAssigned' }, properties: { agentPublicKeyCertificate: 'YWdlbnQta2V5', distribution: 'k3s', infrastructure: 'generic' } }),
      ]);
      assert.equal(c.properties.provisioningState, 'Succeeded');
      const shown = await az.ok(['resource', 'show', '--id', cc, '--api-version', '2024-01-01']);
      assert.equal(shown.properties.connectivityStatus, 'Connected');
      assert.equal(shown.properties.totalNodeCount, 3);
      // az rest does not wait: poll with az resource show, as a user does
      const waitFor = async (id: string, v: string) => {
        let state = '';
        for (let i = 0; i < 30 && !['Succeeded', 'Failed'].includes(state); i++) state = (await az.ok(['resource', 'show', '--id', id, '--api-version', v])).properties.provisioningState;
        assert.equal(state, 'Succeeded', id);
      };
      // every catalogued type in the default profile; Flux and one more in the hybrid profile (az's own time is the cost)
      const types = profile === 'latest' ? arcTypes(rg) : arcTypes(rg).filter(([, t]) => ['microsoft.flux', 'microsoft.certmanagement'].includes(t));
      for (const [name, type, settings] of types) {
        const e = await az.ok([
          'rest',
          '--method',
          'put',
          '--url',
          `${kc}/extensions/${name}?api-version=2023-05-01`,
          '--body',
          JSON.stringify({ properties: { extensionType: type, releaseTrain: 'Stable', configurationSettings: settings } }),
        ]);
        assert.equal(e.properties.provisioningState, 'Creating');
        await waitFor(`${kc}/extensions/${name}`, '2023-05-01');
      }
      const list = await az.ok(['rest', '--method', 'get', '--url', `${kc}/extensions?api-version=2023-05-01`]);
      assert.equal(list.value.length, types.length);
      const f = await az.ok([
        'rest',
        '--method',
        'put',
        '--url',
        `${kc}/fluxConfigurations/cluster-config?api-version=2023-05-01`,
        '--body',
        JSON.stringify({
          properties: {
            scope: 'cluster',
            namespace: 'cluster-config',
            sourceKind: 'GitRepository',
            gitRepository: { url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', repositoryRef: { branch: 'main' } },
            kustomizations: { infra: { path: './infrastructure' }, apps: { path: './apps/staging', dependsOn: ['infra'] } },
          },
        }),
      ]);
      assert.equal(f.properties.complianceState, 'Pending');
      await waitFor(`${kc}/fluxConfigurations/cluster-config`, '2023-05-01');
      const fc = await az.ok(['resource', 'show', '--id', `${kc}/fluxConfigurations/cluster-config`, '--api-version', '2023-05-01']);
      assert.equal(fc.properties.complianceState, 'Compliant');
      assert.equal(fc.properties.statuses.length, 3);
      // a refusal reads as ARM's error in az's output
      const dup = await az.run([
        'rest',
        '--method',
        'put',
        '--url',
        `${kc}/extensions/flux-again?api-version=2023-05-01`,
        '--body',
        JSON.stringify({ properties: { extensionType: 'microsoft.flux' } }),
      ]);
      assert.notEqual(dup.code, 0);
      assert.match(dup.stderr, /ExtensionTypeAlreadyInstalled/);
      const d = await az.run(['resource', 'delete', '--id', cc, '--api-version', '2024-01-01']);
      assert.equal(d.code, 0, d.stderr);
      const region = (await emu.http().get('/_emulator/fabric?site=eastus')).body.sites[0];
      assert.deepEqual(
        region.packages.filter((p: any) => p.host === cc),
        [],
      );
      assert.deepEqual(
        region.vms.filter((v: any) => v.owner === cc),
        [],
      );
    });
  }

  it('Python azure-mgmt-hybridkubernetes and azure-mgmt-kubernetesconfiguration: connect, every catalogued extension, GitOps, delete', async () => {
    if (!existsSync('/usr/lib/python3/dist-packages/azure/mgmt/kubernetesconfiguration')) throw new Error('python3-azure is missing: sudo apt-get install -y python3-azure');
    await emu.http().put(`/subscriptions/${SUB}/resourceGroups/py-cc?api-version=2021-04-01`).send({ location: 'eastus' });
    const types = arcTypes('py-cc');
    const out = await runPython(emu, 'connected_clients.py', { RG: 'py-cc', TYPES: JSON.stringify(types) });
    assert.equal(out.cluster.state, 'Succeeded');
    assert.equal(out.cluster.connectivity, 'Connected');
    assert.equal(out.cluster.nodes, 3);
    assert.ok(out.cluster.agent && out.cluster.k8s);
    assert.deepEqual(
      out.extensions.map((e: any) => [e[0], e[1]]),
      types.map(([n]) => [n, 'Succeeded']),
    );
    assert.ok(
      out.extensions.every((e: any) => typeof e[2] === 'string' && e[2].length > 0),
      'installedVersion at 2022-03-01',
    );
    assert.deepEqual(out.extensionList, types.map(([n]) => n).sort());
    assert.deepEqual(out.flux, { state: 'Succeeded', compliance: 'Compliant', kinds: ['GitRepository', 'Kustomization'], commit: out.flux.commit });
    assert.match(out.flux.commit, /^main@sha1:/);
    assert.deepEqual(out.fluxList, ['py-gitops']);
    assert.deepEqual(out.fluxAfterDelete, []);
    assert.deepEqual(out.afterDelete, []);
  });
});
