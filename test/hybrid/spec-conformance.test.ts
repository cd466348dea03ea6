// Spec conformance of the hybrid providers (Microsoft.Kubernetes, KubernetesConfiguration,
// ExtendedLocation, ResourceConnector, HybridContainerService, AzureStackHCI, HybridCompute), per
// api-version the emulator serves. Each fixture (test/fixtures/hybrid/spec/<Namespace>/<version>.json,
// see the README there) has the version's models and operations from the public specs; a tour of the
// provider at that version checks every response against the operation the spec declares for its
// method and path: the status is one it declares, the body validates against its model (no property
// the version lacks, closed enums, no write-only property, types hold), a long-running 201/202 carries
// Azure-AsyncOperation or Location, a path the version lacks is refused, and a missing resource or
// parent answers ARM's 404 code. Adding an api-version to a provider is adding its fixture.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SUB, startTestEmulator, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { specModels, type SpecValidator } from '../support/specModels.js';
import { put, rg, settle } from '../arc/helpers.js';
import { connectedCluster, lnet2, pciBody, platform } from './helpers.js';

const SPEC_DIR = path.resolve('test/fixtures/hybrid/spec');

interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  responses: Record<string, string | null>;
  longRunning: boolean;
}
interface Spec {
  apiVersion: string;
  namespace: string;
  source: string;
  definitions: Record<string, any>;
  operations: SpecOperation[];
}

function loadSpecs(ns: string): Spec[] {
  const dir = path.join(SPEC_DIR, ns);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Spec);
}

/** A definition as a strict JSON Schema: closed objects, nullable leaves, write-only properties never in a response. */
function strict(s: any): any {
  if (s === null || typeof s !== 'object') return s;
  if (Array.isArray(s)) return s.map(strict);
  if (s.$ref) return { anyOf: [{ $ref: s.$ref }, { type: 'null' }] };
  if (s.writeOnly) return false;
  const out: any = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'readOnly' || k === 'writeOnly' || k === 'format' || k === 'required') continue;
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, strict(pv)]));
    else if (k === 'items' || k === 'additionalProperties') out[k] = strict(v);
    else if (k === 'anyOf') out.anyOf = (v as any[]).map(strict);
    else out[k] = v;
  }
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.enum) out.enum = [...out.enum, null];
  return out;
}

function compile(spec: Spec): (model: string) => SpecValidator {
  const definitions = Object.fromEntries(Object.entries(spec.definitions).map(([k, v]) => [k, strict(v)]));
  return specModels(definitions, `${spec.namespace} ${spec.apiVersion}`);
}

