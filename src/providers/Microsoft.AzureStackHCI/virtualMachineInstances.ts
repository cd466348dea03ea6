// Microsoft.AzureStackHCI/virtualMachineInstances/default: an Arc VM on an HCI site, the extension
// resource of an Arc machine (Microsoft.HybridCompute/machines of kind HCI). It is a fabric VM on the
// site behind its custom location (role virtualMachine): its size (a named size, Default, or Custom
// processors and memory) is placed on a host and counted against its capacity, it boots with the
// address its network interface holds, from a gallery image of the same custom location; a failure
// rolls back what was made. start, stop and restart are power actions on that VM (long-running, 202),
// and status.powerState is what the fabric says of it. Deleting it deletes the VM and frees its
// capacity; the network interface stays (with its address) until it is deleted.

import { createHash, randomUUID } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { Services } from '../../framework/types.js';
import type { ActionHandler, ArmResource, RequestContext, ResourceTypeDefinition, StoredResource, WriteOutcome } from '../../framework/types.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import type { VmRequest } from '../../fabric/model.js';
import { VM_SIZES } from '../../fabric/vmSizes.js';
import { atApiVersion } from '../versionShapes.js';
import { HCI_API_VERSIONS, hciTarget, inProgress, NS, referenced, sameId, settleHci } from './common.js';
import { instanceUsing } from './networkInterfaces.js';
import { crudOperations } from '../typeParts.js';

const TYPE = `${NS}/virtualMachineInstances`;
export const MACHINES = typeKeyOf('Microsoft.HybridCompute', 'machines');
/** Simulated durations at time-scale 1 (ms). */
const MS = { create: 90_000, guestAgent: 30_000, start: 30_000, stop: 20_000, delete: 30_000 };
/** Azure Local's 'Default' size. */
const DEFAULT_SIZE = { processors: 4, memoryMB: 4096 };
const OS_DISK_GB = 128;
const VM_CONFIG_AGENT_VERSION = '1.0.8';

type Props = Record<string, any>;

/** The fabric VM's name: the machine's, made unique on the site by a hash of the instance id. */
export function vmNameOf(instanceId: string): string {
  const machine = instanceId.split('/providers/')[1]?.split('/')[2] ?? 'vm';
  return `${machine.toLowerCase().slice(0, 40)}-${createHash('sha256').update(instanceId.toLowerCase()).digest('hex').slice(0, 8)}`;
}

export const machineIdOf = (instanceId: string) => instanceId.slice(0, instanceId.toLowerCase().indexOf('/providers/microsoft.azurestackhci/'));

/** The hardware asked for: a named size, Default, or Custom processors and memory. */
function hardware(h: Props | undefined): { vmSize: string; processors: number; memoryMB: number; custom: boolean } {
  const at = 'properties.hardwareProfile';
  const vmSize = String(h?.vmSize ?? 'Default');
  if (vmSize.toLowerCase() === 'custom') {
    const processors = h?.processors;
    const memoryMB = h?.memoryMB;
    if (!Number.isInteger(processors) || processors < 1 || processors > 64)
      throw Errors.invalidParameter(`${at}.processors must be a whole number from 1 to 64 with vmSize Custom; got ${JSON.stringify(processors)}.`, `${at}.processors`);
    if (!Number.isInteger(memoryMB) || memoryMB < 512 || memoryMB % 2 !== 0)
      throw Errors.invalidParameter(`${at}.memoryMB must be an even number of MB, 512 or more, with vmSize Custom; got ${JSON.stringify(memoryMB)}.`, `${at}.memoryMB`);
    return { vmSize: 'Custom', processors, memoryMB, custom: true };
  }
  if (vmSize.toLowerCase() === 'default') return { vmSize: 'Default', ...DEFAULT_SIZE, custom: true };
  const s = Object.values(VM_SIZES).find((x) => x.name.toLowerCase() === vmSize.toLowerCase());
  if (!s) throw Errors.invalidParameter(`${at}.vmSize '${vmSize}' is not an Azure Local VM size; use Default, Custom (with processors and memoryMB) or a size such as Standard_A4_v2.`, `${at}.vmSize`);
  return { vmSize: s.name, processors: s.cores, memoryMB: s.memoryGB * 1024, custom: false };
}

