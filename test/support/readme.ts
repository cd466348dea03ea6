// README.md's code blocks, run as a user runs them, in the order they are written, so they cannot rot; the
// test files in test/readme/ call the two functions below (README_FILES says which file runs which sections).
//
// Every sh / js / mjs / ts / py block in the README carries a marker comment just before it:
// `<!-- readme-test: NAME -->` or `<!-- readme-test: skip (why) -->`; test/readme/blocks.test.ts fails on an
// unmarked block, and on a section no file runs. `start` is the quick start's `npm start` (the first terminal):
// each file runs it in its own clone (below) with ARM_EMULATOR_PORT=0. `config` blocks are configuration files,
// checked to parse. Every other named block is a copy-paste into the second terminal. Each section starts with
// `eval "$(npm run -s env)"` and stands alone but for the chains the README states (the quick start's cluster
// for by-hand and az; the Arc platform for the AKS hybrid sections and its teardown), so the sections are
// grouped into files that run in parallel (mocha's workers), each group against its own emulator, its blocks
// in README order in ONE bash session (variables, exports and the working directory carry from block to block,
// as in a terminal), opened in a temporary "clone" (the checkout's files linked into a fresh folder whose
// `.arm-emulator` is the emulator's data directory). `eval "$(npm run -s env)"` finds the emulator through the
// endpoint.json it wrote there, so the blocks run unchanged; the only edits are the two port variables a block
// may set (`ARM=https://localhost:8443`, `ADMIN_PORT=8444`), pointed at free ports so that parallel runs do
// not collide. A block that fails stops its session (set -e); the next block gets a fresh session, so one
// failure is reported once. HOME is a fresh folder too (aksarc's --generate-ssh-keys, Ansible's temp files),
// with the npm cache kept.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mergeConfigFile, parseConfig } from '../../src/config/config.js';
import { parseSites } from '../../src/fabric/sites.js';
import { ensureAnsible } from './ansible.js';
import { azPathEnv, ensureAz } from './az.js';
import { tmpDir } from './emulator.js';
import { criticalPathMs } from './time.js';

const ROOT = process.cwd();
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const RUNNABLE = new Set(['sh', 'bash', 'shell', 'js', 'mjs', 'ts', 'py', 'python']);
/** The second terminal's blocks, in README order; each must be there. */
export const CHAIN = ['quickstart', 'by-hand', 'az', 'az-hub', 'js', 'python', 'ansible', 'az-ops', 'arc', 'hybrid-aksarc', 'hybrid-rest', 'arc-teardown', 'templates', 'admin'];
/**
 * Which file of test/readme/ runs which sections of the second terminal (each file against an emulator of its
 * own, its sections in README order): a chain the README states stays in one file; the rest is spread so that
 * no file is much longer than the others, and so that a file's sections share az's profile (the first
 * `eval "$(npm run -s env)"` of a profile in a clone signs in and builds az's command index: seconds of CPU).
 * Together, every section of CHAIN once, in CHAIN's order.
 */
export const README_FILES: Record<string, string[]> = {
  quickstart: ['quickstart', 'by-hand', 'az'],
  hub: ['az-hub', 'admin'],
  sdks: ['js', 'python', 'az-ops', 'templates'],
  ansible: ['ansible'],
  arc: ['arc', 'hybrid-aksarc', 'hybrid-rest', 'arc-teardown'],
};
/** The one line of a block that may name a port, and what it becomes. */
const PORT_LINES: Record<string, RegExp> = { 'by-hand': /^ARM=https:\/\/localhost:8443\b/m, admin: /^ADMIN_PORT=8444\b/m };

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

/** Resolves true once nothing accepts connections on the port (polled, at most `ms`). */
async function portClosed(port: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const open = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (!open) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** The environment a user's fresh terminal has, without the test's own trust and az settings. */
function userEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(AZURE_|ARM_EMULATOR_|npm_|NODE_EXTRA_CA_CERTS$|REQUESTS_CA_BUNDLE$|CURL_CA_BUNDLE$|KUBECONFIG$|PYTHONPATH$|INIT_CWD$)/.test(k)) delete env[k];
  }
  return {
    ...env,
    HOME: home,
    npm_config_cache: process.env.npm_config_cache || path.join(os.homedir(), '.npm'),
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
    AZURE_CORE_NO_COLOR: 'true',
    ...extra,
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The session's working directory after the block. */
  cwd?: string;
}

