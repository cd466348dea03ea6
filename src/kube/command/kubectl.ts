// kubectl inside the cluster, for `az aks command invoke`: the commands people run through it (get,
// describe, apply, create, delete, scale, rollout, logs, version, cluster-info...), run against the cluster's
// own API core as the caller's identity (so RBAC decides as it would for kubectl), printing what kubectl
// prints: the server's Table columns through kubectl's tabwriter, `-o name|json|yaml|wide`, its messages
// ("deployment.apps/web created", "No resources found in default namespace.") and its errors
// ("Error from server (NotFound): pods \"x\" not found", exit code 1).

import { parseAllDocuments } from 'yaml';
import type { KubeApi, UserInfo } from '../api.js';
import type { KindRegistry, ResourceDef } from '../kinds/registry.js';
import { columnsOf, jsonPathAll, toTable } from '../http/table.js';
import { podLogs } from '../controllers/logs.js';
import { apiVersionOf, isObj, type KubeObject } from '../model.js';
import { isKubeError, KubeError, KubeErrors } from '../status.js';
import { presentFor } from '../http/respond.js';
import { describeObject } from './describe.js';
import { customColumns, jsonPathTemplate, PrintError } from './jsonpath.js';
import { cellText, forOutput, getTable, listOf, toJson, toYaml } from './print.js';
import type { Files } from './zip.js';
import type { Output } from './shell.js';

export interface KubectlHost {
  api: KubeApi;
  kinds(cluster: string): KindRegistry;
  /** The cluster's API server as kubeconfigs inside the cluster name it, and its version (v1.30.4). */
  server: string;
  version: string;
  /** Resolves after `simMs` of simulated time (scaled by --time-scale). */
  sleep(simMs: number): Promise<void>;
  now(): number;
  /** Resolves once the cluster's controllers have nothing left to do right now. */
  settle(): Promise<void>;
}

export interface Invocation {
  host: KubectlHost;
  cluster: string;
  user: UserInfo;
  files: Files;
}

/** kubectl's own failure: printed to stderr with exit code 1. */
class CliError extends Error {}

/** A template printer's error as kubectl reports it. */
function printing(f: () => string): string {
  try {
    return f();
  } catch (e) {
    if (e instanceof PrintError) throw new CliError(`error: ${e.message}`);
    throw e;
  }
}

const ok = (stdout: string, stderr = ''): Output => ({ code: 0, stdout, stderr });

interface Flags {
  positional: string[];
  values: Map<string, string[]>;
  bools: Set<string>;
}

/** Flags that take a value (the rest are switches). */
const VALUE_FLAGS = new Set([
  'n',
  'namespace',
  'o',
  'output',
  'l',
  'selector',
  'f',
  'filename',
  'field-selector',
  'replicas',
  'c',
  'container',
  'tail',
  'timeout',
  'since',
  'grace-period',
  'sort-by',
  'template',
  'dry-run',
  'field-manager',
  'image',
  'cascade',
  'current-replicas',
  'resource-version',
  'for',
  'type',
  'from-literal',
  'from-file',
  'port',
  'revision',
  'max-log-requests',
  'request-timeout',
  'chunk-size',
  'L',
  'label-columns',
  'k',
  'kustomize',
  'validate',
  'subresource',
  'for',
]);
const SHORT_BOOLS = new Set(['A', 'w', 'p', 'R', 'h']);

function parseFlags(args: string[], command: string): Flags {
  const f: Flags = { positional: [], values: new Map(), bools: new Set() };
  const put = (k: string, v: string) => f.values.set(k, [...(f.values.get(k) ?? []), v]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      f.positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      if (eq >= 0) put(name, a.slice(eq + 1));
      else if (VALUE_FLAGS.has(name)) {
        if (i + 1 >= args.length) throw new CliError(`error: flag needs an argument: --${name}\nSee 'kubectl ${command} --help' for usage.`);
        put(name, args[++i]);
      } else f.bools.add(name);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      const name = a[1];
      if (VALUE_FLAGS.has(name)) {
        const rest = a.slice(2).replace(/^=/, '');
        if (rest) put(name, rest);
        else {
          if (i + 1 >= args.length) throw new CliError(`error: flag needs an argument: '${name}' in -${name}\nSee 'kubectl ${command} --help' for usage.`);
          put(name, args[++i]);
        }
      } else if ([...a.slice(1)].every((c) => SHORT_BOOLS.has(c))) for (const c of a.slice(1)) f.bools.add(c);
      else throw new CliError(`error: unknown shorthand flag: '${name}' in ${a}\nSee 'kubectl ${command} --help' for usage.`);
      continue;
    }
    f.positional.push(a);
  }
  return f;
}

const one = (f: Flags, ...names: string[]): string | undefined => {
  for (const n of names) {
    const v = f.values.get(n);
    if (v?.length) return v[v.length - 1];
  }
  return undefined;
};
const all = (f: Flags, ...names: string[]): string[] => names.flatMap((n) => f.values.get(n) ?? []);
const has = (f: Flags, ...names: string[]) => names.some((n) => f.bools.has(n) || f.bools.has(`${n}=true`));

