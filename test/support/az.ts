// Runs the real az CLI (Debian's azure-cli 2.45) against a test emulator, in its own config dir.
// When az is missing, installs it if it can (root + apt-get); otherwise fails saying how.
//
// Each az command is a fresh az 2.45 process, started cheaply: a "zygote" (az-zygote/zygote.py, one per test
// process, started on first use) has imported once the libraries az imports on every run and forks one child per
// command; the child takes the command's argv, environment, working directory and stdio and runs az's own entry
// point as /usr/bin/az does. azure.cli and knack themselves are imported in the child, from the command's own
// environment (they read AZURE_CONFIG_DIR at import). A command costs about 0.1-0.15 s of CPU this way, against
// about 1 s for /usr/bin/az (zygote.py says where the rest went).
// ARM_EMULATOR_AZ_ZYGOTE_LOG=FILE logs each command's CPU and its client's (for measuring).
// The small client (az-zygote/az.c compiled, or the Python az-zygote/az) does the asking; bash scripts get it as
// `az` on their PATH (azPathEnv).
// ARM_EMULATOR_TEST_AZ=exec runs /usr/bin/az itself for every command (and so does any failure to start the
// zygote).
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CA_PATH, CLIENT_ID, SECRET, TENANT, tmpDir, type TestEmulator } from './emulator.js';

let ensured = false;

export function ensureAz(): void {
  if (ensured) return;
  const found = spawnSync('sh', ['-c', 'command -v az'], { encoding: 'utf8' }).stdout.trim();
  if (!found) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!root || !existsSync('/usr/bin/apt-get')) {
      throw new Error("The tests need the real az CLI (Debian's azure-cli 2.45). Install it with: sudo apt-get update && sudo apt-get install -y azure-cli");
    }
    console.log('    installing azure-cli with apt-get (one-time, about a minute)...');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq azure-cli >/dev/null'], { stdio: 'inherit' });
  }
  ensured = true;
}

const REAL_AZ = '/usr/bin/az';
const ZYGOTE_DIR = path.resolve('test/support/az-zygote');
/**
 * The client that asks the zygote to run a command (and runs /usr/bin/az itself when there is none): az-zygote/az.c
 * compiled once per build (by its content, under dist/) when there is a C compiler, else the Python script
 * az-zygote/az, whose start-up costs more CPU than the zygote's fork does.
 */
let client: string | undefined;
export function azClient(): string {
  if (client) return client;
  client = path.join(ZYGOTE_DIR, 'az');
  try {
    const source = path.join(ZYGOTE_DIR, 'az.c');
    const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
    // next to the build (a temp dir may be mounted noexec; a path under node_modules is one `arm-emulator env`
    // would skip on PATH)
    const bin = path.resolve('dist', 'test', 'support', `az-client-${hash}`, 'az');
    if (!existsSync(bin)) {
      mkdirSync(path.dirname(bin), { recursive: true });
      const tmp = `${bin}.${process.pid}`;
      execFileSync('cc', ['-O2', '-o', tmp, source], { stdio: 'ignore', timeout: 120_000 });
      renameSync(tmp, bin); // whole or not at all, for the other test processes
    }
    client = bin;
  } catch {
    // no compiler: the Python client
  }
  return client;
}

/** az's zygote, or the one for the tests' Python scripts (zygote.py --python). */
export type ZygoteKind = 'az' | 'python';

/**
 * The same C client as `python3` (it asks a `zygote.py --python` when started under that name, and becomes
 * /usr/bin/python3 without one), in a folder of its own (the az client's folder goes on scripts' PATH), or
 * undefined without a C compiler.
 */
let pyClient: string | null | undefined;
export function pythonClient(): string | undefined {
  if (pyClient !== undefined) return pyClient ?? undefined;
  pyClient = null;
  const az = azClient();
  if (az === path.join(ZYGOTE_DIR, 'az')) return undefined; // the Python client serves az only
  const link = path.join(path.dirname(az), 'python', 'python3');
  try {
    if (!existsSync(link)) {
      mkdirSync(path.dirname(link), { recursive: true });
      const tmp = `${link}.${process.pid}`;
      symlinkSync(path.join('..', 'az'), tmp);
      renameSync(tmp, link); // whole or not at all, for the other test processes
    }
    pyClient = link;
  } catch {
    /* /usr/bin/python3 itself */
  }
  return pyClient ?? undefined;
}

/** What Python reads at start-up, before any import: one zygote per distinct set (zygote.py's key). A script's
 * zygote serves another HOME too (zygote.py checks what Python's start would have made of it). */
function zygoteKey(env: NodeJS.ProcessEnv, kind: ZygoteKind = 'az'): string {
  const k = Object.keys(env)
    .filter((n) => n.startsWith('PYTHON') || n.startsWith('LC_') || (n === 'HOME' && kind === 'az') || n === 'LANG')
    .sort();
  return JSON.stringify([kind, ...k.map((n) => [n, env[n]])]);
}

