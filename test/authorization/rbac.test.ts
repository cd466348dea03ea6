// Azure RBAC over REST: the well-known principal owns its subscription, a principal created through
// Graph starts with nothing, role assignments grant (and, deleted, take back) access down the scope
// tree, Contributor cannot hand out roles, linked checks, list narrowing, cascades, --no-auth.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import request from 'supertest';
import { objectIdFor } from '../../src/identity/tokens.js';
import { newPrincipal, graphToken } from './helpers.js';
import { startTestEmulator, rgPath, tmpDir, SUB, TENANT, CLIENT_ID, type TestEmulator } from '../support/emulator.js';
import { clusterBody, clusterPath, createGroup, startAksEmulator, writeAndWait } from '../containerservice/helpers.js';

const AUTH = 'Microsoft.Authorization';
const API = '2022-04-01';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const roleId = (g: string) => `/subscriptions/${SUB}/providers/${AUTH}/roleDefinitions/${g}`;
const guid = () => crypto.randomUUID();

async function assign(emu: TestEmulator, scope: string, role: string, principalId: string, name: string = guid()) {
  const r = await emu
    .http()
    .put(`${scope}/providers/${AUTH}/roleAssignments/${name}?api-version=${API}`)
    .send({ properties: { roleDefinitionId: roleId(role), principalId, principalType: 'ServicePrincipal' } });
  return r;
}

