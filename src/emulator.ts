// Assembles one emulator: store, registry, engine, providers, identity and the HTTP(S) server.
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
import { LocationCatalog } from './framework/locationCatalog.js';
import { OperationEngine } from './lro/engine.js';
import { ResourceOperations } from './framework/operations.js';
import { registerCascade } from './framework/cascade.js';
import { operationTypes } from './lro/routes.js';
import { TokenService } from './identity/tokens.js';
import { ensureCertificate } from './identity/certificate.js';
import { createHttpApp } from './arm/http.js';
import { allProviders } from './providers/index.js';
import type { Services } from './framework/services.js';
import type { ResourceProvider } from './framework/types.js';
import { KubeService } from './kube/service.js';

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

export async function createServices(config: EmulatorConfig, providers: ResourceProvider[] = allProviders()): Promise<Services> {
  const dataDir = config.inMemory ? null : config.dataDir;
  const store = await JournalStore.open({ dir: dataDir, fsync: config.fsync, recover: config.recover });
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
  services.kube = new KubeService(services);
  return services;
}

export async function startEmulator(config: EmulatorConfig, opts: EmulatorOptions = {}): Promise<Emulator> {
  if (config.configFile) config = mergeConfigFile(config, JSON.parse(readFileSync(config.configFile, 'utf8')));
  const services = await createServices(config, opts.providers);
  await opts.extend?.(services);
  const tokens = new TokenService(config, config.inMemory ? null : config.dataDir);
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
  let caPem: string | undefined;
  if (config.tls) {
    const tls = await ensureCertificate({ dataDir: config.inMemory ? null : config.dataDir, certPath: config.certPath, keyPath: config.keyPath });
    caPath = tls.caPath;
    caPem = tls.cert;
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
  await services.operations.resumeAll();
  // Kubernetes API servers of the clusters: they know where they are served and which certificate clients trust.
  services.kube?.attach({ tokens, caPem });
  await services.kube?.start();
  return {
    services,
    tokens,
    app,
    server,
    url,
    caPath,
    async close() {
      services.operations.stop();
      await services.kube?.close();
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
