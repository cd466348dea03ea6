// Microsoft.Compute: the scale sets, VMs and availability sets other providers create for the platform,
// declared as minimal stored types (infrastructure.ts says why).

import type { ResourceProvider } from '../../framework/types.js';
import { availabilitySets, COMPUTE_NS, virtualMachineScaleSets, virtualMachines } from './infrastructure.js';

export const computeProvider: ResourceProvider = {
  namespace: COMPUTE_NS,
  registeredByDefault: true,
  types: [virtualMachineScaleSets, virtualMachines, availabilitySets],
};
