// README.md's code blocks, run as a user would run them, so they cannot rot.
//
// Every sh / js / mjs / ts / py block in the README carries a marker comment just before it:
// `<!-- readme-test: NAME -->` (run here) or `<!-- readme-test: skip (why) -->`. This test fails on an
// unmarked block. It starts the emulator with the README's own `npm start` (in this checkout, with
// ARM_EMULATOR_PORT=0 and a temporary data dir), then runs each client block with bash in a temporary
// "clone" folder holding that data dir as `.arm-emulator`, the way a user runs them from the emulator's
// folder; the only change made to a block is the port (8443 -> the emulator's, 8444 -> a free one), so
// parallel test runs on one machine do not collide. The JS block runs `npm install` for real (from the
// npm cache when it can). Everything is created under one temporary folder, removed at the end.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { mergeConfigFile, parseConfig } from '../src/config/config.js';
import { parseSites } from '../src/fabric/sites.js';
import { ensureAz } from './support/az.js';
import { tmpDir } from './support/emulator.js';
import { criticalPathMs } from './support/time.js';

const ROOT = process.cwd();
const RUNNABLE = new Set(['sh', 'bash', 'shell', 'js', 'mjs', 'ts', 'py', 'python']);

interface Block {
  line: number;
  lang: string;
  code: string;
  /** The marker's name ('skip' for blocks not run), undefined when unmarked. */
  marker?: string;
}

export function readmeBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const out: Block[] = [];
  let lastText = '';
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) {
      if (lines[i].trim() !== '') lastText = lines[i].trim();
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    const marker = /^<!--\s*readme-test:\s*([\w-]+)/.exec(lastText)?.[1];
    out.push({ line: start + 1, lang: open[1], code: body.join('\n'), marker });
    lastText = '';
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

/** The environment a user's fresh terminal has, without the test's own trust and az settings. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['AZURE_CONFIG_DIR', 'REQUESTS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS', 'ARM_EMULATOR_PORT', 'ARM_EMULATOR_DATA_DIR']) delete env[k];
  return {
    ...env,
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
    AZURE_CORE_NO_COLOR: 'true',
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a block with bash (set -e: the first failing command fails the block), in its own process group. */
function runBlock(code: string, cwd: string, timeoutMs: number, env = userEnv()): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `set -e\n${code}`], { cwd, env, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => killGroup(child), timeoutMs);
    // 'exit', not 'close': a process the block left in the background would hold the pipes open.
    child.on('exit', (c) => {
      clearTimeout(timer);
      killGroup(child); // whatever the block left in the background
      const done = () => resolve({ code: c, stdout, stderr });
      child.on('close', done);
      setTimeout(done, 2_000);
    });
  });
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

