// Every operation of the deployments REST spec (Microsoft.Resources deployments and deployment
// operations, 2021-04-01, as the Python SDK in Debian's python3-azure lists them: 55 operations) is
// served at each of its scopes: resource group, subscription, management group, tenant, and
// `/{scope}` (the same four, reached through the generic path), plus calculateTemplateHash and the
// older `/resourcegroups/{rg}/deployments/...` operation paths az 2.45 still uses.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { rgPath, SUB, startTestEmulator, type TestEmulator } from '../support/emulator.js';

const V = 'api-version=2021-04-01';
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const MG = '/providers/Microsoft.Management/managementGroups/specmg';

/** The spec's operations, by scope prefix ('' is the tenant). */
const SCOPES: { name: string; prefix: string; location: boolean; whatIf: boolean }[] = [
  { name: 'resource group', prefix: rgPath('spec'), location: false, whatIf: true },
  { name: 'subscription', prefix: `/subscriptions/${SUB}`, location: true, whatIf: true },
  { name: 'management group', prefix: MG, location: true, whatIf: true },
  { name: 'tenant', prefix: '', location: true, whatIf: true },
];

async function poll(emu: TestEmulator, url: string): Promise<any> {
  const u = new URL(url);
  return waitUntil(
    async () => {
      const r = await emu.http().get(u.pathname + u.search);
      return r.status === 200 && !['InProgress', 'Accepted', 'Running'].includes(r.body?.status) ? r.body : undefined;
    },
    { what: `${url} to finish`, everyMs: 10 },
  );
}

