// Microsoft.Compute: the compute resources other providers create for the platform (an AKS
// cluster's scale sets, and on a Hub stamp its control-plane VMs and their availability set, all in
// the node resource group), declared as minimal stored types so that GET, `az resource list` and
// `az resource show` work on them. There is no compute behaviour behind them: a PUT by a user stores
// the body as given (Succeeded); in a node resource group user writes are refused by the group's
// deny assignment (see src/framework/resourceManager.ts, refuseDenied).

import type { ResourceTypeDefinition } from '../../framework/types.js';

export const COMPUTE_NS = 'Microsoft.Compute';

/** Newest first; az 2.45's profiles ask for 2022-08-01 (default) and 2020-06-01 (2020-09-01-hybrid). */
const COMPUTE_API_VERSIONS = [
  '2024-07-01',
  '2024-03-01',
  '2023-09-01',
  '2023-07-01',
  '2023-03-01',
  '2022-11-01',
  '2022-08-01',
  '2022-03-01',
  '2021-11-01',
  '2021-07-01',
  '2021-04-01',
  '2021-03-01',
  '2020-12-01',
  '2020-06-01',
  '2019-12-01',
  '2019-07-01',
  '2019-03-01',
  '2018-10-01',
  '2018-06-01',
  '2018-04-01',
  '2017-12-01',
  '2017-03-30',
];

/** A stored, tracked type with no behaviour of its own (GET, list, tags PATCH, DELETE). */
export function minimalType(namespace: string, type: string, apiVersions: string[]): ResourceTypeDefinition {
  return {
    namespace,
    type,
    scope: 'resourceGroup',
    tracked: true,
    locations: '*',
    apiVersions,
    listBySubscription: true,
    patch: 'tags',
    capabilities: 'SupportsTags, SupportsLocation',
  };
}

export const virtualMachineScaleSets = minimalType(COMPUTE_NS, 'virtualMachineScaleSets', COMPUTE_API_VERSIONS);
export const virtualMachines = minimalType(COMPUTE_NS, 'virtualMachines', COMPUTE_API_VERSIONS);
export const availabilitySets = minimalType(COMPUTE_NS, 'availabilitySets', COMPUTE_API_VERSIONS);
