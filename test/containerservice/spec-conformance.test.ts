// Spec conformance of Microsoft.ContainerService, per api-version. For every spec fixture in
// test/fixtures/containerservice/spec (one file per api-version: the definitions and operations of the
// public swagger aks/stable/<version>/managedClusters.json, see the README there), a scripted tour of
// the provider runs at that api-version and every response is checked against the operation the spec
// declares for its method and path: the status code is one the operation declares, the body validates
// against the declared model (resolved to a JSON Schema in which no property the version lacks is
// allowed, enums are closed, types and bounds hold), and a long-running operation's 201/202 carries
// Azure-AsyncOperation or Location. A response to a path the version's spec lacks must be a refusal.
// Adding an api-version is adding its spec file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TestEmulator } from '../support/emulator.js';
import { specModels, type SpecValidator } from '../support/specModels.js';
import { NS, SUB, clusterBody, createGroup, rgPath, startAksEmulator, waitForOperation } from './helpers.js';
import { AKS_API_VERSIONS } from '../../src/providers/Microsoft.ContainerService/versions.js';

const SPEC_DIR = path.resolve('test/fixtures/containerservice/spec');

interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  responses: Record<string, string | null>;
  longRunning: boolean;
}
interface Spec {
  apiVersion: string;
  source: string;
  definitions: Record<string, any>;
  operations: SpecOperation[];
}

/** Paths the emulator serves that are not in managedClusters.json (another spec file of the namespace). */
const OUTSIDE_MANAGED_CLUSTERS_JSON = [/\/locations\/[^/]+\/orchestrators$/i];

/**
 * Properties real AKS returns (seen in recorded traffic) that the spec's model leaves out: allowed beside
 * the declared ones, so that the emulator may match real ARM rather than the spec where they disagree.
 */
const REAL_BEYOND_SPEC: Record<string, string[]> = { OSOptionProperty: ['os-sku'] };

/** A definition as a strict JSON Schema: closed objects, nullable leaves, refs into `definitions`. */
function strict(s: any): any {
  if (s === null || typeof s !== 'object') return s;
  if (s.$ref) return { anyOf: [{ $ref: s.$ref }, { type: 'null' }] };
  const out: any = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'readOnly' || k === 'format') continue;
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, strict(pv)]));
    else if (k === 'items' || k === 'additionalProperties') out[k] = strict(v);
    else if (k === 'required')
      continue; // what a request must send; responses may leave it out
    else out[k] = v;
  }
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.enum) out.enum = [...out.enum, null];
  return out;
}

function compile(spec: Spec): (model: string) => SpecValidator {
  const definitions = Object.fromEntries(
    Object.entries(spec.definitions).map(([k, v]) => {
      const extra = REAL_BEYOND_SPEC[k];
      const d = strict(v);
      if (extra) for (const p of extra) d.properties[p] ??= {};
      return [k, d];
    }),
  );
  return specModels(definitions, spec.apiVersion);
}

