// OpenAPI v3 documents: the root index (/openapi/v3) and one document per group version with its paths
// and operations. Each write operation declares the fieldValidation parameter, which is how kubectl 1.32
// learns that this server validates fields itself (kubectl apply then sends fieldValidation=Strict instead
// of downloading schemas); schemas come from ../schema.ts where known.

import { createHash } from 'node:crypto';
import type { KindRegistry, ResourceDef } from '../kinds/registry.js';
import { apiVersionOf } from '../model.js';
import { schemasFor } from '../schema.js';

const param = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });

const WRITE_PARAMS = [
  param('dryRun', 'When present, indicates that modifications should not be persisted.'),
  param('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  param(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict',
  ),
];

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function docFor(kinds: KindRegistry, group: string, version: string) {
  const paths: Record<string, unknown> = {};
  const base = `/${gvPath(group, version)}`;
  const defs = kinds.resourcesOf(group, version);
  for (const d of defs) {
    const gvk = { group, version, kind: d.kind };
    const ref = d.schema ? { $ref: `#/components/schemas/${d.schema}` } : { type: 'object' };
    const op = (action: string, id: string, extra: Record<string, unknown> = {}) => ({
      operationId: id,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } }, '401': { description: 'Unauthorized' } },
      ...extra,
    });
    const name = `${d.kind}`;
    const ns = d.namespaced ? '/namespaces/{namespace}' : '';
    const coll = `${base}${ns}/${d.resource}`;
    const item = `${coll}/{name}`;
    const idBase = `${
      group
        ? group
            .split('.')
            .map((x, i) => (i === 0 ? x : x[0].toUpperCase() + x.slice(1)))
            .join('')
        : 'core'
    }${version[0].toUpperCase()}${version.slice(1)}${d.namespaced ? 'Namespaced' : ''}${name}`;
    if (d.virtual) {
      paths[coll] = { post: op('post', `create${idBase}`, { parameters: WRITE_PARAMS }) };
      continue;
    }
    paths[coll] = {
      get: op('list', `list${idBase}`),
      post: op('post', `create${idBase}`, { parameters: WRITE_PARAMS }),
      delete: op('deletecollection', `deletecollection${idBase}`),
    };
    paths[item] = {
      get: op('get', `read${idBase}`),
      put: op('put', `replace${idBase}`, { parameters: WRITE_PARAMS }),
      patch: op('patch', `patch${idBase}`, { parameters: [...WRITE_PARAMS, param('force', 'Force is going to "force" Apply requests.')] }),
      delete: op('delete', `delete${idBase}`),
    };
    for (const sub of d.subresources ?? []) {
      if (sub === 'status' || sub === 'scale') {
        const subKind = sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : gvk;
        paths[`${item}/${sub}`] = {
          get: { ...op('get', `read${idBase}${sub[0].toUpperCase()}${sub.slice(1)}`), 'x-kubernetes-group-version-kind': subKind },
          put: { ...op('put', `replace${idBase}${sub[0].toUpperCase()}${sub.slice(1)}`, { parameters: WRITE_PARAMS }), 'x-kubernetes-group-version-kind': subKind },
          patch: { ...op('patch', `patch${idBase}${sub[0].toUpperCase()}${sub.slice(1)}`, { parameters: WRITE_PARAMS }), 'x-kubernetes-group-version-kind': subKind },
        };
      }
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: schemasFor(defs) },
  };
}

/** The root index: where each group version's document is. */
export function openapiRoot(kinds: KindRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const g of kinds.groupVersions()) {
    for (const v of g.versions) {
      const p = gvPath(g.group, v);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(kinds, g.group, v)}` };
    }
  }
  return { paths };
}

const cache = new Map<string, { hash: string; doc: Record<string, unknown> }>();

function signature(kinds: KindRegistry, group: string, version: string): string {
  return kinds
    .resourcesOf(group, version)
    .map((d: ResourceDef) => `${d.resource}:${d.kind}:${d.custom ? JSON.stringify(d.custom) : ''}`)
    .join('|');
}

function hashOf(kinds: KindRegistry, group: string, version: string): string {
  return createHash('sha512')
    .update(`${apiVersionOf(group, version)}|${signature(kinds, group, version)}`)
    .digest('hex')
    .slice(0, 128)
    .toUpperCase();
}

/** The document of one group version ('api/v1', 'apis/apps/v1'), or undefined. */
export function openapiDoc(kinds: KindRegistry, path: string): Record<string, unknown> | undefined {
  const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return undefined;
  const group = m[1] ? '' : m[2];
  const version = m[1] ?? m[3];
  if (!kinds.resourcesOf(group, version).length) return undefined;
  const key = `${group}/${version}|${signature(kinds, group, version)}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = { hash: hashOf(kinds, group, version), doc: docFor(kinds, group, version) };
    if (cache.size > 200) cache.clear();
    cache.set(key, hit);
  }
  return hit.doc;
}
