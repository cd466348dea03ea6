// Microsoft.HybridCompute: Arc-enabled servers (machines.ts).

import type { ResourceProvider } from '../../framework/types.js';
import { NS, machines } from './machines.js';

export const hybridComputeProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [machines],
};
