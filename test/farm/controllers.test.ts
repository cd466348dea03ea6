// Several instances on one PostgreSQL database share each cluster's Kubernetes controllers through a lease held in
// the store (src/kube/lease.ts): exactly one instance runs a cluster's controllers, every instance serves its API;
// when the holder dies another takes over once the lease has run out on the emulator's calendar (advanced here
// through the admin API, never waited for), and a clean stop hands the cluster over at once.
import assert from 'node:assert/strict';
import pg from 'pg';
import request from 'supertest';
import { sharedPostgres } from '../support/postgres.js';
import { startTestEmulator, tmpDir, SUB, type TestEmulator } from '../support/emulator.js';
import { startEmulatorProcess, kill9, type EmulatorProcess } from '../support/process.js';
import { waitUntil } from '../support/wait.js';
import { clusterBody, clusterPath } from '../containerservice/helpers.js';
import { fromKubeconfig, kubectlOk, raw, requireKubectl, type TestCluster } from '../kube/helpers.js';
import { LEASE_DURATION_SECONDS, LEASES, type LeaseRecord } from '../../src/kube/lease.js';
import type { KubeService } from '../../src/kube/service.js';

const RV = 'api-version=2021-04-01';
const AKS = 'api-version=2024-02-01';
const ID = clusterPath('lease', 'k1');
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';

/** The Kubernetes API server of an in-process instance (loaded if it is still the lazy front). */
async function kubeOf(emu: TestEmulator): Promise<KubeService> {
  const k = emu.services.kube as unknown as { load?: () => Promise<KubeService> };
  return k.load ? k.load() : (k as unknown as KubeService);
}

/** The same cluster's API, reached through another instance. */
function through(c: TestCluster, url: string): TestCluster {
  const key = new URL(c.server).pathname;
  const kubeconfig = c.kubeconfig.replace(c.server, url + key);
  return fromKubeconfig(c.kind, c.id, kubeconfig);
}

