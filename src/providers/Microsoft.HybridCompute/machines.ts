// Microsoft.HybridCompute/machines: Arc-enabled servers. The emulator serves the kind an Azure Local VM
// is (kind HCI): an Arc machine created first, on which a virtualMachineInstances/default
// (Microsoft.AzureStackHCI) makes the VM on the HCI site. What the machine reports (status, OS, FQDN,
// agent) is what its VM instance's VM shows: Connected while it runs with its guest agent,
// Disconnected otherwise. PUT, PATCH and DELETE are synchronous, as the spec has them; a machine whose
// VM instance exists cannot be deleted before it (409), and a resource-group delete removes the VM
// instance first.

import { randomUUID } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { atApiVersion } from '../versionShapes.js';
import { trackedType } from '../typeParts.js';

export const NS = 'Microsoft.HybridCompute';
const TYPE = `${NS}/machines`;
const API_VERSIONS = ['2025-01-13', '2024-07-10', '2022-12-27', '2023-10-03-preview'];
const VM_INSTANCES = typeKeyOf('Microsoft.AzureStackHCI', 'virtualMachineInstances');
const KINDS = ['AVS', 'HCI', 'SCVMM', 'VMware', 'EPS', 'GCP', 'AWS'];
/** The Connected Machine agent the guest runs once its VM config agent has installed it. */
const AGENT_VERSION = '1.46.02897.1757';
const NAME_RULE = { pattern: /^[a-zA-Z0-9-_.]{1,54}$/, message: 'A machine name is 1-54 letters, digits, dashes, underscores and dots.' };
/** Properties the machine's agent reports; a PUT's values for them are ignored. */
const REPORTED = [
  'status',
  'lastStatusChange',
  'agentVersion',
  'displayName',
  'machineFqdn',
  'osName',
  'osVersion',
  'vmUuid',
  'osSku',
  'osEdition',
  'domainName',
  'adFqdn',
  'dnsFqdn',
  'detectedProperties',
  'networkProfile',
  'errorDetails',
  'agentConfiguration',
];

const instanceOf = (services: Services, machineId: string): StoredResource | undefined => services.resources.listByParent(machineId.toLowerCase()).find((r) => r.typeKey === VM_INSTANCES);

/** What the guest reports through its agent: the VM instance's VM, as the fabric has it. */
function report(services: Services, s: StoredResource): Record<string, unknown> {
  const inst = instanceOf(services, s.resource.id);
  if (!inst) return { status: 'Disconnected' };
  const site = inst.internal.site as string | undefined;
  const vm = site && services.fabric?.hasSite(site) ? services.fabric.site(site).getVm(String(inst.internal.vm)) : undefined;
  const ip = inst.resource.properties;
  const connected = !!vm && vm.state === 'Running' && ip?.provisioningState === 'Succeeded' && (!site || services.fabric!.site(site).connected());
  const out: Record<string, unknown> = { status: connected ? 'Connected' : 'Disconnected' };
  if (!vm || ip?.provisioningState !== 'Succeeded') return out;
  const linux = String(inst.internal.osType ?? 'Linux') === 'Linux';
  const computer = String(ip?.osProfile?.computerName ?? s.resource.name);
  return {
    ...out,
    lastStatusChange: vm.createdAt,
    agentVersion: AGENT_VERSION,
    displayName: computer,
    machineFqdn: computer,
    dnsFqdn: computer,
    osName: linux ? 'linux' : 'windows',
    osType: linux ? 'linux' : 'windows',
    osVersion: linux ? '5.15.0-1064-azure' : '10.0.20348.2527',
    osSku: linux ? 'Ubuntu 22.04.4 LTS' : 'Windows Server 2022 Datacenter',
    vmUuid: ip?.vmId,
    detectedProperties: {
      manufacturer: 'Microsoft Corporation',
      model: 'Virtual Machine',
      cloudprovider: 'N/A',
      totalPhysicalMemoryInGigabytes: String(Math.round(vm.memoryGB)),
      logicalCoreCount: String(vm.cores),
    },
    ...(vm.ip ? { networkProfile: { networkInterfaces: [{ ipAddresses: [{ address: vm.ip, ipAddressVersion: 'IPv4', subnet: { addressPrefix: '' } }] }] } } : {}),
  };
}

function toWire(s: StoredResource, apiVersion: string, services: Services): ArmResource {
  const r = structuredClone(s.resource);
  r.properties = { ...(r.properties ?? {}), ...report(services, s) };
  return atApiVersion(TYPE, apiVersion, r);
}

export const machines: ResourceTypeDefinition = {
  ...trackedType(NS, 'machines', API_VERSIONS),
  nameRule: NAME_RULE,
  patch: 'merge',
  providerOperations: [
    { name: 'Microsoft.HybridCompute/machines/read', operation: 'Read machines', description: 'Read any Azure Arc machines' },
    { name: 'Microsoft.HybridCompute/machines/write', operation: 'Write machines', description: 'Writes an Azure Arc machines' },
    { name: 'Microsoft.HybridCompute/machines/delete', operation: 'Delete machines', description: 'Deletes an Azure Arc machines' },
  ],
  onPut(ctx, candidate) {
    const ex = ctx.existing;
    const kind = candidate.kind === undefined || candidate.kind === null ? undefined : String(candidate.kind);
    const k = kind ? KINDS.find((x) => x.toLowerCase() === kind.toLowerCase()) : undefined;
    if (kind && !k) throw Errors.invalidParameter(`kind '${kind}' is not one of ${KINDS.join(', ')}.`, 'kind');
    if (ex && String(ex.resource.kind ?? '').toLowerCase() !== String(k ?? '').toLowerCase()) throw Errors.propertyChangeNotAllowed('kind', String(ex.resource.kind ?? ''), 'kind');
    const idType = candidate.identity?.type;
    if (idType !== undefined && String(idType).toLowerCase() !== 'systemassigned') throw Errors.invalidParameter(`identity.type '${idType}' is not SystemAssigned.`, 'identity.type');
    const p: Record<string, any> = { ...(candidate.properties ?? {}) };
    for (const key of REPORTED) delete p[key];
    const resource: ArmResource = {
      ...candidate,
      ...(k ? { kind: k } : {}),
      properties: { ...p, vmId: p.vmId ?? ex?.resource.properties?.vmId ?? randomUUID(), provisioningState: 'Succeeded' },
    };
    if (!k) delete resource.kind;
    if (idType !== undefined) resource.identity = { type: 'SystemAssigned', principalId: ex?.resource.identity?.principalId ?? randomUUID(), tenantId: ctx.services.config.tenantId };
    // The spec's Machines_CreateOrUpdate answers 200, also for a create.
    return { resource, createdStatus: 200 };
  },
  onDelete(ctx) {
    const inst = instanceOf(ctx.services, ctx.existing.resource.id);
    if (inst) {
      throw Errors.conflictWith(
        'VirtualMachineInstanceExists',
        `The machine '${ctx.existing.resource.name}' has a virtual machine instance on HCI; delete it first (DELETE ${inst.resource.id}), then the machine.`,
      );
    }
    return {};
  },
  cascadeFirst: [VM_INSTANCES],
  toWire,
};
