// `arm-emulator env` (`npm run -s env`): what a shell needs to use the running emulator, in the spirit of
// LocalStack's azlocal. It finds the emulator (endpoint.json in its data directory), checks that it answers,
// prepares an az config folder of its own (the cloud registered with the Graph endpoint, telemetry off, signed
// in as the well-known service principal; done once, reused while it still matches) and prints the exports
// for az, curl, Node, Python, Ansible and kubectl. `eval "$(npm run -s env)"` applies them. On failure it
// prints `false` (so the eval fails) and the reason on stderr.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, parseOptions, usage, type OptionSpec } from './args.js';
import { findEmulator, type Target } from './endpoint.js';
import { isTlsTrustError, request } from './http.js';

/** The package's folder (dist/src/cli/env.js is three levels below it). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const HYBRID_PROFILE = '2020-09-01-hybrid';
const CLOUD_NAME = 'Emulator';

const OPTIONS: OptionSpec[] = [
  { name: 'url', kind: 'string', help: "the emulator's URL (default: from endpoint.json in the data directory, else https://localhost:8443)" },
  { name: 'data-dir', kind: 'string', help: "the emulator's data directory (default: ARM_EMULATOR_DATA_DIR, else ./.arm-emulator)" },
  { name: 'profile', kind: 'string', help: `az's API profile: latest (default) or ${HYBRID_PROFILE} (the api-versions of Azure Stack Hub)` },
  { name: 'no-login', kind: 'switch', help: 'print the exports only; leave az alone' },
];

/** The exports, in the order printed. */
export interface Environment {
  target: Target;
  azConfigDir?: string;
  exports: [string, string][];
  /** Lines that extend a path variable without losing what the shell has. */
  pathLines: string[];
  notes: string[];
}

export async function envCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const opts = parseOptions('arm-emulator env', argv, OPTIONS);
  if (opts.help) {
    out(
      usage('arm-emulator env', 'print the shell exports for the running emulator; use as: eval "$(npm run -s env)"', OPTIONS, [
        'eval "$(npm run -s env)"',
        `eval "$(npm run -s env -- --profile ${HYBRID_PROFILE})"`,
        'eval "$(arm-emulator env --url https://localhost:9443)"',
      ]),
    );
    return;
  }
  const profile = (opts.profile as string | undefined) ?? 'latest';
  if (profile !== 'latest' && profile !== HYBRID_PROFILE) throw new CliError(`arm-emulator env: error: --profile must be latest or ${HYBRID_PROFILE}, got '${profile}'`, 2);
  const target = findEmulator({ url: opts.url as string | undefined, dataDir: opts['data-dir'] as string | undefined });
  await probe(target);
  const environment = prepare(target, { profile, login: !opts['no-login'] });
  out(render(environment));
}

/** The emulator answers its cloud metadata, over TLS with the CA we are about to hand out. */
async function probe(target: Target): Promise<void> {
  const get = (ca?: string) => request('GET', `${target.url}/metadata/endpoints?api-version=2015-01-01`, { ca, timeoutMs: 15_000 });
  try {
    let r;
    try {
      r = await get(target.ca);
    } catch (e) {
      // the certificate found is not this emulator's: one NODE_EXTRA_CA_CERTS names may be
      const extra = process.env.NODE_EXTRA_CA_CERTS;
      if (!isTlsTrustError(e) || !extra || extra === target.ca) throw e;
      r = await get(extra);
      target.ca = extra;
    }
    if (r.status === 200 && r.json?.resourceManagerEndpoint) return;
    throw new Error(`it answered ${r.status} to /metadata/endpoints`);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new CliError(
      `arm-emulator env: no emulator answers at ${target.url} (${target.source}): ${why}.\n` +
        "Start it first with `npm start` (in the emulator's folder, another terminal), or pass --url / --data-dir.",
    );
  }
}

