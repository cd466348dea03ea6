// Who may do what in a cluster: Kubernetes RBAC (roles and bindings) for local accounts, service accounts
// and Azure AD identities; with Azure RBAC enabled, the data actions of the caller's Azure role
// assignments on the cluster or one of its namespaces decide (either may allow). Refusals are 403 Status
// objects worded as kube-apiserver words them.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { tmpDir, waitForOperation, SUB, TENANT, type TestEmulator } from '../support/emulator.js';
import { clusterBody, clusterPath, createGroup } from '../containerservice/helpers.js';
import { objectIdFor } from '../../src/identity/tokens.js';
import { adminKubeconfig, aksCluster, fromKubeconfig, kubectl, kubectlOk, raw, startAksEmulator, type TestCluster } from './helpers.js';

const DEV = { clientId: 'dddddddd-0000-0000-0000-000000000001', clientSecret: 'dev-secret' };
const API = '2024-02-01';
const ROLES = {
  reader: '7f6c6a51-bcf8-42ba-9220-52d62157d7db', // Azure Kubernetes Service RBAC Reader
  writer: 'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb', // Azure Kubernetes Service RBAC Writer
  clusterUser: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f', // Azure Kubernetes Service Cluster User Role
};

describe('kube: RBAC and Azure RBAC', function () {
  this.timeout(180_000);
  let emu: TestEmulator;
  let plain: TestCluster;
  let devToken: string;

  before(async () => {
    const dir = tmpDir();
    const cfg = path.join(dir, 'emulator.json');
    writeFileSync(cfg, JSON.stringify({ servicePrincipals: [DEV] }));
    emu = await startAksEmulator(['--config', cfg]);
    plain = await aksCluster(emu, 'region', 'rb1', 1);
    devToken = emu.tokens.issue(
      { grant_type: 'client_credentials', client_id: DEV.clientId, client_secret: DEV.clientSecret, scope: 'https://management.azure.com/.default' },
      TENANT,
      emu.url,
    ).access_token;
  });
  after(async () => emu?.close());

  async function assign(scope: string, role: string, principal = objectIdFor(DEV.clientId)) {
    const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}`;
    const r = await emu
      .http()
      .put(`${id}?api-version=2022-04-01`)
      .send({ properties: { roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`, principalId: principal, principalType: 'ServicePrincipal' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }

  it('the monitoring user reads but does not write; a service account does what its role binding allows', async () => {
    const mon = await emu.http().post(`${plain.id}/listClusterMonitoringUserCredential?api-version=${API}`);
    const m = fromKubeconfig('region', plain.id, Buffer.from(mon.body.kubeconfigs[0].value, 'base64').toString());
    assert.equal((await raw(m, 'GET', '/api/v1/namespaces/kube-system/pods')).status, 200);
    const w = await raw(m, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'x' } });
    assert.equal(w.status, 403);
    assert.equal(w.json.reason, 'Forbidden');
    assert.equal(w.json.message, 'configmaps is forbidden: User "clusterMonitoringUser" cannot create resource "configmaps" in API group "" in the namespace "default"');
    assert.equal((await raw(m, 'GET', '/api/v1/namespaces/default/secrets')).status, 403, 'view does not read secrets');

    await raw(plain, 'POST', '/api/v1/namespaces', { metadata: { name: 'team' } });
    await raw(plain, 'POST', '/api/v1/namespaces/team/serviceaccounts', { metadata: { name: 'ci' } });
    await raw(plain, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', {
      metadata: { name: 'ci-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'team' }],
    });
    const tok = (await raw(plain, 'POST', '/api/v1/namespaces/team/serviceaccounts/ci/token', { spec: {} })).json.status.token;
    const asCi = { ...plain, token: tok };
    const dep = {
      metadata: { name: 'd' },
      spec: { replicas: 1, selector: { matchLabels: { a: 'd' } }, template: { metadata: { labels: { a: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    assert.equal((await raw(asCi, 'POST', '/apis/apps/v1/namespaces/team/deployments', dep)).status, 201);
    const other = await raw(asCi, 'POST', '/apis/apps/v1/namespaces/default/deployments', dep);
    assert.equal(other.status, 403);
    assert.match(other.json.message, /User "system:serviceaccount:team:ci" cannot create resource "deployments" in API group "apps" in the namespace "default"/);
    // kubectl auth can-i, as the service account.
    // (without the admin certificate: the API server tries a client certificate before the token, as kube-apiserver)
    const kc = { ...plain, kubeconfig: plain.kubeconfig.replace(/token: \S+/, `token: ${tok}`).replace(/^\s+client-(certificate|key)-data: \S+\n/gm, '') };
    const f = path.join(plain.home, 'ci.kubeconfig');
    writeFileSync(f, kc.kubeconfig);
    const ci = { ...kc, file: f };
    assert.equal((await kubectlOk(ci, ['auth', 'can-i', 'create', 'deployments', '-n', 'team'])).trim(), 'yes');
    const no = await kubectl(ci, ['auth', 'can-i', 'create', 'deployments', '-n', 'default']);
    assert.equal(no.stdout.trim(), 'no');
    assert.match(await kubectlOk(ci, ['auth', 'whoami']), /system:serviceaccount:team:ci/);
  });

  it("an Azure AD cluster with Azure RBAC: the caller's role assignments on the cluster and its namespaces decide", async () => {
    await createGroup(emu, 'aadrg', 'eastus');
    const id = clusterPath('aadrg', 'aad1');
    const body = clusterBody('eastus', { count: 1, lb: 'standard', extra: { aadProfile: { managed: true, enableAzureRBAC: true } } });
    delete body.properties.servicePrincipalProfile;
    body.identity = { type: 'SystemAssigned' };
    const put = await emu.http().put(`${id}?api-version=${API}`).send(body);
    await waitForOperation(emu, put.headers['azure-asyncoperation']);
    await assign(id, ROLES.clusterUser);
    // The developer asks for its own credential: the kubeconfig carries its token, no exec plugin.
    const cred = await emu.http().post(`${id}/listClusterUserCredential?api-version=${API}`).set('Authorization', `Bearer ${devToken}`).send({});
    assert.equal(cred.status, 200, JSON.stringify(cred.body));
    const dev = fromKubeconfig('region', id, Buffer.from(cred.body.kubeconfigs[0].value, 'base64').toString());
    const who = await raw(dev, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' });
    assert.equal(who.json.status.userInfo.username, objectIdFor(DEV.clientId));
    // No Azure role on the cluster yet: refused, with Azure's reason.
    const denied = await raw(dev, 'GET', '/api/v1/namespaces/default/pods');
    assert.equal(denied.status, 403);
    assert.match(denied.json.message, /User does not have access to the resource in Azure/);
    await assign(id, ROLES.reader);
    assert.equal((await raw(dev, 'GET', '/api/v1/namespaces/default/pods')).status, 200);
    assert.equal((await raw(dev, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'c' } })).status, 403, 'a reader does not write');
    // Writer on one namespace only.
    // (the subscription's Owner holds no data actions: its way in is the cluster's admin credential)
    const admin = fromKubeconfig('region', id, await adminKubeconfig(emu, id, API));
    await raw(admin, 'POST', '/api/v1/namespaces', { metadata: { name: 'dev' } });
    await assign(`${id}/namespaces/dev`, ROLES.writer);
    assert.equal((await raw(dev, 'POST', '/api/v1/namespaces/dev/configmaps', { metadata: { name: 'c' } })).status, 201);
    assert.equal((await raw(dev, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'c' } })).status, 403);
    // Kubernetes RBAC still counts for an Azure AD identity.
    await raw(admin, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      metadata: { name: 'dev-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'User', name: objectIdFor(DEV.clientId) }],
    });
    assert.equal((await raw(dev, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'c' } })).status, 201);
  });
});
