// The Kubernetes side of the emulator in one object (services.kube): the object store, the API core, the
// controllers, the cluster registry (which ARM resources have an API, under which key), the HTTP edge's
// host, the endpoint and credentials kubeconfigs carry, and the in-process API other providers use to put
// objects into a cluster (Arc extensions, Flux configurations).

import type { X509Certificate } from 'node:crypto';
import type { Services } from '../framework/types.js';
import type { Principal, StoredResource } from '../framework/types.js';
import type { TokenService } from '../identity/tokens.js';
import { KUBERNETES_AUDIENCES } from '../identity/tokens.js';
import { KubeApi, SYSTEM_USER, type UserInfo, type BatchChange } from './api.js';
import { KubeStore } from './store.js';
import { allClusters, clusterCredentials, clusterOfArmId, describeCluster, kubeServerUrl, localTokens, namespaceScopeOf, RUN_COMMAND_TASK, type ClusterView } from './clusters.js';
import { BUILTINS, BUILTIN_KINDS } from './kinds/index.js';
import { KindRegistry, type ResourceDef } from './kinds/registry.js';
import { crdEstablished, crdResources } from './kinds/crd.js';
import { ControllerLeases } from './lease.js';
import { storageOf } from './kinds/registry.js';
import { ADMIN_USER, authenticate } from './auth/authn.js';
import { certificateUser } from '../kubernetes/x509.js';
import { bootstrapObjects, BOOTSTRAP_VERSION } from './bootstrap.js';
import { ControllerRuntime, type Controller } from './controllers/runtime.js';
import { namespaceController } from './controllers/namespaces.js';
import { nodeController } from './controllers/nodes.js';
import { deploymentController, replicaSetController } from './controllers/workloads.js';
import { cronJobController, daemonSetController, jobController, statefulSetController } from './controllers/sets.js';
import { schedulerController } from './controllers/scheduler.js';
import { certificateSigner } from './controllers/certificates.js';
import { horizontalPodAutoscaler } from './controllers/autoscaler.js';
import { kubeletController, nodeLifecycleController } from './controllers/kubelet.js';
import { garbageCollector } from './controllers/gc.js';
import { endpointsController, IPS, loadBalancerController } from './controllers/network.js';
import { volumeController } from './controllers/volumes.js';
import { crdController } from './controllers/crds.js';
import { kubeRouter, type KubeHost } from './http/router.js';
import { KubeErrors } from './status.js';
import { StoreConflictError } from '../store/store.js';

import { apiVersionOf, type KubeObject } from './model.js';
import { authorizer } from './auth/authz.js';
import type { KubectlHost } from './command/kubectl.js';
import { runInPod, unpackContext, type CommandResult } from './command/pod.js';
import type { OperationRecord, TaskRecord, TaskSpec } from '../arm/asyncOperations.js';

export { RUN_COMMAND_TASK };

/** How often the registry looks for clusters that appeared, went or changed (wall ms; a change check only). */
const SCAN_MS = 200;

export interface Credentials {
  server: string;
  /** PEM of the certificate clients trust for the server (undefined over plain HTTP). */
  caPem?: string;
  adminToken: string;
  userToken: string;
  monitoringToken: string;
}

export class KubeService implements KubeHost {
  readonly store: KubeStore;
  readonly api: KubeApi;
  readonly runtime: ControllerRuntime;
  /** Several instances on one store: which clusters' controllers this one runs (undefined: one instance, all). */
  readonly leases?: ControllerLeases;
  private tokens?: TokenService;
  private caPem?: string;
  /** key -> anchor ARM id. */
  private readonly anchors = new Map<string, string>();
  /** Last view seen per key (facts for the kind hooks between scans). */
  private readonly views = new Map<string, ClusterView>();
  private readonly ensuring = new Map<string, Promise<void>>();
  private readonly shutdown = new Set<() => void>();
  private scanTimer?: NodeJS.Timeout;
  /** Per cluster: what its nodes were last woken for (see scan). */
  private readonly nodeMarks = new Map<string, string>();
  /** Clusters whose lease this instance took and whose controllers have not had their first pass here yet. */
  private readonly firstPass = new Set<string>();
  private lastSeen = '';
  private scanning?: Promise<void>;
  readonly maxBodyBytes: number;
  readonly quiet: boolean;

