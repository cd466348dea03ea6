// `kubectl describe`, the basic form: pods, deployments, replica sets, nodes and services as kubectl lays them
// out (its describe tabwriter: min width 0, padding 2; nested sections indented by two spaces), any other kind
// through kubectl's generic describer (its fields, one per line), and every object's events (type, reason,
// age with "(xN over M)" for repeats, source, message).

import type { ResourceDef } from '../kinds/registry.js';
import { formatSelector } from '../kinds/apps.js';
import { nodeRoles, servicePorts } from '../kinds/core.js';
import { humanAge, isObj, type KubeObject } from '../model.js';
import { tabwrite } from './print.js';

export { formatSelector };

export interface DescribeContext {
  now: number;
  /** Objects of a resource in a namespace (all when undefined), as the caller may list them. */
  related(group: string, resource: string, ns: string | undefined): KubeObject[];
}

class Lines {
  readonly out: string[] = [];
  add(level: number, ...cells: string[]): void {
    this.out.push(`${'  '.repeat(level)}${cells.join('\t')}`);
  }
  /** `Labels:  a=b` then the other pairs aligned under the first. */
  map(level: number, title: string, m: Record<string, string> | undefined, sep = '='): void {
    const entries = Object.entries(m ?? {}).sort(([a], [b]) => a.localeCompare(b));
    if (!entries.length) return this.add(level, `${title}:`, '<none>');
    entries.forEach(([k, v], i) => this.add(level, i === 0 ? `${title}:` : '', `${k}${sep}${v}`));
  }
  text(): string {
    return tabwrite(`${this.out.join('\n')}\n`, 0, 2);
  }
}

/** 'Wed, 02 Dec 2026 07:40:20 +0000' (RFC 1123 with a numeric zone, as kubectl prints times). */
function when(iso: string | undefined): string {
  if (!iso) return '<unknown>';
  const d = new Date(iso);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function meta(l: Lines, o: KubeObject, def: ResourceDef): void {
  l.add(0, 'Name:', o.metadata.name ?? '');
  if (def.namespaced) l.add(0, 'Namespace:', o.metadata.namespace ?? '');
  l.map(0, 'Labels', o.metadata.labels);
  l.map(0, 'Annotations', withoutLastApplied(o.metadata.annotations), ': ');
}

function withoutLastApplied(a: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!a) return a;
  const { ['kubectl.kubernetes.io/last-applied-configuration']: _x, ...rest } = a;
  return rest;
}

function events(l: Lines, evs: KubeObject[], now: number): void {
  if (!evs.length) {
    l.add(0, 'Events:', '<none>');
    return;
  }
  const last = (e: KubeObject) => e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';
  const sorted = [...evs].sort((a, b) => Date.parse(last(a)) - Date.parse(last(b)));
  l.add(0, 'Events:');
  l.add(1, 'Type', 'Reason', 'Age', 'From', 'Message');
  l.add(1, '----', '------', '----', '----', '-------');
  for (const e of sorted) {
    const count = Number(e.count ?? e.series?.count ?? 1);
    const first = e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
    const age = count > 1 ? `${humanAge(last(e), now)} (x${count} over ${humanAge(first, Date.parse(last(e)))})` : humanAge(last(e), now);
    // As kubectl 1.32 prints it: the component alone.
    const from = e.source?.component || e.reportingComponent || '';
    l.add(1, e.type ?? 'Normal', e.reason ?? '', age, from, String(e.message ?? '').trim());
  }
}

