// Microsoft.Network: virtual networks (with subnets), public IPs, network security groups, route
// tables, load balancers and network interfaces, as templates declare them.

import type { ArmResource, ResourceProvider } from '../../framework/types.js';
import { declaredType, guidOf } from './declare.js';

const NS = 'Microsoft.Network';
const V = [
  '2024-05-01',
  '2024-03-01',
  '2024-01-01',
  '2023-11-01',
  '2023-09-01',
  '2023-06-01',
  '2023-05-01',
  '2023-04-01',
  '2023-02-01',
  '2022-11-01',
  '2022-09-01',
  '2022-07-01',
  '2022-05-01',
  '2022-01-01',
  '2021-08-01',
  '2021-05-01',
  '2021-03-01',
  '2021-02-01',
  '2020-11-01',
  '2020-08-01',
  '2020-07-01',
  '2020-06-01',
  '2020-05-01',
  '2020-04-01',
  '2020-03-01',
  '2019-12-01',
  '2019-11-01',
  '2019-09-01',
  '2019-06-01',
  '2019-04-01',
  '2019-02-01',
  '2018-12-01',
  '2018-11-01',
  '2018-10-01',
  '2018-08-01',
  '2018-07-01',
  '2018-04-01',
  '2018-02-01',
  '2017-11-01',
  '2017-10-01',
  '2017-09-01',
  '2017-08-01',
  '2017-06-01',
  '2017-03-01',
  '2016-12-01',
  '2016-09-01',
  '2016-06-01',
  '2016-03-30',
  '2015-06-15',
];

const common = (r: ArmResource) => ({ resourceGuid: guidOf(r.id, 'guid') });

/** Subnets written inline get their ids and states, as ARM returns them. */
function subnets(r: ArmResource): unknown[] | undefined {
  const list = r.properties?.subnets;
  if (!Array.isArray(list)) return undefined;
  return list.map((s: any) => ({ ...s, id: `${r.id}/subnets/${s?.name}`, type: `${NS}/virtualNetworks/subnets`, properties: { ...(s?.properties ?? {}), provisioningState: 'Succeeded' } }));
}

/** A DNS name label gets its FQDN in the region's cloudapp domain, as Azure documents it. */
function dnsOf(r: ArmResource): Record<string, unknown> {
  const d = r.properties?.dnsSettings;
  if (!d || typeof d !== 'object' || typeof d.domainNameLabel !== 'string' || d.domainNameLabel === '') return {};
  return { dnsSettings: { ...d, fqdn: `${d.domainNameLabel.toLowerCase()}.${r.location}.cloudapp.azure.com` } };
}

/** A public address from the documentation range, stable per resource. */
function addressOf(id: string): string {
  const h = guidOf(id, 'ip').replace(/-/g, '');
  return `20.${parseInt(h.slice(0, 2), 16) % 200}.${parseInt(h.slice(2, 4), 16)}.${1 + (parseInt(h.slice(4, 6), 16) % 253)}`;
}

export const networkProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [
    declaredType({ namespace: NS, type: 'virtualNetworks', apiVersions: V, required: ['properties.addressSpace'], fill: (r) => ({ ...common(r), ...(subnets(r) ? { subnets: subnets(r) } : {}) }) }),
    declaredType({ namespace: NS, type: 'virtualNetworks/subnets', apiVersions: V, tracked: false, required: ['properties.addressPrefix'] }),
    declaredType({
      namespace: NS,
      type: 'publicIPAddresses',
      apiVersions: V,
      fill: (r) => ({
        ...common(r),
        ipAddress: addressOf(r.id),
        publicIPAllocationMethod: r.properties?.publicIPAllocationMethod ?? 'Static',
        publicIPAddressVersion: r.properties?.publicIPAddressVersion ?? 'IPv4',
        idleTimeoutInMinutes: r.properties?.idleTimeoutInMinutes ?? 4,
        ...dnsOf(r),
      }),
    }),
    declaredType({ namespace: NS, type: 'networkSecurityGroups', apiVersions: V, fill: (r) => ({ ...common(r), securityRules: r.properties?.securityRules ?? [] }) }),
    declaredType({ namespace: NS, type: 'routeTables', apiVersions: V, fill: (r) => ({ ...common(r), routes: r.properties?.routes ?? [] }) }),
    declaredType({ namespace: NS, type: 'loadBalancers', apiVersions: V, fill: common }),
    declaredType({ namespace: NS, type: 'networkInterfaces', apiVersions: V, fill: common }),
  ],
};
