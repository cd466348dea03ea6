// Start-up options: flags, then environment variables, then defaults. Pure: no I/O here.
// argv is read by Node's util.parseArgs (the one argv parser); each flag also has an environment variable.

import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogLevel } from './log.js';

export interface SubscriptionConfig {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
}

export interface ServicePrincipalConfig {
  clientId: string;
  clientSecret: string;
  tenantId: string;
  displayName?: string;
}

export interface EmulatorConfig {
  port: number;
  host: string;
  dataDir: string;
  inMemory: boolean;
  /** Multiplies every simulated duration; 0 = as fast as possible (still asynchronous). */
  timeScale: number;
  /** Seconds sent in Retry-After. */
  retryAfter: number;
  auth: boolean;
  tls: boolean;
  certPath?: string;
  keyPath?: string;
  /** Extra subscriptions / service principals / sites. */
  configFile?: string;
  fsync: boolean;
  tenantId: string;
  subscriptions: SubscriptionConfig[];
  servicePrincipals: ServicePrincipalConfig[];
  /** Token lifetime in seconds. */
  tokenLifetime: number;
  /** Largest request body accepted, in bytes (ARM's limit is 4 MB). */
  maxBodyBytes: number;
  /** Lines to the console. */
  quiet: boolean;
  /** What the request and operation log writes (config/log.ts); default warn, error with --quiet. */
  logLevel: LogLevel;
  /** Hours a finished operation's record (its Azure-AsyncOperation status) is kept, on the emulator's clock; 0 keeps them for ever. */
  operationRetentionHours: number;
  /** Start even if the journal or snapshot is damaged: keep what precedes the damage, move the damaged files aside. */
  recover: boolean;
  /**
   * The URL clients reach the emulator at; absolute URLs it hands out (Azure-AsyncOperation, Location, cloud
   * metadata, token issuer) are built from it, never from a request's Host header. Default: the listen URL,
   * filled in by startEmulator once the port is known.
   */
  publicUrl?: string;
  /** Seconds a client may take to send a whole request (headers and body) before the connection is closed. */
  requestTimeout: number;
  /** postgres://… : the state lives in that PostgreSQL database, shared by every instance started with it. */
  store?: string;
  /** Serve every type of the public catalogue (the generic provider) besides the hand-built ones; default on. */
  catalogue?: boolean;
  /** Seconds one stretch of template expression evaluation may run before the deployment fails. */
  templateTimeLimit: number;
}

export const WELL_KNOWN = {
  tenantId: 'aaaaaaaa-0000-0000-0000-000000000001',
  subscriptionId: 'bbbbbbbb-0000-0000-0000-000000000001',
  clientId: 'cccccccc-0000-0000-0000-000000000001',
  clientSecret: 'emulator-secret',
};

type Env = Record<string, string | undefined>;

const FLAGS: Record<string, { env: string; kind: 'number' | 'string' | 'bool' }> = {
  port: { env: 'ARM_EMULATOR_PORT', kind: 'number' },
  host: { env: 'ARM_EMULATOR_HOST', kind: 'string' },
  'data-dir': { env: 'ARM_EMULATOR_DATA_DIR', kind: 'string' },
  'in-memory': { env: 'ARM_EMULATOR_IN_MEMORY', kind: 'bool' },
  'time-scale': { env: 'ARM_EMULATOR_TIME_SCALE', kind: 'number' },
  'retry-after': { env: 'ARM_EMULATOR_RETRY_AFTER', kind: 'number' },
  'no-auth': { env: 'ARM_EMULATOR_NO_AUTH', kind: 'bool' },
  http: { env: 'ARM_EMULATOR_HTTP', kind: 'bool' },
  cert: { env: 'ARM_EMULATOR_CERT', kind: 'string' },
  key: { env: 'ARM_EMULATOR_KEY', kind: 'string' },
  config: { env: 'ARM_EMULATOR_CONFIG', kind: 'string' },
  'no-fsync': { env: 'ARM_EMULATOR_NO_FSYNC', kind: 'bool' },
  quiet: { env: 'ARM_EMULATOR_QUIET', kind: 'bool' },
  'log-level': { env: 'ARM_EMULATOR_LOG_LEVEL', kind: 'string' },
  'operation-retention': { env: 'ARM_EMULATOR_OPERATION_RETENTION', kind: 'number' },
  recover: { env: 'ARM_EMULATOR_RECOVER', kind: 'bool' },
  'public-url': { env: 'ARM_EMULATOR_PUBLIC_URL', kind: 'string' },
  'request-timeout': { env: 'ARM_EMULATOR_REQUEST_TIMEOUT', kind: 'number' },
  store: { env: 'ARM_EMULATOR_STORE', kind: 'string' },
  'no-catalogue': { env: 'ARM_EMULATOR_NO_CATALOGUE', kind: 'bool' },
  'template-time-limit': { env: 'ARM_EMULATOR_TEMPLATE_TIME_LIMIT', kind: 'number' },
};

export class ConfigError extends Error {}

function truthy(v: string): boolean {
  return !/^(0|false|no|off)$/i.test(v);
}

