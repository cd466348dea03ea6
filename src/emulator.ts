// Assembles one emulator: store, registry, engine, providers, identity and the HTTP(S) server.
// Tests start it in-process on port 0; main.ts starts it from the command line.

import https from 'node:https';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { mergeConfigFile, type EmulatorConfig } from './config/config.js';
import { JournalStore, StoreConflictError, type Store } from './store/store.js';
import { PgStore } from './store/postgres.js';
import { Registry } from './framework/registry.js';
import { ResourceRepository } from './framework/repository.js';
import { LocationCatalog } from './framework/locationCatalog.js';
import { OperationEngine } from './lro/engine.js';
import { ResourceOperations } from './framework/operations.js';
import { registerCascade } from './framework/cascade.js';
import { operationTypes } from './lro/routes.js';
import { TokenService, newSigningKey } from './identity/tokens.js';
import { ensureCertificate } from './identity/certificate.js';
import { createHttpApp } from './arm/http.js';
import { allProviders } from './providers/index.js';
import { mountFarmAdmin } from './farm/routes.js';
import type { Services } from './framework/services.js';
import type { ResourceProvider } from './framework/types.js';

export interface Emulator {
  services: Services;
  tokens: TokenService;
  app: express.Express;
  server: http.Server | https.Server;
  url: string;
  caPath?: string;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  providers?: ResourceProvider[];
  /** Extra set-up after services exist (e.g. the fabric), before the server listens. */
  extend?: (services: Services) => void | Promise<void>;
}

/** The store the config names: PostgreSQL (--store postgres://…, shared by instances) or the embedded journal. */
export async function openStore(config: EmulatorConfig): Promise<Store> {
  if (config.store) return PgStore.open({ url: config.store, retryAfter: Math.max(1, config.retryAfter) });
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
    const pem = newSigningKey();
    try {
      await store.write([{ collection: SECRETS, key: 'token-signing-key', value: { pem, createdAt: new Date().toISOString() } }]);
      return pem;
    } catch (e) {
      if (!(e instanceof StoreConflictError) || i > 5) throw e; // another instance made it first: use theirs
    }
  }
}

export async function createServices(config: EmulatorConfig, providers: ResourceProvider[] = allProviders(), opened?: Store): Promise<Services> {
  const store = opened ?? (await openStore(config));
  const registry = new Registry();
  const resources = new ResourceRepository(store);
  const operations = new OperationEngine(store, registry, resources, config.timeScale);
  // Azure regions; the fabric adds its Azure Stack Hub stamps (each is an ARM location).
  const locations = LocationCatalog.withAzureRegions();
  const services = { config, store, registry, resources, operations, locations, adminRouter: express.Router() } as Omit<Services, 'core'> as Services;
  services.core = new ResourceOperations(services);
  operations.attach(services);
  registerCascade(services);
  for (const p of providers) {
    registry.addProvider(p);
    registry.addProvider({ namespace: p.namespace, types: operationTypes(p) });
  }
  for (const p of providers) await p.init?.(services);
  return services;
}

export async function startEmulator(config: EmulatorConfig, opts: EmulatorOptions = {}): Promise<Emulator> {
  if (config.configFile) config = mergeConfigFile(config, JSON.parse(readFileSync(config.configFile, 'utf8')));
  const store = await openStore(config);
  let services!: Services;
  try {
    // Instances starting together on one database seed one after the other (each sees the other's seeds).
    await store.exclusive('startup', async () => {
      services = await createServices(config, opts.providers, store);
      await opts.extend?.(services);
    });
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  const tokens = new TokenService(config, config.inMemory ? null : config.dataDir, services.store instanceof PgStore ? await sharedSigningKey(services.store) : undefined);
  mountFarmAdmin(services.adminRouter, services);
  const app = createHttpApp(services, tokens);
  let server: http.Server | https.Server;
  // ARM-like timeouts: a client gets --request-timeout seconds (default 60) to send a whole request, and at
  // most 30 s for its headers; a half-sent body no longer holds a connection for Node's 300 s default.
  const requestMs = Math.round(config.requestTimeout * 1000);
  const timeouts = {
    requestTimeout: requestMs,
    headersTimeout: Math.min(requestMs, 30_000),
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(requestMs / 4))),
  };
  let caPath: string | undefined;
  if (config.tls) {
    const tls = await ensureCertificate({ dataDir: config.inMemory ? null : config.dataDir, certPath: config.certPath, keyPath: config.keyPath });
    caPath = tls.caPath;
    server = https.createServer({ cert: tls.cert, key: tls.key, ...timeouts }, app);
  } else {
    server = http.createServer(timeouts, app);
  }
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${port}`;
  // Absolute URLs handed to clients come from the public URL (default: the listen URL), never a Host header.
  const derivedPublicUrl = config.publicUrl === undefined;
  config.publicUrl ??= url;
  const listenOrigins = [url];
  if (host === 'localhost') listenOrigins.push(`${config.tls ? 'https' : 'http'}://127.0.0.1:${port}`);
  tokens.setOrigins([config.publicUrl, ...listenOrigins]);
  if (services.store instanceof PgStore) {
    // A farm: every instance accepts the tokens the others issue (their origins are in the database).
    const mine = tokens.origins();
    const missing = mine.filter((o) => !services.store.has(FARM_ORIGINS, o));
    if (missing.length) await services.store.write(missing.map((o) => ({ collection: FARM_ORIGINS, key: o, value: { since: new Date().toISOString() } }))).catch(() => undefined);
    tokens.setPeerOrigins(function* () {
      for (const [origin] of services.store.entries<unknown>(FARM_ORIGINS)) yield origin;
    });
  }
  // Resume what a previous run left in flight, now that every task kind is registered.
  await services.operations.resumeAll();
  return {
    services,
    tokens,
    app,
    server,
    url,
    caPath,
    async close() {
      services.operations.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as any).closeAllConnections?.();
      });
      for (const hook of services.onClose ?? []) await hook();
      await services.store.close();
      // a config started again (next port) derives its public URL again
      if (derivedPublicUrl) config.publicUrl = undefined;
    },
  };
}
