// Microsoft Graph with Microsoft Entra's rules (issue 22 item 2): owners manage what they own, directory
// roles grant their actions tenant-wide, the configured service principals are Global Administrators,
// and everyone else gets 403 Authorization_RequestDenied in Graph's error shape, learning nothing.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestEmulator, tmpDir, SUB, TENANT, CLIENT_ID, type TestEmulator } from '../support/emulator.js';
import { objectIdFor } from '../../src/identity/tokens.js';
import { graphToken, newPrincipal } from '../authorization/helpers.js';

const APP_DEVELOPER = 'cf1c38e5-3621-4004-a7cb-879624dced7c';
const CLOUD_APP_ADMIN = '158c047a-c907-4556-b7ef-446551a6b5f7';
const DIRECTORY_READERS = '88d8e3e3-8f55-4a1e-953a-9b9898b8876b';
const PRIVILEGED_ROLE_ADMIN = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';

export function graphClient(emu: TestEmulator, token: string) {
  const g = (method: 'get' | 'post' | 'patch' | 'delete', p: string, body?: unknown) => {
    const r = request(emu.url)[method](`/graph/v1.0${p}`).agent(emu.agent).set('Authorization', `Bearer ${token}`);
    return body === undefined ? r : r.send(body as object);
  };
  return g;
}

export async function graphTokenOf(emu: TestEmulator, appId: string, secret: string): Promise<string> {
  const tok = await request(emu.url)
    .post(`/${TENANT}/oauth2/v2.0/token`)
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: appId, client_secret: secret, scope: `${emu.url}/graph/.default` });
  assert.equal(tok.status, 200, JSON.stringify(tok.body));
  return tok.body.access_token;
}

function assertDenied(r: request.Response, what: string): void {
  assert.equal(r.status, 403, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.body.error.code, 'Authorization_RequestDenied', what);
  assert.match(r.body.error.message, /^Insufficient privileges to complete the operation\./, what);
  assert.equal(typeof r.body.error.innerError?.['request-id'], 'string', `${what}: Graph's innerError`);
}