/** Parses argv (without node and script) and the environment into a config. */
export function parseConfig(argv: string[], env: Env = process.env, cwd = process.cwd()): EmulatorConfig {
  const raw: Record<string, string> = {};
  for (const [flag, spec] of Object.entries(FLAGS)) {
    const v = env[spec.env];
    if (v !== undefined && v !== '') raw[flag] = v;
  }
  // Non-strict so that a boolean flag may still carry a value (--quiet=false), as it always could; unknown
  // options, positionals and missing values are refused below, from the tokens parseArgs returns.
  const { tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(FLAGS).map(([n, f]) => [n, { type: f.kind === 'bool' ? ('boolean' as const) : ('string' as const) }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const t of tokens ?? []) {
    if (t.kind === 'positional') throw new ConfigError(`unexpected argument '${t.value}'`);
    if (t.kind === 'option-terminator') throw new ConfigError(`unexpected argument '--'`);
    if (t.kind !== 'option') continue;
    const spec = FLAGS[t.name];
    if (!spec || !t.rawName.startsWith('--')) throw new ConfigError(`unknown option '${t.rawName}'`);
    if (spec.kind === 'bool') raw[t.name] = t.value ?? 'true';
    else {
      if (t.value === undefined) throw new ConfigError(`option '--${t.name}' needs a value`);
      raw[t.name] = t.value;
    }
  }
  const num = (name: string, def: number, min: number): number => {
    if (raw[name] === undefined) return def;
    const n = Number(raw[name]);
    if (!Number.isFinite(n) || n < min) throw new ConfigError(`--${name} must be a number >= ${min}, got '${raw[name]}'`);
    return n;
  };
  const bool = (name: string) => (raw[name] === undefined ? false : truthy(raw[name]));
  const tenantId = env.ARM_EMULATOR_TENANT_ID || WELL_KNOWN.tenantId;
  const port = num('port', 8443, 0);
  const logLevel = (raw['log-level'] ?? (bool('quiet') ? 'error' : 'warn')).toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${raw['log-level']}'`);
  if (!Number.isInteger(port) || port > 65535) throw new ConfigError(`--port must be an integer 0-65535`);
  return {
    port,
    host: raw.host ?? '127.0.0.1',
    dataDir: raw['data-dir'] ?? `${cwd}/.arm-emulator`,
    inMemory: bool('in-memory'),
    timeScale: num('time-scale', 0.01, 0),
    retryAfter: num('retry-after', 1, 0),
    auth: !bool('no-auth'),
    tls: !bool('http'),
    certPath: raw.cert,
    keyPath: raw.key,
    configFile: raw.config,
    fsync: !bool('no-fsync'),
    quiet: bool('quiet'),
    logLevel,
    operationRetentionHours: num('operation-retention', 24, 0),
    recover: bool('recover'),
    publicUrl: raw['public-url'] === undefined ? undefined : publicUrl(raw['public-url']),
    requestTimeout: num('request-timeout', 60, 0.1),
    store: raw.store === undefined ? undefined : storeUrl(raw.store),
    catalogue: !bool('no-catalogue'),
    templateTimeLimit: num('template-time-limit', 10, 0.1),
    tenantId,
    subscriptions: [
      {
        subscriptionId: env.ARM_EMULATOR_SUBSCRIPTION_ID || WELL_KNOWN.subscriptionId,
        tenantId,
        displayName: 'Emulator Subscription',
      },
    ],
    servicePrincipals: [
      {
        clientId: env.ARM_EMULATOR_CLIENT_ID || WELL_KNOWN.clientId,
        clientSecret: env.ARM_EMULATOR_CLIENT_SECRET || WELL_KNOWN.clientSecret,
        tenantId,
        displayName: 'Emulator Service Principal',
      },
    ],
    tokenLifetime: 3600,
    maxBodyBytes: 4 * 1024 * 1024,
  };
}

function storeUrl(v: string): string {
  if (!/^postgres(ql)?:\/\/./i.test(v)) throw new ConfigError(`--store must be a PostgreSQL URL such as postgres://user:password@host:5432/database, got '${v.replace(/:[^:@/]*@/, ':***@')}'`);
  try {
    new URL(v);
  } catch {
    throw new ConfigError(`--store is not a valid URL: '${v.replace(/:[^:@/]*@/, ':***@')}'`);
  }
  return v;
}

function publicUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(`--public-url must be an absolute http(s) URL, got '${v}'`);
  }
  if (!/^https?:$/.test(u.protocol) || u.search || u.hash || u.username || u.password || (u.pathname !== '/' && u.pathname !== ''))
    throw new ConfigError(`--public-url must be an http(s) origin such as https://arm.example.test:8443 (no path, query or credentials), got '${v}'`);
  return `${u.protocol}//${u.host}`;
}

/** Merges a config file's {subscriptions, servicePrincipals} into the config. */
export function mergeConfigFile(cfg: EmulatorConfig, file: any): EmulatorConfig {
  const out = { ...cfg };
  if (file == null || typeof file !== 'object') throw new ConfigError('config file must hold a JSON object');
  if (file.subscriptions !== undefined) {
    if (!Array.isArray(file.subscriptions)) throw new ConfigError('config: subscriptions must be an array');
    out.subscriptions = [...cfg.subscriptions];
    for (const s of file.subscriptions) {
      if (typeof s?.subscriptionId !== 'string') throw new ConfigError('config: each subscription needs a subscriptionId');
      out.subscriptions.push({
        subscriptionId: s.subscriptionId,
        tenantId: typeof s.tenantId === 'string' ? s.tenantId : cfg.tenantId,
        displayName: typeof s.displayName === 'string' ? s.displayName : s.subscriptionId,
      });
    }
  }
  if (file.servicePrincipals !== undefined) {
    if (!Array.isArray(file.servicePrincipals)) throw new ConfigError('config: servicePrincipals must be an array');
    out.servicePrincipals = [...cfg.servicePrincipals];
    for (const p of file.servicePrincipals) {
      if (typeof p?.clientId !== 'string' || typeof p?.clientSecret !== 'string') throw new ConfigError('config: each service principal needs clientId and clientSecret');
      out.servicePrincipals.push({
        clientId: p.clientId,
        clientSecret: p.clientSecret,
        tenantId: typeof p.tenantId === 'string' ? p.tenantId : cfg.tenantId,
        displayName: p.displayName,
      });
    }
  }
  return out;
}