/** Runs one kubectl command line (argv without "kubectl"). */
export async function kubectl(inv: Invocation, args: string[], stdin: string): Promise<Output> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case undefined:
        return { code: 0, stdout: 'kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n', stderr: '' };
      case 'get':
        return await get(inv, parseFlags(rest, 'get'));
      case 'describe':
        return await describe(inv, parseFlags(rest, 'describe'));
      case 'apply':
        return await apply(inv, parseFlags(rest, 'apply'), stdin, 'apply');
      case 'create':
        return await create(inv, parseFlags(rest, 'create'), stdin);
      case 'delete':
        return await del(inv, parseFlags(rest, 'delete'), stdin);
      case 'scale':
        return await scale(inv, parseFlags(rest, 'scale'));
      case 'rollout':
        return await rollout(inv, parseFlags(rest, 'rollout'));
      case 'logs':
        return await logs(inv, parseFlags(rest, 'logs'));
      case 'wait':
        return await wait(inv, parseFlags(rest, 'wait'));
      case 'label':
      case 'annotate':
        return await labelOrAnnotate(inv, parseFlags(rest, command), command);
      case 'version':
        return version(inv, parseFlags(rest, 'version'));
      case 'cluster-info':
        return ok(
          `Kubernetes control plane is running at ${inv.host.server}\nCoreDNS is running at ${inv.host.server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`,
        );
      case 'api-resources':
        return apiResources(inv);
      case 'exec':
      case 'attach':
      case 'port-forward':
      case 'cp':
      case 'debug':
        return { code: 1, stdout: '', stderr: `error: kubectl ${command} is not available in this emulator: pods are simulated and run no containers\n` };
      case 'top':
        return { code: 1, stdout: '', stderr: 'error: Metrics API not available\n' };
      default:
        return { code: 1, stdout: '', stderr: `error: unknown command "${command}" for "kubectl"\nRun 'kubectl --help' for usage.\n` };
    }
  } catch (e) {
    if (e instanceof CliError) return { code: 1, stdout: '', stderr: `${e.message}\n` };
    if (isKubeError(e)) return { code: 1, stdout: '', stderr: `${serverError(e)}\n` };
    throw e;
  }
}

/** An API error as kubectl prints it. */
function serverError(e: KubeError, prefix = ''): string {
  if (e.reason === 'Invalid' && (e.details?.kind || e.details?.name)) {
    // kubectl: "The <Kind> <name> is invalid: " and its causes (one on the line, several as a list).
    const d = e.details;
    const what = `The ${d.kind ?? ''} "${d.name ?? ''}" is invalid`;
    const causes = (d.causes ?? []).map((c) => (c.field ? `${c.field}: ${c.message}` : String(c.message)));
    if (!causes.length) return `${what}`;
    return causes.length === 1 ? `${what}: ${causes[0]}` : `${what}: \n${causes.map((c) => `* ${c}`).join('\n')}`;
  }
  return `Error from server (${e.reason}): ${prefix}${e.message}`;
}

// ---- resource types ----------------------------------------------------------------------------------------

/** A type name as kubectl accepts it: plural, singular, short name or kind, optionally `.group` / `.version.group`. */
export function resolveType(kinds: KindRegistry, raw: string): ResourceDef | undefined {
  const name = raw.toLowerCase();
  const dot = name.indexOf('.');
  const base = dot < 0 ? name : name.slice(0, dot);
  const qual = dot < 0 ? undefined : name.slice(dot + 1);
  const matches = (d: ResourceDef) => d.resource === base || d.singular === base || d.kind.toLowerCase() === base || (d.shortNames ?? []).includes(base);
  for (const { group, versions } of kinds.groupVersions()) {
    for (const v of versions) {
      if (qual !== undefined && qual !== group && qual !== `${v}.${group}`) continue;
      const d = kinds.resourcesOf(group, v).find((x) => matches(x));
      if (d) return d;
    }
  }
  return undefined;
}

function typeOrFail(inv: Invocation, raw: string): ResourceDef {
  const d = resolveType(inv.host.kinds(inv.cluster), raw);
  if (!d) throw new CliError(`error: the server doesn't have a resource type "${raw}"`);
  return d;
}

/** 'deployment.apps' as kubectl names a kind in its messages. */
const kindName = (d: ResourceDef) => `${d.kind.toLowerCase()}${d.group ? `.${d.group}` : ''}`;
/** 'deployments.apps' as the server names a resource. */
const resourceName = (d: ResourceDef) => `${d.resource}${d.group ? `.${d.group}` : ''}`;

interface Target {
  def: ResourceDef;
  names: string[];
}

/** `pods`, `pods a b`, `pod/a deploy/b`, `pods,services`, `all`. */
function targetsOf(inv: Invocation, positional: string[], verb: string): Target[] {
  if (!positional.length) return [];
  if (positional.some((p) => p.includes('/'))) {
    return positional.map((p) => {
      const [t, n] = p.split('/', 2);
      if (!n) throw new CliError(`error: arguments in resource/name form must have a single resource and name`);
      return { def: typeOrFail(inv, t), names: [n] };
    });
  }
  const [types, ...names] = positional;
  const defs: ResourceDef[] = [];
  for (const t of types.split(',').filter(Boolean)) {
    if (t === 'all' && verb === 'get') {
      const kinds = inv.host.kinds(inv.cluster);
      const order = ['pods', 'services', 'daemonsets', 'deployments', 'replicasets', 'statefulsets', 'horizontalpodautoscalers', 'cronjobs', 'jobs'];
      const cat = kinds.groupVersions().flatMap(({ group, versions }) => kinds.resourcesOf(group, versions[0]).filter((d) => (d.categories ?? []).includes('all')));
      cat.sort((a, b) => (order.indexOf(a.resource) + 1 || 99) - (order.indexOf(b.resource) + 1 || 99));
      defs.push(...cat);
    } else defs.push(typeOrFail(inv, t));
  }
  if (names.length && defs.length > 1) throw new CliError('error: you must specify only one resource');
  return defs.map((def) => ({ def, names }));
}

function namespaceOf(inv: Invocation, f: Flags): string {
  return one(f, 'n', 'namespace') ?? 'default';
}

// ---- get -------------------------------------------------------------------------------------------------------

