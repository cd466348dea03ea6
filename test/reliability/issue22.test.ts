// Issue 22's holes as probes (items 2, 3, 4, and what the audit of every door found): each case fails if the
// hole reopens. Graph account takeover; the admin API taking any principal's token; deny assignments bypassed
// by nested and cross-scope deployments; operation results polled by strangers; kubeconfigs in admin views.
import assert from 'node:assert/strict';
import request from 'supertest';
import { objectIdFor } from '../../src/identity/tokens.js';
import { redactSecrets } from '../../src/admin/routes.js';
import { newPrincipal, graphToken } from '../authorization/helpers.js';
import { rgPath, SUB, TENANT, CLIENT_ID, type TestEmulator } from '../support/emulator.js';
import { clusterBody, clusterPath, createGroup, startAksEmulator, writeAndWait, NS, AZ_API } from '../containerservice/helpers.js';

const AUTH = 'Microsoft.Authorization';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const UAA = '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9';
const RV = 'api-version=2021-04-01';
const MI = 'Microsoft.ManagedIdentity/userAssignedIdentities';

async function assign(emu: TestEmulator, scope: string, role: string, principalId: string) {
  const at = scope === '/' ? '' : scope;
  const r = await emu
    .http()
    .put(`${at}/providers/${AUTH}/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`)
    .send({ properties: { roleDefinitionId: `/providers/${AUTH}/roleDefinitions/${role}`, principalId, principalType: 'ServicePrincipal' } });
  assert.equal(r.status, 201, r.text);
}

async function armToken(emu: TestEmulator, appId: string, secret: string): Promise<string> {
  const t = await request(emu.url)
    .post(`/${TENANT}/oauth2/v2.0/token`)
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: appId, client_secret: secret, scope: 'https://management.azure.com/.default' });
  assert.equal(t.status, 200, t.text);
  return t.body.access_token;
}

const identity = (name: string) => ({ type: MI, apiVersion: '2023-01-31', name, location: 'eastus' });
const nested = (name: string, extra: Record<string, unknown>, resources: unknown[]) => ({
  type: 'Microsoft.Resources/deployments',
  apiVersion: '2021-04-01',
  name,
  ...extra,
  properties: {
    mode: 'Incremental',
    expressionEvaluationOptions: { scope: 'inner' },
    template: { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources },
  },
});
const template = (resources: unknown[], schema = 'deploymentTemplate') => ({ $schema: `https://schema.management.azure.com/schemas/2019-04-01/${schema}.json#`, contentVersion: '1.0.0.0', resources });