  /** `store`: one read already (KubeStore.open reads a large one in slices); by default it is read here. */
  constructor(
    private readonly services: Services,
    store?: KubeStore,
  ) {
    this.store = store ?? new KubeStore(services.store);
    this.maxBodyBytes = Math.min(services.config.maxBodyBytes, 3 * 1024 * 1024);
    this.quiet = services.config.quiet;
    this.api = new KubeApi(this.store, {
      kinds: (c) => this.kinds(c),
      facts: (c) => {
        const v = this.views.get(c);
        return {
          key: c,
          kubernetesVersion: v?.kubernetesVersion ?? '1.30.0',
          serviceCidr: v?.serviceCidr ?? '10.0.0.0/16',
          dnsServiceIP: v?.dnsServiceIP ?? '10.0.0.10',
          podCidr: v?.podCidr ?? '10.244.0.0/16',
          clusterDomain: 'cluster.local',
        };
      },
      authorize: (c, user, attrs) => authorizer(this.services, this.store, this.views.get(c), user, attrs),
    });
    const leases = services.store.shared
      ? new ControllerLeases(services.store, {
          now: () => services.clock.now(),
          acquired: (c) => this.acquired(c),
          lost: (c) => this.runtime.forget(c),
          quiet: this.quiet,
        })
      : undefined;
    this.leases = leases;
    this.runtime = new ControllerRuntime({
      api: this.api,
      store: this.store,
      // Each pass sees the cluster as ARM has it now (pools just added, a stop just asked for).
      view: (c) => this.resolve(c),
      timeScale: () => services.config.timeScale,
      fabric: () => services.fabric,
      services,
      quiet: this.quiet,
      holds: leases && ((c) => leases.holds(c)),
    });
    for (const c of CONTROLLERS) this.runtime.register(c);
    // Registered before operations resume, so a command in flight at a restart runs again.
    services.asyncOperations?.registerTaskKind(RUN_COMMAND_TASK, { run: (t, op) => this.runCommandTask(t, op) });
  }

  /** The serving identity, once the server listens (the TLS certificate clients trust, the token service). */
  attach(opts: { tokens: TokenService; caPem?: string }): void {
    this.tokens = opts.tokens;
    this.caPem = opts.caPem;
  }

  /** Starts following the resource store and the fabric (controllers of every cluster wake once). */
  async start(): Promise<void> {
    this.leases?.start();
    // Not awaited: a cluster's first pass must never hold up the emulator's start (requests ensure their cluster).
    void this.scan(true);
    this.scanTimer = setInterval(() => void this.scan(false), SCAN_MS);
    this.scanTimer.unref();
    this.services.fabric?.onOwnerChanged((owner) => {
      for (const v of this.views.values()) if (v.vmOwner && v.vmOwner.toLowerCase() === owner.toLowerCase()) this.runtime.wake(v.key, 'nodes');
    });
  }

  async close(): Promise<void> {
    if (this.scanTimer) clearInterval(this.scanTimer);
    this.runtime.stop();
    // The controllers have stopped: another instance takes their clusters over now, not a lease duration later.
    await this.leases?.close();
    for (const fn of [...this.shutdown]) fn();
    this.shutdown.clear();
    // A scan in flight may wait on a store write; shutdown does not wait for it longer than a moment.
    await Promise.race([this.scanning, new Promise((r) => setTimeout(r, 1_000).unref())]);
  }

  registerController(c: Controller): void {
    this.runtime.register(c);
  }

  private readonly kindCache = new Map<string, { sig: string; kinds: KindRegistry }>();

  /** What the cluster serves: the built-in kinds and the resources of its established CustomResourceDefinitions. */
  kinds(cluster: string): KindRegistry {
    const crds = this.store.list(cluster, 'apiextensions.k8s.io/customresourcedefinitions').filter(crdEstablished);
    if (!crds.length) return BUILTINS;
    const sig = crds.map((c) => `${c.metadata.uid}@${c.metadata.resourceVersion}`).join(',');
    const hit = this.kindCache.get(cluster);
    if (hit && hit.sig === sig) return hit.kinds;
    const kinds = new KindRegistry([...BUILTIN_KINDS, ...crds.flatMap(crdResources)]);
    this.kindCache.set(cluster, { sig, kinds });
    return kinds;
  }

