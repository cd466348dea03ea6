// Real public templates (Azure quickstarts and Bicep samples compiled to JSON, Azure Stack Hub quickstarts, AKS on
// Azure Local, the Resource Manager documentation's samples: test/fixtures/public-templates, sources in its
// SOURCES.md) deployed with az 2.45 as a user would: each deploys, its outputs are what real ARM documents, and a
// second deployment of the same template changes nothing: its what-if (az ... what-if) reports every resource as
// NoChange first, and afterwards the same resources hold the same properties and the outputs are the same. Templates
// are deployed at every scope (group, subscription, management group, tenant) and by link (--template-uri over http,
// nested templates by relativePath); each deployment's templateHash is calculateTemplateHash of its template.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { rgPath, SUB, TENANT, tmpDir, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { AzSession, ensureAz } from '../support/az.js';
import { startAksEmulator } from '../containerservice/helpers.js';
import { platform } from '../hybrid/helpers.js';
import { PUBLIC_TEMPLATES, TEMPLATES_DIR, type PublicTemplate, type TemplateEnv } from './publicTemplates.js';
import type { StoredResource } from '../../src/framework/types.js';

/** actual matches expected: RegExps test strings, '__storage__' stands for the group's storage account name, an object with __some: true names only some properties. */
function matches(actual: unknown, expected: unknown, storage: string, at = 'outputs'): void {
  if (expected instanceof RegExp) {
    assert.equal(typeof actual, 'string', `${at}: ${JSON.stringify(actual)}`);
    assert.match(actual as string, new RegExp(expected.source.replaceAll('__storage__', storage)), at);
  } else if (typeof expected === 'string') {
    assert.equal(actual, expected.replaceAll('__storage__', storage), at);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${at}: ${JSON.stringify(actual)}`);
    expected.forEach((e, i) => matches((actual as unknown[])[i], e, storage, `${at}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object', `${at}: ${JSON.stringify(actual)}`);
    const { __some: some, ...want } = expected as Record<string, unknown>;
    // {__some: true, ...}: the properties named are there with these values (ARM documents more of them)
    if (!some) assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(want).sort(), at);
    for (const [k, v] of Object.entries(want)) matches((actual as Record<string, unknown>)[k], v, storage, `${at}.${k}`);
  } else assert.deepEqual(actual, expected, at);
}

/** Outputs without what every write changes (a 'Full' reference's etag and last-modified stamp). */
function unstamped(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unstamped);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'etag' || k === 'lastModifiedAt' || k === 'changedTime') continue;
    out[k] = unstamped(x);
  }
  return out;
}

/** What a resource is, without what every write changes (its etag and last-modified stamp, the id of the operation that last provisioned it). */
function essence(s: StoredResource): unknown {
  const { etag: _e, systemData, ...rest } = s.resource;
  const scrub = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(scrub);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'provisioningStatus' && x && typeof x === 'object' ? { ...(x as object), operationId: undefined } : scrub(x)]));
  };
  return { ...(scrub(rest) as object), createdAt: systemData?.createdAt };
}

/** The resource type an id names ('microsoft.sql/servers/databases'), lower-cased. */
function typeOf(id: string): string {
  const at = id.toLowerCase().lastIndexOf('/providers/');
  const [ns, ...rest] = id.slice(at + '/providers/'.length).split('/');
  return [ns, ...rest.filter((_, i) => i % 2 === 0)].join('/').toLowerCase();
}

