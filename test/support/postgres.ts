// A private PostgreSQL server for tests and benchmarks: initdb in a temp folder, a free loopback port, stopped
// and removed when the process exits. As root (CI, these machines) the server runs as the `postgres` user,
// since initdb and postgres refuse to run as root. Each caller gets a database of its own (createDatabase).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** Where Debian's postgresql puts the server binaries (PG_BIN overrides). */
export function pgBin(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

export function postgresAvailable(): boolean {
  return pgBin() !== undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export class TestPostgres {
  private child: ChildProcess | null = null;
  private dbs = 0;
  private constructor(
    readonly dir: string,
    public port: number,
    private readonly fsync: boolean,
  ) {}

  /** initdb + start. `fsync: false` for tests (nothing here survives a power cut anyway); benchmarks keep it on. */
  static async start(opts: { fsync?: boolean } = {}): Promise<TestPostgres> {
    const bin = pgBin();
    if (!bin) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql; .ci/run does it)');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'arm-emu-pg-'));
    if (asRoot) {
      const pw = execFileSync('id', ['-u', 'postgres']).toString().trim();
      const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
      chownSync(dir, Number(pw), Number(gid));
    }
    const [cmd, args] = asPostgres(path.join(bin, 'initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
    execFileSync(cmd, args, { stdio: 'ignore' });
    const t = new TestPostgres(dir, await freePort(), opts.fsync ?? false);
    // The free port is free when picked, not when postgres binds it: another worker of a parallel run may take it
    // in between (its own server or an emulator on port 0). Then this server exits: pick another port.
    for (let attempt = 1; ; attempt++) {
      try {
        await t.resume();
        break;
      } catch (e) {
        if (attempt >= 5 || !(e instanceof PortTaken)) throw e;
        t.port = await freePort();
      }
    }
    const stop = () => t.kill('SIGQUIT');
    process.on('exit', () => {
      stop();
      rmSync(dir, { recursive: true, force: true });
    });
    return t;
  }

  /** postgres://… of the server's `postgres` database, or of another one. */
  url(db = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${db}`;
  }

  /** A new empty database; its URL. */
  async createDatabase(prefix = 'emu'): Promise<string> {
    const name = `${prefix}_${process.pid}_${++this.dbs}`;
    const c = new pg.Client({ connectionString: this.url() });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${name}`);
    } finally {
      await c.end();
    }
    return this.url(name);
  }

  /** Starts the server (again) on the same port and data. */
  async resume(): Promise<void> {
    const bin = pgBin()!;
    const [cmd, args] = asPostgres(path.join(bin, 'postgres'), [
      '-D',
      path.join(this.dir, 'data'),
      '-p',
      String(this.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${this.dir}`,
      '-c',
      `fsync=${this.fsync ? 'on' : 'off'}`,
      '-c',
      'max_connections=200',
    ]);
    const child = spawn(cmd, args, { stdio: 'ignore', detached: false });
    this.child = child;
    for (let i = 0; i < 800; i++) {
      if (child.exitCode !== null) throw new PortTaken(`postgres exited with ${child.exitCode} (port ${this.port} taken?)`);
      // Ready when its own socket (in its own folder) answers: a server of another worker listening on this TCP
      // port must not pass for this one.
      const c = new pg.Client({ host: this.dir, port: this.port, user: 'postgres', database: 'postgres' });
      try {
        await c.connect();
        await c.end();
        return;
      } catch {
        await c.end().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    throw new Error('postgres did not start');
  }

  private kill(signal: NodeJS.Signals): void {
    // As root the child is runuser; its server is our grandchild: signal the whole group of the server's pid.
    const pidFile = path.join(this.dir, 'data', 'postmaster.pid');
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (pid) process.kill(pid, signal);
    } catch {
      this.child?.kill(signal);
    }
  }

  /** Stops the server (fast shutdown: clients are cut off, committed data stays). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    this.kill('SIGINT');
    await exited;
    this.child = null;
  }
}

class PortTaken extends Error {}

let shared: Promise<TestPostgres> | undefined;
/** One server for the whole test process (started on first use). */
export function sharedPostgres(): Promise<TestPostgres> {
  shared ??= TestPostgres.start();
  return shared;
}
