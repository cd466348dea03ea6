// Assembles one emulator: store, registry, engine, fabric, providers, identity and the HTTP(S) server.
// Tests start it in-process on port 0; main.ts starts it from the command line.

import https from 'node:https';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { mergeConfigFile, type EmulatorConfig } from './config/config.js';
import { JournalStore } from './store/store.js';
import { Registry } from './framework/registry.js';
import { ResourceRepository } from './framework/repository.js';
import { LocationCatalog } from './arm/locations.js';
import { OperationEngine } from './lro/engine.js';
import { ResourceManagerCore } from './framework/resourceManager.js';
import { registerCascade } from './framework/cascade.js';
import { operationTypes } from './lro/routes.js';
import { TokenService } from './identity/tokens.js';
import { ensureCertificate } from './identity/certificate.js';
import { createHttpApp } from './http/app.js';
import { allProviders } from './providers/index.js';
import { openFabric, type FabricOptions } from './fabric/index.js';
import { Authorizer } from './authorization/authorizer.js';
import { KubernetesTargets } from './kubernetes/targets.js';
import type { Services } from './framework/types.js';
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

export interface ServicesOptions {
  /** The providers to serve (default: all of them). */
  providers?: ResourceProvider[];
  /** The on-prem fabric: its options, or false for none (a test of the ARM core alone). Default: the config's sites. */
  fabric?: FabricOptions | false;
}

export interface EmulatorOptions extends ServicesOptions {
  /**
   * Resolve once listening, without waiting for a new token-signing key (generated on a worker thread; the
   * token endpoint waits for it). The command line does this; in-process callers get a ready TokenService.
   */
  answerBeforeKeys?: boolean;
}

/**
 * Builds Services once, complete: the store, registry, repository, locations, the operation engine, the
 * fabric and the role index exist before any provider starts, so providers only read them (their init
 * registers task kinds and seeds data through the resource manager; none assigns a service).
 */
export async function createServices(config: EmulatorConfig, opts: ServicesOptions = {}): Promise<Services> {
  const providers = opts.providers ?? allProviders();
  const dataDir = config.inMemory ? null : config.dataDir;
  const store = await JournalStore.open({ dir: dataDir, fsync: config.fsync, recover: config.recover });
  const registry = new Registry();
  const resources = new ResourceRepository(store);
  const asyncOperations = new OperationEngine(store, registry, resources, config.timeScale, () => services);
  // Azure regions; the fabric adds its Azure Stack Hub stamps (each is an ARM location).
  const locations = LocationCatalog.withAzureRegions();
  const fabric = opts.fabric === false ? undefined : await openFabric({ config, store, locations, tasks: asyncOperations }, opts.fabric);
  // Role assignments are enforced where they can exist: when Microsoft.Authorization is served (and unless the
  // benchmark's baseline turns enforcement off; --no-auth is the switch for users).
  const authorizer = new Authorizer(resources);
  authorizer.enforce = providers.some((p) => p.namespace.toLowerCase() === 'microsoft.authorization') && process.env.ARM_EMULATOR_RBAC_ENFORCEMENT !== 'off';
  const services: Services = {
    config,
    store,
    registry,
    resources,
    locations,
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
  for (const p of providers) await p.init?.(services);
  return services;
}

export async function startEmulator(config: EmulatorConfig, opts: EmulatorOptions = {}): Promise<Emulator> {
  if (config.configFile) config = mergeConfigFile(config, JSON.parse(readFileSync(config.configFile, 'utf8')));
  // First: a new token-signing key is generated on a worker thread while the rest starts.
  const tokens = new TokenService(config, config.inMemory ? null : config.dataDir);
  const services = await createServices(config, opts);
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
  // Resume what a previous run left in flight, now that every task kind is registered.
  await services.asyncOperations.resumeAll();
  if (!opts.answerBeforeKeys) await tokens.ready;
  return {
    services,
    tokens,
    app,
    server,
    url,
    caPath,
    async close() {
      services.asyncOperations.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as any).closeAllConnections?.();
      });
      for (const hook of services.onClose) await hook();
      await services.store.close();
      // a config started again (next port) derives its public URL again
      if (derivedPublicUrl) config.publicUrl = undefined;
    },
  };
}