describe('issue 22: the holes stay closed', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  let mc: string; // the node resource group, under a deny assignment
  let clusterOp: string; // the cluster create's Azure-AsyncOperation path
  before(async () => {
    emu = await startAksEmulator();
    await createGroup(emu, 'cl', 'eastus');
    await createGroup(emu, 'other', 'eastus');
    const { res, status } = await writeAndWait(emu, 'put', `${clusterPath('cl', 'c1')}?api-version=${AZ_API}`, clusterBody('eastus', { lb: 'standard' }));
    assert.equal(status.status, 'Succeeded');
    mc = res.body.properties.nodeResourceGroup;
    const u = new URL(res.headers['azure-asyncoperation']);
    clusterOp = u.pathname + u.search;
  });
  after(async () => emu?.close());

  describe('item 2: Graph account takeover', () => {
    it('a principal with no role cannot add a password to an application holding Contributor, so cannot sign in as it and create resources', async () => {
      const victim = await newPrincipal(emu, 'deployer');
      await assign(emu, rgPath('other'), CONTRIBUTOR, victim.oid);
      const attacker = await newPrincipal(emu, 'intruder');
      const g = (
        await request(emu.url)
          .post(`/${TENANT}/oauth2/v2.0/token`)
          .type('form')
          .send({ grant_type: 'client_credentials', client_id: attacker.appId, client_secret: attacker.secret, scope: `${emu.url}/graph/.default` })
      ).body.access_token;
      const graph = (m: 'post' | 'patch' | 'delete' | 'get', p: string, b?: object) => request(emu.url)[m](`/graph/v1.0${p}`).set('Authorization', `Bearer ${g}`).send(b);
      const before = (
        await request(emu.url)
          .get(`/graph/v1.0/applications(appId='${victim.appId}')`)
          .set('Authorization', `Bearer ${graphToken(emu)}`)
      ).body;
      const pw = await graph('post', `/applications(appId='${victim.appId}')/addPassword`, { passwordCredential: { displayName: 'mine now' } });
      assert.equal(pw.status, 403, pw.text);
      assert.equal(pw.body.error.code, 'Authorization_RequestDenied');
      assert.equal(pw.body.secretText, undefined);
      for (const [m, p, b] of [
        ['post', `/applications/${before.id}/addPassword`, {}],
        ['patch', `/applications/${before.id}`, { displayName: 'x' }],
        ['delete', `/applications/${before.id}`, undefined],
        ['post', `/applications/${before.id}/owners/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${attacker.oid}` }],
        ['delete', `/servicePrincipals/${victim.oid}`, undefined],
      ] as const) {
        const r = await graph(m, p, b as object | undefined);
        assert.equal(r.status, 403, `${m} ${p}: ${r.text}`);
        assert.equal(r.body.error.code, 'Authorization_RequestDenied');
      }
      const after = (
        await request(emu.url)
          .get(`/graph/v1.0/applications/${before.id}`)
          .set('Authorization', `Bearer ${graphToken(emu)}`)
      ).body;
      assert.deepEqual(after.passwordCredentials, before.passwordCredentials, 'no credential added');
      // the victim still signs in with its own secret; the attacker's ARM token can create nothing
      await armToken(emu, victim.appId, victim.secret);
      const create = await attacker
        .http()
        .put(`${rgPath('other')}/providers/${MI}/stolen?api-version=2023-01-31`)
        .send({ location: 'eastus' });
      assert.equal(create.status, 403);
    });
  });

  describe('item 3: the admin API trusts only configured service principals and Owners of the root scope', () => {
    it("a principal with no rights changes nothing: 403 AuthorizationFailed with the reason, for every change and from the dashboard's origin", async () => {
      const nobody = await newPrincipal(emu, 'nobody-admin');
      const t = await armToken(emu, nobody.appId, nobody.secret);
      const scaleBefore = emu.services.config.timeScale;
      const changes: [string, string, object | undefined][] = [
        ['post', '/_emulator/fabric/sites/local/disconnect', undefined],
        ['post', '/_emulator/fabric/sites/local/hosts/local-host-01/fail', undefined],
        ['put', '/_emulator/operations/time-scale', { timeScale: 5 }],
        ['put', '/_emulator/operations/gates', { rules: [{ typeKey: '*', operation: '*', gate: { mode: 'polls', polls: 99 } }] }],
        ['post', '/_emulator/operations/gates', { typeKey: '*', gate: { mode: 'immediate' } }],
        ['delete', '/_emulator/operations/gates', undefined],
        ['post', `/_emulator/operations/${crypto.randomUUID()}/hold`, undefined],
        ['post', `/_emulator/operations/${crypto.randomUUID()}/cancel`, undefined],
        ['post', `/_emulator/operations/${crypto.randomUUID()}/release`, undefined],
        ['post', '/_emulator/clock/advance', { days: 90 }],
      ];
      for (const [m, p, b] of changes) {
        for (const origin of [undefined, emu.url]) {
          let req = (request(emu.url) as any)[m](p).set('Authorization', `Bearer ${t}`);
          if (origin) req = req.set('Origin', origin);
          const r = await (b ? req.send(b) : req);
          assert.equal(r.status, 403, `${m} ${p}: ${r.status} ${r.text}`);
          assert.equal(r.body.error.code, 'AuthorizationFailed');
          assert.match(r.body.error.message, /configured service principal|configuration .*Owner role at the root scope/);
          assert.ok(r.body.error.message.includes(nobody.appId));
        }
      }
      assert.equal(emu.services.config.timeScale, scaleBefore);
      assert.equal(emu.services.clock.offsetMs(), 0, 'the calendar did not move');
      assert.deepEqual(emu.services.asyncOperations.getGateRules(), []);
      const health = await request(emu.url).get('/_emulator/health');
      assert.deepEqual(health.body.disconnectedSites, []);
      const fabric = await request(emu.url).get('/_emulator/fabric?site=local');
      assert.ok(fabric.body.sites[0].hosts.every((h: any) => h.state === 'Up'));
      // a Graph token is not an ARM token: 401, not 403
      const g = await request(emu.url)
        .post('/_emulator/fabric/sites/local/disconnect')
        .set('Authorization', `Bearer ${graphToken(emu)}`);
      assert.equal(g.status, 401);
    });

    it('the configured principal may; Owner of the root scope may (elevateAccess, then an Owner assignment at /); User Access Administrator at / may not', async () => {
      const ok = await emu.http().post('/_emulator/fabric/sites/local/disconnect');
      assert.equal(ok.status, 200);
      assert.equal((await emu.http().post('/_emulator/fabric/sites/local/connect')).status, 200);

      const ops = await newPrincipal(emu, 'platform-ops');
      const t = await armToken(emu, ops.appId, ops.secret);
      const as = (m: 'post' | 'put', p: string) => (request(emu.url) as any)[m](p).set('Authorization', `Bearer ${t}`);
      // elevateAccess is for Global Administrators of the directory only
      const denied = await as('post', `/providers/${AUTH}/elevateAccess?api-version=2016-07-01`);
      assert.equal(denied.status, 403, denied.text);
      assert.equal(denied.body.error.code, 'AuthorizationFailed');
      const elevated = await emu.http().post(`/providers/${AUTH}/elevateAccess?api-version=2016-07-01`);
      assert.equal(elevated.status, 200, elevated.text);
      const root = await emu.http().get(`/providers/${AUTH}/roleAssignments?api-version=2022-04-01&$filter=atScope()`);
      assert.ok(root.body.value.some((a: any) => a.properties.principalId === objectIdFor(CLIENT_ID) && a.properties.roleDefinitionId.endsWith(UAA) && a.properties.scope === '/'));
      await assign(emu, '/', UAA, ops.oid);
      const uaa = await as('post', '/_emulator/fabric/sites/local/disconnect');
      assert.equal(uaa.status, 403, 'User Access Administrator of the root is not Owner');
      await assign(emu, '/', OWNER, ops.oid);
      const owner = await as('post', '/_emulator/fabric/sites/local/disconnect');
      assert.equal(owner.status, 200, owner.text);
      assert.equal((await as('post', '/_emulator/fabric/sites/local/connect')).status, 200);
      // Owner at a subscription is not Owner of the root
      const subOwner = await newPrincipal(emu, 'sub-owner');
      await assign(emu, `/subscriptions/${SUB}`, OWNER, subOwner.oid);
      const st = await request(emu.url)
        .put('/_emulator/operations/time-scale')
        .set('Authorization', `Bearer ${await armToken(emu, subOwner.appId, subOwner.secret)}`)
        .send({ timeScale: 1 });
      assert.equal(st.status, 403);
    });

    it('reads stay open and masked: an admin kubeconfig in an operation result is never shown', async () => {
      const kc = Buffer.from('apiVersion: v1\nusers:\n- user:\n    client-key-data: c2VjcmV0\n').toString('base64');
      const result = { status: 200, body: { status: 'Succeeded', properties: { kubeconfigs: [{ name: 'clusterAdmin', value: kc }] } } };
      assert.equal(JSON.stringify(redactSecrets(result)).includes(kc), false);
      const op = { ...emu.services.asyncOperations.list()[0], id: crypto.randomUUID(), result };
      await emu.services.store.write([emu.services.asyncOperations.writeOp(op)]);
      const shown = await request(emu.url).get(`/_emulator/operations/${op.id}`);
      assert.equal(shown.status, 200);
      assert.equal(shown.text.includes(kc), false, 'the kubeconfig is masked');
      assert.match(shown.text, /\[redacted\]/);
    });
  });

  describe('item 4: deny assignments on every path that writes', () => {
    const dep = (scope: string, n: string) => `${scope}/providers/Microsoft.Resources/deployments/${n}`;
    const inMc = async () => (await emu.http().get(`${rgPath(mc)}/resources?${RV}`)).body.value.map((r: any) => r.type);

    it('a direct write into the node resource group is refused, also on types with their own handlers (deployments validate)', async () => {
      const put = await emu
        .http()
        .put(`${rgPath(mc)}/providers/${MI}/direct?api-version=2023-01-31`)
        .send({ location: 'eastus' });
      assert.equal(put.status, 403);
      assert.equal(put.body.error.code, 'DenyAssignmentAuthorizationFailed');
      const validate = await emu
        .http()
        .post(`${dep(rgPath(mc), 'v')}/validate?${RV}`)
        .send({ properties: { mode: 'Incremental', template: template([identity('v')]) } });
      assert.equal(validate.status, 403, validate.text);
      assert.equal(validate.body.error.code, 'DenyAssignmentAuthorizationFailed');
    });

    it("a deployment in the cluster's group with a nested deployment into the node resource group is refused at once, nothing created", async () => {
      const r = await emu
        .http()
        .put(`${dep(rgPath('cl'), 'sneak')}?${RV}`)
        .send({ properties: { mode: 'Incremental', template: template([nested('into-mc', { resourceGroup: mc }, [identity('planted')])]) } });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error.code, 'InvalidTemplateDeployment');
      assert.equal(r.body.error.details[0].code, 'DenyAssignmentAuthorizationFailed', JSON.stringify(r.body));
      assert.match(r.body.error.details[0].message, /deny assignment/);
      assert.ok(!(await inMc()).includes(MI), 'nothing planted');
      assert.equal((await emu.http().get(`${dep(rgPath(mc), 'into-mc')}?${RV}`)).status, 404, 'no deployment record in the node resource group');
      assert.equal((await emu.http().get(`${dep(rgPath('cl'), 'sneak')}?${RV}`)).status, 404);
    });

    it('a nested deployment two levels down (checked only when it runs) fails the deployment with DenyAssignmentAuthorizationFailed, nothing created', async () => {
      const outer = nested('outer', {}, [nested('inner', { resourceGroup: mc }, [identity('planted2')])]);
      const r = await emu
        .http()
        .put(`${dep(rgPath('cl'), 'deep')}?${RV}`)
        .send({ properties: { mode: 'Incremental', template: template([outer]) } });
      assert.equal(r.status, 201, r.text);
      const u = new URL(r.headers['azure-asyncoperation']);
      const st = await emu.http().get(u.pathname + u.search);
      let status = st.body;
      for (let i = 0; i < 500 && status.status === 'InProgress'; i++) status = (await emu.http().get(u.pathname + u.search)).body;
      assert.equal(status.status, 'Failed');
      assert.match(JSON.stringify(status.error), /DenyAssignmentAuthorizationFailed/);
      assert.ok(!(await inMc()).includes(MI), 'nothing planted');
      assert.equal((await emu.http().get(`${dep(rgPath(mc), 'inner')}?${RV}`)).status, 404);
    });

    it('cross-scope: a subscription deployment with a nested deployment into the node resource group is refused', async () => {
      const r = await emu
        .http()
        .put(`${dep(`/subscriptions/${SUB}`, 'sub-sneak')}?${RV}`)
        .send({
          location: 'eastus',
          properties: { mode: 'Incremental', template: template([nested('sub-into-mc', { resourceGroup: mc }, [identity('planted3')])], 'subscriptionDeploymentTemplate') },
        });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error.details[0].code, 'DenyAssignmentAuthorizationFailed');
      assert.ok(!(await inMc()).includes(MI));
    });

    it('deployments write as their deployer: a Contributor of one group cannot reach another through a nested deployment', async () => {
      const dev = await newPrincipal(emu, 'group-dev');
      await assign(emu, rgPath('cl'), CONTRIBUTOR, dev.oid);
      const r = await dev
        .http()
        .put(`${dep(rgPath('cl'), 'reach')}?${RV}`)
        .send({ properties: { mode: 'Incremental', template: template([nested('to-other', { resourceGroup: 'other' }, [identity('reached')])]) } });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error.details[0].code, 'AuthorizationFailed');
      assert.equal((await emu.http().get(`${rgPath('other')}/providers/${MI}/reached?api-version=2023-01-31`)).status, 404);
      // and its own group still works, with systemData naming it
      const own = await dev
        .http()
        .put(`${dep(rgPath('cl'), 'mine')}?${RV}`)
        .send({ properties: { mode: 'Incremental', template: template([identity('mine')]) } });
      assert.equal(own.status, 201, own.text);
      const u = new URL(own.headers['azure-asyncoperation']);
      let status = (await dev.http().get(u.pathname + u.search)).body;
      for (let i = 0; i < 500 && status.status === 'InProgress'; i++) status = (await dev.http().get(u.pathname + u.search)).body;
      assert.equal(status.status, 'Succeeded', JSON.stringify(status));
      const made = await emu.http().get(`${rgPath('cl')}/providers/${MI}/mine?api-version=2023-01-31`);
      assert.equal(made.body.systemData.createdBy, dev.appId);
    });
  });

  describe('operation results are read by who may read the resource', () => {
    it("a principal without a role cannot poll another principal's operation; the starter and a Reader can", async () => {
      const stranger = await newPrincipal(emu, 'stranger');
      const r = await stranger.http().get(clusterOp);
      assert.equal(r.status, 403, r.text);
      assert.equal(r.body.error.code, 'AuthorizationFailed');
      assert.equal((await emu.http().get(clusterOp)).status, 200, 'the starter');
      const reader = await newPrincipal(emu, 'cl-reader');
      await assign(emu, rgPath('cl'), READER, reader.oid);
      assert.equal((await reader.http().get(clusterOp)).status, 200, 'a reader of the cluster');
      const results = clusterOp.replace('/operationStatuses/', '/operationResults/').replace(/^(.*\/operationResults\/[^?]+).*$/, `$1?api-version=${AZ_API}`);
      assert.equal((await stranger.http().get(results)).status, 403);
      void NS;
    });
  });
});
