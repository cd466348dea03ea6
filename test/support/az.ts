// Runs the real az CLI (Debian's azure-cli 2.45) against a test emulator, in its own config dir.
// When az is missing, installs it if it can (root + apt-get); otherwise fails saying how.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
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

export interface AzResult {
  code: number;
  stdout: string;
  stderr: string;
  json?: any;
}

/**
 * az builds its command index (commandIndex.json, loading every command module: seconds of CPU) the first time
 * it runs in a config dir. Build it once per test process and copy it into each session's fresh config dir.
 */
let commandIndex: Promise<string | undefined> | undefined;
function builtCommandIndex(): Promise<string | undefined> {
  commandIndex ??= new Promise((resolve) => {
    const dir = tmpDir('az-index-');
    const env = { ...process.env, AZURE_CONFIG_DIR: dir, AZURE_CORE_COLLECT_TELEMETRY: 'false' };
    execFile('az', ['cloud', 'list', '-o', 'none'], { env, timeout: 120_000 }, () => {
      const f = path.join(dir, 'commandIndex.json');
      resolve(existsSync(f) ? f : undefined);
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
      execFile('az', args, { env: this.env(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
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
