// The real az CLI 2.45 on RBAC, as the personas use it: the administrator (the well-known service
// principal, Owner) creates the operator with `az ad sp create-for-rbac --role Contributor --scopes
// <group>` through the emulator's Graph, assigns and lists roles; the operator signs in with the new
// secret, creates a cluster in its group, gets 403 (AuthorizationFailed) elsewhere through `az aks
// create`, and loses access when the assignment is deleted. Both az profiles.
import assert from 'node:assert/strict';
import { RbacAz, ensureAz } from '../support/az.js';
import { startTestEmulator, rgPath, CLIENT_ID, SECRET, TENANT, type TestEmulator } from '../support/emulator.js';
import { objectIdFor } from '../../src/identity/tokens.js';

describe('az role and az ad sp against the emulator (real az CLI)', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let admin: RbacAz;
  before(async () => {
    ensureAz();
    emu = await startTestEmulator();
    admin = new RbacAz(emu);
    await admin.loginAs(CLIENT_ID, SECRET);
    await admin.ok(['group', 'create', '-n', 'ops-rg', '-l', 'eastus']);
    await admin.ok(['group', 'create', '-n', 'site-rg', '-l', 'eastus']);
  });
  after(async () => emu?.close());

  it('persona flow: create-for-rbac, sp show, role assignment create/list/delete, role definition list, 403 through az aks create', async () => {
    const sp = await admin.ok(['ad', 'sp', 'create-for-rbac', '-n', 'k8s-operator', '--role', 'Contributor', '--scopes', rgPath('ops-rg')]);
    assert.match(sp.appId, /^[0-9a-f-]{36}$/);
    assert.equal(sp.tenant, TENANT);
    assert.ok(sp.password);
    const shown = await admin.ok(['ad', 'sp', 'show', '--id', sp.appId]);
    assert.equal(shown.appId, sp.appId);
    assert.equal(shown.id, objectIdFor(sp.appId));
    assert.equal(shown.displayName, 'k8s-operator');

    const reader = await admin.ok(['role', 'assignment', 'create', '--assignee', sp.appId, '--role', 'Reader', '-g', 'site-rg']);
    assert.equal(reader.principalId, shown.id);
    assert.equal(reader.scope, rgPath('site-rg'));
    assert.equal(reader.principalType, 'ServicePrincipal');
    const mine = await admin.ok(['role', 'assignment', 'list', '--assignee', sp.appId, '--all']);
    assert.deepEqual(mine.map((a: any) => `${a.roleDefinitionName}@${a.resourceGroup}`).sort(), ['Contributor@ops-rg', 'Reader@site-rg']);
    const defs = await admin.ok(['role', 'definition', 'list', '--name', 'Azure Kubernetes Service Cluster Admin Role']);
    assert.equal(defs.length, 1);
    assert.equal(defs[0].name, '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8');
    assert.deepEqual(defs[0].permissions[0].actions.slice(0, 1), ['Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action']);

    const op = new RbacAz(emu);
    await op.loginAs(sp.appId, sp.password);
    const c = await op.ok(['aks', 'create', '-g', 'ops-rg', '-n', 'op1', '--no-ssh-key', '--node-count', '1']);
    assert.equal(c.provisioningState, 'Succeeded');
    const refused = await op.run(['aks', 'create', '-g', 'site-rg', '-n', 'op2', '--no-ssh-key', '--node-count', '1']);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /\(AuthorizationFailed\) The client '[0-9a-f-]+' with object id '[0-9a-f-]+' does not have authorization to perform action 'Microsoft.ContainerService\/managedClusters\/write' over scope '\/subscriptions\/[^/]+\/resourceGroups\/site-rg\/providers\/Microsoft.ContainerService\/managedClusters\/op2'/,
    );
    const groups = await op.ok(['group', 'list']);
    assert.deepEqual(groups.map((g: any) => g.name).sort(), ['ops-rg', 'site-rg']);

    await admin.ok(['role', 'assignment', 'delete', '--assignee', sp.appId, '--role', 'Contributor', '-g', 'ops-rg']);
    const gone = await op.run(['aks', 'show', '-g', 'ops-rg', '-n', 'op1']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /AuthorizationFailed.*Microsoft.Resources\/subscriptions\/resourceGroups\/read|AuthorizationFailed.*managedClusters\/read/);
    const left = await admin.ok(['role', 'assignment', 'list', '--assignee', sp.appId, '--all']);
    assert.deepEqual(
      left.map((a: any) => a.roleDefinitionName),
      ['Reader'],
    );
  });

  it('Azure Stack Hub profile (2020-09-01-hybrid, api-version 2015-07-01): role definitions and assignments', async () => {
    const hub = new RbacAz(emu);
    await hub.loginAs(CLIENT_ID, SECRET, '2020-09-01-hybrid');
    const defs = await hub.ok(['role', 'definition', 'list', '--name', 'Reader']);
    assert.equal(defs[0].name, 'acdd72a7-3385-48ef-bd42-f606fba81ae7');
    const sp = await hub.ok(['ad', 'sp', 'create-for-rbac', '-n', 'hub-operator', '--role', 'Reader', '--scopes', rgPath('site-rg')]);
    const listed = await hub.ok(['role', 'assignment', 'list', '-g', 'site-rg']);
    // 2015-07-01 role assignments are not flattened: az shows the names inside 'properties'
    assert.ok(
      listed.some((a: any) => a.properties.principalName === sp.appId && a.properties.roleDefinitionName === 'Reader'),
      JSON.stringify(listed),
    );
  });
});