function containerState(l: Lines, level: number, title: string, s: any): void {
  if (!isObj(s)) return;
  if (s.running) {
    l.add(level, `${title}:`, 'Running');
    l.add(level + 1, 'Started:', when(s.running.startedAt));
  } else if (s.waiting) {
    l.add(level, `${title}:`, 'Waiting');
    l.add(level + 1, 'Reason:', s.waiting.reason ?? '');
  } else if (s.terminated) {
    l.add(level, `${title}:`, 'Terminated');
    l.add(level + 1, 'Reason:', s.terminated.reason ?? '');
    l.add(level + 1, 'Exit Code:', String(s.terminated.exitCode ?? 0));
    l.add(level + 1, 'Started:', when(s.terminated.startedAt));
    l.add(level + 1, 'Finished:', when(s.terminated.finishedAt));
  }
}

/** Containers of a pod (names at level+1, fields at level+2) or of a pod template (names one space further in, fields at level+1). */
function containers(l: Lines, level: number, title: string, list: any[], statuses: any[], template = false): void {
  if (!list?.length) return;
  l.add(level, `${title}:`);
  const f = template ? level + 1 : level + 2;
  for (const c of list) {
    const st = statuses.find((s) => s.name === c.name);
    if (template) l.add(level, ` ${c.name}:`);
    else l.add(level + 1, `${c.name}:`);
    if (st) l.add(f, 'Container ID:', st.containerID ?? '');
    l.add(f, 'Image:', c.image ?? '');
    if (st) l.add(f, 'Image ID:', st.imageID ?? '');
    const ports: any[] = c.ports ?? [];
    if (ports.length) {
      l.add(f, ports.length > 1 ? 'Ports:' : 'Port:', ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', '));
      l.add(f, ports.length > 1 ? 'Host Ports:' : 'Host Port:', ports.map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', '));
    } else {
      l.add(f, 'Port:', '<none>');
      l.add(f, 'Host Port:', '<none>');
    }
    if (c.command?.length) {
      l.add(f, 'Command:');
      for (const x of c.command) l.add(f + 1, x);
    }
    if (c.args?.length) {
      l.add(f, 'Args:');
      for (const x of c.args) l.add(f + 1, x);
    }
    if (st) {
      containerState(l, f, 'State', st.state);
      if (st.lastState && Object.keys(st.lastState).length) containerState(l, f, 'Last State', st.lastState);
      l.add(f, 'Ready:', st.ready ? 'True' : 'False');
      l.add(f, 'Restart Count:', String(st.restartCount ?? 0));
    }
    for (const [name, m] of [
      ['Limits', c.resources?.limits],
      ['Requests', c.resources?.requests],
    ] as const) {
      if (!m || !Object.keys(m).length) continue;
      l.add(f, `${name}:`);
      for (const k of Object.keys(m).sort()) l.add(f + 1, `${k}:`, String(m[k]));
    }
    const env: any[] = c.env ?? [];
    if (!env.length) l.add(f, 'Environment:', '<none>');
    else {
      l.add(f, 'Environment:');
      for (const e of env) l.add(f + 1, `${e.name}:`, e.value !== undefined ? String(e.value) : '<set to the key of a reference>');
    }
    const mounts: any[] = c.volumeMounts ?? [];
    if (!mounts.length) l.add(f, 'Mounts:', '<none>');
    else {
      l.add(f, 'Mounts:');
      for (const m of mounts) l.add(f + 1, `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`);
    }
  }
}

