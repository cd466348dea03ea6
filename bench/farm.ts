// The Kubernetes controllers of a farm (`npm run bench farm`): the same kube workload (3 AKS clusters on the
// Hub stamp created through one instance; through the other, a 20-replica deployment in each, scaled to 5) on
// two instances sharing one PostgreSQL database, against one instance on a database of its own, same run. Each
// cluster's controllers run on one instance of the farm (src/kube/lease.ts); the farm still pays for each
// instance reading the other's changes into its memory. Emulators in their own processes, --time-scale 0; CPU
// from /proc (emulators, and the PostgreSQL server with its backends).
import { readdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { armClient, type BenchClient } from './client.js';
import { kubeCall } from './kube.js';
import { benchTls, cpuSeconds, startEmulator, type BenchEmulator, type BenchTls } from './process.js';
import { WELL_KNOWN } from '../src/config/config.js';
import { TestPostgres } from '../test/support/postgres.js';

const CLUSTERS = 3;
const AKS = 'api-version=2024-02-01';

/** CPU seconds of a process and all its descendants (live ones, and the reaped ones they waited for). */
function treeCpuSeconds(root: number | undefined): number {
  const parent = new Map<number, { ppid: number; s: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), { ppid: Number(f[1]), s: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100 });
    } catch {
      // gone meanwhile
    }
  }
  let s = 0;
  for (const [pid, p] of parent) {
    for (let q: number | undefined = pid; q; q = parent.get(q)?.ppid) {
      if (q === root) {
        s += p.s;
        break;
      }
    }
  }
  return s;
}

interface Kube {
  call(method: string, p: string, body?: unknown, type?: string): Promise<{ status: number; body: any }>;
}

function kubeAt(server: string, token: string, ca: string): Kube {
  const agent = new https.Agent({ keepAlive: true, ca });
  return {
    call: (method, p, body, type) => kubeCall(server, ca, agent, token, method, p, body, type),
  };
}

async function until(what: string, f: () => Promise<boolean>): Promise<void> {
  const give = Date.now() + 300_000;
  while (!(await f())) {
    if (Date.now() > give) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The workload: clusters through `arm`, deployments through `other` (the same instance, or the farm's other one). */
async function workload(arm: BenchClient, otherUrl: string, ca: string, tag: string): Promise<void> {
  const rg = `/subscriptions/${WELL_KNOWN.subscriptionId}/resourceGroups/farm-${tag}`;
  if ((await arm.call('PUT', `${rg}?api-version=2021-04-01`, { location: 'local' })).status !== 201) throw new Error('group');
  const kubes: Kube[] = [];
  for (let i = 0; i < CLUSTERS; i++) {
    const id = `${rg}/providers/Microsoft.ContainerService/managedClusters/k${i}`;
    const body = {
      location: 'local',
      properties: {
        dnsPrefix: `k${i}-${tag}`,
        agentPoolProfiles: [{ name: 'nodepool1', count: 2, vmSize: 'Standard_DS2_v2', mode: 'System', osType: 'Linux' }],
        networkProfile: { networkPlugin: 'kubenet', loadBalancerSku: 'basic' },
        servicePrincipalProfile: { clientId: WELL_KNOWN.clientId, secret: WELL_KNOWN.clientSecret },
      },
    };
    const put = await arm.call('PUT', `${id}?${AKS}`, body);
    if (put.status !== 201) throw new Error(`cluster: ${put.status} ${JSON.stringify(put.body)}`);
    const op = new URL(String(put.headers['azure-asyncoperation']));
    await until('the cluster', async () => (await arm.call('GET', op.pathname + op.search)).body?.status === 'Succeeded');
    const cred = await arm.call('POST', `${id}/listClusterAdminCredential?${AKS}`, {});
    const doc = parseYaml(Buffer.from(cred.body.kubeconfigs[0].value, 'base64').toString('utf8'));
    const server = new URL(doc.clusters[0].cluster.server as string);
    kubes.push(kubeAt(otherUrl + server.pathname, doc.users[0].user.token as string, ca));
  }
  const pods = '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb';
  const ready = (k: Kube, n: number) => async () => {
    const r = await k.call('GET', pods);
    return r.status === 200 && r.body.items.length === n && r.body.items.every((p: any) => p.status?.phase === 'Running');
  };
  for (const k of kubes) {
    const spec = { replicas: 20, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } };
    const r = await k.call('POST', '/apis/apps/v1/namespaces/default/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec });
    if (r.status !== 201) throw new Error(`deployment: ${r.status} ${JSON.stringify(r.body)}`);
  }
  for (const k of kubes) await until('20 running pods', ready(k, 20));
  for (const k of kubes) {
    const r = await k.call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { spec: { replicas: 5 } }, 'application/merge-patch+json');
    if (r.status !== 200) throw new Error(`scale: ${r.status}`);
  }
  for (const k of kubes) await until('5 running pods', ready(k, 5));
}

async function measure(pgServer: TestPostgres, tls: BenchTls, instances: 1 | 2, tag: string): Promise<{ emulators: number; postgres: number; idle: number }> {
  const db = await pgServer.createDatabase(`farm${tag}`);
  const emus: BenchEmulator[] = [];
  for (let i = 0; i < instances; i++) emus.push(await startEmulator(`farm-${tag}-${i}`, tls, { args: ['--store', db] }));
  const arm = await armClient(emus[0].url, tls.ca);
  const pgPid = (pgServer as unknown as { child: { pid?: number } | null }).child?.pid;
  const cpu = () => emus.reduce((s, e) => s + cpuSeconds(e.child.pid), 0);
  try {
    const e0 = cpu();
    const p0 = treeCpuSeconds(pgPid);
    await workload(arm, emus[emus.length - 1].url, tls.ca, tag);
    const e1 = cpu();
    const p1 = treeCpuSeconds(pgPid);
    await new Promise((r) => setTimeout(r, 10_000)); // an idle farm: lease renewals only
    return { emulators: e1 - e0, postgres: p1 - p0, idle: cpu() - e1 };
  } finally {
    arm.close();
    for (const e of emus) await e.stop();
  }
}

export async function benchFarm(): Promise<Record<string, string | number>> {
  const pgServer = await TestPostgres.start();
  const tls = await benchTls('farm');
  try {
    const one = await measure(pgServer, tls, 1, 'one');
    const two = await measure(pgServer, tls, 2, 'two');
    const ratio = (two.emulators + two.postgres) / (one.emulators + one.postgres);
    return {
      'kube workload, one instance: emulator + PostgreSQL CPU s': `${one.emulators.toFixed(2)} + ${one.postgres.toFixed(2)}`,
      'kube workload, two instances on one database: emulators + PostgreSQL CPU s': `${two.emulators.toFixed(2)} + ${two.postgres.toFixed(2)}`,
      // Each instance also reads every change the other commits into its own memory, so 1 is out of reach; 2 or
      // more is what it was when every instance ran every cluster's controllers.
      'two instances / one (CPU of emulators + PostgreSQL)': ratio.toFixed(2),
      'idle 10 s after the workload, emulators CPU s (one / two)': `${one.idle.toFixed(2)} / ${two.idle.toFixed(2)}`,
    };
  } finally {
    tls.remove();
    await pgServer.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [k, v] of Object.entries(await benchFarm())) console.log(`${k}: ${v}`);
}
