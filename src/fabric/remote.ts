// Out-of-process sites. A site process serves its LocalSiteFabric over loopback HTTP (one process
// per site, as real sites are separate systems); the ARM front door reaches it through
// RemoteSiteFabric, which implements the same FabricBackend as the in-process site, so tasks and
// providers cannot tell the difference.
//
// Protocol: POST /rpc/{method} with {"args": [...]} calls the FabricBackend method of that name.
// Every answer carries the VM changes the site made since the client's last sync (header
// x-fabric-since), so the client keeps a cache that answers sync reads (ownerVms, node counts).
// A client too far behind is told to resync and fetches every VM again.

import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Errors, ArmError } from '../arm/errors.js';
import type { Store } from '../store/store.js';
import type { FabricBackend, PowerAction } from './fabric.js';
import {
  describeSite,
  vmView,
  type AddressReservation,
  type FaultReport,
  type LogicalNetwork,
  type PackageInstall,
  type PackageRequest,
  type SiteSnapshot,
  type Vm,
  type VmChange,
  type VmRequest,
} from './model.js';
import { FABRIC_COLLECTION, type LocalSiteFabric } from './site.js';
import type { SiteDefinition } from './sites.js';
import { VmIndex } from './vmIndex.js';

const METHODS = new Set([
  'snapshot',
  'reserve',
  'createVm',
  'undoCreate',
  'releaseOp',
  'deleteVm',
  'deleteOwner',
  'power',
  'revertPower',
  'joinNode',
  'setConnected',
  'failHost',
  'recoverHost',
  'addNetwork',
  'undoAddNetwork',
  'removeNetwork',
  'installPackage',
  'undoInstallPackage',
  'uninstallPackage',
  'reserveAddress',
  'undoReserveAddress',
  'releaseAddress',
]);

const LOG_LIMIT = 20_000;

interface Envelope<T> {
  result?: T;
  /** Changes when the site process restarts: the client then resyncs rather than trust its cache. */
  instance: string;
  changes?: VmChange[];
  upTo: number;
  connected: boolean;
  disconnectedAt?: string;
  resync?: boolean;
}

const changeRev = (c: VmChange) => (c.type === 'upsert' ? c.vm.rev : c.rev);

// ---- the site process's side ---------------------------------------------------------------------------

/** The HTTP app serving one site. */
export function siteApp(site: LocalSiteFabric): { app: express.Express; detach: () => void } {
  const log: VmChange[] = [];
  let floor = site.currentRev(); // changes at or below this are not in the log
  const detach = site.onChange((c) => {
    log.push(c);
    if (log.length > LOG_LIMIT) floor = changeRev(log.splice(0, LOG_LIMIT / 2).at(-1)!);
  });
  const instance = randomUUID();
  const envelope = <T>(req: Request, result?: T): Envelope<T> => {
    const since = Number(req.header('x-fabric-since') ?? 0);
    const env: Envelope<T> = { result, instance, upTo: site.currentRev(), connected: site.connected(), disconnectedAt: site.disconnectedSince() };
    if (since < floor || req.header('x-fabric-instance') !== instance) env.resync = true;
    else {
      // the log is in rev order: walk back to the first change after `since`
      let i = log.length;
      while (i > 0 && changeRev(log[i - 1]) > since) i--;
      env.changes = log.slice(i);
    }
    return env;
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '4mb' }));
  app.get('/health', (_req, res) => {
    res.json({ status: 'Healthy', site: site.definition.name, kind: site.definition.kind });
  });
  app.get('/vms', (_req, res) => {
    res.json({ vms: site.allVms(), instance, upTo: site.currentRev(), connected: site.connected(), disconnectedAt: site.disconnectedSince() });
  });
  app.post('/rpc/:method', async (req: Request, res: Response, next: NextFunction) => {
    const method = String(req.params.method);
    try {
      if (!METHODS.has(method)) throw Errors.withStatus(404, 'UnknownMethod', `The site has no method '${method}'.`);
      const args = Array.isArray(req.body?.args) ? req.body.args : [];
      const result = await (site as any)[method](...args);
      res.json(envelope(req, result));
    } catch (e) {
      next(e);
    }
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err instanceof ArmError ? err : Errors.withStatus(500, 'InternalServerError', err instanceof Error ? err.message : String(err));
    res.status(e.status).json({ ...e.toBody(), ...envelope(req) });
  });
  return { app, detach };
}

export interface RunningSiteServer {
  url: string;
  close(): Promise<void>;
}

/** Serves a site on loopback; port 0 picks a free one. */
export function startSiteServer(site: LocalSiteFabric, opts: { port?: number; host?: string } = {}): Promise<RunningSiteServer> {
  const { app, detach } = siteApp(site);
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(opts.port ?? 0, host);
    server.once('error', reject);
    server.once('listening', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((r) => {
            detach();
            server.close(() => r());
            server.closeAllConnections?.();
          }),
      });
    });
  });
}

// ---- the front door's side -----------------------------------------------------------------------------

interface PendingCall {
  site: string;
  method: 'undoCreate' | 'releaseOp' | 'undoAddNetwork' | 'undoInstallPackage' | 'undoReserveAddress';
  args: unknown[];
}

