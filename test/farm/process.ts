// Emulators as real processes (so a kill -9 is real) for the farm tests, and a token for them.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { TLS_DIR, CLIENT_ID, SECRET, TENANT } from '../support/emulator.js';

export function startProcess(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/main.js');
  const child = spawn(process.execPath, [main, '--port', '0', '--quiet', '--in-memory', '--cert', path.join(TLS_DIR, 'cert.pem'), '--key', path.join(TLS_DIR, 'key.pem'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (https:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}: ${err}`)));
  });
}

export async function tokenFor(url: string): Promise<string> {
  const r = await request(url)
    .post(`/${TENANT}/oauth2/v2.0/token`)
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://management.azure.com/.default' });
  return r.body.access_token;
}
