// Wiring: loads the sites, makes each a backend (in process, or a client of its own process), adds
// Hub stamps to the ARM locations and registers the fabric's task kinds with the operation engine.
// createServices (src/emulator.ts) opens it before the providers start and before operations resume,
// so resumed tasks find their sites. Its admin API is mounted by the HTTP edge (src/admin).

import type { EmulatorConfig } from '../config/config.js';
import type { Store } from '../store/store.js';
import type { LocationCatalog } from '../arm/locations.js';
import type { TaskKindRegistry } from '../arm/asyncOperations.js';
import { Fabric, type FabricBackend } from './fabric.js';
import { RemoteSiteFabric, type RemoteOptions } from './remote.js';
import { LocalSiteFabric } from './site.js';
import { loadSites, type SiteDefinition } from './sites.js';
import { DEFAULT_DISCONNECT_WAIT_MS, registerFabricTasks } from './tasks.js';

export interface FabricOptions {
  /** Sites to use instead of the config file's (tests). */
  sites?: SiteDefinition[];
  /** How long a task waits for a disconnected site at time-scale 1 (default 30 s). */
  disconnectWaitMs?: number;
  remote?: RemoteOptions;
}

/** What the fabric is opened with: all of it below the framework. */
export interface FabricDeps {
  config: EmulatorConfig;
  store: Store;
  /** ARM locations: the fabric adds its Azure Stack Hub stamps (each is an ARM location). */
  locations: LocationCatalog;
  /** The operation engine, where the fabric registers its VM task kinds. */
  tasks: TaskKindRegistry;
}

export async function openFabric(deps: FabricDeps, options: FabricOptions = {}): Promise<Fabric> {
  const { config, store, locations } = deps;
  const defs = options.sites ?? loadSites(config);
  for (const d of defs) {
    if (!d.location || locations.get(d.location)) continue;
    locations.add({
      name: d.location,
      displayName: d.kind === 'AzureStackHub' ? d.location : d.displayName,
      regionalDisplayName: d.kind === 'AzureStackHub' ? `(Azure Stack Hub) ${d.displayName}` : undefined,
      kind: d.kind,
      latitude: d.latitude,
      longitude: d.longitude,
    });
  }
  const backends: FabricBackend[] = defs.map((d) => (d.remote ? new RemoteSiteFabric(d, store, options.remote) : new LocalSiteFabric(d, store)));
  const fabric = new Fabric(backends);
  await fabric.open();
  registerFabricTasks(deps.tasks, fabric, {
    disconnectWaitMs: options.disconnectWaitMs ?? DEFAULT_DISCONNECT_WAIT_MS,
    timeScale: () => config.timeScale,
  });
  return fabric;
}

export { Fabric, ownerStatusOf, type FabricBackend, type PowerAction } from './fabric.js';
export * from './model.js';
export * from './vmSizes.js';
export { parseSites, loadSites, defaultSites, type SiteDefinition } from './sites.js';
export { LocalSiteFabric, FABRIC_COLLECTION } from './site.js';
export { RemoteSiteFabric, startSiteServer, siteApp } from './remote.js';
