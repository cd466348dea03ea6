// Assembles one emulator: store, registry, engine, fabric, providers, identity and the HTTP(S) server.
// Tests start it in-process on port 0; main.ts starts it from the command line.

import { createLogger, type LogSink } from './config/log.js';
import { Clock } from './framework/clock.js';
import type https from 'node:https';
import type http from 'node:http';
import { readFileSync } from 'node:fs';
import type express from 'express';
import { mergeConfigFile, type EmulatorConfig } from './config/config.js';
import { JournalStore, StoreConflictError, type Store } from './store/store.js';
import { Registry } from './framework/registry.js';
import { ResourceRepository } from './framework/repository.js';
import { LocationCatalog } from './arm/locations.js';
import { OperationEngine } from './lro/engine.js';
import { ResourceManagerCore } from './framework/resourceManager.js';
import { registerCascade } from './framework/cascade.js';
import { operationTypes } from './lro/routes.js';
import { TokenService, newSigningKey } from './identity/tokens.js';
import { createHttpApp } from './http/app.js';
import { listen, type Listening } from './http/listen.js';
import { allProviders } from './providers/index.js';
import { GenericTypes } from './providers/generic/index.js';
import { openFabric, type FabricOptions } from './fabric/index.js';
import { Authorizer } from './authorization/authorizer.js';
import { KubernetesTargets } from './kubernetes/targets.js';
import type { Services } from './framework/types.js';
import type { ResourceProvider } from './framework/types.js';
import { kubeServer, type KubeServer } from './kube/lazy.js';
import { watchEventLoop } from './framework/eventLoop.js';

export interface Emulator {
  services: Services;
  tokens: TokenService;
  app: express.Express;
  server: http.Server | https.Server;
  url: string;
  caPath?: string;
  close(): Promise<void>;
}

export interface ServicesOptions {
  /** The providers to serve (default: all of them). */
  providers?: ResourceProvider[];
  /** The on-prem fabric: its options, or false for none (a test of the ARM core alone). Default: the config's sites. */
  fabric?: FabricOptions | false;
  /** Where log lines go (default: stdout, warn and error on stderr). */
  logSink?: LogSink;
}

/** The store the config names: PostgreSQL (--store postgres://…, shared by instances) or the embedded journal. */
export async function openStore(config: EmulatorConfig): Promise<Store> {
  if (config.store) {
    // loaded only for a farm: the driver is not part of a plain start
    const { PgStore } = await import('./store/postgres.js');
    return PgStore.open({ url: config.store, retryAfter: Math.max(1, config.retryAfter) });
  }
  return JournalStore.open({ dir: config.inMemory ? null : config.dataDir, fsync: config.fsync, recover: config.recover });
}

const SECRETS = 'secrets';
/** Origins of the instances of a farm (their tokens are accepted by all). */
const FARM_ORIGINS = 'farmOrigins';

/** The token-signing key every instance of a farm shares (kept in the database), made by whichever instance starts first. */
async function sharedSigningKey(store: Store): Promise<string> {
  for (let i = 0; ; i++) {
    await store.sync();
    const have = store.get<{ pem: string }>(SECRETS, 'token-signing-key');
    if (have) return have.pem;
    const pem = await newSigningKey();
    await store.sync();
    const made = store.get<{ pem: string }>(SECRETS, 'token-signing-key');
    if (made) return made.pem;
    try {
      await store.write([{ collection: SECRETS, key: 'token-signing-key', value: { pem, createdAt: new Date().toISOString() } }]);
      return pem;
    } catch (e) {
      if (!(e instanceof StoreConflictError) || i > 5) throw e; // another instance made it first: use theirs
    }
  }
}

export interface EmulatorOptions extends ServicesOptions {
  /**
   * Resolve once listening, without making a new token-signing key (it is made when `tokens.ready` is first
   * looked at, on a libuv thread; the token endpoint waits for it). The command line does this, and looks once
   * its banner is out; in-process callers get a ready TokenService.
   */
  answerBeforeKeys?: boolean;
  /**
   * A server listening already (src/http/listen.ts): the command line listens before the state is read, so the
   * cloud metadata is answered at once and other requests wait for the emulator (or a 503 if it cannot start).
   */
  listening?: Listening;
  /**
   * An in-memory emulator's token-signing key (RSA, PKCS#8 PEM) instead of a new one: a new RSA-2048 key costs
   * 50 - 400 ms of CPU (a random prime search), most of a start's CPU, so an embedder starting many short-lived
   * emulators in one process (a test suite) passes keys of its own, made once. Used only without a data directory
   * (whose key is its file) and outside a farm (whose key is in its database).
   */
  signingKey?: string;
}

/**
 * Builds Services once, complete: the store, registry, repository, locations, the operation engine, the
 * fabric and the role index exist before any provider starts, so providers only read them (their init
 * registers task kinds and seeds data through the resource manager; none assigns a service).
 */