  // ---- the cluster registry ------------------------------------------------------------------------------

  /** Grows when ARM or the fabric changes (lease renewals of a farm aside: they change no cluster). */
  private changeMark(): string {
    return `${this.leases ? this.leases.quietVersion() : this.services.store.version()}|${this.services.fabric?.changeCount() ?? 0}`;
  }

  /** The cluster served under a key, as ARM has it now (undefined when gone). */
  resolve(key: string): ClusterView | undefined {
    // Every request resolves its cluster: the view is kept until the store or the fabric changes.
    const seen = this.changeMark();
    const hit = this.resolved.get(key);
    if (hit && hit.seen === seen && this.anchors.has(key)) return hit.view;
    const v = this.resolveNow(key);
    if (v) this.resolved.set(key, { seen, view: v });
    else this.resolved.delete(key);
    return v;
  }

  private readonly resolved = new Map<string, { seen: string; view: ClusterView }>();

  private resolveNow(key: string): ClusterView | undefined {
    let anchor = this.anchors.get(key);
    if (!anchor) {
      this.index(allClusters(this.services));
      anchor = this.anchors.get(key);
      if (!anchor) return undefined;
    }
    const v = clusterOfArmId(this.services, anchor);
    if (!v || v.key !== key) {
      this.anchors.delete(key);
      return undefined;
    }
    this.views.set(key, v);
    return v;
  }

  /** The cluster an ARM id names (an AKS cluster, an AKS hybrid cluster or its connected cluster, an Arc cluster, a bridge). */
  clusterOf(armId: string): ClusterView | undefined {
    const v = clusterOfArmId(this.services, armId);
    if (v) {
      this.anchors.set(v.key, v.anchor);
      this.views.set(v.key, v);
    }
    return v;
  }

  private index(views: ClusterView[]): void {
    for (const v of views) {
      this.anchors.set(v.key, v.anchor);
      this.views.set(v.key, v);
    }
  }

  /** Looks at ARM and the fabric for clusters that appeared, went or changed. */
  private scan(force: boolean): Promise<void> {
    const seen = this.changeMark();
    if (!force && (seen === this.lastSeen || this.scanning)) return this.scanning ?? Promise.resolve();
    this.lastSeen = seen;
    const run = (async () => {
      try {
        const views = allClusters(this.services);
        this.index(views);
        const keys = new Set(views.map((v) => v.key));
        // Not awaited: a lease taken calls acquired(), which bootstraps and wakes the cluster.
        void this.leases?.want(views.filter((v) => v.serving).map((v) => v.key));
        for (const rec of this.store.clusters()) {
          if (!keys.has(rec.key)) {
            // With several instances: the one driving the cluster drops it (anyone once nobody drives it).
            if (this.leases && !this.leases.holds(rec.key) && !this.leases.free(rec.key)) continue;
            // Its ARM resource is gone (or was created again under another key): so is its API.
            this.runtime.forget(rec.key);
            this.nodeMarks.delete(rec.key);
            this.views.delete(rec.key);
            this.anchors.delete(rec.key);
            // Its site addresses (LoadBalancer VIPs) are free again, in the same write.
            const ips = [...this.services.store.entries<{ cluster: string }>(IPS)].filter(([, r]) => r.cluster === rec.key).map(([k]) => ({ collection: IPS, key: k, value: undefined }));
            await this.store.dropCluster(rec.key, [...ips, ...(this.leases?.forget(rec.key) ?? [])]).catch((e) => {
              if (!(e instanceof StoreConflictError)) throw e; // another instance dropped it first
            });
          }
        }
        const fabricMark = this.services.fabric?.changeCount() ?? 0;
        for (const v of views) {
          if (!v.serving) continue;
          if (this.leases && !this.leases.holds(v.key)) continue;
          await this.ensure(v);
          // The nodes follow the cluster as ARM has it (pools, versions) and the fabric's VMs: woken when either
          // changed, not at every write to the store (the controllers' own writes among them).
          const mark = `${fabricMark}|${JSON.stringify({ ...v, secrets: undefined })}`;
          if (force || this.firstPass.delete(v.key)) this.runtime.wake(v.key);
          else if (this.nodeMarks.get(v.key) !== mark) this.runtime.wake(v.key, 'nodes');
          this.nodeMarks.set(v.key, mark);
        }
      } catch (e) {
        if (!this.quiet) console.error('[kube] scan:', e);
      }
    })();
    this.scanning = run;
    void run.finally(() => {
      if (this.scanning === run) this.scanning = undefined;
    });
    return run;
  }

