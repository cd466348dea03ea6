// The real az CLI (2.45) at every deployment scope and with linked templates (issue 20):
// - `az account management-group create|show|list|update|delete` and `... subscription add|show|remove`;
// - `az deployment tenant|mg create|show|list|validate|what-if|delete` (after the documented step for
//   tenant rights: elevateAccess, then Owner at '/');
// - `--template-uri` over http on loopback, with a nested deployment linked by `relativePath` (resolved
//   against the parent's link, query string kept), as az sends it;
// - an explicit null for a nullable parameter with allowed values.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { RbacAz, ensureAz } from '../support/az.js';
import { SUB, CLIENT_ID, SECRET, tmpDir, type TestEmulator } from '../support/emulator.js';
import { startAksEmulator } from '../containerservice/helpers.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const TENANT_SCHEMA = 'https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#';
const MG_SCHEMA = 'https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#';

describe('az at tenant and management-group scope, linked templates, nullable parameters (real az CLI)', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let az: RbacAz;
  let dir: string;
  const file = (name: string, content: unknown) => {
    const p = path.join(dir, name);
    writeFileSync(p, JSON.stringify(content));
    return p;
  };
  before(async () => {
    ensureAz();
    dir = tmpDir();
    emu = await startAksEmulator();
    // az role needs Debian's shim, and az ad the cloud's Graph endpoint: the RBAC session has both
    az = new RbacAz(emu);
    await az.loginAs(CLIENT_ID, SECRET);
    await az.ok(['group', 'create', '-n', 'links', '-l', 'eastus']);
  });
  after(async () => emu?.close());

  it('az account management-group: create (under the root, and under a parent), show with children, list, update, subscription add/remove, delete', async () => {
    // One command without --no-register: az registers Microsoft.Management first, as against Azure.
    const a = await az.ok(['account', 'management-group', 'create', '--name', 'mg-a', '--display-name', 'Group A']);
    assert.equal(a.name, 'mg-a');
    assert.equal(a.displayName, 'Group A');
    assert.match(a.details.parent.id, /managementGroups\/aaaaaaaa-0000-0000-0000-000000000001$/);
    const b = await az.ok(['account', 'management-group', 'create', '--name', 'mg-b', '--parent', 'mg-a', '--no-register']);
    assert.equal(b.details.parent.name, 'mg-a');
    // Without rights at the root, a principal sees the groups it may read: the two it created (it is their Owner).
    const list = await az.ok(['account', 'management-group', 'list', '--no-register']);
    assert.deepEqual(list.map((g: any) => g.name).sort(), ['mg-a', 'mg-b']);
    const shown = await az.ok(['account', 'management-group', 'show', '--name', 'mg-a', '--expand', '--recurse', '--no-register']);
    assert.deepEqual(
      shown.children.map((c: any) => c.name),
      ['mg-b'],
    );
    const updated = await az.ok(['account', 'management-group', 'update', '--name', 'mg-b', '--display-name', 'Group B']);
    assert.equal(updated.displayName, 'Group B');
    await az.ok(['account', 'management-group', 'subscription', 'add', '--name', 'mg-b', '--subscription', SUB]);
    const withSub = await az.ok(['account', 'management-group', 'show', '--name', 'mg-b', '--expand', '--no-register']);
    assert.deepEqual(
      withSub.children.map((c: any) => c.name),
      [SUB],
    );
    const refused = await az.run(['account', 'management-group', 'delete', '--name', 'mg-a', '--no-register']);
    assert.notEqual(refused.code, 0, 'a group with children is not deleted');
    await az.ok(['account', 'management-group', 'subscription', 'remove', '--name', 'mg-b', '--subscription', SUB]);
    await az.run(['account', 'management-group', 'delete', '--name', 'mg-b', '--no-register']).then((r) => assert.equal(r.code, 0, r.stderr));
    await az.run(['account', 'management-group', 'delete', '--name', 'mg-a', '--no-register']).then((r) => assert.equal(r.code, 0, r.stderr));
    assert.deepEqual(await az.ok(['account', 'management-group', 'list', '--no-register']), []);
  });

  it('az deployment tenant and mg: create (a management group, then into it), show, list, validate, what-if, delete', async () => {
    // Rights at the root, the documented way: elevate, then make yourself Owner at '/'.
    await az.ok(['rest', '--method', 'post', '--url', '/providers/Microsoft.Authorization/elevateAccess?api-version=2016-07-01']);
    const me = (await az.ok(['ad', 'sp', 'show', '--id', 'cccccccc-0000-0000-0000-000000000001'])).id;
    await az.ok(['role', 'assignment', 'create', '--assignee-object-id', me, '--assignee-principal-type', 'ServicePrincipal', '--role', 'Owner', '--scope', '/']);

    const tenantTemplate = file('tenant.json', {
      $schema: TENANT_SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: { mg: { type: 'string' } },
      resources: [{ type: 'Microsoft.Management/managementGroups', apiVersion: '2021-04-01', name: "[parameters('mg')]", properties: { displayName: 'From a template' } }],
      outputs: { tenant: { type: 'string', value: '[tenant().tenantId]' }, mgId: { type: 'string', value: "[tenantResourceId('Microsoft.Management/managementGroups', parameters('mg'))]" } },
    });
    const v = await az.ok(['deployment', 'tenant', 'validate', '-l', 'eastus', '--template-file', tenantTemplate, '--parameters', 'mg=mg-t']);
    assert.equal(v.properties.provisioningState, 'Succeeded');
    const wi = await az.run(['deployment', 'tenant', 'what-if', '-l', 'eastus', '--template-file', tenantTemplate, '--parameters', 'mg=mg-t', '--no-pretty-print', '-o', 'json']);
    assert.equal(wi.code, 0, wi.stderr);
    assert.deepEqual(
      JSON.parse(wi.stdout).changes.map((c: any) => [c.changeType, c.resourceId]),
      [['Create', '/providers/Microsoft.Management/managementGroups/mg-t']],
    );
    const t = await az.ok(['deployment', 'tenant', 'create', '-l', 'eastus', '-n', 'tdep', '--template-file', tenantTemplate, '--parameters', 'mg=mg-t']);
    assert.equal(t.properties.provisioningState, 'Succeeded');
    assert.equal(t.properties.outputs.tenant.value, 'aaaaaaaa-0000-0000-0000-000000000001');
    assert.equal((await az.ok(['account', 'management-group', 'show', '--name', 'mg-t', '--no-register'])).displayName, 'From a template');
    assert.equal((await az.ok(['deployment', 'tenant', 'show', '-n', 'tdep'])).properties.outputs.mgId.value, '/providers/Microsoft.Management/managementGroups/mg-t');
    assert.ok((await az.ok(['deployment', 'tenant', 'list'])).some((d: any) => d.name === 'tdep'));

    const mgTemplate = file('mg.json', {
      $schema: MG_SCHEMA,
      contentVersion: '1.0.0.0',
      resources: [],
      outputs: { mg: { type: 'string', value: '[managementGroup().name]' }, shown: { type: 'string', value: '[managementGroup().properties.displayName]' } },
    });
    assert.equal((await az.ok(['deployment', 'mg', 'validate', '-m', 'mg-t', '-l', 'eastus', '--template-file', mgTemplate])).properties.provisioningState, 'Succeeded');
    const mwi = await az.run(['deployment', 'mg', 'what-if', '-m', 'mg-t', '-l', 'eastus', '--template-file', mgTemplate, '--no-pretty-print', '-o', 'json']);
    assert.equal(mwi.code, 0, mwi.stderr);
    const m = await az.ok(['deployment', 'mg', 'create', '-m', 'mg-t', '-l', 'eastus', '-n', 'mdep', '--template-file', mgTemplate]);
    assert.equal(m.properties.provisioningState, 'Succeeded');
    assert.equal(m.properties.outputs.mg.value, 'mg-t');
    assert.equal(m.properties.outputs.shown.value, 'From a template');
    assert.equal((await az.ok(['deployment', 'mg', 'show', '-m', 'mg-t', '-n', 'mdep'])).id, '/providers/Microsoft.Management/managementGroups/mg-t/providers/Microsoft.Resources/deployments/mdep');
    assert.deepEqual(
      (await az.ok(['deployment', 'mg', 'list', '-m', 'mg-t'])).map((d: any) => d.name),
      ['mdep'],
    );
    await az.ok(['deployment', 'mg', 'delete', '-m', 'mg-t', '-n', 'mdep']);
    assert.deepEqual(await az.ok(['deployment', 'mg', 'list', '-m', 'mg-t']), []);
    await az.ok(['deployment', 'tenant', 'delete', '-n', 'tdep']);
    assert.ok(!(await az.ok(['deployment', 'tenant', 'list'])).some((d: any) => d.name === 'tdep'));
  });

  it('--template-uri over http on loopback, with a nested template linked by relativePath', async () => {
    const main = {
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: { prefix: { type: 'string' } },
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2021-04-01',
          name: 'child',
          properties: { mode: 'Incremental', templateLink: { relativePath: 'nested/child.json' }, parameters: { name: { value: "[concat(parameters('prefix'), '-id')]" } } },
        },
      ],
      outputs: { link: { type: 'string', value: '[deployment().properties.templateLink.uri]' }, childId: { type: 'string', value: "[reference('child').outputs.id.value]" } },
    };
    const child = {
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: { name: { type: 'string' } },
      resources: [{ type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: "[parameters('name')]", location: '[resourceGroup().location]' }],
      outputs: { id: { type: 'string', value: "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('name'))]" } },
    };
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      const p = new URL(req.url ?? '/', 'http://x').pathname;
      const body = p === '/t/main.json' ? main : p === '/t/nested/child.json' ? child : undefined;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(body ? JSON.stringify(body) : '{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/t`;
    try {
      const d = await az.ok(['deployment', 'group', 'create', '-g', 'links', '-n', 'linked', '--template-uri', `${base}/main.json`, '--query-string', 'sv=2021&sig=abc', '--parameters', 'prefix=lnk']);
      assert.equal(d.properties.provisioningState, 'Succeeded');
      assert.equal(d.properties.outputs.link.value, `${base}/main.json?sv=2021&sig=abc`);
      assert.match(d.properties.outputs.childId.value, /userAssignedIdentities\/lnk-id$/);
      assert.ok(seen.includes('/t/nested/child.json?sv=2021&sig=abc'), `the nested link keeps the query string: ${seen.join(' ')}`);
      assert.equal((await az.ok(['identity', 'show', '-g', 'links', '-n', 'lnk-id'])).name, 'lnk-id');
    } finally {
      server.close();
    }
  });

  it('an explicit null for a nullable parameter with allowed values is accepted (and its default-less absence too)', async () => {
    const t = file('nullable.json', {
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: { tier: { type: 'string', nullable: true, allowedValues: ['basic', 'premium'] } },
      resources: [],
      outputs: { tier: { type: 'string', value: "[coalesce(parameters('tier'), 'none')]" } },
    });
    // az sends key=value as a string ('null' is the text null): an explicit null comes from a parameters file or JSON.
    const params = file('nullable.parameters.json', {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: { tier: { value: null } },
    });
    const d = await az.ok(['deployment', 'group', 'create', '-g', 'links', '-n', 'nullable', '--template-file', t, '--parameters', `@${params}`]);
    assert.equal(d.properties.provisioningState, 'Succeeded');
    assert.equal(d.properties.outputs.tier.value, 'none');
    const inline = await az.ok(['deployment', 'group', 'create', '-g', 'links', '-n', 'nullable1', '--template-file', t, '--parameters', '{"tier": {"value": null}}']);
    assert.equal(inline.properties.outputs.tier.value, 'none');
    const bad = await az.run(['deployment', 'group', 'create', '-g', 'links', '-n', 'nullable2', '--template-file', t, '--parameters', 'tier=gold']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /allowed value/);
  });
});
