// At scale: 100,000 resource groups plus a mix of AKS clusters (with a second pool each, their node resource
// groups and infrastructure) and generic resources (identities, virtual networks, storage accounts), built
// through the real HTTPS front door into an emulator in its own process (durable store, fsync on,
// --time-scale 0). Then: its memory, its data directory, the first page of the resource-group list, how long
// the heaviest reads hold the event loop (a probe request every 20 ms measures it from outside), and two
// restarts (a clean stop, and kill -9 with a journal tail to replay): time to first answer and memory after.
// Every time is beside a baseline measured in the same run (a bare Express HTTPS server started the same way,
// the same probe against an idle emulator).
//
//   npm run bench scale            (BENCH_SCALE_GROUPS=20000 for a smaller run)
import path from 'node:path';
import os from 'node:os';
import https from 'node:https';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from './load.js';
import { armClient, type BenchClient } from './client.js';
import { freePort, rssMB, timeStart, tokenFrom } from './startup.js';
import { LoopProbe } from '../test/support/loop.js';
import { WELL_KNOWN } from '../src/config/config.js';
import { JournalStore } from '../src/store/store.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, '../src/main.js');
const SUB = WELL_KNOWN.subscriptionId;
const GROUPS = Number(process.env.BENCH_SCALE_GROUPS ?? 100_000);
const CLUSTERS = Math.max(2, Math.round(GROUPS / 2000)); // 50 at 100,000 groups
const GENERIC = Math.round(GROUPS / 20); // 5,000 at 100,000 groups
const RV = 'api-version=2021-04-01';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** 'met' or 'MISSED' against an upper bound. */
const goal = (v: number, max: number) => `goal <= ${max}: ${v <= max ? 'met' : 'MISSED'}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Emu {
  child: ChildProcess;
  url: string;
}

let PORT = '0';
function startEmu(dir: string): Promise<Emu & { ms: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN, '--port', PORT, '--quiet', '--time-scale', '0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], ms: performance.now() - t0 });
    });
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}`)));
  });
}
async function stop(e: Emu, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const gone = new Promise((r) => e.child.once('exit', r));
  e.child.kill(signal);
  await gone;
}

