#!/usr/bin/env node
// Generates the catalogue of public ARM resource types (schemas/catalogue/) from public sources:
//   - Azure/bicep-types-az `generated/<rp>/<namespace>/<api-version>/types.json` (every type and api-version the
//     REST specs describe, with its body schema, scopes and list* functions) and `samples.md` (the spec's examples,
//     read only for the locations they use: 'global' types);
//   - Debian's python3-azure `azure/mgmt/**/operations` (URL templates of the management SDKs, early 2023): the
//     types and api-versions the Bicep index lacks.
// Only facts are carried over (names, api-versions, flags, constraints); descriptions are dropped and identical
// schema parts are shared, so the result stays a few MB. Usage:
//   node scripts/catalogue/generate.mjs --bicep-types <checkout or git dir of Azure/bicep-types-az> \
//     [--python-azure /usr/lib/python3/dist-packages/azure/mgmt] [--out schemas/catalogue]
// The output format is described in schemas/catalogue/README.md.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
if (!args['bicep-types']) {
  console.error('usage: generate.mjs --bicep-types <Azure/bicep-types-az checkout or git dir> [--python-azure DIR] [--out DIR]');
  process.exit(2);
}
const OUT = path.resolve(args.out ?? path.join(root, 'schemas/catalogue'));
const PY = args['python-azure'] ?? '/usr/lib/python3/dist-packages/azure/mgmt';

// Bicep type flags (bicep-types: ObjectTypePropertyFlags, ScopeType).
const REQUIRED = 1;
const READ_ONLY = 2;
const WRITE_ONLY = 4;
const SCOPE = { tenant: 1, managementGroup: 2, subscription: 4, resourceGroup: 8, extension: 16 };

// ---- reading the Bicep type index (a checkout, or a git directory without a work tree) -------------------------------