function requireMachine(ctx: RequestContext): StoredResource {
  const m = ctx.parent;
  if (!m) throw Errors.parentResourceNotFound(ctx.method === 'GET' ? 'read' : 'write', TYPE, ctx.path.scopeId);
  if (m.typeKey !== MACHINES)
    throw Errors.invalid('InvalidParentResource', `A virtual machine instance is an extension resource of an Arc machine (Microsoft.HybridCompute/machines); '${m.resource.type}' is not one.`);
  if (String(m.resource.kind ?? '').toLowerCase() !== 'hci')
    throw Errors.invalid('InvalidMachineKind', `The machine '${m.resource.name}' is of kind '${String(m.resource.kind ?? 'none')}'; a virtual machine instance needs a machine of kind HCI.`, 'kind');
  return m;
}

function plan(ctx: RequestContext, candidate: ArmResource): WriteOutcome {
  const { services } = ctx;
  if (ctx.path.names.at(-1)?.toLowerCase() !== 'default') throw Errors.invalid('InvalidResourceName', "A virtual machine instance is always named 'default'.", 'name');
  const machine = requireMachine(ctx);
  const t = hciTarget(ctx, candidate, 'A virtual machine instance');
  const ex = ctx.existing;
  const p: Props = { ...(candidate.properties ?? {}) };
  const hw = hardware(p.hardwareProfile);
  // storage: an image (or an existing OS disk), and where the VM's files go
  const sp: Props = p.storageProfile ?? {};
  let image: StoredResource | undefined;
  if (!sp.osDisk?.id) image = referenced(services, sp.imageReference?.id, 'galleryImages', 'gallery image', 'properties.storageProfile.imageReference.id', t.customLocation);
  const osType = String(image?.resource.properties?.osType ?? sp.osDisk?.osType ?? 'Linux');
  if (sp.vmConfigStoragePathId) referenced(services, sp.vmConfigStoragePathId, 'storageContainers', 'storage container', 'properties.storageProfile.vmConfigStoragePathId', t.customLocation);
  // the OS profile matches the image's OS
  const os: Props = p.osProfile ?? {};
  if (osType === 'Linux' && os.windowsConfiguration && !os.linuxConfiguration)
    throw Errors.invalidParameter(`The image '${image?.resource.name}' is Linux: give osProfile.linuxConfiguration, not windowsConfiguration.`, 'properties.osProfile.windowsConfiguration');
  if (osType === 'Windows' && os.linuxConfiguration && !os.windowsConfiguration)
    throw Errors.invalidParameter(`The image '${image?.resource.name}' is Windows: give osProfile.windowsConfiguration, not linuxConfiguration.`, 'properties.osProfile.linuxConfiguration');
  if (!ex) {
    if (typeof os.adminUsername !== 'string' || os.adminUsername === '') throw Errors.invalidParameter('properties.osProfile.adminUsername is required.', 'properties.osProfile.adminUsername');
    const keys = (os.linuxConfiguration ?? os.windowsConfiguration)?.ssh?.publicKeys;
    if ((typeof os.adminPassword !== 'string' || os.adminPassword === '') && !(Array.isArray(keys) && keys.length)) {
      throw Errors.invalidParameter('properties.osProfile needs adminPassword or ssh.publicKeys to sign in with.', 'properties.osProfile.adminPassword');
    }
  }
  const computerName = String(os.computerName ?? machine.resource.name);
  if (osType === 'Windows' && computerName.length > 15)
    throw Errors.invalidParameter(`properties.osProfile.computerName '${computerName}' is longer than 15 characters, the Windows limit.`, 'properties.osProfile.computerName');
  // network: interfaces of the same custom location, each used by this VM only
  const nics = p.networkProfile?.networkInterfaces ?? [];
  if (!Array.isArray(nics)) throw Errors.invalidParameter('properties.networkProfile.networkInterfaces must be an array of {id}.', 'properties.networkProfile.networkInterfaces');
  const nicRecords = nics.map((n: any, i: number) => {
    const at = `properties.networkProfile.networkInterfaces[${i}].id`;
    const nic = referenced(services, n?.id, 'networkInterfaces', 'network interface', at, t.customLocation);
    const user = instanceUsing(services, nic.resource.id);
    if (user && !sameId(user.resource.id, ctx.path.id))
      throw Errors.conflictWith('NetworkInterfaceInUse', `The network interface '${nic.resource.name}' is used by '${user.resource.id}'; a network interface belongs to one VM.`, at);
    return nic;
  });
  if (ex) {
    const before = ex.resource.properties ?? {};
    if (!sameId(before.storageProfile?.imageReference?.id, sp.imageReference?.id) && sp.imageReference?.id)
      throw Errors.propertyChangeNotAllowed('storageProfile.imageReference', String(before.storageProfile?.imageReference?.id), 'properties.storageProfile.imageReference.id');
  }
  const secrets = { adminPassword: typeof os.adminPassword === 'string' ? os.adminPassword : ex?.internal.adminPassword };
  const { adminPassword: _pw, ...osShown } = os;
  const resource: ArmResource = {
    ...candidate,
    properties: {
      ...p,
      hardwareProfile: { ...(p.hardwareProfile ?? {}), vmSize: hw.vmSize, processors: hw.processors, memoryMB: hw.memoryMB },
      osProfile: { ...osShown, computerName },
      storageProfile: { ...sp, ...(sp.osDisk ? {} : { osDisk: { osType } }) },
      networkProfile: { networkInterfaces: nicRecords.map((n: StoredResource) => ({ id: n.resource.id })) },
      provisioningState: 'Accepted',
      status: { ...inProgress(), powerState: ex?.resource.properties?.status?.powerState ?? 'Unknown' },
      vmId: ex?.resource.properties?.vmId ?? randomUUID(),
      resourceUid: p.resourceUid ?? ex?.resource.properties?.resourceUid ?? null,
    },
  };
  const internal: Props = { ...(ex?.internal ?? {}), site: t.site, vm: vmNameOf(ctx.path.id), osType, ...secrets };
  if (ex) {
    // Only what a running VM can take without a rebuild: tags and names; size changes are refused as Azure Local refuses them.
    const before = ex.resource.properties?.hardwareProfile ?? {};
    if (before.processors !== hw.processors || before.memoryMB !== hw.memoryMB) {
      throw Errors.invalid(
        'VmResizeNotSupported',
        `Changing the size of '${machine.resource.name}' (${before.processors} vCPU, ${before.memoryMB} MB to ${hw.processors} vCPU, ${hw.memoryMB} MB) needs the VM stopped and recreated in this emulator: delete the VM instance and create it again with the new size.`,
        'properties.hardwareProfile',
      );
    }
    return { resource, internal, operation: { kind: 'update', tasks: [{ id: 'update', kind: 'azurestackhci.step', params: { site: t.site }, durationMs: 5_000 }] } };
  }
  const nic = nicRecords[0];
  const ip = nic?.resource.properties?.ipConfigurations?.[0]?.properties?.privateIPAddress;
  const vm: VmRequest = {
    name: internal.vm,
    owner: ctx.path.id,
    role: 'virtualMachine',
    vmSize: hw.vmSize,
    ...(hw.custom ? { custom: { cores: hw.processors, memoryGB: hw.memoryMB / 1024, storageGB: OS_DISK_GB } } : {}),
    ...(nic ? { logicalNetwork: String(nic.internal.network) } : {}),
    ...(nic && ip ? { ip, addressOwner: nic.resource.id } : {}),
  };
  const tasks: TaskSpec[] = [
    { id: 'reserve', kind: 'fabric.reserve', params: { site: t.site, owner: ctx.path.id }, durationMs: 2_000 },
    { id: `create:${vm.name}`, kind: 'fabric.createVm', params: { site: t.site, vm }, dependsOn: ['reserve'], durationMs: MS.create, weight: 9 },
    { id: 'guestAgent', kind: 'azurestackhci.step', params: { site: t.site }, dependsOn: [`create:${vm.name}`], durationMs: MS.guestAgent },
  ];
  return { resource, internal, operation: { kind: 'create', tasks } };
}