export interface RemoteOptions {
  /** Per request (ms). */
  timeoutMs?: number;
  /** How often to retry queued undo calls and resync while the site is unreachable (ms). */
  retryMs?: number;
}

/** A site running in its own process, reached over HTTP. */
export class RemoteSiteFabric extends VmIndex implements FabricBackend {
  readonly definition: SiteDefinition;
  private readonly url: string;
  private readonly where: string;
  private since = 0;
  /** The site process's instance id as of the last sync ('' before the first). */
  private instance = '';
  private isConnected = true;
  private disconnectedAt: string | undefined;
  private reachable = false;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private flushing?: Promise<void>;
  /** Store keys of undo calls waiting for the site. */
  private readonly pending = new Set<string>();

  constructor(
    definition: SiteDefinition,
    /** The front door's store: undo calls that could not reach the site wait here, durably. */
    private readonly store: Store,
    private readonly opts: RemoteOptions = {},
  ) {
    super();
    if (!definition.remote) throw new Error(`site '${definition.name}' has no remote URL`);
    this.definition = definition;
    this.url = definition.remote.replace(/\/$/, '');
    this.where = describeSite(definition.kind, definition.name);
  }

  async open(): Promise<void> {
    for (const key of this.store.keys(FABRIC_COLLECTION)) if (key.startsWith(this.pendingPrefix())) this.pending.add(key);
    try {
      await this.resync();
      await this.flushPending();
    } catch {
      // The site may start later; tasks wait for it (bounded) and the timer keeps trying.
    }
    this.timer = setInterval(() => {
      if (!this.reachable || this.hasPending()) this.flushPending().catch(() => undefined);
    }, this.opts.retryMs ?? 1000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.listeners.clear();
  }

  // ---- transport ---------------------------------------------------------------------------------------

  private async http(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
    let res: globalThis.Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        ...init,
        headers: {
          'content-type': 'application/json',
          'x-fabric-since': String(this.since),
          'x-fabric-instance': this.instance,
          ...(init.headers as Record<string, string> | undefined),
        },
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (e) {
      this.reachable = false;
      const cause = (e as any)?.cause?.code ?? (e as Error).message;
      throw Errors.withStatus(503, 'SiteUnreachable', `The process of ${this.where} at ${this.url} did not answer (${cause}).`);
    }
    this.reachable = true;
    const text = await res.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body };
  }

  private async call<T>(method: string, args: unknown[]): Promise<T> {
    const { status, body } = await this.http(`/rpc/${method}`, { method: 'POST', body: JSON.stringify({ args }) });
    if (body && typeof body.upTo === 'number') await this.absorb(body as Envelope<unknown>);
    if (status >= 400) {
      const err = body?.error ?? {};
      throw Errors.withStatus(status, String(err.code ?? 'SiteError'), String(err.message ?? `${this.where} answered HTTP ${status}.`));
    }
    return body?.result as T;
  }

  private async absorb(env: Envelope<unknown>): Promise<void> {
    this.isConnected = env.connected;
    this.disconnectedAt = env.connected ? undefined : env.disconnectedAt;
    if (env.resync) {
      // The call itself went through; a failed resync only leaves the cache stale until the next answer.
      await this.resync().catch(() => undefined);
      return;
    }
    for (const c of env.changes ?? []) {
      if (changeRev(c) <= this.since) continue;
      this.apply(c);
    }
    if (env.upTo > this.since) this.since = env.upTo;
  }

  /** Replaces the cache with every VM of the site. */
  private async resync(): Promise<void> {
    const { status, body } = await this.http('/vms');
    if (status !== 200 || !Array.isArray(body?.vms)) throw Errors.withStatus(502, 'SiteError', `${this.where} at ${this.url} answered HTTP ${status} to a sync.`);
    const seen = new Set<string>();
    for (const vm of body.vms as Vm[]) {
      seen.add(vm.name);
      const had = this.vms.get(vm.name);
      if (!had || had.rev !== vm.rev) this.apply({ type: 'upsert', vm });
    }
    for (const [name, vm] of [...this.vms]) if (!seen.has(name)) this.apply({ type: 'delete', site: vm.site, name, owner: vm.owner, rev: body.upTo });
    this.since = body.upTo;
    this.instance = String(body.instance ?? '');
    this.isConnected = body.connected;
    this.disconnectedAt = body.connected ? undefined : body.disconnectedAt;
  }

  private apply(c: VmChange): void {
    if (c.type === 'upsert') this.indexVm(c.vm);
    else if (!this.unindexVm(c.name)) return;
    this.emit(c);
  }

  // ---- undo calls that must not be lost --------------------------------------------------------------------

  private pendingPrefix(): string {
    return `pending:${this.definition.name.toLowerCase()}:`;
  }

