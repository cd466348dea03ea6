// Does an open dashboard page slow the emulator down? The headline is direct: how many requests the real page
// (headless chromium) sends while the emulator is under load, times the emulator CPU one of them costs, as a
// share of one core. Beside it, authenticated GETs and PUTs of resource groups (emulator in its own process,
// durable store with fsync, 16 connections) in alternating rounds without a page, with a page as the server
// sees it (the live feed open and the state re-read on every change event, as app.js does) and with the real
// page open; medians of the rounds, and the noise between two sets of rounds without a page to compare with.
import https from 'node:https';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { load } from './load.js';
import { benchTls, cpuSeconds, startEmulator } from './process.js';
import { armClient } from './client.js';
import { WELL_KNOWN } from '../src/config/config.js';
// The same browser and flags as the dashboard's browser test (chromium is not installed here if missing).
import { CHROMIUM, CHROMIUM_FLAGS } from '../test/support/browser.js';

const SUB = WELL_KNOWN.subscriptionId;
const CONCURRENCY = 16;
const SECONDS = 2;
const ROUNDS = 6;

/** The server-side load of an open page: the event stream, and a state read after each change event. */
function pageAsServerSeesIt(url: string, ca: string): { reads: () => number; close: () => void } {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 2, ca });
  let reads = 0;
  let closed = false;
  let busy = false;
  const readState = () => {
    if (busy || closed) return;
    busy = true;
    https
      .get(`${url}/_emulator/dashboard/state`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          reads++;
          busy = false;
        });
      })
      .on('error', () => (busy = false));
  };
  const stream = https.get(`${url}/_emulator/dashboard/events`, { agent }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (chunk.includes('event: change')) readState();
    });
  });
  stream.on('error', () => undefined);
  return {
    reads: () => reads,
    close: () => {
      closed = true;
      stream.destroy();
      agent.destroy();
    },
  };
}

