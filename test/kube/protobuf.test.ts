// kubectl's typed clients send request bodies in Kubernetes' protobuf encoding: every `kubectl create
// <subcommand>` against an AKS region cluster must store what the same object sent as JSON stores (so a
// field the decoder misses fails here), a deployment created that way rolls out, and the decoder reads
// IntOrString, Quantity, bytes and Time from hand-built protobuf bytes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { protobufToJson } from '../../src/kube/http/protobuf.js';
import { CA_PATH, type TestEmulator } from '../support/emulator.js';
import { aksCluster, kubectl, kubectlOk, requireKubectl, startAksEmulator, type TestCluster } from './helpers.js';

// ---- hand-built protobuf --------------------------------------------------------------------------------------

const varint = (n: number | bigint): Buffer => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return Buffer.from(out);
};
const tag = (num: number, wire: number) => varint((num << 3) | wire);
const bytesField = (num: number, b: Buffer | string) => {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b, 'utf8');
  return Buffer.concat([tag(num, 2), varint(buf.length), buf]);
};
const intField = (num: number, n: number) => Buffer.concat([tag(num, 0), varint(n)]);
const msg = (...fields: Buffer[]) => Buffer.concat(fields);
/** The envelope: "k8s\0" then runtime.Unknown { typeMeta { apiVersion, kind }, raw }. */
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), bytesField(1, msg(bytesField(1, apiVersion), bytesField(2, kind))), bytesField(2, raw), bytesField(3, ''), bytesField(4, '')]);

describe('kube: protobuf request bodies (decoder)', () => {
  it('reads bytes as base64, a zero creationTimestamp as absent, Time as RFC 3339', () => {
    const meta = msg(bytesField(1, 's1'), bytesField(3, 'default'), bytesField(8, msg()), bytesField(9, msg(intField(1, 1_700_000_000))), bytesField(11, msg(bytesField(1, 'a'), bytesField(2, 'b'))));
    const secret = msg(
      bytesField(1, meta),
      bytesField(2, msg(bytesField(1, 'pw'), bytesField(2, Buffer.from([0, 1, 2, 255])))),
      bytesField(3, 'Opaque'),
      bytesField(4, msg(bytesField(1, 'user'), bytesField(2, 'admin'))),
    );
    const json = protobufToJson(envelope('v1', 'Secret', secret)) as any;
    assert.deepEqual(json, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1', namespace: 'default', deletionTimestamp: '2023-11-14T22:13:20Z', labels: { a: 'b' } },
      data: { pw: Buffer.from([0, 1, 2, 255]).toString('base64') },
      type: 'Opaque',
      stringData: { user: 'admin' },
    });
  });

  it('reads IntOrString as a number or a string, and Quantity maps as strings', () => {
    const intOrString = (v: number | string) => (typeof v === 'number' ? msg(intField(1, 0), intField(2, v)) : msg(intField(1, 1), bytesField(3, v)));
    const pdb = msg(bytesField(1, msg(bytesField(1, 'p'))), bytesField(2, msg(bytesField(1, intOrString(2)), bytesField(3, intOrString('50%')))));
    const json = protobufToJson(envelope('policy/v1', 'PodDisruptionBudget', pdb)) as any;
    assert.deepEqual(json.spec, { minAvailable: 2, maxUnavailable: '50%' });

    const quantity = (s: string) => msg(bytesField(1, s));
    const resources = msg(bytesField(1, msg(bytesField(1, 'cpu'), bytesField(2, quantity('500m')))), bytesField(2, msg(bytesField(1, 'memory'), bytesField(2, quantity('1Gi')))));
    const probe = msg(bytesField(1, msg(bytesField(2, msg(bytesField(1, '/healthz'), bytesField(2, intOrString('http')))))), intField(2, 5), intField(4, 10));
    const container = msg(bytesField(1, 'c'), bytesField(2, 'nginx'), bytesField(6, msg(intField(2, 0), intField(3, 80), bytesField(4, 'TCP'))), bytesField(8, resources), bytesField(10, probe));
    const volume = msg(bytesField(1, 'cfg'), bytesField(2, msg(bytesField(19, msg(bytesField(1, msg(bytesField(1, 'my-config'))), intField(3, 420))))));
    const pod = msg(bytesField(1, msg(bytesField(1, 'p'))), bytesField(2, msg(bytesField(1, volume), bytesField(2, container))));
    const p = protobufToJson(envelope('v1', 'Pod', pod)) as any;
    assert.deepEqual(p.spec.volumes, [{ name: 'cfg', configMap: { name: 'my-config', defaultMode: 420 } }], 'inlined VolumeSource and LocalObjectReference');
    assert.deepEqual(p.spec.containers, [
      {
        name: 'c',
        image: 'nginx',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        resources: { limits: { cpu: '500m' }, requests: { memory: '1Gi' } },
        livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5, periodSeconds: 10 },
      },
    ]);
  });

  it('keeps zero values of pointer fields (replicas: 0) and answers 415 for a kind it has no schema for', () => {
    const dep = msg(bytesField(1, msg(bytesField(1, 'd'))), bytesField(2, msg(intField(1, 0))));
    assert.equal((protobufToJson(envelope('apps/v1', 'Deployment', dep)) as any).spec.replicas, 0);
    assert.throws(
      () => protobufToJson(envelope('example.com/v1', 'Widget', msg())),
      (e: any) => e.code === 415 && /example.com\/v1 Widget is not accepted in application\/vnd.kubernetes.protobuf here; send it as application\/json/.test(e.message),
    );
  });
});

