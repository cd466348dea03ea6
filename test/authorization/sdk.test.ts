// Real SDK clients on Microsoft.Authorization: @azure/arm-authorization 9.0.0 (JS) and Debian's
// azure-mgmt-authorization 3.0.0 (Python), creating, listing and deleting role assignments, and the
// JS client seeing a 403 AuthorizationFailed as a RestError.
import assert from 'node:assert/strict';
import { execPython } from '../support/python.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { startTestEmulator, rgPath, SUB, TENANT, CLIENT_ID, SECRET, CA_PATH, tmpDir, type TestEmulator } from '../support/emulator.js';
import { newPrincipal } from './helpers.js';

const PY = `
import json, sys, uuid
from azure.identity import ClientSecretCredential
from azure.mgmt.authorization import AuthorizationManagementClient
url, tenant, client, secret, sub, principal = sys.argv[1:7]
cred = ClientSecretCredential(tenant, client, secret, authority=url, instance_discovery=False)
c = AuthorizationManagementClient(cred, sub, base_url=url, credential_scopes=['https://management.azure.com/.default'])
scope = '/subscriptions/%s/resourceGroups/py-rg' % sub
defs = list(c.role_definitions.list(scope, filter="roleName eq 'Reader'"))
name = str(uuid.uuid4())
a = c.role_assignments.create(scope, name, {'role_definition_id': defs[0].id, 'principal_id': principal, 'principal_type': 'ServicePrincipal'})
got = c.role_assignments.get(scope, name)
listed = [x.name for x in c.role_assignments.list_for_resource_group('py-rg')]
c.role_assignments.delete(scope, name)
after = [x.name for x in c.role_assignments.list_for_scope(scope, filter='atScope()')]
perms = [p.actions for p in c.permissions.list_for_resource_group('py-rg')]
print(json.dumps({'role': defs[0].role_name, 'name': a.name, 'scope': got.scope, 'principalType': got.principal_type, 'listed': name in listed, 'after': name in after, 'perms': perms}))
`;

function python(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = path.join(tmpDir('py-authz-'), 'authz.py');
  writeFileSync(file, PY);
  return new Promise((resolve) => {
    execPython([file, ...args], { env: { ...process.env, REQUESTS_CA_BUNDLE: CA_PATH }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout, stderr });
    });
  });
}

describe('real SDK clients on Microsoft.Authorization', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startTestEmulator();
    for (const rg of ['js-rg', 'py-rg'])
      await emu
        .http()
        .put(`${rgPath(rg)}?api-version=2021-04-01`)
        .send({ location: 'eastus' });
  });
  after(async () => emu?.close());

  const credential = (id = CLIENT_ID, secret = SECRET) => new ClientSecretCredential(TENANT, id, secret, { authorityHost: emu.url, disableInstanceDiscovery: true });

  it('@azure/arm-authorization 9.0.0: role definitions, create/get/list/delete assignments; 403 as RestError', async () => {
    const op = await newPrincipal(emu, 'js-operator');
    const client = new AuthorizationManagementClient(credential(), SUB, { endpoint: emu.url, retryOptions: { maxRetries: 0 } } as any);
    const scope = rgPath('js-rg');
    const defs: any[] = [];
    for await (const d of client.roleDefinitions.list(scope, { filter: "roleName eq 'Contributor'" })) defs.push(d);
    assert.equal(defs.length, 1);
    assert.equal(defs[0].name, 'b24988ac-6180-42a0-ab88-20f7382dd24c');
    const name = crypto.randomUUID();
    const created = await client.roleAssignments.create(scope, name, { roleDefinitionId: defs[0].id, principalId: op.oid, principalType: 'ServicePrincipal' });
    assert.equal(created.scope, scope);
    assert.equal(created.principalId, op.oid);
    const got = await client.roleAssignments.get(scope, name);
    assert.equal(got.roleDefinitionId, defs[0].id);
    const mine: string[] = [];
    for await (const a of client.roleAssignments.listForSubscription({ filter: `principalId eq '${op.oid}'` })) mine.push(a.name!);
    assert.deepEqual(mine, [name]);
    await assert.rejects(
      () => client.roleAssignments.create(scope, crypto.randomUUID(), { roleDefinitionId: defs[0].id, principalId: op.oid }),
      (e: any) => e.statusCode === 409 && e.code === 'RoleAssignmentExists',
    );

    // the operator's own client: Contributor may not assign roles
    const opClient = new AuthorizationManagementClient(credential(op.appId, op.secret), SUB, { endpoint: emu.url, retryOptions: { maxRetries: 0 } } as any);
    await assert.rejects(
      () => opClient.roleAssignments.create(scope, crypto.randomUUID(), { roleDefinitionId: defs[0].id, principalId: op.oid }),
      (e: any) => e.statusCode === 403 && e.code === 'AuthorizationFailed' && /roleAssignments\/write/.test(e.message),
    );
    const perms: any[] = [];
    for await (const p of opClient.permissions.listForResourceGroup('js-rg')) perms.push(p);
    assert.deepEqual(perms[0].actions, ['*']);
    assert.ok(perms[0].notActions.includes('Microsoft.Authorization/*/Write'));

    await client.roleAssignments.delete(scope, name);
    await assert.rejects(
      () => client.roleAssignments.get(scope, name),
      (e: any) => e.statusCode === 404,
    );
  });

  it('Python azure-mgmt-authorization (Debian): list definitions, create/get/list/delete an assignment, permissions', async () => {
    const op = await newPrincipal(emu, 'py-operator');
    const r = await python([emu.url, TENANT, CLIENT_ID, SECRET, SUB, op.oid]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(out.role, 'Reader');
    assert.equal(out.scope, rgPath('py-rg'));
    assert.equal(out.principalType, 'ServicePrincipal');
    assert.equal(out.listed, true);
    assert.equal(out.after, false);
    assert.deepEqual(out.perms, [['*']]);
  });
});
