// Microsoft.AzureStackHCI/logicalNetworks: the on-premises networks an infrastructure administrator
// creates on a custom location, so that clusters deployed there get their addresses. Each is
// validated (one subnet, CIDR, IP pools inside the prefix, gateway and DNS servers, VLAN, no
// overlap with another network on the same site and VLAN) and backed by the fabric's IP
// allocation: creating it adds the network to the site behind the custom location, and VMs later
// draw addresses from its pools. Deleting a network that VMs or resources still use is refused.

import { Errors } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, RequestContext, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { atApiVersion } from '../versionShapes.js';
import { hciKey, hciTrackedType, hciTarget, inProgress, NS, sameId, settleHci } from './common.js';
import type { LogicalNetwork, IpRange } from '../../fabric/model.js';
import { ipToInt, parseCidr } from '../../fabric/placement.js';

const ADD_MS = 5_000;
const TYPE = `${NS}/logicalNetworks`;
const NICS = hciKey('networkInterfaces');

const bad = (message: string, target: string) => Errors.invalidParameter(message, target);

function ip(v: unknown, target: string): number {
  const n = typeof v === 'string' ? ipToInt(v) : undefined;
  if (n === undefined) throw bad(`'${String(v)}' is not an IPv4 address.`, target);
  return n;
}