// ---- the real kubectl -----------------------------------------------------------------------------------------

const TLS = path.resolve('.test-tls');
/** Each `kubectl create` subcommand with its arguments; NAME is replaced by the object's name. */
const CREATES: ReadonlyArray<readonly [resource: string, args: readonly string[]]> = [
  ['namespace', ['create', 'namespace', 'NAME']],
  ['deployment', ['create', 'deployment', 'NAME', '--image=nginx:1.27', '--replicas=2', '--port=8080']],
  ['service', ['create', 'service', 'clusterip', 'NAME', '--tcp=80:8080', '--tcp=443:8443']],
  ['service', ['create', 'service', 'nodeport', 'NAME', '--tcp=80:http']],
  ['service', ['create', 'service', 'loadbalancer', 'NAME', '--tcp=443:8443']],
  ['service', ['create', 'service', 'externalname', 'NAME', '--external-name=example.com', '--tcp=80']],
  ['configmap', ['create', 'configmap', 'NAME', '--from-literal=a=1', '--from-literal=b=two words']],
  ['secret', ['create', 'secret', 'generic', 'NAME', '--from-literal=user=admin', '--from-literal=pw=s3cr3t!', '--type=Opaque']],
  ['secret', ['create', 'secret', 'tls', 'NAME', `--cert=${TLS}/cert.pem`, `--key=${TLS}/key.pem`]],
  ['secret', ['create', 'secret', 'docker-registry', 'NAME', '--docker-server=r.example.com', '--docker-username=u', '--docker-password=p', '--docker-email=u@example.com']],
  ['serviceaccount', ['create', 'serviceaccount', 'NAME']],
  ['job', ['create', 'job', 'NAME', '--image=busybox', '--', 'echo', 'hi']],
  ['cronjob', ['create', 'cronjob', 'NAME', '--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure', '--', 'date']],
  ['role', ['create', 'role', 'NAME', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=a']],
  ['clusterrole', ['create', 'clusterrole', 'NAME', '--verb=get', '--non-resource-url=/logs/*']],
  ['clusterrole', ['create', 'clusterrole', 'NAME', '--aggregation-rule=rbac.example.com/aggregate=true']],
  ['rolebinding', ['create', 'rolebinding', 'NAME', '--role=reader', '--user=alice', '--group=devs', '--serviceaccount=default:builder']],
  ['clusterrolebinding', ['create', 'clusterrolebinding', 'NAME', '--clusterrole=view', '--user=bob']],
  ['resourcequota', ['create', 'quota', 'NAME', '--hard=cpu=1,memory=1G,pods=2,services.loadbalancers=1', '--scopes=NotTerminating']],
  ['priorityclass', ['create', 'priorityclass', 'NAME', '--value=1000', '--description=high', '--preemption-policy=Never']],
  ['poddisruptionbudget', ['create', 'poddisruptionbudget', 'NAME', '--selector=app=web', '--min-available=50%']],
  ['poddisruptionbudget', ['create', 'poddisruptionbudget', 'NAME', '--selector=app=web', '--max-unavailable=1']],
  [
    'ingress',
    ['create', 'ingress', 'NAME', '--class=nginx', '--rule=foo.example.com/bar*=svc1:8080,tls=my-cert', '--rule=/api=svc2:http', '--default-backend=defsvc:80', '--annotation=a.example.com/x=1'],
  ],
];

/** What `kubectl get -o json` shows, without what the server assigns per object. */
function comparable(obj: any, name: string): any {
  const text = JSON.stringify(obj)
    .replaceAll(obj.metadata.uid, 'UID')
    .replaceAll(name, 'NAME')
    .replace(/kube-api-access-\w+/g, 'kube-api-access');
  // A `null` the JSON manifest carries (ClusterRole rules with an aggregation rule) is kept by the API core
  // where Kubernetes drops it; the protobuf body has no such field. Compare without nulls.
  const o = JSON.parse(text, (_k, v) => (v === null ? undefined : v));
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink']) delete o.metadata[k];
  delete o.status;
  if (o.kind === 'Service') {
    delete o.spec.clusterIP;
    delete o.spec.clusterIPs;
    for (const p of o.spec.ports ?? []) delete p.nodePort;
  }
  if (o.kind === 'Namespace') delete o.metadata.labels?.['kubernetes.io/metadata.name'];
  return o;
}

describe('kube: kubectl create sends protobuf bodies that store what JSON stores (AKS region)', function () {
  this.timeout(240_000);
  let emu: TestEmulator;
  let c: TestCluster;

  before(async () => {
    requireKubectl();
    emu = await startAksEmulator();
    c = await aksCluster(emu, 'region', 'pb1', 3);
  });
  after(async () => emu?.close());

  CREATES.forEach(([resource, args], i) => {
    it(`kubectl ${args.slice(0, args.indexOf('NAME')).join(' ')} (${args.slice(args.indexOf('NAME') + 1, args.indexOf('NAME') + 2).join(' ')})`, async () => {
      const viaProto = `pb${i}-obj`;
      const viaJson = `js${i}-obj`;
      const sub = (n: string) => args.map((a) => (a === 'NAME' ? n : a));
      const sent = await kubectl(c, ['-v=8', ...sub(viaProto)]);
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(sent.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/, 'kubectl sent a protobuf body');
      const dash = args.includes('--') ? args.indexOf('--') : args.length;
      const dryRun = sub(viaJson);
      dryRun.splice(dash, 0, '--dry-run=client', '-o', 'json');
      const manifest = await kubectlOk(c, dryRun);
      await kubectlOk(c, ['create', '-f', '-'], manifest);
      const got = async (n: string) => comparable(JSON.parse(await kubectlOk(c, ['get', resource, n, '-o', 'json'])), n);
      assert.deepEqual(await got(viaProto), await got(viaJson));
    });
  });

  it('kubectl run and kubectl expose (JSON bodies from kubectl 1.32) store what their dry-run JSON stores', async () => {
    await kubectlOk(c, ['create', 'deployment', 'exp', '--image=nginx:1.27', '--port=8080']);
    for (const [resource, args] of [
      ['pod', ['run', 'NAME', '--image=nginx:1.27', '--port=80', '--env=A=1', '--labels=app=NAME,tier=web', '--restart=Never', '--image-pull-policy=IfNotPresent']],
      ['service', ['expose', 'deployment', 'exp', '--name=NAME', '--port=80', '--target-port=8080', '--type=NodePort']],
    ] as const) {
      const sub = (n: string) => args.map((a) => a.replaceAll('NAME', n));
      const sent = await kubectl(c, ['-v=8', ...sub('pbrun-obj')]);
      assert.equal(sent.code, 0, sent.stderr);
      // kubectl 1.32 sends these two as JSON (its -v=8 log shows it); they are compared all the same.
      await kubectlOk(c, ['create', '-f', '-'], await kubectlOk(c, [...sub('jsrun-obj'), '--dry-run=client', '-o', 'json']));
      const got = async (n: string) => {
        const o = comparable(JSON.parse(await kubectlOk(c, ['get', resource, n, '-o', 'json'])), n);
        delete o.spec.nodeName;
        return o;
      };
      assert.deepEqual(await got('pbrun-obj'), await got('jsrun-obj'));
    }
  });

  it('a protobuf PUT updates, and dryRun / fieldManager work as with JSON', async () => {
    await kubectlOk(c, ['create', 'configmap', 'upd', '--from-literal=a=1']);
    const cm = JSON.parse(await kubectlOk(c, ['get', 'configmap', 'upd', '-o', 'json']));
    const meta = msg(bytesField(1, 'upd'), bytesField(3, 'default'), bytesField(6, cm.metadata.resourceVersion));
    const body = (v: string) => envelope('v1', 'ConfigMap', msg(bytesField(1, meta), bytesField(2, msg(bytesField(1, 'a'), bytesField(2, v)))));
    const put = (query: string, data: Buffer) =>
      new Promise<{ status: number; json: any }>((resolve, reject) => {
        const req = https.request(
          new URL(`${c.server}/api/v1/namespaces/default/configmaps/upd${query}`),
          {
            method: 'PUT',
            ca: readFileSync(CA_PATH),
            headers: { Authorization: `Bearer ${c.token}`, Accept: 'application/json', 'Content-Type': 'application/vnd.kubernetes.protobuf', 'Content-Length': data.length },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (ch) => chunks.push(ch));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
          },
        );
        req.on('error', reject);
        req.end(data);
      });
    const dry = await put('?dryRun=All&fieldManager=pb-dry', body('2'));
    assert.equal(dry.status, 200, JSON.stringify(dry.json));
    assert.equal(dry.json.data.a, '2');
    assert.equal(JSON.parse(await kubectlOk(c, ['get', 'configmap', 'upd', '-o', 'json'])).data.a, '1', 'a dry run stores nothing');
    const real = await put('?fieldManager=pb-writer', body('3'));
    assert.equal(real.status, 200, JSON.stringify(real.json));
    const after = JSON.parse(await kubectlOk(c, ['get', 'configmap', 'upd', '-o', 'json', '--show-managed-fields']));
    assert.equal(after.data.a, '3');
    assert.ok(
      after.metadata.managedFields.some((m: any) => m.manager === 'pb-writer' && m.operation === 'Update'),
      JSON.stringify(after.metadata.managedFields),
    );
    const stale = await put('', body('4'));
    assert.equal(stale.status, 409, 'the old resourceVersion conflicts, as with JSON');
  });

  it('the other typed kubectl commands succeed (scale, set, rollout restart, cordon, drain, create token)', async () => {
    await kubectlOk(c, ['create', 'deployment', 'typed', '--image=nginx:1.27', '--replicas=2']);
    await kubectlOk(c, ['rollout', 'status', 'deployment/typed', '--timeout=60s']);
    const node = JSON.parse(await kubectlOk(c, ['get', 'pods', '-l', 'app=typed', '-o', 'json'])).items[0].spec.nodeName as string;
    const commands = [
      ['scale', 'deployment/typed', '--replicas=3'],
      ['set', 'image', 'deployment/typed', 'nginx=nginx:1.28'],
      ['set', 'env', 'deployment/typed', 'MODE=x'],
      ['set', 'resources', 'deployment/typed', '--limits=cpu=200m,memory=256Mi'],
      ['rollout', 'restart', 'deployment/typed'],
      ['create', 'token', 'default', '--duration=10m'],
      ['cordon', node],
      ['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=60s'],
      ['uncordon', node],
    ];
    for (const args of commands) {
      const r = await kubectl(c, ['-v=8', ...args]);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr.split('\n').slice(-5).join('\n')}`);
    }
  });

  it('kubectl create deployment web --image=nginx --replicas=3 rolls out 3 ready replicas', async () => {
    await kubectlOk(c, ['create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    const status = await kubectlOk(c, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(status, /deployment "web" successfully rolled out/);
    const dep = JSON.parse(await kubectlOk(c, ['get', 'deployment', 'web', '-o', 'json']));
    assert.equal(dep.status.readyReplicas, 3);
  });
});
