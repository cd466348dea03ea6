// Microsoft.KubernetesConfiguration/extensions: cluster extensions, an extension resource on a cluster
// (hosts.ts). The extension types, their release trains, versions, settings and what each needs come
// from the catalogue in src/kubernetes/extensionTypes.ts. Installing is a fabric package on the
// cluster's site (it waits for, then fails on, a disconnected site); deleting the cluster removes its
// extensions and what they installed. Every api-version from 2021-09-01 on is served, each with its
// model's properties (currentVersion from 2022-11-01, installedVersion before it).

import { randomUUID } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { ArmResource, Completion, RequestContext, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import { EXTENSION_TYPES, findExtensionType, type ExtensionType, type SettingSpec } from '../../kubernetes/extensionTypes.js';
import { atApiVersion } from '../versionShapes.js';
import { extensionType, ownOperations } from '../typeParts.js';
import { fluxConfigurationsOn, HOST_NAMES, hostSite, installedExtensions, NS, packageName, requireHost } from './hosts.js';
import { applyTask, deleteTask, extensionObjects, extensionRefs, hasKubeApi, releaseNamespace } from './inCluster.js';

const TYPE = `${NS}/extensions`;
export const EXTENSION_API_VERSIONS = [
  '2025-03-01',
  '2024-11-01',
  '2023-05-01',
  '2022-11-01',
  '2022-07-01',
  '2022-03-01',
  '2021-09-01',
  '2022-04-02-preview',
  '2022-01-01-preview',
  '2021-11-01-preview',
];
const CUSTOM_LOCATIONS = typeKeyOf('Microsoft.ExtendedLocation', 'customLocations');
const INSTALL_MS = 20_000;

const trainKey = (t: ExtensionType, train: string) => Object.keys(t.releaseTrains).find((k) => k.toLowerCase() === train.toLowerCase());
const typeOf = (s: StoredResource) => String(s.resource.properties?.extensionType ?? '').toLowerCase();

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
  const kindOk = !t.connectedClusterKind || host.typeKey !== 'microsoft.kubernetes/connectedclusters' || String(host.resource.kind ?? '').toLowerCase() === t.connectedClusterKind.toLowerCase();
  if (!t.hosts.includes(host.typeKey) || !kindOk) {
    const where = t.hosts.map((h) => HOST_NAMES[h] ?? h).join(', ') + (t.connectedClusterKind ? ` (connected clusters of kind ${t.connectedClusterKind} only)` : '');
    throw Errors.invalid(
      'ExtensionTypeNotSupportedOnCluster',
      `Extension type '${t.name}' cannot be installed on ${HOST_NAMES[host.typeKey]}${kindOk ? '' : ` of kind '${String(host.resource.kind ?? 'none')}'`}; it installs on ${where}.`,
      'properties.extensionType',
    );
  }
  return t;
}

/** releaseTrain / version / autoUpgradeMinorVersion, as the service reads them. */
function resolveVersion(t: ExtensionType, p: Record<string, any>): { releaseTrain: string; version: string; pinned: boolean } {
  const train = typeof p.releaseTrain === 'string' && p.releaseTrain !== '' ? p.releaseTrain : 'Stable';
  const key = trainKey(t, train);
  if (!key)
    throw Errors.invalidParameter(`Release train '${train}' does not exist for extension type '${t.name}'. Release trains: ${Object.keys(t.releaseTrains).join(', ')}.`, 'properties.releaseTrain');
  const versions = t.releaseTrains[key];
  const auto = p.autoUpgradeMinorVersion !== false;
  if (p.version !== undefined && p.version !== null) {
    if (auto)
      throw Errors.invalidParameter(
        'A version can be specified only when autoUpgradeMinorVersion is false; set autoUpgradeMinorVersion to false to pin it, or leave version out.',
        'properties.version',
      );
    const v = String(p.version);
    if (!versions.includes(v))
      throw Errors.invalidParameter(`Version '${v}' of extension type '${t.name}' does not exist in release train '${key}'. Versions: ${versions.join(', ')}.`, 'properties.version');
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

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A known setting's value, checked as the chart reads it; the message names the setting and the fix. */
function checkSetting(t: ExtensionType, key: string, spec: SettingSpec, value: string, where: string): void {
  const bad = (what: string) => Errors.invalidParameter(`Configuration setting '${key}' of extension type '${t.name}' must be ${what}; got '${value}'.`, `${where}.${key}`);
  switch (spec.kind) {
    case 'boolean':
      if (!/^(true|false)$/i.test(value)) throw bad("'true' or 'false'");
      break;
    case 'integer':
      if (!/^\d+$/.test(value)) throw bad('a whole number');
      break;
    case 'duration':
      if (!/^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/.test(value)) throw bad("a duration such as '2m' or '1h30m'");
      break;
    case 'guid':
      if (!GUID.test(value)) throw bad('a GUID');
      break;
    case 'resourceId': {
      const m = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/([^/]+)\/([^/]+)\/[^/]+$/i.exec(value);
      if (!m || (spec.resourceType && `${m[1]}/${m[2]}`.toLowerCase() !== spec.resourceType.toLowerCase())) throw bad(`the resource id of a ${spec.resourceType ?? 'resource'}`);
      break;
    }
    default:
      if (spec.values && !spec.values.some((v) => v.toLowerCase() === value.toLowerCase())) throw bad(`one of ${spec.values.join(', ')}`);
  }
}

function settingsOf(t: ExtensionType, raw: unknown, where: string): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw Errors.invalidParameter(`${where} must be an object of strings.`, where);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v !== null && typeof v === 'object') throw Errors.invalidParameter(`${where}.${k} must be a string.`, `${where}.${k}`);
    out[k] = String(v);
    const spec = Object.entries(t.settings ?? {}).find(([name]) => name.toLowerCase() === k.toLowerCase())?.[1];
    if (spec) checkSetting(t, k, spec, out[k], where);
  }
  return out;
}