/** A path template's RegExp, made once per template (every call of every tour looks through all of a version's operations). */
const matchers = new Map<string, RegExp>();
function matcher(template: string): RegExp {
  let m = matchers.get(template);
  if (!m) matchers.set(template, (m = pathRegExp(template)));
  return m;
}
/** A path template as a RegExp: a parameter is one segment, except an ARM id parameter ({resourceUri}, {...ResourceUri}). */
function pathRegExp(template: string): RegExp {
  const re = template
    .split('/')
    .map((seg) => (/^\{\w*(resourceUri|ResourceUri)\}$/.test(seg) ? '.+' : /^\{.+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${re}$`, 'i');
}

function operationFor(spec: Spec, method: string, p: string): SpecOperation | undefined {
  const hits = spec.operations.filter((o) => o.method.toUpperCase() === method && matcher(o.path).test(p));
  // the most specific template wins: fewest parameters, then fewest multi-segment ones
  const score = (o: SpecOperation) => (o.path.match(/\{/g)?.length ?? 0) * 10 + (o.path.match(/ResourceUri\}|resourceUri\}/g)?.length ?? 0);
  return hits.sort((a, b) => score(a) - score(b))[0];
}

type Verb = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';

/** Calls at one api-version, checking each answer against the version's spec; failures collect in `failures`. */
class Tour {
  readonly failures: string[] = [];
  calls = 0;
  private readonly modelOf: (m: string) => SpecValidator;
  constructor(
    private readonly emu: TestEmulator,
    readonly spec: Spec,
  ) {
    this.modelOf = compile(spec);
  }
  get v() {
    return this.spec.apiVersion;
  }
  has(method: Verb, p: string): boolean {
    return operationFor(this.spec, method, p) !== undefined;
  }
  private check(where: string, model: string | null, body: unknown) {
    if (!model || body === undefined || body === '' || (typeof body === 'object' && body !== null && Object.keys(body).length === 0 && model === null)) return;
    const validate = this.modelOf(model);
    if (!validate(body)) {
      const errs = validate.errors!.filter((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.message === 'must be null'));
      this.failures.push(
        `${where} (${model}): ${errs
          .slice(0, 12)
          .map(
            (e) =>
              `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : ''}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`,
          )
          .join('; ')}`,
      );
    }
  }
  async call(method: Verb, p: string, body?: unknown, query = '') {
    this.calls++;
    let req = this.emu.http()[method.toLowerCase() as 'get'](`${p}?api-version=${this.v}${query}`);
    if (body !== undefined) req = req.send(body as object);
    const res = await req;
    const where = `${method} ${p}`;
    const op = operationFor(this.spec, method, p);
    if (!op) {
      if (res.status < 400) this.failures.push(`${where}: answered ${res.status}, but ${this.spec.namespace} ${this.v} declares no such operation`);
      return res;
    }
    if (res.status >= 400) {
      this.failures.push(`${where} (${op.operationId}): ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      return res;
    }
    const code = String(res.status);
    if (!(code in op.responses)) {
      this.failures.push(`${where} (${op.operationId}): status ${code} is not declared (declared: ${Object.keys(op.responses).join(', ')})`);
      return res;
    }
    const hasBody = res.text !== '' && res.text !== undefined;
    if (hasBody) this.check(`${where} (${op.operationId})`, op.responses[code], res.body);
    if (op.longRunning && (res.status === 201 || res.status === 202) && !res.headers['azure-asyncoperation'] && !res.headers.location) {
      this.failures.push(`${where} (${op.operationId}): a long-running ${res.status} without Azure-AsyncOperation or Location`);
    }
    // a long-running action's final answer (its Location) is the 200 the spec declares
    if (op.longRunning && method === 'POST' && res.status === 202 && res.headers.location) {
      await waitForOperation(this.emu, res.headers['azure-asyncoperation'] ?? res.headers.location);
      const loc = new URL(res.headers.location);
      const fin = await this.emu.http().get(loc.pathname + loc.search);
      if (fin.status === 200) this.check(`${where} (${op.operationId}, final)`, op.responses['200'] ?? null, fin.body);
      else if (fin.status !== 204) this.failures.push(`${where} (${op.operationId}): its Location answered ${fin.status}`);
    }
    return res;
  }
  /** The call and then its operation's end (for a long-running PUT/PATCH/DELETE). */
  async settle(method: Verb, p: string, body?: unknown, query = '') {
    const r = await this.call(method, p, body, query);
    if (r.headers['azure-asyncoperation'] && method !== 'POST') await waitForOperation(this.emu, r.headers['azure-asyncoperation']);
    return r;
  }
  /** A missing resource answers 404 with ARM's code. */
  async missing(p: string, code: string) {
    this.calls++;
    const r = await this.emu.http().get(`${p}?api-version=${this.v}`);
    if (r.status !== 404 || r.body?.error?.code !== code) this.failures.push(`GET ${p}: expected 404 ${code}, got ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  }
  done() {
    assert.ok(this.calls >= 5, `the tour made ${this.calls} calls`);
    if (this.failures.length) assert.fail(`${this.failures.length} of ${this.calls} responses do not conform to ${this.spec.namespace} ${this.v} (${this.spec.source}):\n${this.failures.join('\n')}`);
  }
}

const tag = (v: string) => v.replace(/-/g, '').replace('preview', 'p');
const served = (emu: TestEmulator, ns: string) => new Set(emu.services.registry.provider(ns)!.types.flatMap((t) => t.apiVersions));

describe('the hybrid providers conform to their specs, per api-version', function () {
  this.timeout(600_000);
  let emu: TestEmulator;
  let p: Awaited<ReturnType<typeof platform>>;
  let plainCc: string;
  before(async () => {
    emu = await startTestEmulator();
    p = await platform(emu);
    plainCc = `${rg()}/providers/Microsoft.Kubernetes/connectedClusters/conf-plain`;
    await settle(
      emu,
      await put(emu, plainCc, '2024-01-01', { location: 'eastus', identity: { type: 'SystemAssigned' }, properties: { agentPublicKeyCertificate: 'a2V5', infrastructure: 'azure_stack_hci' } }, 201),
      plainCc,
      '2024-01-01',
    );
  });
  after(async () => emu?.close());

  it('has a fixture for every api-version each hybrid provider serves', () => {
    for (const ns of [
      'Microsoft.Kubernetes',
      'Microsoft.KubernetesConfiguration',
      'Microsoft.ExtendedLocation',
      'Microsoft.ResourceConnector',
      'Microsoft.HybridContainerService',
      'Microsoft.AzureStackHCI',
      'Microsoft.HybridCompute',
    ]) {
      const have = new Set(loadSpecs(ns).map((s) => s.apiVersion));
      const missing = [...served(emu, ns)].filter((v) => !have.has(v));
      assert.deepEqual(missing, [], `${ns} serves api-versions without a spec fixture`);
    }
  });

  for (const spec of loadSpecs('Microsoft.Kubernetes')) {
    it(`Microsoft.Kubernetes ${spec.apiVersion}`, async () => {
      const t = new Tour(emu, spec);
      const cc = `${rg()}/providers/Microsoft.Kubernetes/connectedClusters/cc${tag(t.v)}`;
      await t.settle('PUT', cc, { location: 'eastus', identity: { type: 'SystemAssigned' }, properties: { agentPublicKeyCertificate: 'a2V5', distribution: 'k3s', infrastructure: 'generic' } });
      await t.call('GET', cc);
      await t.settle('PUT', cc, {
        location: 'eastus',
        identity: { type: 'SystemAssigned' },
        tags: { a: 'b' },
        properties: { agentPublicKeyCertificate: 'a2V5', distribution: 'k3s', infrastructure: 'generic' },
      });
      await t.call('PATCH', cc, { tags: { tour: t.v } });
      await t.call('GET', `${rg()}/providers/Microsoft.Kubernetes/connectedClusters`);
      await t.call('GET', `/subscriptions/${SUB}/providers/Microsoft.Kubernetes/connectedClusters`);
      await t.call('POST', `${cc}/listClusterUserCredential`, { authenticationMethod: 'Token', clientProxy: false });
      await t.call('GET', '/providers/Microsoft.Kubernetes/operations');
      await t.missing(`${rg()}/providers/Microsoft.Kubernetes/connectedClusters/nope`, 'ResourceNotFound');
      await t.settle('DELETE', cc);
      t.done();
    });
  }

  for (const spec of loadSpecs('Microsoft.KubernetesConfiguration')) {
    it(`Microsoft.KubernetesConfiguration ${spec.apiVersion}`, async () => {
      const t = new Tour(emu, spec);
      const kc = `${plainCc}/providers/Microsoft.KubernetesConfiguration`;
      // extensions, where the version has them
      const ext = `${kc}/extensions/mon${tag(t.v)}`;
      if (t.has('PUT', ext)) {
        const r = await t.settle('PUT', ext, {
          properties: { extensionType: 'microsoft.azuremonitor.containers', configurationSettings: { 'amalogs.useAADAuth': 'true' }, configurationProtectedSettings: { secret: 'x' } },
        });
        await t.call('GET', ext);
        await t.call('GET', `${kc}/extensions`);
        const opId = new URL(r.headers['azure-asyncoperation']).pathname.split('/').pop();
        await t.call('GET', `${ext}/operations/${opId}`);
        await t.settle('PATCH', ext, { properties: { configurationSettings: { 'amalogs.useAADAuth': 'false' } } });
        await t.settle('DELETE', ext);
      } else {
        await t.call('PUT', ext, { properties: { extensionType: 'microsoft.azuremonitor.containers' } });
      }
      // Flux configurations, where the version has them (Flux installed first)
      const flux = `${kc}/extensions/flux`;
      if ((await emu.http().get(`${flux}?api-version=2023-05-01`)).status === 404)
        await settle(emu, await put(emu, flux, '2023-05-01', { properties: { extensionType: 'microsoft.flux' } }, 201), flux, '2023-05-01');
      const fc = `${kc}/fluxConfigurations/fc${tag(t.v)}`;
      const body = {
        properties: {
          scope: 'cluster',
          namespace: 'fc-ns',
          sourceKind: 'GitRepository',
          gitRepository: { url: 'https://github.com/Azure/arc-k8s-demo', repositoryRef: { branch: 'main' } },
          kustomizations: { app: { path: './', prune: true } },
        },
      };
      if (t.has('PUT', fc)) {
        const r = await t.settle('PUT', fc, body);
        await t.call('GET', fc);
        await t.call('GET', `${kc}/fluxConfigurations`);
        const opId = new URL(r.headers['azure-asyncoperation']).pathname.split('/').pop();
        await t.call('GET', `${fc}/operations/${opId}`);
        await t.settle('PATCH', fc, { properties: { suspend: true } });
        await t.settle('DELETE', fc);
      } else {
        await t.call('PUT', fc, body);
      }
      await t.call('GET', `${kc}/operations`);
      await t.call('GET', '/providers/Microsoft.KubernetesConfiguration/operations');
      const ghost = `${rg()}/providers/Microsoft.Kubernetes/connectedClusters/nope/providers/Microsoft.KubernetesConfiguration`;
      for (const type of ['extensions', 'fluxConfigurations']) if (t.has('GET', `${ghost}/${type}/x`)) await t.missing(`${ghost}/${type}/x`, 'ParentResourceNotFound');
      t.done();
    });
  }

  for (const spec of loadSpecs('Microsoft.ExtendedLocation')) {
    it(`Microsoft.ExtendedLocation ${spec.apiVersion}`, async () => {
      const t = new Tour(emu, spec);
      const cl = `${rg()}/providers/Microsoft.ExtendedLocation/customLocations/cl${tag(t.v)}`;
      const body = { location: 'eastus', properties: { hostResourceId: p.app, clusterExtensionIds: [p.aks, p.hci], namespace: `ns${tag(t.v)}`, hostType: 'Kubernetes', displayName: 'tour' } };
      await t.settle('PUT', cl, body);
      await t.call('GET', cl);
      await t.settle('PUT', cl, { ...body, tags: { a: 'b' } });
      await t.call('PATCH', cl, { tags: { tour: t.v } });
      await t.call('GET', `${rg()}/providers/Microsoft.ExtendedLocation/customLocations`);
      await t.call('GET', `/subscriptions/${SUB}/providers/Microsoft.ExtendedLocation/customLocations`);
      await t.call('GET', `${cl}/enabledResourceTypes`);
      await t.call('POST', `${cl}/findTargetResourceGroup`, { labels: { a: 'b' } });
      await t.call('GET', '/providers/Microsoft.ExtendedLocation/operations');
      await t.missing(`${rg()}/providers/Microsoft.ExtendedLocation/customLocations/nope`, 'ResourceNotFound');
      await t.settle('DELETE', cl);
      t.done();
    });
  }

  for (const spec of loadSpecs('Microsoft.ResourceConnector')) {
    it(`Microsoft.ResourceConnector ${spec.apiVersion}`, async () => {
      const t = new Tour(emu, spec);
      const app = p.app;
      await t.call('GET', app);
      await t.settle('PUT', app, { location: 'eastus', identity: { type: 'SystemAssigned' }, properties: { distro: 'AKSEdge', infrastructureConfig: { provider: 'HCI' } } });
      await t.call('PATCH', app, { tags: { tour: t.v } });
      await t.call('GET', `${rg()}/providers/Microsoft.ResourceConnector/appliances`);
      await t.call('GET', `/subscriptions/${SUB}/providers/Microsoft.ResourceConnector/appliances`);
      await t.call('POST', `${app}/listClusterUserCredential`);
      await t.call('POST', `${app}/listkeys`);
      await t.call('GET', `${app}/upgradeGraphs/stable`);
      await t.call('GET', `/subscriptions/${SUB}/providers/Microsoft.ResourceConnector/telemetryconfig`);
      await t.call('GET', '/providers/Microsoft.ResourceConnector/operations');
      await t.missing(`${rg()}/providers/Microsoft.ResourceConnector/appliances/nope`, 'ResourceNotFound');
      t.done();
    });
  }

  for (const spec of loadSpecs('Microsoft.HybridContainerService')) {
    it(`Microsoft.HybridContainerService ${spec.apiVersion}`, async () => {
      const t = new Tour(emu, spec);
      const cc = await connectedCluster(emu, `hyb${tag(t.v)}`);
      const pci = `${cc}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default`;
      await t.settle('PUT', pci, pciBody(p.cl, lnet2(), { pools: [{ name: 'pool1', count: 1, vmSize: 'Standard_A4_v2', osType: 'Linux' }] }));
      await t.call('GET', pci);
      await t.call('GET', `${cc}/providers/Microsoft.HybridContainerService/provisionedClusterInstances`);
      await t.call('GET', `${pci}/upgradeProfiles/default`);
      await t.call('POST', `${pci}/listAdminKubeconfig`);
      await t.call('POST', `${pci}/listUserKubeconfig`);
      await t.settle('PUT', `${pci}/agentPools/pool2`, { properties: { count: 1, vmSize: 'Standard_A4_v2', osType: 'Linux' } });
      await t.call('GET', `${pci}/agentPools/pool2`);
      await t.call('GET', `${pci}/agentPools`);
      await t.settle('DELETE', `${pci}/agentPools/pool2`);
      await t.call('PUT', `${pci}/hybridIdentityMetadata/default`, { properties: { resourceUid: 'f8b82dff-38ef-4220-99ef-43a6a2a2db56', publicKey: 'abc' } });
      await t.call('GET', `${pci}/hybridIdentityMetadata/default`);
      await t.call('GET', `${pci}/hybridIdentityMetadata`);
      await t.settle('DELETE', `${pci}/hybridIdentityMetadata/default`);
      for (const kind of ['kubernetesVersions', 'skus']) {
        const id = `${p.cl}/providers/Microsoft.HybridContainerService/${kind}/default`;
        await t.settle('PUT', id, { extendedLocation: { type: 'CustomLocation', name: p.cl } });
        await t.call('GET', id);
        await t.call('GET', `${p.cl}/providers/Microsoft.HybridContainerService/${kind}`);
        await t.settle('DELETE', id);
      }
      const vnet = `${rg()}/providers/Microsoft.HybridContainerService/virtualNetworks/vn${tag(t.v)}`;
      const net = t.v.startsWith('2024') ? 40 : 41;
      await t.settle('PUT', vnet, {
        location: 'eastus',
        extendedLocation: { type: 'CustomLocation', name: p.cl },
        properties: {
          infraVnetProfile: { hci: { mocGroup: 'target-group', mocLocation: 'MocLocation', mocVnetName: `vnet-${tag(t.v)}` } },
          vipPool: [{ startIP: `172.28.${net}.10`, endIP: `172.28.${net}.20` }],
          vmipPool: [{ startIP: `172.28.${net}.110`, endIP: `172.28.${net}.130` }],
          dnsServers: [`172.28.${net}.1`],
          gateway: `172.28.${net}.1`,
          ipAddressPrefix: `172.28.${net}.0/24`,
          vlanID: net,
        },
      });
      await t.call('GET', vnet);
      await t.settle('PATCH', vnet, { tags: { tour: t.v } });
      await t.call('GET', `${rg()}/providers/Microsoft.HybridContainerService/virtualNetworks`);
      await t.call('GET', `/subscriptions/${SUB}/providers/Microsoft.HybridContainerService/virtualNetworks`);
      await t.settle('DELETE', vnet);
      await t.call('GET', '/providers/Microsoft.HybridContainerService/operations');
      await t.missing(`${rg()}/providers/Microsoft.Kubernetes/connectedClusters/nope/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default`, 'ParentResourceNotFound');
      await t.settle('DELETE', pci);
      t.done();
    });
  }

  for (const spec of loadSpecs('Microsoft.AzureStackHCI')) {
    it(`Microsoft.AzureStackHCI ${spec.apiVersion}`, async () => {
      const t = new Tour(emu, spec);
      const x = tag(t.v);
      const at = (type: string, name: string) => `${rg()}/providers/Microsoft.AzureStackHCI/${type}/${name}`;
      const ext = { type: 'CustomLocation', name: p.cl };
      const lnet = at('logicalNetworks', `ln${x}`);
      const sc = at('storageContainers', `sc${x}`);
      const img = at('galleryImages', `img${x}`);
      const nic = at('networkInterfaces', `nic${x}`);
      const second = Number(x.replace(/\D/g, '').slice(-3)) % 200;
      await t.settle('PUT', lnet, {
        location: 'eastus',
        extendedLocation: ext,
        properties: {
          subnets: [
            {
              name: 'default',
              properties: {
                addressPrefix: `172.29.${second}.0/24`,
                ipAllocationMethod: 'Static',
                vlan: 29,
                ipPools: [{ start: `172.29.${second}.10`, end: `172.29.${second}.50` }],
                routeTable: { properties: { routes: [{ name: 'default', properties: { addressPrefix: '0.0.0.0/0', nextHopIpAddress: `172.29.${second}.1` } }] } },
              },
            },
          ],
          dhcpOptions: { dnsServers: [`172.29.${second}.1`] },
          vmSwitchName: 'ComputeSwitch',
        },
      });
      await t.settle('PUT', sc, { location: 'eastus', extendedLocation: ext, properties: { path: `C:\\ClusterStorage\\UserStorage_1\\tour${x}` } });
      await t.settle('PUT', img, { location: 'eastus', extendedLocation: ext, properties: { osType: 'Linux', imagePath: 'C:\\ClusterStorage\\UserStorage_1\\ubuntu.vhdx', containerId: sc } });
      await t.settle('PUT', nic, { location: 'eastus', extendedLocation: ext, properties: { ipConfigurations: [{ name: 'ip', properties: { subnet: { id: lnet } } }] } });
      for (const [type, id] of [
        ['logicalNetworks', lnet],
        ['storageContainers', sc],
        ['galleryImages', img],
        ['networkInterfaces', nic],
      ]) {
        await t.call('GET', id);
        await t.call('PATCH', id, { tags: { tour: t.v } });
        await t.call('GET', `${rg()}/providers/Microsoft.AzureStackHCI/${type}`);
        await t.call('GET', `/subscriptions/${SUB}/providers/Microsoft.AzureStackHCI/${type}`);
      }
      // a VM instance on an Arc machine
      const machine = `${rg()}/providers/Microsoft.HybridCompute/machines/vm${x}`;
      await put(emu, machine, '2024-07-10', { location: 'eastus', kind: 'HCI', identity: { type: 'SystemAssigned' } }, 200);
      const vmi = `${machine}/providers/Microsoft.AzureStackHCI/virtualMachineInstances/default`;
      await t.settle('PUT', vmi, {
        extendedLocation: ext,
        properties: {
          hardwareProfile: { vmSize: 'Custom', processors: 2, memoryMB: 2048 },
          osProfile: { adminUsername: 'u', adminPassword: 'P@ssw0rd-1', computerName: `vm${x}`.slice(0, 15), linuxConfiguration: { provisionVMConfigAgent: true } },
          storageProfile: { imageReference: { id: img }, vmConfigStoragePathId: sc },
          networkProfile: { networkInterfaces: [{ id: nic }] },
        },
      });
      await t.call('GET', vmi);
      await t.call('GET', `${machine}/providers/Microsoft.AzureStackHCI/virtualMachineInstances`);
      for (const a of ['stop', 'start', 'restart']) await t.call('POST', `${vmi}/${a}`);
      await t.settle('PATCH', vmi, { properties: { hardwareProfile: { vmSize: 'Custom', processors: 2, memoryMB: 2048 } } });
      await t.missing(`${rg()}/providers/Microsoft.HybridCompute/machines/nope/providers/Microsoft.AzureStackHCI/virtualMachineInstances/default`, 'ParentResourceNotFound');
      await t.missing(at('logicalNetworks', 'nope'), 'ResourceNotFound');
      await t.settle('DELETE', vmi);
      await emu.http().delete(`${machine}?api-version=2024-07-10`);
      for (const id of [nic, img, sc, lnet]) await t.settle('DELETE', id);
      await t.call('GET', '/providers/Microsoft.AzureStackHCI/operations');
      t.done();
    });
  }

  for (const spec of loadSpecs('Microsoft.HybridCompute')) {
    it(`Microsoft.HybridCompute ${spec.apiVersion}`, async () => {
      const t = new Tour(emu, spec);
      const m = `${rg()}/providers/Microsoft.HybridCompute/machines/m${tag(t.v)}`;
      await t.call('PUT', m, { location: 'eastus', kind: 'HCI', identity: { type: 'SystemAssigned' } });
      await t.call('GET', m);
      await t.call('PATCH', m, { tags: { tour: t.v } });
      await t.call('GET', `${rg()}/providers/Microsoft.HybridCompute/machines`);
      await t.call('GET', `/subscriptions/${SUB}/providers/Microsoft.HybridCompute/machines`);
      await t.call('GET', '/providers/Microsoft.HybridCompute/operations');
      await t.missing(`${rg()}/providers/Microsoft.HybridCompute/machines/nope`, 'ResourceNotFound');
      await t.call('DELETE', m);
      t.done();
    });
  }

  it('the Arc platform of the tours is still whole (the tours deleted what they made)', async () => {
    const s = (await emu.http().get('/_emulator/fabric?site=hci-site-1')).body.sites[0];
    assert.ok(!s.vms.some((v: any) => v.role === 'virtualMachine'));
  });
});
