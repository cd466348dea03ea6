// Where work lands, resolved in one place: an ARM location (an Azure region or an Azure Stack Hub
// stamp) or an extendedLocation (a custom location, through its host resource, the Arc resource
// bridge on an HCI site) resolves to a fabric site. Providers derive what the site can do for them
// (the Kubernetes providers: src/kubernetes/capabilities.ts) from the site this returns.

import { Errors } from '../arm/errors.js';
import { describeSite, type SiteKind } from '../fabric/model.js';
import { defaultSites, type SiteDefinition } from '../fabric/sites.js';
import { typeKeyOf } from './registry.js';
import type { Services } from './services.js';

export interface Target {
  /** The fabric site's name; undefined when no fabric runs (a test of the ARM core alone). */
  site?: string;
  kind: SiteKind;
  /** The site's definition: the fabric's, or the built-in default of that location without a fabric. */
  definition: SiteDefinition;
  /** "Azure Stack Hub stamp 'local'", for messages. */
  where: string;
}

export interface Placement {
  location?: string;
  extendedLocation?: { type?: string; name?: string } | null;
}

const CUSTOM_LOCATIONS = typeKeyOf('Microsoft.ExtendedLocation', 'customLocations');
const fallback = new Map<string, SiteDefinition>(defaultSites().filter((s) => s.location).map((s) => [s.location!.toLowerCase(), s]));

export function resolveTarget(services: Services, where: Placement): Target {
  const ext = where.extendedLocation;
  if (ext !== undefined && ext !== null) return resolveExtendedLocation(services, ext);
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
function resolveExtendedLocation(services: Services, ext: { type?: string; name?: string }): Target {
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
  const hostId = cl.resource.properties?.hostResourceId;
  const host = typeof hostId === 'string' ? services.resources.get(hostId) : undefined;
  const siteName = host?.internal.site as string | undefined;
  const site = siteName && services.fabric?.hasSite(siteName) ? services.fabric.site(siteName).definition : undefined;
  if (!site) {
    throw Errors.invalidExtendedLocation(`The custom location '${cl.resource.name}' has no running host on a fabric site (host '${String(hostId)}').`, 'extendedLocation.name');
  }
  return of(site, true);
}
