// meta.k8s.io Table answers (what `kubectl get` prints: the server decides the columns) and the
// PartialObjectMetadata forms clients ask for with `as=...` in their Accept header.

import { AGE_COLUMN, NAME_COLUMN, type ColumnDefinition, type ResourceDef } from '../kinds/registry.js';
import { humanAge, type KubeObject } from '../model.js';

export interface AcceptForm {
  /** 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList' | undefined (the object itself). */
  as?: string;
  version?: string;
  /** The serving cluster's Kubernetes version (the printers of some columns changed between releases). */
  kubernetesVersion?: string;
}

/** The form a client asks for: the first entry of its Accept header we can give (JSON only). */
export function negotiate(accept: string | undefined): AcceptForm | 'unacceptable' {
  if (!accept) return {};
  for (const raw of accept.split(',')) {
    const [type, ...params] = raw
      .trim()
      .split(';')
      .map((x) => x.trim());
    if (!['application/json', '*/*', 'application/*', 'application/json-seq'].includes(type.toLowerCase())) continue;
    const p: Record<string, string> = {};
    for (const kv of params) {
      const [k, v] = kv.split('=');
      if (k && v !== undefined) p[k.toLowerCase()] = v;
    }
    if (p.as) {
      if (p.g && p.g !== 'meta.k8s.io') continue;
      if (!['Table', 'PartialObjectMetadata', 'PartialObjectMetadataList'].includes(p.as)) continue;
      if (p.v && !['v1', 'v1beta1'].includes(p.v)) continue;
      return { as: p.as, version: p.v ?? 'v1' };
    }
    return {};
  }
  return 'unacceptable';
}

function metadataOf(o: KubeObject, version: string) {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata };
}

export function columnsOf(def: ResourceDef): ColumnDefinition[] {
  if (def.custom?.printerColumns?.length) {
    return [
      NAME_COLUMN,
      ...def.custom.printerColumns.map((c) => ({
        name: c.name,
        type: (c.type === 'date' ? 'date' : c.type) as ColumnDefinition['type'],
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
      ...(def.custom.printerColumns.some((c) => c.name === 'Age') ? [] : [AGE_COLUMN]),
    ];
  }
  return def.columns ?? [NAME_COLUMN, AGE_COLUMN];
}

function cellsOf(def: ResourceDef, o: KubeObject, now: number, kubernetesVersion?: string): unknown[] {
  if (def.custom?.printerColumns?.length) {
    const cols = def.custom.printerColumns;
    const out: unknown[] = [o.metadata.name];
    for (const c of cols) {
      const v = jsonPath(o, c.jsonPath);
      out.push(c.type === 'date' && typeof v === 'string' ? humanAge(v, now) : v === undefined ? '<none>' : v);
    }
    if (!cols.some((c) => c.name === 'Age')) out.push(humanAge(o.metadata.creationTimestamp, now));
    return out;
  }
  if (def.row) return def.row(o, now, kubernetesVersion);
  return [o.metadata.name, humanAge(o.metadata.creationTimestamp, now)];
}

/**
 * The JSONPath of a CRD's printer column: fields (`.a.b`, `['a.b']`), indexes (`[0]`, `[-1]`), `[*]` and
 * filters (`[?(@.type=="Ready")]`, `!=`, or a field's presence). Like the API server, the first result is shown.
 */
export function jsonPath(o: unknown, path: string): unknown {
  return jsonPathAll(o, path)?.[0];
}

/** Every result of a JSONPath (undefined when the path is not understood). */
export function jsonPathAll(o: unknown, path: string): unknown[] | undefined {
  let cur: unknown[] = [o];
  const p = path
    .trim()
    .replace(/^\{(.*)\}$/, '$1')
    .replace(/^\$/, '');
  let i = 0;
  const step = (f: (x: any) => unknown[]) => (cur = cur.flatMap((x) => (x === undefined || x === null ? [] : f(x))));
  while (i < p.length) {
    if (p[i] === '.') {
      i++;
      const m = /^[^.[\]]*/.exec(p.slice(i))![0];
      i += m.length;
      if (m === '*') step((x) => (typeof x === 'object' ? Object.values(x) : []));
      else if (m) step((x) => (typeof x === 'object' && m in x ? [x[m]] : []));
    } else if (p[i] === '[') {
      const end = p.indexOf(']', p[i + 1] === '?' ? p.indexOf(')', i) : i);
      if (end < 0) return undefined;
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      const quoted = /^['"](.*)['"]$/.exec(inner);
      if (quoted) step((x) => (typeof x === 'object' && quoted[1] in x ? [x[quoted[1]]] : []));
      else if (inner === '*') step((x) => (Array.isArray(x) ? x : typeof x === 'object' ? Object.values(x) : []));
      else if (/^-?\d+$/.test(inner)) step((x) => (Array.isArray(x) && x.at(Number(inner)) !== undefined ? [x.at(Number(inner))] : []));
      else if (inner.startsWith('?(') && inner.endsWith(')')) {
        const f = /^@((?:\.[\w-]+)+)\s*(?:(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(-?[\d.]+|true|false)))?$/.exec(inner.slice(2, -1).trim());
        if (!f) return undefined;
        const fields = f[1].split('.').filter(Boolean);
        const want = f[3] ?? f[4] ?? f[5];
        const test = (x: any) => {
          const v = fields.reduce((a: any, k) => (a === undefined || a === null ? undefined : a[k]), x);
          if (!f[2]) return v !== undefined;
          const eq = v !== undefined && String(v) === want;
          return f[2] === '==' ? eq : !eq;
        };
        step((x) => (Array.isArray(x) ? x.filter(test) : []));
      } else return undefined;
    } else return undefined;
  }
  return cur;
}

export interface TableOptions {
  version: string;
  includeObject?: string;
  noHeaders?: boolean;
  now: number;
  listMeta?: Record<string, unknown>;
  /** Present objects as the client's version shows them. */
  present: (o: KubeObject) => KubeObject;
  /** The serving cluster's Kubernetes version (newest printers when not given). */
  kubernetesVersion?: string;
}

export function toTable(def: ResourceDef, objects: KubeObject[], t: TableOptions): Record<string, unknown> {
  const include = t.includeObject ?? 'Metadata';
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: cellsOf(def, o, t.now, t.kubernetesVersion) };
    if (include === 'Object') row.object = t.present(o);
    else if (include !== 'None') row.object = metadataOf(o, t.version);
    return row;
  });
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: `meta.k8s.io/${t.version}`, metadata: t.listMeta ?? {} };
  table.columnDefinitions = t.noHeaders ? null : columnsOf(def);
  table.rows = rows;
  return table;
}

export function toPartialList(objects: KubeObject[], version: string, listMeta: Record<string, unknown>) {
  return { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${version}`, metadata: listMeta, items: objects.map((o) => metadataOf(o, version)) };
}

export function toPartial(o: KubeObject, version: string) {
  return metadataOf(o, version);
}