async function get(inv: Invocation, f: Flags): Promise<Output> {
  const { api } = inv.host;
  const allNs = has(f, 'A', 'all-namespaces');
  const ns = namespaceOf(inv, f);
  const out = one(f, 'o', 'output') ?? '';
  const format = out.split('=')[0];
  if (!['', 'wide', 'name', 'json', 'yaml', 'jsonpath', 'custom-columns'].includes(format)) {
    throw new CliError(
      `error: unable to match a printer suitable for the output format "${out}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml`,
    );
  }
  if (has(f, 'w', 'watch')) throw new CliError('error: kubectl get --watch does not end, so the command pod cannot return its output; use kubectl rollout status or kubectl wait instead');
  let targets: Target[];
  if (all(f, 'f', 'filename').length) targets = objectsToTargets(inv, await readManifests(inv, f, ''), ns);
  else targets = targetsOf(inv, f.positional, 'get');
  if (!targets.length) {
    throw new CliError(
      `You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples`,
    );
  }
  const selector = one(f, 'l', 'selector');
  const fieldSelector = one(f, 'field-selector');
  const now = inv.host.now();
  const stdout: string[] = [];
  const errors: string[] = [];
  const objects: { def: ResourceDef; o: KubeObject }[] = [];
  const named = targets.some((t) => t.names.length > 0);
  for (const t of targets) {
    const { def } = t;
    if (t.names.length) {
      for (const n of t.names) {
        try {
          objects.push({ def, o: api.get(inv.cluster, def, ns, n, inv.user) });
        } catch (e) {
          if (!isKubeError(e)) throw e;
          errors.push(serverError(e));
        }
      }
      continue;
    }
    const list = api.list(inv.cluster, def, def.namespaced && !allNs ? ns : undefined, { labelSelector: selector, fieldSelector }, inv.user);
    for (const o of list.items) objects.push({ def, o });
  }
  const sortBy = one(f, 'sort-by');
  if (sortBy) {
    // kubectl --sort-by: a JSONPath ({.a.b} or .a.b); numbers by value, the rest as text (RFC 3339 times sort so).
    const path = sortBy.replace(/^\{(.*)\}$/, '$1');
    const key = (o: KubeObject) => jsonPathAll(o, path.startsWith('.') ? path : `.${path}`)?.[0];
    const keyed = objects.map((x) => ({ x, k: key(x.o) }));
    const text = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
    // byte order, as Go compares strings
    keyed.sort((a, b) => (typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : text(a.k) < text(b.k) ? -1 : text(a.k) > text(b.k) ? 1 : 0));
    objects.splice(0, objects.length, ...keyed.map((y) => y.x));
  }
  if (format === 'name') {
    stdout.push(objects.map(({ def, o }) => `${kindName(def)}/${o.metadata.name}\n`).join(''));
  } else if (format === 'json' || format === 'yaml') {
    const shown = objects.map(({ def, o }) => forOutput(presentFor(api, def, o)));
    const v = named && shown.length === 1 && targets.length === 1 && targets[0].names.length === 1 ? shown[0] : listOf(shown);
    if (!(named && shown.length === 0)) stdout.push(format === 'json' ? toJson(v) : toYaml(v));
  } else if (format === 'jsonpath') {
    const shown = objects.map(({ def, o }) => forOutput(presentFor(api, def, o)));
    const v = named && shown.length === 1 && targets.length === 1 && targets[0].names.length === 1 ? shown[0] : listOf(shown);
    stdout.push(printing(() => jsonPathTemplate(out.slice(out.indexOf('=') + 1), v)));
  } else if (format === 'custom-columns') {
    const shown = objects.map(({ def, o }) => forOutput(presentFor(api, def, o)));
    stdout.push(printing(() => customColumns(out.slice(out.indexOf('=') + 1), shown, has(f, 'no-headers'))));
  } else {
    const multi = targets.length > 1;
    const blocks: string[] = [];
    for (const t of targets) {
      const mine = objects.filter((x) => x.def === t.def).map((x) => x.o);
      if (!mine.length) continue;
      blocks.push(table(t.def, mine, { wide: format === 'wide', allNs: allNs && t.def.namespaced, withKind: multi, showLabels: has(f, 'show-labels'), noHeaders: has(f, 'no-headers'), now }));
    }
    stdout.push(blocks.join('\n'));
  }
  let stderr = errors.map((e) => `${e}\n`).join('');
  if (!objects.length && !errors.length && !named && format !== 'json' && format !== 'yaml') {
    const anyNamespaced = targets.some((t) => t.def.namespaced);
    stderr += anyNamespaced && !allNs ? `No resources found in ${ns} namespace.\n` : 'No resources found\n';
  }
  return { code: errors.length ? 1 : 0, stdout: stdout.join(''), stderr };
}

function table(def: ResourceDef, objects: KubeObject[], o: { wide: boolean; allNs: boolean; withKind: boolean; showLabels: boolean; noHeaders: boolean; now: number }): string {
  const t = toTable(def, objects, { version: 'v1', now: o.now, present: (x) => x, includeObject: 'None' }) as { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[] }[] };
  const cols = columnsOf(def);
  const keep = cols.map((c) => o.wide || c.priority === 0);
  const header = [...(o.allNs ? ['NAMESPACE'] : []), ...cols.filter((_, i) => keep[i]).map((c) => c.name.toUpperCase()), ...(o.showLabels ? ['LABELS'] : [])];
  const rows = t.rows.map((r, j) => {
    const cells = r.cells.filter((_, i) => keep[i]).map(cellText);
    if (o.withKind) cells[0] = `${kindName(def)}/${cells[0]}`;
    const labels =
      Object.entries(objects[j].metadata.labels ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '<none>';
    return [...(o.allNs ? [objects[j].metadata.namespace ?? ''] : []), ...cells, ...(o.showLabels ? [labels] : [])];
  });
  return getTable(o.noHeaders ? undefined : header, rows);
}

// ---- manifests ---------------------------------------------------------------------------------------------------

interface Manifest {
  source: string;
  object: KubeObject;
}