/** A pod's volumes as kubectl describes each source. */
function volumes(l: Lines, level: number, vols: any[]): void {
  if (!vols.length) return l.add(level, 'Volumes:', '<none>');
  l.add(level, 'Volumes:');
  for (const v of vols) {
    l.add(level + 1, `${v.name}:`);
    const at = level + 2;
    if (v.projected) {
      l.add(at, 'Type:', 'Projected (a volume that contains injected data from multiple sources)');
      for (const src of v.projected.sources ?? []) {
        if (src.serviceAccountToken) l.add(at, 'TokenExpirationSeconds:', String(src.serviceAccountToken.expirationSeconds ?? 3600));
        if (src.configMap) {
          l.add(at, 'ConfigMapName:', src.configMap.name ?? '');
          l.add(at, 'ConfigMapOptional:', src.configMap.optional === undefined ? '<nil>' : String(src.configMap.optional));
        }
        if (src.secret) {
          l.add(at, 'SecretName:', src.secret.name ?? '');
          l.add(at, 'SecretOptionalName:', src.secret.optional === undefined ? '<nil>' : String(src.secret.optional));
        }
        if (src.downwardAPI) l.add(at, 'DownwardAPI:', 'true');
      }
    } else if (v.configMap) {
      l.add(at, 'Type:', 'ConfigMap (a volume populated by a ConfigMap)');
      l.add(at, 'Name:', v.configMap.name ?? '');
      l.add(at, 'Optional:', String(v.configMap.optional ?? false));
    } else if (v.secret) {
      l.add(at, 'Type:', 'Secret (a volume populated by a Secret)');
      l.add(at, 'SecretName:', v.secret.secretName ?? '');
      l.add(at, 'Optional:', String(v.secret.optional ?? false));
    } else if (v.emptyDir) {
      l.add(at, 'Type:', "EmptyDir (a temporary directory that shares a pod's lifetime)");
      l.add(at, 'Medium:', v.emptyDir.medium ?? '');
      l.add(at, 'SizeLimit:', v.emptyDir.sizeLimit ?? '<unset>');
    } else if (v.persistentVolumeClaim) {
      l.add(at, 'Type:', 'PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)');
      l.add(at, 'ClaimName:', v.persistentVolumeClaim.claimName ?? '');
      l.add(at, 'ReadOnly:', String(v.persistentVolumeClaim.readOnly ?? false));
    } else if (v.hostPath) {
      l.add(at, 'Type:', 'HostPath (bare host directory volume)');
      l.add(at, 'Path:', v.hostPath.path ?? '');
      l.add(at, 'HostPathType:', v.hostPath.type ?? '');
    } else {
      const kind = Object.keys(v).find((k) => k !== 'name') ?? '';
      l.add(at, 'Type:', `${kind.charAt(0).toUpperCase()}${kind.slice(1)}`);
    }
  }
}

function tolerations(l: Lines, t: any[] | undefined): void {
  const list = (t ?? []).map(
    (x) =>
      `${x.key ?? ''}${x.value ? `=${x.value}` : ''}${x.effect ? `:${x.effect}` : ''}${x.operator === 'Exists' ? ' op=Exists' : ''}${x.tolerationSeconds !== undefined ? ` for ${x.tolerationSeconds}s` : ''}`,
  );
  if (!list.length) return l.add(0, 'Tolerations:', '<none>');
  list.forEach((x, i) => l.add(0, i === 0 ? 'Tolerations:' : '', x));
}

