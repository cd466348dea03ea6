// Finds the type definition a parsed path addresses and checks the api-version against it.

import { Errors } from '../arm/errors.js';
import { RESOURCES_NS, buildId } from '../arm/paths.js';
import { mergeVersions, nearestVersion } from '../catalogue/versions.js';
import type { ParsedPath, ResourceTypeDefinition, TypeRegistry } from './types.js';

export type Route =
  | { kind: 'instance'; def: ResourceTypeDefinition; path: ParsedPath }
  | { kind: 'collection'; def: ResourceTypeDefinition; path: ParsedPath }
  | { kind: 'action'; def: ResourceTypeDefinition; path: ParsedPath; action: string };

const API_VERSION_RE = /^\d{4}-\d{2}-\d{2}(-(preview|alpha|beta|rc|privatepreview))?$/i;

export function resolve(registry: TypeRegistry, p: ParsedPath, method: string): Route {
  const provider = registry.provider(p.namespace);
  if (!provider) throw Errors.invalidResourceNamespace(p.namespace);
  const full = registry.type(p.namespace, p.types.join('/'));
  if (full) {
    const kind = p.names.length === p.types.length ? 'instance' : 'collection';
    if (p.action !== undefined) return withId({ kind: 'action', def: full, path: p, action: p.action });
    return withId({ kind, def: full, path: p });
  }
  // A trailing segment after a full resource id is an action (POST) on that resource.
  if (p.types.length > 1 && p.names.length === p.types.length - 1) {
    const parent = registry.type(p.namespace, p.types.slice(0, -1).join('/'));
    if (parent) {
      const action = p.types[p.types.length - 1];
      const path: ParsedPath = { ...p, types: p.types.slice(0, -1) };
      return withId({ kind: 'action', def: parent, path, action });
    }
  }
  void method;
  throw Errors.invalid('InvalidResourceType', `The resource type '${p.types.join('/')}' could not be found in the namespace '${provider.namespace}'.`);
}

function withId<T extends Route>(t: T): T {
  const canonical = t.def.type.split('/');
  t.path.id = buildId(t.path, canonical, t.def.namespace);
  return t;
}

/**
 * Enforces api-version: required everywhere, and one the type supports. `listed` gives, on demand, every
 * api-version the public catalogue lists for the type: a hand-built type accepts those too, shaped by the
 * nearest version it models (which is what this returns).
 */
export function checkApiVersion(v: string | undefined, def: ResourceTypeDefinition, location?: string, listed?: () => string[] | undefined): string {
  if (v === undefined || v === '') throw Errors.missingApiVersion();
  const modelled = def.apiVersions;
  const match = modelled.find((s) => s.toLowerCase() === v.toLowerCase());
  if (match) return match;
  const catalogue = def.namespace === RESOURCES_NS ? undefined : listed?.();
  if (catalogue?.some((s) => s.toLowerCase() === v.toLowerCase()) && modelled.length) return nearestVersion(modelled, v);
  const supported = catalogue?.length ? mergeVersions(modelled, catalogue) : modelled;
  if (def.namespace === RESOURCES_NS) throw Errors.invalidApiVersion(v, supported);
  if (!API_VERSION_RE.test(v)) {
    throw Errors.invalid('InvalidApiVersionParameter', `The api-version '${v}' is invalid. The supported versions are '${supported.join(',')}'.`);
  }
  const locations = Array.isArray(def.locations) ? def.locations : [];
  throw Errors.noRegisteredProvider(location ?? 'global', v, `${def.namespace}/${def.type}`, supported, locations);
}
