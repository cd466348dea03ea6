// Microsoft.KubernetesConfiguration: what is put on a Kubernetes cluster through ARM, as extension
// resources of the cluster (an Arc resource bridge, a connected or AKS hybrid cluster, an AKS
// cluster): cluster extensions (extensions.ts), GitOps with Flux v2 (fluxConfigurations.ts), their
// operation statuses and the cluster's operations in progress (statuses.ts). Which clusters take them
// and where their work lands: hosts.ts; what they put into a cluster's Kubernetes API: inCluster.ts.

import type { ResourceProvider } from '../../framework/types.js';
import { EXTENSION_API_VERSIONS, extensions } from './extensions.js';
import { FLUX_API_VERSIONS, fluxConfigurations, reconciledObjects } from './fluxConfigurations.js';
import { registerKubeTasks } from './inCluster.js';
import { clusterOperations, resourceOperations } from './statuses.js';

export { NS, EXTENSIONS, installedExtensions } from './hosts.js';

export const kubernetesConfigurationProvider: ResourceProvider = {
  namespace: 'Microsoft.KubernetesConfiguration',
  registeredByDefault: true,
  types: [extensions, resourceOperations('extensions', EXTENSION_API_VERSIONS), fluxConfigurations, resourceOperations('fluxConfigurations', FLUX_API_VERSIONS)],
  scopedOperations: clusterOperations,
  init(services) {
    registerKubeTasks(services, { flux: reconciledObjects });
  },
};
