// Token-signing keys for the in-process test emulators. Every emulator in memory would otherwise make a new
// RSA-2048 key at start (50 - 400 ms of CPU, two thirds of a start), which no test of ours needs fresh: the
// tests of the key itself (test/boot/signing-key.test.ts, test/arm/hardening.test.ts) start with a data directory
// or a child process, which make their own. The emulators of one process take turns with KEYS distinct keys, so
// the ones alive together (or started one after another) never share a key.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';

const KEYS = 8;
const FILE = 'signing-keys.json';

/** Makes `dir`/signing-keys.json (KEYS PKCS#8 PEMs) unless it is there already. */
export function ensureTestSigningKeys(dir: string): void {
  const file = path.join(dir, FILE);
  if (readKeys(file).length >= KEYS) return;
  const keys = Array.from({ length: KEYS }, () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
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
