// Microsoft.KubernetesConfiguration: cluster extensions, an extension resource on a Kubernetes host
// (an Arc resource bridge appliance, a connected cluster, a managed cluster). The extension types
// and their versions come from the catalogue in src/kubernetes/extensionTypes.ts. Installing is a
// fabric task on the host's site (it waits for, then fails on, a disconnected site); deleting the
// host removes the extensions and what they installed.

import { createHash } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, Completion, RequestContext, ResourceProvider, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import { EXTENSION_TYPES, findExtensionType, type ExtensionType } from '../../kubernetes/extensionTypes.js';

export const NS = 'Microsoft.KubernetesConfiguration';
export const EXTENSIONS = typeKeyOf(NS, 'extensions');
const CUSTOM_LOCATIONS = typeKeyOf('Microsoft.ExtendedLocation', 'customLocations');
const API_VERSIONS = ['2025-03-01', '2024-11-01', '2023-05-01', '2022-11-01', '2022-03-01', '2024-04-01-preview', '2023-05-01-preview', '2022-04-02-preview'];
const INSTALL_MS = 20_000;
const HOST_NAMES: Record<string, string> = {
  'microsoft.resourceconnector/appliances': 'an Arc resource bridge (Microsoft.ResourceConnector/appliances)',
  'microsoft.kubernetes/connectedclusters': 'a connected cluster (Microsoft.Kubernetes/connectedClusters)',
  'microsoft.containerservice/managedclusters': 'an AKS cluster (Microsoft.ContainerService/managedClusters)',
  'microsoft.hybridcontainerservice/provisionedclusters': 'an AKS hybrid cluster (Microsoft.HybridContainerService/provisionedClusters)',
};

const packageName = (id: string) => `ext-${createHash('sha256').update(id.toLowerCase()).digest('hex').slice(0, 10)}`;
const trainKey = (t: ExtensionType, train: string) => Object.keys(t.releaseTrains).find((k) => k.toLowerCase() === train.toLowerCase());

function requireHost(ctx: RequestContext): StoredResource {
  const host = ctx.parent;
  if (!host) throw Errors.parentResourceNotFound('write', `${NS}/extensions`, ctx.path.scopeId);
  if (!HOST_NAMES[host.typeKey]) {
    throw Errors.invalid('InvalidClusterResourceType', `Cluster extensions can be installed on ${Object.values(HOST_NAMES).join(', ')}; '${host.resource.type}' is not a Kubernetes cluster.`, 'id');
  }
  return host;
}

function checkType(raw: unknown, host: StoredResource): ExtensionType {
  if (typeof raw !== 'string' || raw === '') throw Errors.invalidParameter('properties.extensionType is required (for example microsoft.flux).', 'properties.extensionType');
  const t = findExtensionType(raw);
  if (!t) {
    throw Errors.invalid(
      'ExtensionTypeRegistrationGetFailed',
      `Extension type '${raw}' is not registered. Known extension types: ${EXTENSION_TYPES.map((x) => x.name).join(', ')}.`,
      'properties.extensionType',
    );
  }
  if (!t.hosts.includes(host.typeKey)) {
    throw Errors.invalid(
      'ExtensionTypeNotSupportedOnCluster',
      `Extension type '${t.name}' cannot be installed on ${HOST_NAMES[host.typeKey]}; it installs on ${t.hosts.map((h) => HOST_NAMES[h] ?? h).join(', ')}.`,
      'properties.extensionType',
    );
  }
  return t;
}

/** releaseTrain / version / autoUpgradeMinorVersion, as the service reads them. */
function resolveVersion(t: ExtensionType, p: Record<string, any>): { releaseTrain: string; version: string; pinned: boolean } {
  const train = typeof p.releaseTrain === 'string' && p.releaseTrain !== '' ? p.releaseTrain : 'Stable';
  const key = trainKey(t, train);
  if (!key) throw Errors.invalidParameter(`Release train '${train}' does not exist for extension type '${t.name}'. Release trains: ${Object.keys(t.releaseTrains).join(', ')}.`, 'properties.releaseTrain');
  const versions = t.releaseTrains[key];
  const auto = p.autoUpgradeMinorVersion !== false;
  if (p.version !== undefined && p.version !== null) {
    if (auto) throw Errors.invalidParameter('A version can be specified only when autoUpgradeMinorVersion is false; set autoUpgradeMinorVersion to false to pin it, or leave version out.', 'properties.version');
    const v = String(p.version);
    if (!versions.includes(v)) throw Errors.invalidParameter(`Version '${v}' of extension type '${t.name}' does not exist in release train '${key}'. Versions: ${versions.join(', ')}.`, 'properties.version');
    return { releaseTrain: train, version: v, pinned: true };
  }
  return { releaseTrain: train, version: versions[versions.length - 1], pinned: false };
}

