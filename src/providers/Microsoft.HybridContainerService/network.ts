// The network an AKS hybrid cluster names in cloudProviderProfile.infraNetworkProfile.vnetSubnetIds:
// an Azure Stack HCI logical network or a HybridContainerService virtual network, on the same custom
// location as the cluster. Both are backed by a fabric network on the site (its IP pools give node
// addresses). The control-plane endpoint is a fixed address inside the network's prefix and outside
// its node pools, held by one cluster at a time.

import { Errors } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { StoredResource } from '../../framework/types.js';
import type { LogicalNetwork } from '../../fabric/model.js';
import { intToIp, ipToInt, parseCidr } from '../../fabric/placement.js';
import { typeKeyOf } from '../../framework/registry.js';
import { networkFromBody } from '../Microsoft.AzureStackHCI/logicalNetworks.js';

export const LOGICAL_NETWORKS = typeKeyOf('Microsoft.AzureStackHCI', 'logicalNetworks');
export const VIRTUAL_NETWORKS = typeKeyOf('Microsoft.HybridContainerService', 'virtualNetworks');
export const INSTANCES = typeKeyOf('Microsoft.HybridContainerService', 'provisionedClusterInstances');

export interface ClusterNetwork {
  id: string;
  /** The fabric network's name on the site. */
  fabricName: string;
  site: string;
  net: LogicalNetwork;
}

const NET_TARGET = 'properties.cloudProviderProfile.infraNetworkProfile.vnetSubnetIds';

/** A HybridContainerService virtual network body as a fabric network. */
export function networkFromVnet(name: string, owner: string, p: Record<string, any>): LogicalNetwork {
  const bad = (m: string, t: string) => Errors.invalidParameter(m, t);
  const prefix = p.ipAddressPrefix;
  if (typeof prefix !== 'string' || !parseCidr(prefix)) throw bad(`properties.ipAddressPrefix '${String(prefix)}' is not an IPv4 CIDR such as 192.168.0.0/16.`, 'properties.ipAddressPrefix');
  const [lo, hi] = parseCidr(prefix)!;
  const range = (list: unknown, what: string) => {
    if (list === undefined) return [];
    if (!Array.isArray(list)) throw bad(`properties.${what} must be an array of {startIP, endIP}.`, `properties.${what}`);
    return list.map((r: any, i: number) => {
      const a = ipToInt(String(r?.startIP));
      const b = ipToInt(String(r?.endIP));
      const at = `properties.${what}[${i}]`;
      if (a === undefined || b === undefined) throw bad(`${at} needs startIP and endIP (IPv4 addresses).`, at);
      if (b < a) throw bad(`${at} ends (${r.endIP}) before it starts (${r.startIP}).`, at);
      if (a < lo || b > hi) throw bad(`${at} (${r.startIP}-${r.endIP}) lies outside ipAddressPrefix ${prefix}.`, at);
      return { start: intToIp(a), end: intToIp(b) };
    });
  };
  const ipPools = range(p.vmipPool, 'vmipPool');
  const vipPools = range(p.vipPool, 'vipPool');
  if (ipPools.length === 0) throw bad('properties.vmipPool needs at least one range: the nodes of the clusters on this network take their addresses from it.', 'properties.vmipPool');
  const vlan = p.vlanID ?? 0;
  if (!Number.isInteger(vlan) || vlan < 0 || vlan > 4094) throw bad(`properties.vlanID must be a whole number from 0 to 4094, got ${JSON.stringify(vlan)}.`, 'properties.vlanID');
  const net: LogicalNetwork = { name, addressPrefix: prefix, vlan, ipPools, owner };
  if (vipPools.length) net.vipPools = vipPools;
  if (p.gateway !== undefined) {
    const g = ipToInt(String(p.gateway));
    if (g === undefined || g < lo || g > hi) throw bad(`properties.gateway '${String(p.gateway)}' is not an address inside ${prefix}.`, 'properties.gateway');
    net.gateway = String(p.gateway);
  }
  if (Array.isArray(p.dnsServers)) net.dnsServers = p.dnsServers.map(String);
  return net;
}

/** Resolves and checks the cluster's network against its custom location. */
export function clusterNetwork(services: Services, props: Record<string, any>, customLocation: string, site: string): ClusterNetwork {
  const ids = props.cloudProviderProfile?.infraNetworkProfile?.vnetSubnetIds;
  if (!Array.isArray(ids) || ids.length !== 1 || typeof ids[0] !== 'string') {
    throw Errors.invalid(
      'InvalidNetwork',
      `${NET_TARGET} must name exactly one network: the id of an Azure Stack HCI logical network (Microsoft.AzureStackHCI/logicalNetworks) on the cluster's custom location.`,
      NET_TARGET,
    );
  }
  const s = services.resources.get(ids[0]);
  if (!s || (s.typeKey !== LOGICAL_NETWORKS && s.typeKey !== VIRTUAL_NETWORKS)) {
    throw Errors.invalid('InvalidNetwork', `The network '${ids[0]}' was not found; create the logical network first (Microsoft.AzureStackHCI/logicalNetworks) or name an existing one.`, NET_TARGET);
  }
  const cl = String(s.resource.extendedLocation?.name ?? '');
  if (cl.toLowerCase() !== customLocation.toLowerCase()) {
    throw Errors.invalid(
      'NetworkOnAnotherCustomLocation',
      `The network '${s.resource.name}' is on custom location '${cl}', not on the cluster's custom location '${customLocation}'; name a network created on '${customLocation}'.`,
      NET_TARGET,
    );
  }
  if (s.resource.properties?.provisioningState !== 'Succeeded' || !s.internal.site) {
    throw Errors.invalid(
      'InvalidNetwork',
      `The network '${s.resource.name}' is ${s.resource.properties?.provisioningState ?? 'not ready'}; use it once its provisioningState is Succeeded.`,
      NET_TARGET,
    );
  }
  if (String(s.internal.site).toLowerCase() !== site.toLowerCase()) {
    throw Errors.invalid('NetworkOnAnotherCustomLocation', `The network '${s.resource.name}' is on site '${s.internal.site}', the custom location's site is '${site}'.`, NET_TARGET);
  }
  const fabricName = String(s.internal.network);
  const net = s.typeKey === LOGICAL_NETWORKS ? networkFromBody(fabricName, s.resource.id, s.resource.properties ?? {}) : networkFromVnet(fabricName, s.resource.id, s.resource.properties ?? {});
  if (net.dhcp || !net.addressPrefix) {
    throw Errors.invalid(
      'InvalidNetwork',
      `The logical network '${s.resource.name}' takes addresses from DHCP; AKS hybrid clusters need a Static logical network (addressPrefix and ipPools) so the control-plane endpoint has a fixed address.`,
      NET_TARGET,
    );
  }
  return { id: s.resource.id, fabricName, site, net };
}