/** The objects of `-f` arguments: files or folders of the attached context, or `-` (stdin). */
async function readManifests(inv: Invocation, f: Flags, stdin: string): Promise<Manifest[]> {
  const out: Manifest[] = [];
  const recursive = has(f, 'R', 'recursive');
  for (const name of all(f, 'f', 'filename')) {
    if (/^https?:\/\//i.test(name)) throw new CliError(`error: unable to read URL "${name}": the command pod of the emulator has no network access; attach the file with --file`);
    if (name === '-') {
      out.push(...parseManifests(stdin, 'STDIN'));
      continue;
    }
    const path = name.replace(/^\.\//, '').replace(/\/+$/, '');
    const file = inv.files.get(path);
    if (file) {
      out.push(...parseManifests(file.toString('utf8'), name));
      continue;
    }
    const prefix = path === '.' || path === '' ? '' : `${path}/`;
    const inDir = [...inv.files.keys()].filter((k) => k.startsWith(prefix) && (recursive || !k.slice(prefix.length).includes('/')) && /\.(ya?ml|json)$/i.test(k)).sort();
    if (!inDir.length) throw new CliError(`error: the path "${name}" does not exist`);
    for (const k of inDir) out.push(...parseManifests(inv.files.get(k)!.toString('utf8'), k));
  }
  if (!out.length) throw new CliError('error: no objects passed to ' + (f.positional.length ? 'apply' : 'apply'));
  return out;
}

function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  const add = (v: unknown) => {
    if (v === null || v === undefined) return;
    if (!isObj(v))
      throw new CliError(`error: error validating "${source}": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false`);
    if (typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) {
      for (const i of v.items) add(i);
      return;
    }
    if (!v.apiVersion || !v.kind) {
      const missing = [!v.apiVersion ? 'apiVersion' : '', !v.kind ? 'kind' : ''].filter(Boolean).join(', ');
      throw new CliError(
        `error: error validating "${source}": error validating data: [${missing
          .split(', ')
          .map((m) => `${m} not set`)
          .join(', ')}]; if you choose to ignore these errors, turn validation off with --validate=false`,
      );
    }
    out.push({ source, object: v as KubeObject });
  };
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const v = JSON.parse(trimmed);
      for (const x of Array.isArray(v) ? v : [v]) add(x);
      return out;
    } catch (e) {
      if (e instanceof CliError) throw e;
      // not JSON after all: read as YAML
    }
  }
  for (const doc of parseAllDocuments(text)) {
    if ('errors' in doc && doc.errors.length) throw new CliError(`error: error parsing ${source}: error converting YAML to JSON: ${doc.errors[0].message.split('\n')[0]}`);
    add(doc.toJS());
  }
  return out;
}

function defOfObject(inv: Invocation, m: Manifest): ResourceDef {
  const o = m.object;
  const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion)];
  const def = inv.host.kinds(inv.cluster).byKind(group, o.kind);
  const served = def && inv.host.kinds(inv.cluster).get(group, version, def.resource);
  if (!served) {
    throw new CliError(
      `error: resource mapping not found for name: "${o.metadata?.name ?? ''}" namespace: "${o.metadata?.namespace ?? ''}" from "${m.source}": no matches for kind "${o.kind}" in version "${o.apiVersion}"\nensure CRDs are installed first`,
    );
  }
  return served;
}

function objectNamespace(def: ResourceDef, m: Manifest, f: Flags): string {
  if (!def.namespaced) return '';
  const flag = one(f, 'n', 'namespace');
  const own = m.object.metadata?.namespace;
  if (flag && own && flag !== own) {
    throw new CliError(`error: the namespace from the provided object "${own}" does not match the namespace "${flag}". You must pass '--namespace=${own}' to perform this operation.`);
  }
  return own || flag || 'default';
}

function objectsToTargets(inv: Invocation, ms: Manifest[], _ns: string): Target[] {
  return ms.map((m) => ({ def: defOfObject(inv, m), names: [String(m.object.metadata?.name ?? '')] }));
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** kubectl apply -f: creates what is missing, updates what differs (reported `created`, `configured`, `unchanged`). */
async function apply(inv: Invocation, f: Flags, stdin: string, verb: 'apply'): Promise<Output> {
  if (!all(f, 'f', 'filename').length && !all(f, 'k', 'kustomize').length) {
    throw new CliError(`error: must specify one of -f and -k\n\nSee 'kubectl ${verb} -h' for help and examples`);
  }
  if (all(f, 'k', 'kustomize').length) throw new CliError('error: kustomize (-k) is not available in the emulated command pod; apply the rendered manifests with -f');
  const manifests = await readManifests(inv, f, stdin);
  const dry = (one(f, 'dry-run') ?? (has(f, 'dry-run') ? 'client' : 'none')) !== 'none';
  const suffix = dry ? ` (${one(f, 'dry-run') === 'server' ? 'server ' : ''}dry run)` : '';
  const serverSide = has(f, 'server-side');
  const fieldManager = one(f, 'field-manager') ?? (serverSide ? 'kubectl' : 'kubectl-client-side-apply');
  let stdout = '';
  const errors: string[] = [];
  // CRDs first, as kubectl would need them established before their custom resources map.
  for (const m of manifests) {
    let def: ResourceDef;
    try {
      def = defOfObject(inv, m);
    } catch (e) {
      errors.push((e as Error).message);
      continue;
    }
    const ns = objectNamespace(def, m, f);
    const name = m.object.metadata?.name;
    if (!name) {
      errors.push(
        `error: error when retrieving current configuration of:\nResource: "${resourceName(def)}", GroupVersionKind: "${def.group ? `${def.group}/` : ''}${def.version}, Kind=${def.kind}"\nName: "", Namespace: "${ns}"\nfrom server for: "${m.source}": resource name may not be empty`,
      );
      continue;
    }
    const body = structuredClone(m.object);
    body.metadata = isObj(body.metadata) ? body.metadata : {};
    if (!serverSide) {
      const cfg = structuredClone(m.object);
      if (def.namespaced) cfg.metadata = { ...cfg.metadata, namespace: ns };
      body.metadata.annotations = { ...(body.metadata.annotations ?? {}), [LAST_APPLIED]: `${JSON.stringify(cfg)}\n` };
    }
    try {
      const before = inv.host.api.find(inv.cluster, def, ns, name);
      const r = await inv.host.api.patch(inv.cluster, def, ns, name, 'apply', body, { user: inv.user, fieldManager, force: !serverSide || has(f, 'force-conflicts'), dryRun: dry });
      const what = serverSide ? 'serverside-applied' : !before ? 'created' : dry ? 'configured' : before.metadata.resourceVersion === r.object.metadata.resourceVersion ? 'unchanged' : 'configured';
      stdout += `${kindName(def)}/${name} ${what}${suffix}\n`;
      // Custom resources further down map once their definition is established (the CRD controller's pass).
      if (def.group === 'apiextensions.k8s.io' && def.kind === 'CustomResourceDefinition' && !dry) await inv.host.settle();
    } catch (e) {
      if (!isKubeError(e)) throw e;
      const exists = !!inv.host.api.find(inv.cluster, def, ns, name);
      errors.push(e.reason === 'Invalid' ? serverError(e) : serverError(e, exists ? `error when applying patch to "${m.source}": ` : `error when creating "${m.source}": `));
    }
  }
  return { code: errors.length ? 1 : 0, stdout, stderr: errors.map((e) => `${e}\n`).join('') };
}

async function create(inv: Invocation, f: Flags, stdin: string): Promise<Output> {
  const [what, name] = f.positional;
  if (all(f, 'f', 'filename').length) {
    const manifests = await readManifests(inv, f, stdin);
    let stdout = '';
    const errors: string[] = [];
    for (const m of manifests) {
      const def = defOfObject(inv, m);
      const ns = objectNamespace(def, m, f);
      try {
        const r = await inv.host.api.create(inv.cluster, def, ns, m.object, { user: inv.user, fieldManager: 'kubectl-create' });
        stdout += `${kindName(def)}/${r.object.metadata.name} created\n`;
      } catch (e) {
        if (!isKubeError(e)) throw e;
        errors.push(e.reason === 'Invalid' ? serverError(e) : serverError(e, `error when creating "${m.source}": `));
      }
    }
    return { code: errors.length ? 1 : 0, stdout, stderr: errors.map((e) => `${e}\n`).join('') };
  }
  if (what === 'namespace' || what === 'ns') {
    if (!name) throw new CliError("error: exactly one NAME is required, got 0\nSee 'kubectl create namespace -h' for help and examples");
    const def = typeOrFail(inv, 'namespaces');
    await inv.host.api.create(inv.cluster, def, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { user: inv.user, fieldManager: 'kubectl-create' });
    return ok(`namespace/${name} created\n`);
  }
  if (what === 'configmap' || what === 'cm') {
    if (!name) throw new CliError('error: exactly one NAME is required, got 0');
    const data: Record<string, string> = {};
    for (const kv of all(f, 'from-literal')) {
      const i = kv.indexOf('=');
      if (i <= 0) throw new CliError(`error: invalid literal source ${kv}, expected key=value`);
      data[kv.slice(0, i)] = kv.slice(i + 1);
    }
    const ns = namespaceOf(inv, f);
    await inv.host.api.create(
      inv.cluster,
      typeOrFail(inv, 'configmaps'),
      ns,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data },
      { user: inv.user, fieldManager: 'kubectl-create' },
    );
    return ok(`configmap/${name} created\n`);
  }
  if (what === 'deployment' || what === 'deploy') {
    const image = one(f, 'image');
    if (!name || !image) throw new CliError('error: required flag(s) "image" not set');
    const ns = namespaceOf(inv, f);
    const replicas = Number(one(f, 'replicas') ?? 1);
    const c = image
      .split('/')
      .pop()!
      .split(/[:@]/)[0]
      .replace(/[^a-z0-9-]/g, '-');
    const body = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns, labels: { app: name } },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: c, image }] } } },
    };
    await inv.host.api.create(inv.cluster, typeOrFail(inv, 'deployments.apps'), ns, body, { user: inv.user, fieldManager: 'kubectl-create' });
    return ok(`deployment.apps/${name} created\n`);
  }
  throw new CliError(`error: must specify one of -f and -k\n\nSee 'kubectl create -h' for help and examples`);
}

