// Microsoft.AzureStackHCI/networkInterfaces: a VM's network interface on a logical network of the same
// custom location. Creating one holds an address of the network on the site (the one asked for in
// privateIPAddress, else the next free one of its pools; a DHCP network without pools gives none until
// a VM boots): the fabric counts it as used whether or not a VM has the interface yet. A VM instance
// boots with that address; deleting an interface a VM instance still uses is refused, deleting it
// otherwise gives the address back.

import { createHash } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, RequestContext, ResourceTypeDefinition, StoredResource, WriteOutcome } from '../../framework/types.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import { atApiVersion } from '../versionShapes.js';
import { hciKey, hciTrackedType, hciTarget, inProgress, NS, referenced, sameId, settleHci } from './common.js';

const TYPE = `${NS}/networkInterfaces`;
const VM_INSTANCES = hciKey('virtualMachineInstances');
const NIC_MS = 5_000;

type Props = Record<string, any>;

/** The VM instance that names this interface, if any. */
export function instanceUsing(services: Services, nicId: string): StoredResource | undefined {
  return services.resources.listByType(VM_INSTANCES).find((v) => (v.resource.properties?.networkProfile?.networkInterfaces ?? []).some((n: any) => sameId(n?.id, nicId)));
}

/** A MAC address of Hyper-V's range (00:15:5D), stable for the interface. */
function macFor(id: string): string {
  const h = createHash('sha256').update(id.toLowerCase()).digest();
  return ['00', '15', '5D', ...[0, 1, 2].map((i) => h[i].toString(16).padStart(2, '0').toUpperCase())].join(':');
}

function plan(ctx: RequestContext, candidate: ArmResource): WriteOutcome {
  const { services } = ctx;
  const t = hciTarget(ctx, candidate, 'A network interface');
  const ex = ctx.existing;
  const p: Props = { ...(candidate.properties ?? {}) };
  const configs = p.ipConfigurations;
  if (!Array.isArray(configs) || configs.length !== 1)
    throw Errors.invalidParameter(
      'properties.ipConfigurations must hold exactly one IP configuration (an Azure Stack HCI network interface has one address on one logical network).',
      'properties.ipConfigurations',
    );
  const c = configs[0] ?? {};
  const at = 'properties.ipConfigurations[0].properties';
  const lnet = referenced(services, c.properties?.subnet?.id, 'logicalNetworks', 'logical network', `${at}.subnet.id`, t.customLocation);
  const wanted = c.properties?.privateIPAddress;
  if (wanted !== undefined && wanted !== null && wanted !== '' && typeof wanted !== 'string')
    throw Errors.invalidParameter(`${at}.privateIPAddress must be an IPv4 address.`, `${at}.privateIPAddress`);
  if (ex) {
    const before = ex.resource.properties?.ipConfigurations?.[0]?.properties ?? {};
    if (!sameId(before.subnet?.id, lnet.resource.id))
      throw Errors.propertyChangeNotAllowed('subnet', String(before.subnet?.id), `${at}.subnet.id`, 'create another network interface for another network');
    if (wanted && wanted !== before.privateIPAddress && instanceUsing(services, ex.resource.id)) {
      throw Errors.conflictWith(
        'NetworkInterfaceInUse',
        `The network interface '${ex.resource.name}' is used by '${instanceUsing(services, ex.resource.id)!.resource.id}'; its address cannot change while a VM uses it.`,
      );
    }
  }
  const dns = p.dnsSettings?.dnsServers ?? [];
  if (!Array.isArray(dns) || dns.some((d: unknown) => typeof d !== 'string'))
    throw Errors.invalidParameter('properties.dnsSettings.dnsServers must be an array of IPv4 addresses.', 'properties.dnsSettings.dnsServers');
  const network = String(lnet.internal.network);
  const sub = lnet.resource.properties?.subnets?.[0]?.properties ?? {};
  const dhcpOnly = sub.ipAllocationMethod === 'Dynamic' && !(sub.ipPools ?? []).length;
  if (dhcpOnly && wanted) throw Errors.invalidParameter(`Logical network '${lnet.resource.name}' takes its addresses from DHCP: leave privateIPAddress out.`, `${at}.privateIPAddress`);
  const prefix = String(sub.addressPrefix ?? '');
  const gateway = (sub.routeTable?.properties?.routes ?? []).find((r: any) => r?.properties?.addressPrefix === '0.0.0.0/0')?.properties?.nextHopIpAddress ?? '';
  const resource: ArmResource = {
    ...candidate,
    properties: {
      ipConfigurations: [
        {
          name: String(c.name ?? 'ipconfig1'),
          properties: {
            subnet: { id: lnet.resource.id },
            privateIPAddress: ex?.resource.properties?.ipConfigurations?.[0]?.properties?.privateIPAddress ?? '',
            gateway,
            prefixLength: prefix.includes('/') ? prefix.split('/')[1] : '',
          },
        },
      ],
      macAddress: typeof p.macAddress === 'string' && p.macAddress ? p.macAddress : (ex?.resource.properties?.macAddress ?? macFor(ctx.path.id)),
      dnsSettings: { dnsServers: dns.length ? dns : (lnet.resource.properties?.dhcpOptions?.dnsServers ?? []) },
      provisioningState: 'Accepted',
      status: inProgress(),
    },
  };
  const tasks: TaskSpec[] = dhcpOnly
    ? [{ id: 'nic', kind: 'azurestackhci.step', params: {}, durationMs: NIC_MS }]
    : [{ id: 'address', kind: 'fabric.reserveAddress', params: { site: t.site, address: { network, owner: ctx.path.id, ...(wanted ? { ip: wanted } : {}) } }, durationMs: NIC_MS }];
  return {
    resource,
    internal: { ...(ex?.internal ?? {}), site: t.site, network, lnet: lnet.resource.id },
    operation: { kind: ex ? 'update' : 'create', tasks },
  };
}

function toWire(s: StoredResource, apiVersion: string): ArmResource {
  const r = structuredClone(s.resource);
  if (s.deleting) r.properties = { ...r.properties, provisioningState: 'Deleting' };
  return atApiVersion(TYPE, apiVersion, r);
}

export const networkInterfaces: ResourceTypeDefinition = {
  ...hciTrackedType('networkInterfaces', 'network interface'),
  onPut: plan,
  onDelete(ctx) {
    const vm = instanceUsing(ctx.services, ctx.existing.resource.id);
    if (vm) throw Errors.conflictWith('NetworkInterfaceInUse', `The network interface '${ctx.existing.resource.name}' is used by the VM instance '${vm.resource.id}'; delete the VM instance first.`);
    const site = ctx.existing.internal.site as string | undefined;
    const tasks: TaskSpec[] =
      site && ctx.services.fabric?.hasSite(site)
        ? [{ id: 'address', kind: 'fabric.releaseAddress', params: { site, owner: ctx.existing.resource.id, network: String(ctx.existing.internal.network) }, durationMs: NIC_MS }]
        : [];
    return { operation: { kind: 'delete', tasks } };
  },
  toWire,
  onOperationSucceeded(op, stored) {
    const out = settleHci(op, stored, true);
    // The address the site now holds for it.
    const ip = (op.tasks.find((t) => t.id === 'address')?.result as { ip?: string } | undefined)?.ip;
    if (out.resource && ip) out.resource.resource.properties!.ipConfigurations[0].properties.privateIPAddress = ip;
    return out;
  },
  onOperationFailed: (op, stored, error) => settleHci(op, stored, false, error),
};