function describePod(l: Lines, o: KubeObject, def: ResourceDef): void {
  const s = o.status ?? {};
  const spec = o.spec ?? {};
  l.add(0, 'Name:', o.metadata.name ?? '');
  l.add(0, 'Namespace:', o.metadata.namespace ?? '');
  l.add(0, 'Priority:', String(spec.priority ?? 0));
  if (spec.priorityClassName) l.add(0, 'Priority Class Name:', spec.priorityClassName);
  l.add(0, 'Service Account:', spec.serviceAccountName ?? 'default');
  l.add(0, 'Node:', spec.nodeName ? `${spec.nodeName}/${s.hostIP ?? ''}` : '<none>');
  if (s.startTime) l.add(0, 'Start Time:', when(s.startTime));
  l.map(0, 'Labels', o.metadata.labels);
  l.map(0, 'Annotations', withoutLastApplied(o.metadata.annotations), ': ');
  if (o.metadata.deletionTimestamp) {
    l.add(0, 'Status:', `Terminating (lasts ${humanAge(o.metadata.deletionTimestamp, Date.parse(o.metadata.deletionTimestamp) * 2 - Date.now())})`);
    l.add(0, 'Termination Grace Period:', `${o.metadata.deletionGracePeriodSeconds ?? 30}s`);
  } else l.add(0, 'Status:', s.phase ?? 'Pending');
  if (s.reason) l.add(0, 'Reason:', s.reason);
  if (s.message) l.add(0, 'Message:', s.message);
  l.add(0, 'IP:', s.podIP ?? '');
  const ips: any[] = s.podIPs ?? [];
  if (!ips.length) l.add(0, 'IPs:', '<none>');
  else {
    l.add(0, 'IPs:');
    for (const ip of ips) l.add(1, 'IP:', ip.ip);
  }
  const owner = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
  if (owner) l.add(0, 'Controlled By:', `${owner.kind}/${owner.name}`);
  containers(l, 0, 'Init Containers', spec.initContainers ?? [], s.initContainerStatuses ?? []);
  containers(l, 0, 'Containers', spec.containers ?? [], s.containerStatuses ?? []);
  const conds: any[] = s.conditions ?? [];
  if (conds.length) {
    l.add(0, 'Conditions:');
    l.add(1, 'Type', 'Status');
    for (const c of conds) l.add(1, `${c.type} `, `${c.status} `);
  }
  volumes(l, 0, spec.volumes ?? []);
  l.add(0, 'QoS Class:', s.qosClass ?? 'BestEffort');
  l.map(0, 'Node-Selectors', spec.nodeSelector);
  tolerations(l, spec.tolerations);
  void def;
}

function describeWorkload(l: Lines, o: KubeObject, def: ResourceDef, ctx: DescribeContext): void {
  const s = o.status ?? {};
  const spec = o.spec ?? {};
  l.add(0, 'Name:', o.metadata.name ?? '');
  if (def.resource !== 'daemonsets') l.add(0, 'Namespace:', o.metadata.namespace ?? '');
  if (def.resource === 'deployments' || def.resource === 'statefulsets') l.add(0, 'CreationTimestamp:', when(o.metadata.creationTimestamp));
  // kubectl puts the selector before the labels for replica sets, daemon sets and stateful sets.
  if (def.resource !== 'deployments') l.add(0, 'Selector:', formatSelector(spec.selector));
  l.map(0, 'Labels', o.metadata.labels);
  l.map(0, 'Annotations', withoutLastApplied(o.metadata.annotations), ': ');
  if (def.resource === 'deployments') l.add(0, 'Selector:', formatSelector(spec.selector));
  if (def.resource === 'deployments') {
    l.add(
      0,
      'Replicas:',
      `${spec.replicas ?? 0} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable`,
    );
    l.add(0, 'StrategyType:', spec.strategy?.type ?? 'RollingUpdate');
    l.add(0, 'MinReadySeconds:', String(spec.minReadySeconds ?? 0));
    if (spec.strategy?.rollingUpdate) l.add(0, 'RollingUpdateStrategy:', `${spec.strategy.rollingUpdate.maxUnavailable} max unavailable, ${spec.strategy.rollingUpdate.maxSurge} max surge`);
  } else {
    const owner = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
    if (owner) l.add(0, 'Controlled By:', `${owner.kind}/${owner.name}`);
    if (def.resource === 'replicasets') l.add(0, 'Replicas:', `${s.replicas ?? 0} current / ${spec.replicas ?? 0} desired`);
    if (def.resource === 'statefulsets') l.add(0, 'Replicas:', `${spec.replicas ?? 0} desired | ${s.replicas ?? 0} total`);
    const pods = ctx.related('', 'pods', o.metadata.namespace).filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.uid === o.metadata.uid));
    const count = (ph: string) => pods.filter((p) => (p.status?.phase ?? 'Pending') === ph).length;
    l.add(0, 'Pods Status:', `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`);
  }
  const t = spec.template ?? {};
  l.add(0, 'Pod Template:');
  l.map(1, 'Labels', t.metadata?.labels);
  if (t.metadata?.annotations) l.map(1, 'Annotations', t.metadata.annotations, ': ');
  containers(l, 1, 'Containers', t.spec?.containers ?? [], [], true);
  l.add(1, 'Volumes:', (t.spec?.volumes ?? []).length ? (t.spec.volumes as any[]).map((v) => v.name).join(', ') : '<none>');
  l.add(
    1,
    'Node-Selectors:',
    Object.entries(t.spec?.nodeSelector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || '<none>',
  );
  l.add(1, 'Tolerations:', (t.spec?.tolerations ?? []).length ? (t.spec.tolerations as any[]).map((x) => `${x.key ?? ''}${x.effect ? `:${x.effect}` : ''}`).join(', ') : '<none>');
  const conds: any[] = s.conditions ?? [];
  if (conds.length) {
    l.add(0, 'Conditions:');
    l.add(1, 'Type', 'Status', 'Reason');
    l.add(1, '----', '------', '------');
    for (const c of conds) l.add(1, c.type, c.status, c.reason ?? '');
  }
  if (def.resource === 'deployments') {
    const sets = ctx.related('apps', 'replicasets', o.metadata.namespace).filter((r) => (r.metadata.ownerReferences ?? []).some((x) => x.uid === o.metadata.uid));
    const newest = [...sets].sort((a, b) => Number(b.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) - Number(a.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0))[0];
    const old = sets.filter((r) => r !== newest && Number(r.spec?.replicas ?? 0) > 0);
    l.add(0, 'OldReplicaSets:', old.length ? old.map((r) => `${r.metadata.name} (${r.status?.replicas ?? 0}/${r.spec?.replicas ?? 0} replicas created)`).join(', ') : '<none>');
    l.add(0, 'NewReplicaSet:', newest ? `${newest.metadata.name} (${newest.status?.replicas ?? 0}/${newest.spec?.replicas ?? 0} replicas created)` : '<none>');
  }
}

