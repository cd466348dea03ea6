#!/usr/bin/env node
// Command-line entry: `npm start -- [--port 8443] [--data-dir DIR] [--in-memory] [--time-scale F] ...` starts
// the emulator; `arm-emulator env|aksarc|connectedk8s|k8s-extension|customlocation ...` runs a client command
// (src/cli) without loading the emulator.

//
// Nothing but Node's own modules is imported statically here: when the bundle (scripts/bundle.mjs, built by
// `npm install`, `npm start` and `npm run build`) is fresh, this file only hands over to it, and a start then
// reads a few files instead of resolving and compiling ~900 modules one at a time.

import path from 'node:path';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Services } from './framework/types.js';

/** True inside the bundle (esbuild defines it); undeclared when these modules run as they are. */
declare const ARM_EMULATOR_BUNDLE: boolean | undefined;

/** dist/src/bundle/main.js, when it was built after the last build of dist/src (else the modules run as they are). */
export function freshBundle(): URL | undefined {
  if (typeof ARM_EMULATOR_BUNDLE !== 'undefined' || process.env.ARM_EMULATOR_NO_BUNDLE) return undefined;
  const url = new URL('./bundle/main.js', import.meta.url);
  const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const mtime = (f: string) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  const bundled = mtime(fileURLToPath(url));
  if (bundled < 0) return undefined;
  // what each way of building writes last: tsc (incremental), scripts/build-if-stale.mjs (full and --src)
  const built = Math.max(...['.tsbuildinfo', '.build-stamp', '.build-stamp-src'].map((f) => mtime(path.join(dist, f))));
  return bundled >= built ? url : undefined;
}

