// Real emulator processes for the crash and restart tests: `node dist/src/main.js` on a data folder, with the
// test certificate, killed with SIGKILL where a test says so.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { CLIENT_ID, SECRET, TENANT, TLS_DIR } from './emulator.js';

const MAIN = path.resolve('dist/src/main.js');

export interface EmulatorProcess {
  child: ChildProcess;
  url: string;
  /** A token of the well-known client, fetched once it listens. */
  token: string;
  /** What it has written to stderr so far. */
  stderr: () => string;
}

/**
 * Starts the emulator on `dir` with `args` (quiet, with the test certificate); rejects with the exit code and stderr
 * if it exits before it listens. `token: false` asks for no token (`token` is then ''): nothing is requested of it.
 */
export function startEmulatorProcess(dir: string, args: string[], opts: { token?: boolean } = {}): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [MAIN, ...args, '--quiet', '--data-dir', dir, '--cert', path.join(TLS_DIR, 'cert.pem'), '--key', path.join(TLS_DIR, 'key.pem')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let started = false;
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', async (d) => {
      out += d;
      const m = /listening on (https:\/\/\S+)/.exec(out);
      if (m && !started) {
        started = true;
        if (opts.token === false) return resolve({ child, url: m[1], token: '', stderr: () => err });
        const t = await request(m[1])
          .post(`/${TENANT}/oauth2/v2.0/token`)
          .type('form')
          .send({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://management.azure.com/.default' });
        resolve({ child, url: m[1], token: t.body.access_token, stderr: () => err });
      }
    });
    child.once('exit', (code) => reject(Object.assign(new Error(`emulator exited ${code}: ${err}`), { code, stderr: err })));
  });
}

/** SIGKILL, then wait for the exit (nothing when it has already gone). */
export async function kill9(c: { child: ChildProcess }): Promise<void> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return;
  const gone = new Promise((r) => c.child.once('exit', r));
  c.child.kill('SIGKILL');
  await gone;
}