/** A path template's RegExp, made once per template (every call of every tour looks through all of a version's operations). */
const matchers = new Map<string, RegExp>();
function matcher(template: string): RegExp {
  let m = matchers.get(template);
  if (!m) matchers.set(template, (m = pathRegExp(template)));
  return m;
}
function pathRegExp(template: string): RegExp {
  const re = template
    .split('/')
    .map((seg) => (/^\{.+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${re}$`, 'i');
}

function operationFor(spec: Spec, method: string, p: string): SpecOperation | undefined {
  const hits = spec.operations.filter((o) => o.method.toUpperCase() === method && matcher(o.path).test(p));
  // the most specific template (fewest parameters) wins: .../upgradeProfiles/default over .../{x}/{y}
  return hits.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0))[0];
}

interface Checked {
  method: string;
  path: string;
  status: number;
  operation?: string;
}

function loadSpecs(): Spec[] {
  return fs
    .readdirSync(SPEC_DIR)
    .filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(SPEC_DIR, f), 'utf8')) as Spec);
}

describe('Microsoft.ContainerService conforms to its spec, per api-version', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  const specs = loadSpecs();
  before(async () => {
    emu = await startAksEmulator();
    await createGroup(emu, 'conf', 'eastus');
    await createGroup(emu, 'confhub', 'local');
  });
  after(async () => emu?.close());

  it('has a spec fixture for the Hub profile (2020-11-01), az 2.45 (2022-11-01), 2024-02-01 and the SDK default (2026-06-01), each advertised', () => {
    const have = specs.map((s) => s.apiVersion);
    for (const v of ['2020-11-01', '2022-11-01', '2024-02-01', '2026-06-01']) assert.ok(have.includes(v), `spec fixture for ${v}`);
    for (const v of have) assert.ok(AKS_API_VERSIONS.includes(v), `${v} is advertised`);
  });

  for (const spec of specs) {
    it(`${spec.apiVersion}: every response of the tour matches the operation the spec declares`, async () => {
      const v = spec.apiVersion;
      const modelOf = compile(spec);
      const checked: Checked[] = [];
      const failures: string[] = [];
      const tag = v.replace(/-/g, '');

      const call = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH', p: string, body?: unknown, query = '') => {
        let req = emu.http()[method.toLowerCase() as 'get'](`${p}?api-version=${v}${query}`);
        if (body !== undefined) req = req.send(body as object);
        const res = await req;
        const op = operationFor(spec, method, p);
        checked.push({ method, path: p, status: res.status, operation: op?.operationId });
        if (!op) {
          if (res.status < 400 && !OUTSIDE_MANAGED_CLUSTERS_JSON.some((re) => re.test(p))) failures.push(`${method} ${p}: answered ${res.status}, but ${v} declares no such operation`);
          return res;
        }
        if (res.status >= 400) {
          failures.push(`${method} ${p} (${op.operationId}): ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
          return res;
        }
        const code = String(res.status);
        if (!(code in op.responses)) {
          failures.push(`${method} ${p} (${op.operationId}): status ${code} is not declared (declared: ${Object.keys(op.responses).join(', ')})`);
          return res;
        }
        const model = op.responses[code];
        const hasBody = res.body !== undefined && res.text !== '' && res.text !== undefined;
        if (model && hasBody) {
          const validate = modelOf(model);
          if (!validate(res.body)) {
            failures.push(
              `${method} ${p} (${op.operationId}, ${model}): ${validate
                .errors!.filter((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.message === 'must be null'))
                .slice(0, 12)
                .map(
                  (e) =>
                    `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : ''}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`,
                )
                .join('; ')}`,
            );
          }
        }
        if (op.longRunning && (res.status === 201 || res.status === 202) && !res.headers['azure-asyncoperation'] && !res.headers.location) {
          failures.push(`${method} ${p} (${op.operationId}): a long-running ${res.status} without Azure-AsyncOperation or Location`);
        }
        return res;
      };
      const settle = async (res: any) => {
        if (res.headers['azure-asyncoperation']) await waitForOperation(emu, res.headers['azure-asyncoperation']);
      };

      const has = (method: string, p: string) => operationFor(spec, method, p) !== undefined;
      const cid = `${rgPath('conf')}/providers/${NS}/managedClusters/c${tag}`;
      const sub = `/subscriptions/${SUB}/providers/${NS}`;

      // the cluster and its pools
      await settle(await call('PUT', cid, clusterBody('eastus', { lb: 'standard', count: 2 })));
      await call('GET', cid);
      await call('GET', `${rgPath('conf')}/providers/${NS}/managedClusters`);
      await call('GET', `${sub}/managedClusters`);
      await call('PATCH', cid, { tags: { tour: v } });
      await call('GET', `${cid}/upgradeProfiles/default`);
      await call('POST', `${cid}/listClusterUserCredential`);
      await call('POST', `${cid}/listClusterAdminCredential`);
      if (has('GET', `${cid}/agentPools`)) {
        await settle(await call('PUT', `${cid}/agentPools/pool2`, { properties: { count: 1, vmSize: 'Standard_DS2_v2', mode: 'User' } }));
        await call('GET', `${cid}/agentPools/pool2`);
        await call('GET', `${cid}/agentPools`);
        if (has('GET', `${cid}/agentPools/pool2/upgradeProfiles/default`)) await call('GET', `${cid}/agentPools/pool2/upgradeProfiles/default`);
        if (has('POST', `${cid}/agentPools/pool2/upgradeNodeImageVersion`)) await settle(await call('POST', `${cid}/agentPools/pool2/upgradeNodeImageVersion`));
      }
      // sub-resources, where the version has them
      if (has('PUT', `${cid}/maintenanceConfigurations/default`)) {
        await call('PUT', `${cid}/maintenanceConfigurations/default`, { properties: { timeInWeek: [{ day: 'Monday', hourSlots: [1] }] } });
        await call('GET', `${cid}/maintenanceConfigurations/default`);
        await call('GET', `${cid}/maintenanceConfigurations`);
        await call('DELETE', `${cid}/maintenanceConfigurations/default`);
      }
      if (has('POST', `${cid}/runCommand`)) {
        const r = await call('POST', `${cid}/runCommand`, { command: 'kubectl get nodes' });
        const u = new URL(r.headers.location, emu.url);
        await call('GET', u.pathname);
      }
      // reads probed at every version: where the version's spec lacks them they must be refused (see call())
      await call('GET', `${cid}/outboundNetworkDependenciesEndpoints`);
      await call('GET', `${cid}/privateLinkResources`);
      await call('GET', `${cid}/privateEndpointConnections`);
      await call('GET', `${cid}/meshUpgradeProfiles`);
      await call('GET', `${cid}/availableAgentPoolVersions`);
      await call('GET', `${sub}/locations/eastus/osOptions/default`);
      await call('GET', `${sub}/locations/eastus/trustedAccessRoles`);
      await call('GET', `${sub}/locations/eastus/meshRevisionProfiles`);
      await call('GET', `${sub}/locations/eastus/kubernetesVersions`);
      await call('GET', `${cid}/maintenanceConfigurations`);
      await call('GET', `${rgPath('conf')}/providers/${NS}/snapshots`);
      if (has('GET', `${cid}/agentPools`)) await call('GET', `${cid}/agentPools/nodepool1/machines`);
      if (has('GET', `${cid}/agentPools/nodepool1/machines`)) {
        const ms = (await call('GET', `${cid}/agentPools/nodepool1/machines`)).body.value;
        await call('GET', `${cid}/agentPools/nodepool1/machines/${ms[0].name}`);
        await settle(await call('POST', `${cid}/agentPools/nodepool1/deleteMachines`, { machineNames: [ms[0].name] }));
      } else {
        await call('POST', `${cid}/agentPools/nodepool1/deleteMachines`, { machineNames: ['x'] });
      }
      await settle(await call('POST', `${cid}/rotateServiceAccountSigningKeys`));
      // abort, where the version has none, is refused (with nothing in flight it would be a 409 anyway)
      if (!has('POST', `${cid}/abort`)) await call('POST', `${cid}/abort`);
      if (!has('POST', `${cid}/agentPools/nodepool1/abort`)) await call('POST', `${cid}/agentPools/nodepool1/abort`);
      if (has('GET', `${rgPath('conf')}/providers/${NS}/snapshots/s${tag}`)) {
        await call('PUT', `${rgPath('conf')}/providers/${NS}/snapshots/s${tag}`, { location: 'eastus', properties: { creationData: { sourceResourceId: `${cid}/agentPools/nodepool1` } } });
        await call('GET', `${rgPath('conf')}/providers/${NS}/snapshots/s${tag}`);
        await call('GET', `${rgPath('conf')}/providers/${NS}/snapshots`);
        await call('GET', `${sub}/snapshots`);
        await call('PATCH', `${rgPath('conf')}/providers/${NS}/snapshots/s${tag}`, { tags: { a: 'b' } });
        await call('DELETE', `${rgPath('conf')}/providers/${NS}/snapshots/s${tag}`);
      }
      await call('GET', `/providers/${NS}/operations`);
      // what the version does not have is not served
      if (!has('GET', `${cid}/maintenanceConfigurations`)) {
        const r = await emu.http().get(`${cid}/maintenanceConfigurations?api-version=${v}`);
        assert.ok(r.status >= 400, `${v} has no maintenance configurations, yet they answered ${r.status}`);
      }
      // the power actions and deletes
      await settle(await call('POST', `${cid}/stop`));
      await settle(await call('POST', `${cid}/start`));
      if (has('GET', `${cid}/agentPools`)) await settle(await call('DELETE', `${cid}/agentPools/pool2`));
      await settle(await call('DELETE', cid));

      // the Hub stamp answers in the version its profile uses
      if (v === '2020-11-01') {
        const hid = `${rgPath('confhub')}/providers/${NS}/managedClusters/h${tag}`;
        await settle(await call('PUT', hid, clusterBody('local')));
        await call('GET', hid);
        await call('GET', `${hid}/agentPools/nodepool1`);
        await settle(await call('PUT', hid, { ...clusterBody('local', { count: 2 }) }));
        await settle(await call('DELETE', hid));
      }

      assert.ok(checked.length >= 15, `the tour made ${checked.length} calls`);
      assert.deepEqual(failures, [], `${failures.length} of ${checked.length} responses do not conform to ${v} (${spec.source}):\n${failures.join('\n')}`);
    });
  }
});
