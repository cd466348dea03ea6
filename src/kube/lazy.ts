// The Kubernetes API server as the emulator holds it (services.kube): the whole of src/kube (API core,
// controllers, kubectl, protobuf, yaml, jsonwebtoken: about a sixth of the emulator's code) is loaded when a
// cluster exists, not before. An emulator started on a store without clusters answers ARM at once and loads
// the Kubernetes side when the first cluster appears (the same look at the store the server itself makes
// every SCAN_MS), when a request reaches /k8s/ or a root kube path, or when something is put into a cluster.
// Until then every question is answered as the server itself would answer it: there is no cluster, or (for
// a cluster created a moment ago) what the cluster's ARM resource says, computed by the same functions.
// A store with clusters (a restart) loads the server before the emulator answers, its objects read in slices.

import type { Request, Response, NextFunction, RequestHandler } from 'express';
import type { KubeApiServer, KubeObjectJson, KubeObjectRef, Principal, Services, StoredResource } from '../framework/types.js';
import type { TaskSpec } from '../arm/asyncOperations.js';
import { KUBERNETES_AUDIENCES, type TokenService } from '../identity/tokens.js';
import { allClusters, clusterCredentials, clusterOfArmId, describeCluster, namespaceScopeOf, RUN_COMMAND_TASK } from './clusters.js';
import { CLUSTERS } from './store.js';
import { KubeErrors } from './status.js';
import type { KubeService } from './service.js';

/** What the emulator drives of the Kubernetes side besides KubeApiServer: its serving identity and its life. */
export interface KubeServer extends KubeApiServer {
  attach(opts: { tokens: TokenService; caPem?: string }): void;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** How often a store without clusters is looked at for a new one (as often as the server scans). */
const SCAN_MS = 200;

const loadService = async (): Promise<typeof KubeService> => (await import('./service.js')).KubeService;

/** The Kubernetes side for these services: the server itself when the store has clusters, else the lazy front. */
export async function kubeServer(services: Services): Promise<KubeServer> {
  const stored = services.store.values(CLUSTERS).next();
  if (!stored.done || allClusters(services).length > 0) return openService(services);
  return new LazyKube(services);
}

async function openService(services: Services): Promise<KubeService> {
  const KubeServiceClass = await loadService();
  const { KubeStore } = await import('./store.js');
  return new KubeServiceClass(services, await KubeStore.open(services.store));
}

class LazyKube implements KubeServer {
  private real?: KubeService;
  private loading?: Promise<KubeService>;
  private tokens?: TokenService;
  private caPem?: string;
  private started = false;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private lastSeen = '';
  private routers?: { main: RequestHandler; root: RequestHandler };

  constructor(private readonly services: Services) {
    // A command in flight at a restart has a cluster (so the server is loaded); this is for a task that starts
    // in the moment between a cluster's creation and the server's loading.
    services.asyncOperations?.registerTaskKind(RUN_COMMAND_TASK, { run: async (t, op) => (await this.load()).runCommandTask(t, op) });
  }

  /** The server, loaded once (and started, attached, closed as this front was). */
  load(): Promise<KubeService> {
    this.loading ??= (async () => {
      const k = await openService(this.services);
      if (this.tokens) k.attach({ tokens: this.tokens, caPem: this.caPem });
      if (this.timer) clearInterval(this.timer);
      if (this.started && !this.closed) await k.start();
      this.real = k;
      return k;
    })();
    return this.loading;
  }

  attach(opts: { tokens: TokenService; caPem?: string }): void {
    this.tokens = opts.tokens;
    this.caPem = opts.caPem;
    this.real?.attach(opts);
  }

  async start(): Promise<void> {
    this.started = true;
    this.timer = setInterval(() => this.look(), SCAN_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.loading) await (await this.loading.catch(() => undefined))?.close();
  }

  /** A cluster appeared: the server takes over (it bootstraps the cluster on its first scan). */
  private look(): void {
    const seen = `${this.services.store.version()}|${this.services.fabric?.changeCount() ?? 0}`;
    if (seen === this.lastSeen || this.loading) return;
    this.lastSeen = seen;
    if (allClusters(this.services).length) this.wanted();
  }

  private wanted(): void {
    this.load().catch((e) => {
      this.loading = undefined;
      if (!this.services.config.quiet) console.error('[kube] could not load the Kubernetes API server:', e);
    });
  }

  private clusterOf(armId: string) {
    const v = clusterOfArmId(this.services, armId);
    if (v) this.wanted();
    return v;
  }

  credentials(armId: string) {
    return this.real ? this.real.credentials(armId) : clusterCredentials(this.services, this.clusterOf(armId), this.caPem);
  }

  userToken(principal: Principal, audience = KUBERNETES_AUDIENCES[0]): string {
    if (this.real) return this.real.userToken(principal, audience);
    if (!this.tokens) throw KubeErrors.serviceUnavailable('the token service is not ready');
    return this.tokens.issueFor(principal.clientId, audience).access_token;
  }

  async applyObjects(armId: string, objects: KubeObjectJson[], fieldManager: string): Promise<KubeObjectJson[]> {
    return (await this.load()).applyObjects(armId, objects as never, fieldManager);
  }

  async deleteObjects(armId: string, refs: KubeObjectRef[]): Promise<void> {
    return (await this.load()).deleteObjects(armId, refs);
  }

  listObjects(armId: string, apiVersion: string, kind: string, namespace?: string): KubeObjectJson[] {
    if (this.real) return this.real.listObjects(armId, apiVersion, kind, namespace);
    // a cluster the server has not seen yet has no objects
    this.clusterOf(armId);
    return [];
  }

  describe(armId: string) {
    return this.real ? this.real.describe(armId) : describeCluster(this.services, this.clusterOf(armId));
  }

  namespaceScope(scopeId: string): StoredResource | undefined {
    return this.real ? this.real.namespaceScope(scopeId) : namespaceScopeOf(this.services, scopeId, (id) => this.clusterOf(id));
  }

  commandTask(armId: string, request: { command: string; context?: string; clusterToken?: string }, durationMs: number): TaskSpec {
    if (this.real) return this.real.commandTask(armId, request, durationMs);
    const v = this.clusterOf(armId);
    if (!v) throw KubeErrors.notFound('', 'clusters', armId);
    throw KubeErrors.serviceUnavailable(v.serving ? "the cluster's Kubernetes API is starting: try again in a moment" : (v.why ?? 'the cluster is not running'));
  }

  async ready(armId: string): Promise<void> {
    if (!this.real && clusterOfArmId(this.services, armId)) await this.load();
  }

  private handler(which: 'main' | 'root'): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const serve = () => this.routers![which](req, res, next);
      if (this.routers) return serve();
      this.load().then((k) => {
        this.routers ??= { main: k.router(), root: k.rootRouter() };
        serve();
      }, next);
    };
  }

  router(): RequestHandler {
    return this.handler('main');
  }

  rootRouter(): RequestHandler {
    return this.handler('root');
  }
}