describe('Graph: Microsoft Entra rules for applications, service principals and directory roles', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  let admin: ReturnType<typeof graphClient>;
  before(async () => {
    emu = await startTestEmulator();
    admin = graphClient(emu, graphToken(emu));
  });
  after(() => emu.close());

  it('a principal without a directory role reads nothing, creates nothing and changes nothing it does not own', async () => {
    const victim = await newPrincipal(emu, 'victim');
    const nobody = await newPrincipal(emu, 'nobody');
    const g = graphClient(emu, await graphTokenOf(emu, nobody.appId, nobody.secret));
    const victimApp = (await admin('get', `/applications(appId='${victim.appId}')`)).body;
    assert.ok(victimApp.id);
    assertDenied(await g('get', '/applications'), 'list applications');
    assertDenied(await g('get', '/servicePrincipals'), 'list service principals');
    assertDenied(await g('get', `/applications/${victimApp.id}`), 'read another application');
    assertDenied(await g('get', `/applications(appId='${victim.appId}')`), 'read another application by appId');
    assertDenied(await g('post', '/applications', { displayName: 'mine' }), 'create an application');
    assertDenied(await g('post', `/applications/${victimApp.id}/addPassword`, { passwordCredential: { displayName: 'x' } }), 'addPassword');
    assertDenied(await g('post', `/applications(appId='${victim.appId}')/addPassword`, {}), 'addPassword by appId');
    assertDenied(await g('post', `/applications/${victimApp.id}/removePassword`, { keyId: victimApp.passwordCredentials[0].keyId }), 'removePassword');
    assertDenied(await g('patch', `/applications/${victimApp.id}`, { displayName: 'pwned' }), 'PATCH');
    assertDenied(await g('post', `/applications/${victimApp.id}/owners/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${nobody.oid}` }), 'make itself owner');
    assertDenied(await g('delete', `/applications/${victimApp.id}`), 'DELETE');
    assertDenied(await g('delete', `/servicePrincipals/${victim.oid}`), 'DELETE the service principal');
    assertDenied(await g('post', '/directoryObjects/getByIds', { ids: [victim.oid] }), 'getByIds');
    assertDenied(await g('get', '/roleManagement/directory/roleAssignments'), 'list directory role assignments');
    assertDenied(await g('post', '/roleManagement/directory/roleAssignments', { principalId: nobody.oid, roleDefinitionId: GLOBAL_ADMIN, directoryScopeId: '/' }), 'make itself Global Administrator');
    // 403 whether or not the object exists: nothing to learn from the answer
    assertDenied(await g('get', '/applications/00000000-0000-0000-0000-000000000000'), 'read a missing application');
    assertDenied(await g('delete', '/applications/00000000-0000-0000-0000-000000000000'), 'delete a missing application');
    const after = (await admin('get', `/applications/${victimApp.id}`)).body;
    assert.equal(after.displayName, 'victim');
    assert.equal(after.passwordCredentials.length, 1, 'no password added or removed');
  });

  it('owners manage what they own; ownership is given and taken through owners/$ref', async () => {
    const owner = await newPrincipal(emu, 'owner');
    const app = (await admin('post', '/applications', { displayName: 'owned' })).body;
    assert.deepEqual((await admin('get', `/applications/${app.id}/owners`)).body.value, [], 'an administrator does not become owner');
    const g = graphClient(emu, await graphTokenOf(emu, owner.appId, owner.secret));
    assertDenied(await g('post', `/applications/${app.id}/addPassword`, {}), 'before it owns it');
    assert.equal((await admin('post', `/applications/${app.id}/owners/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${owner.oid}` })).status, 204);
    const again = await admin('post', `/applications/${app.id}/owners/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${owner.oid}` });
    assert.equal(again.status, 400);
    assert.deepEqual(
      (await g('get', `/applications/${app.id}/owners`)).body.value.map((o: any) => o.id),
      [owner.oid],
    );
    assert.equal((await g('get', `/applications/${app.id}`)).body.displayName, 'owned');
    const pw = await g('post', `/applications/${app.id}/addPassword`, { passwordCredential: { displayName: 'ci' } });
    assert.equal(pw.status, 200, pw.text);
    assert.equal((await g('patch', `/applications/${app.id}`, { displayName: 'renamed', tags: ['x'] })).status, 204);
    const sp = await g('post', '/servicePrincipals', { appId: app.appId });
    assert.equal(sp.status, 201, 'the owner of an application creates its service principal');
    assert.deepEqual(
      (await g('get', `/servicePrincipals/${sp.body.id}/owners`)).body.value.map((o: any) => o.id),
      [owner.oid],
      'and owns it',
    );
    const owned = await g('get', `/servicePrincipals/${owner.oid}/ownedObjects`);
    assert.deepEqual(owned.body.value.map((o: any) => o['@odata.type']).sort(), ['#microsoft.graph.application', '#microsoft.graph.servicePrincipal']);
    assertDenied(await g('get', '/applications'), 'owning something is no directory read');
    assert.equal((await g('post', `/applications/${app.id}/removePassword`, { keyId: pw.body.keyId })).status, 204);
    // it hands the application back: taking itself off the owners ends its rights
    assert.equal((await g('delete', `/applications/${app.id}/owners/${owner.oid}/$ref`)).status, 204);
    assertDenied(await g('get', `/applications/${app.id}`), 'after it gave up ownership');
    assert.equal((await admin('delete', `/applications/${app.id}`)).status, 204);
  });

  it('directory roles: Application Developer creates as owner, Cloud Application Administrator manages all, Directory Readers reads', async () => {
    const dev = await newPrincipal(emu, 'developer');
    const appAdmin = await newPrincipal(emu, 'app-admin');
    const reader = await newPrincipal(emu, 'reader');
    for (const [p, role] of [
      [dev, APP_DEVELOPER],
      [appAdmin, CLOUD_APP_ADMIN],
      [reader, DIRECTORY_READERS],
    ] as const) {
      const a = await admin('post', '/roleManagement/directory/roleAssignments', { principalId: p.oid, roleDefinitionId: role, directoryScopeId: '/' });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.body.roleDefinitionId, role);
    }
    const dup = await admin('post', '/roleManagement/directory/roleAssignments', { principalId: dev.oid, roleDefinitionId: APP_DEVELOPER, directoryScopeId: '/' });
    assert.equal(dup.status, 400);

    const d = graphClient(emu, await graphTokenOf(emu, dev.appId, dev.secret));
    const made = await d('post', '/applications', { displayName: 'dev-app' });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(
      (await d('get', `/applications/${made.body.id}/owners`)).body.value.map((o: any) => o.id),
      [dev.oid],
      'the developer is the first owner',
    );
    assert.deepEqual(
      (await d('get', '/applications')).body.value.map((a: any) => a.displayName),
      ['dev-app'],
      'a developer lists what it owns',
    );
    assertDenied(await d('get', `/applications(appId='${reader.appId}')`), 'a developer reads no one else');

    const r = graphClient(emu, await graphTokenOf(emu, reader.appId, reader.secret));
    assert.ok((await r('get', '/applications')).body.value.length >= 4, 'a reader lists every application');
    assert.equal((await r('get', `/servicePrincipals(appId='${dev.appId}')`)).status, 200);
    assertDenied(await r('post', `/applications/${made.body.id}/addPassword`, {}), 'a reader changes nothing');
    assertDenied(await r('post', '/applications', { displayName: 'x' }), 'a reader creates nothing');

    const a = graphClient(emu, await graphTokenOf(emu, appAdmin.appId, appAdmin.secret));
    assert.equal((await a('post', `/applications/${made.body.id}/addPassword`, {})).status, 200, 'an application administrator manages every application');
    const own = await a('post', '/applications', { displayName: 'admin-app' });
    assert.equal(own.status, 201);
    assert.deepEqual((await a('get', `/applications/${own.body.id}/owners`)).body.value, [], 'and is not added as owner');
    assertDenied(await a('post', '/roleManagement/directory/roleAssignments', { principalId: appAdmin.oid, roleDefinitionId: GLOBAL_ADMIN }), 'assigning roles needs Privileged Role Administrator');
    assertDenied(await a('patch', `/applications(appId='${CLIENT_ID}')`, { displayName: 'x' }), 'the configured principals stay as configured');
  });

  it('role assignments: listed, filtered and removed; the configured principals are Global Administrators; removal takes the rights away', async () => {
    const pra = await newPrincipal(emu, 'pra');
    const given = await admin('post', '/roleManagement/directory/roleAssignments', { principalId: pra.oid, roleDefinitionId: PRIVILEGED_ROLE_ADMIN, directoryScopeId: '/' });
    assert.equal(given.status, 201);
    const p = graphClient(emu, await graphTokenOf(emu, pra.appId, pra.secret));
    const defs = await p('get', '/roleManagement/directory/roleDefinitions');
    assert.ok(defs.body.value.some((x: any) => x.displayName === 'Application Developer' && x.templateId === APP_DEVELOPER && x.isBuiltIn));
    const mine = await p('get', `/roleManagement/directory/roleAssignments?$filter=principalId eq '${pra.oid}'`);
    assert.deepEqual(
      mine.body.value.map((x: any) => x.roleDefinitionId),
      [PRIVILEGED_ROLE_ADMIN],
    );
    const ga = await admin('get', `/roleManagement/directory/roleAssignments?$filter=principalId eq '${objectIdFor(CLIENT_ID)}'`);
    assert.deepEqual(
      ga.body.value.map((x: any) => x.roleDefinitionId),
      [GLOBAL_ADMIN],
    );
    assert.equal((await admin('delete', `/roleManagement/directory/roleAssignments/${ga.body.value[0].id}`)).status, 403, 'the configuration decides who the administrators are');
    // a Privileged Role Administrator assigns roles (to itself too, as in Entra), and removes them
    const dev = await p('post', '/roleManagement/directory/roleAssignments', { principalId: pra.oid, roleDefinitionId: APP_DEVELOPER, directoryScopeId: '/' });
    assert.equal(dev.status, 201);
    assert.equal((await p('post', '/applications', { displayName: 'pra-app' })).status, 201);
    assert.equal((await admin('delete', `/roleManagement/directory/roleAssignments/${dev.body.id}`)).status, 204);
    assertDenied(await p('post', '/applications', { displayName: 'again' }), 'after the role is removed');
    assert.equal((await admin('delete', `/roleManagement/directory/roleAssignments/${given.body.id}`)).status, 204);
    assertDenied(await p('get', '/roleManagement/directory/roleAssignments'), 'no longer a role administrator');
  });

  it('deleting a principal removes its directory roles and its ownerships', async () => {
    const x = await newPrincipal(emu, 'short-lived');
    await admin('post', '/roleManagement/directory/roleAssignments', { principalId: x.oid, roleDefinitionId: DIRECTORY_READERS });
    const app = (await admin('post', '/applications', { displayName: 'left-behind' })).body;
    await admin('post', `/applications/${app.id}/owners/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${x.oid}` });
    const xApp = (await admin('get', `/applications(appId='${x.appId}')`)).body;
    assert.equal((await admin('delete', `/applications/${xApp.id}`)).status, 204);
    assert.deepEqual((await admin('get', `/roleManagement/directory/roleAssignments?$filter=principalId eq '${x.oid}'`)).body.value, []);
    assert.deepEqual((await admin('get', `/applications/${app.id}/owners`)).body.value, []);
  });

  it('a disabled service principal cannot sign in and its tokens stop working; enabling it again restores both', async () => {
    const p = await newPrincipal(emu, 'switchable');
    const arm = p.http();
    assert.equal((await arm.get('/subscriptions?api-version=2021-04-01')).status, 200);
    const off = await admin('patch', `/servicePrincipals/${p.oid}`, { accountEnabled: false });
    assert.equal(off.status, 204, off.text);
    assert.equal((await admin('get', `/servicePrincipals/${p.oid}`)).body.accountEnabled, false);
    const token = await request(emu.url)
      .post(`/${TENANT}/oauth2/v2.0/token`)
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: p.appId, client_secret: p.secret, scope: 'https://management.azure.com/.default' });
    assert.equal(token.status, 400);
    assert.equal(token.body.error, 'unauthorized_client');
    assert.match(token.body.error_description, /^AADSTS7000112: /);
    const refused = await arm.get('/subscriptions?api-version=2021-04-01');
    assert.equal(refused.status, 401, 'a token issued before is no longer accepted');
    assert.equal((await admin('patch', `/servicePrincipals/${p.oid}`, { accountEnabled: 'no' })).status, 400);
    assert.equal((await admin('patch', `/servicePrincipals/${p.oid}`, { accountEnabled: true })).status, 204);
    assert.equal((await arm.get('/subscriptions?api-version=2021-04-01')).status, 200);
  });

  it('follows directory and role-assignment records written elsewhere (another instance, a reset)', async () => {
    const p = await newPrincipal(emu, 'elsewhere');
    const g = graphClient(emu, await graphTokenOf(emu, p.appId, p.secret));
    assertDenied(await g('post', '/applications', { displayName: 'x' }), 'before');
    const a = { id: `external-${p.oid}`, principalId: p.oid, roleDefinitionId: APP_DEVELOPER, directoryScopeId: '/' };
    await emu.services.store.write([{ collection: 'graph', key: `roleAssignments/${a.id}`, value: a }], { external: true });
    assert.equal((await g('post', '/applications', { displayName: 'x' })).status, 201, 'the directory saw the assignment');
    await emu.services.store.write([{ collection: 'graph', key: `roleAssignments/${a.id}`, value: undefined }], { external: true });
    assertDenied(await g('post', '/applications', { displayName: 'y' }), 'and its removal');
    // an ARM role assignment written elsewhere counts at once
    const arm = p.http();
    assert.equal((await arm.get(`/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`)).status, 403);
    const id = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}`;
    const resource = {
      id,
      name: id.split('/').pop(),
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
        principalId: p.oid,
        scope: `/subscriptions/${SUB}`,
      },
    };
    await emu.services.store.write(
      [{ collection: 'resources', key: id.toLowerCase(), value: { resource, internal: {}, parent: `/subscriptions/${SUB}`.toLowerCase(), typeKey: 'microsoft.authorization/roleassignments' } }],
      { external: true },
    );
    assert.equal((await arm.get(`/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`)).status, 200, 'the authorizer saw the assignment');
  });

  it('owners and directory role assignments survive a restart', async () => {
    const dir = tmpDir();
    const first = await startTestEmulator(['--data-dir', dir]);
    const g1 = graphClient(first, graphToken(first));
    const dev = await newPrincipal(first, 'persist');
    assert.equal((await g1('post', '/roleManagement/directory/roleAssignments', { principalId: dev.oid, roleDefinitionId: APP_DEVELOPER })).status, 201);
    const made = await graphClient(first, await graphTokenOf(first, dev.appId, dev.secret))('post', '/applications', { displayName: 'kept' });
    assert.equal(made.status, 201);
    await first.close();
    const second = await startTestEmulator(['--data-dir', dir]);
    try {
      const d = graphClient(second, await graphTokenOf(second, dev.appId, dev.secret));
      assert.deepEqual(
        (await d('get', `/applications/${made.body.id}/owners`)).body.value.map((o: any) => o.id),
        [dev.oid],
        'still the owner',
      );
      assert.equal((await d('post', '/applications', { displayName: 'still a developer' })).status, 201, 'still an Application Developer');
    } finally {
      await second.close();
    }
  });
});
