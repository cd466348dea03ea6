// Two instances on one PostgreSQL database drive a cluster's Kubernetes controllers once, not twice: the instance
// holding the cluster's lease does (shown as kube-controller-manager's leader Lease in kube-system); when it is
// killed, the other takes the lease over and the cluster keeps working.
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { SUB, tmpDir } from '../support/emulator.js';
import { sharedPostgres } from '../support/postgres.js';
import { waitUntil } from '../support/wait.js';
import { clusterBody } from '../containerservice/helpers.js';
import { startProcess, tokenFor } from './process.js';

const RV = 'api-version=2021-04-01';
const AKS = 'api-version=2024-02-01';

function kubectl(kubeconfig: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('/usr/bin/kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: path.dirname(kubeconfig) }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

describe("two instances on PostgreSQL: one drives each cluster's controllers (a lease in the store)", function () {
  this.timeout(180_000);
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('the lease holder runs the controllers; killed, the other takes over and the cluster keeps working', async () => {
    const db = await (await sharedPostgres()).createDatabase('kubelease');
    const a = await startProcess(['--store', db, '--time-scale', '0']);
    children.push(a.child);
    const b = await startProcess(['--store', db, '--time-scale', '0']);
    children.push(b.child);
    const token = await tokenFor(a.url);
    const A = () => request.agent(a.url).set('Authorization', `Bearer ${token}`);
    assert.equal((await A().put(`/subscriptions/${SUB}/resourceGroups/kl?${RV}`).send({ location: 'eastus' })).status, 201);
    const id = `/subscriptions/${SUB}/resourceGroups/kl/providers/Microsoft.ContainerService/managedClusters/k1`;
    const put = await A()
      .put(`${id}?${AKS}`)
      .send(clusterBody('eastus', { count: 2 }));
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const op = new URL(put.headers['azure-asyncoperation']);
    await waitUntil(async () => (await A().get(op.pathname + op.search)).body.status === 'Succeeded', { what: 'the cluster create', timeoutMs: 60_000 });
    const cred = await A().post(`${id}/listClusterAdminCredential?${AKS}`).send({});
    const yaml = Buffer.from(cred.body.kubeconfigs[0].value, 'base64').toString();
    const home = tmpDir('kube-lease-');
    mkdirSync(path.join(home, '.kube'), { recursive: true });
    const at = (url: string) => {
      const file = path.join(home, `${new URL(url).port}.kubeconfig`);
      writeFileSync(file, yaml.replace(/server: https:\/\/[^/\s]+/, `server: ${url.replace(/\/$/, '')}`), { mode: 0o600 });
      return file;
    };
    const ka = at(a.url);
    const kb = at(b.url);
    const leaseOf = async (k: string) => {
      const r = await kubectl(k, ['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'json']);
      return r.code === 0 ? JSON.parse(r.stdout).spec : undefined;
    };
    const first = await waitUntil(() => leaseOf(kb), { what: 'the leader lease', timeoutMs: 30_000 });
    const pidOf = (holder: string) => Number(holder.split('_')[1]);
    const holder = pidOf(first.holderIdentity) === a.child.pid ? a : b;
    const other = holder === a ? b : a;
    assert.ok([a.child.pid, b.child.pid].includes(pidOf(first.holderIdentity)), first.holderIdentity);
    assert.equal(first.leaseTransitions, 0);
    // Work asked of the instance that does not drive the cluster is done (by the one that does).
    const kOther = other === a ? ka : kb;
    assert.equal((await kubectl(kOther, ['create', 'deployment', 'web', '--image=nginx', '--replicas=2'])).code, 0);
    const ro = await kubectl(kOther, ['rollout', 'status', 'deployment/web', '--timeout=20s']);
    if (ro.code) {
      const dbg = await kubectl(kOther, ['get', 'nodes,lease', '-A', '-o', 'wide']);
      const dbg2 = await kubectl(holder === a ? ka : kb, ['get', 'deploy,rs,pods', '-o', 'wide']);
      assert.fail(`${ro.stderr}\n${dbg.stdout}\n--- holder view\n${dbg2.stdout}`);
    }
    assert.equal((await leaseOf(kOther)).holderIdentity, first.holderIdentity, 'one instance keeps driving');

    holder.child.kill('SIGKILL');
    await new Promise((r) => holder.child.once('exit', r));
    const next = await waitUntil(
      async () => {
        const l = await leaseOf(kOther);
        return l && l.holderIdentity !== first.holderIdentity ? l : undefined;
      },
      { what: 'the other instance to take the lease over', timeoutMs: 60_000, everyMs: 100 },
    );
    assert.equal(pidOf(next.holderIdentity), other.child.pid);
    assert.equal(next.leaseTransitions, 1);
    // the survivor's controllers run the cluster now
    assert.equal((await kubectl(kOther, ['scale', 'deployment/web', '--replicas=4'])).code, 0);
    const r = await kubectl(kOther, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    const pods = JSON.parse((await kubectl(kOther, ['get', 'pods', '-l', 'app=web', '-o', 'json'])).stdout).items;
    assert.equal(pods.filter((p: any) => p.status.phase === 'Running').length, 4);
  });
});
