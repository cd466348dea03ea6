// The public spec's request schema for hand-built types: every PUT and PATCH body of a type a provider builds by
// hand is checked, before its hooks run and before anything is written, against the schema the catalogue has for
// that type and api-version (generated from Azure/azure-rest-api-specs), as the generic provider checks its own
// types, with the same error: 400 InvalidRequestContent naming the property. What a deserializer forgives is
// forgiven: read-only properties a client sends back (provisioningState, fqdn, powerState...), properties the
// api-version does not know, names and enum values in any casing, explicit nulls. A PATCH body is checked for what
// it holds (nothing is required). An api-version the spec does not publish is checked against the nearest
// published one (the same stability first: a stable version by a stable one); a type the spec does not describe
// keeps its hand-written schema (schemas/, ResourceTypeDefinition.schema) or its hooks' checks.

import { nearestVersion } from '../catalogue/versions.js';
import { walkerFor, type SchemaNode } from '../catalogue/schema.js';
import type { RequestContext, ResourceTypeDefinition, TypeSource } from './types.js';

/** Keys of the envelope the core checks itself (location, tags) or takes from the path (id, name, type). */
const ENVELOPE = new Set(['id', 'name', 'type', 'apiversion', 'location', 'tags', 'systemdata']);

export type SpecSchema = { apiVersion: string; nodes: SchemaNode[]; root: number } | { apiVersion?: undefined; reason: string };

const found = new Map<string, SpecSchema>();

/**
 * The spec schema a hand-built type's body is checked against at an api-version: that version's, or the nearest
 * published version's; or why there is none.
 */
export function specSchemaFor(source: TypeSource | undefined, def: ResourceTypeDefinition, apiVersion: string): SpecSchema {
  if (!source) return { reason: 'the catalogue is off (--no-catalogue)' };
  const key = `${def.namespace}/${def.type}@${apiVersion}`.toLowerCase();
  let hit = found.get(key);
  if (!hit) found.set(key, (hit = lookup(source, def, apiVersion)));
  return hit;
}

function lookup(source: TypeSource, def: ResourceTypeDefinition, apiVersion: string): SpecSchema {
  const at = (v: string) => {
    const s = source.schema(def.namespace, def.type, v);
    return s?.body !== undefined ? { apiVersion: v, nodes: s.nodes, root: s.body } : undefined;
  };
  const exact = at(apiVersion);
  if (exact) return exact;
  const listed = source.apiVersions(def.namespace, def.type);
  if (!listed?.length) return { reason: `the public specs have no ${def.namespace}/${def.type}` };
  const published = listed.filter((v) => source.schema(def.namespace, def.type, v)?.body !== undefined);
  if (!published.length) return { reason: `the public specs give no request body for ${def.namespace}/${def.type} (known from the SDKs only)` };
  const preview = (v: string) => /preview/i.test(v);
  const same = published.filter((v) => preview(v) === preview(apiVersion));
  return at(nearestVersion(same.length ? same : published, apiVersion))!;
}

/**
 * Checks a PUT or PATCH body of a hand-built type against its spec schema (the api-version the caller asked for,
 * not the one the type models it by). Throws the generic provider's 400 InvalidRequestContent.
 */
export function checkSpecBody(ctx: RequestContext, source: TypeSource | undefined): void {
  if (ctx.def.generic) return; // the generic provider checks (and shapes) its own bodies
  const body = ctx.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return; // the core answers a body that is no object
  const schema = specSchemaFor(source, ctx.def, ctx.requestedApiVersion ?? ctx.apiVersion);
  if (schema.apiVersion === undefined) return;
  const walker = walkerFor(schema.nodes);
  const inner: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (!ENVELOPE.has(k.toLowerCase())) inner[k] = v;
  if (ctx.method === 'PATCH') walker.checkPartial(schema.root, inner);
  else walker.shape(schema.root, inner, new Set(['name', 'location']));
}
