// Request schemas of hand-built types (issue 25): the framework checks every PUT and PATCH body of a type a
// provider builds by hand against the public spec's schema for the api-version asked for (the catalogue's,
// generated from Azure/azure-rest-api-specs), before the provider's hooks run and before anything is written,
// with the generic provider's error (400 InvalidRequestContent naming the property). What real clients send back
// (read-only properties, unknown ones, other casings) passes. A walk over every hand-built type and api-version
// shows which schema each is checked by.
import assert from 'node:assert/strict';
import { startTestEmulator, rgPath, type TestEmulator } from '../support/emulator.js';
import { clusterBody, writeAndWait } from '../containerservice/helpers.js';
import { specSchemaFor } from '../../src/framework/requestSchema.js';
import { allProviders } from '../../src/providers/index.js';
import { mergeVersions } from '../../src/catalogue/versions.js';
import type { ResourceTypeDefinition } from '../../src/framework/types.js';

const rg = (name = 'schemas') => rgPath(name);
const AKS = '2024-05-01';

describe('request schemas of hand-built types (framework)', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  const put = (id: string, v: string, body: unknown) =>
    emu
      .http()
      .put(`${id}?api-version=${v}`)
      .send(body as object);
  const patch = (id: string, v: string, body: unknown) =>
    emu
      .http()
      .patch(`${id}?api-version=${v}`)
      .send(body as object);
  const get = (id: string, v: string) => emu.http().get(`${id}?api-version=${v}`);
  /** A 400 InvalidRequestContent naming the property, and nothing made. */
  const refused = async (r: { status: number; body: any }, target: string, says: RegExp, id?: string, v?: string) => {
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'InvalidRequestContent', JSON.stringify(r.body));
    assert.equal(r.body.error.target, target, JSON.stringify(r.body));
    assert.match(r.body.error.message, says);
    assert.match(r.body.error.message, new RegExp(`property '${target.replace(/[.[\]]/g, '\\$&')}'`));
    if (id) assert.equal((await get(id, v!)).status, 404, 'nothing was created');
  };
  const ok = (r: { status: number; body: any }) => assert.ok([200, 201, 202].includes(r.status), `${r.status} ${JSON.stringify(r.body)}`);

  const cluster = `${rg()}/providers/Microsoft.ContainerService/managedClusters/aks0`;
  before(async () => {
    emu = await startTestEmulator();
    ok(await put(rg(), '2021-04-01', { location: 'eastus' }));
    const made = await writeAndWait(emu, 'put', `${cluster}?api-version=${AKS}`, clusterBody('eastus'));
    assert.equal(made.status?.status, 'Succeeded', JSON.stringify(made));
  });
  after(async () => emu?.close());

  describe('refused as real ARM refuses them', () => {
    it('an Arc machine (HybridCompute, hand-built) with osType an array: 400 naming properties.osType, nothing made', async () => {
      const id = `${rg()}/providers/Microsoft.HybridCompute/machines/m1`;
      await refused(await put(id, '2024-07-10', { location: 'eastus', kind: 'HCI', properties: { osType: ['linux'] } }), 'properties.osType', /must be a string; got an array/, id, '2024-07-10');
      await refused(await put(id, '2024-07-10', { location: 'eastus', properties: { vmId: 'not-a-guid' } }), 'properties.vmId', /must be at least 36 characters long|pattern/, id, '2024-07-10');
      ok(await put(id, '2024-07-10', { location: 'eastus', kind: 'HCI', properties: { osType: 'linux' } }));
      // PATCH: what is sent must fit (nothing is required)
      await refused(await patch(id, '2024-07-10', { properties: { osType: { name: 'linux' } } }), 'properties.osType', /must be a string/);
      assert.equal((await get(id, '2024-07-10')).body.properties.osType, 'linux', 'the refused PATCH changed nothing');
      ok(await patch(id, '2024-07-10', { tags: { a: 'b' } }));
    });

    it('a managed cluster: a count that is no number, a list that is an object, a switch that is no boolean, at any api-version', async () => {
      const id = `${rg()}/providers/Microsoft.ContainerService/managedClusters/aks1`;
      const body = (over: Record<string, unknown> = {}, pool: Record<string, unknown> = {}) => ({
        location: 'eastus',
        identity: { type: 'SystemAssigned' },
        properties: { dnsPrefix: 'aks1', agentPoolProfiles: [{ name: 'nodepool1', count: 1, vmSize: 'Standard_DS2_v2', mode: 'System', ...pool }], ...over },
      });
      await refused(await put(id, AKS, body({}, { count: 'three' })), 'properties.agentPoolProfiles[0].count', /must be a number; got string "three"/, id, AKS);
      await refused(await put(id, AKS, body({ agentPoolProfiles: { name: 'nodepool1' } })), 'properties.agentPoolProfiles', /must be an array; got an object/, id, AKS);
      await refused(await put(id, AKS, body({}, { enableAutoScaling: 'sometimes' })), 'properties.agentPoolProfiles[0].enableAutoScaling', /must be a boolean/, id, AKS);
      await refused(await put(id, AKS, body({ networkProfile: 'kubenet' })), 'properties.networkProfile', /must be an object; got string "kubenet"/, id, AKS);
      // an api-version the public specs do not publish (2024-06-01) is checked by the nearest published one
      await refused(await put(id, '2024-06-01', body({ enableRBAC: [true] })), 'properties.enableRBAC', /must be a boolean; got an array/, id, AKS);
      // what AKS itself checks keeps AKS's answer (its rule named): the spec's pattern for the pool name comes after
      const own = await put(id, AKS, body({}, { name: 'Bad_Pool' }));
      assert.equal(own.body.error?.code, 'InvalidParameter', JSON.stringify(own.body));
    });

    it('what the hooks leave is refused after them, before anything is written: enums, patterns, required properties', async () => {
      const machine = `${rg()}/providers/Microsoft.HybridCompute/machines/m3`;
      await refused(await put(machine, '2024-07-10', { location: 'eastus', properties: { locationData: { city: 'Oslo' } } }), 'properties.locationData.name', /is required/, machine, '2024-07-10');
      const ext = `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions/flux`;
      await refused(
        await put(ext, '2023-05-01', { properties: { extensionType: 'microsoft.flux', aksAssignedIdentity: { type: 'Borrowed' } } }),
        'properties.aksAssignedIdentity.type',
        /must be one of \["SystemAssigned","UserAssigned"\]; got "Borrowed"/,
        ext,
        '2023-05-01',
      );
    });

    it('an agent pool, a connected cluster, a cluster extension, a custom location, an appliance, a management group, a logical network', async () => {
      const cases: [string, string, unknown, string, RegExp][] = [
        [`${cluster}/agentPools/p1`, AKS, { properties: { count: 'three' } }, 'properties.count', /must be a number/],
        [
          `${rg()}/providers/Microsoft.Kubernetes/connectedClusters/cc1`,
          '2024-01-01',
          { location: 'eastus', identity: { type: 'SystemAssigned' }, properties: { agentPublicKeyCertificate: '', privateLinkState: ['Enabled'] } },
          'properties.privateLinkState',
          /got an array/,
        ],
        [
          `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions/flux`,
          '2023-05-01',
          { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: 'maybe' } },
          'properties.autoUpgradeMinorVersion',
          /must be a boolean/,
        ],
        [
          `${rg()}/providers/Microsoft.ExtendedLocation/customLocations/cl1`,
          '2021-08-15',
          { location: 'eastus', properties: { hostType: 'Kubernetes', hostResourceId: cluster, namespace: 'ns', clusterExtensionIds: 'flux' } },
          'properties.clusterExtensionIds',
          /must be an array; got string "flux"/,
        ],
        [
          `${rg()}/providers/Microsoft.ResourceConnector/appliances/b1`,
          '2022-10-27',
          { location: 'eastus', properties: { distro: 'AKSEdge', infrastructureConfig: { provider: 'HCI' }, publicKey: { pem: 'x' } } },
          'properties.publicKey',
          /must be a string; got an object/,
        ],
        // a type served by custom handlers (written as it answers): both steps come first
        ['/providers/Microsoft.Management/managementGroups/mg-schemas', '2021-04-01', { properties: { displayName: ['Schemas'] } }, 'properties.displayName', /must be a string; got an array/],
        [
          `${rg()}/providers/Microsoft.AzureStackHCI/logicalNetworks/l1`,
          '2024-01-01',
          { location: 'eastus', extendedLocation: { type: 'CustomLocation', name: 'x' }, properties: { subnets: { name: 's' } } },
          'properties.subnets',
          /must be an array/,
        ],
      ];
      for (const [id, v, body, target, says] of cases) await refused(await put(id, v, body), target, says);
    });
  });

  describe('what real clients send passes', () => {
    it('read-only properties sent back on update (provisioningState, fqdn, powerState, currentOrchestratorVersion...), unknown ones, other casings', async () => {
      const id = `${rg()}/providers/Microsoft.HybridCompute/machines/m2`;
      const r = await put(id, '2024-07-10', {
        location: 'eastus',
        kind: 'HCI',
        properties: { osType: 'linux', provisioningState: 'Creating', status: 7, agentVersion: { forged: true }, notInTheSpec: [1, 2] },
        Identity: { TYPE: 'systemassigned' },
      });
      ok(r);
      const g = await get(id, '2024-07-10');
      ok(await put(id, '2024-07-10', g.body)); // the whole GET sent back, as `az resource update` does
    });

    it('an update of a managed cluster with its GET body (az 2.45 and the SDKs send read-only values back)', async () => {
      const g = await get(cluster, AKS);
      assert.ok(g.body.properties.fqdn && g.body.properties.powerState && g.body.properties.currentKubernetesVersion, JSON.stringify(g.body.properties));
      g.body.properties.agentPoolProfiles[0].currentOrchestratorVersion = g.body.properties.currentKubernetesVersion;
      const again = await writeAndWait(emu, 'put', `${cluster}?api-version=${AKS}`, g.body);
      assert.equal(again.status?.status, 'Succeeded', JSON.stringify(again));
    });
  });

  it('every hand-built type that takes a body has a spec schema at every api-version it accepts (or is listed here with why not)', async () => {
    const source = emu.services.registry.catalogue()!;
    /** Types the public specs give no request body for: their hooks (or hand-written schemas) check them. */
    const without: Record<string, RegExp> = {};
    const writers = (d: ResourceTypeDefinition) => !!(d.onPut || d.onPatch || d.handlers?.put || d.handlers?.patch);
    const report: string[] = [];
    const missing: string[] = [];
    let checked = 0;
    for (const p of allProviders()) {
      for (const def of p.types.filter(writers)) {
        const name = `${def.namespace}/${def.type}`;
        const versions = mergeVersions(def.apiVersions, source.apiVersions(def.namespace, def.type) ?? []);
        for (const v of versions) {
          const s = specSchemaFor(source, def, v);
          checked++;
          if (s.apiVersion === undefined) {
            if (!without[name]?.test(s.reason)) missing.push(`${name}@${v}: ${s.reason}`);
          } else if (s.apiVersion !== v) report.push(`${name}@${v} -> ${s.apiVersion}`);
        }
      }
    }
    assert.deepEqual(missing, [], 'hand-built types without a request schema');
    assert.ok(checked > 500, `${checked} type/api-version pairs`);
    // the api-versions the specs do not publish are checked by the nearest published one not newer (of the same
    // stability when one is as near), never by one years older when a nearer one exists
    assert.ok(report.includes(`Microsoft.ContainerService/managedClusters@2024-06-01 -> 2024-05-01`), report.join('\n'));
    assert.ok(!report.some((l) => l.startsWith('Microsoft.ContainerService/managedClusters@2024-06-01 -> 2024-05-02-preview')), report.join('\n'));
    assert.ok(report.includes(`Microsoft.Network/virtualNetworks@2025-10-01-preview -> 2025-09-01`), report.join('\n'));
  });
});