/**
 * One bash session, like a terminal: each block is written to a file and sourced (stdin from /dev/null, so a
 * command that reads stdin cannot eat the next block) under `set -e`; a marker line after it says it finished
 * and where the session stands.
 */
class Session {
  private child: ChildProcess;
  private stdout = '';
  private stderr = '';
  private exited: number | null | undefined;
  private waiters: (() => void)[] = [];
  private n = 0;

  constructor(
    readonly cwd: string,
    readonly env: NodeJS.ProcessEnv,
    private readonly scratch: string,
  ) {
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const wake = () => this.waiters.splice(0).forEach((w) => w());
    this.child.stdout!.on('data', (d) => {
      this.stdout += d;
      wake();
    });
    this.child.stderr!.on('data', (d) => {
      this.stderr += d;
      wake();
    });
    this.child.on('exit', (c, sig) => {
      this.exited = c ?? (sig ? 128 : null);
      wake();
    });
  }

  private killed = false;

  get alive(): boolean {
    return this.exited === undefined && !this.killed;
  }

  async run(code: string, timeoutMs: number): Promise<Run> {
    const n = ++this.n;
    const file = path.join(this.scratch, `block-${n}.sh`);
    writeFileSync(file, `${code}\n`);
    const done = `__README_BLOCK_${n}_DONE__`;
    const out0 = this.stdout.length;
    const err0 = this.stderr.length;
    this.child.stdin!.write(`set -e; source ${file} < /dev/null; set +e; echo; echo "${done} $(pwd)"; echo "${done}" >&2\n`);
    const end = Date.now() + timeoutMs;
    for (;;) {
      const out = this.stdout.slice(out0);
      const at = out.indexOf(`${done} `);
      if (at >= 0 && this.stderr.slice(err0).includes(done)) {
        const cwd = out.slice(at + done.length + 1).split('\n')[0];
        return { code: 0, stdout: out.slice(0, at), stderr: this.stderr.slice(err0).replace(`${done}\n`, ''), cwd };
      }
      if (this.exited !== undefined) return { code: this.exited, stdout: out, stderr: this.stderr.slice(err0) };
      if (Date.now() > end) {
        this.kill();
        return { code: null, stdout: `${out}\n[timed out after ${timeoutMs / 1000} s]`, stderr: this.stderr.slice(err0) };
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The session and whatever it left in the background. */
  kill(): void {
    this.killed = true; // at once: the next block must not be written to a session that is going away
    killGroup(this.child);
  }
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

/** Resolves once no process of the child's group is left (at most 20 s). */
async function groupGone(child: ChildProcess): Promise<void> {
  for (let i = 0; i < 400 && child.pid; i++) {
    try {
      process.kill(-child.pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
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

/** A folder that looks like a fresh clone with `npm install` done: the checkout's files linked in, no state. */
function makeClone(dir: string): void {
  mkdirSync(dir);
  const state = new Set(['.git', '.arm-emulator', '.azure-emulator', '.azure-emulator-hub', '.test-tls', '.bench-data', 'test-output']);
  for (const e of readdirSync(ROOT)) if (!state.has(e) && !e.endsWith('.log')) symlinkSync(path.join(ROOT, e), path.join(dir, e));
}

const readme = () => readmeBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
const isChain = (b: Block) => !!b.marker && !['skip', 'start', 'config'].includes(b.marker);

/** The README's own checks: every block marked, the sections in order and each run by one file, the config examples. */
export function describeReadmeBlocks(): void {
  describe('README.md: every block a user would copy is marked, and run by one file of test/readme/', function () {
    const blocks = readme();
    const named = (name: string) => blocks.filter((b) => b.marker === name);
    const chain = blocks.filter(isChain);

    it('marks every code block a user would run: run by a test or skipped with a reason', () => {
      const unmarked = blocks.filter((b) => RUNNABLE.has(b.lang) && !b.marker);
      assert.deepEqual(
        unmarked.map((b) => `README.md:${b.line}`),
        [],
      );
      for (const name of ['start', ...CHAIN]) assert.ok(named(name).length > 0, `a '${name}' block`);
      const order = [...new Set(chain.map((b) => b.marker!))].filter((m) => CHAIN.includes(m));
      assert.deepEqual(order, CHAIN, "the second terminal's sections, in this order");
      assert.deepEqual(
        chain.filter((b) => !CHAIN.includes(b.marker!)).map((b) => `README.md:${b.line} (${b.marker})`),
        [],
        'a section no file runs',
      );
    });

    it('runs each section in exactly one file of test/readme/, in README order within it', () => {
      const all = Object.values(README_FILES).flat();
      assert.deepEqual([...all].sort(), [...CHAIN].sort(), 'every section once');
      for (const [file, sections] of Object.entries(README_FILES)) {
        assert.ok(existsSync(path.join(ROOT, 'test', 'readme', `${file}.test.ts`)), `test/readme/${file}.test.ts runs ${sections.join(', ')}`);
        assert.deepEqual(
          sections,
          CHAIN.filter((s) => sections.includes(s)),
          `test/readme/${file}.test.ts: README order`,
        );
      }
    });

    it("keeps the emulator's URL out of the blocks (env finds it), but for one variable line where a block names a port", () => {
      for (const b of chain) {
        const rest = PORT_LINES[b.marker!] ? b.code.replace(PORT_LINES[b.marker!], '') : b.code;
        assert.ok(!/localhost:84\d\d/.test(rest), `README.md:${b.line} (${b.marker}) names a port outside its one variable line`);
        assert.ok(!/^\s*cd\s/m.test(b.code), `README.md:${b.line} (${b.marker}) changes directory for the blocks after it (use a subshell)`);
      }
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
  });
}

/**
 * The sections README_FILES gives `file`, in a second terminal against the emulator the quick start starts (its
 * own, in a clone of its own), in README order, in one bash session.
 */
export function describeReadmeSections(file: string): void {
  const sections = README_FILES[file];
  if (!sections) throw new Error(`README_FILES has no '${file}'`);
  describe(`README.md (${sections.join(', ')}): in a second terminal, against the emulator the quick start starts`, function () {
    this.timeout(1_800_000);
    const blocks = readme();
    const named = (name: string) => blocks.filter((b) => b.marker === name);
    const chain = blocks.filter((b) => isChain(b) && sections.includes(b.marker!));
    let work: string;
    let clone: string;
    let home: string;
    let emulator: ChildProcess | undefined;
    let session: Session | undefined;
    let port = 0;
    let adminPort = 0;
    let banner = '';
    const outputs = new Map<string, string>();
    /** The second terminal's environment: a user's, with az's zygote client first on PATH (see below). */
    let terminalEnv: NodeJS.ProcessEnv;

    before(async function () {
      ensureAz();
      if (sections.includes('ansible')) ensureAnsible();
      work = tmpDir('readme-');
      clone = path.join(work, 'arm-hybrid-k8s-emulator');
      home = path.join(work, 'home');
      mkdirSync(home);
      makeClone(clone);
      adminPort = await freePort();
      const [start] = named('start');
      // In the clone, as the README says (its default data directory is the clone's .arm-emulator). The file that
      // runs the quick start runs the README's block (`npm start`); the others run what it runs, package.json's
      // start script, without npm's own second of CPU (the build it checks first is the test run's own).
      const startCode = sections.includes('quickstart') ? start.code : PACKAGE.scripts.start;
      emulator = spawn('bash', ['-c', startCode], { cwd: clone, env: userEnv(home, { ARM_EMULATOR_PORT: '0' }), detached: true });
      let err = '';
      emulator.stderr!.on('data', (d) => (err += d));
      port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start printed no banner in 120 s:\n${banner}\n${err}`)), 120_000);
        emulator!.stdout!.on('data', (d) => {
          banner += d;
          const m = /listening on https:\/\/localhost:(\d+)/.exec(banner);
          if (m && /eval "\$\(npm run -s env/.test(banner)) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        emulator!.on('exit', (c) => reject(new Error(`npm start exited ${c}:\n${banner}\n${err}`)));
      });
      // `az` in the blocks is az 2.45 forked from a zygote that has its libraries imported (test/support/az.ts):
      // the same code as /usr/bin/az, about a third of the CPU per command. The zygote must start as Python
      // starts for the blocks' az, i.e. with the PYTHONPATH `eval "$(npm run -s env)"` exports (the Ansible and
      // RBAC fixes); `env --no-login` says which, and leaves az alone for the blocks to log in (package.json's env
      // script, which `npm run -s env` runs, without npm).
      const probeCode = `eval "$(${PACKAGE.scripts.env} --no-login)" && printf %s "$PYTHONPATH"`;
      const pythonPath = await new Promise<string>((resolve, reject) => {
        const probe = spawn('bash', ['-c', probeCode], { cwd: clone, env: userEnv(home) });
        let out = '';
        probe.stdout.on('data', (d) => (out += d));
        probe.on('exit', (c) => (c === 0 ? resolve(out) : reject(new Error(`${probeCode} exited ${c}`))));
      });
      const { PYTHONPATH: _fixes, ...withZygote } = await azPathEnv({ ...userEnv(home), PYTHONPATH: pythonPath });
      terminalEnv = withZygote;
    });
    after(async () => {
      session?.kill();
      if (emulator) {
        killGroup(emulator);
        await groupGone(emulator); // a clean stop writes a snapshot into the data directory: let it finish
      }
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it(`${sections.includes('quickstart') ? 'npm start' : 'the emulator'} prints the banner with the fast default time scale and the env line`, () => {
      assert.match(banner, /time scale:\s+0\.01\s+\(fast: long-running operations finish in about a second; --time-scale 1 for real durations\)/);
      assert.match(banner, /CA cert:\s+\S+\.arm-emulator\/cert\.pem/);
      assert.match(banner, /eval "\$\(npm run -s env\)"/);
    });

    const scratch = () => {
      const d = path.join(work, 'blocks');
      mkdirSync(d, { recursive: true });
      return d;
    };

    // README_TEST_BLOCKS=arc,hybrid-aksarc runs only those sections (while editing them); npm test runs them all
    const only = process.env.README_TEST_BLOCKS?.split(',').map((x) => x.trim());
    for (const b of chain.filter((x) => !only || only.includes(x.marker!))) {
      it(`README.md:${b.line} (${b.marker}) runs in the session`, async function () {
        let code = b.code;
        if (b.marker === 'by-hand') code = code.replace(PORT_LINES['by-hand'], `ARM=https://localhost:${port}`);
        if (b.marker === 'admin') code = code.replace(PORT_LINES.admin, `ADMIN_PORT=${adminPort}`);
        if (!session?.alive) session = new Session(clone, terminalEnv, scratch());
        const r = await session.run(code, b.marker === 'ansible' ? 1_500_000 : 600_000);
        outputs.set(b.marker!, (outputs.get(b.marker!) ?? '') + r.stdout);
        assert.equal(r.code, 0, `README.md:${b.line} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
        assert.equal(r.cwd, clone, `README.md:${b.line} left the session in ${r.cwd}: the next block would not find the emulator's folder`);
        await check(b.marker!, r.stdout, b === named(b.marker!).at(-1));
      });
    }

    /** What each section's output must show (beyond exiting 0). */
    async function check(name: string, out: string, last: boolean): Promise<void> {
      const ca = readFileSync(path.join(clone, '.arm-emulator', 'cert.pem'));
      const admin = `https://localhost:${port}/_emulator`;
      switch (name) {
        case 'quickstart': {
          assert.match(out, /^aks1\s+Succeeded\s+2\s*$/m);
          // az aks create at the default settings: its plan takes about a second of simulated time (under 10 s)
          const { timeScale } = await getJson(`${admin}/operations/time-scale`, ca);
          const ops = (await getJson(`${admin}/operations`, ca)).value.filter((o: any) => /managedClusters\/aks1$/i.test(o.resourceId ?? '') && o.kind === 'create');
          assert.equal(ops.length, 1, JSON.stringify(ops));
          const op = await getJson(`${admin}/operations/${ops[0].id}`, ca);
          const simulatedMs = criticalPathMs(op.tasks) * timeScale;
          assert.ok(simulatedMs < 10_000, `az aks create takes ${simulatedMs} ms of simulated time at time scale ${timeScale}`);
          // env set up az in a config folder of its own, in the data directory, and left the user's alone
          assert.ok(readdirSync(path.join(clone, '.arm-emulator', 'az')).includes('azureProfile.json'));
          assert.deepEqual(
            readdirSync(home).filter((f) => f === '.azure'),
            [],
          );
          break;
        }
        case 'by-hand':
          assert.match(out, /^demo$/m);
          break;
        case 'az':
          assert.match(out, /MC_demo_aks1_eastus/);
          assert.match(out, /Microsoft\.Compute\/virtualMachineScaleSets/);
          assert.match(out, /Microsoft\.Network\/loadBalancers/);
          assert.match(out, /^aks1-admin$/m);
          assert.match(readFileSync(path.join(clone, '.arm-emulator', 'kubeconfig'), 'utf8'), /current-context: aks1-admin/);
          break;
        case 'az-hub':
          assert.match(out, /Microsoft\.Compute\/virtualMachines\b/);
          assert.match(out, /Microsoft\.Compute\/availabilitySets/);
          assert.match(out, /k8s-master-lb-\d{8}/);
          assert.match(out, /apiVersion: v1/);
          assert.match(out, /"team": "platform"/);
          break;
        case 'js':
          assert.match(out, /^jsaks Succeeded MC_jsdemo_jsaks_eastus$/m);
          assert.match(out, /Microsoft\.Compute\/virtualMachineScaleSets/);
          assert.match(out, /^deleted$/m);
          break;
        case 'python':
          assert.match(out, /^pyaks Succeeded MC_pydemo_pyaks_eastus$/m);
          assert.match(out, /^deleted$/m);
          break;
        case 'ansible': {
          const recaps = [...out.matchAll(/^localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)].map((m) => m.slice(1).map(Number));
          assert.equal(recaps.length, 2, out);
          assert.ok(
            recaps.every(([, , unreachable, failed]) => unreachable === 0 && failed === 0),
            out,
          );
          assert.match(out, /aks-region in eastus: Succeeded, Kubernetes [\d.]+, 2 nodes, load balancer standard/);
          assert.match(out, /aks-hub in local: Succeeded, Kubernetes [\d.]+, 2 nodes, load balancer basic/);
          assert.match(out, /TASK \[Role assignment on the region's cluster[^\n]*\]\s*\*+\s*\nchanged: \[localhost\]/);
          assert.match(out, /changed: \[localhost\] => \(item=ansible-region\)/, "the teardown deleted the region's group");
          assert.match(out, /changed: \[localhost\] => \(item=ansible-hub\)/, "the teardown deleted the Hub's group");
          break;
        }
        case 'az-ops':
          assert.match(out, /with exitcode=0/);
          assert.match(out, /aks-nodepool1-\S+\s+Ready\s+agent/);
          assert.match(out, /\/snapshots\/s1/);
          break;
        case 'arc':
          assert.match(out, /^"Running"$/m);
          assert.match(out, /^Microsoft\.HybridContainerService\/provisionedClusterInstances$/m);
          assert.match(out, /"name":"hci-site-1"/);
          break;
        case 'hybrid-aksarc':
          assert.match(out, /^Microsoft\.HybridContainerService\/provisionedClusterInstances$/m);
          assert.match(out, /^Succeeded\s+172\.20\.0\.\d+$/m);
          assert.match(out, /^nodepool1\s+2\s+Linux$/m);
          assert.match(out, /^win1\s+1\s+Windows$/m);
          assert.match(out, /^Succeeded\s+1\.31\.5$/m); // upgraded
          assert.match(out, /^aks1$/m);
          assert.match(out, /^Connected\n4$/m); // 1 control plane, 2 Linux and 1 Windows node
          assert.match(out, /^Succeeded$/m);
          break;
        case 'hybrid-rest':
          assert.match(out, /^linux1\s+3\s+Succeeded$/m);
          assert.match(out, /^Succeeded\s+1\.31\.5$/m); // upgraded
          // kubectl through the admin kubeconfig: the cluster's VMs as nodes, from the emulator's own Kubernetes API
          assert.match(out, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP/m);
          assert.ok((out.match(/^\S+\s+Ready\s/gm) ?? []).length >= 3, out);
          break;
        case 'arc-teardown': {
          const left = await getJson(`${admin}/fabric?site=hci-site-1`, ca);
          const site = left.sites.find((s: any) => s.name === 'hci-site-1');
          assert.deepEqual(
            site.vms.filter((v: any) => /\/resourceGroups\/arc\//i.test(v.owner ?? '')).map((v: any) => v.name),
            [],
            'no VM of the arc group is left on the site',
          );
          assert.ok(!JSON.stringify(site.logicalNetworks ?? []).includes('lnet-vlan20'), 'the logical network is gone from the site');
          break;
        }
        case 'templates':
          assert.match(out, /controlPlaneFQDN/);
          assert.match(out, /^Succeeded$/m);
          break;
        case 'admin':
          if (last) {
            const all = outputs.get('admin')!;
            assert.match(all, /"status":"Healthy"/);
            assert.match(all, /"disconnectedSites":\["hci-site-1"\]/);
            assert.match(all, /"host":"hci-site-1-host-01"/);
            assert.match(all, /"rules"/);
            assert.ok(await portClosed(adminPort, 20_000), `kill $EMU_PID stopped the admin emulator: port ${adminPort} is free`);
          }
          break;
      }
    }
  });
}
