// Where work lands, resolved in one place: an ARM location (an Azure region or an Azure Stack Hub stamp)
// or an extendedLocation (a custom location, through its host resource, the Arc resource bridge or a
// connected cluster on a site) resolves to a fabric site. Custom locations are Arc-enabled Kubernetes: what
// one can deploy is what its installed cluster extensions enable (extensionTypes.ts). This implements the
// framework's TargetResolver (src/framework/targets.ts); the resource manager calls its extendedLocation
// check on every PUT, providers ask it where a resource lands.

import { Errors } from '../arm/errors.js';
import type { StoredResource } from '../arm/types.js';
import type { LocationCatalog } from '../arm/locations.js';
import { describeSite, type SiteKind } from '../fabric/model.js';
import { defaultSites, type SiteDefinition } from '../fabric/sites.js';
import type { Fabric } from '../fabric/fabric.js';
import type { ResourceRepository } from '../framework/repository.js';
import { typeKeyOf } from '../framework/registry.js';
import type { TypeRegistry } from '../framework/types.js';
import type { Placement, Target, TargetResolver } from '../framework/targets.js';
import { extensionsEnabling, findExtensionType } from './extensionTypes.js';

/** What the resolver reads: the stored resources, the served types, the ARM locations and the fabric (if any). */
export interface TargetSources {
  resources: ResourceRepository;
  registry: TypeRegistry;
  locations: LocationCatalog;
  fabric?: Fabric;
}

const CUSTOM_LOCATIONS = typeKeyOf('Microsoft.ExtendedLocation', 'customLocations');
const EXTENSIONS = typeKeyOf('Microsoft.KubernetesConfiguration', 'extensions');
const fallback = new Map<string, SiteDefinition>(
  defaultSites()
    .filter((s) => s.location)
    .map((s) => [s.location!.toLowerCase(), s]),
);

function resolveTarget(services: TargetSources, where: Placement, customLocation?: StoredResource): Target {
  const ext = where.extendedLocation;
  if (ext !== undefined && ext !== null) return resolveExtendedLocation(services, ext, customLocation);
  const key = (where.location ?? '').replace(/\s+/g, '').toLowerCase();
  const site = services.fabric?.siteForLocation(key);
  if (site) return of(site, true);
  const known = fallback.get(key);
  if (known) return of(known, false);
  const kind: SiteKind = services.locations.get(key)?.kind === 'AzureStackHub' ? 'AzureStackHub' : 'AzureRegion';
  return of({ name: key, kind, displayName: key, location: key, elastic: kind === 'AzureRegion', hosts: [], logicalNetworks: [], infrastructureVms: [] }, false);
}

function of(definition: SiteDefinition, inFabric: boolean): Target {
  return { site: inFabric ? definition.name : undefined, kind: definition.kind, definition, where: describeSite(definition.kind, definition.name) };
}

/** A custom location → its host resource (an appliance or connected cluster) → the site it runs on. */
function resolveExtendedLocation(services: TargetSources, ext: { type?: string; name?: string }, known?: StoredResource): Target {
  // The custom location the PUT's check already read and accepted: not read again.
  const cl = known && typeof ext === 'object' && typeof ext.name === 'string' && ext.name.toLowerCase() === known.resource.id.toLowerCase() ? known : findCustomLocation(services, ext);
  return siteOfCustomLocation(services, cl);
}

function findCustomLocation(services: TargetSources, ext: { type?: string; name?: string }): StoredResource {
  if (typeof ext !== 'object' || typeof ext.name !== 'string' || ext.name === '') {
    throw Errors.invalidExtendedLocation("The extendedLocation needs 'type' (CustomLocation) and 'name' (the custom location's resource id).", 'extendedLocation.name');
  }
  if (String(ext.type ?? '').toLowerCase() !== 'customlocation') {
    throw Errors.invalidExtendedLocation(`The extendedLocation type '${String(ext.type)}' is not supported here; use 'CustomLocation' with the id of a custom location.`, 'extendedLocation.type');
  }
  if (!services.registry.typeByKey(CUSTOM_LOCATIONS)) {
    throw Errors.invalidExtendedLocation(
      `Custom locations (Microsoft.ExtendedLocation/customLocations) are not available in this emulator yet, so '${ext.name}' cannot be resolved to a site; deploy to an Azure region or an Azure Stack Hub location instead.`,
      'extendedLocation.name',
    );
  }
  const cl = services.resources.get(ext.name);
  if (!cl || cl.typeKey !== CUSTOM_LOCATIONS) {
    throw Errors.invalidExtendedLocation(`The custom location '${ext.name}' was not found; create it (Microsoft.ExtendedLocation/customLocations) or name an existing one.`, 'extendedLocation.name');
  }
  return cl;
}