describe('real public templates deploy with az 2.45, their outputs as ARM documents them, and a redeploy changes nothing', function () {
  this.timeout(600_000);
  let emu: TestEmulator;
  let az: AzSession;
  let hci: TemplateEnv['hci'];
  let principalId: string;
  let server: http.Server;
  let base: string;
  const dir = tmpDir('public-templates-');
  const deployed: string[] = [];

  before(async () => {
    ensureAz();
    emu = await startAksEmulator();
    az = new AzSession(emu);
    await az.login();
    // Linked templates are served over http on loopback, as from a storage account or GitHub.
    server = http.createServer((req, res) => {
      const p = path.join(TEMPLATES_DIR, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      let body: string | undefined;
      try {
        body = p.startsWith(TEMPLATES_DIR) ? readFileSync(p, 'utf8') : undefined;
      } catch {
        body = undefined;
      }
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(body ?? '{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Rights at the root for tenant and management-group deployments, the documented way: elevate, then Owner at '/'.
    await az.ok(['rest', '--method', 'post', '--url', '/providers/Microsoft.Authorization/elevateAccess?api-version=2016-07-01']);
    principalId = emu.tokens.verify(`Bearer ${emu.token}`, `${emu.url}/adfs`).objectId;
    const owner = await emu
      .http()
      .put('/providers/Microsoft.Authorization/roleAssignments/0f1e2d3c-0000-4000-8000-00000000beef?api-version=2022-04-01')
      .send({ properties: { roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635', principalId, principalType: 'ServicePrincipal' } });
    assert.equal(owner.status, 201, JSON.stringify(owner.body));
    const p = await platform(emu);
    // the gallery image the Azure Local VM quickstart boots from (its imageName parameter), made as a user would
    const image = `${rgPath('arc')}/providers/Microsoft.AzureStackHCI/galleryImages/ubuntu-01`;
    const img = await emu
      .http()
      .put(`${image}?api-version=2024-01-01`)
      .send({ location: 'eastus', extendedLocation: { type: 'CustomLocation', name: p.cl }, properties: { osType: 'Linux', imagePath: 'C:\\images\\ubuntu-01.vhdx' } });
    assert.ok([200, 201].includes(img.status), JSON.stringify(img.body));
    if (img.headers['azure-asyncoperation']) await waitForOperation(emu, img.headers['azure-asyncoperation']);
    hci = { customLocationId: p.cl, customLocationName: p.cl.split('/').pop()!, logicalNetworkId: p.lnet, logicalNetworkName: p.lnet.split('/').pop()!, location: 'eastus' };
  });
  after(async () => {
    server?.close();
    await emu?.close();
  });

  /** Makes a management group (under the tenant root, or under parent) as a user would, waiting for it. */
  const managementGroup = async (name: string, parent?: string) => {
    const details = parent ? { details: { parent: { id: `/providers/Microsoft.Management/managementGroups/${parent}` } } } : {};
    const r = await emu
      .http()
      .put(`/providers/Microsoft.Management/managementGroups/${name}?api-version=2021-04-01`)
      .send({ properties: { displayName: name, ...details } });
    assert.ok([200, 201, 202].includes(r.status), JSON.stringify(r.body));
    if (r.headers['azure-asyncoperation']) await waitForOperation(emu, r.headers['azure-asyncoperation']);
  };

  /** The resources a group holds, by id, as stored. */
  const inGroup = (group: string): Map<string, StoredResource> => {
    const out = new Map<string, StoredResource>();
    const walk = (id: string) => {
      for (const c of emu.services.resources.listByParent(id)) {
        if (c.typeKey.startsWith('microsoft.resources/deployments')) continue; // the deployment's own record
        out.set(c.resource.id.toLowerCase(), c);
        walk(c.resource.id);
      }
    };
    walk(rgPath(group));
    return out;
  };

  const envFor = (t: PublicTemplate): TemplateEnv => ({
    subscriptionId: SUB,
    tenantId: TENANT,
    principalId,
    group: t.needs === 'hci' ? 'arc' : `pt-${t.name}`.slice(0, 60),
    managementGroup: `pt-${t.name}`.slice(0, 60),
    hci,
  });

  /** az deployment <scope> create|what-if of a template, with its parameters, as a user runs it. */
  async function deploy(t: PublicTemplate, env: TemplateEnv, verb: 'create' | 'what-if' = 'create'): Promise<{ code: number; json: any; stderr: string }> {
    const params: Record<string, { value: unknown }> = {};
    if (t.parametersFile) Object.assign(params, JSON.parse(readFileSync(path.join(TEMPLATES_DIR, t.name, 'azuredeploy.parameters.json'), 'utf8').replace(/^\uFEFF/, '')).parameters);
    for (const [k, v] of Object.entries(t.parameters?.(env) ?? {})) params[k] = { value: v };
    const file = path.join(dir, `${t.name}.parameters.json`);
    writeFileSync(file, JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#', contentVersion: '1.0.0.0', parameters: params }));
    const templateFile = t.file ?? 'azuredeploy.json';
    const template = t.linked ? ['--template-uri', `${base}/${t.name}/${templateFile}`] : ['--template-file', path.join(TEMPLATES_DIR, t.name, templateFile)];
    const where = {
      group: ['group', verb, '-g', env.group],
      subscription: ['sub', verb, '-l', t.location],
      managementGroup: ['mg', verb, '-m', env.managementGroup, '-l', t.location],
      tenant: ['tenant', verb, '-l', t.location],
    }[t.scope];
    const extra = verb === 'what-if' ? ['--no-pretty-print'] : [];
    const r = await az.run(['deployment', ...where, '-n', t.name, ...template, '--parameters', `@${file}`, ...extra, '-o', 'json']);
    return { code: r.code, json: r.json, stderr: r.stderr };
  }

  interface Run {
    first: { code: number; json: any; stderr: string };
    whatIf?: { code: number; json: any; stderr: string };
    /** calculateTemplateHash of the template the deployment holds (exportTemplate). */
    hash?: string;
    second?: { code: number; json: any; stderr: string };
    storage: string;
    listed: Set<string>;
    before: Map<string, StoredResource>;
    after: Map<string, StoredResource>;
  }

  /** Deploys a template twice (az 2.45, as a user), keeping what the checks below need. */
  async function run(t: PublicTemplate): Promise<Run> {
    const env = envFor(t);
    const group = env.group;
    if (t.scope === 'group' && t.needs !== 'hci') {
      const g = await emu
        .http()
        .put(`${rgPath(group)}?api-version=2021-04-01`)
        .send({ location: t.location });
      assert.ok([200, 201].includes(g.status), JSON.stringify(g.body));
    }
    if (t.scope === 'managementGroup') {
      await managementGroup(env.managementGroup);
      for (const child of t.childGroups?.(env) ?? []) await managementGroup(child, env.managementGroup);
    }
    const first = await deploy(t, env);
    const out: Run = { first, storage: '', listed: new Set(), before: new Map(), after: new Map() };
    if (first.code !== 0 || t.expectFailure) return out;
    out.storage = [...inGroup(group).values()].find((s) => s.typeKey === 'microsoft.storage/storageaccounts')?.resource.name ?? '';
    if (t.scope === 'group') {
      const listed = await emu.http().get(`${rgPath(group)}/resources?api-version=2021-04-01`);
      out.listed = new Set(listed.body.value.map((r: any) => r.type.toLowerCase()));
      out.before = inGroup(group);
    }
    const exported = await emu.http().post(`${first.json.id}/exportTemplate?api-version=2021-04-01`).send();
    const hashed = await emu.http().post('/providers/Microsoft.Resources/calculateTemplateHash?api-version=2021-04-01').send(exported.body.template);
    out.hash = hashed.body.templateHash;
    out.whatIf = await deploy(t, env, 'what-if');
    out.second = await deploy(t, env);
    if (t.scope === 'group') out.after = inGroup(group);
    return out;
  }

  // The deployments run three at a time (az's own start-up is most of their time); HCI templates share one group, so
  // they run one after another.
  const runs = new Map<string, Promise<Run>>();
  before(function () {
    // PUBLIC_TEMPLATES_ONLY=a,b runs only those (while working on one); the count below then fails, as it should
    const only = process.env.PUBLIC_TEMPLATES_ONLY?.split(',');
    const queue = PUBLIC_TEMPLATES.filter((t) => !only || only.includes(t.name));
    const hciChain: PublicTemplate[] = queue.filter((t) => t.needs === 'hci');
    const rest = queue.filter((t) => t.needs !== 'hci');
    let chain = Promise.resolve() as Promise<unknown>;
    for (const t of hciChain) {
      const p = chain.then(() => run(t));
      runs.set(t.name, p);
      chain = p.catch(() => undefined);
    }
    const slots = [chain, Promise.resolve(), Promise.resolve()] as Promise<unknown>[];
    rest.forEach((t, i) => {
      const k = i % slots.length;
      const p = slots[k].then(() => run(t));
      runs.set(t.name, p);
      slots[k] = p.catch(() => undefined);
    });
  });

  for (const t of PUBLIC_TEMPLATES) {
    it(`${t.name} (${t.scope === 'group' ? `group in ${t.location}` : t.scope}${t.linked ? ', linked' : ''})`, async function () {
      if (!runs.has(t.name)) this.skip();
      const r = await runs.get(t.name)!;
      const env = envFor(t);
      if (t.expectFailure) {
        assert.notEqual(r.first.code, 0);
        assert.match(r.first.stderr, new RegExp(t.expectFailure));
        return;
      }
      assert.equal(r.first.code, 0, r.first.stderr);
      assert.equal(r.first.json.properties.provisioningState, 'Succeeded');
      const outputs = Object.fromEntries(Object.entries(r.first.json.properties.outputs ?? {}).map(([k, v]: [string, any]) => [k, v.value]));
      if (t.outputs) matches(outputs, t.outputs(env), r.storage);
      else if (Object.keys(outputs).length) assert.fail(`${t.name} has outputs the test does not check: ${JSON.stringify(outputs)}`);
      for (const type of t.resources ?? []) assert.ok(r.listed.has(type.toLowerCase()), `${type} in ${JSON.stringify([...r.listed])}`);
      assert.equal(r.first.json.properties.templateHash, r.hash, 'templateHash is calculateTemplateHash of the template');
      // what-if of the same deployment: every resource it deploys (those of nested deployments at other scopes too)
      // is NoChange (Ignore: a resource of the scope the template does not name)
      assert.equal(r.whatIf!.code, 0, r.whatIf!.stderr);
      assert.equal(r.whatIf!.json.status, 'Succeeded', JSON.stringify(r.whatIf!.json));
      const changes: any[] = r.whatIf!.json.changes;
      const changed = changes.filter((c) => c.changeType !== 'NoChange' && c.changeType !== 'Ignore');
      assert.deepEqual(
        changed.map((c) => `${c.changeType} ${c.resourceId} ${JSON.stringify(c.delta ?? c.unsupportedReason ?? '')}`),
        [],
        'what-if of a redeploy changes nothing',
      );
      for (const type of t.resources ?? [])
        assert.ok(
          changes.some((c) => c.changeType === 'NoChange' && typeOf(c.resourceId) === type.toLowerCase()),
          `${type} NoChange in what-if`,
        );
      for (const id of t.whatIf?.(env) ?? []) {
        const hit = changes.some((c) => c.changeType === 'NoChange' && (id instanceof RegExp ? id.test(c.resourceId) : c.resourceId.toLowerCase() === id.toLowerCase()));
        assert.ok(hit, `${id} NoChange in what-if: ${JSON.stringify(changes.map((c) => `${c.changeType} ${c.resourceId}`))}`);
      }
      // the same deployment again: the same resources, unchanged, and the same outputs
      assert.equal(r.second!.code, 0, r.second!.stderr);
      assert.equal(r.second!.json.properties.provisioningState, 'Succeeded');
      assert.deepEqual(unstamped(r.second!.json.properties.outputs ?? {}), unstamped(r.first.json.properties.outputs ?? {}));
      if (t.scope === 'group') {
        assert.deepEqual([...r.after.keys()].sort(), [...r.before.keys()].sort(), 'no resource added or removed');
        for (const [id, s] of r.before) assert.deepEqual(essence(r.after.get(id)!), essence(s), `${id} unchanged`);
      }
      deployed.push(t.name);
    });
  }

  it('at least 25 real public templates deployed', function () {
    assert.ok(deployed.length >= 25, `${deployed.length} deployed: ${deployed.join(', ')}`);
  });
});