// ---- quantities (what kubectl prints of resource amounts: canonical, summed, as a share of allocatable) -------

const BIN: [string, number][] = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];
const DEC: [string, number][] = [
  ['E', 1e18],
  ['P', 1e15],
  ['T', 1e12],
  ['G', 1e9],
  ['M', 1e6],
  ['k', 1e3],
];

interface Amount {
  /** Base units (bytes, or millicores for cpu). */
  v: number;
  binary: boolean;
}

function parseAmount(q: unknown, cpu: boolean): Amount {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(q ?? '0').trim());
  if (!m) return { v: 0, binary: false };
  const n = Number(m[1]);
  const suf = m[2];
  const bin = BIN.find(([x]) => x === suf);
  const dec = DEC.find(([x]) => x === suf);
  const scale = bin ? bin[1] : dec ? dec[1] : suf === 'm' ? 1e-3 : 1;
  return { v: cpu ? Math.round(n * scale * 1000) : Math.round(n * scale), binary: !!bin };
}

/** The canonical form kubectl prints: millicores or whole cores; the largest binary (or decimal) suffix that divides. */
function formatAmount(a: Amount, cpu: boolean): string {
  if (a.v === 0) return '0';
  if (cpu) return a.v % 1000 === 0 ? String(a.v / 1000) : `${a.v}m`;
  for (const [suf, n] of a.binary ? BIN : DEC) if (a.v % n === 0) return `${a.v / n}${suf}`;
  return String(a.v);
}

const canonical = (q: unknown, resource: string) => formatAmount(parseAmount(q, resource === 'cpu'), resource === 'cpu');

/** A pod's requests or limits of a resource: the containers' sum, or the largest init container's if larger. */
function podAmount(p: KubeObject, field: 'requests' | 'limits', resource: string): Amount {
  const cpu = resource === 'cpu';
  let sum = 0;
  let binary = false;
  for (const c of p.spec?.containers ?? []) {
    const a = parseAmount(c.resources?.[field]?.[resource], cpu);
    sum += a.v;
    binary ||= a.binary;
  }
  for (const c of p.spec?.initContainers ?? []) {
    const a = parseAmount(c.resources?.[field]?.[resource], cpu);
    if (a.v > sum) sum = a.v;
    binary ||= a.binary;
  }
  return { v: sum, binary };
}

