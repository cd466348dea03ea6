// Kubernetes API benchmark, against the emulator in its own process at --time-scale 0 (durable store):
// - a kube-API GET of a pod against an ARM GET of a resource group, same process, same connections
//   (alternating rounds, medians): target ratio >= 0.8;
// - scheduling a 500-replica deployment: wall time from the scale request until every pod is bound to a
//   node (target <= 1 s);
// - many clusters: RSS growth of the emulator with CLUSTERS clusters and PODS pods in all (target
//   <= 150 MB for 50 clusters and 2,000 pods).
//
//   node dist/bench/kube.js            (or npm run bench kube)
//   KUBE_BENCH_PARTS=get,schedule,memory picks parts; KUBE_BENCH_SNAPSHOT=1 sends the emulator SIGUSR2 once the
//   pods of the memory part run (with BENCH_NODE_ARGS=--heapsnapshot-signal=SIGUSR2 it writes a heap snapshot).

import https from 'node:https';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from './load.js';
import { benchTls, cpuSeconds, startEmulator } from './process.js';
import { armClient, type BenchClient } from './client.js';
import { WELL_KNOWN } from '../src/config/config.js';

const SUB = WELL_KNOWN.subscriptionId;
const CONCURRENCY = 16;
const SECONDS = 2;
const ROUNDS = 3;
const CLUSTERS = Number(process.env.KUBE_BENCH_CLUSTERS ?? 50);
const PODS = Number(process.env.KUBE_BENCH_PODS ?? 2000);
const PARTS = new Set((process.env.KUBE_BENCH_PARTS ?? 'get,schedule,memory').split(','));

const TARGET_RATIO = 0.8;
const TARGET_SCHEDULE_S = 1;
const TARGET_RSS_MB = 150;