describe('deployments: every operation of the REST spec, at every scope', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startTestEmulator([]);
    // Tenant and management-group scopes need rights at the root, as in Azure: a Global Administrator
    // elevates (User Access Administrator at '/') and makes itself Owner there.
    const me = (await emu.http().get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`)).body.value[0].properties.principalId;
    assert.equal((await emu.http().post('/providers/Microsoft.Authorization/elevateAccess?api-version=2016-07-01')).status, 200);
    const owner = `/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`;
    const ra = await emu
      .http()
      .put(`/providers/Microsoft.Authorization/roleAssignments/11111111-2222-3333-4444-555555555555?api-version=2022-04-01`)
      .send({ properties: { roleDefinitionId: owner, principalId: me } });
    assert.ok([200, 201].includes(ra.status), JSON.stringify(ra.body));
    assert.equal(
      (
        await emu
          .http()
          .put(`${rgPath('spec')}?${V}`)
          .send({ location: 'eastus' })
      ).status,
      201,
    );
    assert.equal(
      (
        await emu
          .http()
          .put(`${MG}?${V}`)
          .send({ properties: { displayName: 'Spec MG' } })
      ).status,
      200,
    );
  });
  after(async () => emu.close());

  for (const generic of [false, true]) {
    for (const s of SCOPES) {
      it(`${generic ? '/{scope} form: ' : ''}${s.name}: PUT, HEAD, GET, list, validate, what-if, export, operations, cancel, DELETE`, async () => {
        const name = `d-${generic ? 'g' : 'n'}`;
        // The generic /{scope} form is the same URL: the spec's AtScope operations address the four scopes.
        const dep = `${s.prefix}/providers/Microsoft.Resources/deployments/${name}`;
        const template = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [], outputs: { scopeKind: { type: 'string', value: '[deployment().name]' } } };
        const body = { ...(s.location ? { location: 'eastus' } : {}), properties: { mode: 'Incremental', template } };
        assert.equal((await emu.http().head(`${dep}?${V}`)).status, 404, 'HEAD of a deployment that does not exist');

        const v = await emu.http().post(`${dep}/validate?${V}`).send(body);
        assert.equal(v.status, 200, JSON.stringify(v.body));
        assert.equal(v.body.properties.provisioningState, 'Succeeded');

        if (s.whatIf) {
          const w = await emu.http().post(`${dep}/whatIf?${V}`).send(body);
          assert.equal(w.status, 202, JSON.stringify(w.body));
          const result = await poll(emu, w.headers.location);
          assert.equal(result.status, 'Succeeded');
        }

        const put = await emu.http().put(`${dep}?${V}`).send(body);
        assert.equal(put.status, 201, JSON.stringify(put.body));
        assert.equal((await poll(emu, put.headers['azure-asyncoperation'])).status, 'Succeeded');
        assert.equal((await emu.http().head(`${dep}?${V}`)).status, 204);
        const g = await emu.http().get(`${dep}?${V}`);
        assert.equal(g.status, 200);
        assert.equal(g.body.id, dep);
        assert.equal(g.body.properties.outputs.scopeKind.value, name);
        const list = await emu.http().get(`${s.prefix}/providers/Microsoft.Resources/deployments/?${V}`);
        assert.equal(list.status, 200);
        assert.ok(list.body.value.some((d: any) => d.name === name));
        const ex = await emu.http().post(`${dep}/exportTemplate?${V}`);
        assert.equal(ex.status, 200);
        assert.deepEqual(ex.body.template.outputs, template.outputs);
        const ops = await emu.http().get(`${dep}/operations?${V}`);
        assert.equal(ops.status, 200, JSON.stringify(ops.body));
        assert.ok(Array.isArray(ops.body.value));
        const cancel = await emu.http().post(`${dep}/cancel?${V}`);
        assert.equal(cancel.status, 409, 'a finished deployment cannot be canceled');
        assert.equal(cancel.body.error.code, 'DeploymentCannotBeCancelled');
        const del = await emu.http().delete(`${dep}?${V}`);
        assert.ok([200, 202, 204].includes(del.status), `${del.status}`);
        if (del.status === 202) await poll(emu, del.headers['azure-asyncoperation'] ?? del.headers.location);
        assert.equal((await emu.http().get(`${dep}?${V}`)).status, 404);
      });
    }
  }

  it('a deployment operation by id, at each scope and on the older resource-group path', async () => {
    const template = {
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      resources: [{ type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'spec-id', location: 'eastus' }],
    };
    const dep = `${rgPath('spec')}/providers/Microsoft.Resources/deployments/withop`;
    const put = await emu
      .http()
      .put(`${dep}?${V}`)
      .send({ properties: { mode: 'Incremental', template } });
    assert.equal((await poll(emu, put.headers['azure-asyncoperation'])).status, 'Succeeded');
    const ops = (await emu.http().get(`${dep}/operations?${V}`)).body.value;
    assert.equal(ops.length, 1);
    const one = await emu.http().get(`${dep}/operations/${ops[0].operationId}?${V}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.properties.targetResource.resourceName, 'spec-id');
    const legacy = await emu.http().get(`/subscriptions/${SUB}/resourcegroups/spec/deployments/withop/operations/${ops[0].operationId}?${V}`);
    assert.equal(legacy.status, 200);
    assert.equal(legacy.body.operationId, ops[0].operationId);
    assert.equal((await emu.http().get(`/subscriptions/${SUB}/resourcegroups/spec/deployments/withop/operations?${V}`)).body.value.length, 1);
  });

  it("calculateTemplateHash: the minified template and ARM's hash (the spec's own example)", async () => {
    const template = {
      $schema: 'http://schemas.management.azure.com/deploymentTemplate?api-version=2014-04-01-preview',
      contentVersion: '1.0.0.0',
      parameters: { string: { type: 'string' } },
      variables: { string: 'string', int: 42, bool: true, array: [1, 2, 3, 4], object: { object: { vmSize: 'Large', location: 'West US' } } },
      resources: [],
      outputs: { string: { type: 'string', value: 'myvalue' } },
    };
    const r = await emu.http().post(`/providers/Microsoft.Resources/calculateTemplateHash?${V}`).send(template);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.templateHash, '695440707931307747');
    assert.equal(
      r.body.minifiedTemplate,
      '{"$SCHEMA":"HTTP://SCHEMAS.MANAGEMENT.AZURE.COM/DEPLOYMENTTEMPLATE?API-VERSION=2014-04-01-PREVIEW","CONTENTVERSION":"1.0.0.0","PARAMETERS":{"STRING":{"TYPE":"STRING"}},"VARIABLES":{"STRING":"STRING","INT":42,"BOOL":TRUE,"ARRAY":[1,2,3,4],"OBJECT":{"OBJECT":{"VMSIZE":"LARGE","LOCATION":"WEST US"}}},"RESOURCES":[],"OUTPUTS":{"STRING":{"TYPE":"STRING","VALUE":"MYVALUE"}}}',
    );
    assert.equal((await emu.http().post(`/providers/Microsoft.Resources/calculateTemplateHash?${V}`).send([1])).status, 400);
  });
});
