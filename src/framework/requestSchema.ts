// The public spec's request schema for hand-built types: every PUT and PATCH body of a type a provider builds by
// hand is checked, before anything is written, against the schema the catalogue has for that type and api-version
// (generated from Azure/azure-rest-api-specs), as the generic provider checks its own types, with the same error:
// 400 InvalidRequestContent naming the property. Kinds before the provider's hooks run; enums, required
// properties, patterns and ranges once they have accepted the body (checkSpecBody says why). What a deserializer forgives is
// forgiven: read-only properties a client sends back (provisioningState, fqdn, powerState...), properties the
// api-version does not know, names and enum values in any casing, explicit nulls. A PATCH body is checked for what
// it holds (nothing is required). An api-version the spec does not publish is checked against the nearest
// published one (the same stability when one is as near: a stable version by a stable one); a type the spec does not describe
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
  // the newest published version not newer than the one asked for; one of the same stability (a stable one for a
  // stable one) when it is at most a quarter older than that
  const best = nearestVersion(published, apiVersion);
  const preview = (v: string) => /preview/i.test(v);
  const same = published.filter((v) => preview(v) === preview(apiVersion));
  const sameBest = same.length ? nearestVersion(same, apiVersion) : undefined;
  const days = (a: string, b: string) => Math.abs(Date.parse(a.slice(0, 10)) - Date.parse(b.slice(0, 10))) / 86_400_000;
  return at(sameBest !== undefined && days(sameBest, best) <= 92 ? sameBest : best)!;
}

/**
 * Never required by the spec check: name and location come from the path and the core; a missing `properties`
 * is the provider's to judge (its hooks accepted the body: az 2.45's hybrid profile sends a 2015-07-01 role
 * assignment's roleDefinitionId and principalId at the top level, as Azure Stack Hub accepts).
 */
const SKIP_REQUIRED = new Set(['name', 'location', 'properties']);

/**
 * Checks a PUT or PATCH body of a hand-built type against its spec schema (the api-version the caller asked for,
 * not the one the type models it by). Throws the generic provider's 400 InvalidRequestContent.
 *
 * In two steps, as a resource provider meets a body: 'deserialize', before the provider's hooks, refuses what no
 * deserializer reads (a value of the wrong kind: a list where a string goes, a word where a number goes);
 * 'validate', once the hooks have accepted the body and before anything is written, refuses what the hooks left
 * (an enum value outside a closed list, a missing required property, a pattern, length or range broken), so that
 * a provider's own refusal (AKS's InvalidParameter naming its rule) comes first, as it does at the real service.
 */
export function checkSpecBody(ctx: RequestContext, source: TypeSource | undefined, step: 'deserialize' | 'validate'): void {
  if (ctx.def.generic) return; // the generic provider checks (and shapes) its own bodies
  const body = ctx.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return; // the core answers a body that is no object
  const schema = specSchemaFor(source, ctx.def, ctx.requestedApiVersion ?? ctx.apiVersion);
  if (schema.apiVersion === undefined) return;
  const inner: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (!ENVELOPE.has(k.toLowerCase())) inner[k] = v;
  const full = step === 'validate';
  walkerFor(schema.nodes).check(schema.root, inner, { required: full && ctx.method !== 'PATCH', constraints: full, skipRequired: SKIP_REQUIRED });
}
