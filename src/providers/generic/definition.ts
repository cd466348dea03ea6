// One catalogue type as a resource type definition: stored, synchronous, and checked against the schema of
// the api-version asked for. It models no behaviour (no fabric work, no values the real service would compute);
// what it does is what every ARM resource provider does: the envelope (id, name, type in its casing, location
// for tracked types, tags, systemData), the body validated and cleaned as the provider's deserializer would
// (read-only properties dropped, write-only ones kept but never returned), managed identities with their ids,
// provisioningState Succeeded.

import { Errors } from '../../arm/errors.js';
import { servedOnStamp } from '../../arm/locations.js';
import type { CatalogueType, Catalogue } from '../../catalogue/catalogue.js';
import { SCOPE } from '../../catalogue/catalogue.js';
import { SchemaWalker, walkerFor } from '../../catalogue/schema.js';
import { keyOf, guidOf } from '../declared/declare.js';
import type { Services } from '../../framework/types.js';
import type { ActionHandler, ArmResource, RequestContext, ResourceTypeDefinition, Scope, StoredResource } from '../../framework/types.js';
import { sampleOf } from './sample.js';
import { withComputed } from './computed.js';

/** Keys of a body the framework owns: never taken from the schema walk. */
const ENVELOPE = new Set(['id', 'name', 'type', 'apiversion', 'location', 'tags', 'etag', 'systemdata']);

/** The single scope the core checks, or 'extension' when the type lives at several (the hook checks those). */
function primaryScope(bits: number): Scope {
  const scopes: [number, Scope][] = [
    [SCOPE.resourceGroup, 'resourceGroup'],
    [SCOPE.subscription, 'subscription'],
    [SCOPE.tenant, 'tenant'],
    [SCOPE.extension, 'extension'],
  ];
  const present = scopes.filter(([b]) => bits & b);
  if (present.length === 1) return present[0][1];
  return 'extension';
}

/** Where a request path puts the resource, as a scope bit. */
function scopeOfPath(ctx: RequestContext): number {
  const p = ctx.path;
  const top = !ctx.def.type.includes('/');
  if (!top) return 0; // a child lives under its parent, wherever that is
  if (p.extendedParent) {
    const parentIsManagementGroup = p.extendedParent.namespace.toLowerCase() === 'microsoft.management' && p.extendedParent.types[0]?.toLowerCase() === 'managementgroups';
    return parentIsManagementGroup ? SCOPE.managementGroup | SCOPE.extension : SCOPE.extension;
  }
  if (p.resourceGroup !== undefined) return SCOPE.resourceGroup;
  if (p.subscriptionId !== undefined) return SCOPE.subscription;
  return SCOPE.tenant;
}

const SCOPE_NAMES: [number, string][] = [
  [SCOPE.tenant, 'tenant (/providers/...)'],
  [SCOPE.managementGroup, 'management group'],
  [SCOPE.subscription, 'subscription'],
  [SCOPE.resourceGroup, 'resource group'],
  [SCOPE.extension, 'another resource (/{resourceId}/providers/...)'],
];

export function genericDefinition(ct: CatalogueType, catalogue: Catalogue, services: Services): ResourceTypeDefinition {
  const typeName = `${ct.namespace}/${ct.type}`;
  const scopeBits = ct.writableScopes || ct.scopes;
  const def: ResourceTypeDefinition = {
    namespace: ct.namespace,
    type: ct.type,
    scope: primaryScope(scopeBits),
    tracked: ct.tracked,
    apiVersions: ct.apiVersions,
    locations: locationsFor(ct, services),
    listBySubscription: !ct.type.includes('/'),
    patch: 'merge',
    capabilities: ct.tracked ? 'SupportsTags, SupportsLocation' : ct.locationOptional ? 'SupportsLocation' : 'None',
    generic: true,
    validate(ctx) {
      if (!ct.writableScopes) throw Errors.methodNotAllowed('PUT', typeName, ['GET']);
      const at = scopeOfPath(ctx);
      if (at && !(at & ct.writableScopes)) {
        const where = SCOPE_NAMES.filter(([b]) => ct.writableScopes & b)
          .map(([, n]) => n)
          .join(', ');
        throw Errors.invalid('InvalidResourceType', `The resource type '${typeName}' cannot be created at this scope ('${ctx.path.scopeId || '/'}'); it lives at: ${where}.`);
      }
    },
    onPut(ctx, candidate) {
      return { resource: shape(ctx, candidate, ct, catalogue), createdStatus: ct.createdStatus };
    },
    onDelete() {
      return { deletedStatus: ct.deletedStatus };
    },
    onPatch(ctx, candidate) {
      // a merge of what is stored (with its write-only values) and the patch, checked like a PUT
      const secrets = ctx.existing.internal.secrets as Record<string, unknown> | undefined;
      const full = structuredClone(candidate);
      for (const [p, v] of Object.entries(secrets ?? {})) setPath(full, p, v);
      const resource = shape({ ...ctx, body: full }, candidate, ct, catalogue);
      return { resource, internal: { ...ctx.existing.internal, secrets: resource[SECRETS] } };
    },
    actions: actionsOf(ct, catalogue),
  };
  // the write-only values travel from shape() to the stored record's internal part
  const onPut = def.onPut!;
  def.onPut = async (ctx, candidate) => {
    const out = await onPut(ctx, candidate);
    const secrets = out.resource[SECRETS];
    delete out.resource[SECRETS];
    return { ...out, internal: secrets && Object.keys(secrets).length ? { secrets } : {} };
  };
  const onPatch = def.onPatch!;
  def.onPatch = async (ctx, candidate) => {
    const out = await onPatch(ctx, candidate);
    delete out.resource[SECRETS];
    return out;
  };
  return def;
}