/** Only when `az` is Debian's launcher, whose every line zygote.py repeats. */
function zygoteFits(): boolean {
  if (process.env.ARM_EMULATOR_TEST_AZ === 'exec') return false;
  try {
    const onPath = spawnSync('sh', ['-c', 'command -v az'], { encoding: 'utf8' }).stdout.trim();
    if (!onPath || realpathSync(onPath) !== REAL_AZ) return false;
    const text = readFileSync(REAL_AZ, 'utf8');
    return text.startsWith('#!/usr/bin/python3\n') && text.includes("runpy.run_module('azure.cli')") && existsSync(path.join(ZYGOTE_DIR, 'zygote.py'));
  } catch {
    return false;
  }
}

let fits: boolean | undefined;
const zygotes = new Map<string, Promise<string | undefined>>();
const zygotePids = new Map<string, number>();

/** The zygote's process id for this environment, once started (for the tests of the zygote itself). */
export function azZygotePid(env: NodeJS.ProcessEnv, kind: ZygoteKind = 'az'): number | undefined {
  return zygotePids.get(zygoteKey(env, kind));
}

/** The socket of a ready zygote for this environment, or undefined (then run /usr/bin/az). */
export function azZygote(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  fits ??= zygoteFits();
  if (!fits) return Promise.resolve(undefined);
  return zygote(env, 'az');
}

function zygote(env: NodeJS.ProcessEnv, kind: ZygoteKind): Promise<string | undefined> {
  const key = zygoteKey(env, kind);
  let z = zygotes.get(key);
  if (!z) {
    z = startZygote(env, key, kind);
    zygotes.set(key, z);
  }
  return z;
}

/**
 * The socket of a ready zygote for the tests' Python scripts in this environment, or undefined (then run
 * /usr/bin/python3). ARM_EMULATOR_TEST_PYTHON=exec runs /usr/bin/python3 itself for every script.
 */
export function pythonZygote(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (process.env.ARM_EMULATOR_TEST_PYTHON === 'exec' || !existsSync('/usr/bin/python3') || !existsSync(path.join(ZYGOTE_DIR, 'zygote.py'))) return Promise.resolve(undefined);
  return zygote(env, 'python');
}

function startZygote(env: NodeJS.ProcessEnv, key: string, kind: ZygoteKind): Promise<string | undefined> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'az-zygote-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const socket = path.join(dir, 's');
  return new Promise((resolve) => {
    // stdin stays open: the zygote exits (with its commands) when this process has gone
    // the measuring log reaches the zygotes of scripts whose environment is a user's (the README's terminal)
    const log = process.env.ARM_EMULATOR_AZ_ZYGOTE_LOG ? { ARM_EMULATOR_AZ_ZYGOTE_LOG: process.env.ARM_EMULATOR_AZ_ZYGOTE_LOG } : {};
    const child = spawn('/usr/bin/python3', [path.join(ZYGOTE_DIR, 'zygote.py'), ...(kind === 'python' ? ['--python'] : []), socket], { env: { ...env, ...log }, stdio: ['pipe', 'pipe', 'inherit'] });
    if (child.pid) zygotePids.set(key, child.pid);
    let out = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      if (!ok) child.kill('SIGKILL');
      child.unref();
      (child.stdin as any)?.unref?.();
      (child.stdout as any)?.unref?.();
      resolve(ok ? socket : undefined);
    };
    const timer = setTimeout(() => done(false), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('ready\n')) done(true);
    });
    child.once('error', () => done(false));
    child.once('exit', () => done(false));
  });
}

/** env for a shell script whose `az` should be the zygote's (PATH and socket); unchanged when there is none. */
export async function azPathEnv(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const socket = await azZygote(env);
  if (!socket) return env;
  return { ...env, PATH: `${path.dirname(azClient())}${path.delimiter}${env.PATH ?? ''}`, ARM_EMULATOR_AZ_ZYGOTE: socket };
}