export async function createServices(config: EmulatorConfig, opts: ServicesOptions = {}, opened?: Store): Promise<Services> {
  const providers = opts.providers ?? allProviders();
  const store = opened ?? (await openStore(config));
  const registry = new Registry();
  const resources = new ResourceRepository(store);
  const asyncOperations = new OperationEngine(store, registry, resources, config.timeScale, () => services);
  // Azure regions; the fabric adds its Azure Stack Hub stamps (each is an ARM location).
  const locations = LocationCatalog.withAzureRegions();
  const fabric = opts.fabric === false ? undefined : await openFabric({ config, store, locations, tasks: asyncOperations }, opts.fabric);
  // Role assignments are enforced where they can exist: when Microsoft.Authorization is served (and unless the
  // benchmark's baseline turns enforcement off; --no-auth is the switch for users).
  const authorizer = new Authorizer(resources, store);
  authorizer.enforce = providers.some((p) => p.namespace.toLowerCase() === 'microsoft.authorization') && process.env.ARM_EMULATOR_RBAC_ENFORCEMENT !== 'off';
  const services: Services = {
    config,
    log: createLogger(config.logLevel, opts.logSink),
    store,
    registry,
    resources,
    locations,
    clock: new Clock(store),
    asyncOperations,
    resourceManager: new ResourceManagerCore(() => services),
    targets: new KubernetesTargets({ resources, registry, locations, fabric }),
    fabric,
    authorizer,
    onClose: fabric ? [() => fabric.close()] : [],
  };
  registerCascade(services);
  for (const p of providers) {
    registry.addProvider(p);
    registry.addProvider({ namespace: p.namespace, types: operationTypes(p) });
  }
  // Every other type of the public catalogue, read on first use (src/providers/generic).
  if (config.catalogue !== false) registry.setSource(new GenericTypes(services));
  for (const p of providers) await p.init?.(services);
  // The Kubernetes API server: loaded now when the store has clusters, else when the first one appears (src/kube/lazy.ts).
  services.kube = await kubeServer(services);
  return services;
}

export async function startEmulator(config: EmulatorConfig, opts: EmulatorOptions = {}): Promise<Emulator> {
  if (config.configFile) config = mergeConfigFile(config, JSON.parse(readFileSync(config.configFile, 'utf8')));
  watchEventLoop();
  // A new token-signing key is generated on a worker thread while the rest starts (a farm's is in its database).
  const farm = !!config.store;
  let tokens = farm ? undefined : config.inMemory ? new TokenService(config, null, opts.signingKey) : new TokenService(config, config.dataDir);
  const store = await openStore(config);
  let services!: Services;
  try {
    // Instances starting together on one database seed one after the other (each sees the other's seeds).
    await store.exclusive('startup', async () => {
      services = await createServices(config, opts, store);
    });
  } catch (e) {
    opts.listening?.fail(e);
    await store.close().catch(() => undefined);
    throw e;
  }
  let listening = opts.listening;
  let kube: KubeServer | undefined;
  try {
    tokens ??= new TokenService(config, null, await sharedSigningKey(services.store));
    listening ??= await listen(config);
  } catch (e) {
    opts.listening?.fail(e);
    await store.close().catch(() => undefined);
    throw e;
  }
  const app = createHttpApp(services, tokens);
  const { server, url, caPath, caPem } = listening;
  const { hostname: host, port } = new URL(url);
  // Absolute URLs handed to clients come from the public URL (default: the listen URL), never a Host header.
  const derivedPublicUrl = config.publicUrl === undefined;
  config.publicUrl ??= url;
  const listenOrigins = [url];
  if (host === 'localhost') listenOrigins.push(`${config.tls ? 'https' : 'http'}://127.0.0.1:${port}`);
  tokens.setOrigins([config.publicUrl, ...listenOrigins]);
  if (farm) {
    // A farm: every instance accepts the tokens the others issue (their origins are in the database).
    const mine = tokens.origins();
    const missing = mine.filter((o) => !services.store.has(FARM_ORIGINS, o));
    if (missing.length) await services.store.write(missing.map((o) => ({ collection: FARM_ORIGINS, key: o, value: { since: new Date().toISOString() } }))).catch(() => undefined);
    tokens.setPeerOrigins(function* () {
      for (const [origin] of services.store.entries<unknown>(FARM_ORIGINS)) yield origin;
    });
  }
  try {
    // Resume what a previous run left in flight, now that every task kind is registered.
    await services.asyncOperations.resumeAll();
    // Kubernetes API servers of the clusters: they know where they are served and which certificate clients trust.
    kube = services.kube as KubeServer | undefined;
    kube?.attach({ tokens, caPem });
    await kube?.start();
    if (!opts.answerBeforeKeys) await tokens.ready;
  } catch (e) {
    listening.fail(e);
    throw e;
  }
  // every request from now on (and those that arrived while the state was read) goes to the app
  listening.serve(app);
  return {
    services,
    tokens,
    app,
    server,
    url,
    caPath,
    async close() {
      services.asyncOperations.stop();
      await kube?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as any).closeAllConnections?.();
      });
      for (const hook of services.onClose) await hook();
      await services.asyncOperations.stoppedCleanly();
      await services.store.close();
      // a config started again (next port) derives its public URL again
      if (derivedPublicUrl) config.publicUrl = undefined;
    },
  };
}