async function main(): Promise<void> {
  const bundle = freshBundle();
  if (bundle) {
    await import(bundle.href);
    return;
  }
  const { ConfigError, parseConfig } = await import('./config/config.js');
  const { CLI_GROUPS } = await import('./cli/groups.js');
  if (CLI_GROUPS.has(process.argv[2] ?? '')) {
    const { runCli } = await import('./cli/index.js');
    process.exitCode = await runCli(process.argv.slice(2));
    return;
  }
  if (process.argv[2] === 'snapshot') {
    try {
      console.log(await snapshotCommand(process.argv.slice(3)));
      process.exit(0);
    } catch (e) {
      console.error(`arm-emulator: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(e instanceof ConfigError ? 2 : 1);
    }
  }
  let config;
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`arm-emulator: ${e.message}`);
      console.error(
        'options: --port N  --host H  --data-dir DIR  --in-memory  --time-scale F  --retry-after S  --no-auth  --http  --cert FILE --key FILE  --config FILE  --no-fsync  --quiet  --log-level error|warn|info|debug  --operation-retention HOURS  --recover  --public-url URL  --request-timeout S  --store postgres://…  --no-catalogue',
      );
      process.exit(2);
    }
    throw e;
  }
  if (config.configFile) {
    const { readFileSync } = await import('node:fs');
    const { mergeConfigFile } = await import('./config/config.js');
    config = { ...mergeConfigFile(config, JSON.parse(readFileSync(config.configFile, 'utf8'))), configFile: undefined };
  }
  // Listening first: the cloud metadata is answered while the emulator is loaded and its state read; other
  // requests wait for it (src/http/listen.ts). The banner below comes once everything answers.
  const { listen } = await import('./http/listen.js');
  // the emulator's code is read and compiled while the certificate is read or made (its disk syncs wait on
  // libuv's threads); a failed import is reported where it is awaited
  const emulator = import('./emulator.js');
  emulator.catch(() => undefined);
  const listening = await listen(config);
  const { startEmulator } = await emulator;
  const { redactUrl } = await import('./store/url.js');
  const { removeEndpointFile, writeEndpointFile } = await import('./cli/endpoint.js');
  const { releaseMemoryWhenIdle } = await import('./framework/idleMemory.js');
  const emu = await startEmulator(config, { answerBeforeKeys: true, listening });
  // an idle emulator gives back the young generation start-up or a burst of requests grew
  releaseMemoryWhenIdle();
  // What start-up had to repair or recover (torn journal tail, snapshot fallback, --recover): always said.
  const store = emu.services.store as { notices?: string[]; onNotice?: (fn: (n: string) => void) => void };
  for (const n of store.notices ?? []) console.error(`arm-emulator: ${n}`);
  // and what is found after start-up (journals the snapshot covers are checked in the background)
  store.onNotice?.((n) => console.error(`arm-emulator: ${n}`));
  const sp = config.servicePrincipals[0];
  const sub = config.subscriptions[0];
  // written before the banner: where `arm-emulator env` and the client commands find this emulator (removed at a clean stop)
  const dataDir = config.inMemory ? undefined : config.dataDir;
  if (dataDir) {
    try {
      writeEndpointFile(dataDir, {
        url: config.publicUrl ?? emu.url,
        ...(emu.caPath ? { ca: emu.caPath } : {}),
        pid: process.pid,
        startedAt: new Date().toISOString(),
        tenantId: sub.tenantId,
        subscriptionId: sub.subscriptionId,
        clientId: sp.clientId,
        clientSecret: sp.clientSecret,
      });
    } catch (e) {
      console.error(`arm-emulator: could not write ${dataDir}/endpoint.json (${e instanceof Error ? e.message : e}): \`arm-emulator env\` will need --url`);
    }
  }
  const envArgs = [
    ...(config.inMemory ? ['--url', config.publicUrl ?? emu.url] : []),
    ...(!config.inMemory && path.resolve(config.dataDir) !== path.resolve('.arm-emulator') ? ['--data-dir', config.dataDir] : []),
  ];
  const lines = [
    `ARM emulator listening on ${emu.url}`,
    ...(config.publicUrl && config.publicUrl !== emu.url ? [`  public URL:   ${config.publicUrl}`] : []),
    `  store:        ${config.store ? `PostgreSQL ${redactUrl(config.store)} (shared by every instance started with it)` : config.inMemory ? 'in memory (nothing is written)' : config.dataDir}`,
    `  time scale:   ${config.timeScale}${timeScaleNote(config.timeScale)}${config.auth ? '' : '   AUTH DISABLED (--no-auth)'}`,
    emu.caPath ? `  CA cert:      ${emu.caPath}   (export REQUESTS_CA_BUNDLE=... for az, NODE_EXTRA_CA_CERTS=... for Node)` : '  TLS:          off (--http)',
    `  tenant:       ${sub.tenantId}`,
    `  subscription: ${sub.subscriptionId}`,
    `  client id:    ${sp.clientId}`,
    `  secret:       ${sp.clientSecret}`,
    '',
    '  In another terminal, in this folder: az (signed in, in a config folder of its own), curl, Node, Python, Ansible:',
    `  eval "$(npm run -s env${envArgs.length ? ` -- ${envArgs.join(' ')}` : ''})"`,
  ];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (state is saved; operations in flight resume at next start)`);
    if (dataDir) removeEndpointFile(dataDir, process.pid);
    await emu.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // the banner last: a supervisor that stops the emulator as soon as it reads it gets the clean stop
  console.log(lines.join('\n'));
  // A fresh data directory's token-signing key (RSA-2048: 50 - 400 ms of CPU on a libuv thread) is made now,
  // after the banner, so it does not compete with start-up for the CPU; a token request that comes first waits
  // for it (the token route awaits tokens.ready, which starts it). A key read from disk is ready already.
  emu.tokens.ready.catch((e) => {
    console.error('arm-emulator: the token-signing key could not be generated:', e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

/** What the time scale means for a user, e.g. 'az aks create' taking a second or two minutes. */
function timeScaleNote(scale: number): string {
  if (scale === 0) return '   (operations finish as fast as possible, still asynchronous)';
  if (scale < 0.1) return `   (fast: long-running operations finish in about a second; --time-scale 1 for real durations)`;
  if (scale < 1) return `   (operations take ${scale} x their real duration; --time-scale 1 for real durations)`;
  return `   (real durations: az aks create takes about two minutes)`;
}

// ---- `arm-emulator snapshot export FILE [--subscription ID]` / `arm-emulator snapshot import FILE` ----------------
// The same snapshots as /_emulator/snapshots, straight against the store the usual options name (--store
// postgres://… or --data-dir). With PostgreSQL, running instances follow an import at once; the embedded journal
// store belongs to one process, so stop the emulator using that data directory first.

export const SNAPSHOT_USAGE = 'usage: arm-emulator snapshot export FILE [--subscription ID] | arm-emulator snapshot import FILE   (plus --store postgres://… or --data-dir DIR)';

export async function snapshotCommand(argv: string[]): Promise<string> {
  const { ConfigError, parseConfig } = await import('./config/config.js');
  const [verb, file, ...rest] = argv;
  if ((verb !== 'export' && verb !== 'import') || !file || file.startsWith('--')) throw new ConfigError(SNAPSHOT_USAGE);
  let subscription: string | undefined;
  const opts: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--subscription') subscription = rest[++i];
    else if (rest[i].startsWith('--subscription=')) subscription = rest[i].slice('--subscription='.length);
    else opts.push(rest[i]);
  }
  if (verb === 'import' && subscription) throw new ConfigError('import takes the subscription from the snapshot: drop --subscription');
  const config = parseConfig([...opts, '--quiet']);
  // loaded here, not at the top: `arm-emulator env` and the client commands start without the emulator's code
  const { readSnapshotFile, writeSnapshotFile, SnapshotError } = await import('./farm/snapshotFile.js');
  const { exportState, importState } = await import('./farm/state.js');
  const { createServices, openStore } = await import('./emulator.js');
  let doc;
  try {
    doc = verb === 'import' ? await readSnapshotFile(file) : undefined; // refused before anything is opened
  } catch (e) {
    if (e instanceof SnapshotError) throw new ConfigError(e.message);
    throw e;
  }
  const store = await openStore(config);
  let services: Services | undefined;
  try {
    await store.exclusive('startup', async () => {
      services = await createServices(config, {}, store);
    });
    if (verb === 'export') {
      const out = exportState(services!, subscription);
      await writeSnapshotFile(file, out);
      return `exported ${Object.values(out.collections).reduce((n, c) => n + Object.keys(c).length, 0)} keys${subscription ? ` of subscription ${subscription}` : ''} to ${file}`;
    }
    const r = await importState(services!, doc!);
    return `imported ${r.written} keys${r.subscriptionId ? ` into subscription ${r.subscriptionId}` : ''} (${r.deleted} removed) from ${file}`;
  } catch (e) {
    if (e instanceof SnapshotError) throw new ConfigError(e.message);
    throw e;
  } finally {
    services?.asyncOperations.stop();
    for (const hook of services?.onClose ?? []) await hook();
    await store.close();
  }
}

main().catch((e) => {
  console.error('arm-emulator failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