async function* bicepFiles(dir) {
  const wanted = (p) => /^generated\/[^/]+\/[^/]+\/[^/]+\/(types\.json|samples\.md)$/.test(p);
  if (existsSync(path.join(dir, 'generated'))) {
    const walk = function* (d) {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) yield* walk(p);
        else yield p;
      }
    };
    for (const p of walk(path.join(dir, 'generated'))) {
      const rel = path.relative(dir, p).split(path.sep).join('/');
      if (wanted(rel)) yield { path: rel, text: readFileSync(p, 'utf8') };
    }
    return;
  }
  const listing = execFileSync('git', ['--git-dir', dir, 'ls-tree', '-r', 'HEAD', 'generated'], { maxBuffer: 1 << 28 }).toString();
  const blobs = [];
  for (const line of listing.split('\n')) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/.exec(line);
    if (m && wanted(m[2])) blobs.push({ sha: m[1], path: m[2] });
  }
  const git = spawn('git', ['--git-dir', dir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = Buffer.alloc(0);
  let wake;
  let ended = false;
  git.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  git.stdout.on('end', () => {
    ended = true;
    wake?.();
  });
  const need = async (n) => {
    while (buf.length < n && !ended) await new Promise((r) => (wake = r));
  };
  for (const b of blobs) {
    git.stdin.write(`${b.sha}\n`);
    let nl;
    for (;;) {
      nl = buf.indexOf(10);
      if (nl >= 0) break;
      await need(buf.length + 1);
    }
    const header = buf.subarray(0, nl).toString().split(' ');
    if (header[1] === 'missing') {
      buf = buf.subarray(nl + 1);
      console.warn(`missing blob for ${b.path}`);
      continue;
    }
    const size = Number(header[2]);
    await need(nl + 1 + size + 1);
    const text = buf.subarray(nl + 1, nl + 1 + size).toString('utf8');
    buf = buf.subarray(nl + 1 + size + 1);
    yield { path: b.path, text };
  }
  git.stdin.end();
}

function sourceCommit(dir) {
  try {
    const gitDir = existsSync(path.join(dir, 'generated')) ? ['-C', dir] : ['--git-dir', dir];
    return execFileSync('git', [...gitDir, 'log', '-1', '--format=%H %cI'], { encoding: 'utf8' })
      .trim()
      .split(' ');
  } catch {
    return ['unknown', 'unknown'];
  }
}

// ---- the per-namespace type graph ---------------------------------------------------------------------------------------

/** One namespace's schema nodes before sharing: label (kind and constants) and children, in order. */
class NamespaceGraph {
  constructor(name) {
    this.name = name;
    this.labels = [];
    this.kids = [];
    this.memo = new Map();
    /** typeLower -> { casing, versions: Map(version -> {body, scopesR, scopesW, functions: Map(name -> output)}) } */
    this.types = new Map();
  }
  add(label, kids) {
    this.labels.push(label);
    this.kids.push(kids);
    return this.labels.length - 1;
  }
}

const namespaces = new Map();
function nsGraph(name) {
  const k = name.toLowerCase();
  let g = namespaces.get(k);
  if (!g) namespaces.set(k, (g = new NamespaceGraph(name)));
  return g;
}

const refIndex = (ref) => Number(String(ref.$ref).split('/').pop());

/**
 * Converts Bicep type `idx` of one types.json into the namespace graph. In a request body ('in') the structure
 * of a read-only property is of no use (the generic provider drops what a client sends there), so it becomes
 * 'any' and only its name and flags stay; function outputs ('out') keep everything.
 */
function convert(g, file, types, idx, mode) {
  const key = `${file}:${idx}:${mode}`;
  const known = g.memo.get(key);
  if (known !== undefined) return known;
  const t = types[idx];
  const id = g.add(null, []);
  g.memo.set(key, id);
  let label;
  let kids = [];
  const trim = (a) => {
    while (a.length && (a[a.length - 1] === undefined || a[a.length - 1] === null)) a.pop();
    return a;
  };
  switch (t.$type) {
    case 'AnyType':
      label = 'a';
      break;
    case 'BooleanType':
      label = 'b';
      break;
    case 'NullType':
      label = 'n';
      break;
    case 'StringType': {
      const a = trim(['s', t.pattern ?? null, t.minLength ?? null, t.maxLength ?? null, t.sensitive ? 1 : null]);
      label = a.length === 1 ? 's' : JSON.stringify(a);
      break;
    }
    case 'IntegerType': {
      const a = trim(['i', t.minValue ?? null, t.maxValue ?? null]);
      label = a.length === 1 ? 'i' : JSON.stringify(a);
      break;
    }
    case 'StringLiteralType':
    case 'IntegerLiteralType':
    case 'BooleanLiteralType':
      label = JSON.stringify(['l', t.value]);
      break;
    case 'UnionType':
      label = 'u';
      kids = t.elements.map((e) => convert(g, file, types, refIndex(e), mode));
      break;
    case 'ArrayType':
      label = JSON.stringify(trim(['r', t.minLength ?? null, t.maxLength ?? null]));
      kids = [convert(g, file, types, refIndex(t.itemType), mode)];
      break;
    case 'ObjectType': {
      const props = objectProps(g, file, types, t.properties ?? {}, mode);
      const extra = t.additionalProperties ? convert(g, file, types, refIndex(t.additionalProperties), mode) : undefined;
      label = JSON.stringify(['o', props.map(([n, f]) => [n, f]), extra !== undefined ? 1 : 0, t.sensitive ? 1 : 0]);
      kids = [...props.map((p) => p[2]), ...(extra !== undefined ? [extra] : [])];
      break;
    }
    case 'DiscriminatedObjectType': {
      const base = objectProps(g, file, types, t.baseProperties ?? {}, mode);
      const elems = Object.keys(t.elements).sort();
      label = JSON.stringify(['d', t.discriminator, base.map(([n, f]) => [n, f]), elems]);
      kids = [...base.map((p) => p[2]), ...elems.map((e) => convert(g, file, types, refIndex(t.elements[e]), mode))];
      break;
    }
    default:
      label = 'a';
  }
  g.labels[id] = label;
  g.kids[id] = kids;
  return id;
}

let ANY_LABEL_NODE = new Map();
function anyNode(g) {
  let id = ANY_LABEL_NODE.get(g);
  if (id === undefined) ANY_LABEL_NODE.set(g, (id = g.add('a', [])));
  return id;
}

/** Properties sorted by name: [name, flags, child]. */
function objectProps(g, file, types, properties, mode, drop = new Set()) {
  const out = [];
  for (const name of Object.keys(properties).sort()) {
    if (drop.has(name)) continue;
    const p = properties[name];
    const flags = (p.flags ?? 0) & (REQUIRED | READ_ONLY | WRITE_ONLY);
    const readOnlyIn = mode === 'in' && flags & READ_ONLY && !(flags & REQUIRED);
    out.push([name, flags, readOnlyIn ? anyNode(g) : convert(g, file, types, refIndex(p.type), mode)]);
  }
  return out;
}

/** A resource body: the envelope's id, type and apiVersion are the framework's, never validated. */
function convertBody(g, file, types, idx) {
  const t = types[idx];
  if (t.$type !== 'ObjectType') return convert(g, file, types, idx, 'in');
  const props = objectProps(g, file, types, t.properties ?? {}, 'in', new Set(['id', 'type', 'apiVersion']));
  const extra = t.additionalProperties ? convert(g, file, types, refIndex(t.additionalProperties), 'in') : undefined;
  const label = JSON.stringify(['o', props.map(([n, f]) => [n, f]), extra !== undefined ? 1 : 0, 0]);
  return g.add(label, [...props.map((p) => p[2]), ...(extra !== undefined ? [extra] : [])]);
}

function typeEntry(g, typeName) {
  const k = typeName.toLowerCase();
  let e = g.types.get(k);
  if (!e) g.types.set(k, (e = { casing: typeName, casingVersion: '', versions: new Map(), sources: new Set() }));
  return e;
}

function versionEntry(e, version) {
  let v = e.versions.get(version);
  if (!v) e.versions.set(version, (v = { body: undefined, scopesR: 0, scopesW: 0, functions: new Map(), locations: new Set(), statuses: {} }));
  return v;
}

let fileNo = 0;
function readTypesJson(text) {
  const types = JSON.parse(text);
  const file = fileNo++;
  for (let i = 0; i < types.length; i++) {
    const t = types[i];
    if (t.$type === 'ResourceType') {
      const [full, version] = t.name.split('@');
      const [ns, ...rest] = full.split('/');
      if (!rest.length) continue;
      const g = nsGraph(ns);
      const e = typeEntry(g, rest.join('/'));
      const v = versionEntry(e, version);
      e.sources.add('bicep');
      if (versionKey(version) >= versionKey(e.casingVersion)) {
        e.casing = rest.join('/');
        e.casingVersion = version;
        g.name = ns;
      }
      v.scopesR |= t.readableScopes ?? t.scopeType ?? 0;
      v.scopesW |= t.writableScopes ?? (t.flags & 1 ? 0 : (t.scopeType ?? 0));
      if (v.body === undefined || (t.writableScopes ?? 0)) v.body = convertBody(g, file, types, refIndex(t.body));
    } else if (t.$type === 'ResourceFunctionType') {
      const [ns, ...rest] = t.resourceType.split('/');
      const g = nsGraph(ns);
      const v = versionEntry(typeEntry(g, rest.join('/')), t.apiVersion);
      v.functions.set(t.name, t.output ? convert(g, file, types, refIndex(t.output), 'out') : undefined);
    }
  }
}

/** Locations the spec's examples use, per type and version ('global' types are told apart by them). */
function readSamples(text) {
  const re = /resource \w+ '([^@']+)@([^']+)' = \{\n([\s\S]*?)\n\}\n/g;
  for (const m of text.matchAll(re)) {
    const loc = /^ {2}location: '([^']*)'/m.exec(m[3]);
    if (!loc) continue;
    const [ns, ...rest] = m[1].split('/');
    const g = namespaces.get(ns.toLowerCase());
    const e = g?.types.get(rest.join('/').toLowerCase());
    if (!e) continue;
    versionEntry(e, m[2]).locations.add(loc[1].replace(/\s+/g, '').toLowerCase());
  }
}