function checkScope(t: ExtensionType, name: string, scope: any): Record<string, any> {
  if (scope === undefined || scope === null) return t.defaultScope === 'cluster' ? { cluster: { releaseNamespace: t.defaultReleaseNamespace } } : { namespace: { targetNamespace: name } };
  if (typeof scope !== 'object') throw Errors.invalidParameter('properties.scope must be an object with either cluster or namespace.', 'properties.scope');
  if (scope.cluster && scope.namespace) throw Errors.invalidParameter("properties.scope takes either 'cluster' or 'namespace', not both.", 'properties.scope');
  if (scope.namespace) return { namespace: { targetNamespace: String(scope.namespace.targetNamespace ?? name) } };
  return { cluster: { releaseNamespace: String(scope.cluster?.releaseNamespace ?? t.defaultReleaseNamespace) } };
}

function hostSite(host: StoredResource): string {
  const site = host.internal.site as string | undefined;
  if (!site) throw Errors.invalid('ClusterNotReady', `The cluster '${host.resource.name}' is not running on any site yet; install extensions once it has been created.`);
  return site;
}

function installTask(ctx: RequestContext, host: StoredResource, t: ExtensionType, version: string, scope: Record<string, any>): TaskSpec {
  const id = ctx.path.id;
  return {
    id: 'install',
    kind: 'fabric.installPackage',
    params: {
      site: hostSite(host),
      package: { name: packageName(id), owner: id, host: host.resource.id, packageType: t.name, version, namespace: scope.cluster?.releaseNamespace ?? scope.namespace?.targetNamespace },
    },
    durationMs: INSTALL_MS,
  };
}

function protectedSettings(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw Errors.invalidParameter('properties.configurationProtectedSettings must be an object of strings.', 'properties.configurationProtectedSettings');
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
}

function settle(stored: StoredResource | undefined, state: string, extra: Record<string, any> = {}): Completion {
  if (!stored) return { resource: undefined };
  const s = structuredClone(stored);
  s.resource.properties = { ...(s.resource.properties ?? {}), provisioningState: state, ...extra };
  return { resource: s };
}

function toWire(s: StoredResource, apiVersion: string): ArmResource {
  const r = structuredClone(s.resource);
  const p = (r.properties ??= {});
  delete p.configurationProtectedSettings;
  if (apiVersion < '2022-11-01') {
    // Older versions call the running version installedVersion (renamed currentVersion in 2022-11-01).
    delete p.isSystemExtension;
    p.installedVersion = p.currentVersion;
    delete p.currentVersion;
  }
  return r;
}