// ---- delete -------------------------------------------------------------------------------------------------

async function del(inv: Invocation, f: Flags, stdin: string): Promise<Output> {
  const { api } = inv.host;
  const ns = namespaceOf(inv, f);
  const items: { def: ResourceDef; ns: string; name: string }[] = [];
  const errors: string[] = [];
  if (all(f, 'f', 'filename').length) {
    for (const m of await readManifests(inv, f, stdin)) {
      const def = defOfObject(inv, m);
      items.push({ def, ns: objectNamespace(def, m, f), name: String(m.object.metadata?.name ?? '') });
    }
  } else {
    const targets = targetsOf(inv, f.positional, 'delete');
    if (!targets.length)
      throw new CliError(
        "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
      );
    const selector = one(f, 'l', 'selector');
    for (const t of targets) {
      if (t.names.length) for (const n of t.names) items.push({ def: t.def, ns, name: n });
      else if (has(f, 'all') || selector) {
        for (const o of api.list(inv.cluster, t.def, t.def.namespaced && !has(f, 'A', 'all-namespaces') ? ns : undefined, { labelSelector: selector }, inv.user).items)
          items.push({ def: t.def, ns: o.metadata.namespace ?? '', name: o.metadata.name! });
      } else throw new CliError('error: resource(s) were provided, but no name was specified');
    }
  }
  const cascade = one(f, 'cascade') ?? 'background';
  const propagationPolicy = cascade === 'orphan' || cascade === 'false' ? 'Orphan' : cascade === 'foreground' ? 'Foreground' : 'Background';
  const graceRaw = one(f, 'grace-period');
  const gracePeriodSeconds = has(f, 'now') ? 1 : graceRaw !== undefined && Number(graceRaw) >= 0 ? Number(graceRaw) : undefined;
  let stdout = '';
  const deleted: { def: ResourceDef; ns: string; name: string; uid?: string }[] = [];
  for (const it of items) {
    try {
      const r = await api.delete(inv.cluster, it.def, it.ns, it.name, {
        user: inv.user,
        propagationPolicy,
        gracePeriodSeconds: has(f, 'force') && gracePeriodSeconds === undefined ? 0 : gracePeriodSeconds,
      });
      stdout += `${kindName(it.def)} "${it.name}" deleted\n`;
      deleted.push({ ...it, uid: r.object.metadata.uid });
    } catch (e) {
      if (!isKubeError(e)) throw e;
      if (e.code === 404 && has(f, 'ignore-not-found')) continue;
      errors.push(serverError(e));
    }
  }
  if (!items.length && !errors.length) return ok('', `No resources found\n`);
  // kubectl waits for what it deleted to be gone (--wait=true), up to its timeout.
  if (one(f, 'wait') !== 'false' && !f.bools.has('wait=false')) {
    const timeoutSim = parseDuration(one(f, 'timeout')) ?? 60_000;
    await waitUntil(inv, timeoutSim, () =>
      deleted.every((d) => {
        const o = api.find(inv.cluster, d.def, d.ns, d.name);
        return !o || o.metadata.uid !== d.uid;
      }),
    );
  }
  return { code: errors.length ? 1 : 0, stdout, stderr: errors.map((e) => `${e}\n`).join('') };
}

