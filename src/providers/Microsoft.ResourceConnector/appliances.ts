// Microsoft.ResourceConnector: the Arc resource bridge (appliances) that connects an Azure Stack HCI
// site to Azure. An appliance binds to an HCI site of the fabric deterministically: the site whose
// config names it (capabilities.arcResourceBridges), else the first HCI site (in configuration
// order) that reserves no names and has no appliance yet. Creating it brings up its appliance VM on
// the site; its status moves WaitingForHeartbeat → Validating → Connecting → Running with the
// operation's tasks, and reads Offline while the site is disconnected. Deleting it removes its VM,
// its cluster extensions and what they installed.

import { atApiVersion } from '../versionShapes.js';
import { createHash, randomBytes } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, Completion, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import type { OperationRecord, TaskSpec } from '../../arm/asyncOperations.js';
import { describeSite } from '../../fabric/model.js';
import { newClusterSecrets, type ClusterSecrets } from '../../kubernetes/kubeconfig.js';
import { kubeconfigResults } from '../../kubernetes/credentials.js';
import { trackedType } from '../typeParts.js';

export const NS = 'Microsoft.ResourceConnector';
export const APPLIANCES = typeKeyOf(NS, 'appliances');
const CUSTOM_LOCATIONS = typeKeyOf('Microsoft.ExtendedLocation', 'customLocations');
export const STEP = 'resourceconnector.step';
export const API_VERSIONS = ['2022-10-27', '2022-04-15-preview', '2021-10-31-preview'];
const PROVIDERS = ['HCI', 'SCVMM', 'VMWare'];
export const APPLIANCE_VERSION = '1.0.18';
const NAME_RULE = {
  pattern: /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/,
  message: 'Appliance names are 1-63 letters, digits, dashes and underscores, starting and ending with a letter or digit.',
};

const durations = { vm: 30_000, validate: 10_000, connect: 10_000 };

/**
 * One bridge VM per site, under one name: two appliances racing for the same site cannot both get
 * one (the fabric refuses the second VM as owned by the first, and that operation rolls back).
 */
const BRIDGE_VM = 'arc-resource-bridge-0';

/**
 * The HCI site an appliance binds to: the site whose config names it in
 * capabilities.arcResourceBridges, else the first HCI site (in configuration order) that names no
 * bridges and has none yet.
 */
function bindSite(services: Services, id: string, name: string): string {
  const fabric = services.fabric;
  if (!fabric) throw Errors.invalid('NoFabric', 'This emulator runs without a fabric, so there is no Azure Stack HCI site for an Arc resource bridge.');
  const hci = fabric.sites().filter((s) => s.kind === 'AzureStackHCI');
  if (hci.length === 0) throw Errors.invalid('NoHciSite', 'This emulator has no Azure Stack HCI site; declare one in the config file\'s "sites" to deploy an Arc resource bridge.');
  const taken = new Map<string, string>();
  for (const a of services.resources.listByType(APPLIANCES)) if (a.internal.site && a.resource.id.toLowerCase() !== id.toLowerCase()) taken.set(String(a.internal.site).toLowerCase(), a.resource.id);
  const named = hci.find((s) => (s.capabilities?.arcResourceBridges ?? []).some((n) => n.toLowerCase() === name.toLowerCase()));
  if (named) {
    const holder = taken.get(named.name.toLowerCase());
    if (holder) {
      throw Errors.conflictWith(
        'ApplianceAlreadyExists',
        `Azure Stack HCI site '${named.name}', which the config names for '${name}', already has the Arc resource bridge '${holder}'. A site takes one resource bridge; delete that one first.`,
      );
    }
    return named.name;
  }
  const free = hci.find((s) => !taken.has(s.name.toLowerCase()) && !(s.capabilities?.arcResourceBridges ?? []).length);
  if (!free) {
    const why = hci.map((s) =>
      taken.has(s.name.toLowerCase())
        ? `'${s.name}' has '${taken.get(s.name.toLowerCase())}'`
        : `'${s.name}' is reserved for ${(s.capabilities?.arcResourceBridges ?? []).map((n) => `'${n}'`).join(', ')}`,
    );
    throw Errors.conflictWith(
      'ApplianceAlreadyExists',
      `No Azure Stack HCI site is free for the Arc resource bridge '${name}': ${why.join('; ')}. A site takes one resource bridge; delete the existing one, or add an HCI site (or name '${name}' in a site's capabilities.arcResourceBridges) in the config.`,
    );
  }
  return free.name;
}

function siteConnected(services: Services, site: string | undefined): boolean {
  if (!site || !services.fabric?.hasSite(site)) return true;
  return services.fabric.site(site).connected();
}

/** The status an operation in flight has reached, from the tasks it finished. */
function statusFromOperation(op: OperationRecord | undefined): string | undefined {
  if (!op || op.status !== 'InProgress' || op.kind === 'delete') return undefined;
  const done = (id: string) => op.tasks.find((t) => t.id === id)?.state === 'done';
  if (done('connect')) return 'Running';
  if (done('validate')) return 'Connecting';
  if (done('vm')) return 'Validating';
  return 'WaitingForHeartbeat';
}

