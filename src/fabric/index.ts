// Wiring: loads the sites, makes each a backend (in process, or a client of its own process),
// adds Hub stamps to the ARM locations, registers the fabric's task kinds with the operation
// engine, mounts the admin API, and sets services.fabric.
// Call initFabric before engine.resumeAll(), so resumed tasks find their sites.

import type { Services } from '../framework/types.js';
import { Fabric, type FabricBackend } from './fabric.js';
import { mountFabricAdmin } from '../admin/routes.js';
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
  /** What the admin API shows as a site's capabilities (the Kubernetes providers' view of it). */
  describeSite?: (site: SiteDefinition) => unknown;
  /** Skip mounting the admin routes (a second fabric in one process). */
  noAdmin?: boolean;
}

export async function initFabric(services: Services, options: FabricOptions = {}): Promise<Fabric> {
  const defs = options.sites ?? loadSites(services.config);
  for (const d of defs) {
    if (!d.location || services.locations.get(d.location)) continue;
    services.locations.add({
      name: d.location,
      displayName: d.kind === 'AzureStackHub' ? d.location : d.displayName,
      regionalDisplayName: d.kind === 'AzureStackHub' ? `(Azure Stack Hub) ${d.displayName}` : undefined,
      kind: d.kind,
      latitude: d.latitude,
      longitude: d.longitude,
    });
  }
  const backends: FabricBackend[] = defs.map((d) => (d.remote ? new RemoteSiteFabric(d, services.store, options.remote) : new LocalSiteFabric(d, services.store)));
  const fabric = new Fabric(backends);
  await fabric.open();
  registerFabricTasks(services.asyncOperations, fabric, {
    disconnectWaitMs: options.disconnectWaitMs ?? DEFAULT_DISCONNECT_WAIT_MS,
    timeScale: () => services.config.timeScale,
  });
  if (!options.noAdmin) mountFabricAdmin(services.adminRouter, services, fabric, options.describeSite ?? ((s) => ({ name: s.name, kind: s.kind })));
  services.fabric = fabric;
  return fabric;
}

export function getFabric(services: Services): Fabric {
  const f = services.fabric;
  if (!f) throw new Error('the fabric is not initialised (call initFabric first)');
  return f;
}

export { Fabric, ownerStatusOf, type FabricBackend, type PowerAction } from './fabric.js';
export * from './model.js';
export * from './vmSizes.js';
export { parseSites, loadSites, defaultSites, type SiteDefinition } from './sites.js';
export { LocalSiteFabric, FABRIC_COLLECTION } from './site.js';
export { RemoteSiteFabric, startSiteServer, siteApp } from './remote.js';
