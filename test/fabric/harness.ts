// Builds an emulator core (store, engine, fabric) for fabric tests, with the on-prem sites either
// in process or each behind its own HTTP site server (the remote mode), so one behavioural suite
// runs against both.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/config.js';
import { createServices } from '../../src/emulator.js';
import type { AsyncOperations, Services } from '../../src/framework/types.js';
import type { OperationRecord, TaskSpec } from '../../src/arm/asyncOperations.js';
import { JournalStore } from '../../src/store/store.js';
import type { Fabric } from '../../src/fabric/fabric.js';
import type { FabricOptions } from '../../src/fabric/index.js';
import { LocalSiteFabric } from '../../src/fabric/site.js';
import { startSiteServer, type RunningSiteServer } from '../../src/fabric/remote.js';
import { azureRegionSite, type SiteDefinition } from '../../src/fabric/sites.js';
import { STORE_KINDS, durableStore, type StoreKind } from '../support/emulator.js';
import { waitUntil } from '../support/wait.js';

export type Mode = 'local' | 'remote';
export const MODES: Mode[] = ['local', 'remote'];

/**
 * The combinations the behavioural suites run in: in-process sites on each store the run tests (the front door's
 * store holds their state), and sites behind their own servers (their state in the site's own journal) on the
 * journal. One suite, not two copies.
 */
export const MATRIX: { mode: Mode; store: StoreKind; name: string }[] = [
  ...STORE_KINDS.map((store) => ({ mode: 'local' as Mode, store, name: `local sites, ${store} store` })),
  ...(STORE_KINDS.includes('journal') ? [{ mode: 'remote' as Mode, store: 'journal' as StoreKind, name: 'remote sites, journal store' }] : []),
];

