// Where work lands, as the framework asks for it: an ARM location or an extendedLocation resolves to a
// fabric site (a Target). Resolved in one place, behind TargetResolver (Services.targets), which the
// Kubernetes side implements (src/kubernetes/targets.ts: custom locations are Arc-enabled Kubernetes).
// The resource manager runs its extendedLocation check on every PUT and hands hooks the PUT's target
// (ctx.target), so a custom location is read once per PUT; providers derive what the site can do for
// them (src/kubernetes/capabilities.ts) from the Target.

import type { StoredResource } from '../arm/types.js';
import type { SiteKind } from '../fabric/model.js';
import type { SiteDefinition } from '../fabric/sites.js';

export interface Target {
  /** The fabric site's name; undefined when no fabric runs (a test of the ARM core alone). */
  site?: string;
  kind: SiteKind;
  /** The site's definition: the fabric's, or the built-in default of that location without a fabric. */
  definition: SiteDefinition;
  /** "Azure Stack Hub stamp 'local'", for messages. */
  where: string;
}

/** Where a resource asks to land. */
export interface Placement {
  location?: string;
  extendedLocation?: { type?: string; name?: string } | null;
}

export interface TargetResolver {
  /**
   * The site a location or an extendedLocation lands on; refuses (400 InvalidExtendedLocation) a custom location
   * that is missing or has no running host. `customLocation`: the record the PUT's check already read.
   */
  resolve(where: Placement, customLocation?: StoredResource): Target;
  /**
   * A resource arriving with extendedLocation {type: CustomLocation, name}: the custom location exists, has
   * succeeded and enables the resource's type; returns it (undefined when the extendedLocation names no custom
   * location). Refusals are 400s that name the fix.
   */
  checkExtendedLocation(resourceType: string, extendedLocation: unknown): StoredResource | undefined;
}