const SECRETS = '__secrets';

/** The stored resource from a PUT body: the framework's envelope plus the body as the schema shapes it. */
function shape(ctx: RequestContext, candidate: ArmResource, ct: CatalogueType, catalogue: Catalogue): ArmResource {
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  const schema = catalogue.schema(ct.namespace, ct.type, ctx.apiVersion);
  const r: ArmResource = { id: candidate.id, name: candidate.name, type: candidate.type };
  if (candidate.location !== undefined) r.location = candidate.location;
  if (candidate.tags !== undefined) r.tags = candidate.tags;
  let secrets: Record<string, unknown> = {};
  let hasProperties = true;
  if (schema?.body !== undefined) {
    const walker = walkerFor(schema.nodes);
    checkNameAgainst(walker, schema.body, ctx, ct);
    const props = walker.propertiesOf(schema.body);
    hasProperties = props.has('properties');
    const skip = new Set(['name', ...(ct.tracked ? [] : ['location'])]);
    const shaped = walker.shape(schema.body, withoutEnvelope(body, candidate), skip);
    for (const [k, v] of Object.entries(shaped.value)) if (!ENVELOPE.has(k.toLowerCase())) r[k] = v;
    if (!ct.tracked && props.has('location') && !(props.get('location')!.flags & 2)) locateProxy(ctx, r, body, ct);
    for (const p of shaped.secrets) {
      const v = getPath(r, p);
      if (v !== undefined) {
        secrets[p] = v;
        deletePath(r, p);
      }
    }
  } else {
    // no schema for this api-version (known from the SDKs' operations only): the body as sent
    for (const [k, v] of Object.entries(body)) if (!ENVELOPE.has(k.toLowerCase()) && v !== undefined) r[k] = structuredClone(v);
    if (ct.locationOptional) locateProxy(ctx, r, body, ct);
    secrets = {};
  }
  if (r.properties === undefined && hasProperties) r.properties = {};
  if (r.properties && typeof r.properties === 'object') {
    r.properties = withComputed(`${ct.namespace}/${ct.type}`.toLowerCase(), r).properties;
    r.properties!.provisioningState = 'Succeeded';
  }
  if (r.identity && typeof r.identity === 'object') r.identity = withIdentityIds(r.identity, r.id, ctx.services, ctx.existing);
  r[SECRETS] = secrets;
  return r;
}

/** The body without what candidateFromBody already took (location and tags are checked there). */
function withoutEnvelope(body: Record<string, unknown>, candidate: ArmResource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const l = k.toLowerCase();
    if (l === 'tags' || l === 'id' || l === 'type' || l === 'apiversion' || l === 'name') continue;
    if (l === 'location' && candidate.location !== undefined) {
      out[k] = candidate.location;
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** A proxy type that takes an optional location: checked against the catalogue like a tracked one. */
function locateProxy(ctx: RequestContext, r: ArmResource, body: Record<string, unknown>, ct: CatalogueType): void {
  const asked = Object.entries(body).find(([k]) => k.toLowerCase() === 'location')?.[1];
  if (typeof asked !== 'string' || asked === '') {
    delete r.location;
    return;
  }
  const loc = normalizeLocation(ctx.services, asked, ctx.def.locations as string[]);
  if (!loc) throw Errors.locationNotAvailable(asked, `${ct.namespace}/${ct.type}`, ctx.def.locations as string[]);
  r.location = loc;
}

export function normalizeLocation(services: Services, asked: string, allowed: string[]): string | undefined {
  const key = asked.replace(/\s+/g, '').toLowerCase();
  const loc = services.locations.normalize(asked) ?? (allowed.includes(key) ? key : undefined);
  return loc && allowed.includes(loc) ? loc : undefined;
}

/** The name in the path against the schema's name rule (a pattern, a length, or a fixed 'default'). */
function checkNameAgainst(walker: SchemaWalker, root: number, ctx: RequestContext, ct: CatalogueType): void {
  const p = walker.propertiesOf(root).get('name');
  if (!p) return;
  const name = ctx.path.names[ctx.path.names.length - 1];
  const node = walker.node(p.node);
  const literals = literalsOf(walker, p.node);
  if (literals && !literals.some((l) => l.toLowerCase() === name.toLowerCase())) {
    throw Errors.invalid('InvalidResourceName', `The resource name '${name}' is invalid for type '${ct.namespace}/${ct.type}'. It must be ${literals.map((l) => `'${l}'`).join(' or ')}.`);
  }
  if (Array.isArray(node) && node[0] === 's') {
    const [, pattern, min, max] = node as [string, string | null, number | null, number | null];
    const rule: string[] = [];
    if (typeof min === 'number' && name.length < min) rule.push(`at least ${min} characters`);
    if (typeof max === 'number' && name.length > max) rule.push(`at most ${max} characters`);
    const re = pattern ? nameRegex(pattern) : undefined;
    if (re && !re.test(name)) rule.push(`match the pattern '${pattern}'`);
    if (rule.length) throw Errors.invalid('InvalidResourceName', `The resource name '${name}' is invalid for type '${ct.namespace}/${ct.type}'. It must be ${rule.join(' and ')}.`);
  }
}

const nameRegexes = new Map<string, RegExp | undefined>();
/** A name rule's pattern, compiled once (a .NET-only construct is not checked). */
function nameRegex(pattern: string): RegExp | undefined {
  if (!nameRegexes.has(pattern)) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = undefined;
    }
    nameRegexes.set(pattern, re);
  }
  return nameRegexes.get(pattern);
}