function share(a: Amount, resource: string, alloc: Record<string, unknown>): string {
  const total = parseAmount(alloc[resource], resource === 'cpu').v;
  const pct = total ? Math.trunc((a.v / total) * 100) : 0;
  return `${formatAmount(a, resource === 'cpu')} (${pct}%)`;
}

function describeNode(l: Lines, o: KubeObject, ctx: DescribeContext): void {
  const s = o.status ?? {};
  const name = o.metadata.name ?? '';
  l.add(0, 'Name:', name);
  l.add(0, 'Roles:', nodeRoles(o));
  l.map(0, 'Labels', o.metadata.labels);
  l.map(0, 'Annotations', o.metadata.annotations, ': ');
  l.add(0, 'CreationTimestamp:', when(o.metadata.creationTimestamp));
  const taints: any[] = o.spec?.taints ?? [];
  if (!taints.length) l.add(0, 'Taints:', '<none>');
  else taints.forEach((t, i) => l.add(0, i === 0 ? 'Taints:' : '', `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`));
  l.add(0, 'Unschedulable:', o.spec?.unschedulable ? 'true' : 'false');
  const lease = ctx.related('coordination.k8s.io', 'leases', 'kube-node-lease').find((x) => x.metadata.name === name);
  if (!lease) l.add(0, 'Lease:', `Failed to get lease: leases.coordination.k8s.io "${name}" not found`);
  else {
    l.add(0, 'Lease:');
    l.add(1, 'HolderIdentity:', lease.spec?.holderIdentity ?? '<unset>');
    l.add(1, 'AcquireTime:', lease.spec?.acquireTime ? when(lease.spec.acquireTime) : '<unset>');
    l.add(1, 'RenewTime:', lease.spec?.renewTime ? when(lease.spec.renewTime) : '<unset>');
  }
  const conds: any[] = s.conditions ?? [];
  l.add(0, 'Conditions:');
  l.add(1, 'Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message');
  l.add(1, '----', '------', '-----------------', '------------------', '------', '-------');
  for (const c of conds) l.add(1, `${c.type} `, `${c.status} `, `${when(c.lastHeartbeatTime)} `, `${when(c.lastTransitionTime)} `, `${c.reason ?? ''} `, c.message ?? '');
  l.add(0, 'Addresses:');
  for (const a of s.addresses ?? []) l.add(1, `${a.type}:`, a.address);
  for (const [title, m] of [
    ['Capacity', s.capacity],
    ['Allocatable', s.allocatable],
  ] as const) {
    l.add(0, `${title}:`);
    for (const [k, v] of Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) l.add(1, `${k}:`, canonical(v, k));
  }
  const info = s.nodeInfo ?? {};
  l.add(0, 'System Info:');
  for (const [k, label] of [
    ['machineID', 'Machine ID'],
    ['systemUUID', 'System UUID'],
    ['bootID', 'Boot ID'],
    ['kernelVersion', 'Kernel Version'],
    ['osImage', 'OS Image'],
    ['operatingSystem', 'Operating System'],
    ['architecture', 'Architecture'],
    ['containerRuntimeVersion', 'Container Runtime Version'],
    ['kubeletVersion', 'Kubelet Version'],
    ['kubeProxyVersion', 'Kube-Proxy Version'],
  ])
    l.add(1, `${label}:`, String(info[k] ?? ''));
  if (o.spec?.podCIDR) l.add(0, 'PodCIDR:', o.spec.podCIDR);
  if (o.spec?.podCIDRs?.length || o.spec?.podCIDR) l.add(0, 'PodCIDRs:', (o.spec.podCIDRs ?? [o.spec.podCIDR]).join(','));
  if (o.spec?.providerID) l.add(0, 'ProviderID:', o.spec.providerID);
  const alloc = s.allocatable ?? {};
  const pods = ctx.related('', 'pods', undefined).filter((p) => p.spec?.nodeName === name && !['Succeeded', 'Failed'].includes(p.status?.phase));
  l.add(0, `Non-terminated Pods:`, `(${pods.length} in total)`);
  l.add(1, 'Namespace', 'Name', '', 'CPU Requests', 'CPU Limits', 'Memory Requests', 'Memory Limits', 'Age');
  l.add(1, '---------', '----', '', '------------', '----------', '---------------', '-------------', '---');
  const totals = { requests: new Map<string, Amount>(), limits: new Map<string, Amount>() };
  const addTo = (m: Map<string, Amount>, r: string, a: Amount) => {
    const cur = m.get(r);
    m.set(r, { v: (cur?.v ?? 0) + a.v, binary: (cur?.binary ?? false) || a.binary });
  };
  for (const p of pods) {
    const cells: string[] = [];
    for (const [field, r] of [
      ['requests', 'cpu'],
      ['limits', 'cpu'],
      ['requests', 'memory'],
      ['limits', 'memory'],
    ] as const) {
      const a = podAmount(p, field, r);
      addTo(totals[field], r, a);
      cells.push(share(a, r, alloc));
    }
    l.add(1, p.metadata.namespace ?? '', p.metadata.name ?? '', '', ...cells, humanAge(p.metadata.creationTimestamp, ctx.now));
  }
  l.add(0, 'Allocated resources:');
  l.add(1, '(Total limits may be over 100 percent, i.e., overcommitted.)');
  l.add(1, 'Resource', 'Requests', 'Limits');
  l.add(1, '--------', '--------', '------');
  const extra = Object.keys(alloc)
    .filter((k) => k.startsWith('hugepages-'))
    .sort();
  for (const r of ['cpu', 'memory', 'ephemeral-storage', ...extra]) {
    const zero = { v: 0, binary: false };
    l.add(1, r, share(totals.requests.get(r) ?? zero, r, alloc), share(totals.limits.get(r) ?? zero, r, alloc));
  }
}

