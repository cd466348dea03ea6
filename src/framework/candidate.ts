// Request bodies into candidate resources: the top-level envelope, tags, merge patch, and the
// limits every body must keep (depth) before a hook sees it. Pure.

import { Errors } from '../arm/errors.js';
import { servedOnStamp } from '../arm/locations.js';
import type { ArmResource, RequestContext, Services } from './types.js';

/** Bodies nested deeper than this are refused before anything is stored (ARM refuses far shallower ones). */
export const MAX_BODY_DEPTH = 64;

/** Throws 400 InvalidRequestContent when a value nests deeper than MAX_BODY_DEPTH; iterative, so it cannot overflow. */
export function checkDepth(body: unknown, max = MAX_BODY_DEPTH): void {
  if (body === null || typeof body !== 'object') return;
  const stack: [unknown, number][] = [[body, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > max) throw Errors.invalidRequestContent(`The request content is nested more than ${max} levels deep.`);
    for (const c of Object.values(v as object)) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
}

export function requireObject(body: unknown): Record<string, any> {
  const b = body ?? {};
  if (typeof b !== 'object' || Array.isArray(b) || b === null) throw Errors.invalidRequestContent('The request content must be a JSON object.');
  return b as Record<string, any>;
}

export function checkTags(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  if (typeof tags !== 'object' || Array.isArray(tags)) throw Errors.invalidTag("The 'tags' property must be an object of string values.", 'tags');
  const out: Record<string, string> = {};
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > 50) throw Errors.tagRule('InvalidTagCount', `A resource can have at most 50 tags; the request has ${entries.length}.`, 'tags');
  for (const [k, v] of entries) {
    // 'hidden-' tags (the portal's hidden-related:/subscriptions/... links in exported templates) keep their slashes
    if (k.length === 0 || k.length > 512 || (/[<>%&\\?/]/.test(k) && !(/^hidden-/i.test(k) && !/[<>%&\\?]/.test(k)))) {
      throw Errors.tagRule('InvalidTagNameCharacters', `The tag name '${k}' is invalid: it must be 1-512 characters without '<', '>', '%', '&', '\\', '?' or '/'.`, 'tags');
    }
    if (typeof v !== 'string') throw Errors.invalidTag(`The value of tag '${k}' must be a string.`, `tags.${k}`);
    if (v.length > 256) throw Errors.tagRule('InvalidTagValueLength', `The value of tag '${k}' is longer than 256 characters.`, `tags.${k}`);
    out[k] = v;
  }
  return out;
}

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export const typeName = (ctx: { def: { namespace: string; type: string } }): string => `${ctx.def.namespace}/${ctx.def.type}`;

export function allowedLocations(ctx: RequestContext): string[] {
  const l = ctx.def.locations;
  if (!l || l === '*') return everyLocation(ctx.services, ctx.def);
  return l;
}

/**
 * What a type that takes 'every location' takes: every Azure region, and the Azure Stack Hub stamps when its
 * namespace is one a stamp serves. A namespace the public catalogue does not know (a test's own) takes them all.
 */
export function everyLocation(services: Services, def: { namespace: string; type: string }): string[] {
  const all = services.locations.list();
  const stamps = servedOnStamp(def.namespace) || services.registry.catalogue()?.apiVersions(def.namespace, def.type) === undefined;
  return (stamps ? all : all.filter((x) => x.kind === 'AzureRegion')).map((x) => x.name);
}

/** The candidate resource of a PUT: the top-level envelope plus properties. */
export function candidateFromBody(ctx: RequestContext): ArmResource {
  const { def, path, services } = ctx;
  const body = requireObject(ctx.body);
  const name = path.names[path.names.length - 1];
  const r: ArmResource = { id: path.id, name, type: typeName(ctx) };
  for (const k of ['kind', 'sku', 'plan', 'identity', 'managedBy', 'extendedLocation', 'zones']) {
    if (body[k] !== undefined) r[k] = body[k];
  }
  if (def.tracked) {
    if (typeof body.location !== 'string' || body.location.trim() === '') throw Errors.locationRequired();
    const allowed = allowedLocations(ctx);
    // 'global' is no region of the location catalogue, yet the location of some types (DNS zones, Front Door...)
    const key = body.location.replace(/\s+/g, '').toLowerCase();
    const loc = services.locations.normalize(body.location) ?? (allowed.includes(key) ? key : undefined);
    if (!loc || !allowed.includes(loc)) throw Errors.locationNotAvailable(body.location, typeName(ctx), allowed);
    r.location = loc;
    const was = ctx.existing?.resource.location;
    if (was && was !== loc) {
      throw def.type === 'resourceGroups' ? Errors.invalidResourceGroupLocation(body.location, was) : Errors.invalidResourceLocation(name, was, path.resourceGroup ?? '', loc);
    }
    r.tags = checkTags(body.tags);
  } else if (body.tags !== undefined) {
    r.tags = checkTags(body.tags);
  }
  const props = body.properties;
  if (props !== undefined && (typeof props !== 'object' || Array.isArray(props) || props === null)) {
    throw Errors.invalidRequestContent("The request content is invalid: property 'properties' must be an object.", 'properties');
  }
  r.properties = structuredClone(props ?? {});
  // A provisioningState that differs from the server's is a client error (RPC); one that matches is ignored.
  const ps = r.properties!.provisioningState;
  if (ps !== undefined) {
    const cur = ctx.existing?.resource.properties?.provisioningState;
    if (cur !== undefined && ps !== cur) {
      throw Errors.invalidRequestContent(`The provisioningState '${ps}' in the request does not match the resource's state '${cur}'; it is read-only.`, 'properties.provisioningState');
    }
    delete r.properties!.provisioningState;
  }
  return r;
}
