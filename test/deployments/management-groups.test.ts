// Management groups as ARM serves them (Microsoft.Management, 2021-04-01), and RBAC through the
// hierarchy: the tenant root group exists; any principal may create a group under the root and is its
// Owner; under another group it needs write there; a role assigned at a group applies to the groups and
// subscriptions below it; a group with children is not deleted; a subscription sits in one group.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { rgPath, startTestEmulator, SUB, TENANT, type TestEmulator } from '../support/emulator.js';
import { newPrincipal } from '../authorization/helpers.js';

const V = 'api-version=2021-04-01';
const MG = (g: string) => `/providers/Microsoft.Management/managementGroups/${g}`;
const READER = '/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7';

describe('management groups', function () {
  this.timeout(60_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startTestEmulator([]);
    assert.equal(
      (
        await emu
          .http()
          .put(`${rgPath('under')}?${V}`)
          .send({ location: 'eastus' })
      ).status,
      201,
    );
  });
  after(async () => emu.close());

  it('a principal creates a hierarchy it owns; the root group is there for those with rights at the root', async () => {
    const a = await emu
      .http()
      .put(`${MG('team-a')}?${V}`)
      .send({ properties: { displayName: 'Team A' } });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.deepEqual(a.body.properties.details.parent, { id: MG(TENANT), name: TENANT, displayName: 'Tenant Root Group' });
    const b = await emu
      .http()
      .put(`${MG('team-b')}?${V}`)
      .send({ properties: { details: { parent: { id: MG('team-a') } } } });
    assert.equal(b.status, 200, JSON.stringify(b.body));
    const got = await emu.http().get(`${MG('team-a')}?${V}&$expand=children,path,ancestors&$recurse=true`);
    assert.equal(got.status, 200);
    assert.deepEqual(
      got.body.properties.children.map((c: any) => [c.name, c.type]),
      [['team-b', 'Microsoft.Management/managementGroups']],
    );
    assert.deepEqual(got.body.properties.details.path, [{ name: TENANT, displayName: 'Tenant Root Group' }]);
    const list = await emu.http().get(`/providers/Microsoft.Management/managementGroups?${V}`);
    assert.deepEqual(list.body.value.map((g: any) => g.name).sort(), ['team-a', 'team-b'], 'the root is not readable without rights at the root');
    // A parent that does not exist, and a cycle.
    assert.equal(
      (
        await emu
          .http()
          .put(`${MG('orphan')}?${V}`)
          .send({ properties: { details: { parent: { id: MG('nope') } } } })
      ).status,
      404,
    );
    const cycle = await emu
      .http()
      .patch(`${MG('team-a')}?${V}`)
      .send({ parentGroupId: MG('team-b') });
    assert.equal(cycle.status, 400);
    assert.match(cycle.body.error.message, /itself or one of its descendants/);
    // With children it stays.
    const refused = await emu.http().delete(`${MG('team-a')}?${V}`);
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /has children/);
  });

  it('a role at a group applies to the groups and subscriptions below it; creating under a group needs write there', async () => {
    const other = await newPrincipal(emu, 'mg-reader');
    // Not yet: no role anywhere.
    assert.equal((await other.http().get(`${rgPath('under')}?${V}`)).status, 403);
    assert.equal(
      (
        await other
          .http()
          .put(`${MG('sneaky')}?${V}`)
          .send({ properties: { details: { parent: { id: MG('team-a') } } } })
      ).status,
      403,
    );
    // Reader at team-a; the subscription moves into team-b (below team-a).
    const ra = await emu
      .http()
      .put(`${MG('team-a')}/providers/Microsoft.Authorization/roleAssignments/22222222-0000-0000-0000-000000000001?api-version=2022-04-01`)
      .send({ properties: { roleDefinitionId: READER, principalId: other.oid } });
    assert.ok([200, 201].includes(ra.status), JSON.stringify(ra.body));
    assert.equal((await other.http().get(`${MG('team-b')}?${V}`)).status, 200, 'a group below');
    assert.equal((await other.http().get(`${rgPath('under')}?${V}`)).status, 403, 'the subscription is not below team-a yet');
    assert.equal((await emu.http().put(`${MG('team-b')}/subscriptions/${SUB}?${V}`)).status, 200);
    const children = (await emu.http().get(`${MG('team-b')}?${V}&$expand=children`)).body.properties.children;
    assert.deepEqual(
      children.map((c: any) => [c.name, c.type]),
      [[SUB, '/subscriptions']],
    );
    assert.equal((await other.http().get(`${rgPath('under')}?${V}`)).status, 200, 'a resource group of a subscription below');
    assert.equal(
      (
        await other
          .http()
          .put(`${rgPath('under2')}?${V}`)
          .send({ location: 'eastus' })
      ).status,
      403,
      'Reader reads only',
    );
    // Back to the root: the role no longer applies.
    assert.equal((await emu.http().delete(`${MG('team-b')}/subscriptions/${SUB}?${V}`)).status, 200);
    assert.equal((await other.http().get(`${rgPath('under')}?${V}`)).status, 403);
  });

  it('deletes a group without children, with what was deployed at its scope', async () => {
    const dep = await emu
      .http()
      .put(`${MG('team-b')}/providers/Microsoft.Resources/deployments/d?${V}`)
      .send({
        location: 'eastus',
        properties: {
          mode: 'Incremental',
          template: { $schema: 'https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#', contentVersion: '1.0.0.0', resources: [] },
        },
      });
    assert.equal(dep.status, 201, JSON.stringify(dep.body));
    await waitUntil(async () => (await emu.http().get(`${MG('team-b')}/providers/Microsoft.Resources/deployments/d?${V}`)).body.properties.provisioningState === 'Succeeded', {
      what: 'the deployment to succeed',
    });
    assert.equal((await emu.http().delete(`${MG('team-b')}?${V}`)).status, 204);
    // Gone, and with it the creator's Owner assignment: reading it again is not allowed (nor would Azure say more).
    assert.equal((await emu.http().get(`${MG('team-b')}?${V}`)).status, 403);
    assert.equal(emu.services.resources.get(`${MG('team-b')}/providers/Microsoft.Resources/deployments/d`), undefined);
    assert.equal((await emu.http().delete(`${MG('team-a')}?${V}`)).status, 204);
    assert.equal((await emu.http().delete(`${MG(TENANT)}?${V}`)).status, 403, 'the root: no rights there');
  });
});