/** kubectl describe namespace: its status, then its resource quotas and limit ranges (no events). */
function describeNamespace(l: Lines, o: KubeObject, ctx: DescribeContext): string {
  l.add(0, 'Name:', o.metadata.name ?? '');
  l.map(0, 'Labels', o.metadata.labels);
  l.map(0, 'Annotations', o.metadata.annotations, ': ');
  l.add(0, 'Status:', o.status?.phase ?? 'Active');
  const quotas = ctx.related('', 'resourcequotas', o.metadata.name);
  const limits = ctx.related('', 'limitranges', o.metadata.name);
  let text = l.text();
  text += quotas.length ? `\nResource Quotas\n${quotas.map((q) => ` Name:  ${q.metadata.name}\n`).join('')}` : '\nNo resource quota.\n';
  text += limits.length ? `\nResource Limits\n${limits.map((q) => ` Name:  ${q.metadata.name}\n`).join('')}` : '\nNo LimitRange resource.\n';
  return text;
}

function describeService(l: Lines, o: KubeObject, def: ResourceDef, ctx: DescribeContext): void {
  const spec = o.spec ?? {};
  meta(l, o, def);
  l.add(
    0,
    'Selector:',
    Object.entries(spec.selector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || '<none>',
  );
  l.add(0, 'Type:', spec.type ?? 'ClusterIP');
  l.add(0, 'IP Family Policy:', spec.ipFamilyPolicy ?? 'SingleStack');
  l.add(0, 'IP Families:', (spec.ipFamilies ?? ['IPv4']).join(','));
  l.add(0, 'IP:', spec.clusterIP ?? '<none>');
  l.add(0, 'IPs:', (spec.clusterIPs ?? [spec.clusterIP]).filter(Boolean).join(',') || '<none>');
  const ingress: any[] = o.status?.loadBalancer?.ingress ?? [];
  if (ingress.length) l.add(0, 'LoadBalancer Ingress:', ingress.map((i) => `${i.ip ?? i.hostname}${i.ipMode ? ` (${i.ipMode})` : ''}`).join(', '));
  const eps = ctx.related('', 'endpoints', o.metadata.namespace).find((e) => e.metadata.name === o.metadata.name);
  const addrs = (eps?.subsets ?? []).flatMap((ss: any) => (ss.addresses ?? []).flatMap((a: any) => (ss.ports ?? []).map((p: any) => `${a.ip}:${p.port}`)));
  for (const p of spec.ports ?? []) {
    l.add(0, 'Port:', `${p.name ?? '<unset>'}  ${p.port}/${p.protocol ?? 'TCP'}`);
    l.add(0, 'TargetPort:', `${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`);
    if (p.nodePort) l.add(0, 'NodePort:', `${p.name ?? '<unset>'}  ${p.nodePort}/${p.protocol ?? 'TCP'}`);
    l.add(0, 'Endpoints:', addrs.join(',') || '<none>');
  }
  l.add(0, 'Session Affinity:', spec.sessionAffinity ?? 'None');
  if (spec.externalTrafficPolicy) l.add(0, 'External Traffic Policy:', spec.externalTrafficPolicy);
  l.add(0, 'Internal Traffic Policy:', spec.internalTrafficPolicy ?? 'Cluster');
  void servicePorts;
}

/** kubectl's generic describer: metadata, then every other field, nested sections indented. */
function describeGeneric(l: Lines, o: KubeObject, def: ResourceDef): void {
  meta(l, o, def);
  l.add(0, 'API Version:', o.apiVersion);
  l.add(0, 'Kind:', o.kind);
  const title = (k: string) => k.replace(/^[a-z]/, (c) => c.toUpperCase()).replace(/([a-z])([A-Z])/g, '$1 $2');
  const walk = (level: number, v: unknown) => {
    if (!isObj(v)) return;
    for (const [k, x] of Object.entries(v)) {
      if (isObj(x)) {
        l.add(level, `${title(k)}:`);
        walk(level + 1, x);
      } else if (Array.isArray(x)) {
        l.add(level, `${title(k)}:`);
        for (const item of x) {
          if (isObj(item)) walk(level + 1, item);
          else l.add(level + 1, String(item));
        }
      } else l.add(level, `${title(k)}:`, String(x));
    }
  };
  const rest = Object.fromEntries(Object.entries(o).filter(([k]) => !['apiVersion', 'kind', 'metadata'].includes(k)));
  l.add(0, 'Metadata:');
  l.add(1, 'Creation Timestamp:', o.metadata.creationTimestamp ?? '');
  l.add(1, 'Resource Version:', o.metadata.resourceVersion ?? '');
  l.add(1, 'UID:', o.metadata.uid ?? '');
  walk(0, rest);
}

export function describeObject(def: ResourceDef, o: KubeObject, evs: KubeObject[], ctx: DescribeContext): string {
  const l = new Lines();
  if (def.group === '' && def.resource === 'pods') describePod(l, o, def);
  else if (def.group === 'apps' && ['deployments', 'replicasets', 'statefulsets', 'daemonsets'].includes(def.resource)) describeWorkload(l, o, def, ctx);
  else if (def.group === '' && def.resource === 'nodes') describeNode(l, o, ctx);
  else if (def.group === '' && def.resource === 'services') describeService(l, o, def, ctx);
  else if (def.group === '' && def.resource === 'namespaces') return describeNamespace(l, o, ctx);
  else describeGeneric(l, o, def);
  events(l, evs, ctx.now);
  return l.text();
}
