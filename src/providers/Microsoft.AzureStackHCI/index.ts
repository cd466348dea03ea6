// Microsoft.AzureStackHCI: what an infrastructure administrator and its users create on a custom
// location of an HCI site: logical networks (logicalNetworks.ts), network interfaces on them
// (networkInterfaces.ts), gallery images and storage containers (images.ts) and Arc VMs
// (virtualMachineInstances.ts, on Microsoft.HybridCompute machines). What they share: common.ts.

import { Errors } from '../../arm/errors.js';
import type { ResourceProvider } from '../../framework/types.js';
import { describeSite } from '../../fabric/model.js';
import { NS, STEP } from './common.js';
import { galleryImages, storageContainers } from './images.js';
import { logicalNetworks } from './logicalNetworks.js';
import { networkInterfaces } from './networkInterfaces.js';
import { virtualMachineInstances } from './virtualMachineInstances.js';

export { NS } from './common.js';
export { networkFromBody } from './logicalNetworks.js';

export const azureStackHciProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [logicalNetworks, networkInterfaces, galleryImages, storageContainers, virtualMachineInstances],
  init(services) {
    // The HCI VM operator's own work on the site (not fabric VMs): it needs the site reachable.
    services.asyncOperations.registerTaskKind(STEP, {
      run(t) {
        const site = String(t.params.site ?? '');
        if (site && services.fabric?.hasSite(site) && !services.fabric.site(site).connected()) {
          const d = services.fabric.site(site).definition;
          throw Errors.withStatus(503, 'SiteDisconnected', `${describeSite(d.kind, d.name)} is disconnected from Azure: the HCI VM operator cannot reach it. Reconnect the site and retry.`);
        }
        return undefined;
      },
    });
  },
};
