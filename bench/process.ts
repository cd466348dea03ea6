// Starts a Node script as a child process and resolves with the URL it prints ('listening on ...'); starts the
// built emulator as the benchmarks run it (time scale 0, a fresh data folder, TLS with a certificate of their own).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCertificate } from '../src/identity/certificate.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/main.js');

/** BENCH_NODE_ARGS (space separated, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) go to the child's node: profiling a run. */
export function startProcess(script: string, args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (c) => reject(new Error(`${script} exited ${c}`)));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}

export interface BenchTls {
  dir: string;
  /** The CA certificate (PEM) clients trust. */
  ca: string;
  remove(): void;
}

/** A server certificate for a benchmark's emulators, in a temporary folder of its own. */
export async function benchTls(name: string): Promise<BenchTls> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-${name}-tls-`));
  const tls = await ensureCertificate({ dataDir: dir });
  return { dir, ca: readFileSync(tls.caPath, 'utf8'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface BenchEmulator {
  child: ChildProcess;
  url: string;
  dataDir: string;
  /** Stops it, waits for it to exit (its store is removed next) and removes its data folder. */
  stop(): Promise<void>;
}

/** The built emulator at time scale 0 on a fresh data folder, serving TLS with `tls`; `args` go on its command line, `env` into its environment. */
export async function startEmulator(name: string, tls: BenchTls, opts: { args?: string[]; env?: Record<string, string> } = {}): Promise<BenchEmulator> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `bench-${name}-data-`));
  const args = ['--port', '0', '--quiet', '--time-scale', '0', ...(opts.args ?? []), '--data-dir', dataDir, '--cert', path.join(tls.dir, 'cert.pem'), '--key', path.join(tls.dir, 'key.pem')];
  const { child, url } = await startProcess(MAIN, args, opts.env);
  const stop = async () => {
    await new Promise((res) => {
      if (child.exitCode !== null || child.signalCode !== null) return res(undefined);
      child.once('exit', res);
      child.kill();
    });
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { child, url, dataDir, stop };
}
