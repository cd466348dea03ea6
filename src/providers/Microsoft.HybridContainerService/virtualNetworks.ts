// virtualNetworks: the older network object an AKS hybrid cluster may name, made as a logical network on the site.

import type { OperationRecord } from '../../arm/asyncOperations.js';
import { Errors } from '../../arm/errors.js';
import type { Completion, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { atApiVersion } from '../versionShapes.js';
import { API_VERSIONS, NS, op, STEP, targetOf } from './common.js';
import { clustersOn, networkFromVnet } from './network.js';

export function settleSimple(o: OperationRecord, s: StoredResource | undefined, state: string): Completion {
  if (!s || (o.kind === 'delete' && state === 'Succeeded')) return { resource: undefined };
  const c = structuredClone(s);
  c.resource.properties = { ...(c.resource.properties ?? {}), provisioningState: state };
  return { resource: c };
}

// ---- virtualNetworks -------------------------------------------------------------------------------------

export const virtualNetworks: ResourceTypeDefinition = {
  namespace: NS,
  type: 'virtualNetworks',
  scope: 'resourceGroup',
  tracked: true,
  locations: '*',
  apiVersions: API_VERSIONS,
  listBySubscription: true,
  patch: 'tags',
  providerOperations: [op('virtualNetworks/read', 'Get virtual network'), op('virtualNetworks/write', 'Create or update virtual network'), op('virtualNetworks/delete', 'Delete virtual network')],
  async onPut(ctx, candidate) {
    if (!candidate.extendedLocation) {
      throw Errors.invalidExtendedLocation('A virtual network is created on a custom location: give extendedLocation {"type": "CustomLocation", "name": "<custom location id>"}.');
    }
    const ex = ctx.existing;
    if (ex && String(ex.resource.extendedLocation?.name).toLowerCase() !== String(candidate.extendedLocation.name).toLowerCase()) {
      throw Errors.propertyChangeNotAllowed('extendedLocation', String(ex.resource.extendedLocation?.name), 'extendedLocation.name');
    }
    const t = targetOf(ctx.services, candidate.extendedLocation, ctx);
    const fabricName = `vnet-${ctx.path.names[0]}`.toLowerCase();
    const p = { ...(candidate.properties ?? {}) };
    if (p.infraVnetProfile?.vmware)
      throw Errors.invalidParameter('infraVnetProfile.vmware is for VMware private clouds, which this emulator does not model; use infraVnetProfile.hci.', 'properties.infraVnetProfile');
    const net = networkFromVnet(fabricName, ctx.path.id, p);
    const snap = await ctx.services.fabric!.site(t.site).snapshot();
    const clash = snap.logicalNetworks.find((n) => n.name.toLowerCase() === fabricName && (!n.owner || n.owner.toLowerCase() !== ctx.path.id.toLowerCase()));
    if (clash) throw Errors.conflictWith('VirtualNetworkNameConflict', `${t.where} already has a network named '${clash.name}'; choose another name.`);
    return {
      // Accepted: in both versions' enums (2023-11-15-preview's has no Creating for networks)
      resource: { ...candidate, properties: { ...p, provisioningState: ex ? 'Updating' : 'Accepted', status: {} } },
      internal: { site: t.site, network: fabricName },
      operation: { kind: ex ? 'update' : 'create', tasks: [{ id: 'network', kind: 'fabric.addNetwork', params: { site: t.site, network: net }, durationMs: 5000 }] },
    };
  },
  onDelete(ctx) {
    const users = clustersOn(ctx.services, ctx.existing);
    if (users.length) throw Errors.conflictWith('VirtualNetworkInUse', `Virtual network '${ctx.existing.resource.name}' is used by AKS hybrid cluster(s) ${users.join(', ')}; delete them first.`);
    const site = ctx.existing.internal.site as string | undefined;
    const tasks =
      site && ctx.services.fabric?.hasSite(site)
        ? [{ id: 'network', kind: 'fabric.removeNetwork', params: { site, name: String(ctx.existing.internal.network), owner: ctx.existing.resource.id }, durationMs: 5000 }]
        : [{ id: 'settle', kind: STEP, params: {}, durationMs: 500 }];
    return { operation: { kind: 'delete', tasks } };
  },
  toWire(s, apiVersion) {
    const r = structuredClone(s.resource);
    r.type = 'Microsoft.HybridContainerService/virtualNetworks';
    if (s.deleting) r.properties = { ...r.properties, provisioningState: 'Deleting' };
    return atApiVersion(r.type, apiVersion, r);
  },
  onOperationSucceeded: (o, s) => settleSimple(o, s, 'Succeeded'),
  onOperationFailed: (o, s) => settleSimple(o, s, 'Failed'),
};