/** execFile of one az command: through the zygote when there is one. */
export function execAz(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, done: (err: Error | null, stdout: string, stderr: string) => void): void {
  void azZygote(env).then((socket) => {
    const file = socket ? azClient() : 'az';
    execFile(file, args, { env: socket ? { ...env, ARM_EMULATOR_AZ_ZYGOTE: socket } : env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => done(err, stdout, stderr));
  });
}

export interface AzResult {
  code: number;
  stdout: string;
  stderr: string;
  json?: any;
}

/**
 * az builds its command index (commandIndex.json, loading every command module: seconds of CPU) the first time
 * it runs in a config dir. Build it once per installed az (kept next to the build, by the az launcher's mtime, for
 * the other test processes) and copy it into each session's fresh config dir. az checks the index's version and
 * cloud profile itself and rebuilds a stale one.
 */
let commandIndex: Promise<string | undefined> | undefined;
function builtCommandIndex(): Promise<string | undefined> {
  commandIndex ??= new Promise((resolve) => {
    let kept: string | undefined;
    try {
      kept = path.resolve('dist', 'test', 'support', `az-command-index-${Math.round(statSync(realpathSync(REAL_AZ)).mtimeMs)}.json`);
      if (existsSync(kept)) return resolve(kept);
    } catch {
      kept = undefined;
    }
    const dir = tmpDir('az-index-');
    const env = { ...process.env, AZURE_CONFIG_DIR: dir, AZURE_CORE_COLLECT_TELEMETRY: 'false' };
    execAz(['cloud', 'list', '-o', 'none'], env, 120_000, () => {
      const f = path.join(dir, 'commandIndex.json');
      if (!existsSync(f)) return resolve(undefined);
      if (kept) {
        try {
          const tmp = `${kept}.${process.pid}`;
          copyFileSync(f, tmp);
          renameSync(tmp, kept); // whole or not at all, for the other test processes
        } catch {
          /* this process's copy still serves it */
        }
      }
      resolve(f);
    });
  });
  return commandIndex;
}

export class AzSession {
  readonly configDir = tmpDir('az-config-');
  private seeded?: Promise<void>;
  constructor(readonly emu: TestEmulator) {}

  private seed(): Promise<void> {
    this.seeded ??= builtCommandIndex().then((f) => {
      if (f) copyFileSync(f, path.join(this.configDir, 'commandIndex.json'));
    });
    return this.seeded;
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      AZURE_CONFIG_DIR: this.configDir,
      AZURE_CORE_COLLECT_TELEMETRY: 'false',
      AZURE_CORE_NO_COLOR: 'true',
      AZURE_CORE_ONLY_SHOW_ERRORS: 'true',
      REQUESTS_CA_BUNDLE: CA_PATH,
    };
  }

  async run(args: string[], timeoutMs = 120_000): Promise<AzResult> {
    await this.seed();
    return new Promise((resolve) => {
      execAz(args, this.env(), timeoutMs, (err, stdout, stderr) => {
        const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
        let json: any;
        try {
          json = stdout.trim() ? JSON.parse(stdout) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ code, stdout, stderr, json });
      });
    });
  }

  /** Runs and insists on success. */
  async ok(args: string[]): Promise<any> {
    const r = await this.run([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`az ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.json;
  }

  /**
   * What `az cloud set -n <name>` does in a fresh config dir (the active cloud is `[cloud] name` in its config file),
   * without a second start of az (seconds of CPU each, for every session of the suite). `az cloud set` itself is
   * run by the README and CLI tests, as a user runs it.
   */
  useCloud(name: string): void {
    const file = path.join(this.configDir, 'config');
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.trim() === '[cloud]');
    if (at < 0) lines.unshift('[cloud]', `name = ${name}`, '');
    else {
      const end = lines.findIndex((l, i) => i > at && l.trim().startsWith('['));
      const section = lines.slice(at + 1, end < 0 ? lines.length : end);
      const k = section.findIndex((l) => /^name\s*=/.test(l.trim()));
      if (k >= 0) lines[at + 1 + k] = `name = ${name}`;
      else lines.splice(at + 1, 0, `name = ${name}`);
    }
    writeFileSync(file, lines.join('\n'));
  }

  /** cloud register + login with the well-known service principal. */
  async login(profile?: string): Promise<void> {
    await this.ok(['cloud', 'register', '-n', 'Emu', '--endpoint-resource-manager', `${this.emu.url}/`, ...(profile ? ['--profile', profile] : [])]);
    this.useCloud('Emu');
    await this.ok(['login', '--service-principal', '-u', CLIENT_ID, '-p', SECRET, '--tenant', TENANT]);
  }
}

/** Debian's az 2.45 needs this shim for `az role` (a packaging bug, see the file). */
export const AZ_RBAC_FIX = path.resolve('tools/az-debian-rbac-fix');

export class RbacAz extends AzSession {
  override env(): NodeJS.ProcessEnv {
    return { ...super.env(), PYTHONPATH: AZ_RBAC_FIX };
  }
  /** Registers the cloud with the Graph endpoint (az does not read it from the metadata on register), then signs in. */
  async loginAs(clientId: string, secret: string, profile?: string): Promise<void> {
    const cfg = { endpoints: { resourceManager: `${this.emu.url}/`, microsoftGraphResourceId: `${this.emu.url}/graph/` }, ...(profile ? { profile } : {}) };
    await this.ok(['cloud', 'register', '-n', 'Emu', '--cloud-config', JSON.stringify(cfg)]);
    this.useCloud('Emu');
    await this.ok(['login', '--service-principal', '-u', clientId, '-p', secret, '--tenant', TENANT]);
  }
}