interface Series {
  get: number[];
  put: number[];
  /** Emulator CPU per request (µs): what the page costs the emulator, whatever else the machine does. */
  getCpu: number[];
  putCpu: number[];
}
const series = (): Series => ({ get: [], put: [], getCpu: [], putCpu: [] });
/** CPU seconds used so far by every chromium process (the browser and its renderers). */
function chromiumCpu(): number {
  const pids = spawnSync('pgrep', ['-f', 'chromium'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return pids.reduce((n, pid) => n + (cpuSeconds(Number(pid)) || 0), 0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchDashboard(): Promise<Record<string, number | string>> {
  const tls = await benchTls('dashboard');
  const ca = tls.ca;
  const emu = await startEmulator('dashboard', tls);
  let browser: any;
  try {
    const client = await armClient(emu.url, ca);
    const auth = { authorization: `Bearer ${client.token}` };
    const rg = (name: string) => `/subscriptions/${SUB}/resourcegroups/${name}?api-version=2021-04-01`;
    const putBody = () => JSON.stringify({ location: 'eastus', tags: { bench: 'true' } });
    // Something for the page to show: 100 groups and a cluster on the Hub stamp.
    await load({ url: emu.url, method: 'PUT', concurrency: CONCURRENCY, seconds: 600, maxRequests: 100, ca, headers: auth, path: (i) => rg(`seed-${i}`), body: putBody, expect: [201] });
    const aks = `/subscriptions/${SUB}/resourceGroups/seed-0/providers/Microsoft.ContainerService/managedClusters/c1?api-version=2020-11-01`;
    const created = await client.call('PUT', aks, {
      location: 'local',
      properties: {
        dnsPrefix: 'c1',
        agentPoolProfiles: [{ name: 'nodepool1', count: 3, vmSize: 'Standard_DS2_v2', mode: 'System', type: 'VirtualMachineScaleSets' }],
        servicePrincipalProfile: { clientId: WELL_KNOWN.clientId, secret: WELL_KNOWN.clientSecret },
        networkProfile: { loadBalancerSku: 'basic' },
      },
    });
    if (created.status !== 201) throw new Error(`cluster create: ${created.status} ${JSON.stringify(created.body)}`);
    client.close();

    let putN = 0;
    const measure = async () => {
      const c0 = cpuSeconds(emu.child.pid);
      const get = await load({ url: emu.url, method: 'GET', concurrency: CONCURRENCY, seconds: SECONDS, ca, headers: auth, path: (i) => rg(`seed-${i % 100}`), expect: [200] });
      const c1 = cpuSeconds(emu.child.pid);
      const put = await load({ url: emu.url, method: 'PUT', concurrency: CONCURRENCY, seconds: SECONDS, ca, headers: auth, path: () => rg(`p-${putN++}`), body: putBody, expect: [201] });
      if (get.errors || put.errors) throw new Error(`unexpected responses: ${get.errors} GET, ${put.errors} PUT`);
      const c2 = cpuSeconds(emu.child.pid);
      return { get: get.perSecond, put: put.perSecond, getCpu: ((c1 - c0) / get.requests) * 1e6, putCpu: ((c2 - c1) / put.requests) * 1e6 };
    };
    await measure(); // warm-up

    // 'again' is a second round without a page: its ratio to 'none' is the run-to-run noise to compare with.
    type Mode = 'none' | 'again' | 'feed' | 'chromium';
    const modes: Mode[] = ['none', 'feed', 'again'];
    const chromiumPath = CHROMIUM;
    let page: any;
    if (existsSync(chromiumPath)) {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_FLAGS });
      modes.push('chromium');
    }
    const results: Record<Mode, Series> = { none: series(), again: series(), feed: series(), chromium: series() };
    let stateReads = 0;
    let pageRequests = 0;
    let pageSeconds = 0;
    let browserCpu = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts with another mode, so whatever the store does in the background after a burst of
      // writes (a snapshot, say) does not always fall on the same mode.
      for (const mode of [...modes.slice(round % modes.length), ...modes.slice(0, round % modes.length)]) {
        let feed: ReturnType<typeof pageAsServerSeesIt> | undefined;
        let context: any;
        if (mode === 'feed') feed = pageAsServerSeesIt(emu.url, ca);
        let counting = false;
        if (mode === 'chromium') {
          context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
          page = await context.newPage();
          page.on('request', (req: any) => {
            if (counting && !req.url().endsWith('/dashboard/events')) pageRequests++;
          });
          await page.goto(`${emu.url}/_emulator/`);
          await page.waitForSelector('[data-site="local"]', { timeout: 15_000 });
          // A new tab costs chromium a burst of CPU to start; measure the page open, not the opening.
          await new Promise((r) => setTimeout(r, 2000));
        }
        counting = true;
        const t0 = Date.now();
        const b0 = mode === 'chromium' ? chromiumCpu() : 0;
        const r = await measure();
        if (mode === 'chromium') {
          pageSeconds += (Date.now() - t0) / 1000;
          browserCpu += chromiumCpu() - b0;
        }
        counting = false;
        for (const k of ['get', 'put', 'getCpu', 'putCpu'] as const) results[mode][k].push(r[k]);
        if (feed) {
          stateReads += feed.reads();
          feed.close();
        }
        await context?.close();
      }
    }
    // What one state read costs the emulator, with everything the rounds stored (sequential reads, no other load).
    const reads = 200;
    const stateClient = await armClient(emu.url, ca, 1);
    const c0 = cpuSeconds(emu.child.pid);
    for (let i = 0; i < reads; i++) await stateClient.call('GET', '/_emulator/dashboard/state');
    const cpuPerState = ((cpuSeconds(emu.child.pid) - c0) / reads) * 1e6;
    const groups = (await stateClient.call('GET', '/_emulator/dashboard/state')).body.subscriptions[0].resourceGroupCount;
    stateClient.close();
    const out: Record<string, number | string> = {};
    if (modes.includes('chromium')) {
      const perSecond = pageRequests / pageSeconds;
      out['requests the open page sent per second during the load (chromium)'] = perSecond;
      out[`emulator CPU per state read (µs, ${groups} groups stored)`] = cpuPerState;
      out['share of one core the open page costs the emulator (target <= 0.02)'] = (perSecond * cpuPerState) / 1e6;
      out["share of one core chromium itself used meanwhile (the browser's cost, on the same 2 cores)"] = browserCpu / pageSeconds;
    } else {
      out[`emulator CPU per state read (µs, ${groups} groups stored)`] = cpuPerState;
      out['share of one core a page reading twice a second costs (target <= 0.02)'] = (2 * cpuPerState) / 1e6;
    }
    Object.assign(out, {
      'GET rg, no page (req/s, median)': median(results.none.get),
      'PUT rg, no page (req/s, median)': median(results.none.put),
      'noise: GET without a page, second set of rounds / first': median(results.again.get) / median(results.none.get),
      'noise: PUT without a page, second set of rounds / first': median(results.again.put) / median(results.none.put),
      'GET with the live feed open / without': median(results.feed.get) / median(results.none.get),
      'PUT with the live feed open / without': median(results.feed.put) / median(results.none.put),
      'emulator CPU per GET, no page / live feed open (µs, medians)': `${median(results.none.getCpu).toFixed(0)} / ${median(results.feed.getCpu).toFixed(0)}`,
      'emulator CPU per PUT, no page / live feed open (µs, medians)': `${median(results.none.putCpu).toFixed(0)} / ${median(results.feed.putCpu).toFixed(0)}`,
      'CPU noise: per GET, first rounds without a page / second rounds without': median(results.none.getCpu) / median(results.again.getCpu),
      'CPU noise: per PUT, first rounds without a page / second rounds without': median(results.none.putCpu) / median(results.again.putCpu),
      'CPU ratio GET no page / feed open': median(results.none.getCpu) / median(results.feed.getCpu),
      'CPU ratio PUT no page / feed open': median(results.none.putCpu) / median(results.feed.putCpu),
      'state reads by the feed client (all rounds)': stateReads,
    });
    if (modes.includes('chromium')) {
      out['GET with the page open in chromium / without'] = median(results.chromium.get) / median(results.none.get);
      out['PUT with the page open in chromium / without'] = median(results.chromium.put) / median(results.none.put);
      out['CPU ratio GET no page / chromium page open'] = median(results.none.getCpu) / median(results.chromium.getCpu);
      out['CPU ratio PUT no page / chromium page open'] = median(results.none.putCpu) / median(results.chromium.putCpu);
    } else {
      out['chromium'] = 'not installed: the real-page rounds were skipped';
    }
    out['throughput and CPU ratios'] = 'compare each with the noise rows: an open page should not move them further than two sets of rounds without one differ';
    return out;
  } finally {
    await browser?.close().catch(() => undefined);
    await emu.stop();
    tls.remove();
  }
}
