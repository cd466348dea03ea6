// What kubectl users met after the first Kubernetes API landed (issue 19's leftovers), each with the real
// client: `kubectl autoscale` (autoscaling/v1 HorizontalPodAutoscalers, one object with the v2 view).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { execPython } from '../support/python.js';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { tmpDir, type TestEmulator } from '../support/emulator.js';
import { aksCluster, eventually, kubectl, kubectlOk, raw, requireKubectl, startAksEmulator, type TestCluster } from './helpers.js';

describe('kube: what kubectl users met (issue 19 leftovers)', function () {
  this.timeout(180_000);
  let emu: TestEmulator;
  let c: TestCluster;

  before(async () => {
    requireKubectl();
    emu = await startAksEmulator();
    c = await aksCluster(emu, 'region', 'gaps1', 1);
  });
  after(async () => emu?.close());

  it('kubectl autoscale creates an autoscaling/v1 HPA; v1 and v2 are two views of one object', async () => {
    await kubectlOk(c, ['create', 'deployment', 'web', '--image=nginx', '--replicas=1']);
    const auto = await kubectl(c, ['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80', '-v=6']);
    assert.equal(auto.stdout.trim(), 'horizontalpodautoscaler.autoscaling/web autoscaled');
    // kubectl 1.32 creates it through autoscaling/v1 (the path that answered 404)
    assert.match(auto.stderr, /POST https:\S+\/apis\/autoscaling\/v1\/namespaces\/default\/horizontalpodautoscalers\S* 201 Created/);
    // discovery: both versions, v2 preferred
    const group = (await raw(c, 'GET', '/apis/autoscaling')).json;
    assert.deepEqual(
      group.versions.map((v: any) => v.version),
      ['v2', 'v1'],
    );
    assert.equal(group.preferredVersion.version, 'v2');
    const v1res = (await raw(c, 'GET', '/apis/autoscaling/v1')).json.resources.map((r: any) => r.name);
    assert.ok(v1res.includes('horizontalpodautoscalers') && v1res.includes('horizontalpodautoscalers/status'), JSON.stringify(v1res));
    // the preferred (v2) view
    const v2 = JSON.parse(await kubectlOk(c, ['get', 'hpa', 'web', '-o', 'json']));
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assert.deepEqual(v2.spec, {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
    // the v1 view of the same object
    const v1 = JSON.parse(await kubectlOk(c, ['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'json']));
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.equal(v1.metadata.uid, v2.metadata.uid);
    assert.deepEqual(v1.spec, { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 });
    assert.match(await kubectlOk(c, ['get', 'hpa']), /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nweb\s+Deployment\/web\s+\S.*\s+2\s+5\s+/);

    // A v2 HPA with a memory metric read and written back through v1 keeps the metric v1 cannot say.
    await kubectlOk(
      c,
      ['apply', '-f', '-'],
      `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: mem}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 100Mi}}
`,
    );
    const m1 = (await raw(c, 'GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/mem')).json;
    assert.equal(m1.spec.minReplicas, 1);
    assert.equal(m1.spec.targetCPUUtilizationPercentage, undefined);
    assert.deepEqual(JSON.parse(m1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics']), [
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
    ]);
    m1.spec.maxReplicas = 6;
    const put = await raw(c, 'PUT', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/mem', m1);
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.apiVersion, 'autoscaling/v1');
    const m2 = JSON.parse(await kubectlOk(c, ['get', 'hpa', 'mem', '-o', 'json']));
    assert.equal(m2.spec.maxReplicas, 6);
    assert.deepEqual(m2.spec.metrics, [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }]);
    assert.deepEqual(
      Object.keys(m2.metadata.annotations).filter((k) => k.startsWith('autoscaling.alpha')),
      [],
    );
    // a v1 merge patch (kubectl patch --type=merge on hpa.v1) changes the stored object
    await kubectlOk(c, ['patch', 'horizontalpodautoscalers.v1.autoscaling', 'web', '--type=merge', '-p', '{"spec":{"targetCPUUtilizationPercentage":60}}']);
    const p2 = JSON.parse(await kubectlOk(c, ['get', 'hpa', 'web', '-o', 'json']));
    assert.equal(p2.spec.metrics[0].resource.target.averageUtilization, 60);
    await kubectlOk(c, ['delete', 'hpa', 'web', 'mem']);
  });

  it('explicit JSON nulls: omitempty fields are dropped as the API server decodes them, non-omitempty ones read null', async () => {
    await kubectlOk(
      c,
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'nulls', labels: null, annotations: null }, rules: null, aggregationRule: null },
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nulls', labels: null }, data: null, binaryData: null },
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'nulls', labels: { app: 'nulls' } },
            spec: {
              replicas: null,
              strategy: null,
              selector: { matchLabels: { app: 'nulls' } },
              template: { metadata: { labels: { app: 'nulls' }, annotations: null }, spec: { containers: [{ name: 'c', image: 'nginx', args: null, env: null }], nodeSelector: null } },
            },
          },
        ],
      }),
    );
    const [role, cm, dep] = JSON.parse(await kubectlOk(c, ['get', 'clusterrole/nulls', 'configmap/nulls', 'deployment/nulls', '-o', 'json'])).items;
    assert.equal('labels' in role.metadata, false, JSON.stringify(role.metadata));
    assert.equal('annotations' in role.metadata, false);
    assert.equal('aggregationRule' in role, false);
    // ClusterRole.rules is declared without omitempty: it reads null (as from a real API server)
    assert.equal(role.rules, null);
    assert.ok('rules' in role);
    assert.equal('labels' in cm.metadata, false);
    assert.equal('data' in cm || 'binaryData' in cm, false, JSON.stringify(cm));
    // a dropped null is then defaulted as if it had not been sent
    assert.equal(dep.spec.replicas, 1);
    assert.equal(dep.spec.strategy.type, 'RollingUpdate');
    assert.equal('annotations' in dep.spec.template.metadata, false);
    assert.equal('nodeSelector' in dep.spec.template.spec, false);
    assert.deepEqual(Object.keys(dep.spec.template.spec.containers[0]).includes('args'), false);
    // the stored object, read again, is the same
    const again = JSON.parse(await kubectlOk(c, ['get', 'configmap', 'nulls', '-o', 'json']));
    assert.equal('labels' in again.metadata, false);
    // a PUT with a null label map drops the labels (not a stored null)
    again.metadata.labels = null;
    const put = await raw(c, 'PUT', '/api/v1/namespaces/default/configmaps/nulls', again);
    assert.equal(put.status, 200, put.text);
    assert.equal('labels' in put.json.metadata, false);
    // a ClusterRole sent without rules reads rules: null too
    const bare = await raw(c, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'bare' } });
    assert.equal(bare.status, 201, bare.text);
    assert.ok('rules' in bare.json && bare.json.rules === null, bare.text);
    await kubectlOk(c, ['delete', 'clusterrole', 'nulls', 'bare']);
    await kubectlOk(c, ['delete', 'configmap/nulls', 'deployment/nulls']);
  });

  it("a refusal on a namespace names the namespace (as the API server's request info does), and a RoleBinding in it counts", async () => {
    await kubectlOk(c, ['create', 'namespace', 'team2']);
    await kubectlOk(c, ['create', 'serviceaccount', 'ns', '-n', 'team2']);
    const tok = (await kubectlOk(c, ['create', 'token', 'ns', '-n', 'team2'])).trim();
    const file = path.join(c.home, 'ns.kubeconfig');
    // (the admin certificate goes too: the API server tries a client certificate before the token, as kube-apiserver)
    writeFileSync(file, c.kubeconfig.replace(/token: \S+/, `token: ${tok}`).replace(/^\s+client-(certificate|key)-data: \S+\n/gm, ''));
    const sa = { ...c, file };
    const del = await kubectl(sa, ['delete', 'namespace', 'team2']);
    assert.notEqual(del.code, 0);
    assert.equal(
      del.stderr.trim(),
      'Error from server (Forbidden): namespaces "team2" is forbidden: User "system:serviceaccount:team2:ns" cannot delete resource "namespaces" in API group "" in the namespace "team2"',
    );
    // a list names no namespace: refused at the cluster scope
    const list = await kubectl(sa, ['get', 'namespaces']);
    assert.match(list.stderr, /User "system:serviceaccount:team2:ns" cannot list resource "namespaces" in API group "" at the cluster scope/);
    // a Role in team2 may allow reading namespace team2 itself (its namespace is its own name)
    await kubectlOk(c, ['create', 'role', 'self', '-n', 'team2', '--verb=get', '--resource=namespaces']);
    await kubectlOk(c, ['create', 'rolebinding', 'self', '-n', 'team2', '--role=self', '--serviceaccount=team2:ns']);
    assert.match(await kubectlOk(sa, ['get', 'namespace', 'team2']), /^NAME\s+STATUS\s+AGE\nteam2\s+Active\s+/);
    assert.equal((await kubectl(sa, ['get', 'namespace', 'default'])).code, 1);
  });

  it('FailedScheduling: an unschedulable pod is tried again when room appears and every 5 minutes (time scale), its event counted', async () => {
    const node = JSON.parse(await kubectlOk(c, ['get', 'nodes', '-o', 'json'])).items[0];
    const cpu = String(node.status.allocatable.cpu);
    const milli = cpu.endsWith('m') ? Number(cpu.slice(0, -1)) : Number(cpu) * 1000;
    const pod = (name: string, m: number) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers: [{name: c, image: nginx, resources: {requests: {cpu: ${m}m}}}]\n`;
    await kubectlOk(c, ['apply', '-f', '-'], pod('hog', Math.floor(milli * 0.6)));
    await kubectlOk(c, ['apply', '-f', '-'], pod('filler', 10));
    await kubectlOk(c, ['wait', '--for=condition=Ready', 'pod/hog', 'pod/filler', '--timeout=60s']);
    await kubectlOk(c, ['apply', '-f', '-'], pod('waiter', Math.floor(milli * 0.6)));
    const failed = async () => (JSON.parse(await kubectlOk(c, ['get', 'events', '-o', 'json'])).items as any[]).filter((e) => e.involvedObject.name === 'waiter' && e.reason === 'FailedScheduling');
    const count = async () => (await failed()).reduce((n, e) => n + Number(e.count ?? 1), 0);
    await eventually('the first FailedScheduling', async () => (await count()) === 1);
    assert.match((await failed())[0].message, /^0\/1 nodes are available: 1 Insufficient cpu\./);
    // Room freed on the node (not enough): tried again, the same answer counted again.
    await kubectlOk(c, ['delete', 'pod', 'filler', '--wait=true']);
    await eventually('a retry after a pod was deleted', async () => (await count()) === 2);
    // Time passes (5 simulated minutes = 300 ms at time scale 0.001): tried again with nothing else changing.
    assert.equal((await emu.http().put('/_emulator/operations/time-scale').send({ timeScale: 0.001 })).status, 200);
    try {
      await kubectlOk(c, ['apply', '-f', '-'], pod('poke', 1));
      await eventually('periodic retries', async () => (await count()) >= 5, 60_000);
    } finally {
      await emu.http().put('/_emulator/operations/time-scale').send({ timeScale: 0 });
    }
    assert.equal((await failed()).length, 1, 'one event, counted');
    // Room enough: the waiting pod is scheduled.
    await kubectlOk(c, ['delete', 'pod', 'hog', '--wait=true']);
    await kubectlOk(c, ['wait', '--for=condition=PodScheduled', 'pod/waiter', '--timeout=60s']);
    await kubectlOk(c, ['delete', 'pod', 'waiter', 'poke']);
  });

  it('CertificateSigningRequests: kubectl certificate approve issues a client certificate signed by the cluster CA; deny and a bad usage do not', async () => {
    const dir = tmpDir('csr-');
    const request = (cn: string) => {
      execFileSync(
        'openssl',
        ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, `${cn}.key`), '-subj', `/CN=${cn}/O=dev`, '-out', path.join(dir, `${cn}.csr`)],
        {
          stdio: 'ignore',
        },
      );
      return readFileSync(path.join(dir, `${cn}.csr`)).toString('base64');
    };
    const csr = (name: string, usages: string[]) =>
      `apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: ${name}}\nspec:\n  request: ${request(name)}\n  signerName: kubernetes.io/kube-apiserver-client\n  expirationSeconds: 86400\n  usages: [${usages.map((u) => JSON.stringify(u)).join(', ')}]\n`;
    assert.match(await kubectlOk(c, ['apply', '-f', '-'], csr('jane', ['client auth'])), /certificatesigningrequest.certificates.k8s.io\/jane created/);
    await kubectlOk(c, ['apply', '-f', '-'], csr('joe', ['client auth']));
    await kubectlOk(c, ['apply', '-f', '-'], csr('srv', ['server auth']));
    const table = await kubectlOk(c, ['get', 'csr']);
    assert.match(table, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
    assert.match(table, /\njane\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+masterclient\s+24h\s+Pending\n/);
    // who asked is the caller, whatever the body said
    const jane = JSON.parse(await kubectlOk(c, ['get', 'csr', 'jane', '-o', 'json']));
    assert.equal(jane.spec.username, 'masterclient');
    assert.ok(jane.spec.groups.includes('system:masters'));

    assert.equal((await kubectlOk(c, ['certificate', 'approve', 'jane'])).trim(), 'certificatesigningrequest.certificates.k8s.io/jane approved');
    assert.equal((await kubectlOk(c, ['certificate', 'deny', 'joe'])).trim(), 'certificatesigningrequest.certificates.k8s.io/joe denied');
    await kubectlOk(c, ['certificate', 'approve', 'srv']);
    const issued = await eventually('the certificate', async () => JSON.parse(await kubectlOk(c, ['get', 'csr', 'jane', '-o', 'json'])).status.certificate as string | undefined);
    const cert = new X509Certificate(Buffer.from(issued, 'base64'));
    const ca = JSON.parse(await kubectlOk(c, ['get', 'configmap', 'kube-root-ca.crt', '-o', 'json'])).data['ca.crt'];
    assert.ok(cert.verify(new X509Certificate(ca).publicKey), 'signed by the cluster CA');
    assert.equal(cert.subject, 'CN=jane\nO=dev');
    assert.equal(cert.issuer, new X509Certificate(ca).subject);
    assert.ok(cert.checkPrivateKey(createPrivateKey(readFileSync(path.join(dir, 'jane.key')))));
    const life = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 1000;
    assert.ok(life > 86_000 && life <= 86_400 + 5 * 60 + 1, String(life));
    assert.match(cert.keyUsage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.2/, 'extended key usage: client auth');
    const approved = JSON.parse(await kubectlOk(c, ['get', 'csr', 'jane', '-o', 'json'])).status.conditions[0];
    assert.deepEqual([approved.type, approved.status, approved.reason, approved.message], ['Approved', 'True', 'KubectlApprove', 'This CSR was approved by kubectl certificate approve.']);
    // denied: no certificate; a server-auth request to the client signer fails
    const srv = await eventually('the signer refusing srv', async () => {
      const o = JSON.parse(await kubectlOk(c, ['get', 'csr', 'srv', '-o', 'json']));
      return (o.status.conditions ?? []).some((x: any) => x.type === 'Failed') ? o : undefined;
    });
    assert.equal(srv.status.certificate, undefined);
    const after = await kubectlOk(c, ['get', 'csr']);
    assert.match(after, /\njane\s.*\sApproved,Issued\n/);
    assert.match(after, /\njoe\s.*\sDenied\n/);
    assert.match(after, /\nsrv\s.*\sApproved,Failed\n/);
    assert.equal(JSON.parse(await kubectlOk(c, ['get', 'csr', 'joe', '-o', 'json'])).status.certificate, undefined);
    // approving a denied request is refused (Approved and Denied are mutually exclusive)
    const joe = (await raw(c, 'GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/joe')).json;
    joe.status.conditions.push({ type: 'Approved', status: 'True', reason: 'Mine' });
    const both = await raw(c, 'PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/joe/approval', joe);
    assert.equal(both.status, 422, both.text);
    assert.match(both.json.message, /Approved and Denied conditions are mutually exclusive/);
    await kubectlOk(c, ['delete', 'csr', 'jane', 'joe', 'srv']);
  });

  it('python3-kubernetes: AutoscalingV1Api creates an HPA the v1 and v2 views agree on; CertificatesV1Api creates, approves and reads a CSR', async () => {
    const dir = tmpDir('py-csr-');
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'k'), '-subj', '/CN=py', '-out', path.join(dir, 'csr')], {
      stdio: 'ignore',
    });
    const script = `
import base64, json, sys, time
from kubernetes import client, config
config.load_kube_config(sys.argv[1])
a = client.AutoscalingV1Api()
h = client.V1HorizontalPodAutoscaler(metadata=client.V1ObjectMeta(name='pyhpa'), spec=client.V1HorizontalPodAutoscalerSpec(
    scale_target_ref=client.V1CrossVersionObjectReference(api_version='apps/v1', kind='Deployment', name='web'), min_replicas=1, max_replicas=3, target_cpu_utilization_percentage=50))
made = a.create_namespaced_horizontal_pod_autoscaler('default', h)
c = client.CertificatesV1Api()
req = base64.b64encode(open(sys.argv[2], 'rb').read()).decode()
c.create_certificate_signing_request(client.V1CertificateSigningRequest(metadata=client.V1ObjectMeta(name='py'), spec=client.V1CertificateSigningRequestSpec(
    request=req, signer_name='kubernetes.io/kube-apiserver-client', usages=['client auth'])))
cur = c.read_certificate_signing_request('py')
cur.status.conditions = [client.V1CertificateSigningRequestCondition(type='Approved', status='True', reason='PyApprove', message='approved from python')]
c.replace_certificate_signing_request_approval('py', cur)
print(json.dumps({'target': made.spec.target_cpu_utilization_percentage, 'kind': made.kind, 'requestor': cur.spec.username}))
`;
    // (asynchronously: the emulator answers in this process)
    const run = await new Promise<string>((resolve, reject) =>
      execPython(['-c', script, c.file, path.join(dir, 'csr')], { env: { ...process.env, HOME: c.home }, timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(String(stdout)),
      ),
    );
    const out = JSON.parse(run);
    assert.deepEqual(out, { target: 50, kind: 'HorizontalPodAutoscaler', requestor: 'masterclient' });
    const v2 = JSON.parse(await kubectlOk(c, ['get', 'hpa', 'pyhpa', '-o', 'json']));
    assert.equal(v2.spec.metrics[0].resource.target.averageUtilization, 50);
    const issued = await eventually('the certificate', async () => JSON.parse(await kubectlOk(c, ['get', 'csr', 'py', '-o', 'json'])).status.certificate as string | undefined);
    assert.equal(new X509Certificate(Buffer.from(issued, 'base64')).subject, 'CN=py');
    await kubectlOk(c, ['delete', 'hpa', 'pyhpa']);
    await kubectlOk(c, ['delete', 'csr', 'py']);
  });
});