function toWire(s: StoredResource, apiVersion: string, services: Services): ArmResource {
  const r = structuredClone(s.resource);
  const p = (r.properties ??= {});
  const live = statusFromOperation(s.operationId ? services.asyncOperations.get(s.operationId) : undefined);
  if (live) p.status = live;
  if (!siteConnected(services, s.internal.site) && p.provisioningState !== 'Failed') p.status = 'Offline';
  return atApiVersion('Microsoft.ResourceConnector/appliances', apiVersion, r);
}

function settle(stored: StoredResource | undefined, state: string, status: string): Completion {
  if (!stored) return { resource: undefined };
  const s = structuredClone(stored);
  s.resource.properties = { ...(s.resource.properties ?? {}), provisioningState: state, status };
  return { resource: s };
}

async function kubeconfig(s: StoredResource, services: Services): Promise<{ name: string; value: string }[]> {
  const secrets = s.internal.secrets as ClusterSecrets | undefined;
  if (!secrets) return [];
  const rg = s.resource.id.split('/')[4] ?? '';
  // The bridge's own Kubernetes cluster, served by the emulator like every other cluster.
  return kubeconfigResults(services, s.resource.id, ['clusterUser'], { clusterName: s.resource.name, resourceGroup: rg, secrets }).kubeconfigs;
}