  /** Makes sure a serving cluster has its objects (bootstraps it the first time). */
  ensure(view: ClusterView): Promise<void> {
    const rec = this.store.cluster(view.key);
    if (rec && (rec.bootstrap ?? 0) >= BOOTSTRAP_VERSION) return Promise.resolve();
    let p = this.ensuring.get(view.key);
    if (!p) {
      p = this.bootstrapOnce(view).finally(() => this.ensuring.delete(view.key));
      this.ensuring.set(view.key, p);
    }
    return p;
  }

  private async bootstrapOnce(view: ClusterView): Promise<void> {
    const done = () => (this.store.cluster(view.key)?.bootstrap ?? 0) >= BOOTSTRAP_VERSION;
    while (this.leases && !(await this.leases.claim(view.key))) {
      // Another instance drives the cluster: it bootstraps it, and this one serves it once that is done (unless
      // the lease comes here meanwhile: then this one does it).
      const leases = this.leases;
      await this.until(view.key, () => done() || leases.holds(view.key), 'the instance that drives the cluster to bootstrap it');
      if (done()) return;
    }
    await this.bootstrap(view);
  }

  /** This instance took a cluster's lease: its controllers run, from a first pass over everything. */
  private acquired(key: string): void {
    this.firstPass.add(key);
    const v = this.resolve(key);
    if (!v?.serving) return; // the scan runs the first pass when it serves
    this.ensure(v).then(
      () => {
        this.firstPass.delete(key);
        this.runtime.wake(key);
      },
      (e) => {
        if (!this.quiet) console.error(`[kube] cluster ${key}:`, e);
      },
    );
  }

