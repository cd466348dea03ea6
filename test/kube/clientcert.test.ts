// Client-certificate authentication on the Kubernetes API, with the real clients: the admin kubeconfig's
// certificate (CN=masterclient, O=system:masters, as AKS's) works without its token; a certificate issued
// through an approved CertificateSigningRequest authenticates as user = CN and groups = O, with RBAC applied;
// certificates of another CA, expired or not yet valid get 401 Unauthorized (and leave a valid token to decide,
// as kube-apiserver's authenticators do); callers without a certificate (ARM, token kubeconfigs) are unaffected.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { execPython } from '../support/python.js';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { parse as parseYaml, stringify } from 'yaml';
import { tmpDir, type TestEmulator } from '../support/emulator.js';
import { issueClientCertificate } from '../../src/kubernetes/x509.js';
import type { ClusterSecrets } from '../../src/kubernetes/kubeconfig.js';
import { aksCluster, eventually, fromKubeconfig, kubectl, kubectlOk, requireKubectl, startAksEmulator, type TestCluster } from './helpers.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** The admin kubeconfig with its user entry replaced: a certificate and key, a token, or both. */
function withUser(c: TestCluster, user: { cert?: string; key?: string; token?: string }): TestCluster {
  const doc = parseYaml(c.kubeconfig);
  const u: Record<string, string> = {};
  if (user.cert) u['client-certificate-data'] = b64(user.cert);
  if (user.key) u['client-key-data'] = b64(user.key);
  if (user.token) u.token = user.token;
  doc.users[0].user = u;
  return fromKubeconfig(c.kind, c.id, stringify(doc));
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A key and certificate request (PEM files in dir) for the subject given in openssl's /K=V form. */
function request(dir: string, name: string, subject: string): { key: string; csr: string } {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', subject, '-out', csr]);
  return { key, csr };
}

function python(script: string, args: string[], home: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execPython(['-c', script, ...args], { env: { ...process.env, HOME: home }, timeout: 90_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(String(stdout)),
    ),
  );
}

describe('kube: client-certificate authentication (kubectl, python3-kubernetes)', function () {
  this.timeout(240_000);
  let emu: TestEmulator;
  let c: TestCluster;
  let admin: { cert: string; key: string; token: string };
  let dir: string;

  before(async () => {
    requireKubectl();
    emu = await startAksEmulator();
    c = await aksCluster(emu, 'region', 'certs1', 1);
    const u = parseYaml(c.kubeconfig).users[0].user;
    admin = { cert: Buffer.from(u['client-certificate-data'], 'base64').toString(), key: Buffer.from(u['client-key-data'], 'base64').toString(), token: u.token };
    dir = tmpDir('kube-certs-');
  });
  after(async () => emu?.close());

  it("the admin kubeconfig's certificate (CN=masterclient, O=system:masters) is cluster admin without its token", async () => {
    const cert = new X509Certificate(admin.cert);
    assert.equal(cert.subject, 'O=system:masters\nCN=masterclient');
    const ca = JSON.parse(await kubectlOk(c, ['get', 'configmap', 'kube-root-ca.crt', '-o', 'json'])).data['ca.crt'];
    assert.ok(cert.verify(new X509Certificate(ca).publicKey), 'signed by the cluster CA');
    const certOnly = withUser(c, { cert: admin.cert, key: admin.key });
    const who = JSON.parse(await kubectlOk(certOnly, ['auth', 'whoami', '-o', 'json']));
    assert.deepEqual(who.status.userInfo, { username: 'masterclient', groups: ['system:masters', 'system:authenticated'] });
    assert.match(await kubectlOk(certOnly, ['get', 'nodes']), /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n\S+\s+Ready\s/);
    await kubectlOk(certOnly, ['create', 'namespace', 'by-cert']);
    // kubectl get --raw drops the server URL's path (/k8s/<cluster>): the certificate names the cluster
    const rawCm = JSON.parse(await kubectlOk(certOnly, ['get', '--raw', '/api/v1/namespaces/kube-system/configmaps/kube-root-ca.crt']));
    assert.equal(rawCm.data['ca.crt'], ca);
    // the token alone still works (the server asks for a certificate, it does not require one)
    const tokenOnly = withUser(c, { token: admin.token });
    assert.equal(JSON.parse(await kubectlOk(tokenOnly, ['auth', 'whoami', '-o', 'json'])).status.userInfo.username, 'masterclient');
    await kubectlOk(tokenOnly, ['delete', 'namespace', 'by-cert', '--wait=false']);
    // and ARM callers (no certificate) are unaffected on the same port
    assert.equal((await emu.http().get(`${c.id}?api-version=2024-02-01`)).status, 200);
  });

  it('a certificate issued through an approved CSR authenticates as CN with groups O; RBAC decides what it may do', async () => {
    const jane = request(dir, 'jane', '/CN=jane/O=dev-team/O=auditors');
    const csr = `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: jane}
spec:
  request: ${readFileSync(jane.csr).toString('base64')}
  signerName: kubernetes.io/kube-apiserver-client
  expirationSeconds: 86400
  usages: [client auth]
`;
    await kubectlOk(c, ['apply', '-f', '-'], csr);
    await kubectlOk(c, ['certificate', 'approve', 'jane']);
    const issued = await eventually('the certificate', async () => JSON.parse(await kubectlOk(c, ['get', 'csr', 'jane', '-o', 'json'])).status.certificate as string | undefined);
    const j = withUser(c, { cert: Buffer.from(issued, 'base64').toString(), key: readFileSync(jane.key).toString() });

    const who = JSON.parse(await kubectlOk(j, ['auth', 'whoami', '-o', 'json']));
    assert.deepEqual(who.status.userInfo, { username: 'jane', groups: ['dev-team', 'auditors', 'system:authenticated'] });
    // authenticated, not authorized: 403 naming the user
    const denied = await kubectl(j, ['get', 'pods']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Error from server \(Forbidden\): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"/);
    // a RoleBinding to one of its groups (O) lets it read, not write
    await kubectlOk(c, ['create', 'rolebinding', 'dev-view', '--clusterrole=view', '--group=dev-team', '-n', 'default']);
    await kubectlOk(c, ['create', 'deployment', 'web', '--image=nginx', '--replicas=1']);
    assert.match(await kubectlOk(j, ['get', 'deployments']), /\nweb\s/);
    assert.equal((await kubectl(j, ['get', 'pods', '-n', 'kube-system'])).code, 1, 'the binding is in default only');
    const write = await kubectl(j, ['create', 'configmap', 'x', '--from-literal=a=b']);
    assert.match(write.stderr, /configmaps is forbidden: User "jane" cannot create resource "configmaps"/);
    assert.equal((await kubectlOk(j, ['auth', 'can-i', 'list', 'deployments'])).trim(), 'yes');
    assert.equal((await kubectl(j, ['auth', 'can-i', 'delete', 'deployments'])).stdout.trim(), 'no');
    // a binding to the user (CN) counts as well
    await kubectlOk(c, ['create', 'rolebinding', 'jane-edit', '--clusterrole=edit', '--user=jane', '-n', 'default']);
    await kubectlOk(j, ['create', 'configmap', 'x', '--from-literal=a=b']);

    // python3-kubernetes with the same certificate (a kubeconfig with client-certificate-data only)
    const out = await python(
      `
import json, sys
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_kube_config(sys.argv[1])
apps = client.AppsV1Api()
names = [d.metadata.name for d in apps.list_namespaced_deployment('default').items]
try:
    client.CoreV1Api().list_namespaced_pod('kube-system')
    refused = None
except ApiException as e:
    refused = e.status
print(json.dumps({'names': names, 'refused': refused}))
`,
      [j.file],
      j.home,
    );
    assert.deepEqual(JSON.parse(out), { names: ['web'], refused: 403 });
    await kubectlOk(c, ['delete', 'rolebinding', 'dev-view', 'jane-edit']);
    await kubectlOk(c, ['delete', 'configmap', 'x']);
    await kubectlOk(c, ['delete', 'deployment', 'web']);
    await kubectlOk(c, ['delete', 'csr', 'jane']);
  });

  it('a certificate of another CA, an expired one and one not yet valid get 401 Unauthorized; a valid token beside one still decides', async () => {
    // another CA, with the admin's very subject
    const ca = { key: path.join(dir, 'other-ca.key'), cert: path.join(dir, 'other-ca.pem') };
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', ca.key, '-out', ca.cert, '-subj', '/CN=ca-certs1', '-days', '2']);
    const m = request(dir, 'mallory', '/O=system:masters/CN=masterclient');
    const mCert = path.join(dir, 'mallory.pem');
    openssl(['x509', '-req', '-in', m.csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', mCert, '-days', '1']);
    const foreign = { cert: readFileSync(mCert).toString(), key: readFileSync(m.key).toString() };
    // signed by the cluster's CA, outside their validity period (the CA's key as the cluster keeps it)
    const secrets = emu.services.resources.get(c.id)!.internal!.secrets as ClusterSecrets;
    const now = Date.now();
    const day = 24 * 3600_000;
    const expired = await issueClientCertificate({
      caCert: secrets.caCert,
      caKey: secrets.caKey,
      subject: 'O=system:masters, CN=old',
      notBefore: new Date(now - 3 * day),
      notAfter: new Date(now - day),
    });
    const early = await issueClientCertificate({
      caCert: secrets.caCert,
      caKey: secrets.caKey,
      subject: 'O=system:masters, CN=early',
      notBefore: new Date(now + day),
      notAfter: new Date(now + 3 * day),
    });
    const good = await issueClientCertificate({ caCert: secrets.caCert, caKey: secrets.caKey, subject: 'O=system:masters, CN=now', notBefore: new Date(now - day), notAfter: new Date(now + day) });
    assert.equal(JSON.parse(await kubectlOk(withUser(c, good), ['auth', 'whoami', '-o', 'json'])).status.userInfo.username, 'now', 'the same CA in its validity period');

    for (const [what, creds] of [
      ['another CA', foreign],
      ['expired', expired],
      ['not yet valid', early],
    ] as const) {
      const k = withUser(c, creds);
      const r = await kubectl(k, ['get', 'nodes']);
      assert.equal(r.code, 1, `${what}: ${r.stdout}`);
      // (kubectl words a 401 on discovery "the server has asked for the client to provide credentials")
      assert.match(r.stderr, /error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)/, `${what}: ${r.stderr}`);
      const raw = await kubectl(k, ['get', '--raw', `/api/v1/namespaces/default/pods`]);
      assert.equal(raw.code, 1, what);
      assert.match(raw.stderr, /Unauthorized|provide credentials/, `${what}: ${raw.stderr}`);
      // with a valid token beside it, the token authenticates (the certificate authenticator fails, the next decides)
      const both = withUser(c, { ...creds, token: admin.token });
      assert.equal(JSON.parse(await kubectlOk(both, ['auth', 'whoami', '-o', 'json'])).status.userInfo.username, 'masterclient', what);
    }
    // the Status object itself, as python3-kubernetes reads it
    const f = withUser(c, foreign);
    const out = await python(
      `
import json, sys
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_kube_config(sys.argv[1])
try:
    client.CoreV1Api().list_node()
    print(json.dumps({'status': 200}))
except ApiException as e:
    print(json.dumps({'status': e.status, 'body': json.loads(e.body)}))
`,
      [f.file],
      f.home,
    );
    assert.deepEqual(JSON.parse(out), {
      status: 401,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 },
    });
  });
});