  private hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** An undo runs now, or (site unreachable) is kept in the store and retried until it lands. */
  private async undoCall(method: PendingCall['method'], args: unknown[], key: string): Promise<void> {
    try {
      await this.call(method, args);
    } catch (e) {
      if (!(e instanceof ArmError) || e.code !== 'SiteUnreachable') throw e;
      const value: PendingCall = { site: this.definition.name, method, args };
      this.pending.add(`${this.pendingPrefix()}${key}`);
      await this.store.write([{ collection: FABRIC_COLLECTION, key: `${this.pendingPrefix()}${key}`, value }]);
    }
  }

  private flushPending(): Promise<void> {
    if (this.flushing) return this.flushing;
    const run = async () => {
      await Promise.resolve(); // never settle synchronously: `flushing` must be set before it is cleared
      try {
        if (!this.reachable) await this.resync();
        for (const key of [...this.pending]) {
          const p = this.store.get<PendingCall>(FABRIC_COLLECTION, key);
          if (this.closed) return;
          if (!p) {
            this.pending.delete(key);
            continue;
          }
          try {
            await this.call(p.method, p.args);
          } catch (e) {
            if (e instanceof ArmError && e.code === 'SiteUnreachable') return;
            // any other answer is final (the VM is gone, or was not ours): drop the call
          }
          this.pending.delete(key);
          await this.store.write([{ collection: FABRIC_COLLECTION, key, value: undefined }]);
        }
      } finally {
        this.flushing = undefined;
      }
    };
    this.flushing = run();
    return this.flushing;
  }

  // ---- FabricBackend ------------------------------------------------------------------------------------------

  connected(): boolean {
    return this.isConnected;
  }
  disconnectedSince(): string | undefined {
    return this.isConnected ? undefined : this.disconnectedAt;
  }

  async snapshot(): Promise<SiteSnapshot> {
    try {
      const snap = await this.call<SiteSnapshot>('snapshot', []);
      return { ...snap, remote: this.url, reachable: true };
    } catch (e) {
      if (!(e instanceof ArmError) || e.code !== 'SiteUnreachable') throw e;
      const d = this.definition;
      return {
        name: d.name,
        kind: d.kind,
        connected: false,
        elastic: d.elastic,
        location: d.location,
        remote: this.url,
        reachable: false,
        hosts: [],
        capacity: null,
        logicalNetworks: [],
        vms: this.allVms().map(vmView),
      };
    }
  }

  reserve(reqs: VmRequest[], opId: string): Promise<Vm[]> {
    return this.call('reserve', [reqs, opId]);
  }
  createVm(req: VmRequest, opId: string): Promise<Vm> {
    return this.call('createVm', [req, opId]);
  }
  undoCreate(name: string, opId: string): Promise<void> {
    return this.undoCall('undoCreate', [name, opId], `${opId}:vm:${name}`);
  }
  releaseOp(owner: string, opId: string): Promise<void> {
    return this.undoCall('releaseOp', [owner, opId], `${opId}:owner:${owner.toLowerCase()}`);
  }
  async deleteVm(name: string, owner: string): Promise<void> {
    await this.call('deleteVm', [name, owner]);
  }
  deleteOwner(owner: string): Promise<string[]> {
    return this.call('deleteOwner', [owner]);
  }
  power(name: string, action: PowerAction, opId: string): Promise<Vm> {
    return this.call('power', [name, action, opId]);
  }
  async revertPower(name: string, opId: string): Promise<void> {
    await this.call('revertPower', [name, opId]);
  }
  joinNode(name: string, opId: string): Promise<Vm> {
    return this.call('joinNode', [name, opId]);
  }
  async setConnected(connected: boolean): Promise<void> {
    await this.call('setConnected', [connected]);
  }
  failHost(host: string): Promise<FaultReport> {
    return this.call('failHost', [host]);
  }
  recoverHost(host: string): Promise<FaultReport> {
    return this.call('recoverHost', [host]);
  }
  addNetwork(net: LogicalNetwork, opId: string): Promise<LogicalNetwork> {
    return this.call('addNetwork', [net, opId]);
  }
  undoAddNetwork(name: string, opId: string): Promise<void> {
    return this.undoCall('undoAddNetwork', [name, opId], `${opId}:lnet:${name.toLowerCase()}`);
  }
  async removeNetwork(name: string, owner: string): Promise<void> {
    await this.call('removeNetwork', [name, owner]);
  }
  installPackage(req: PackageRequest, opId: string): Promise<PackageInstall> {
    return this.call('installPackage', [req, opId]);
  }
  undoInstallPackage(name: string, opId: string): Promise<void> {
    return this.undoCall('undoInstallPackage', [name, opId], `${opId}:pkg:${name.toLowerCase()}`);
  }
  async uninstallPackage(name: string, owner: string, force = false): Promise<void> {
    await this.call('uninstallPackage', [name, owner, force]);
  }
  reserveAddress(req: { network: string; owner: string; ip?: string }, opId: string): Promise<AddressReservation> {
    return this.call('reserveAddress', [req, opId]);
  }
  undoReserveAddress(owner: string, network: string, opId: string): Promise<void> {
    return this.undoCall('undoReserveAddress', [owner, network, opId], `${opId}:addr:${owner.toLowerCase()}`);
  }
  async releaseAddress(owner: string, network: string): Promise<void> {
    await this.call('releaseAddress', [owner, network]);
  }
}