describe('the Kubernetes controllers of a farm: one instance drives each cluster (a lease in PostgreSQL)', function () {
  this.timeout(240_000);
  let db: string;
  let admin: pg.Client;
  let a: EmulatorProcess;
  let b: TestEmulator | undefined;
  let c: TestEmulator | undefined;
  let key: string;
  let viaB: TestCluster;

  const lease = async (): Promise<LeaseRecord | undefined> => {
    const r = await admin.query('SELECT value FROM arm_emulator_kv WHERE collection = $1 AND key = $2', [LEASES, key]);
    return r.rows[0]?.value ?? undefined;
  };
  const replicasReady = async (via: TestCluster, n: number) => {
    const r = await raw(via, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb');
    return r.status === 200 && r.json.items.length === n && r.json.items.every((p: any) => p.status?.phase === 'Running');
  };

  before(async () => {
    requireKubectl();
    db = await (await sharedPostgres()).createDatabase('leases');
    admin = new pg.Client({ connectionString: db });
    await admin.connect();
    // a: a real process, so that it can be killed (-9) later.
    a = await startEmulatorProcess(tmpDir('lease-a-'), ['--store', db, '--port', '0', '--time-scale', '0']);
    const A = () => request.agent(a.url).set('Authorization', `Bearer ${a.token}`);
    assert.equal((await A().put(`/subscriptions/${SUB}/resourceGroups/lease?${RV}`).send({ location: 'local' })).status, 201);
    const put = await A()
      .put(`${ID}?${AKS}`)
      .send(clusterBody('local', { count: 2, lb: 'basic' }));
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const op = new URL(put.headers['azure-asyncoperation']);
    await waitUntil(async () => (await A().get(op.pathname + op.search)).body.status === 'Succeeded', { what: 'the cluster create', everyMs: 50 });
    const cred = await A().post(`${ID}/listClusterAdminCredential?${AKS}`).send({});
    assert.equal(cred.status, 200, JSON.stringify(cred.body));
    const viaA = fromKubeconfig('hub', ID, Buffer.from(cred.body.kubeconfigs[0].value, 'base64').toString('utf8'));
    key = new URL(viaA.server).pathname.split('/')[2];
    // a drives the cluster before b exists: which instance takes a new cluster is a race, this one is not.
    await waitUntil(async () => !!(await lease())?.holderIdentity, { what: 'instance a to take the cluster', everyMs: 50 });
    b = await startTestEmulator(['--store', db]);
    viaB = through(viaA, b.url);
  });

  after(async () => {
    await c?.close();
    await b?.close();
    if (a) await kill9(a);
    await admin?.end();
  });

  it('a deployment created and scaled through instance b gets its pods from a, the holder; b runs none of its controllers', async () => {
    const kb = await kubeOf(b!);
    const holder = (await lease())!;
    assert.notEqual(holder.holderIdentity, kb.leases!.identity, 'a took the lease before b started');
    assert.equal(holder.leaseDurationSeconds, LEASE_DURATION_SECONDS);
    const made = await raw(viaB, 'POST', DEPLOY, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    });
    assert.equal(made.status, 201, made.text);
    await waitUntil(() => replicasReady(viaB, 2), { what: 'two running pods seen through b', everyMs: 50 });
    // kubectl (the real client) scales it through b
    await kubectlOk(viaB, ['scale', 'deployment/web', '--replicas=4']);
    await waitUntil(() => replicasReady(viaB, 4), { what: 'four running pods seen through b', everyMs: 50 });
    assert.equal(kb.runtime.runs(key), 0, "b ran none of the cluster's controllers: the replica set, the pods, their scheduling came from a");
    assert.equal(kb.leases!.holds(key), false);
    assert.equal((await lease())!.holderIdentity, holder.holderIdentity, 'a still holds it (renewed, never lost)');
  });

  it("a cluster created while both run is driven by one of them; the other's first answer already lists its nodes", async () => {
    const kb = await kubeOf(b!);
    const id = clusterPath('lease', 'k2');
    const put = await b!
      .http()
      .put(`${id}?${AKS}`)
      .send(clusterBody('local', { count: 2, lb: 'basic' }));
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const op = new URL(put.headers['azure-asyncoperation']);
    await waitUntil(async () => (await b!.http().get(op.pathname + op.search)).body.status === 'Succeeded', { what: 'the cluster create', everyMs: 50 });
    const cred = await b!.http().post(`${id}/listClusterAdminCredential?${AKS}`).send({});
    const k2 = fromKubeconfig('hub', id, Buffer.from(cred.body.kubeconfigs[0].value, 'base64').toString('utf8'));
    const k2Key = new URL(k2.server).pathname.split('/')[2];
    // the first request to each instance (whichever drives the cluster, and the other one waiting for its bootstrap)
    const [onA, onB] = await Promise.all([raw(through(k2, a.url), 'GET', '/api/v1/nodes'), raw(k2, 'GET', '/api/v1/nodes')]);
    assert.equal(onA.status, 200, onA.text);
    assert.equal(onB.status, 200, onB.text);
    const names = (r: typeof onA) => r.json.items.map((n: any) => n.metadata.name as string);
    const workers = onA.json.items.filter((n: any) => !('node-role.kubernetes.io/control-plane' in n.metadata.labels));
    assert.equal(workers.length, 2, names(onA).join(', '));
    assert.deepEqual(names(onB), names(onA));
    const rec = await admin.query('SELECT value FROM arm_emulator_kv WHERE collection = $1 AND key = $2', [LEASES, k2Key]);
    const holder = rec.rows[0]?.value?.holderIdentity as string;
    assert.ok(holder, 'an instance took the new cluster');
    assert.equal(kb.runtime.runs(k2Key) > 0, holder === kb.leases!.identity, "b ran the cluster's controllers exactly when it holds the lease");
  });

  it('kill -9 of the holder: b takes the cluster over once the lease has run out on the calendar, and drives it', async () => {
    const kb = await kubeOf(b!);
    const before = (await lease())!;
    await kill9(a);
    // a's renewals stopped; b saw its last one (a pass now, instead of at the next renewal period) ...
    await kb.leases!.tick();
    assert.equal(kb.leases!.holds(key), false, 'not before the lease duration has passed');
    assert.equal(kb.leases!.free(key), false);
    // ... and the emulator's calendar moves on by the lease duration: a dead holder's lease has run out.
    const adv = await b!.http().post('/_emulator/clock/advance').send({ seconds: LEASE_DURATION_SECONDS });
    assert.equal(adv.status, 200, JSON.stringify(adv.body));
    await kb.leases!.tick();
    assert.equal(kb.leases!.holds(key), true, 'b holds the lease');
    const now = (await lease())!;
    assert.equal(now.holderIdentity, kb.leases!.identity);
    assert.equal(now.leaseTransitions, before.leaseTransitions + 1);
    // b's controllers work: scaled down through b, the pods follow
    await kubectlOk(viaB, ['scale', 'deployment/web', '--replicas=1']);
    await waitUntil(() => replicasReady(viaB, 1), { what: 'one running pod', everyMs: 50 });
    assert.ok(kb.runtime.runs(key) > 0);
  });

  it('a clean stop of the holder hands the cluster over at once (no clock advance), and the new holder drives it', async () => {
    c = await startTestEmulator(['--store', db]);
    const kc = await kubeOf(c);
    const viaC = through(viaB, c.url);
    const before = (await lease())!;
    await kc.leases!.tick();
    assert.equal(kc.leases!.holds(key), false, 'b holds it');
    await b!.close();
    b = undefined;
    const released = (await lease())!;
    assert.ok(released.holderIdentity === '' || released.holderIdentity === kc.leases!.identity, `released on close: ${JSON.stringify(released)}`);
    // c hears of the release through the store's change feed and takes the lease (no calendar advance)
    await waitUntil(() => kc.leases!.holds(key), { what: 'instance c to take the released lease', everyMs: 20 });
    const now = (await lease())!;
    assert.equal(now.holderIdentity, kc.leases!.identity);
    assert.equal(now.leaseTransitions, before.leaseTransitions + 1);
    await kubectlOk(viaC, ['scale', 'deployment/web', '--replicas=3']);
    await waitUntil(() => replicasReady(viaC, 3), { what: 'three running pods', everyMs: 50 });
    assert.ok(kc.runtime.runs(key) > 0);
  });
});
