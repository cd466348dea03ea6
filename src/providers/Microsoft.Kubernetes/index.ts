// Microsoft.Kubernetes: Arc-enabled Kubernetes clusters (connectedClusters.ts), their agents (agent.ts) and
// where a cluster that is not AKS hybrid is hosted (hosting.ts).

import type { ResourceProvider } from '../../framework/types.js';
import { NS, STEP, connectedClusters } from './connectedClusters.js';

export const kubernetesProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [connectedClusters],
  init(services) {
    services.asyncOperations.registerTaskKind(STEP, { run: () => undefined });
  },
};
