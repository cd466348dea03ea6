// A cluster's Kubernetes objects live in the emulator's store: a real emulator process killed with SIGKILL
// during a burst of writes comes back with every acknowledged object, the same nodes, pods and load
// balancer address, controllers that carry on, and watches that tell a client its resourceVersion is
// too old (410) so it lists again.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import net from 'node:net';
import request from 'supertest';
import { after, describe, it } from 'mocha';
import { tmpDir } from '../support/emulator.js';
import { kill9, startEmulatorProcess, type EmulatorProcess } from '../support/process.js';
import { clusterBody, clusterPath } from '../containerservice/helpers.js';
import { DEPLOYMENT, eventually, fromKubeconfig, kubectlOk, raw, requireKubectl, watchEvents } from './helpers.js';

type Child = EmulatorProcess;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const start = (dir: string, port: number) => startEmulatorProcess(dir, ['--port', String(port), '--time-scale', '0']);

const arm = (c: Child) => request.agent(c.url).set('Authorization', `Bearer ${c.token}`);

async function waitOp(c: Child, url: string): Promise<void> {
  const u = new URL(url);
  const body = await waitUntil(
    async () => {
      const r = await arm(c).get(u.pathname + u.search);
      return ['Succeeded', 'Failed', 'Canceled'].includes(r.body.status) ? r.body : undefined;
    },
    { what: `operation ${url} to finish`, timeoutMs: 60_000, everyMs: 10 },
  );
  assert.equal(body.status, 'Succeeded', JSON.stringify(body));
}

describe('kube: objects survive kill -9 and restart', function () {
  this.timeout(180_000);
  let proc: Child | undefined;
  after(async () => {
    if (proc) await kill9(proc);
  });

  it('keeps acknowledged objects, nodes, pods and the load balancer address; watches from before answer 410', async () => {
    requireKubectl();
    const dir = tmpDir();
    const port = await freePort();
    proc = await start(dir, port);
    const rg = `/subscriptions/bbbbbbbb-0000-0000-0000-000000000001/resourceGroups/rk`;
    await arm(proc).put(`${rg}?api-version=2021-04-01`).send({ location: 'eastus' });
    const id = clusterPath('rk', 'rk1');
    const put = await arm(proc)
      .put(`${id}?api-version=2024-02-01`)
      .send(clusterBody('eastus', { count: 2, lb: 'standard' }));
    await waitOp(proc, put.headers['azure-asyncoperation']);
    const cred = await arm(proc).post(`${id}/listClusterAdminCredential?api-version=2024-02-01`);
    const c = fromKubeconfig('region', id, Buffer.from(cred.body.kubeconfigs[0].value, 'base64').toString());

    await kubectlOk(c, ['apply', '-f', '-'], DEPLOYMENT('web', 3));
    await kubectlOk(c, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const svc = await eventually('external IP', async () => {
      const s = (await raw(c, 'GET', '/api/v1/namespaces/default/services/web')).json;
      return s.status?.loadBalancer?.ingress?.[0]?.ip ? s : undefined;
    });
    const pods = (await raw(c, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).json.items.map((p: any) => `${p.metadata.name}@${p.spec.nodeName}`).sort();
    const nodes = (await raw(c, 'GET', '/api/v1/nodes')).json.items.map((n: any) => n.metadata.name).sort();
    const rvBefore = (await raw(c, 'GET', '/api/v1/namespaces/default/configmaps')).json.metadata.resourceVersion;

    // A burst of writes, cut by SIGKILL: every one answered 201 must be there afterwards.
    const acked: string[] = [];
    const writes = Array.from({ length: 60 }, (_, i) =>
      raw(c, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `burst-${i}` }, data: { i: String(i) } }).then(
        (r) => {
          if (r.status === 201) acked.push(`burst-${i}`);
        },
        () => undefined,
      ),
    );
    await eventually('some writes acknowledged', async () => acked.length >= 10, 30_000);
    await kill9(proc);
    await Promise.all(writes);
    assert.ok(acked.length >= 10);

    proc = await start(dir, port);
    const cms = new Set((await raw(c, 'GET', '/api/v1/namespaces/default/configmaps')).json.items.map((x: any) => x.metadata.name));
    for (const n of acked) assert.ok(cms.has(n), `acknowledged ${n} survived`);
    assert.deepEqual((await raw(c, 'GET', '/api/v1/nodes')).json.items.map((n: any) => n.metadata.name).sort(), nodes);
    const after = (await raw(c, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).json.items;
    assert.deepEqual(after.map((p: any) => `${p.metadata.name}@${p.spec.nodeName}`).sort(), pods, 'the same pods on the same nodes');
    assert.ok(after.every((p: any) => p.status.phase === 'Running'));
    const svc2 = (await raw(c, 'GET', '/api/v1/namespaces/default/services/web')).json;
    assert.deepEqual(svc2.status.loadBalancer, svc.status.loadBalancer);
    assert.equal(svc2.spec.clusterIP, svc.spec.clusterIP);
    // resourceVersions keep growing from where they were.
    const rvAfter = (await raw(c, 'GET', '/api/v1/namespaces/default/configmaps')).json.metadata.resourceVersion;
    assert.ok(Number(rvAfter) >= Number(rvBefore));
    // A watch from before the restart: its history is gone, so 410 Expired (clients list again).
    const old = await watchEvents(c, `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rvBefore}`, (evs) => evs.length > 0);
    assert.equal(old[0].type, 'ERROR');
    assert.deepEqual([old[0].object.code, old[0].object.reason], [410, 'Expired']);
    // Controllers carry on.
    await kubectlOk(c, ['scale', 'deployment/web', '--replicas=4']);
    await kubectlOk(c, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(await kubectlOk(c, ['get', 'nodes']), /Ready/);
  });
});