/** ms of one GET (a fresh connection per request is not what clients do: keep-alive agent). */
function timedGet(agent: https.Agent, url: string, headers: Record<string, string> = {}): Promise<{ ms: number; status: number; body: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    https
      .get(url, { agent, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** Probes GET /metadata/endpoints every 20 ms while `work` runs; the worst probe is how long the loop was held. */
async function probeDuring<T>(url: string, ca: string, work: () => Promise<T>, everyMs = 20): Promise<{ result: T; workMs: number; worstProbeMs: number; probes: number }> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
  let done = false;
  let worst = 0;
  let probes = 0;
  const prober = (async () => {
    while (!done) {
      const r = await timedGet(agent, `${url}/metadata/endpoints?api-version=2022-09-01`);
      worst = Math.max(worst, r.ms);
      probes++;
      await sleep(everyMs);
    }
  })();
  await sleep(60);
  const t0 = performance.now();
  const result = await work();
  const workMs = performance.now() - t0;
  await sleep(60);
  done = true;
  await prober;
  agent.destroy();
  return { result, workMs, worstProbeMs: worst, probes };
}

async function waitSucceeded(c: BenchClient, paths: string[], apiVersion: string): Promise<void> {
  for (const p of paths) {
    for (let i = 0; ; i++) {
      const r = await c.call('GET', `${p}?api-version=${apiVersion}`);
      const state = r.body?.properties?.provisioningState;
      if (state === 'Succeeded') break;
      if (state === 'Failed' || i > 3000) throw new Error(`${p}: ${state ?? r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      await sleep(20);
    }
  }
}

/** Seconds probed right after a restart. */
const AFTER_START_S = 5;
/** Seconds of idleness before memory is read "idle". */
const IDLE_S = 30;
async function idleRss(pid: number | undefined): Promise<number> {
  await sleep(IDLE_S * 1000);
  return rssMB(pid);
}

const du = (dir: string) => Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]) / 1024;

export async function benchScale(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  PORT = String(await freePort()); // one port for every start: tokens name it
  const out: Record<string, number | string> = { groups: GROUPS, clusters: `${CLUSTERS} (2 pools each)`, genericResources: GENERIC, loadAverageAtStart: os.loadavg()[0].toFixed(2) };
  let emu = await startEmu(dir);
  const cert = path.join(dir, 'cert.pem');
  const ca = readFileSync(cert, 'utf8');
  try {
    const c = await armClient(emu.url, ca);
    const auth = { authorization: `Bearer ${c.token}` };
    // ---- build -----------------------------------------------------------------------------------
    const t0 = performance.now();
    const rg = (i: number) => `/subscriptions/${SUB}/resourcegroups/scale-${i}?${RV}`;
    const built = await load({
      url: emu.url,
      method: 'PUT',
      concurrency: 16,
      seconds: 3600,
      maxRequests: GROUPS,
      ca,
      headers: auth,
      path: rg,
      body: (i) => JSON.stringify({ location: 'eastus', tags: { bench: 'scale', n: String(i) } }),
      expect: [201],
    });
    if (built.errors) throw new Error(`building groups: ${built.errors} errors`);
    out.buildGroupsPerSecond = Math.round(built.perSecond);
    // clusters with a second pool, in the first groups; generic resources spread over the groups
    const clusterPath = (i: number) => `/subscriptions/${SUB}/resourceGroups/scale-${i}/providers/Microsoft.ContainerService/managedClusters/aks${i}`;
    const clusterBody = (i: number) => ({
      location: 'eastus',
      properties: {
        dnsPrefix: `aks${i}`,
        agentPoolProfiles: [{ name: 'system', count: 1, vmSize: 'Standard_DS2_v2', mode: 'System', type: 'VirtualMachineScaleSets', osType: 'Linux' }],
        servicePrincipalProfile: { clientId: WELL_KNOWN.clientId, secret: WELL_KNOWN.clientSecret },
        networkProfile: { networkPlugin: 'kubenet', loadBalancerSku: 'standard' },
      },
    });
    const AKS = '2024-01-01';
    const clusters = Array.from({ length: CLUSTERS }, (_, i) => clusterPath(i));
    for (let i = 0; i < CLUSTERS; i += 8) {
      await Promise.all(
        clusters.slice(i, i + 8).map(async (p, j) => {
          const r = await c.call('PUT', `${p}?api-version=${AKS}`, clusterBody(i + j));
          if (r.status !== 201 && r.status !== 200) throw new Error(`cluster PUT ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
        }),
      );
    }
    await waitSucceeded(c, clusters, AKS);
    const pools = clusters.map((p) => `${p}/agentPools/user1`);
    for (let i = 0; i < pools.length; i += 8) {
      await Promise.all(
        pools.slice(i, i + 8).map(async (p) => {
          const r = await c.call('PUT', `${p}?api-version=${AKS}`, { properties: { count: 1, vmSize: 'Standard_DS2_v2', mode: 'User', type: 'VirtualMachineScaleSets', osType: 'Linux' } });
          if (r.status !== 201 && r.status !== 200) throw new Error(`pool PUT ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
        }),
      );
    }
    await waitSucceeded(c, pools, AKS);
    const generic = (i: number) => {
      const g = `/subscriptions/${SUB}/resourceGroups/scale-${(i * 7) % GROUPS}/providers`;
      switch (i % 3) {
        case 0:
          return { path: `${g}/Microsoft.ManagedIdentity/userAssignedIdentities/id${i}?api-version=2023-01-31`, body: { location: 'eastus' } };
        case 1:
          return { path: `${g}/Microsoft.Network/virtualNetworks/vnet${i}?api-version=2023-09-01`, body: { location: 'eastus', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } } } };
        default:
          return { path: `${g}/Microsoft.Storage/storageAccounts/st${i}?api-version=2023-01-01`, body: { location: 'eastus', kind: 'StorageV2', sku: { name: 'Standard_LRS' } } };
      }
    };
    const gen = await load({
      url: emu.url,
      method: 'PUT',
      concurrency: 16,
      seconds: 3600,
      maxRequests: GENERIC,
      ca,
      headers: auth,
      path: (i) => generic(i).path,
      body: (i) => JSON.stringify(generic(i).body),
      expect: [200, 201, 202],
    });
    if (gen.errors) throw new Error(`building generic resources: ${gen.errors} errors`);
    out.buildSeconds = Math.round((performance.now() - t0) / 1000);
    const count = (await c.call('GET', `/_emulator/dashboard/state`)).body?.subscriptions?.[0];
    out.stored = count ? `${count.resourceGroupCount} groups, ${count.resourceCount} subscription-level resources` : 'n/a';
    c.close();

    // ---- after loading: at once, and once idle (V8 gives back what the build left behind when idle) ---------
    {
      const now = rssMB(emu.child.pid);
      // probed every 100 ms meanwhile (rarely enough to leave the process idle): the emulator gives memory back
      // once idle in one collection, and this is how long that holds the loop
      const idled = await probeDuring(emu.url, ca, () => idleRss(emu.child.pid), 100);
      out.rssAfterLoadingMB = `${idled.result.toFixed(0)} after ${IDLE_S} s idle (${goal(idled.result, 250)}); ${now.toFixed(0)} at once`;
      out.idleReclaimHoldMs = `${idled.worstProbeMs.toFixed(0)} (worst probe while idle: the collection that gives memory back, once after a burst)`;
    }
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
    const listUrl = `${emu.url}/subscriptions/${SUB}/resourcegroups?${RV}`;
    const firstPage = async (url: string) => {
      const times: number[] = [];
      for (let i = 0; i < 21; i++) {
        const r = await timedGet(agent, url, auth);
        if (r.status !== 200 || JSON.parse(r.body).value.length !== 100) throw new Error(`list ${r.status} ${r.body.slice(0, 200)}`);
        times.push(r.ms);
      }
      return times;
    };
    const bareTimes = await (async () => {
      const bare = await startBare(cert, path.join(dir, 'key.pem'));
      try {
        const a = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
        const ts: number[] = [];
        for (let i = 0; i < 21; i++) ts.push((await timedGet(a, `${bare.url}/x`)).ms);
        a.destroy();
        return ts;
      } finally {
        await stop(bare);
      }
    })();
    const listed = await firstPage(listUrl);
    out.firstPageMs = `${median(listed).toFixed(1)} median of 21 (${goal(median(listed), 20)}; worst ${Math.max(...listed).toFixed(1)})`;
    out.bareRequestMs = `${median(bareTimes).toFixed(1)} (the same GET loop against a bare Express HTTPS server: ratio ${(median(listed) / median(bareTimes)).toFixed(1)})`;
    out.dataDirMB = du(dir).toFixed(0);

    // ---- how long the heaviest reads hold the event loop -------------------------------------------
    const idle = await probeDuring(emu.url, ca, () => sleep(1000));
    out.probeIdleWorstMs = idle.worstProbeMs.toFixed(1);
    const heavy: [string, string][] = [
      ['filteredListOfAllGroups', `${emu.url}/subscriptions/${SUB}/resourcegroups?${RV}&$filter=${encodeURIComponent("tagName eq 'absent'")}`],
      ['genericListFiltered', `${emu.url}/subscriptions/${SUB}/resources?${RV}&$filter=${encodeURIComponent("resourceType eq 'Microsoft.Storage/storageAccounts'")}&$top=1000`],
      ['dashboardStateWithGroups', `${emu.url}/_emulator/dashboard/state?resourceGroups=true`],
    ];
    const holds: number[] = [];
    for (const [name, url] of heavy) {
      const a = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
      const p = await probeDuring(emu.url, ca, () => timedGet(a, url, auth));
      a.destroy();
      if (p.result.status !== 200) throw new Error(`${name}: ${p.result.status} ${p.result.body.slice(0, 200)}`);
      out[`${name}Ms`] = `${p.workMs.toFixed(0)} (worst probe meanwhile ${p.worstProbeMs.toFixed(1)} ms, ${p.probes} probes)`;
      holds.push(p.worstProbeMs);
    }
    agent.destroy();

    // ---- restarts ----------------------------------------------------------------------------------
    const token = await tokenFrom(emu.url, ca);
    const stopT0 = performance.now();
    await stop(emu); // a clean stop folds the journal into a snapshot
    out.cleanStopMs = (performance.now() - stopT0).toFixed(0);
    out.dataDirAfterStopMB = du(dir).toFixed(0);
    const restarts: string[] = [];
    const restartFirst: number[] = [];
    for (const kind of ['clean', 'after kill -9'] as const) {
      const bp = await freePort();
      const bare = await timeStart(path.join(here, 'bare-server.js'), [cert, path.join(dir, 'key.pem'), String(bp)], () => cert, { port: bp });
      const started = await timeStart(MAIN, ['--port', PORT, '--quiet', '--time-scale', '0', '--data-dir', dir], () => cert, {
        port: Number(PORT),
        idle: true,
        arm: { path: `/subscriptions/${SUB}/resourcegroups/scale-5?${RV}`, token },
      });
      restartFirst.push(started.firstAnswerMs);
      restarts.push(
        `${kind}: first answer ${started.firstAnswerMs.toFixed(0)} ms (bare server ${bare.firstAnswerMs.toFixed(0)} ms, ratio ${(started.firstAnswerMs / bare.firstAnswerMs).toFixed(2)}), ready (state loaded, every request served) ${started.readyMs.toFixed(0)} ms, first authenticated GET ${started.firstArmMs!.toFixed(0)} ms, process CPU to the first answer ${started.cpuMs.toFixed(0)} ms and to ready ${started.cpuReadyMs.toFixed(0)} ms, RSS ${started.idleRssMB!.toFixed(0)} MB after ${25} s idle`,
      );
      if (kind === 'clean') {
        // leave a journal tail (10,000 writes) and kill -9 for the second restart
        emu = await startEmu(dir);
        const w = await load({
          url: emu.url,
          method: 'PUT',
          concurrency: 16,
          seconds: 3600,
          maxRequests: Math.min(10_000, GROUPS),
          ca,
          headers: { authorization: `Bearer ${token}` },
          path: (i) => rg(i),
          body: (i) => JSON.stringify({ location: 'eastus', tags: { bench: 'scale', n: String(i), round: '2' } }),
          expect: [200],
        });
        if (w.errors) throw new Error(`rewrites: ${w.errors} errors`);
        await stop(emu, 'SIGKILL');
      }
    }
    out.restart = restarts.join('; ');
    out.restartFirstAnswer = `${Math.max(...restartFirst).toFixed(0)} ms, the slower of the two restarts (goal <= 1000: ${Math.max(...restartFirst) <= 1000 ? 'met' : 'MISSED'})`;
    // after the last restart: the loop in the first seconds (what start-up leaves running), the first page
    // again, and memory with the page read
    emu = await startEmu(dir);
    const afterStart = await probeDuring(emu.url, ca, () => sleep(AFTER_START_S * 1000));
    const a2 = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
    const after: number[] = [];
    for (let i = 0; i < 21; i++) after.push((await timedGet(a2, listUrl, { authorization: `Bearer ${token}` })).ms);
    a2.destroy();
    out.firstPageAfterRestartMs = `${median(after).toFixed(1)} (${goal(median(after), 20)}; worst ${Math.max(...after).toFixed(1)}; the first one ${after[0].toFixed(1)})`;
    {
      const now = rssMB(emu.child.pid);
      const idleMB = await idleRss(emu.child.pid);
      out.rssAfterRestartMB = `${idleMB.toFixed(0)} after ${IDLE_S} s idle (${goal(idleMB, 250)}); ${now.toFixed(0)} at once`;
    }
    await stop(emu);
    // the store alone, in this process: how long loading takes, and how long writing a snapshot holds the loop
    const t1 = performance.now();
    const store = await JournalStore.open({ dir });
    const loadMs = performance.now() - t1;
    // the main thread's own CPU in each gap between 2 ms ticks (what the write held the loop for) beside the
    // wall-clock gap (what a client waits: on a loaded machine mostly time the machine gave to other processes)
    const probe = new LoopProbe(2);
    probe.start();
    const t2 = performance.now();
    await store.compact();
    const compactMs = performance.now() - t2;
    const held = probe.stop();
    await store.close({ snapshot: false });
    out.storeLoadMs = loadMs.toFixed(0);
    out.snapshotWrite = `${compactMs.toFixed(0)} ms, event loop held at most ${held.maxHeldMs.toFixed(1)} ms of its own CPU at a time (${goal(held.maxHeldMs, 100)}; ${held.maxHeldGcMs.toFixed(1)} ms of it collecting garbage); longest wall-clock gap ${held.maxWallGapMs.toFixed(1)} ms at load ${os.loadavg()[0].toFixed(1)}`;
    const worst = Math.max(...holds, afterStart.worstProbeMs);
    out.worstProbeMs = `${heavy.map(([name], i) => `${name} ${holds[i].toFixed(0)}`).join(', ')}, the first ${AFTER_START_S} s after a restart ${afterStart.worstProbeMs.toFixed(0)}: worst ${worst.toFixed(0)} (${goal(worst, 100)})`;
    out.loadAverageAtEnd = os.loadavg()[0].toFixed(2);
    return out;
  } finally {
    if (emu.child.exitCode === null) await stop(emu, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startBare(cert: string, key: string): Promise<Emu> {
  const child = spawn(process.execPath, [path.join(here, 'bare-server.js'), cert, key], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => {
    let o = '';
    child.stdout!.on('data', (d) => {
      o += d;
      const m = /listening on (https?:\/\/\S+)/.exec(o);
      if (m) resolve(m[1]);
    });
  });
  return { child, url };
}
