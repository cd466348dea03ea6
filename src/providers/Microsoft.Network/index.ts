// Microsoft.Network: the network resources other providers create for the platform (an AKS
// cluster's load balancer, public IP, network security group, route table and virtual network in its
// node resource group), declared as minimal stored types so that GET, `az resource list` and
// `az resource show` work on them. No network behaviour behind them (see Microsoft.Compute).
// Merge note: the template work's catalogue (src/providers/catalogue/network.ts) declares the same five
// types with PUT behaviour; where both exist, keep the catalogue's and drop this file (node resource groups
// write these resources as related resources, so they work with either declaration).

import type { ResourceProvider } from '../../framework/types.js';
import { minimalType } from '../Microsoft.Compute/index.js';

export const NETWORK_NS = 'Microsoft.Network';

/** Newest first; az 2.45's profiles ask for 2022-01-01 (default) and 2018-11-01 (2020-09-01-hybrid). */
const NETWORK_API_VERSIONS = [
  '2024-05-01', '2024-01-01', '2023-11-01', '2023-09-01', '2023-05-01', '2023-04-01', '2022-11-01', '2022-09-01', '2022-07-01',
  '2022-05-01', '2022-01-01', '2021-08-01', '2021-05-01', '2021-02-01', '2020-11-01', '2020-08-01', '2020-07-01', '2020-06-01',
  '2020-05-01', '2020-04-01', '2020-03-01', '2019-12-01', '2019-11-01', '2019-09-01', '2019-06-01', '2019-02-01', '2018-12-01',
  '2018-11-01', '2018-10-01', '2018-08-01', '2018-07-01', '2018-04-01', '2018-02-01', '2017-10-01', '2017-09-01', '2017-06-01',
  '2017-03-01', '2016-12-01', '2016-09-01',
];

export const networkProvider: ResourceProvider = {
  namespace: NETWORK_NS,
  registeredByDefault: true,
  types: ['loadBalancers', 'publicIPAddresses', 'networkSecurityGroups', 'routeTables', 'virtualNetworks'].map((t) => minimalType(NETWORK_NS, t, NETWORK_API_VERSIONS)),
};