function literalsOf(walker: SchemaWalker, id: number): string[] | undefined {
  const n = walker.node(id);
  if (Array.isArray(n) && n[0] === 'l' && typeof n[1] === 'string') return [n[1]];
  if (Array.isArray(n) && n[0] === 'u') {
    const members = (n.slice(1) as number[]).map((m) => walker.node(m));
    if (members.every((m) => Array.isArray(m) && m[0] === 'l')) return members.map((m) => String((m as unknown[])[1]));
  }
  return undefined;
}

/** A managed identity as ARM returns it: the system-assigned principal, and each user-assigned identity's ids. */
function withIdentityIds(identity: Record<string, any>, id: string, services: Services, existing?: StoredResource): Record<string, any> {
  const out = { ...identity };
  const type = String(out.type ?? '').toLowerCase();
  if (type.includes('systemassigned')) {
    out.principalId = existing?.resource.identity?.principalId ?? guidOf(id, 'principal');
    out.tenantId = services.config.tenantId;
  } else {
    delete out.principalId;
    delete out.tenantId;
  }
  if (out.userAssignedIdentities && typeof out.userAssignedIdentities === 'object') {
    const uai: Record<string, unknown> = {};
    // the ids a user-assigned identity has (src/providers/declared/managedIdentity.ts fills them the same way)
    for (const k of Object.keys(out.userAssignedIdentities)) uai[k] = { principalId: guidOf(k, 'principal'), clientId: guidOf(k, 'client') };
    out.userAssignedIdentities = uai;
  }
  return out;
}

function locationsFor(ct: CatalogueType, services: Services): string[] {
  if (ct.global === 'only') return ['global'];
  const all = services.locations.list();
  const out = all.filter((l) => l.kind === 'AzureRegion').map((l) => l.name);
  if (servedOnStamp(ct.namespace)) out.push(...all.filter((l) => l.kind !== 'AzureRegion').map((l) => l.name));
  if (ct.global === 'also') out.push('global');
  return out;
}

/**
 * The type's POST functions (listKeys, listConnectionStrings...): the answer has the shape the spec gives, with
 * stable placeholder values (keys derived from the resource id), since no real service stands behind it.
 */
function actionsOf(ct: CatalogueType, catalogue: Catalogue): Record<string, ActionHandler> | undefined {
  if (!ct.functions.length) return undefined;
  const out: Record<string, ActionHandler> = {};
  for (const name of ct.functions) {
    out[name] = (ctx) => {
      const schema = catalogue.schema(ct.namespace, ct.type, ctx.apiVersion);
      const fn = schema && Object.entries(schema.functions).find(([k]) => k.toLowerCase() === name.toLowerCase());
      if (!schema || !fn || fn[1] < 0) return { status: 200, body: {} };
      return { status: 200, body: sampleOf(schema.nodes, fn[1], (path) => keyOf(ctx.existing.resource.id, `${name}/${path}`)) };
    };
  }
  return out;
}

// ---- dotted paths ('properties.users[0].password') -------------------------------------------------------------

function parsePath(p: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of p.split('.')) {
    const m = /^([^[]*)((\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const i of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
  }
  return out;
}

function getPath(o: any, p: string): unknown {
  let v = o;
  for (const k of parsePath(p)) v = v?.[k];
  return v;
}

function setPath(o: any, p: string, value: unknown): void {
  const keys = parsePath(p);
  let v = o;
  for (let i = 0; i < keys.length - 1; i++) {
    if (v[keys[i]] === undefined || v[keys[i]] === null) v[keys[i]] = typeof keys[i + 1] === 'number' ? [] : {};
    v = v[keys[i]];
  }
  v[keys[keys.length - 1]] = value;
}

function deletePath(o: any, p: string): void {
  const keys = parsePath(p);
  let v = o;
  for (let i = 0; i < keys.length - 1; i++) v = v?.[keys[i]];
  if (v && typeof v === 'object') delete v[keys[keys.length - 1]];
}