function prepare(target: Target, opts: { profile: string; login: boolean }): Environment {
  const base = target.dataDir ?? path.join(os.tmpdir(), `arm-emulator-env-${process.getuid?.() ?? 'user'}`, new URL(target.url).host.replace(/[^\w.-]/g, '_'));
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const notes: string[] = [];
  // One bundle for Python's requests and curl: the system's CAs and the emulator's certificate, so the shell can
  // still reach the internet (pip, az extension) while it trusts the emulator.
  let bundle: string | undefined;
  if (target.ca) {
    bundle = path.join(base, 'ca-bundle.pem');
    const system = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'].find((f) => existsSync(f));
    const emulatorCert = readFileSync(target.ca, 'utf8');
    writeFileSync(bundle, `${system ? `${readFileSync(system, 'utf8').trimEnd()}\n` : ''}# ARM emulator (${target.url})\n${emulatorCert}`, { mode: 0o600 });
  }
  // Debian's az 2.45 RBAC fix and Ansible's azure.azcollection import fix (tools/*/sitecustomize.py); the Ansible one
  // comes first on PYTHONPATH and runs the RBAC one after it (Python imports only the first sitecustomize)
  const fixes = [path.join(PACKAGE_ROOT, 'tools', 'ansible-azcollection-fix'), path.join(PACKAGE_ROOT, 'tools', 'az-debian-rbac-fix')].filter((d) => existsSync(d));
  let azConfigDir: string | undefined;
  if (opts.login) {
    const az = which('az');
    if (!az) notes.push('az is not installed: nothing was logged in (on Debian/Ubuntu: sudo apt-get install -y azure-cli)');
    else {
      azConfigDir = path.join(base, opts.profile === 'latest' ? 'az' : `az-${opts.profile}`);
      azLogin(az, azConfigDir, target, opts.profile, { REQUESTS_CA_BUNDLE: bundle ?? '', PYTHONPATH: fixes.join(path.delimiter) });
    }
  }
  const exports: [string, string][] = [['ARM_EMULATOR_URL', target.url]];
  if (azConfigDir) exports.push(['AZURE_CONFIG_DIR', azConfigDir]);
  if (bundle) exports.push(['REQUESTS_CA_BUNDLE', bundle], ['CURL_CA_BUNDLE', bundle]);
  if (target.ca) exports.push(['NODE_EXTRA_CA_CERTS', target.ca]);
  exports.push(
    // azure-identity's EnvironmentCredential / DefaultAzureCredential (JS and Python) read these. The tenant is
    // 'adfs', as on an Azure Stack Hub with AD FS (the emulator's metadata says so): MSAL then asks the emulator
    // itself for its endpoints instead of the public cloud's instance discovery, with no setting in the code.
    // The token is issued in the directory's tenant all the same.
    ['AZURE_TENANT_ID', 'adfs'],
    ['AZURE_CLIENT_ID', target.clientId],
    ['AZURE_CLIENT_SECRET', target.clientSecret],
    ['AZURE_SUBSCRIPTION_ID', target.subscriptionId],
    ['AZURE_AUTHORITY_HOST', target.url],
    // Ansible's azure.azcollection: the same principal under its names, the cloud from /metadata/endpoints
    ['AZURE_TENANT', 'adfs'],
    ['AZURE_SECRET', target.clientSecret],
    ['AZURE_CLOUD_ENVIRONMENT', `${target.url}/`],
    // az aks get-credentials writes the first KUBECONFIG entry; kubectl reads it: your ~/.kube/config stays untouched
    ['KUBECONFIG', path.join(base, 'kubeconfig')],
  );
  const pathLines = [
    ...[...fixes].reverse().map((d) => prependLine('PYTHONPATH', d)),
    ...(existsSync(path.join(PACKAGE_ROOT, 'bin', 'arm-emulator')) ? [prependLine('PATH', path.join(PACKAGE_ROOT, 'bin'))] : []),
  ];
  return { target, azConfigDir, exports, pathLines, notes };
}

/**
 * az's own commands, in a config folder of its own: the cloud registered from a cloud config that names the
 * Graph endpoint (az cloud register --endpoint-resource-manager would not read it from the metadata), the
 * profile asked for, then a service-principal login. Skipped when the folder already holds exactly that.
 */