const inRanges = (n: number, ranges: { start: string; end: string }[] | undefined) => (ranges ?? []).some((r) => n >= ipToInt(r.start)! && n <= ipToInt(r.end)!);

/** Endpoints other clusters on this network already hold. */
function endpointsTaken(services: Services, networkId: string, self: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of services.resources.listByType(INSTANCES)) {
    if (r.resource.id.toLowerCase() === self.toLowerCase()) continue;
    const ids = r.resource.properties?.cloudProviderProfile?.infraNetworkProfile?.vnetSubnetIds;
    if (!Array.isArray(ids) || String(ids[0]).toLowerCase() !== networkId.toLowerCase()) continue;
    const ip = r.resource.properties?.controlPlane?.controlPlaneEndpoint?.hostIP;
    if (typeof ip === 'string') out.set(ip, r.resource.id);
  }
  return out;
}

const EP_TARGET = 'properties.controlPlane.controlPlaneEndpoint.hostIP';

/** The control-plane endpoint: the one asked for (checked), or the first free address outside the pools. */
export function controlPlaneEndpoint(services: Services, cn: ClusterNetwork, asked: unknown, self: string): string {
  const [lo, hi] = parseCidr(cn.net.addressPrefix)!;
  const taken = endpointsTaken(services, cn.id, self);
  const reserved = new Set([cn.net.gateway, ...(cn.net.dnsServers ?? [])].filter(Boolean) as string[]);
  if (asked !== undefined && asked !== null && asked !== '') {
    const n = typeof asked === 'string' ? ipToInt(asked) : undefined;
    if (n === undefined) throw Errors.invalidParameter(`'${String(asked)}' is not an IPv4 address.`, EP_TARGET);
    if (n <= lo || n >= hi) {
      throw Errors.invalid(
        'InvalidControlPlaneEndpoint',
        `The control-plane endpoint ${asked} is outside the address prefix ${cn.net.addressPrefix} of network '${cn.net.name}'; pick an address inside it and outside its IP pools.`,
        EP_TARGET,
      );
    }
    if (inRanges(n, cn.net.ipPools) || inRanges(n, cn.net.vipPools)) {
      const pools = [...cn.net.ipPools, ...(cn.net.vipPools ?? [])].map((p) => `${p.start}-${p.end}`).join(', ');
      throw Errors.invalid(
        'InvalidControlPlaneEndpoint',
        `The control-plane endpoint ${asked} lies inside an IP pool of network '${cn.net.name}' (${pools}), where node addresses are handed out; pick an address of ${cn.net.addressPrefix} outside the pools.`,
        EP_TARGET,
      );
    }
    if (reserved.has(asked as string))
      throw Errors.invalid('InvalidControlPlaneEndpoint', `The control-plane endpoint ${asked} is the gateway or a DNS server of network '${cn.net.name}'; pick another address.`, EP_TARGET);
    const holder = taken.get(asked as string);
    if (holder)
      throw Errors.conflictWith(
        'ControlPlaneEndpointInUse',
        `The control-plane endpoint ${asked} is already used by the cluster '${holder}'; pick another address of ${cn.net.addressPrefix} outside the IP pools.`,
      );
    return asked as string;
  }
  // Start at an offset from the cluster's id, so clusters created at the same moment do not all
  // reach for the same first free address.
  const span = hi - lo - 1;
  let h = 0;
  for (const ch of self.toLowerCase()) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  for (let k = 0; k < span; k++) {
    const n = lo + 1 + ((h + k) % span);
    const ip = intToIp(n);
    if (inRanges(n, cn.net.ipPools) || inRanges(n, cn.net.vipPools) || reserved.has(ip) || taken.has(ip)) continue;
    return ip;
  }
  throw Errors.invalid(
    'NoControlPlaneEndpoint',
    `Network '${cn.net.name}' (${cn.net.addressPrefix}) has no free address outside its IP pools for the control-plane endpoint; give controlPlane.controlPlaneEndpoint.hostIP or free one.`,
    EP_TARGET,
  );
}

/** Every cluster on a network (its delete is refused while any exists). */
export function clustersOn(services: Services, s: StoredResource): string[] {
  const id = s.resource.id.toLowerCase();
  return services.resources
    .listByType(INSTANCES)
    .filter((r) => String(r.resource.properties?.cloudProviderProfile?.infraNetworkProfile?.vnetSubnetIds?.[0] ?? '').toLowerCase() === id)
    .map((r) => r.resource.id);
}
