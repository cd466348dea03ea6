// Custom resources: each served version of an established CustomResourceDefinition becomes a resource of
// the cluster, stored generically (one storage key per group and plural whatever the version, as the
// conversion strategy None does), validated against the version's openAPIV3Schema (with ajv), pruned of
// fields the schema does not declare, defaulted from it, with the CRD's subresources and printer columns.

import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isObj, type KubeObject } from '../model.js';
import type { StatusCause } from '../status.js';
import { ALL_VERBS, type ResourceDef } from './registry.js';
import { dns1123Subdomain, invalid, required, unsupported } from './validation.js';

const Ajv = (AjvModule as any).default ?? AjvModule;
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, allowUnionTypes: true });
const compiled = new Map<string, ValidateFunction>();

/** openAPIV3Schema (Kubernetes' structural dialect) as JSON Schema for ajv. */
function toJsonSchema(s: any): any {
  if (!isObj(s)) return {};
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'nullable' || k === 'default' || k === 'format' || k === 'description' || k === 'example' || k === 'externalDocs') continue;
    if (k === 'properties' && isObj(v)) out.properties = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, toJsonSchema(ps)]));
    else if (k === 'items') out.items = toJsonSchema(v);
    else if (k === 'additionalProperties') out.additionalProperties = typeof v === 'boolean' ? v : toJsonSchema(v);
    else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) out[k] = v.map(toJsonSchema);
    else if (k === 'not') out.not = toJsonSchema(v);
    else out[k] = v;
  }
  if (s['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [...(out.anyOf ?? []), { type: 'integer' }, { type: 'string' }];
  }
  if (s.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  // Unknown fields are pruned, not refused: additionalProperties stays open unless given.
  return out;
}

function validatorFor(key: string, schema: unknown): ValidateFunction | undefined {
  if (!isObj(schema)) return undefined;
  const hit = compiled.get(key);
  if (hit) return hit;
  let v: ValidateFunction;
  try {
    v = ajv.compile(toJsonSchema(schema));
  } catch {
    return undefined;
  }
  if (compiled.size > 500) compiled.clear();
  compiled.set(key, v);
  return v;
}

const fieldOf = (e: ErrorObject) =>
  e.instancePath
    .replace(/^\//, '')
    .replace(/\/(\d+)(?=\/|$)/g, '[$1]')
    .replace(/\//g, '.');

function causeOf(e: ErrorObject, obj: unknown): StatusCause {
  const field = fieldOf(e);
  const value = e.instancePath
    .split('/')
    .slice(1)
    .reduce((x: any, k) => (x === undefined || x === null ? undefined : x[k]), obj);
  switch (e.keyword) {
    case 'required': {
      const f = field ? `${field}.${(e.params as any).missingProperty}` : (e.params as any).missingProperty;
      return required(f);
    }
    case 'type':
      return invalid(field, value, `${field} in body must be of type ${(e.params as any).type}: ${JSON.stringify(typeof value)}`);
    case 'enum':
      return unsupported(field, value, ((e.params as any).allowedValues ?? []).map(String));
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return invalid(field, value, `${field} in body should be ${e.keyword.includes('inimum') ? 'greater' : 'less'} than or equal to ${(e.params as any).limit}`);
    case 'pattern':
      return invalid(field, value, `${field} in body should match '${(e.params as any).pattern}'`);
    default:
      return invalid(field, value, `${field} in body ${e.message ?? 'is invalid'}`);
  }
}

/** Removes fields the schema does not declare (unless it preserves unknown fields), and fills its defaults. */
export function pruneAndDefault(value: unknown, schema: any, root = true): unknown {
  if (!isObj(schema)) return value;
  if (Array.isArray(value)) return isObj(schema.items) ? value.map((x) => pruneAndDefault(x, schema.items, false)) : value;
  if (!isObj(value)) return value;
  const props = isObj(schema.properties) ? schema.properties : undefined;
  const extra = schema.additionalProperties;
  const keepUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true || extra === true || (!props && extra === undefined && schema.type !== 'object');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (root && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) out[k] = v;
    else if (props?.[k]) out[k] = pruneAndDefault(v, props[k], false);
    else if (isObj(extra)) out[k] = pruneAndDefault(v, extra, false);
    else if (keepUnknown) out[k] = v;
  }
  for (const [k, ps] of Object.entries(props ?? {})) {
    if (out[k] === undefined && isObj(ps) && ps.default !== undefined && !(root && ['apiVersion', 'kind', 'metadata'].includes(k))) out[k] = structuredClone(ps.default);
  }
  return out;
}

export function crdEstablished(crd: KubeObject): boolean {
  return (crd.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
}

/** The resources an established CRD serves (one per served version). */
export function crdResources(crd: KubeObject): ResourceDef[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const out: ResourceDef[] = [];
  if (!crd.metadata.name || crd.metadata.deletionTimestamp) return out;
  for (const v of spec.versions ?? []) {
    if (!v?.served) continue;
    const schema = v.schema?.openAPIV3Schema;
    const key = `${crd.metadata.uid}/${v.name}/${crd.metadata.generation ?? 1}`;
    const sub = v.subresources ?? {};
    const scale = sub.scale;
    const def: ResourceDef = {
      group: spec.group,
      version: v.name,
      resource: names.plural,
      kind: names.kind,
      singular: names.singular ?? String(names.kind ?? '').toLowerCase(),
      listKind: names.listKind ?? `${names.kind}List`,
      namespaced: spec.scope !== 'Cluster',
      shortNames: names.shortNames,
      categories: names.categories,
      verbs: ALL_VERBS,
      subresources: [...(sub.status ? ['status'] : []), ...(scale ? ['scale'] : [])],
      statusSubresource: !!sub.status,
      generation: true,
      storageGroup: spec.group,
      storageResource: names.plural,
      custom: {
        crd: crd.metadata.name,
        schema,
        printerColumns: v.additionalPrinterColumns,
        scaleSpec: scale ? { specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, labelSelectorPath: scale.labelSelectorPath } : undefined,
      },
      defaults(o) {
        if (!isObj(schema)) return;
        const pruned = pruneAndDefault(o, schema) as KubeObject;
        for (const k of Object.keys(o)) if (!(k in pruned)) delete o[k];
        Object.assign(o, pruned);
      },
      validate(o) {
        const causes: StatusCause[] = dns1123Subdomain('metadata.name', o.metadata.name);
        const check = validatorFor(key, schema);
        if (check) {
          const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = o;
          if (!check({ ...rest })) for (const e of check.errors ?? []) if (!e.instancePath.startsWith('/metadata')) causes.push(causeOf(e, rest));
        }
        return causes;
      },
    };
    out.push(def);
  }
  return out;
}

/** Checks of a CustomResourceDefinition itself (names, versions, schemas). */
export function validateCrd(o: KubeObject, _ctx: unknown, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = o.spec ?? {};
  const names = spec.names ?? {};
  if (!spec.group) out.push(required('spec.group'));
  if (!names.plural) out.push(required('spec.names.plural'));
  if (!names.kind) out.push(required('spec.names.kind'));
  if (spec.group && names.plural && o.metadata.name !== `${names.plural}.${spec.group}`) out.push(invalid('metadata.name', o.metadata.name, `must be spec.names.plural+"."+spec.group`));
  if (!['Namespaced', 'Cluster'].includes(spec.scope)) out.push(unsupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  const versions: any[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (!versions.length) out.push(required('spec.versions'));
  if (versions.filter((v) => v?.storage).length !== 1)
    out.push(
      invalid(
        'spec.versions',
        versions.map((v) => v?.name),
        'must have exactly one version marked as storage version',
      ),
    );
  versions.forEach((v, i) => {
    if (!v?.name) out.push(required(`spec.versions[${i}].name`));
    if (!isObj(v?.schema?.openAPIV3Schema)) out.push(required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
  });
  if (old) {
    if (old.spec?.group !== spec.group) out.push(invalid('spec.group', spec.group, 'field is immutable'));
    if (old.spec?.names?.plural !== names.plural) out.push(invalid('spec.names.plural', names.plural, 'field is immutable'));
    if (old.spec?.scope !== spec.scope) out.push(invalid('spec.scope', spec.scope, 'field is immutable'));
  }
  return out;
}