/** The VM's power state: what the fabric says, or the transition an action in flight makes. */
function powerState(services: Services, s: StoredResource): string {
  const op = s.operationId ? services.asyncOperations.get(s.operationId) : undefined;
  if (op && op.status === 'InProgress' && op.kind === 'action') return op.action === 'stop' ? 'Stopping' : 'Starting';
  const site = s.internal.site as string | undefined;
  const vm = site && services.fabric?.hasSite(site) ? services.fabric.site(site).getVm(String(s.internal.vm)) : undefined;
  if (!vm) return s.resource.properties?.provisioningState === 'Accepted' ? 'Starting' : 'Unknown';
  switch (vm.state) {
    case 'Running':
      return 'Running';
    case 'Stopped':
    case 'Deallocated':
      return 'Stopped';
    case 'Creating':
      return 'Starting';
    default:
      return 'Unknown';
  }
}

function toWire(s: StoredResource, apiVersion: string, services: Services): ArmResource {
  const r = structuredClone(s.resource);
  const p = (r.properties ??= {});
  delete p.osProfile?.adminPassword;
  if (s.deleting) p.provisioningState = 'Deleting';
  p.status = { ...(p.status ?? {}), powerState: powerState(services, s) };
  const site = s.internal.site as string | undefined;
  const vm = site && services.fabric?.hasSite(site) ? services.fabric.site(site).getVm(String(s.internal.vm)) : undefined;
  if (vm && p.provisioningState === 'Succeeded') {
    p.instanceView = {
      vmAgent: {
        vmConfigAgentVersion: VM_CONFIG_AGENT_VERSION,
        statuses: [{ code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Connected', message: 'Connection with mocguestagent was succeeded.', time: vm.createdAt }],
      },
    };
  }
  return atApiVersion(TYPE, apiVersion, r);
}

function power(action: 'start' | 'stop' | 'restart'): ActionHandler {
  return (ctx) => {
    const s = ctx.existing;
    if (s.resource.properties?.provisioningState !== 'Succeeded')
      throw Errors.conflictWith('OperationNotAllowed', `The VM instance is ${s.resource.properties?.provisioningState}; ${action} it once it has been created.`);
    const site = String(s.internal.site);
    const vmName = String(s.internal.vm);
    const vm = ctx.services.fabric?.site(site).getVm(vmName);
    if (!vm) throw Errors.conflictWith('VmNotFound', `The VM of '${machineIdOf(s.resource.id)}' is not on ${site}.`);
    // A stopped Azure Local VM holds no cores or memory on its host (its disks stay): deallocated on the fabric.
    const stop: TaskSpec = { id: 'stop', kind: 'fabric.stopVm', params: { site, vmName, deallocate: true }, durationMs: MS.stop };
    const start: TaskSpec = { id: 'start', kind: 'fabric.startVm', params: { site, vmName }, durationMs: MS.start };
    const tasks = action === 'stop' ? [stop] : action === 'start' ? [start] : [stop, { ...start, dependsOn: ['stop'] }];
    return { operation: { kind: 'action', action, tasks, resultIsResource: true } };
  };
}

export const virtualMachineInstances: ResourceTypeDefinition = {
  namespace: NS,
  type: 'virtualMachineInstances',
  scope: 'extension',
  tracked: false,
  apiVersions: HCI_API_VERSIONS,
  patch: 'merge',
  providerOperations: [
    ...crudOperations(NS, 'virtualMachineInstances', 'virtual machine instance'),
    { name: 'Microsoft.AzureStackHCI/virtualMachineInstances/start/action', operation: 'Start virtual machine instance', description: 'Starts a virtual machine instance' },
    { name: 'Microsoft.AzureStackHCI/virtualMachineInstances/stop/action', operation: 'Stop virtual machine instance', description: 'Stops a virtual machine instance' },
    { name: 'Microsoft.AzureStackHCI/virtualMachineInstances/restart/action', operation: 'Restart virtual machine instance', description: 'Restarts a virtual machine instance' },
  ],
  onPut: plan,
  onPatch(ctx, candidate) {
    const body = (ctx.body ?? {}) as Props;
    for (const k of Object.keys(body.properties ?? {})) {
      if (!['hardwareProfile', 'osProfile', 'storageProfile', 'networkProfile', 'httpProxyConfig'].includes(k))
        throw Errors.invalidParameter(`Property '${k}' cannot be changed by PATCH.`, `properties.${k}`);
    }
    return plan({ ...ctx, existing: ctx.existing }, candidate);
  },
  onDelete(ctx) {
    const site = ctx.existing.internal.site as string | undefined;
    const vmName = String(ctx.existing.internal.vm);
    const tasks: TaskSpec[] =
      site && ctx.services.fabric?.hasSite(site) && ctx.services.fabric.site(site).getVm(vmName)
        ? [{ id: 'delete', kind: 'fabric.deleteVm', params: { site, vmName, owner: ctx.existing.resource.id }, durationMs: MS.delete }]
        : [{ id: 'delete', kind: 'azurestackhci.step', params: { site: site ?? '' }, durationMs: 1_000 }];
    return { operation: { kind: 'delete', tasks } };
  },
  actions: { start: power('start'), stop: power('stop'), restart: power('restart') },
  toWire,
  onOperationSucceeded: (op, s) => settleHci(op, s, true),
  onOperationFailed(op, s, e) {
    if (op.kind !== 'action' || !s) return settleHci(op, s, false, e);
    // A power action that failed leaves the VM as it was (the fabric undid its part): the error shows in status.
    const c = structuredClone(s);
    c.resource.properties = {
      ...c.resource.properties,
      status: { ...(c.resource.properties?.status ?? {}), errorCode: e.code, errorMessage: e.message, provisioningStatus: { operationId: op.id, status: 'Failed' } },
    };
    return { resource: c };
  },
};
