// Token-signing keys for the in-process test emulators. Every emulator in memory would otherwise make a new
// RSA-2048 key at start (50 - 400 ms of CPU, two thirds of a start), which no test of ours needs fresh: the
// tests of the key itself (test/boot/signing-key.test.ts, test/arm/hardening.test.ts) start with a data directory
// or a child process, which make their own. The emulators of one process take turns with KEYS distinct keys, so
// the ones alive together (or started one after another) never share a key.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import path from 'node:path';

const KEYS = 8;
const FILE = 'signing-keys.json';

/** Makes `dir`/signing-keys.json (KEYS PKCS#8 PEMs) unless it is there already, whole and readable. */
export function ensureTestSigningKeys(dir: string): void {
  const file = path.join(dir, FILE);
  const have = readKeys(file);
  if (have.length >= KEYS && have.every(usable)) return;
  const keys = Array.from({ length: KEYS }, () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(keys), { mode: 0o600 });
  renameSync(tmp, file); // whole or not at all, for a test process reading it
}

function usable(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

function readKeys(file: string): string[] {
  if (!existsSync(file)) return [];
  try {
    const keys: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(keys) && keys.every((k) => typeof k === 'string') ? keys : [];
  } catch {
    return [];
  }
}

let keys: string[] | undefined;
let next = 0;
/** The next key of `dir`'s set, or undefined when there is none (the emulator then makes its own). */
export function nextTestSigningKey(dir: string): string | undefined {
  keys ??= readKeys(path.join(dir, FILE));
  return keys.length ? keys[next++ % keys.length] : undefined;
}