// ---- python3-azure: URL templates of the management SDKs ------------------------------------------------------------

const URL_RE = /["'](\/[^"'\s]*?providers\/[A-Za-z0-9.]+\/[^"'\s]*)["']/;
const VERSION_RE = /api_version\b[^\n]*?["'](\d{4}-\d{2}-\d{2}(?:-preview)?)["']/;

function scopeOfUrl(url) {
  const segs = url.split('/').filter(Boolean);
  const first = segs.findIndex((s) => s.toLowerCase() === 'providers');
  const head = segs.slice(0, first).map((s) => s.toLowerCase());
  if (head.length === 0) return SCOPE.tenant;
  if (head.length === 1 && /^\{.*\}$/.test(head[0])) return SCOPE.extension;
  if (head[0] === 'subscriptions' && head.length === 2) return SCOPE.subscription;
  if (head[0] === 'subscriptions' && head[2] === 'resourcegroups' && head.length === 4) return SCOPE.resourceGroup;
  return SCOPE.extension;
}

/** The resource type a URL template addresses, when it addresses one resource of a fixed type. */
function typeOfUrl(url) {
  const segs = url.split('/').filter(Boolean);
  const at = segs.map((s) => s.toLowerCase()).lastIndexOf('providers');
  const ns = segs[at + 1];
  const rest = segs.slice(at + 2);
  if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$/.test(ns ?? '') || rest.length === 0 || rest.length % 2 !== 0) return undefined;
  const types = rest.filter((_, i) => i % 2 === 0);
  if (types.some((t) => t.includes('{'))) return undefined; // a type chosen by a parameter ({recordType})
  return { ns, type: types.join('/') };
}

/**
 * PUT and DELETE operations of the management SDKs: the URL template, the api-version and the status codes the
 * spec declares (a typed client refuses any other: an App Service plan's PUT answers 200 or 202, never 201).
 * Both code generations are read: build_*_request functions (method, URL, api-version) called by the operation,
 * and the older self._client.put(url...) with the URL in the operation's metadata.
 */
function readPython(dir) {
  const found = [];
  if (!existsSync(dir)) return found;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'aio' || e.name === '__pycache__') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.py') && path.basename(d) === 'operations') readOperations(p);
    }
  };
  const readOperations = (file) => {
    const m = /\/v(\d{4})_(\d{2})_(\d{2})(_preview)?\//.exec(file);
    const folderVersion = m ? `${m[1]}-${m[2]}-${m[3]}${m[4] ? '-preview' : ''}` : undefined;
    const src = readFileSync(file, 'utf8');
    const fileVersion = folderVersion ?? VERSION_RE.exec(src)?.[1];
    const chunks = src.split(/\n(?=def |    def )/);
    const builds = new Map();
    for (const c of chunks) {
      const b = /^def (build_\w+)\(/.exec(c);
      if (!b) continue;
      const method = /method=["'](PUT|GET|DELETE|PATCH|POST)["']/.exec(c)?.[1];
      const url = URL_RE.exec(c)?.[1];
      builds.set(b[1], { method, url, version: VERSION_RE.exec(c)?.[1] });
    }
    for (const c of chunks) {
      if (/^def build_/.test(c)) continue;
      const call = /\b(build_\w+)\(/.exec(c);
      const build = call ? builds.get(call[1]) : undefined;
      const verb = (build?.method ?? /self\._client\.(put|delete)\(/.exec(c)?.[1] ?? '').toUpperCase();
      if (verb !== 'PUT' && verb !== 'DELETE') continue;
      const url = /\.metadata = \{\s*["']url["']:\s*["']([^"']+)["']/.exec(c)?.[1] ?? build?.url;
      const statuses = /status_code not in \[([\d,\s]+)\]/
        .exec(c)?.[1]
        .split(',')
        .map((x) => Number(x.trim()));
      const version = folderVersion ?? build?.version ?? VERSION_RE.exec(c)?.[1] ?? fileVersion;
      if (!url || !version) continue;
      const t = typeOfUrl(url);
      if (!t) continue;
      found.push({ ...t, version, scope: scopeOfUrl(url), verb, statuses });
    }
  };
  walk(dir);
  return found;
}

function pythonVersion() {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'python3-azure'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

// ---- sharing: identical schema parts become one node (Moore's partition refinement, cycles included) -----------------

function share(g, roots) {
  const n = g.labels.length;
  let cls = new Int32Array(n);
  const ids = new Map();
  for (let i = 0; i < n; i++) {
    let c = ids.get(g.labels[i]);
    if (c === undefined) ids.set(g.labels[i], (c = ids.size));
    cls[i] = c;
  }
  let count = ids.size;
  for (;;) {
    const next = new Int32Array(n);
    const sigs = new Map();
    for (let i = 0; i < n; i++) {
      const sig = `${cls[i]}|${g.kids[i].map((k) => cls[k]).join(',')}`;
      let c = sigs.get(sig);
      if (c === undefined) sigs.set(sig, (c = sigs.size));
      next[i] = c;
    }
    cls = next;
    if (sigs.size === count) break;
    count = sigs.size;
  }
  // Emit the classes reachable from the roots, numbered in the order they are first reached.
  const out = new Map();
  const nodes = [];
  const rep = new Map();
  for (let i = 0; i < n; i++) if (!rep.has(cls[i])) rep.set(cls[i], i);
  const visit = (i) => {
    const c = cls[i];
    if (out.has(c)) return out.get(c);
    const id = nodes.length;
    out.set(c, id);
    nodes.push(null);
    const r = rep.get(c);
    const kids = g.kids[r].map(visit);
    nodes[id] = encode(g.labels[r], kids);
    return id;
  };
  return { map: (i) => (i === undefined ? undefined : visit(i)), nodes, visitRoots: () => roots.forEach(visit) };
}

/** The compact wire form of one node (see schemas/catalogue/README.md). */
function encode(label, kids) {
  if (label === 'a' || label === 'b' || label === 'n' || label === 's' || label === 'i') return label;
  if (label === 'u') return ['u', ...kids];
  const a = JSON.parse(label);
  switch (a[0]) {
    case 's':
    case 'i':
    case 'l':
      return a;
    case 'r':
      return ['r', kids[0], ...a.slice(1)];
    case 'o': {
      const props = {};
      a[1].forEach(([name, flags], i) => (props[name] = flags ? [kids[i], flags] : kids[i]));
      const out = ['o', props];
      if (a[2]) out.push(kids[a[1].length]);
      else if (a[3]) out.push(null);
      if (a[3]) out.push(1);
      return out;
    }
    case 'd': {
      const base = {};
      a[2].forEach(([name, flags], i) => (base[name] = flags ? [kids[i], flags] : kids[i]));
      const elems = {};
      a[3].forEach((v, i) => (elems[v] = kids[a[2].length + i]));
      return ['d', a[1], base, elems];
    }
  }
  throw new Error(`unknown label ${label}`);
}

// ---- api-version order ----------------------------------------------------------------------------------------------

/** Sortable key: date, then stable before preview/beta for the same date. */
function versionKey(v) {
  const m = /^(\d{4}-\d{2}-\d{2})(.*)$/.exec(v ?? '');
  if (!m) return '';
  return `${m[1]}${m[2] ? '0' : '1'}${m[2]}`;
}
const newestFirst = (a, b) => (versionKey(a) < versionKey(b) ? 1 : versionKey(a) > versionKey(b) ? -1 : a < b ? -1 : 1);

// ---- main -----------------------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const bicepDir = path.resolve(args['bicep-types']);
  const [commit, commitDate] = sourceCommit(bicepDir);
  const samples = [];
  let typeFiles = 0;
  for await (const f of bicepFiles(bicepDir)) {
    if (f.path.endsWith('types.json')) {
      readTypesJson(f.text);
      typeFiles++;
    } else samples.push(f.text);
  }
  for (const s of samples) readSamples(s);
  console.error(`read ${typeFiles} types.json files and ${samples.length} samples.md (${((Date.now() - started) / 1000).toFixed(0)} s)`);

  const py = readPython(PY);
  let pyTypes = 0;
  let pyVersions = 0;
  for (const p of py) {
    const g = nsGraph(p.ns);
    const had = g.types.has(p.type.toLowerCase());
    if (p.verb !== 'PUT' && !had) continue;
    const e = typeEntry(g, p.type);
    if (!had) {
      e.casing = p.type;
      pyTypes++;
    }
    if (!e.versions.has(p.version)) pyVersions++;
    const v = versionEntry(e, p.version);
    if (p.verb === 'PUT') {
      e.sources.add('python');
      if (!v.scopesW) v.scopesW = p.scope;
      if (!v.scopesR) v.scopesR = p.scope;
    }
    if (p.statuses) v.statuses[p.verb] = p.statuses;
  }
  const puts = py.filter((p) => p.verb === 'PUT').length;
  console.error(`python3-azure: ${puts} PUT and ${py.length - puts} DELETE operations; ${pyTypes} types and ${pyVersions} type api-versions not in the Bicep index`);

  rmSync(path.join(OUT, 'ns'), { recursive: true, force: true });
  mkdirSync(path.join(OUT, 'ns'), { recursive: true });
  const versionTable = new Set();
  for (const g of namespaces.values()) for (const e of g.types.values()) for (const v of e.versions.keys()) versionTable.add(v);
  const versions = [...versionTable].sort(newestFirst);
  const vIndex = new Map(versions.map((v, i) => [v, i]));
  const index = [];
  const statusStats = {};
  let totalNodes = 0;
  let totalBytes = 0;
  let typeCount = 0;
  let typeVersionCount = 0;
  for (const g of [...namespaces.values()].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1))) {
    const roots = [];
    for (const e of g.types.values())
      for (const v of e.versions.values()) {
        if (v.body !== undefined) roots.push(v.body);
        for (const o of v.functions.values()) if (o !== undefined) roots.push(o);
      }
    const shared = share(g, roots);
    const nsTypes = [];
    const fileTypes = {};
    for (const e of [...g.types.values()].sort((a, b) => (a.casing.toLowerCase() < b.casing.toLowerCase() ? -1 : 1))) {
      const vs = [...e.versions.keys()].sort(newestFirst);
      let scopes = 0;
      let writable = 0;
      for (const v of e.versions.values()) {
        scopes |= v.scopesR | v.scopesW;
        writable |= v.scopesW;
      }
      // functions the index gives a path that is no resource (a location's checkNameAvailability...): not a type
      if (scopes === 0) continue;
      // Tracked or proxy, from the newest version that can be written: a required location makes a tracked type.
      const newest = vs.map((v) => e.versions.get(v)).find((v) => v.scopesW && v.body !== undefined) ?? e.versions.get(vs[0]);
      const loc = newest.body !== undefined ? locationFlags(g, newest.body) : 0;
      const used = new Set();
      for (const v of e.versions.values()) for (const l of v.locations) used.add(l);
      const global = used.has('global') ? ([...used].every((l) => l === 'global') ? 2 : 1) : 0;
      const fnNames = new Set();
      for (const v of e.versions.values()) for (const f of v.functions.keys()) fnNames.add(f);
      // [type, scopes (readable or writable), writable scopes, flags, version indexes, functions]
      let flags = 0;
      if (loc === REQUIRED)
        flags |= 1; // tracked
      else if (loc === 2) flags |= 2; // location accepted, not required
      if (global === 2)
        flags |= 4; // 'global' is its only location
      else if (global === 1) flags |= 8; // 'global' besides the regions
      if (!e.sources.has('bicep')) flags |= 16; // known from the SDKs only: no schema
      // What a typed client accepts, from the newest SDK version that says: a create answered 200 (no 201
      // declared), a delete answered 204 (no 200 declared).
      const said = (verb) => vs.map((v) => e.versions.get(v).statuses[verb]).find((x) => x);
      const put = said('PUT');
      const del = said('DELETE');
      if (put && !put.includes(201) && put.includes(200)) flags |= 32;
      if (del && !del.includes(200) && del.includes(204)) flags |= 64;
      statusStats[`PUT ${put ? put.join(',') : '-'}`] = (statusStats[`PUT ${put ? put.join(',') : '-'}`] ?? 0) + 1;
      statusStats[`DELETE ${del ? del.join(',') : '-'}`] = (statusStats[`DELETE ${del ? del.join(',') : '-'}`] ?? 0) + 1;
      const entry = [e.casing, scopes, writable, flags, vs.map((v) => vIndex.get(v))];
      if (fnNames.size) entry.push([...fnNames].sort());
      nsTypes.push(entry);
      const perVersion = {};
      for (const v of vs) {
        const ve = e.versions.get(v);
        if (ve.body === undefined && !ve.functions.size) continue;
        const fns = {};
        for (const [name, out] of ve.functions) fns[name] = out === undefined ? -1 : shared.map(out);
        perVersion[v] = ve.functions.size ? [ve.body === undefined ? -1 : shared.map(ve.body), fns] : ve.body === undefined ? -1 : shared.map(ve.body);
        typeVersionCount++;
      }
      fileTypes[e.casing.toLowerCase()] = perVersion;
      typeCount++;
    }
    index.push([g.name, nsTypes]);
    const file = { namespace: g.name, nodes: shared.nodes, types: fileTypes };
    const json = JSON.stringify(file);
    const gz = gzipSync(json, { level: 9 });
    writeFileSync(path.join(OUT, 'ns', `${g.name.toLowerCase()}.json.gz`), gz);
    totalNodes += shared.nodes.length;
    totalBytes += gz.length;
  }
  console.error(JSON.stringify(statusStats));
  const indexDoc = {
    format: 1,
    generated: new Date().toISOString().slice(0, 10),
    sources: {
      bicepTypes: { repository: 'https://github.com/Azure/bicep-types-az', commit, commitDate, files: typeFiles },
      pythonAzure: { package: 'python3-azure (Debian)', version: pythonVersion(), operations: py.length },
    },
    versions,
    namespaces: index,
  };
  const indexJson = JSON.stringify(indexDoc);
  writeFileSync(path.join(OUT, 'index.json.gz'), gzipSync(indexJson, { level: 9 }));
  const indexGz = statSync(path.join(OUT, 'index.json.gz')).size;
  console.error(
    `${namespaces.size} namespaces, ${typeCount} types, ${typeVersionCount} type api-versions with a schema, ${totalNodes} schema nodes; ` +
      `index ${(indexJson.length / 1024).toFixed(0)} KB (${(indexGz / 1024).toFixed(0)} KB gzipped), schemas ${(totalBytes / 1024 / 1024).toFixed(2)} MB gzipped ` +
      `(${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
}

/** 1 = location required, 2 = accepted (optional), 0 = absent or read-only. */
function locationFlags(g, bodyId) {
  const label = g.labels[bodyId];
  if (!label || label[0] !== '[') return 0;
  const a = JSON.parse(label);
  if (a[0] !== 'o') return 0;
  const p = a[1].find(([n]) => n === 'location');
  if (!p) return 0;
  if (p[1] & REQUIRED) return REQUIRED;
  if (p[1] & READ_ONLY) return 0;
  return 2;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
