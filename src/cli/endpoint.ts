// Where a running emulator is. `npm start` writes `endpoint.json` into its data directory once it listens
// (its public URL, the CA file clients trust, the well-known identity, its pid) and removes it when it stops;
// `arm-emulator env` and the other client commands read it, so they find an emulator started on another port
// or with another identity without being told. An --in-memory emulator writes nothing: pass --url then.

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../config/config.js';

export const ENDPOINT_FILE = 'endpoint.json';

export interface Identity {
  tenantId: string;
  subscriptionId: string;
  clientId: string;
  clientSecret: string;
}

export interface EndpointInfo extends Identity {
  /** The URL clients use (the public URL). */
  url: string;
  /** The certificate clients trust; absent with --http. */
  ca?: string;
  pid: number;
  startedAt: string;
}

/** Written 0600 (it holds the service principal's secret, like the journal does) through a rename. */
export function writeEndpointFile(dataDir: string, info: EndpointInfo): void {
  const file = path.join(dataDir, ENDPOINT_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Removes the file if it is still this process's (a second emulator may have started on the same data dir). */
export function removeEndpointFile(dataDir: string, pid: number): void {
  const info = readEndpointFile(dataDir);
  if (info?.pid === pid) rmSync(path.join(dataDir, ENDPOINT_FILE), { force: true });
}

export function readEndpointFile(dataDir: string): EndpointInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(path.join(dataDir, ENDPOINT_FILE), 'utf8'));
    return typeof v?.url === 'string' ? (v as EndpointInfo) : undefined;
  } catch {
    return undefined;
  }
}

export interface Target extends Identity {
  url: string;
  /** A CA file to trust for this URL, when one is known. */
  ca?: string;
  /** The emulator's data directory, when it has one on this machine. */
  dataDir?: string;
  /** How the URL was found, for messages. */
  source: string;
}

export interface FindOptions {
  /** An explicit URL (--url, or ARM_EMULATOR_URL for the commands run after `env`). */
  url?: string;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * The emulator a command talks to: an explicit URL, else the one whose endpoint.json is in the data directory
 * (--data-dir, ARM_EMULATOR_DATA_DIR, ./.arm-emulator: where `npm start` keeps it), else the default
 * https://localhost:8443 (or ARM_EMULATOR_PORT). Identity and CA come from that file when it describes the
 * URL, else from the same defaults and environment variables the emulator reads.
 */
export function findEmulator(opts: FindOptions = {}): Target {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  let defaults;
  try {
    defaults = parseConfig(opts.dataDir ? ['--data-dir', opts.dataDir] : [], env, cwd);
  } catch {
    defaults = parseConfig(opts.dataDir ? ['--data-dir', opts.dataDir] : [], {}, cwd);
  }
  const dataDir = path.resolve(cwd, defaults.dataDir);
  const file = readEndpointFile(dataDir);
  const sp = defaults.servicePrincipals[0];
  const fallback: Identity = { tenantId: sp.tenantId, subscriptionId: defaults.subscriptions[0].subscriptionId, clientId: sp.clientId, clientSecret: sp.clientSecret };
  const explicit = opts.url ? normaliseUrl(opts.url) : undefined;
  if (file && (!explicit || sameOrigin(explicit, file.url))) {
    const ca = file.ca && existsSync(file.ca) ? file.ca : undefined;
    return {
      url: normaliseUrl(file.url),
      ca,
      dataDir,
      source: path.join(dataDir, ENDPOINT_FILE),
      tenantId: file.tenantId,
      subscriptionId: file.subscriptionId,
      clientId: file.clientId,
      clientSecret: file.clientSecret,
    };
  }
  const url = explicit ?? `${defaults.tls ? 'https' : 'http'}://localhost:${defaults.port || 8443}`;
  // the certificate `npm start` generates (data dir), or the one an --in-memory emulator keeps in the temp folder
  const candidates = [path.join(dataDir, 'cert.pem'), path.join(os.tmpdir(), 'arm-emulator-tls', 'cert.pem')];
  const ca = url.startsWith('https:') ? candidates.find((f) => existsSync(f)) : undefined;
  return { url, ca, dataDir: existsSync(dataDir) ? dataDir : undefined, source: explicit ? 'the URL given' : 'the default URL', ...fallback };
}

export function normaliseUrl(u: string): string {
  return u.replace(/\/+$/, '');
}

function sameOrigin(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    const host = (h: string) => (h === '127.0.0.1' ? 'localhost' : h);
    return x.protocol === y.protocol && host(x.hostname) === host(y.hostname) && x.port === y.port;
  } catch {
    return false;
  }
}