export const SUB = 'bbbbbbbb-0000-0000-0000-000000000001';
export const clusterId = (name: string, rg = 'rg1') => `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;

/** A small Hub stamp (4 x 16 cores / 64 GB) and a small HCI site (2 x 16 cores / 64 GB, 10 addresses). */
export function testSites(): SiteDefinition[] {
  return [
    azureRegionSite('eastus', 'East US'),
    {
      name: 'local',
      kind: 'AzureStackHub',
      displayName: 'local',
      location: 'local',
      elastic: false,
      hosts: [1, 2, 3, 4].map((i) => ({ name: `hub-node-0${i}`, cores: 16, memoryGB: 64, storageGB: 2048 })),
      logicalNetworks: [{ name: 'aks-subnet', addressPrefix: '10.240.0.0/16', ipPools: [{ start: '10.240.0.4', end: '10.240.3.254' }] }],
      infrastructureVms: [],
    },
    {
      name: 'hci-test',
      kind: 'AzureStackHCI',
      displayName: 'hci-test',
      elastic: false,
      hosts: [1, 2].map((i) => ({ name: `hci-node-0${i}`, cores: 16, memoryGB: 64, storageGB: 2048 })),
      logicalNetworks: [{ name: 'lnet-1', addressPrefix: '192.168.1.0/24', gateway: '192.168.1.1', ipPools: [{ start: '192.168.1.10', end: '192.168.1.19' }] }],
      infrastructureVms: [{ name: 'arc-resource-bridge-0', role: 'appliance', vmSize: 'Standard_A4_v2', owner: '/infra/bridge' }],
    },
  ];
}

/** Services with no provider and the fabric (its sites from `fabric.sites`, else from the config file). */
export async function makeServices(opts: { dir: string | null; storeFlags?: string[]; timeScale?: number; configFile?: string; fabric?: FabricOptions }): Promise<Services> {
  const store = opts.storeFlags ?? (opts.dir ? ['--data-dir', opts.dir] : ['--in-memory']);
  const config = parseConfig([...store, '--no-fsync', '--time-scale', String(opts.timeScale ?? 0)], {}, os.tmpdir());
  config.configFile = opts.configFile;
  return createServices(config, { providers: [], fabric: opts.fabric ?? {} });
}

interface SiteProcess {
  def: SiteDefinition;
  store: JournalStore;
  site: LocalSiteFabric;
  server: RunningSiteServer;
  dir: string | null;
}

/** One emulator (front door core + fabric) and, in remote mode, its site servers. */
export class World {
  services!: Services;
  fabric!: Fabric;
  readonly sites: SiteProcess[] = [];
  private tmp?: string;

  private constructor(
    readonly mode: Mode,
    private readonly opts: { durable: boolean; timeScale: number; defs: SiteDefinition[]; fabric: FabricOptions },
  ) {}
  /** The front door's store on PostgreSQL: its flags (a fresh database, the same across restarts). */
  private storeFlags?: string[];

  static async create(mode: Mode, opts: { durable?: boolean; timeScale?: number; sites?: SiteDefinition[]; fabric?: FabricOptions; store?: StoreKind } = {}): Promise<World> {
    const w = new World(mode, { durable: !!opts.durable, timeScale: opts.timeScale ?? 0, defs: opts.sites ?? testSites(), fabric: opts.fabric ?? {} });
    if (w.opts.durable) w.tmp = mkdtempSync(path.join(os.tmpdir(), 'fabric-test-'));
    if (opts.store === 'postgres') w.storeFlags = await durableStore('postgres');
    if (mode === 'remote') {
      for (const def of w.opts.defs) if (def.kind !== 'AzureRegion') await w.startSite(def);
    }
    await w.startFrontDoor();
    return w;
  }

  private dirFor(name: string): string | null {
    return this.tmp ? path.join(this.tmp, name) : null;
  }

  async startSite(def: SiteDefinition, port = 0): Promise<SiteProcess> {
    const dir = this.dirFor(`site-${def.name}`);
    const store = await JournalStore.open({ dir, fsync: false });
    const site = new LocalSiteFabric(def, store);
    await site.open();
    const server = await startSiteServer(site, { port });
    const p = { def, store, site, server, dir };
    const i = this.sites.findIndex((s) => s.def.name === def.name);
    if (i >= 0) this.sites[i] = p;
    else this.sites.push(p);
    return p;
  }

  /** Stops a site server (as if its process died) and returns its port so it can come back on it. */
  async stopSite(name: string): Promise<number> {
    const p = this.sites.find((s) => s.def.name === name)!;
    await p.server.close();
    await p.store.close();
    return Number(new URL(p.server.url).port);
  }

  private defsForFrontDoor(): SiteDefinition[] {
    if (this.mode === 'local') return this.opts.defs;
    return this.opts.defs.map((d) => {
      const p = this.sites.find((s) => s.def.name === d.name);
      return p ? { ...d, remote: p.server.url } : d;
    });
  }

  async startFrontDoor(): Promise<void> {
    this.services = await makeServices({
      dir: this.dirFor('arm'),
      storeFlags: this.storeFlags,
      timeScale: this.opts.timeScale,
      fabric: { ...this.opts.fabric, sites: this.defsForFrontDoor(), remote: { retryMs: 50, ...this.opts.fabric.remote } },
    });
    this.fabric = this.services.fabric!;
  }

  /** A crash of the front door: stop driving, close, reopen from disk, resume. */
  async restartFrontDoor(beforeResume?: () => Promise<void>): Promise<void> {
    this.services.asyncOperations.stop();
    await this.fabric.close();
    await this.services.store.close();
    await this.startFrontDoor();
    if (beforeResume) await beforeResume();
    await this.services.asyncOperations.resumeAll();
  }

  get engine(): AsyncOperations {
    return this.services.asyncOperations;
  }

  /** Starts an operation on a resource the way a provider does (record + resource in one write). */
  async start(owner: string, tasks: TaskSpec[], kind: OperationRecord['kind'] = 'create', location = 'local'): Promise<OperationRecord> {
    const op = this.engine.create(
      { kind, tasks },
      {
        resourceId: owner,
        typeKey: 'microsoft.containerservice/managedclusters',
        namespace: 'Microsoft.ContainerService',
        location,
        subscriptionId: SUB,
        method: kind === 'delete' ? 'DELETE' : 'PUT',
        apiVersion: '2024-01-01',
      },
    );
    await this.services.store.write([this.engine.writeOp(op)]);
    this.engine.run(op);
    return op;
  }

  async run(owner: string, tasks: TaskSpec[], kind: OperationRecord['kind'] = 'create'): Promise<OperationRecord> {
    const op = await this.start(owner, tasks, kind);
    return this.engine.waitFor(op.id);
  }

  async siteSnapshot(name: string) {
    return (await this.fabric.snapshot({ site: name })).sites[0];
  }

  async close(): Promise<void> {
    this.services.asyncOperations.stop();
    await this.fabric.close();
    await this.services.store.close().catch(() => undefined);
    for (const s of this.sites) {
      await s.server.close().catch(() => undefined);
      await s.store.close().catch(() => undefined);
    }
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** waitUntil (test/support/wait.ts) with this folder's argument order; the guard is never below waitUntil's default. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  await waitUntil(cond, { timeoutMs: Math.max(timeoutMs, 20_000), what });
}

// ---- choosing where an operation stands, without racing a clock ----------------------------------------------

/** The task kind of a barrier task (register barrier().kind under it on the engine). */
export const BARRIER = 'test.barrier';

/** A task kind that ends when the test opens it (`open()`), or at once if built open. */
export function barrier(open = false): { kind: { run(): Promise<undefined> }; open(): void } {
  let release: (() => void) | undefined;
  const gate = open ? Promise.resolve() : new Promise<void>((r) => (release = r));
  return { kind: { run: () => gate.then(() => undefined) }, open: () => release?.() };
}

/** The plan with a barrier task 'hold' that the tasks `gated` picks also wait for. */
export function withBarrier(tasks: TaskSpec[], gated: (t: TaskSpec) => boolean): TaskSpec[] {
  const out = tasks.map((t) => (gated(t) ? { ...t, dependsOn: [...(t.dependsOn ?? []), 'hold'] } : t));
  return [{ id: 'hold', kind: BARRIER, params: {} }, ...out];
}

/** A worker VM's creation task. */
export const isWorkerCreate = (t: TaskSpec): boolean => t.kind === 'fabric.createVm' && (t.params as { vm: { role: string } }).vm.role === 'worker';

/** The plan without its simulated durations (where only a wait for a site is timed). */
export const instant = (tasks: TaskSpec[]): TaskSpec[] => tasks.map((t) => ({ ...t, durationMs: 0 }));