export const appliances: ResourceTypeDefinition = {
  ...trackedType(NS, 'appliances', API_VERSIONS),
  nameRule: NAME_RULE,
  patch: 'tags',
  providerOperations: [
    { name: 'Microsoft.ResourceConnector/appliances/read', operation: 'Get Appliance', description: 'Gets an Appliance resource' },
    { name: 'Microsoft.ResourceConnector/appliances/write', operation: 'Create or Update Appliance', description: 'Creates or Updates an Appliance resource' },
    { name: 'Microsoft.ResourceConnector/appliances/delete', operation: 'Delete Appliance', description: 'Deletes an Appliance resource' },
    { name: 'Microsoft.ResourceConnector/appliances/listClusterUserCredential/action', operation: 'List cluster user credential', description: 'Gets the cluster user credential of the appliance' },
    { name: 'Microsoft.ResourceConnector/appliances/listKeys/action', operation: 'List keys', description: 'Gets the keys of the appliance' },
  ],
  async onPut(ctx, candidate) {
    const p = { ...(candidate.properties ?? {}) };
    const ex = ctx.existing;
    const provider = p.infrastructureConfig?.provider;
    if (typeof provider !== 'string' || provider === '') {
      throw Errors.invalidParameter(
        `properties.infrastructureConfig.provider is required: the private cloud the bridge connects (${PROVIDERS.join(', ')}); use 'HCI' for an Azure Stack HCI site.`,
        'properties.infrastructureConfig.provider',
      );
    }
    const known = PROVIDERS.find((x) => x.toLowerCase() === provider.toLowerCase());
    if (!known) throw Errors.invalidParameter(`The infrastructure provider '${provider}' is not one of ${PROVIDERS.join(', ')}.`, 'properties.infrastructureConfig.provider');
    const distro = p.distro ?? 'AKSEdge';
    if (String(distro).toLowerCase() !== 'aksedge') throw Errors.invalidParameter(`The distro '${String(distro)}' is not supported; the only distro is 'AKSEdge'.`, 'properties.distro');
    if (ex) {
      const was = ex.resource.properties?.infrastructureConfig?.provider;
      if (String(was).toLowerCase() !== provider.toLowerCase())
        throw Errors.propertyChangeNotAllowed('infrastructureConfig.provider', String(was), 'properties.infrastructureConfig.provider', 'delete the appliance and create it again');
    }
    const site = ex?.internal.site ?? bindSite(ctx.services, ctx.path.id, ctx.path.names[0]);
    const def = ctx.services.fabric!.site(site).definition;
    if (known !== 'HCI') {
      throw Errors.invalid(
        'InfrastructureProviderMismatch',
        `The appliance would bind to ${describeSite(def.kind, def.name)}, whose infrastructure is Azure Stack HCI, but properties.infrastructureConfig.provider is '${known}'. Set it to 'HCI' (SCVMM and VMware private clouds are not modelled by this emulator).`,
        'properties.infrastructureConfig.provider',
      );
    }
    const resource: ArmResource = {
      ...candidate,
      properties: {
        ...p,
        distro: 'AKSEdge',
        infrastructureConfig: { ...p.infrastructureConfig, provider: 'HCI' },
        version: ex?.resource.properties?.version ?? p.version ?? APPLIANCE_VERSION,
        provisioningState: ex ? 'Updating' : 'Creating',
        status: ex ? (ex.resource.properties?.status ?? 'Running') : 'WaitingForHeartbeat',
      },
    };
    if (!resource.identity) resource.identity = { type: 'None' };
    if (String(resource.identity.type).toLowerCase() === 'systemassigned') {
      resource.identity = {
        ...resource.identity,
        type: 'SystemAssigned',
        principalId: ex?.resource.identity?.principalId ?? cryptoUuid(),
        tenantId: ctx.principal.tenantId || ctx.services.config.tenantId,
      };
    }
    const internal: Record<string, any> = { ...(ex?.internal ?? {}), site, vm: ex?.internal.vm ?? BRIDGE_VM };
    if (!internal.secrets) internal.secrets = await newClusterSecrets(ctx.path.names[0]);
    const tasks: TaskSpec[] = ex
      ? [{ id: 'vm', kind: 'fabric.createVm', params: { site, vm: { name: internal.vm, owner: ctx.path.id, role: 'appliance', vmSize: 'Standard_D4s_v3' } }, durationMs: 0 }]
      : [
          { id: 'vm', kind: 'fabric.createVm', params: { site, vm: { name: internal.vm, owner: ctx.path.id, role: 'appliance', vmSize: 'Standard_D4s_v3' } }, durationMs: durations.vm, weight: 3 },
          { id: 'validate', kind: STEP, params: {}, dependsOn: ['vm'], durationMs: durations.validate },
          { id: 'connect', kind: STEP, params: {}, dependsOn: ['validate'], durationMs: durations.connect },
        ];
    return { resource, internal, operation: { kind: ex ? 'update' : 'create', tasks } };
  },
  onDelete(ctx) {
    const id = ctx.existing.resource.id;
    const users = ctx.services.resources.listByType(CUSTOM_LOCATIONS).filter((c) => String(c.resource.properties?.hostResourceId ?? '').toLowerCase() === id.toLowerCase());
    if (users.length) {
      throw Errors.conflictWith(
        'ApplianceInUse',
        `The Arc resource bridge '${ctx.existing.resource.name}' hosts custom location(s) ${users.map((u) => `'${u.resource.id}'`).join(', ')}; delete them first.`,
      );
    }
    const site = ctx.existing.internal.site as string | undefined;
    // Its VM, and every package its cluster extensions installed on it, go with it.
    const tasks: TaskSpec[] = site && ctx.services.fabric?.hasSite(site) ? [{ id: 'vm', kind: 'fabric.deleteOwner', params: { site, owner: id }, durationMs: durations.validate }] : [];
    return { operation: { kind: 'delete', tasks } };
  },
  actions: {
    async listClusterUserCredential(ctx) {
      const s = ctx.existing;
      const exp = new Date(Date.now() + 3 * 3600 * 1000).toISOString();
      return {
        status: 200,
        body: {
          hybridConnectionConfig: {
            expirationTime: Date.parse(exp),
            hybridConnectionName: `arc-bridge-${s.resource.name}`,
            relay: `relay-${String(s.internal.site ?? 'site')}.servicebus.windows.net`,
            token: randomBytes(24).toString('base64'),
          },
          kubeconfigs: await kubeconfig(s, ctx.services),
        },
      };
    },
    async listkeys(ctx) {
      if (ctx.apiVersion < SINCE_2022_10_27) throw Errors.actionNotFound('appliances/listkeys', NS, ctx.apiVersion);
      const s = ctx.existing;
      const now = new Date();
      const later = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
      const key = (k: string) => ({
        certificate: '',
        privateKey: '',
        publicKey: `ssh-rsa ${createHash('sha256').update(`${s.resource.id}:${k}`).digest('base64')} ${k}`,
        creationTimeStamp: now.getTime(),
        expirationTimeStamp: later.getTime(),
      });
      return {
        status: 200,
        body: {
          artifactProfiles: { LogsArtifactType: { endpoint: `https://${String(s.internal.vm ?? BRIDGE_VM)}.${String(s.internal.site ?? 'site')}.local:50000/logs` } },
          kubeconfigs: await kubeconfig(s, ctx.services),
          sshKeys: { SSHCustomerUser: key('SSHCustomerUser'), ManagementCAKey: key('ManagementCAKey'), LogsKey: key('LogsKey'), ScopedAccessKey: key('ScopedAccessKey') },
        },
      };
    },
  },
  toWire,
  onOperationSucceeded(op, stored) {
    if (op.kind === 'delete') return { resource: undefined };
    return settle(stored, 'Succeeded', 'Running');
  },
  onOperationFailed(op, stored) {
    if (op.kind === 'delete') return settle(stored, 'Failed', stored?.resource.properties?.status ?? 'None');
    return settle(stored, op.cancelRequested ? 'Canceled' : 'Failed', op.kind === 'create' ? 'None' : (stored?.resource.properties?.status ?? 'None'));
  },
};

function cryptoUuid(): string {
  return globalThis.crypto.randomUUID();
}

/** listkeys, upgradeGraphs and telemetryconfig are in 2022-10-27, not in the previews before it. */
export const SINCE_2022_10_27 = '2022-10-27';
