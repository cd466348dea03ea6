// Connected clusters through their own clients: Debian's azure-mgmt-hybridkubernetes (2021-10-01)
// and the pinned @azure/arm-hybridkubernetes 2.1.0; and kubectl parsing every kubeconfig the
// emulator hands out for an AKS hybrid cluster.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConnectedKubernetesClient } from '@azure/arm-hybridkubernetes';
import { SUB, startTestEmulator, tmpDir, waitForOperation, type TestEmulator } from '../support/emulator.js';
import { ensureAz } from '../support/az.js';
import { runPython } from '../support/python.js';
import { put, rg, settle, V } from '../arc/helpers.js';
import { connectedCluster, HV, pciBody, pciId, platform } from './helpers.js';
import { AGENT_VERSION } from '../../src/providers/Microsoft.Kubernetes/agent.js';

async function action(emu: TestEmulator, url: string, body: unknown = {}) {
  const r = await emu
    .http()
    .post(url)
    .send(body as object);
  if (r.status === 200) return r.body;
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
  assert.equal(st.status, 'Succeeded', JSON.stringify(st));
  const loc = new URL(r.headers.location);
  return (await emu.http().get(loc.pathname + loc.search)).body;
}

describe('connected-cluster clients and kubectl', function () {
  this.timeout(180_000);
  let emu: TestEmulator;
  before(async () => {
    emu = await startTestEmulator();
  });
  after(async () => emu?.close());

  it('Python azure-mgmt-hybridkubernetes: create, update, get, list, credentials, refusal without identity, delete', async () => {
    ensureAz();
    if (!existsSync('/usr/lib/python3/dist-packages/azure/mgmt/hybridkubernetes')) throw new Error('python3-azure is missing: sudo apt-get install -y python3-azure');
    await put(emu, rg('py'), V.rg, { location: 'eastus' }, 201);
    const out = await runPython(emu, 'hybrid_clients.py', { RG: 'py' });
    assert.deepEqual(out.created, { state: 'Succeeded', connectivity: 'Connected', identity: 'SystemAssigned', principal: true });
    assert.deepEqual(out.updated, { team: 'ops' });
    assert.deepEqual(out.get, { name: 'py-cc', distribution: 'k3s', agentVersion: AGENT_VERSION });
    assert.deepEqual(out.list, ['py-cc']);
    assert.deepEqual(out.creds, ['credentialForClusterClient']);
    // The connected cluster's API on the emulator's own origin (no local proxy to start).
    assert.match(out.kubeconfig, new RegExp(`server: ${emu.url}/k8s/[0-9a-f]{20}`));
    assert.equal(out.noIdentity, 'InvalidIdentity');
    assert.deepEqual(out.afterDelete, []);
  });

  it('@azure/arm-hybridkubernetes 2.1.0: create, get, update, list, credentials, delete', async () => {
    const credential = { getToken: async () => ({ token: emu.token, expiresOnTimestamp: Date.now() + 3600e3 }) };
    const c = new ConnectedKubernetesClient(credential, SUB, { endpoint: emu.url, retryOptions: { maxRetries: 0 } } as any);
    const seen: string[] = [];
    c.pipeline.addPolicy({ name: 'capture', sendRequest: (req, next) => (seen.push(`${req.method} ${req.url}`), next(req)) });
    await put(emu, rg('js'), V.rg, { location: 'eastus' }, 201);
    const made = await c.connectedClusterOperations.beginCreateAndWait(
      'js',
      'js-cc',
      {
        location: 'eastus',
        identity: { type: 'SystemAssigned' },
        agentPublicKeyCertificate: Buffer.from('agent-key').toString('base64'),
        distribution: 'AKS',
        infrastructure: 'azure',
      },
      { updateIntervalInMs: 10 },
    );
    assert.ok(seen.some((s) => s.startsWith('PUT ') && s.includes('api-version=2021-10-01')));
    assert.equal(made.provisioningState, 'Succeeded');
    assert.equal(made.connectivityStatus, 'Connected');
    const got = await c.connectedClusterOperations.get('js', 'js-cc');
    assert.equal(got.identity.type, 'SystemAssigned');
    const up = await c.connectedClusterOperations.update('js', 'js-cc', { tags: { a: 'b' } });
    assert.deepEqual(up.tags, { a: 'b' });
    const names: string[] = [];
    for await (const x of c.connectedClusterOperations.listByResourceGroup('js')) names.push(x.name!);
    assert.deepEqual(names, ['js-cc']);
    const creds = await c.connectedClusterOperations.listClusterUserCredential('js', 'js-cc', { authenticationMethod: 'Token', clientProxy: true });
    assert.equal(creds.kubeconfigs![0].name, 'credentialForClusterClient');
    await c.connectedClusterOperations.beginDeleteAndWait('js', 'js-cc', { updateIntervalInMs: 10 });
    assert.equal((await emu.http().get(`${rg('js')}/providers/Microsoft.Kubernetes/connectedClusters/js-cc?api-version=2021-10-01`)).status, 404);
  });

  it('kubectl config view parses the admin, user and connected-cluster kubeconfigs; disableLocalAccounts gives an Azure AD user and refuses the admin one', async () => {
    const p = await platform(emu);
    const cc = await connectedCluster(emu, 'kc1');
    const pci = pciId(cc);
    const c = await settle(emu, await put(emu, pci, HV.hcs, pciBody(p.cl, p.lnet), 201), pci, HV.hcs);
    const ep = c.properties.controlPlane.controlPlaneEndpoint.hostIP;
    const dir = tmpDir('kubeconfig-');
    const view = (name: string, b64: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, Buffer.from(b64, 'base64'));
      return JSON.parse(execFileSync('kubectl', ['--kubeconfig', file, 'config', 'view', '--raw', '-o', 'json'], { encoding: 'utf8' }));
    };
    const admin = view('admin', (await action(emu, `${pci}/listAdminKubeconfig?api-version=${HV.hcs}`)).properties.kubeconfigs[0].value);
    const user = view('user', (await action(emu, `${pci}/listUserKubeconfig?api-version=${HV.hcs}`)).properties.kubeconfigs[0].value);
    const proxy = view('cc', (await action(emu, `${cc}/listClusterUserCredential?api-version=${HV.cc}`, { authenticationMethod: 'Token', clientProxy: false })).kubeconfigs[0].value);
    void ep;
    // The instance and its connected cluster are one cluster: one API on the emulator's origin.
    const server = admin.clusters[0].cluster.server;
    assert.match(server, new RegExp(`^${emu.url}/k8s/[0-9a-f]{20}$`));
    for (const k of [admin, user, proxy]) {
      assert.equal(k.clusters[0].cluster.server, server);
      assert.ok(k.clusters[0].cluster['certificate-authority-data']);
    }
    assert.ok(admin.users[0].user['client-certificate-data'] && admin.users[0].user['client-key-data']);
    assert.ok(user.users[0].user.token);
    assert.notEqual(admin.users[0].name, user.users[0].name);
    // A second cluster has its own API path and credentials.
    const cc2 = await connectedCluster(emu, 'kc2');
    const pci2 = pciId(cc2);
    const body2 = pciBody(p.cl, p.lnet);
    (body2.properties as any).disableLocalAccounts = true;
    await settle(emu, await put(emu, pci2, HV.hcs, body2, 201), pci2, HV.hcs);
    const user2 = view('user2', (await action(emu, `${pci2}/listUserKubeconfig?api-version=${HV.hcs}`)).properties.kubeconfigs[0].value);
    assert.notEqual(user2.clusters[0].cluster.server, server);
    // disableLocalAccounts: an Azure AD user, with a token of the caller issued by the emulator (no exec plugin).
    assert.equal(user2.users[0].user.exec, undefined);
    const claims = JSON.parse(Buffer.from(String(user2.users[0].user.token).split('.')[1], 'base64url').toString());
    assert.equal(claims.aud, '6dae42f8-4368-4678-94ff-3960e28e3630');
    const refused = await emu.http().post(`${pci2}/listAdminKubeconfig?api-version=${HV.hcs}`).send({});
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /disable local accounts/);
  });
});