/** The fabric network a logical network's body describes, after every check that needs no site. */
export function networkFromBody(name: string, owner: string, p: Record<string, any>): LogicalNetwork {
  const subnets = p.subnets;
  if (!Array.isArray(subnets) || subnets.length !== 1) {
    throw bad('properties.subnets must hold exactly one subnet (an Azure Stack HCI logical network maps one VM network on one VLAN).', 'properties.subnets');
  }
  const s = subnets[0] ?? {};
  const sp = (s.properties ?? {}) as Record<string, any>;
  const at = 'properties.subnets[0].properties';
  const method = String(sp.ipAllocationMethod ?? 'Dynamic');
  if (!['static', 'dynamic'].includes(method.toLowerCase())) throw bad(`ipAllocationMethod '${method}' is not one of Static, Dynamic.`, `${at}.ipAllocationMethod`);
  const isStatic = method.toLowerCase() === 'static';
  const vlan = sp.vlan ?? 0;
  if (!Number.isInteger(vlan) || vlan < 0 || vlan > 4094) throw bad(`vlan must be a whole number from 0 to 4094, got ${JSON.stringify(vlan)}.`, `${at}.vlan`);
  const prefixText = sp.addressPrefix ?? (Array.isArray(sp.addressPrefixes) ? sp.addressPrefixes[0] : undefined);
  let prefix: [number, number] | undefined;
  if (prefixText !== undefined) {
    prefix = typeof prefixText === 'string' ? parseCidr(prefixText) : undefined;
    if (!prefix) throw bad(`addressPrefix '${String(prefixText)}' is not an IPv4 CIDR such as 172.16.0.0/24.`, `${at}.addressPrefix`);
    const bits = Number(String(prefixText).split('/')[1]);
    const base = ipToInt(String(prefixText).split('/')[0])!;
    if (bits < 32 && base !== prefix[0]) throw bad(`addressPrefix '${prefixText}' has host bits set; the network address is ${intToIp(prefix[0])}/${bits}.`, `${at}.addressPrefix`);
  }
  if (isStatic && !prefix) throw bad('A Static logical network needs an addressPrefix (and usually ipPools, a gateway route and DNS servers).', `${at}.addressPrefix`);
  const inside = (n: number) => !prefix || (n >= prefix[0] && n <= prefix[1]);
  // IP pools
  const pools: IpRange[] = [];
  const vipPools: IpRange[] = [];
  const rawPools = sp.ipPools ?? [];
  if (!Array.isArray(rawPools)) throw bad('ipPools must be an array of {start, end}.', `${at}.ipPools`);
  // A Dynamic network may name pools too (the quickstarts' prerequisites do): they are its DHCP scope.
  const seen: [number, number, number][] = [];
  rawPools.forEach((pool: any, i: number) => {
    const where = `${at}.ipPools[${i}]`;
    const a = ip(pool?.start, `${where}.start`);
    const b = ip(pool?.end, `${where}.end`);
    if (b < a) throw bad(`IP pool ${i} ends (${pool.end}) before it starts (${pool.start}).`, where);
    if (!inside(a) || !inside(b)) throw bad(`IP pool ${i} (${pool.start}-${pool.end}) lies outside the address prefix ${prefixText}.`, where);
    for (const [x, y, j] of seen) if (a <= y && x <= b) throw bad(`IP pools ${j} and ${i} overlap.`, where);
    seen.push([a, b, i]);
    const type = String(pool.ipPoolType ?? 'vm').toLowerCase();
    if (type !== 'vm' && type !== 'vippool') throw bad(`ipPoolType '${pool.ipPoolType}' is not one of vm, vippool.`, `${where}.ipPoolType`);
    (type === 'vippool' ? vipPools : pools).push({ start: intToIp(a), end: intToIp(b) });
  });
  if (isStatic && pools.length === 0 && vipPools.length === 0 && prefix) {
    // No pool at all: every host address of the prefix but the first (kept for the gateway). A network that names
    // only a VIP pool gets no VM pool: its addresses are the VIP pool's, never the whole prefix.
    if (prefix[1] - prefix[0] < 3) throw bad(`addressPrefix ${prefixText} is too small to hand out addresses; give an ipPool.`, `${at}.addressPrefix`);
    pools.push({ start: intToIp(prefix[0] + 2), end: intToIp(prefix[1] - 1) });
  }
  // routes: the default route's next hop is the gateway
  let gateway: string | undefined;
  const routes = sp.routeTable?.properties?.routes ?? sp.routeTable?.routes ?? [];
  if (!Array.isArray(routes)) throw bad('routeTable.properties.routes must be an array.', `${at}.routeTable`);
  routes.forEach((r: any, i: number) => {
    const rp = r?.properties ?? r ?? {};
    const where = `${at}.routeTable.properties.routes[${i}].properties`;
    if (rp.addressPrefix === undefined || !parseCidr(String(rp.addressPrefix))) throw bad(`Route ${i}: addressPrefix '${String(rp.addressPrefix)}' is not an IPv4 CIDR.`, `${where}.addressPrefix`);
    const hop = ip(rp.nextHopIpAddress, `${where}.nextHopIpAddress`);
    if (!inside(hop)) throw bad(`Route ${i}: next hop ${rp.nextHopIpAddress} is not inside the address prefix ${prefixText}.`, `${where}.nextHopIpAddress`);
    if (rp.addressPrefix === '0.0.0.0/0') gateway = intToIp(hop);
  });
  if (gateway) {
    const g = ipToInt(gateway)!;
    for (const pool of [...pools, ...vipPools])
      if (g >= ipToInt(pool.start)! && g <= ipToInt(pool.end)!) throw bad(`The gateway ${gateway} lies inside IP pool ${pool.start}-${pool.end}.`, `${at}.ipPools`);
  }
  const dns = p.dhcpOptions?.dnsServers ?? [];
  if (!Array.isArray(dns)) throw bad('dhcpOptions.dnsServers must be an array of IPv4 addresses.', 'properties.dhcpOptions.dnsServers');
  dns.forEach((d: unknown, i: number) => ip(d, `properties.dhcpOptions.dnsServers[${i}]`));
  const net: LogicalNetwork = { name, addressPrefix: prefixText ?? '', vlan, ipPools: pools, owner };
  if (!prefixText) delete (net as Partial<LogicalNetwork>).addressPrefix;
  if (!isStatic) net.dhcp = true;
  if (vipPools.length) net.vipPools = vipPools;
  if (gateway) net.gateway = gateway;
  if (dns.length) net.dnsServers = dns.map(String);
  return net;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Other resources that point at this network (by id) or VMs holding addresses on it. */
async function usersOf(services: Services, s: StoredResource): Promise<string[]> {
  const id = s.resource.id.toLowerCase();
  // only resources whose stored text names the network (in any case) are read, and the scan yields
  const named = new RegExp(id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'i');
  const users = await services.resources.scan(
    (t) => named.test(t),
    (r) =>
      r.resource.id.toLowerCase() !== id &&
      JSON.stringify(r.resource.properties ?? {})
        .toLowerCase()
        .includes(id),
  );
  const out = users.map((r) => r.resource.id);
  const site = s.internal.site as string | undefined;
  if (site && services.fabric?.hasSite(site)) {
    const name = String(s.internal.network ?? '').toLowerCase();
    for (const vm of services.fabric.site(site).allVms()) if (vm.logicalNetwork?.toLowerCase() === name) out.push(`VM ${vm.name}${vm.ip ? ` (${vm.ip})` : ''} of ${vm.owner}`);
  }
  return out;
}

async function plan(ctx: RequestContext, candidate: ArmResource, ex?: StoredResource) {
  const target = hciTarget(ctx, candidate, 'A logical network');
  const name = ctx.path.names[0];
  const net = networkFromBody(name, ctx.path.id, candidate.properties ?? {});
  // Checks against the site, before anything is created (the fabric checks again when it adds it).
  const snap = await ctx.services.fabric!.site(target.site).snapshot();
  for (const other of snap.logicalNetworks) {
    if (other.name.toLowerCase() === name.toLowerCase()) {
      if (!other.owner || other.owner.toLowerCase() !== ctx.path.id.toLowerCase()) {
        throw Errors.conflictWith(
          'LogicalNetworkNameConflict',
          `${target.where} already has a logical network named '${other.name}'${other.owner ? ` ('${other.owner}')` : ' (configured on the site)'}; choose another name.`,
        );
      }
      continue;
    }
    if ((other.vlan ?? 0) !== (net.vlan ?? 0) || !net.addressPrefix || !other.addressPrefix) continue;
    const a = parseCidr(net.addressPrefix)!;
    const b = parseCidr(other.addressPrefix);
    if (b && a[0] <= b[1] && b[0] <= a[1]) {
      throw Errors.invalid(
        'LogicalNetworkOverlap',
        `The address prefix ${net.addressPrefix} on VLAN ${net.vlan ?? 0} overlaps logical network '${other.name}' (${other.addressPrefix}, VLAN ${other.vlan ?? 0}) on ${target.where}; choose another prefix or VLAN.`,
        'properties.subnets[0].properties.addressPrefix',
      );
    }
  }
  const resource: ArmResource = {
    ...candidate,
    // The service's ProvisioningStateEnum has no Creating/Updating: a write is Accepted until it is done.
    properties: { ...normalized(candidate.properties ?? {}), provisioningState: 'Accepted', status: inProgress() },
  };
  return {
    resource,
    internal: { site: target.site, network: name },
    operation: { kind: ex ? ('update' as const) : ('create' as const), tasks: [{ id: 'network', kind: 'fabric.addNetwork', params: { site: target.site, network: net }, durationMs: ADD_MS }] },
  };
}

/**
 * The properties as the service returns them: every subnet with its vlan (0 when not given),
 * ipAllocationMethod, ipPools, routeTable and ipConfigurationReferences, and dhcpOptions, as real
 * responses always carry them.
 */
function normalized(p: Record<string, any>): Record<string, any> {
  const out = { ...p };
  out.dhcpOptions = { dnsServers: Array.isArray(p.dhcpOptions?.dnsServers) ? p.dhcpOptions.dnsServers.map(String) : [] };
  out.subnets = (Array.isArray(p.subnets) ? p.subnets : []).map((sn: any) => {
    const sp = { ...(sn?.properties ?? {}) };
    sp.vlan = sp.vlan ?? 0;
    sp.ipAllocationMethod = String(sp.ipAllocationMethod ?? 'Dynamic').toLowerCase() === 'static' ? 'Static' : 'Dynamic';
    sp.ipPools = Array.isArray(sp.ipPools) ? sp.ipPools : [];
    sp.routeTable = { properties: { routes: Array.isArray(sp.routeTable?.properties?.routes) ? sp.routeTable.properties.routes : [] } };
    sp.ipConfigurationReferences = Array.isArray(sp.ipConfigurationReferences) ? sp.ipConfigurationReferences : [];
    return { ...sn, properties: sp };
  });
  return out;
}

/** The network interfaces on a network, as its subnet's ipConfigurationReferences name them. */
function interfacesOn(services: Services, lnetId: string): { ID: string }[] {
  return services.resources
    .listByType(NICS)
    .filter((n) => (n.resource.properties?.ipConfigurations ?? []).some((c: any) => sameId(c?.properties?.subnet?.id, lnetId)))
    .map((n) => ({ ID: n.resource.id }));
}

function toWire(s: StoredResource, apiVersion: string, services: Services): ArmResource {
  const r = structuredClone(s.resource);
  if (s.deleting) r.properties = { ...r.properties, provisioningState: 'Deleting' };
  const refs = interfacesOn(services, s.resource.id);
  for (const sn of r.properties?.subnets ?? []) if (sn.properties) sn.properties.ipConfigurationReferences = refs;
  return atApiVersion(TYPE, apiVersion, r);
}

export const logicalNetworks: ResourceTypeDefinition = {
  ...hciTrackedType('logicalNetworks', 'logical network'),
  onPut(ctx, candidate) {
    return plan(ctx, candidate, ctx.existing);
  },
  async onDelete(ctx) {
    const users = await usersOf(ctx.services, ctx.existing);
    if (users.length) {
      throw Errors.conflictWith('LogicalNetworkInUse', `Logical network '${ctx.existing.resource.name}' is in use by ${users.join(', ')}; delete them first.`);
    }
    const site = ctx.existing.internal.site as string | undefined;
    const tasks =
      site && ctx.services.fabric?.hasSite(site)
        ? [{ id: 'network', kind: 'fabric.removeNetwork', params: { site, name: String(ctx.existing.internal.network), owner: ctx.existing.resource.id }, durationMs: ADD_MS }]
        : [];
    return { operation: { kind: 'delete', tasks } };
  },
  toWire,
  onOperationSucceeded: (op, stored) => settleHci(op, stored, true),
  onOperationFailed: (op, stored, error) => settleHci(op, stored, false, error),
};