/** What the type needs on the cluster first, and that there is only one of it. */
function checkCluster(ctx: RequestContext, host: StoredResource, t: ExtensionType): void {
  const others = installedExtensions(ctx.services, host.resource.id).filter((e) => e.resource.id.toLowerCase() !== ctx.path.id.toLowerCase());
  if (t.singleton) {
    const twin = others.find((e) => typeOf(e) === t.name.toLowerCase());
    if (twin)
      throw Errors.conflictWith(
        'ExtensionTypeAlreadyInstalled',
        `An extension of type '${t.name}' is already installed on '${host.resource.name}' ('${twin.resource.name}'); a cluster takes one. Update that one instead.`,
      );
  }
  const missing = (t.requires ?? []).filter((need) => !others.some((e) => typeOf(e) === need.toLowerCase() && e.resource.properties?.provisioningState === 'Succeeded'));
  if (missing.length) {
    throw Errors.invalid(
      'ExtensionDependencyNotInstalled',
      `Extension type '${t.name}' needs ${missing.map((m) => `'${m}'`).join(' and ')} installed on '${host.resource.name}' first; install ${missing.length > 1 ? 'them' : 'it'} (extensionType ${missing.join(', ')}) and retry.`,
      'properties.extensionType',
    );
  }
}

/** The chart installed on the cluster's site, then (where the cluster has a Kubernetes API) its objects in it. */
function installTasks(ctx: RequestContext, host: StoredResource, t: ExtensionType, version: string, scope: Record<string, any>): TaskSpec[] {
  const tasks = [installTask(ctx, host, t, version, scope)];
  if (hasKubeApi(ctx.services, host.resource.id)) {
    const name = ctx.path.names.at(-1)!;
    const objects = extensionObjects(name, t, version, releaseNamespace(scope, t.defaultReleaseNamespace));
    tasks.push(applyTask({ id: 'kubernetes', cluster: host.resource.id, fieldManager: `extension-${name}`, dependsOn: ['install'], objects, created: !ctx.existing }));
  }
  return tasks;
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
  if (s.deleting) p.provisioningState = 'Deleting';
  // The running version is installedVersion until 2022-07-01, currentVersion from 2022-11-01.
  p.installedVersion = p.currentVersion;
  return atApiVersion(TYPE, apiVersion, r);
}