describe('RBAC: role definitions, assignments and enforcement (REST)', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startAksEmulator();
    await createGroup(emu, 'ops-rg', 'eastus');
    await createGroup(emu, 'admin-rg', 'eastus');
    await createGroup(emu, 'net-rg', 'eastus');
  });
  after(async () => emu?.close());

  it('built-in role definitions carry their real ids, names and actions; $filter by roleName and type', async () => {
    const all = await emu.http().get(`/subscriptions/${SUB}/providers/${AUTH}/roleDefinitions?api-version=${API}`);
    assert.equal(all.status, 200);
    const byName = new Map(all.body.value.map((d: any) => [d.properties.roleName, d]));
    for (const [n, id] of [
      ['Owner', OWNER],
      ['Contributor', CONTRIBUTOR],
      ['Reader', READER],
      ['User Access Administrator', '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9'],
      ['Azure Kubernetes Service Cluster Admin Role', '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8'],
      ['Azure Kubernetes Service Cluster User Role', '4abbcc35-e782-43d8-92c5-2d3f1bd2253f'],
      ['Azure Arc Kubernetes Viewer', '63f0a09d-1495-4db4-a681-037d84835eb4'],
      ['Azure Stack HCI VM Contributor', '874d1c73-6003-4e60-a13a-cb31ea190a85'],
      ['Azure Resource Bridge Deployment Role', '7b1f81f9-4196-4058-8aae-762e593270df'],
    ]) {
      const d: any = byName.get(n);
      assert.ok(d, n);
      assert.equal(d.name, id);
      assert.equal(d.id, roleId(id));
      assert.equal(d.type, `${AUTH}/roleDefinitions`);
      assert.equal(d.properties.type, 'BuiltInRole');
      assert.deepEqual(d.properties.assignableScopes, ['/']);
    }
    const c: any = byName.get('Contributor');
    assert.deepEqual(c.properties.permissions[0].actions, ['*']);
    assert.ok(c.properties.permissions[0].notActions.includes('Microsoft.Authorization/*/Write'));
    const f = await emu.http().get(`/subscriptions/${SUB}/providers/${AUTH}/roleDefinitions?api-version=2018-01-01-preview&$filter=roleName%20eq%20'Reader'`);
    assert.deepEqual(
      f.body.value.map((d: any) => d.name),
      [READER],
    );
    const one = await emu.http().get(`${rgPath('ops-rg')}/providers/${AUTH}/roleDefinitions/${OWNER}?api-version=2015-07-01`);
    assert.equal(one.status, 200);
    assert.equal(one.body.properties.roleName, 'Owner');
    const none = await emu.http().get(`/subscriptions/${SUB}/providers/${AUTH}/roleDefinitions/${guid()}?api-version=${API}`);
    assert.equal(none.status, 404);
    assert.equal(none.body.error.code, 'RoleDefinitionDoesNotExist');
  });

  it('the well-known service principal is Owner of its subscription', async () => {
    const r = await emu.http().get(`/subscriptions/${SUB}/providers/${AUTH}/roleAssignments?api-version=${API}&$filter=principalId%20eq%20'${objectIdFor(CLIENT_ID)}'`);
    assert.equal(r.status, 200);
    assert.equal(r.body.value.length, 1);
    const a = r.body.value[0];
    assert.equal(a.properties.roleDefinitionId, roleId(OWNER));
    assert.equal(a.properties.scope, `/subscriptions/${SUB}`);
    assert.equal(a.properties.principalType, 'ServicePrincipal');
    const perms = await emu.http().get(`${rgPath('ops-rg')}/providers/${AUTH}/permissions?api-version=${API}`);
    assert.deepEqual(perms.body.value, [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }]);
  });

  it('a principal created through Graph signs in at once and starts with no access: 403 AuthorizationFailed naming client, object id, action and scope', async () => {
    const op = await newPrincipal(emu, 'no-access');
    assert.equal(op.oid, objectIdFor(op.appId));
    const r = await op.http().get(`${rgPath('ops-rg')}?api-version=2021-04-01`);
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'AuthorizationFailed');
    assert.equal(
      r.body.error.message,
      `The client '${op.appId}' with object id '${op.oid}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourceGroups/read' over scope '/subscriptions/${SUB}/resourceGroups/ops-rg' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
    const subs = await op.http().get('/subscriptions?api-version=2019-11-01');
    assert.equal(subs.status, 200);
    assert.deepEqual(subs.body.value, []);
    const groups = await op.http().get(`/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`);
    assert.equal(groups.status, 403);
    assert.match(groups.body.error.message, /'Microsoft.Resources\/subscriptions\/resourceGroups\/read' over scope '\/subscriptions\/[^']+\/resourcegroups'/i);
    // admin routes are not ARM
    const health = await request(emu.url).get('/_emulator/health');
    assert.equal(health.status, 200);
    // Graph wants a Graph token: an ARM token is refused, as Graph does
    const armOnGraph = await emu.http().get('/graph/v1.0/servicePrincipals');
    assert.equal(armOnGraph.status, 401);
    assert.deepEqual([armOnGraph.body.error.code, armOnGraph.body.error.message], ['InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.']);
    const byAppId = await request(emu.url)
      .get(`/graph/v1.0/servicePrincipals(appId='${op.appId}')`)
      .set('Authorization', `Bearer ${graphToken(emu)}`);
    assert.equal(byAppId.status, 200);
    assert.equal(byAppId.body.id, op.oid);
    const byIds = await request(emu.url)
      .post('/graph/v1.0/directoryObjects/getByIds')
      .set('Authorization', `Bearer ${graphToken(emu)}`)
      .send({ ids: [op.oid, objectIdFor(CLIENT_ID)], types: ['servicePrincipal'] });
    assert.deepEqual(
      byIds.body.value.map((o: any) => [o['@odata.type'], o.appId]),
      [
        ['#microsoft.graph.servicePrincipal', op.appId],
        ['#microsoft.graph.servicePrincipal', CLIENT_ID],
      ],
    );
  });

  it('Contributor on one group: create there, 403 elsewhere, lists narrowed, no role assignments; access ends with the assignment', async () => {
    const op = await newPrincipal(emu, 'operator-1');
    const name = guid();
    const a = await assign(emu, rgPath('ops-rg'), CONTRIBUTOR, op.oid, name);
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal(a.body.properties.scope, rgPath('ops-rg'));
    assert.equal(a.body.properties.roleDefinitionId, roleId(CONTRIBUTOR));

    assert.equal((await op.http().get(`${rgPath('ops-rg')}?api-version=2021-04-01`)).status, 200);
    const { res, status } = await writeAndWait({ ...emu, http: op.http } as TestEmulator, 'put', `${clusterPath('ops-rg', 'op1')}?api-version=2022-11-01`, clusterBody('eastus'));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(status.status, 'Succeeded');

    const other = await op
      .http()
      .put(`${clusterPath('admin-rg', 'op2')}?api-version=2022-11-01`)
      .send(clusterBody('eastus'));
    assert.equal(other.status, 403);
    assert.match(
      other.body.error.message,
      /'Microsoft.ContainerService\/managedClusters\/write' over scope '\/subscriptions\/[^/]+\/resourceGroups\/admin-rg\/providers\/Microsoft.ContainerService\/managedClusters\/op2'/,
    );
    assert.equal((await op.http().post(`${clusterPath('ops-rg', 'op1')}/listClusterAdminCredential?api-version=2022-11-01`)).status, 200);

    // lists show the part the caller may read
    const groups = await op.http().get(`/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`);
    assert.equal(groups.status, 200);
    assert.deepEqual(
      groups.body.value.map((g: any) => g.name),
      ['ops-rg'],
    );
    const subs = await op.http().get('/subscriptions?api-version=2019-11-01');
    assert.deepEqual(
      subs.body.value.map((s: any) => s.subscriptionId),
      [SUB],
    );
    const clusters = await op.http().get(`/subscriptions/${SUB}/providers/Microsoft.ContainerService/managedClusters?api-version=2022-11-01`);
    assert.equal(clusters.status, 200);
    assert.deepEqual(
      clusters.body.value.map((c: any) => c.name),
      ['op1'],
    );

    // Contributor's NotActions: no role assignments
    const grant = await op
      .http()
      .put(`${rgPath('ops-rg')}/providers/${AUTH}/roleAssignments/${guid()}?api-version=${API}`)
      .send({ properties: { roleDefinitionId: roleId(READER), principalId: op.oid } });
    assert.equal(grant.status, 403);
    assert.match(grant.body.error.message, /'Microsoft.Authorization\/roleAssignments\/write'/);

    const del = await emu.http().delete(`${rgPath('ops-rg')}/providers/${AUTH}/roleAssignments/${name}?api-version=${API}`);
    assert.equal(del.status, 200);
    // the spec's RoleAssignments_Delete returns the deleted assignment; it is gone after (RoleAssignmentNotFound)
    assert.equal(del.body.name, name);
    assert.equal(del.body.properties.principalId, op.oid);
    const gone = await emu.http().get(`${rgPath('ops-rg')}/providers/${AUTH}/roleAssignments/${name}?api-version=${API}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'RoleAssignmentNotFound');
    assert.equal((await emu.http().delete(`${rgPath('ops-rg')}/providers/${AUTH}/roleAssignments/${name}?api-version=${API}`)).status, 204);
    const after = await op.http().get(`${clusterPath('ops-rg', 'op1')}?api-version=2022-11-01`);
    assert.equal(after.status, 403);
    assert.equal(after.body.error.code, 'AuthorizationFailed');
  });

  it('assignment errors: RoleAssignmentExists, PrincipalNotFound, RoleDefinitionDoesNotExist, InvalidRoleAssignmentId, update refused', async () => {
    const op = await newPrincipal(emu, 'errors');
    const name = guid();
    assert.equal((await assign(emu, rgPath('admin-rg'), READER, op.oid, name)).status, 201);
    assert.equal((await assign(emu, rgPath('admin-rg'), READER, op.oid, name)).status, 200);
    const dup = await assign(emu, rgPath('admin-rg'), READER, op.oid);
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'RoleAssignmentExists');
    assert.equal(dup.body.error.message, 'The role assignment already exists.');
    const upd = await assign(emu, rgPath('admin-rg'), CONTRIBUTOR, op.oid, name);
    assert.equal(upd.status, 400);
    assert.equal(upd.body.error.code, 'RoleAssignmentUpdateNotPermitted');
    const nobody = await assign(emu, rgPath('admin-rg'), READER, guid());
    assert.equal(nobody.status, 400);
    assert.equal(nobody.body.error.code, 'PrincipalNotFound');
    assert.match(nobody.body.error.message, /does not exist in the directory/);
    const norole = await assign(emu, rgPath('admin-rg'), guid(), op.oid);
    assert.equal(norole.status, 400);
    assert.equal(norole.body.error.code, 'RoleDefinitionDoesNotExist');
    const badName = await assign(emu, rgPath('admin-rg'), READER, op.oid, 'not-a-guid');
    assert.equal(badName.status, 400);
    assert.equal(badName.body.error.code, 'InvalidRoleAssignmentId');
    // Reader: reads, no writes
    assert.equal((await op.http().get(`${rgPath('admin-rg')}?api-version=2021-04-01`)).status, 200);
    assert.equal(
      (
        await op
          .http()
          .patch(`${rgPath('admin-rg')}?api-version=2021-04-01`)
          .send({ tags: { a: 'b' } })
      ).status,
      403,
    );
  });

  it('atScope() and principalId filters; inherited assignments apply below their scope', async () => {
    const op = await newPrincipal(emu, 'filters');
    await assign(emu, `/subscriptions/${SUB}`, READER, op.oid);
    await assign(emu, rgPath('net-rg'), CONTRIBUTOR, op.oid);
    const atRg = await emu.http().get(`${rgPath('net-rg')}/providers/${AUTH}/roleAssignments?api-version=2020-04-01-preview&$filter=atScope()`);
    const mine = atRg.body.value.filter((a: any) => a.properties.principalId === op.oid);
    assert.equal(mine.length, 2, 'the group assignment and the inherited subscription one');
    const atSub = await emu.http().get(`/subscriptions/${SUB}/providers/${AUTH}/roleAssignments?api-version=2015-07-01&$filter=atScope()`);
    assert.equal(atSub.body.value.filter((a: any) => a.properties.principalId === op.oid).length, 1);
    assert.equal(atSub.body.value[0].properties.principalType, undefined, '2015-07-01 has no principalType');
    assert.equal((await op.http().get(`${rgPath('admin-rg')}?api-version=2021-04-01`)).status, 200, 'subscription Reader reads every group');
    assert.equal(
      (
        await op
          .http()
          .put(`${rgPath('net-rg')}?api-version=2021-04-01`)
          .send({ location: 'eastus' })
      ).status,
      200,
    );
    assert.equal(
      (
        await op
          .http()
          .put(`${rgPath('admin-rg')}?api-version=2021-04-01`)
          .send({ location: 'eastus' })
      ).status,
      403,
    );
  });

  it('linked checks: a subnet needs join/action, a custom location needs deploy/action (LinkedAuthorizationFailed)', async () => {
    const op = await newPrincipal(emu, 'linked');
    await assign(emu, rgPath('ops-rg'), CONTRIBUTOR, op.oid);
    const subnet = `${rgPath('net-rg')}/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/aks`;
    const body = clusterBody('eastus', { pool: { vnetSubnetID: subnet } });
    const r = await op
      .http()
      .put(`${clusterPath('ops-rg', 'linked1')}?api-version=2022-11-01`)
      .send(body);
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'LinkedAuthorizationFailed');
    assert.equal(
      r.body.error.message,
      `The client '${op.appId}' with object id '${op.oid}' has permission to perform action 'Microsoft.ContainerService/managedClusters/write' on scope '${clusterPath('ops-rg', 'linked1')}'; however, it does not have permission to perform action(s) 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '${subnet}' (respectively) or the linked scope(s) are invalid.`,
    );
    const cl = `${rgPath('net-rg')}/providers/Microsoft.ExtendedLocation/customLocations/site1`;
    const r2 = await op
      .http()
      .put(`${clusterPath('ops-rg', 'linked2')}?api-version=2022-11-01`)
      .send({ ...clusterBody('eastus'), extendedLocation: { type: 'CustomLocation', name: cl } });
    assert.equal(r2.status, 403);
    assert.match(r2.body.error.message, /'Microsoft.ExtendedLocation\/customLocations\/deploy\/action' on the linked scope\(s\) '[^']+customLocations\/site1'/);
    // the network and custom-location roles on the admin's group lift both
    await assign(emu, rgPath('net-rg'), '4d97b98b-1d4f-4787-a291-c67834d212e7', op.oid);
    await assign(emu, cl, '874d1c73-6003-4e60-a13a-cb31ea190a85', op.oid).catch(() => undefined);
    const ok = await op
      .http()
      .put(`${clusterPath('ops-rg', 'linked1')}?api-version=2022-11-01`)
      .send(body);
    assert.notEqual(ok.status, 403, JSON.stringify(ok.body));
  });

  it('custom roles: assignable scopes, NotActions honoured', async () => {
    const id = guid();
    const def = await emu
      .http()
      .put(`/subscriptions/${SUB}/providers/${AUTH}/roleDefinitions/${id}?api-version=2022-04-01`)
      .send({
        properties: {
          roleName: 'Cluster Reader No Creds',
          description: 'reads clusters',
          type: 'CustomRole',
          permissions: [
            {
              actions: ['Microsoft.ContainerService/*/read', 'Microsoft.ContainerService/managedClusters/list*/action', 'Microsoft.Resources/subscriptions/resourceGroups/read'],
              notActions: ['Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action'],
            },
          ],
          assignableScopes: [rgPath('ops-rg')],
        },
      });
    assert.equal(def.status, 201, JSON.stringify(def.body));
    assert.equal(def.body.properties.type, 'CustomRole');
    const listed = await emu.http().get(`/subscriptions/${SUB}/providers/${AUTH}/roleDefinitions?api-version=${API}&$filter=type%20eq%20'CustomRole'`);
    assert.deepEqual(
      listed.body.value.map((d: any) => d.name),
      [id],
    );
    const op = await newPrincipal(emu, 'custom');
    const outside = await assign(emu, rgPath('admin-rg'), id, op.oid);
    assert.equal(outside.status, 403);
    assert.equal(outside.body.error.code, 'RoleAssignmentScopeNotAssignableToRoleDefinition');
    assert.equal((await assign(emu, rgPath('ops-rg'), id, op.oid)).status, 201);
    await writeAndWait(emu, 'put', `${clusterPath('ops-rg', 'cr1')}?api-version=2022-11-01`, clusterBody('eastus'));
    assert.equal((await op.http().get(`${clusterPath('ops-rg', 'cr1')}?api-version=2022-11-01`)).status, 200);
    assert.equal((await op.http().post(`${clusterPath('ops-rg', 'cr1')}/listClusterUserCredential?api-version=2022-11-01`)).status, 200);
    const admin = await op.http().post(`${clusterPath('ops-rg', 'cr1')}/listClusterAdminCredential?api-version=2022-11-01`);
    assert.equal(admin.status, 403);
    assert.match(admin.body.error.message, /listClusterAdminCredential\/action/);
    const dup = await emu
      .http()
      .put(`/subscriptions/${SUB}/providers/${AUTH}/roleDefinitions/${guid()}?api-version=2022-04-01`)
      .send({ properties: { roleName: 'Cluster Reader No Creds', permissions: [{ actions: [] }], assignableScopes: [`/subscriptions/${SUB}`] } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'RoleDefinitionWithSameNameExists');
    // RoleDefinitions_Delete answers 200 with the deleted definition, then 204
    const spare = guid();
    const rd = `/subscriptions/${SUB}/providers/${AUTH}/roleDefinitions/${spare}?api-version=2022-04-01`;
    assert.equal(
      (
        await emu
          .http()
          .put(rd)
          .send({ properties: { roleName: 'Spare', permissions: [{ actions: [] }], assignableScopes: [`/subscriptions/${SUB}`] } })
      ).status,
      201,
    );
    const gone = await emu.http().delete(rd);
    assert.equal(gone.status, 200);
    assert.equal(gone.body.name, spare);
    assert.equal(gone.body.properties.roleName, 'Spare');
    assert.equal(gone.body.properties.type, 'CustomRole');
    assert.equal((await emu.http().delete(rd)).status, 204);
  });

  it('deleting a scope deletes its role assignments (resource group cascade and resource delete)', async () => {
    const op = await newPrincipal(emu, 'cascade');
    await createGroup(emu, 'doomed-rg', 'eastus');
    const n1 = guid();
    assert.equal((await assign(emu, rgPath('doomed-rg'), READER, op.oid, n1)).status, 201);
    await writeAndWait(emu, 'put', `${clusterPath('doomed-rg', 'c9')}?api-version=2022-11-01`, clusterBody('eastus'));
    const n2 = guid();
    assert.equal((await assign(emu, clusterPath('doomed-rg', 'c9'), READER, op.oid, n2)).status, 201);
    const onCluster = await emu.http().get(`${clusterPath('doomed-rg', 'c9')}/providers/${AUTH}/roleAssignments/${n2}?api-version=${API}`);
    assert.equal(onCluster.status, 200);
    assert.equal(onCluster.body.properties.scope, clusterPath('doomed-rg', 'c9'));
    // deleting the resource alone deletes the assignments on it
    await writeAndWait(emu, 'put', `${clusterPath('doomed-rg', 'c8')}?api-version=2022-11-01`, clusterBody('eastus'));
    const n3 = guid();
    assert.equal((await assign(emu, clusterPath('doomed-rg', 'c8'), READER, op.oid, n3)).status, 201);
    await writeAndWait(emu, 'delete', `${clusterPath('doomed-rg', 'c8')}?api-version=2022-11-01`);
    assert.equal(emu.services.resources.get(`${clusterPath('doomed-rg', 'c8')}/providers/${AUTH}/roleAssignments/${n3}`), undefined);
    const del = await emu.http().delete(`${rgPath('doomed-rg')}?api-version=2021-04-01`);
    assert.equal(del.status, 202);
    await waitUntil(() => !emu.services.resources.get(rgPath('doomed-rg')), { what: 'the group to be deleted' });
    const left = await emu.http().get(`/subscriptions/${SUB}/providers/${AUTH}/roleAssignments?api-version=${API}&$filter=principalId%20eq%20'${op.oid}'`);
    assert.deepEqual(left.body.value, []);
    assert.equal(emu.services.resources.get(`${rgPath('doomed-rg')}/providers/${AUTH}/roleAssignments/${n1}`), undefined);
  });
});