  /**
   * Waits until the cluster's controllers have done something (`done`). One instance: until they are idle. Several:
   * the instance that drives the cluster may be another one, so until its writes arrive through the store (or
   * this instance takes the lease over and does the work itself).
   */
  private async until(key: string, done: () => boolean, what: string): Promise<void> {
    if (!this.leases) return this.runtime.idle(key);
    const giveUp = Date.now() + UNTIL_MS;
    for (;;) {
      if (done()) return;
      // This instance drives the cluster (now): once its controllers are idle, as with one instance.
      if (this.leases.holds(key)) return this.runtime.idle(key);
      if (Date.now() > giveUp) throw KubeErrors.serviceUnavailable(`the cluster's controllers did not get round to it: waited for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(finish, UNTIL_CHECK_MS);
        const off = this.store.onChange((c) => c === key && finish());
        function finish() {
          clearTimeout(t);
          off();
          resolve();
        }
      });
      await this.services.store.sync();
    }
  }

  private async bootstrap(view: ClusterView): Promise<void> {
    this.views.set(view.key, view);
    if (!this.store.cluster(view.key)) await this.store.commit(view.key, [], { record: { anchor: view.anchor, createdAt: new Date().toISOString() } });
    const objs = bootstrapObjects(view, this.apiServerAddress(view));
    const kinds = this.kinds(view.key);
    const change = (o: { gr: string; object: KubeObject }): BatchChange => ({
      verb: 'create',
      def: defOf(kinds, o.gr, o.object),
      namespace: o.object.metadata.namespace ?? '',
      object: o.object,
      tolerate: [409],
    });
    await this.api.batch(view.key, objs.filter((o) => o.gr === 'core/namespaces').map(change));
    await this.api.batch(view.key, objs.filter((o) => o.gr !== 'core/namespaces').map(change));
    // The first answer already shows the nodes and system workloads.
    this.runtime.wake(view.key);
    await this.runtime.idle(view.key);
    // Marked once the first pass is over: another instance serving the cluster waits for this mark.
    await this.store.commit(view.key, [], { record: { bootstrap: BOOTSTRAP_VERSION } });
  }

  /** Where a cluster's API server is, as its `kubernetes` endpoints show it. */
  apiServerAddress(view: ClusterView): { ip: string; port: number } {
    if (view.kind === 'hybrid') {
      const ip = this.services.resources.get(view.anchor)?.resource.properties?.controlPlane?.controlPlaneEndpoint?.hostIP;
      if (typeof ip === 'string') return { ip, port: 6443 };
    }
    const h = parseInt(view.key.slice(0, 6), 16);
    return { ip: `20.${(h >> 16) & 255}.${(h >> 8) & 255}.${h & 255 || 1}`, port: 443 };
  }

  // ---- the HTTP host ----------------------------------------------------------------------------------------

  authenticate(view: ClusterView, header: string | undefined, cert?: X509Certificate): UserInfo {
    return authenticate(view, header, { tokens: this.tokens, open: !this.services.config.auth }, cert);
  }

  serverAddress(): string {
    const u = new URL(this.services.config.publicUrl ?? `https://localhost:${this.services.config.port}`);
    return u.host;
  }

  sync(): Promise<void> {
    return this.services.store.sync();
  }

  onShutdown(fn: () => void): () => void {
    this.shutdown.add(fn);
    return () => this.shutdown.delete(fn);
  }

  router() {
    return kubeRouter(this);
  }

  /** For root paths (/api, /apis, /version...): the cluster named by the caller's credential. */
  rootRouter() {
    return kubeRouter(this, true);
  }

  keyForToken(authorization: string | undefined, cert?: X509Certificate): string | undefined {
    const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!m) {
      // a client certificate: the cluster whose CA signed it
      if (!cert) return undefined;
      const now = Date.now();
      for (const v of this.views.values()) if (v.secrets && certificateUser(cert, v.secrets.caCert, now).user) return v.key;
      return undefined;
    }
    const token = m[1];
    const parts = token.split('.');
    if (parts.length === 3) {
      // A service account token names its cluster in its key id.
      try {
        const head = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { kid?: string };
        if (head.kid && this.anchors.has(head.kid)) return head.kid;
      } catch {
        return undefined;
      }
      return undefined;
    }
    for (const v of this.views.values()) {
      if (!v.secrets) continue;
      const t = localTokens(v.secrets);
      if (token === t.admin || token === t.user || token === t.monitoring) return v.key;
    }
    return undefined;
  }

  // ---- kubeconfigs ---------------------------------------------------------------------------------------------

  /** The API server URL of a cluster, on the emulator's own origin. */
  serverUrl(key: string): string {
    return kubeServerUrl(this.services, key);
  }

  /** What a kubeconfig of the cluster an ARM id names carries; undefined before it has credentials. */
  credentials(armId: string): Credentials | undefined {
    return clusterCredentials(this.services, this.clusterOf(armId), this.caPem);
  }

  /**
   * A token of the caller for an Azure AD cluster's API (what kubelogin would get; the kubeconfig carries it
   * instead of an exec plugin the machine may not have).
   */
  userToken(principal: Principal, audience = KUBERNETES_AUDIENCES[0]): string {
    if (!this.tokens) throw KubeErrors.serviceUnavailable('the token service is not ready');
    return this.tokens.issueFor(principal.clientId, audience).access_token;
  }

  // ---- the in-process API -------------------------------------------------------------------------------------

  /**
   * Creates or updates objects in the cluster an ARM id names (server-side apply by `fieldManager`, forced):
   * what an Arc extension or a Flux configuration puts into a cluster. Namespaces named by the objects are
   * created first. Throws 503 while the cluster does not serve, 404 for an unknown kind.
   */
  async applyObjects(armId: string, objects: KubeObject[], fieldManager: string): Promise<KubeObject[]> {
    return this.retryingConflicts(() => this.applyNow(armId, objects, fieldManager));
  }

  /**
   * Runs a write of the in-process API again when another instance on the same database changed the cluster
   * first (the store has read the refused keys back; sync() brings the rest), as kube-apiserver's storage retries
   * a conflicting update: an extension's install is not failed by a controller's write on another instance.
   */
  private async retryingConflicts<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (e) {
        if (!(e instanceof StoreConflictError) || attempt >= CONFLICT_ATTEMPTS) throw e;
        await this.services.store.sync();
      }
    }
  }

  private async applyNow(armId: string, objects: KubeObject[], fieldManager: string): Promise<KubeObject[]> {
    const v = this.serving(armId);
    await this.ensure(v);
    const out: KubeObject[] = [];
    const nsDef = BUILTINS.get('', 'v1', 'namespaces')!;
    for (const ns of new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n))) {
      if (!this.api.find(v.key, nsDef, '', ns))
        await this.api.patch(v.key, nsDef, '', ns, 'apply', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { user: SYSTEM_USER, fieldManager, force: true });
    }
    const definitions: string[] = [];
    const established = () =>
      definitions.every((n) => {
        const crd = this.store.get(v.key, 'apiextensions.k8s.io/customresourcedefinitions', '', n);
        return !!crd && crdEstablished(crd);
      });
    let pending = false;
    for (const o of objects) {
      if (o.kind === 'CustomResourceDefinition') {
        definitions.push(String(o.metadata.name));
        pending = true;
      } else if (pending) {
        // Custom resources after their definitions: once the definitions are established (the CRD controller's pass).
        pending = false;
        await this.until(v.key, established, 'its CustomResourceDefinitions to be established');
      }
      const def = this.defForObject(this.kinds(v.key), o);
      const r = await this.api.patch(v.key, def, o.metadata.namespace ?? '', o.metadata.name!, 'apply', o, { user: SYSTEM_USER, fieldManager, force: true });
      out.push(r.object);
    }
    return out;
  }

  /** Deletes objects (missing ones are fine). */
  async deleteObjects(armId: string, refs: { apiVersion: string; kind: string; namespace?: string; name: string }[]): Promise<void> {
    return this.retryingConflicts(() => this.deleteNow(armId, refs));
  }

  private async deleteNow(armId: string, refs: { apiVersion: string; kind: string; namespace?: string; name: string }[]): Promise<void> {
    const v = this.clusterOf(armId);
    if (!v || !this.store.cluster(v.key)) return;
    const kinds = this.kinds(v.key);
    await this.api.batch(
      v.key,
      refs.map((r) => ({
        verb: 'delete' as const,
        def: this.defForObject(kinds, { apiVersion: r.apiVersion, kind: r.kind, metadata: {} }),
        namespace: r.namespace ?? '',
        name: r.name,
        tolerate: [404],
      })),
    );
  }

  /** Lists objects of a kind in a cluster (e.g. the dashboard's nodes and pods). */
  listObjects(armId: string, apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const v = this.clusterOf(armId);
    if (!v) return [];
    const def = this.defForObject(this.kinds(v.key), { apiVersion, kind, metadata: {} });
    return this.store.list(v.key, storageOf(def), def.namespaced ? namespace : undefined).map((o) => this.api.present(def, o));
  }

  namespaceScope(scopeId: string): StoredResource | undefined {
    return namespaceScopeOf(this.services, scopeId, (id) => this.clusterOf(id));
  }

  /** The cluster's key and serving state (undefined: no Kubernetes API behind this id). */
  describe(armId: string): { key: string; server: string; serving: boolean; why?: string } | undefined {
    return describeCluster(this.services, this.clusterOf(armId));
  }

  // ---- az aks command invoke ------------------------------------------------------------------------------------

  /**
   * The task that runs a command line in the cluster an ARM id names, as `az aks command invoke` asks: as the
   * identity of `clusterToken` (an Azure AD cluster's user token: RBAC decides) or, without one, as the cluster
   * admin. Throws (KubeError 401/404/503, ZipError) when the command cannot run at all.
   */
  commandTask(armId: string, req: { command: string; context?: string; clusterToken?: string }, durationMs: number): TaskSpec {
    const v = this.serving(armId);
    let user: UserInfo;
    if (req.clusterToken) user = this.authenticate(v, `Bearer ${req.clusterToken}`);
    else if (!v.localAccounts)
      throw KubeErrors.unauthorized(
        `the cluster's local accounts are disabled: the command runs as the caller, so the request needs clusterToken (a token for the cluster's Azure AD server application ${KUBERNETES_AUDIENCES[0]})`,
      );
    else user = ADMIN_USER();
    unpackContext(req.context, this.maxBodyBytes * 4);
    return { id: 'command', kind: RUN_COMMAND_TASK, params: { cluster: armId, command: req.command, context: req.context ?? '', user }, durationMs };
  }

  /** Runs a command task (public for the lazy front, src/kube/lazy.ts, which may receive it before this service exists). */
  async runCommandTask(t: TaskRecord, op: OperationRecord): Promise<CommandResult & { startedAt: string; finishedAt: string }> {
    const p = t.params as { cluster: string; command: string; context: string; user: UserInfo };
    const v = this.serving(p.cluster);
    await this.ensure(v);
    const r = await runInPod(this.commandHost(v), v.key, p.user, p.command, unpackContext(p.context, this.maxBodyBytes * 4));
    return { ...r, startedAt: op.startTime, finishedAt: new Date().toISOString() };
  }

  private commandHost(v: ClusterView): KubectlHost {
    const props = this.services.resources.get(v.anchor)?.resource.properties ?? {};
    const fqdn = props.fqdn ?? props.privateFQDN;
    const scale = () => this.services.config.timeScale ?? 1;
    return {
      api: this.api,
      kinds: (c) => this.kinds(c),
      server: fqdn ? `https://${fqdn}:443` : this.serverUrl(v.key),
      version: `v${v.kubernetesVersion}`,
      // At --time-scale 0 simulated time takes none; a poll still gives the controllers a turn.
      sleep: (simMs) => new Promise((r) => setTimeout(r, scale() === 0 ? Math.min(simMs, 10) : simMs * scale())),
      now: () => Date.now(),
      // after CustomResourceDefinitions are applied: once they are established (by whichever instance drives the cluster)
      settle: () => this.until(v.key, () => this.store.list(v.key, 'apiextensions.k8s.io/customresourcedefinitions').every(crdEstablished), 'the CustomResourceDefinitions to be established'),
    };
  }

  private serving(armId: string): ClusterView {
    const v = this.clusterOf(armId);
    if (!v) throw KubeErrors.notFound('', 'clusters', armId);
    if (!v.serving) throw KubeErrors.serviceUnavailable(v.why ?? 'the cluster is not running');
    return v;
  }

  private defForObject(kinds: KindRegistry, o: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: unknown }): ResourceDef {
    const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion)];
    const def = kinds.all().find((d) => d.group === group && d.version === version && d.kind === o.kind);
    if (!def) throw KubeErrors.notFound(group, String(o.kind).toLowerCase(), `${apiVersionOf(group, version)} ${o.kind}`);
    return def;
  }
}

function defOf(kinds: KindRegistry, gr: string, o: KubeObject): ResourceDef {
  const d = kinds.all().find((x) => storageOf(x) === gr && x.kind === o.kind);
  if (!d) throw new Error(`no kind for ${gr}`);
  return d;
}

/** How long a write waits for another instance's controllers before answering 503 (wall ms), and how often it looks. */
const UNTIL_MS = 120_000;
const UNTIL_CHECK_MS = 500;

/** Attempts of an in-process write that meets another instance's change to the same cluster (see retryingConflicts). */
const CONFLICT_ATTEMPTS = 6;

const CONTROLLERS: Controller[] = [
  crdController,
  namespaceController,
  nodeController,
  nodeLifecycleController,
  garbageCollector,
  deploymentController,
  replicaSetController,
  statefulSetController,
  daemonSetController,
  jobController,
  cronJobController,
  volumeController,
  schedulerController,
  kubeletController,
  certificateSigner,
  horizontalPodAutoscaler,
  endpointsController,
  loadBalancerController,
];