function siteOfCustomLocation(services: TargetSources, cl: StoredResource): Target {
  const hostId = cl.resource.properties?.hostResourceId;
  const host = typeof hostId === 'string' ? services.resources.get(hostId) : undefined;
  const siteName = host?.internal.site as string | undefined;
  const site = siteName && services.fabric?.hasSite(siteName) ? services.fabric.site(siteName).definition : undefined;
  if (!site) {
    throw Errors.invalidExtendedLocation(`The custom location '${cl.resource.name}' has no running host on a fabric site (host '${String(hostId)}').`, 'extendedLocation.name');
  }
  return of(site, true);
}

// ---- the extendedLocation check every PUT goes through ----------------------------------------------------

const isCustomLocation = (ext: unknown): ext is { type?: string; name?: string } =>
  typeof ext === 'object' && ext !== null && String((ext as { type?: unknown }).type ?? '').toLowerCase() === 'customlocation';

/** What a custom location can deploy: each named extension that is installed, with the types it enables. */
export function customLocationExtensions(services: Pick<TargetSources, 'resources'>, cl: StoredResource): { id: string; extensionType: string; installed: boolean; types: string[] }[] {
  const ids: unknown[] = Array.isArray(cl.resource.properties?.clusterExtensionIds) ? cl.resource.properties!.clusterExtensionIds : [];
  return ids.map((raw) => {
    const id = String(raw);
    const ext = services.resources.get(id);
    const extensionType = String(ext?.resource.properties?.extensionType ?? '');
    const installed = !!ext && ext.typeKey === EXTENSIONS && ext.resource.properties?.provisioningState === 'Succeeded';
    const types = (findExtensionType(extensionType)?.enables ?? []).map((e) => `${e.resourceProviderNamespace}/${e.resourceType}`);
    return { id, extensionType, installed, types };
  });
}

/**
 * A resource arriving with extendedLocation {type: CustomLocation, name}: the custom location exists,
 * has succeeded, and one of its installed extensions enables the resource's type. Called by the core
 * on every PUT, so every provider gets it; refusals are 400s that name the fix.
 */
function checkExtendedLocation(services: TargetSources, resourceType: string, ext: unknown): StoredResource | undefined {
  if (ext === undefined || ext === null || !isCustomLocation(ext)) return undefined;
  const target = resolveExtendedLocationRecord(services, ext);
  const state = target.resource.properties?.provisioningState;
  if (state !== 'Succeeded') {
    throw Errors.invalidExtendedLocation(
      `The custom location '${target.resource.name}' is ${state ?? 'not ready'}; resources can be deployed to it once its provisioningState is Succeeded.`,
      'extendedLocation.name',
    );
  }
  const exts = customLocationExtensions(services, target);
  const k = resourceType.toLowerCase();
  if (exts.some((e) => e.installed && e.types.some((t) => t.toLowerCase() === k))) return target;
  const would = extensionsEnabling(resourceType).map((t) => t.name);
  const fix = would.length
    ? `Install a cluster extension of type ${would.map((w) => `'${w}'`).join(' or ')} on its host '${String(target.resource.properties?.hostResourceId)}' and add its id to the custom location's clusterExtensionIds.`
    : 'No cluster extension known to this emulator enables it.';
  throw Errors.invalid('ResourceTypeNotEnabled', `The resource type '${resourceType}' is not enabled on custom location '${target.resource.name}'. ${fix}`, 'extendedLocation.name');
}

function resolveExtendedLocationRecord(services: TargetSources, ext: { type?: string; name?: string }): StoredResource {
  if (typeof ext.name !== 'string' || ext.name === '') {
    throw Errors.invalidExtendedLocation("The extendedLocation needs 'type' (CustomLocation) and 'name' (the custom location's resource id).", 'extendedLocation.name');
  }
  const cl = services.resources.get(ext.name);
  if (!cl || cl.typeKey !== CUSTOM_LOCATIONS) {
    throw Errors.invalidExtendedLocation(`The custom location '${ext.name}' was not found; create it (Microsoft.ExtendedLocation/customLocations) or name an existing one.`, 'extendedLocation.name');
  }
  return cl;
}

/** Resources deployed to a custom location (its delete is refused while there are any); only those with an extendedLocation are read. */
export function resourcesOnCustomLocation(services: Pick<TargetSources, 'resources'>, customLocationId: string): Promise<StoredResource[]> {
  const k = customLocationId.toLowerCase();
  return services.resources.scan(
    (t) => t.includes('"extendedLocation":'),
    (r) => {
      const ext = r.resource.extendedLocation;
      return isCustomLocation(ext) && typeof ext.name === 'string' && ext.name.toLowerCase() === k;
    },
  );
}

/** The one resolver of where work lands, as the framework asks for it (Services.targets). */
export class KubernetesTargets implements TargetResolver {
  constructor(private readonly sources: TargetSources) {}

  resolve(where: Placement, customLocation?: StoredResource): Target {
    return resolveTarget(this.sources, where, customLocation);
  }

  checkExtendedLocation(resourceType: string, extendedLocation: unknown): StoredResource | undefined {
    return checkExtendedLocation(this.sources, resourceType, extendedLocation);
  }
}