// ---- scale, rollout ------------------------------------------------------------------------------------------

async function scale(inv: Invocation, f: Flags): Promise<Output> {
  const replicas = one(f, 'replicas');
  if (replicas === undefined || !/^\d+$/.test(replicas)) throw new CliError('error: required flag(s) "replicas" not set');
  const targets = targetsOf(inv, f.positional, 'scale');
  if (!targets.length) throw new CliError('error: resource(s) were provided, but no name was specified');
  const ns = namespaceOf(inv, f);
  let stdout = '';
  for (const t of targets) {
    if (!(t.def.subresources ?? []).includes('scale')) throw new CliError(`error: no scaler has been implemented for {${t.def.group} ${t.def.kind}}`);
    for (const n of t.names) {
      let cur: KubeObject;
      try {
        cur = inv.host.api.get(inv.cluster, t.def, ns, n, inv.user);
      } catch (e) {
        if (isKubeError(e) && e.code === 404) throw new CliError(`error: no objects passed to scale ${e.message}`);
        throw e;
      }
      const want = one(f, 'current-replicas');
      if (want !== undefined && String(cur.spec?.replicas ?? 0) !== want) throw new CliError(`error: Expected replicas to be ${want}, was ${cur.spec?.replicas ?? 0}`);
      await inv.host.api.patch(inv.cluster, t.def, ns, n, 'merge', { spec: { replicas: Number(replicas) } }, { user: inv.user, subresource: 'scale', fieldManager: 'kubectl-scale' });
      stdout += `${kindName(t.def)}/${n} scaled\n`;
    }
  }
  return ok(stdout);
}