/** Figures, then one line per target: its goal, the figure and whether it is met. */
export type KubeBench = Record<string, number | string>;

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function rssMB(pid: number | undefined): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function waitOperation(client: BenchClient, r: { status: number; headers: Record<string, any>; body: any }): Promise<void> {
  const aao = r.headers['azure-asyncoperation'] as string | undefined;
  if (r.status >= 400) throw new Error(`ARM answered ${r.status}: ${JSON.stringify(r.body)}`);
  if (!aao) return;
  const p = new URL(aao).pathname + new URL(aao).search;
  for (;;) {
    const s = await client.call('GET', p);
    if (s.body?.status && s.body.status !== 'InProgress') {
      if (s.body.status !== 'Succeeded') throw new Error(`operation ${s.body.status}: ${JSON.stringify(s.body.error)}`);
      return;
    }
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** A cluster with `count` nodes; its API server path and admin token. */
async function cluster(client: BenchClient, rg: string, name: string, count: number): Promise<{ prefix: string; token: string }> {
  const id = `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
  const body = {
    location: 'eastus',
    identity: { type: 'SystemAssigned' },
    properties: { dnsPrefix: name, agentPoolProfiles: [{ name: 'nodepool1', count, vmSize: 'Standard_DS2_v2', mode: 'System' }] },
  };
  await waitOperation(client, await client.call('PUT', `${id}?api-version=2024-02-01`, body));
  const cred = await client.call('POST', `${id}/listClusterAdminCredential?api-version=2024-02-01`);
  const kubeconfig = Buffer.from(cred.body.kubeconfigs[0].value, 'base64').toString();
  const server = /server: (\S+)/.exec(kubeconfig)![1];
  const token = /token: (\S+)/.exec(kubeconfig)![1];
  return { prefix: new URL(server).pathname, token };
}

/** One kube API request over the bench's HTTPS agent; the JSON body back. */
export function kubeCall(
  url: string,
  ca: string,
  agent: https.Agent,
  token: string,
  method: string,
  p: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(`${url}${p}`, { method, agent, ca, headers: { authorization: `Bearer ${token}`, ...(data ? { 'content-type': contentType } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] } },
  },
});

export async function benchKube(): Promise<KubeBench> {
  const tls = await benchTls('kube');
  const ca = tls.ca;
  const emu = await startEmulator('kube', tls);
  const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  try {
    const client = await armClient(emu.url, ca);
    const rgPath = `/subscriptions/${SUB}/resourcegroups/kbench?api-version=2021-04-01`;
    await client.call('PUT', rgPath, { location: 'eastus' });

    const out: KubeBench = { timeScale: 0, 'load average at start (1, 5, 15 min)': loadAverage() };
    const targets: string[] = [];

    // 1. GET of a pod against GET of a resource group.
    const c1 = await cluster(client, 'kbench', 'k1', 6);
    await kubeCall(emu.url, ca, agent, c1.token, 'POST', `${c1.prefix}/apis/apps/v1/namespaces/default/deployments`, deployment('web', 3));
    let pod: string | undefined;
    for (let i = 0; i < 500 && !pod; i++) {
      const l = await kubeCall(emu.url, ca, agent, c1.token, 'GET', `${c1.prefix}/api/v1/namespaces/default/pods?labelSelector=app%3Dweb`);
      pod = l.body.items?.find((p: any) => p.status?.phase === 'Running')?.metadata.name;
      if (!pod) await new Promise((res) => setTimeout(res, 20));
    }
    if (!pod) throw new Error('no pod ran');
    if (PARTS.has('get')) {
      const armAuth = { authorization: `Bearer ${client.token}` };
      const kubeAuth = { authorization: `Bearer ${c1.token}` };
      const armGet = () => load({ url: emu.url, method: 'GET', concurrency: CONCURRENCY, seconds: SECONDS, ca, headers: armAuth, path: () => rgPath, expect: [200] });
      const kubeGet = () =>
        load({ url: emu.url, method: 'GET', concurrency: CONCURRENCY, seconds: SECONDS, ca, headers: kubeAuth, path: () => `${c1.prefix}/api/v1/namespaces/default/pods/${pod}`, expect: [200] });
      await armGet();
      await kubeGet();
      const arm: number[] = [];
      const kube: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const a = await armGet();
        const k = await kubeGet();
        if (a.errors || k.errors) throw new Error(`unexpected answers: ${a.errors} ARM, ${k.errors} kube`);
        arm.push(a.perSecond);
        kube.push(k.perSecond);
      }
      const ratio = median(kube) / median(arm);
      out.armGetResourceGroupRps = median(arm);
      out.kubeGetPodRps = median(kube);
      out['kubeGetPod/armGetResourceGroup'] = ratio;
      targets.push(`kube-API GET of a pod / ARM GET of a resource group: ${ratio.toFixed(2)} (goal >= ${TARGET_RATIO}): ${verdict(ratio >= TARGET_RATIO)}`);
    }

    // 2. 500 replicas: from the scale request until every pod is bound to a node.
    if (PARTS.has('schedule')) {
      const t0 = process.hrtime.bigint();
      const cpu0 = cpuSeconds(emu.child.pid);
      const sc = await kubeCall(
        emu.url,
        ca,
        agent,
        c1.token,
        'PATCH',
        `${c1.prefix}/apis/apps/v1/namespaces/default/deployments/web/scale`,
        { spec: { replicas: 500 } },
        'application/merge-patch+json',
      );
      if (sc.status !== 200) throw new Error(`scale answered ${sc.status}: ${JSON.stringify(sc.body)}`);
      // Polled cheaply (one-item pages give the counts), so the measurement does not load the emulator with lists
      // of 500 pods.
      for (;;) {
        const page = await kubeCall(emu.url, ca, agent, c1.token, 'GET', `${c1.prefix}/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=1`);
        const total = (page.body.items?.length ?? 0) + Number(page.body.metadata?.remainingItemCount ?? 0);
        const pending = await kubeCall(emu.url, ca, agent, c1.token, 'GET', `${c1.prefix}/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3D&limit=1`);
        const unbound = (pending.body.items?.length ?? 0) + Number(pending.body.metadata?.remainingItemCount ?? 0);
        if (total >= 500 && unbound === 0) break;
        if (Number(process.hrtime.bigint() - t0) / 1e9 > 120) throw new Error(`pods not all scheduled after 120 s (${total} made, ${unbound} pending)`);
        await new Promise((res) => setTimeout(res, 20));
      }
      const scheduleSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      out.schedule500ReplicasSeconds = scheduleSeconds;
      // CPU the emulator spent meanwhile (its polling answers included): the figure load on the machine does not inflate.
      out.schedule500ReplicasEmulatorCpuSeconds = cpuSeconds(emu.child.pid) - cpu0;
      targets.push(`scheduling a 500-replica deployment: ${scheduleSeconds.toFixed(2)} s (goal <= ${TARGET_SCHEDULE_S} s): ${verdict(scheduleSeconds <= TARGET_SCHEDULE_S)}`);
    }
    await kubeCall(emu.url, ca, agent, c1.token, 'DELETE', `${c1.prefix}/apis/apps/v1/namespaces/default/deployments/web`);
    // The memory part starts once that teardown is over (its pods gone), so it measures only its own clusters.
    for (let i = 0; i < 600; i++) {
      const page = await kubeCall(emu.url, ca, agent, c1.token, 'GET', `${c1.prefix}/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=1`);
      if (!(page.body.items ?? []).length) break;
      await new Promise((res) => setTimeout(res, 100));
    }

    // 3. Many clusters, PODS pods in all: RSS growth.
    if (PARTS.has('memory')) {
      const rss0 = rssMB(emu.child.pid);
      const perCluster = Math.ceil(PODS / CLUSTERS);
      const made: { prefix: string; token: string }[] = [];
      for (let i = 0; i < CLUSTERS; i++) {
        const c = await cluster(client, 'kbench', `m${i}`, 1);
        await kubeCall(emu.url, ca, agent, c.token, 'POST', `${c.prefix}/apis/apps/v1/namespaces/default/deployments`, deployment('app', perCluster));
        made.push(c);
      }
      let running = 0;
      for (let tries = 0; tries < 600 && made.length; tries++) {
        running = 0;
        // Counted with one-item pages (the rest is remainingItemCount): whole lists of every cluster's pods every
        // 200 ms would fill the emulator's heap with the bench's own answers.
        for (const c of made) {
          const l = await kubeCall(emu.url, ca, agent, c.token, 'GET', `${c.prefix}/api/v1/namespaces/default/pods?labelSelector=app%3Dapp&fieldSelector=status.phase%3DRunning&limit=1`);
          running += (l.body.items?.length ?? 0) + Number(l.body.metadata?.remainingItemCount ?? 0);
        }
        if (running >= perCluster * CLUSTERS) break;
        await new Promise((res) => setTimeout(res, 200));
      }
      const rss1 = rssMB(emu.child.pid);
      if (process.env.KUBE_BENCH_SNAPSHOT) {
        emu.child.kill('SIGUSR2');
        await new Promise((res) => setTimeout(res, 30_000));
      }
      const growth = rss1 - rss0;
      out.clusters = CLUSTERS;
      out.runningPods = running;
      out.rssGrowthMB = growth;
      const scaled = CLUSTERS === 50 && PODS === 2000 ? '' : ` (measured with ${CLUSTERS} clusters, ${PODS} pods: not the target's size)`;
      targets.push(`emulator RSS growth, 50 clusters with 2,000 pods in all: ${growth.toFixed(0)} MB (goal <= ${TARGET_RSS_MB} MB): ${verdict(growth <= TARGET_RSS_MB && !scaled)}${scaled}`);
    }
    client.close();
    out['load average at end (1, 5, 15 min)'] = loadAverage();
    targets.forEach((t, i) => (out[`target ${i + 1}`] = t));
    return out;
  } finally {
    agent.destroy();
    // Its store is removed below: wait until it has shut down.
    await emu.stop();
    tls.remove();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchKube().then(
    (r) => {
      for (const [k, v] of Object.entries(r)) console.log(`${k}: ${typeof v === 'number' ? v.toFixed(3) : v}`);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