function getJson(url: string, ca: Buffer): Promise<any> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${url}: ${res.statusCode} ${body}`))));
      })
      .on('error', reject);
  });
}

describe('README.md: every block a user would copy runs as shown', function () {
  this.timeout(600_000);
  const blocks = readmeBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const named = (name: string) => blocks.filter((b) => b.marker === name);
  let work: string;
  let clone: string;
  let emulator: ChildProcess | undefined;
  let port = 0;
  let banner = '';

  const show = (b: Block, r: Run) => `README.md:${b.line} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  const run = async (name: string, timeoutMs = 300_000): Promise<string> => {
    const [b, ...more] = named(name);
    assert.ok(b, `README.md has a '${name}' block`);
    assert.equal(more.length, 0, `one '${name}' block`);
    const r = await runBlock(b.code.replaceAll('localhost:8443', `localhost:${port}`), clone, timeoutMs);
    assert.equal(r.code, 0, show(b, r));
    return r.stdout;
  };

  it('marks every code block a user would run: run by this test or skipped with a reason', () => {
    const unmarked = blocks.filter((b) => RUNNABLE.has(b.lang) && !b.marker);
    assert.deepEqual(unmarked.map((b) => `README.md:${b.line}`), []);
    const known = new Set(['skip', 'start', 'config', 'az', 'az-hub', 'js', 'python', 'admin']);
    for (const b of blocks) if (b.marker) assert.ok(known.has(b.marker), `README.md:${b.line}: unknown marker '${b.marker}'`);
    for (const name of ['start', 'az', 'az-hub', 'js', 'python', 'admin']) assert.ok(named(name).length > 0, `a '${name}' block`);
  });

  it('the configuration examples are accepted', () => {
    const configs = named('config');
    assert.equal(configs.length, 2);
    for (const b of configs) {
      const json = JSON.parse(b.code);
      const cfg = mergeConfigFile(parseConfig([], {}), json);
      if (json.subscriptions) assert.equal(cfg.subscriptions.length, 2);
      if (json.sites) assert.ok(parseSites(json).some((s) => s.name === 'branch-7'));
    }
  });

  describe('against the emulator the quick start starts', () => {
    before(async function () {
      ensureAz();
      work = tmpDir('readme-');
      clone = path.join(work, 'arm-hybrid-k8s-emulator');
      mkdirSync(clone);
      const [start] = named('start');
      emulator = spawn('bash', ['-c', start.code], {
        cwd: ROOT,
        env: userEnv({ ARM_EMULATOR_PORT: '0', ARM_EMULATOR_DATA_DIR: path.join(clone, '.arm-emulator') }),
        detached: true,
      });
      let err = '';
      emulator.stderr!.on('data', (d) => (err += d));
      port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start printed no banner in 120 s:\n${banner}\n${err}`)), 120_000);
        emulator!.stdout!.on('data', (d) => {
          banner += d;
          const m = /listening on https:\/\/localhost:(\d+)/.exec(banner);
          if (m && /secret:/.test(banner)) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        emulator!.on('exit', (c) => reject(new Error(`npm start exited ${c}:\n${banner}\n${err}`)));
      });
    });
    after(() => {
      if (emulator) killGroup(emulator);
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('npm start prints the banner with the fast default time scale', () => {
      assert.match(banner, /time scale:\s+0\.01\s+\(fast: long-running operations finish in about a second; --time-scale 1 for real durations\)/);
      assert.match(banner, /CA cert:\s+\S+\.arm-emulator\/cert\.pem/);
    });

    it('az, default profile: a cluster, its node resource group with its infrastructure, admin credentials named <cluster>-admin', async () => {
      const out = await run('az');
      assert.match(out, /MC_demo_aks1_eastus/);
      assert.match(out, /Microsoft\.Compute\/virtualMachineScaleSets/);
      assert.match(out, /Microsoft\.Network\/loadBalancers/);
      assert.match(out, /current-context: aks1-admin$/m);
      // kubectl against the cluster's own Kubernetes API: the scale set's VMs are Ready nodes, a deployment rolls out.
      assert.match(out, /^aks-nodepool1-[0-9a-f]{8}-vmss000002\s+Ready\s+agent\s/m);
      assert.match(out, /deployment "web" successfully rolled out/);
      // az aks create at the default settings: its plan takes about a second of simulated time (under 10 s)
      const ca = readFileSync(path.join(clone, '.arm-emulator', 'cert.pem'));
      const base = `https://localhost:${port}/_emulator`;
      const { timeScale } = await getJson(`${base}/operations/time-scale`, ca);
      const ops = (await getJson(`${base}/operations`, ca)).value.filter((o: any) => /managedClusters\/aks1$/i.test(o.resourceId ?? '') && o.kind === 'create');
      assert.equal(ops.length, 1, JSON.stringify(ops));
      const op = await getJson(`${base}/operations/${ops[0].id}`, ca);
      const simulatedMs = criticalPathMs(op.tasks) * timeScale;
      assert.ok(simulatedMs < 10_000, `az aks create takes ${simulatedMs} ms of simulated time at time scale ${timeScale}`);
    });

    it('az, Hub profile: a stamp cluster and what the stamp creates in its node resource group', async () => {
      const out = await run('az-hub');
      assert.match(out, /Microsoft\.Compute\/virtualMachines\b/);
      assert.match(out, /Microsoft\.Compute\/availabilitySets/);
      assert.match(out, /k8s-master-lb-\d{8}/);
      assert.match(out, /apiVersion: v1/);
    });

    it('JavaScript: a standalone project with the install line and demo.mjs', async () => {
      const out = await run('js');
      assert.match(out, /^jsaks Succeeded MC_jsdemo_jsaks_eastus$/m);
      assert.match(out, /Microsoft\.Compute\/virtualMachineScaleSets/);
      assert.match(out, /^deleted$/m);
    });

    it("Python: Debian's python3-azure with instance_discovery=False", async () => {
      const out = await run('python');
      assert.match(out, /^pyaks Succeeded MC_pydemo_pyaks_eastus$/m);
      assert.match(out, /^deleted$/m);
    });

    it('the admin API examples, on a second emulator that does not collide with the first', async () => {
      const admin = named('admin');
      const second = await freePort();
      const script = admin.map((b) => b.code).join('\n').replaceAll('localhost:8444', `localhost:${second}`).replaceAll('--port 8444', `--port ${second}`);
      assert.ok(!script.includes('8443'), 'the admin examples do not use the first emulator’s port');
      const r = await runBlock(script, ROOT, 180_000);
      assert.equal(r.code, 0, show(admin[0], r));
      assert.match(r.stdout, /"status":"Healthy"/);
      assert.match(r.stdout, /"disconnectedSites":\["hci-site-1"\]/);
      assert.match(r.stdout, /"host":"hci-site-1-host-01"/);
      assert.match(r.stdout, /"rules"/);
    });
  });
});