describe('RBAC with --no-auth', function () {
  it('turns enforcement off; role assignment APIs still answer', async () => {
    const emu = await startTestEmulator(['--no-auth']);
    try {
      const r = await request(emu.url)
        .put(`${rgPath('free')}?api-version=2021-04-01`)
        .send({ location: 'eastus' });
      assert.equal(r.status, 201);
      const l = await request(emu.url).get(`/subscriptions/${SUB}/providers/${AUTH}/roleAssignments?api-version=${API}`);
      assert.equal(l.status, 200);
    } finally {
      await emu.close();
    }
  });
});

describe('RBAC state across a restart', function () {
  this.timeout(60_000);
  it('Graph principals, their secrets and their role assignments survive a restart', async () => {
    const dir = tmpDir('rbac-restart-');
    let emu = await startTestEmulator(['--data-dir', dir]);
    let op: Awaited<ReturnType<typeof newPrincipal>>;
    try {
      await emu
        .http()
        .put(`${rgPath('keep')}?api-version=2021-04-01`)
        .send({ location: 'eastus' });
      op = await newPrincipal(emu, 'persisted');
      assert.equal((await assign(emu, rgPath('keep'), READER, op.oid)).status, 201);
    } finally {
      await emu.close();
    }
    emu = await startTestEmulator(['--data-dir', dir]);
    try {
      const tok = await request(emu.url)
        .post(`/${TENANT}/oauth2/v2.0/token`)
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: op.appId, client_secret: op.secret, scope: 'https://management.azure.com/.default' });
      assert.equal(tok.status, 200, JSON.stringify(tok.body));
      const agent = () => request.agent(emu.url).set('Authorization', `Bearer ${tok.body.access_token}`);
      assert.equal((await agent().get(`${rgPath('keep')}?api-version=2021-04-01`)).status, 200);
      assert.equal(
        (
          await agent()
            .put(`${rgPath('keep')}?api-version=2021-04-01`)
            .send({ location: 'eastus' })
        ).status,
        403,
      );
      const owners = await emu.http().get(`/subscriptions/${SUB}/providers/${AUTH}/roleAssignments?api-version=${API}&$filter=principalId%20eq%20'${objectIdFor(CLIENT_ID)}'`);
      assert.equal(owners.body.value.length, 1, 'the Owner bootstrap is not repeated');
    } finally {
      await emu.close();
    }
  });
});