async function rollout(inv: Invocation, f: Flags): Promise<Output> {
  const [sub, ...rest] = f.positional;
  const targets = targetsOf(inv, rest, 'rollout');
  const ns = namespaceOf(inv, f);
  if (!sub || !['status', 'restart', 'history', 'pause', 'resume', 'undo'].includes(sub)) throw new CliError(`error: unknown command "${sub ?? ''}" for "kubectl rollout"`);
  if (!targets.length || targets.some((t) => !t.names.length)) throw new CliError(`error: required resource not specified`);
  const supported = ['deployments', 'daemonsets', 'statefulsets'];
  let stdout = '';
  for (const t of targets) {
    if (t.def.group !== 'apps' || !supported.includes(t.def.resource)) throw new CliError(`error: no status viewer has been implemented for ${t.def.kind}`);
    for (const n of t.names) {
      if (sub === 'status') {
        const timeout = parseDuration(one(f, 'timeout'));
        let last = '';
        let done = false;
        await waitUntil(inv, timeout ?? 600_000, () => {
          const o = inv.host.api.get(inv.cluster, t.def, ns, n, inv.user);
          const s = rolloutStatus(t.def, o);
          if (s.message !== last) {
            stdout += `${s.message}\n`;
            last = s.message;
          }
          done = s.done;
          return s.done;
        });
        if (!done) return { code: 1, stdout, stderr: 'error: timed out waiting for the condition\n' };
      } else if (sub === 'restart') {
        await inv.host.api.patch(
          inv.cluster,
          t.def,
          ns,
          n,
          'strategic',
          { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date(inv.host.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') } } } } },
          { user: inv.user, fieldManager: 'kubectl-rollout' },
        );
        stdout += `${kindName(t.def)}/${n} restarted\n`;
      } else if (sub === 'pause' || sub === 'resume') {
        if (t.def.resource !== 'deployments') throw new CliError(`error: ${sub} is not supported for ${t.def.kind}`);
        await inv.host.api.patch(inv.cluster, t.def, ns, n, 'merge', { spec: { paused: sub === 'pause' } }, { user: inv.user, fieldManager: 'kubectl-rollout' });
        stdout += `${kindName(t.def)}/${n} ${sub === 'pause' ? 'paused' : 'resumed'}\n`;
      } else {
        throw new CliError(`error: kubectl rollout ${sub} is not available in the emulated command pod`);
      }
    }
  }
  return ok(stdout);
}

/** What kubectl rollout status prints for a workload, and whether it is done. */
function rolloutStatus(def: ResourceDef, o: KubeObject): { done: boolean; message: string } {
  const n = o.metadata.name;
  const s = o.status ?? {};
  const want = Number(o.spec?.replicas ?? 1);
  if (def.resource === 'deployments') {
    if ((o.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return { done: false, message: 'Waiting for deployment spec update to be observed...' };
    const progressing = (s.conditions ?? []).find((c: any) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') return { done: true, message: `error: deployment "${n}" exceeded its progress deadline` };
    const updated = Number(s.updatedReplicas ?? 0);
    const replicas = Number(s.replicas ?? 0);
    const available = Number(s.availableReplicas ?? 0);
    if (updated < want) return { done: false, message: `Waiting for deployment "${n}" rollout to finish: ${updated} out of ${want} new replicas have been updated...` };
    if (replicas > updated) return { done: false, message: `Waiting for deployment "${n}" rollout to finish: ${replicas - updated} old replicas are pending termination...` };
    if (available < updated) return { done: false, message: `Waiting for deployment "${n}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
    return { done: true, message: `deployment "${n}" successfully rolled out` };
  }
  if (def.resource === 'daemonsets') {
    if ((o.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return { done: false, message: 'Waiting for daemon set spec update to be observed...' };
    const desired = Number(s.desiredNumberScheduled ?? 0);
    if (Number(s.updatedNumberScheduled ?? 0) < desired)
      return { done: false, message: `Waiting for daemon set "${n}" rollout to finish: ${s.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...` };
    if (Number(s.numberAvailable ?? 0) < desired)
      return { done: false, message: `Waiting for daemon set "${n}" rollout to finish: ${s.numberAvailable ?? 0} of ${desired} updated pods are available...` };
    return { done: true, message: `daemon set "${n}" successfully rolled out` };
  }
  if ((o.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return { done: false, message: 'Waiting for statefulset spec update to be observed...' };
  if (Number(s.readyReplicas ?? 0) < want) return { done: false, message: `Waiting for ${want - Number(s.readyReplicas ?? 0)} pods to be ready...` };
  return { done: true, message: `partitioned roll out complete: ${want} new pods have been updated...` };
}

/** Polls `done` every simulated second until it holds or the (simulated) timeout has passed; whether it held. */
async function waitUntil(inv: Invocation, timeoutSim: number, done: () => boolean): Promise<boolean> {
  for (let waited = 0; ; waited += 1000) {
    if (done()) return true;
    if (waited >= timeoutSim) return false;
    await inv.host.sleep(1000);
  }
}

/** '30s', '5m', '1h', '100ms' -> ms. */
function parseDuration(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new CliError(`error: invalid argument "${v}" for "--timeout" flag: time: invalid duration "${v}"`);
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000);
}

/** kubectl wait --for=condition=X[=value] | delete | jsonpath='{...}'=value: "<kind>/<name> condition met". */
async function wait(inv: Invocation, f: Flags): Promise<Output> {
  const cond = one(f, 'for');
  if (!cond) throw new CliError('error: --for must be specified');
  const ns = namespaceOf(inv, f);
  const timeout = parseDuration(one(f, 'timeout')) ?? 30_000;
  let targets = targetsOf(inv, f.positional, 'wait');
  const selector = one(f, 'l', 'selector');
  if (targets.length && targets.every((t) => !t.names.length)) {
    if (!selector && !has(f, 'all')) throw new CliError('error: resource(s) were provided, but no name was specified');
    targets = targets.map((t) => ({
      def: t.def,
      names: inv.host.api.list(inv.cluster, t.def, t.def.namespaced ? ns : undefined, { labelSelector: selector }, inv.user).items.map((o) => o.metadata.name!),
    }));
    if (targets.every((t) => !t.names.length)) throw new CliError('error: no matching resources found');
  }
  if (!targets.length) throw new CliError('error: resource(s) were provided, but no name was specified');
  const met = (o: KubeObject | undefined): boolean => {
    if (cond === 'delete') return !o;
    if (!o) return false;
    const c = /^condition=([^=]+)(?:=(.*))?$/i.exec(cond);
    if (c) {
      const want = (c[2] ?? 'true').toLowerCase();
      return (o.status?.conditions ?? []).some((x: any) => String(x.type).toLowerCase() === c[1].toLowerCase() && String(x.status).toLowerCase() === want);
    }
    const j = /^jsonpath=(\{.*\})(?:=(.*))?$/.exec(cond);
    if (j) {
      const v = jsonPathAll(o, j[1].slice(1, -1));
      return j[2] === undefined ? !!v?.length : v?.[0] !== undefined && String(v[0]) === j[2];
    }
    throw new CliError(`error: unrecognized condition: "${cond}"`);
  };
  let stdout = '';
  for (const t of targets) {
    for (const n of t.names) {
      const first = inv.host.api.find(inv.cluster, t.def, ns, n);
      if (!first && cond !== 'delete') throw KubeErrors.notFound(t.def.group, t.def.resource, n);
      inv.host.api.authorize(inv.cluster, inv.user, { verb: 'get', group: t.def.group, resource: t.def.resource, namespace: t.def.namespaced ? ns : undefined, name: n });
      const ok2 = await waitUntil(inv, timeout, () => {
        const o = inv.host.api.find(inv.cluster, t.def, ns, n);
        return met(o && first && o.metadata.uid === first.metadata.uid ? o : cond === 'delete' ? undefined : o);
      });
      if (!ok2) return { code: 1, stdout, stderr: `error: timed out waiting for the condition on ${resourceName(t.def)}/${n}\n` };
      stdout += `${kindName(t.def)}/${n} condition met\n`;
    }
  }
  return ok(stdout);
}

/** kubectl label / annotate <type> <name> k=v k2- [--overwrite]. */
async function labelOrAnnotate(inv: Invocation, f: Flags, command: 'label' | 'annotate'): Promise<Output> {
  const ns = namespaceOf(inv, f);
  const pairs = f.positional.filter((p) => p.includes('=') || (p.endsWith('-') && !p.includes('/')));
  const refs = f.positional.filter((p) => !pairs.includes(p));
  if (!pairs.length) throw new CliError(`error: at least one ${command === 'label' ? 'label' : 'annotation'} update is required`);
  const targets = targetsOf(inv, refs, command);
  if (!targets.length || targets.some((t) => !t.names.length)) throw new CliError('error: one or more resources must be specified as <resource> <name> or <resource>/<name>');
  const field = command === 'label' ? 'labels' : 'annotations';
  let stdout = '';
  for (const t of targets) {
    for (const n of t.names) {
      const cur = inv.host.api.get(inv.cluster, t.def, ns, n, inv.user);
      const have: Record<string, string> = (cur.metadata[field] as Record<string, string>) ?? {};
      const patch: Record<string, string | null> = {};
      for (const p of pairs) {
        if (p.endsWith('-') && !p.includes('=')) {
          patch[p.slice(0, -1)] = null;
          continue;
        }
        const i = p.indexOf('=');
        const k = p.slice(0, i);
        const v = p.slice(i + 1);
        if (have[k] !== undefined && have[k] !== v && !has(f, 'overwrite')) throw new CliError(`error: '${k}' already has a value (${have[k]}), and --overwrite is false`);
        patch[k] = v;
      }
      await inv.host.api.patch(inv.cluster, t.def, ns, n, 'merge', { metadata: { [field]: patch } }, { user: inv.user, fieldManager: `kubectl-${command}` });
      stdout += `${kindName(t.def)}/${n} ${command === 'label' ? 'labeled' : 'annotated'}\n`;
    }
  }
  return ok(stdout);
}

// ---- logs, describe, version, api-resources ---------------------------------------------------------------------

async function logs(inv: Invocation, f: Flags): Promise<Output> {
  const ns = namespaceOf(inv, f);
  const [ref, containerArg] = f.positional;
  if (!ref)
    throw new CliError("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples");
  const pods = typeOrFail(inv, 'pods');
  let pod: KubeObject;
  if (ref.includes('/')) {
    const [t, n] = ref.split('/', 2);
    const def = typeOrFail(inv, t);
    const o = inv.host.api.get(inv.cluster, def, ns, n, inv.user);
    if (def === pods) pod = o;
    else {
      const sel = o.spec?.selector?.matchLabels ?? {};
      const selector = Object.entries(sel)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const list = inv.host.api.list(inv.cluster, pods, ns, { labelSelector: selector }, inv.user).items.filter((p) => p.status?.phase === 'Running');
      if (!list.length) throw new CliError(`error: timed out waiting for the condition`);
      pod = list[0];
    }
  } else {
    try {
      pod = inv.host.api.get(inv.cluster, pods, ns, ref, inv.user);
    } catch (e) {
      if (isKubeError(e) && e.code === 404) throw new CliError(`error: error from server (NotFound): pods "${ref}" not found in namespace "${ns}"`);
      throw e;
    }
  }
  inv.host.api.authorize(inv.cluster, inv.user, { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: ns, name: pod.metadata.name });
  const tail = one(f, 'tail');
  let stdout = '';
  let container = one(f, 'c', 'container') ?? containerArg;
  const containers: any[] = pod.spec?.containers ?? [];
  let stderr = '';
  if (!container && containers.length > 1 && !has(f, 'all-containers')) {
    const dflt = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] ?? containers[0].name;
    stderr = `Defaulted container "${dflt}" out of: ${containers.map((c) => c.name).join(', ')}\n`;
    container = dflt;
  }
  try {
    const names = has(f, 'all-containers') ? containers.map((c) => c.name) : [container];
    for (const c of names)
      stdout += podLogs(pod, { container: c, previous: has(f, 'p', 'previous'), timestamps: has(f, 'timestamps'), tailLines: tail !== undefined && Number(tail) >= 0 ? Number(tail) : undefined });
  } catch (e) {
    if (e instanceof KubeError) return { code: 1, stdout: '', stderr: `${stderr}Error from server (BadRequest): ${e.message}\n` };
    throw e;
  }
  return ok(stdout, stderr);
}

async function describe(inv: Invocation, f: Flags): Promise<Output> {
  const ns = namespaceOf(inv, f);
  const allNs = has(f, 'A', 'all-namespaces');
  const targets = all(f, 'f', 'filename').length ? objectsToTargets(inv, await readManifests(inv, f, ''), ns) : targetsOf(inv, f.positional, 'describe');
  if (!targets.length) throw new CliError('You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.');
  const out: string[] = [];
  const errors: string[] = [];
  const events = typeOrFail(inv, 'events');
  for (const t of targets) {
    let objs: KubeObject[];
    if (t.names.length) {
      objs = [];
      for (const n of t.names) {
        try {
          objs.push(inv.host.api.get(inv.cluster, t.def, ns, n, inv.user));
        } catch (e) {
          // kubectl describe looks names up as prefixes when there is no exact match.
          if (!isKubeError(e) || e.code !== 404) throw e;
          const prefixed = inv.host.api.list(inv.cluster, t.def, t.def.namespaced ? ns : undefined, {}, inv.user).items.filter((o) => o.metadata.name!.startsWith(n));
          if (prefixed.length) objs.push(...prefixed);
          else errors.push(serverError(e));
        }
      }
    } else objs = inv.host.api.list(inv.cluster, t.def, t.def.namespaced && !allNs ? ns : undefined, { labelSelector: one(f, 'l', 'selector') }, inv.user).items;
    for (const o of objs) {
      let evs: KubeObject[] = [];
      if (!has(f, 'show-events=false')) {
        try {
          evs = inv.host.api
            .list(inv.cluster, events, t.def.namespaced ? o.metadata.namespace : undefined, {}, inv.user)
            .items.filter((e) => e.involvedObject?.uid === o.metadata.uid || (!t.def.namespaced && e.involvedObject?.kind === t.def.kind && e.involvedObject?.name === o.metadata.name));
        } catch {
          evs = [];
        }
      }
      out.push(describeObject(t.def, o, evs, { now: inv.host.now(), related: (g, r, ns2) => relatedObjects(inv, g, r, ns2) }));
    }
    if (!objs.length && !t.names.length) errors.push(t.def.namespaced && !allNs ? `No resources found in ${ns} namespace.` : 'No resources found');
  }
  return { code: errors.some((e) => e.startsWith('Error')) ? 1 : 0, stdout: out.join('\n\n'), stderr: errors.map((e) => `${e}\n`).join('') };
}

function relatedObjects(inv: Invocation, group: string, resource: string, ns: string | undefined): KubeObject[] {
  const def = inv.host.kinds(inv.cluster).anyVersion(group, resource);
  if (!def) return [];
  try {
    return inv.host.api.list(inv.cluster, def, ns, {}, inv.user).items;
  } catch {
    return [];
  }
}

function version(inv: Invocation, f: Flags): Output {
  const v = inv.host.version;
  const o = one(f, 'o', 'output');
  const info = (git: string) => ({
    major: git.slice(1).split('.')[0],
    minor: git.slice(1).split('.')[1],
    gitVersion: git,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  });
  if (o === 'json' || o === 'yaml') {
    const body = { clientVersion: info(v), kustomizeVersion: 'v5.5.0', serverVersion: info(v) };
    return ok(o === 'json' ? `${JSON.stringify(body, null, 2)}\n` : toYaml(body));
  }
  if (has(f, 'client')) return ok(`Client Version: ${v}\nKustomize Version: v5.5.0\n`);
  return ok(`Client Version: ${v}\nKustomize Version: v5.5.0\nServer Version: ${v}\n`);
}

function apiResources(inv: Invocation): Output {
  const kinds = inv.host.kinds(inv.cluster);
  const rows: string[][] = [];
  for (const { group, versions } of kinds.groupVersions()) {
    for (const d of kinds.resourcesOf(group, versions[0]).sort((a, b) => a.resource.localeCompare(b.resource))) {
      rows.push([d.resource, (d.shortNames ?? []).join(','), apiVersionOf(group, versions[0]), String(d.namespaced), d.kind]);
    }
  }
  return ok(getTable(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'], rows));
}