function azLogin(az: string, dir: string, target: Target, profile: string, extraEnv: Record<string, string>): void {
  const want = { url: target.url, profile, tenantId: target.tenantId, clientId: target.clientId, subscriptionId: target.subscriptionId };
  const stampFile = path.join(dir, 'arm-emulator-env.json');
  if (loggedIn(dir, stampFile, want)) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // no telemetry and no survey prompts from this config folder
  writeFileSync(path.join(dir, 'config'), '[core]\ncollect_telemetry = false\nsurvey_message = false\n');
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, AZURE_CONFIG_DIR: dir, AZURE_CORE_NO_COLOR: 'true' };
  for (const k of ['AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_TENANT_ID']) delete env[k];
  const cloud = { ...(profile === 'latest' ? {} : { profile }), endpoints: { resourceManager: `${target.url}/`, microsoftGraphResourceId: `${target.url}/graph/` } };
  const login = ['login', '--service-principal', '-u', target.clientId, '-p', target.clientSecret, '--tenant', target.tenantId, '-o', 'none'];
  const commands = [['cloud', 'register', '-n', CLOUD_NAME, '--cloud-config', JSON.stringify(cloud), '-o', 'none'], ['cloud', 'set', '-n', CLOUD_NAME, '--only-show-errors', '-o', 'none'], login];
  const shown = (args: string[]) => args.map((a) => (a === target.clientSecret ? '***' : a)).join(' ');
  const failed = (what: string, r: ReturnType<typeof spawnSync>) =>
    new CliError(`arm-emulator env: \`${what}\` failed (exit ${r.status ?? r.signal}):\n${String(r.stderr || r.stdout || r.error || '').trim()}`);
  // az's start-up (importing azure.cli) is most of each command's time: the three run in one az process when az is
  // the usual Python entry point, else one az process each
  const batch = azInOneProcess(az, commands, env);
  if (batch === 'unavailable') {
    for (const args of commands) {
      const r = spawnSync(az, args, { env, encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw failed(`az ${shown(args)}`, r);
    }
  } else if (batch.status !== 0) {
    throw failed(commands.map((c) => `az ${shown(c)}`).join(' && '), batch);
  }
  writeFileSync(stampFile, `${JSON.stringify(want, null, 2)}\n`, { mode: 0o600 });
}

/** Exit status of the batch script when azure.cli cannot be imported by the interpreter az names. */
const NO_AZ_MODULE = 90;
const BATCH = [
  'import json, os, sys',
  'try:',
  '    from azure.cli.core import get_default_cli',
  'except ImportError:',
  `    sys.exit(${NO_AZ_MODULE})`,
  'for args in json.loads(sys.stdin.read()):',
  '    rc = get_default_cli().invoke(args, out_file=open(os.devnull, "w"))',
  '    if rc:',
  '        sys.exit(rc)',
].join('\n');

/**
 * Runs az commands one after the other in one Python process (each with a fresh az context, as separate az calls
 * would have), when `az` is the Python script Debian and pip install (it runs the module azure.cli). The arguments
 * travel on stdin, so the secret is never on a command line.
 */
function azInOneProcess(az: string, commands: string[][], env: NodeJS.ProcessEnv): ReturnType<typeof spawnSync> | 'unavailable' {
  let script: string;
  let real: string;
  try {
    real = realpathSync(az);
    script = readFileSync(real, 'utf8').slice(0, 4096);
  } catch {
    return 'unavailable';
  }
  const shebang = /^#!\s*(\S*python3?[\d.]*)\s*$/m.exec(script.split('\n')[0] ?? '');
  if (!shebang || !/run_module\(\s*['"]azure\.cli['"]/.test(script)) return 'unavailable';
  // what the az script itself sets up before it runs azure.cli
  const src = path.join(path.dirname(real), 'src');
  const batchEnv = { ...env, AZ_INSTALLER: env.AZ_INSTALLER ?? 'DEB', PYTHONPATH: [src, env.PYTHONPATH].filter(Boolean).join(path.delimiter) };
  const r = spawnSync(shebang[1], ['-c', BATCH], { env: batchEnv, input: JSON.stringify(commands), encoding: 'utf8', timeout: 180_000 });
  if (r.status === NO_AZ_MODULE || (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return 'unavailable';
  return r;
}

/** The folder was set up by us for the same emulator and az is still signed in there as that principal. */
function loggedIn(dir: string, stampFile: string, want: Record<string, string>): boolean {
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    if (Object.entries(want).some(([k, v]) => stamp[k] !== v)) return false;
    // az writes azureProfile.json with a byte-order mark
    const profile = JSON.parse(readFileSync(path.join(dir, 'azureProfile.json'), 'utf8').replace(/^\uFEFF/, ''));
    return (profile.subscriptions ?? []).some(
      (s: any) => s.isDefault && s.environmentName === CLOUD_NAME && s.id === want.subscriptionId && String(s.user?.name).toLowerCase() === want.clientId.toLowerCase(),
    );
  } catch {
    return false;
  }
}

function render(e: Environment): string {
  const lines = [
    `# ARM emulator at ${e.target.url} (${e.target.source}); tenant ${e.target.tenantId}, subscription ${e.target.subscriptionId}`,
    e.azConfigDir ? `# az: signed in as ${e.target.clientId} in ${e.azConfigDir} (your own az config is untouched)` : '# az: not set up',
    ...e.notes.map((n) => `# note: ${n}`),
    ...e.exports.map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    ...e.pathLines,
  ];
  return `${lines.join('\n')}\n`;
}

/** A line that puts `dir` first on a colon-separated variable once, keeping what the shell has. */
function prependLine(name: string, dir: string): string {
  const q = shellQuote(dir);
  return `case ":\${${name}:-}:" in *:${q}:*) ;; *) export ${name}=${q}"\${${name}:+:$${name}}" ;; esac`;
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    // npm run puts the package's node_modules/.bin first: never take an az from there
    if (!dir || dir.includes(`${path.sep}node_modules${path.sep}`)) continue;
    const p = path.join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
