// Microsoft.HybridContainerService (AKS hybrid, 2024-01-01): provisionedClusterInstances/default on a
// connected cluster with its agentPools, upgradeProfiles and hybridIdentityMetadata; what a custom
// location offers (kubernetesVersions/default, skus/default); and virtualNetworks, the older network
// object a cluster may name. One file per type; cluster work is fabric work on the custom location's
// HCI site (provisionedClusterInstances.ts); what they share is common.ts, the network rules network.ts.

import type { ResourceProvider } from '../../framework/types.js';
import { agentPools } from './agentPools.js';
import { NS, registerHybridTasks } from './common.js';
import { hybridIdentityMetadata } from './hybridIdentityMetadata.js';
import { kubernetesVersions, skus } from './offerings.js';
import { instances, registerKubeconfigTask } from './provisionedClusterInstances.js';
import { upgradeProfiles } from './upgradeProfiles.js';
import { virtualNetworks } from './virtualNetworks.js';

export const hybridContainerServiceProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [instances, agentPools, upgradeProfiles, hybridIdentityMetadata, kubernetesVersions, skus, virtualNetworks],
  init(services) {
    registerHybridTasks(services);
    registerKubeconfigTask(services);
  },
};