export const extensions: ResourceTypeDefinition = {
  ...extensionType(NS, 'extensions', EXTENSION_API_VERSIONS),
  patch: 'merge',
  providerOperations: ownOperations(
    `${NS}/extensions`,
    ['Get extension', 'Gets an extension resource'],
    ['Create or update extension', 'Creates or updates an extension resource'],
    ['Delete extension', 'Deletes an extension resource'],
  ),
  onPut(ctx, candidate) {
    const host = requireHost(ctx, 'extensions');
    const ex = ctx.existing;
    const p = { ...(candidate.properties ?? {}) };
    const t = checkType(p.extensionType, host);
    if (ex && typeOf(ex) !== t.name.toLowerCase()) {
      throw Errors.propertyChangeNotAllowed('extensionType', String(ex.resource.properties?.extensionType), 'properties.extensionType', 'delete the extension and create it again');
    }
    const scope = checkScope(t, ctx.path.names[ctx.path.names.length - 1], p.scope);
    if (ex && JSON.stringify(scope) !== JSON.stringify(ex.resource.properties?.scope))
      throw Errors.propertyChangeNotAllowed('scope', JSON.stringify(ex.resource.properties?.scope), 'properties.scope');
    const v = resolveVersion(t, p);
    const settings = settingsOf(t, p.configurationSettings, 'properties.configurationSettings') ?? {};
    const secrets = settingsOf(t, p.configurationProtectedSettings, 'properties.configurationProtectedSettings');
    checkCluster(ctx, host, t);
    const tasks = installTasks(ctx, host, t, v.version, scope);
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
        configurationSettings: settings,
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
      resource.identity = { type: 'SystemAssigned', principalId: ex?.resource.identity?.principalId ?? randomUUID(), tenantId: ctx.services.config.tenantId };
    }
    const internal = { ...(ex?.internal ?? {}), protectedSettings: secrets ?? ex?.internal.protectedSettings ?? {}, version: v.version };
    return { resource, internal, operation: { kind: ex ? 'update' : 'create', tasks, data: { version: v.version } } };
  },
  onPatch(ctx, candidate) {
    const host = requireHost(ctx, 'extensions');
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
    const settings = settingsOf(t, p.configurationSettings, 'properties.configurationSettings') ?? {};
    const secrets = { ...(ctx.existing.internal.protectedSettings ?? {}), ...(settingsOf(t, body.properties?.configurationProtectedSettings, 'properties.configurationProtectedSettings') ?? {}) };
    delete p.configurationProtectedSettings;
    const resource: ArmResource = {
      ...candidate,
      properties: {
        ...p,
        configurationSettings: settings,
        releaseTrain: v.releaseTrain,
        autoUpgradeMinorVersion: p.autoUpgradeMinorVersion !== false,
        version: v.pinned ? v.version : null,
        provisioningState: 'Updating',
      },
    };
    const scope = before.scope ?? {};
    return {
      resource,
      internal: { ...ctx.existing.internal, protectedSettings: secrets, version: v.version },
      operation: { kind: 'update', tasks: installTasks(ctx, host, t, v.version, scope), data: { version: v.version } },
    };
  },
  onDelete(ctx) {
    const { services } = ctx;
    const id = ctx.existing.resource.id;
    const force = String(ctx.query.forceDelete ?? ctx.query.forcedelete ?? '').toLowerCase() === 'true';
    const users = services.resources.listByType(CUSTOM_LOCATIONS).filter((c) => (c.resource.properties?.clusterExtensionIds ?? []).some((x: unknown) => String(x).toLowerCase() === id.toLowerCase()));
    const host = ctx.parent;
    const mine = typeOf(ctx.existing);
    // What still needs it: extensions that require its type, flux configurations that need Flux.
    const dependents = host
      ? [
          ...installedExtensions(services, host.resource.id).filter((e) => (findExtensionType(typeOf(e))?.requires ?? []).some((r) => r.toLowerCase() === mine)),
          ...(mine === 'microsoft.flux' ? fluxConfigurationsOn(services, host.resource.id) : []),
        ]
      : [];
    if ((users.length || dependents.length) && !force) {
      const named = [...users.map((u) => `custom location '${u.resource.id}'`), ...dependents.map((d) => `'${d.resource.id}'`)];
      throw Errors.conflictWith(
        'ExtensionInUse',
        `Extension '${ctx.existing.resource.name}' is still needed by ${named.join(', ')}; delete ${named.length > 1 ? 'them' : 'it'} (or remove the extension from the custom location's clusterExtensionIds) first, or pass forceDelete=true.`,
      );
    }
    const site = host?.internal.site as string | undefined;
    const tasks: TaskSpec[] =
      site && services.fabric?.hasSite(site)
        ? [{ id: 'uninstall', kind: 'fabric.uninstallPackage', params: { site, name: packageName(id), owner: id, force }, durationMs: force ? 0 : INSTALL_MS / 2 }]
        : [];
    const t = findExtensionType(mine);
    if (host && t && hasKubeApi(services, host.resource.id)) {
      // Its release goes from the cluster; the namespace stays while another extension releases into it.
      const p = ctx.existing.resource.properties ?? {};
      const ns = releaseNamespace(p.scope, t.defaultReleaseNamespace);
      const shared = installedExtensions(services, host.resource.id).some(
        (e) => e.resource.id.toLowerCase() !== id.toLowerCase() && releaseNamespace(e.resource.properties?.scope, findExtensionType(typeOf(e))?.defaultReleaseNamespace ?? '') === ns,
      );
      tasks.unshift(deleteTask('kubernetes', host.resource.id, extensionRefs(ctx.existing.resource.name, t, String(p.currentVersion ?? ''), ns, shared)));
    }
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