const extensions: ResourceTypeDefinition = {
  namespace: NS,
  type: 'extensions',
  scope: 'extension',
  tracked: false,
  apiVersions: API_VERSIONS,
  patch: 'merge',
  providerOperations: [
    { name: 'Microsoft.KubernetesConfiguration/extensions/read', operation: 'Get extension', description: 'Gets an extension resource' },
    { name: 'Microsoft.KubernetesConfiguration/extensions/write', operation: 'Create or update extension', description: 'Creates or updates an extension resource' },
    { name: 'Microsoft.KubernetesConfiguration/extensions/delete', operation: 'Delete extension', description: 'Deletes an extension resource' },
  ],
  onPut(ctx, candidate) {
    const host = requireHost(ctx);
    const ex = ctx.existing;
    const p = { ...(candidate.properties ?? {}) };
    const t = checkType(p.extensionType, host);
    if (ex && String(ex.resource.properties?.extensionType).toLowerCase() !== t.name.toLowerCase()) {
      throw Errors.propertyChangeNotAllowed('extensionType', String(ex.resource.properties?.extensionType), 'properties.extensionType', 'delete the extension and create it again');
    }
    const scope = checkScope(t, ctx.path.names[ctx.path.names.length - 1], p.scope);
    if (ex && JSON.stringify(scope) !== JSON.stringify(ex.resource.properties?.scope)) throw Errors.propertyChangeNotAllowed('scope', JSON.stringify(ex.resource.properties?.scope), 'properties.scope');
    const v = resolveVersion(t, p);
    const secrets = protectedSettings(p.configurationProtectedSettings);
    delete p.configurationProtectedSettings;
    const resource: ArmResource = {
      ...candidate,
      properties: {
        ...p,
        extensionType: p.extensionType,
        autoUpgradeMinorVersion: p.autoUpgradeMinorVersion !== false,
        releaseTrain: v.releaseTrain,
        version: v.pinned ? v.version : null,
        currentVersion: ex?.resource.properties?.currentVersion ?? null,
        scope,
        configurationSettings: p.configurationSettings ?? {},
        provisioningState: ex ? 'Updating' : 'Creating',
        statuses: [],
        errorInfo: null,
        customLocationSettings: null,
        isSystemExtension: false,
        packageUri: null,
      },
    };
    delete resource.location;
    delete resource.tags;
    if (resource.identity && String(resource.identity.type).toLowerCase() === 'systemassigned') {
      resource.identity = { type: 'SystemAssigned', principalId: ex?.resource.identity?.principalId ?? globalThis.crypto.randomUUID(), tenantId: ctx.services.config.tenantId };
    }
    const internal = { ...(ex?.internal ?? {}), protectedSettings: secrets ?? ex?.internal.protectedSettings ?? {}, version: v.version };
    return { resource, internal, operation: { kind: ex ? 'update' : 'create', tasks: [installTask(ctx, host, t, v.version, scope)], data: { version: v.version } } };
  },
  onPatch(ctx, candidate) {
    const host = requireHost(ctx);
    const before = ctx.existing.resource.properties ?? {};
    const body = (ctx.body ?? {}) as Record<string, any>;
    const allowed = new Set(['autoUpgradeMinorVersion', 'releaseTrain', 'version', 'configurationSettings', 'configurationProtectedSettings']);
    for (const k of Object.keys(body.properties ?? {})) {
      if (!allowed.has(k)) throw Errors.invalidParameter(`Property '${k}' cannot be changed by PATCH; it takes ${[...allowed].join(', ')}.`, `properties.${k}`);
    }
    const p = { ...(candidate.properties ?? {}) };
    const t = checkType(before.extensionType, host);
    // A release train change without a version moves to that train's newest version.
    if (body.properties?.autoUpgradeMinorVersion === true && body.properties?.version === undefined) p.version = null;
    const v = resolveVersion(t, p);
    const secrets = { ...(ctx.existing.internal.protectedSettings ?? {}), ...(protectedSettings(body.properties?.configurationProtectedSettings) ?? {}) };
    delete p.configurationProtectedSettings;
    const resource: ArmResource = {
      ...candidate,
      properties: { ...p, releaseTrain: v.releaseTrain, autoUpgradeMinorVersion: p.autoUpgradeMinorVersion !== false, version: v.pinned ? v.version : null, provisioningState: 'Updating' },
    };
    const scope = before.scope ?? {};
    return {
      resource,
      internal: { ...ctx.existing.internal, protectedSettings: secrets, version: v.version },
      operation: { kind: 'update', tasks: [installTask(ctx, host, t, v.version, scope)], data: { version: v.version } },
    };
  },
  onDelete(ctx) {
    const id = ctx.existing.resource.id;
    const force = String(ctx.query.forceDelete ?? ctx.query.forcedelete ?? '').toLowerCase() === 'true';
    const users = ctx.services.resources
      .listByType(CUSTOM_LOCATIONS)
      .filter((c) => (c.resource.properties?.clusterExtensionIds ?? []).some((x: unknown) => String(x).toLowerCase() === id.toLowerCase()));
    if (users.length && !force) {
      throw Errors.conflictWith(
        'ExtensionInUse',
        `Extension '${ctx.existing.resource.name}' is named by custom location(s) ${users.map((u) => `'${u.resource.id}'`).join(', ')}; remove it from their clusterExtensionIds or delete them first (or pass forceDelete=true).`,
      );
    }
    const host = ctx.parent;
    const site = host?.internal.site as string | undefined;
    const tasks: TaskSpec[] =
      site && ctx.services.fabric?.hasSite(site) ? [{ id: 'uninstall', kind: 'fabric.uninstallPackage', params: { site, name: packageName(id), owner: id, force }, durationMs: force ? 0 : INSTALL_MS / 2 }] : [];
    return { operation: { kind: 'delete', tasks } };
  },
  toWire,
  onOperationSucceeded(op, stored) {
    if (op.kind === 'delete') return { resource: undefined };
    const version = String(op.data?.version ?? stored?.internal.version ?? '');
    return settle(stored, 'Succeeded', { currentVersion: version, errorInfo: null, statuses: [] });
  },
  onOperationFailed(op, stored, error) {
    if (op.kind === 'delete') return settle(stored, 'Failed', { errorInfo: { code: error.code, message: error.message } });
    const status = { code: 'InstallationFailed', displayStatus: 'Failed', level: 'Error', message: error.message, time: new Date().toISOString() };
    return settle(stored, op.cancelRequested ? 'Canceled' : 'Failed', { errorInfo: { code: error.code, message: error.message }, statuses: [status] });
  },
};

/** GET .../extensions/{name}/operations/{operationId}: the status of an operation on that extension. */
const extensionOperations: ResourceTypeDefinition = {
  namespace: NS,
  type: 'extensions/operations',
  scope: 'extension',
  tracked: false,
  apiVersions: API_VERSIONS,
  handlers: {
    get(ctx) {
      const opId = ctx.path.names[1];
      const extId = ctx.path.id.slice(0, ctx.path.id.toLowerCase().lastIndexOf('/operations/'));
      const op = ctx.services.asyncOperations.get(opId);
      if (!op || op.resourceId.toLowerCase() !== extId.toLowerCase()) throw Errors.operationNotFound(opId, NS);
      const body = ctx.services.asyncOperations.statusBody(op, ctx.baseUrl);
      return { status: 200, body: { ...body, id: ctx.path.id, name: opId } };
    },
  },
};

export const kubernetesConfigurationProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [extensions, extensionOperations],
};

export function installedExtensions(services: Services, hostId: string): StoredResource[] {
  return services.resources.listByParent(hostId.toLowerCase()).filter((r) => r.typeKey === EXTENSIONS);
}
