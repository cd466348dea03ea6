// The core group (v1): namespaces, nodes, pods, services, endpoints, configmaps, secrets, service accounts,
// events, persistent volumes and claims, and the smaller kinds. Columns follow kubectl's printers.

import { humanAge, isObj, type KubeObject } from '../model.js';
import type { StatusCause } from '../status.js';
import { podDefaults, podReady, podRestarts, podStatusText, validatePod } from './pod.js';
import { AGE_COLUMN, builtin, NAME_COLUMN, col, type KindContext, type ResourceDef } from './registry.js';
import { inCidr, intToIp, parseCidr } from '../net.js';
import { dns1035Label, dns1123Label, dns1123Subdomain, immutable, intIn, invalid, labels, required, unsupported } from './validation.js';

const age = (o: KubeObject, now: number) => humanAge(o.metadata.creationTimestamp, now);

// ---- namespaces ------------------------------------------------------------------------------------------

const namespaces: ResourceDef = {
  ...builtin('', 'v1', 'namespaces', 'Namespace', {
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
  }),
  columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  row: (o, now) => [o.metadata.name, o.status?.phase ?? 'Active', age(o, now)],
  fields: { 'status.phase': (o) => o.status?.phase },
  defaults(o, _ctx, old) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.spec.finalizers = Array.isArray(o.spec.finalizers) ? o.spec.finalizers : ['kubernetes'];
    o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name! };
    if (!old) o.status = { phase: 'Active' };
  },
  validate: (o) => dns1123Label('metadata.name', o.metadata.name),
};

// ---- nodes --------------------------------------------------------------------------------------------------

export function nodeRoles(o: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

export function nodeStatusText(o: KubeObject): string {
  const ready = (o.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const parts = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (o.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

const addr = (o: KubeObject, type: string) => (o.status?.addresses ?? []).find((a: any) => a.type === type)?.address ?? '<none>';

const nodes: ResourceDef = {
  ...builtin('', 'v1', 'nodes', 'Node', { namespaced: false, shortNames: ['no'], subresources: ['status', 'proxy'], statusOnCreate: true }),
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    col('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  row: (o, now) => [
    o.metadata.name,
    nodeStatusText(o),
    nodeRoles(o),
    age(o, now),
    o.status?.nodeInfo?.kubeletVersion ?? '',
    addr(o, 'InternalIP'),
    addr(o, 'ExternalIP'),
    o.status?.nodeInfo?.osImage ?? '<unknown>',
    o.status?.nodeInfo?.kernelVersion ?? '<unknown>',
    o.status?.nodeInfo?.containerRuntimeVersion ?? '<unknown>',
  ],
  fields: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable === true) },
  defaults(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
  },
  validate(o) {
    const out: StatusCause[] = dns1123Subdomain('metadata.name', o.metadata.name);
    if (Array.isArray(o.spec?.taints)) {
      o.spec.taints.forEach((t: any, i: number) => {
        if (!isObj(t) || typeof t.key !== 'string' || t.key === '') out.push(required(`spec.taints[${i}].key`));
        if (!isObj(t) || !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect))
          out.push(unsupported(`spec.taints[${i}].effect`, t?.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
      });
    }
    return out;
  },
};

// ---- pods -----------------------------------------------------------------------------------------------------

const pods: ResourceDef = {
  ...builtin('', 'v1', 'pods', 'Pod', { shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy'], graceful: true }),
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    col('IP', 'string', 'The IP address assigned to the pod', 1),
    col('Node', 'string', 'The name of the node where the pod is running', 1),
    col('Nominated Node', 'string', 'The name of the node where the pod is nominated to run', 1),
    col('Readiness Gates', 'string', 'The readiness gates of the pod', 1),
  ],
  row: (o, now) => [
    o.metadata.name,
    podReady(o),
    podStatusText(o),
    podRestarts(o, now),
    age(o, now),
    o.status?.podIP ?? '<none>',
    o.spec?.nodeName ?? '<none>',
    o.status?.nominatedNodeName ?? '<none>',
    (o.spec?.readinessGates ?? []).length
      ? `${(o.status?.conditions ?? []).filter((c: any) => (o.spec.readinessGates as any[]).some((g) => g.conditionType === c.type) && c.status === 'True').length}/${o.spec.readinessGates.length}`
      : '<none>',
  ],
  fields: {
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy,
    'spec.schedulerName': (o) => o.spec?.schedulerName,
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName,
    'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
    'status.phase': (o) => o.status?.phase,
    'status.podIP': (o) => o.status?.podIP ?? '',
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
  },
  defaults: podDefaults,
  validate: validatePod,
};

// ---- services and endpoints -------------------------------------------------------------------------------

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

export function servicePorts(o: KubeObject): string {
  const ports: any[] = o.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

export function externalIps(o: KubeObject): string {
  const t = o.spec?.type;
  const ext: string[] = o.spec?.externalIPs ?? [];
  if (t === 'ExternalName') return o.spec?.externalName ?? '<none>';
  if (t === 'LoadBalancer') {
    const ing: string[] = (o.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip ?? i.hostname).filter(Boolean);
    const all = [...ing, ...ext];
    return all.length ? all.join(',') : '<pending>';
  }
  return ext.length ? ext.join(',') : '<none>';
}

/** Cluster IPs and node ports every other service of the cluster holds. */
function taken(ctx: KindContext, self: KubeObject): { ips: Set<string>; ports: Set<number> } {
  const ips = new Set<string>();
  const ports = new Set<number>();
  for (const x of ctx.list('', 'services')) {
    if (x.metadata.namespace === self.metadata.namespace && x.metadata.name === self.metadata.name) continue;
    for (const ip of x.spec?.clusterIPs ?? [x.spec?.clusterIP]) if (ip && ip !== 'None') ips.add(ip);
    for (const p of x.spec?.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    if (x.spec?.healthCheckNodePort) ports.add(x.spec.healthCheckNodePort);
  }
  return { ips, ports };
}

/** A cluster IP from the service CIDR and node ports from 30000-32767, for what the service does not name. */
function allocateServiceAddresses(o: KubeObject, ctx: KindContext): void {
  const s = o.spec;
  const t = taken(ctx, o);
  if (s.type !== 'ExternalName' && (s.clusterIP === undefined || s.clusterIP === '')) {
    const range = parseCidr(ctx.cluster.serviceCidr) ?? parseCidr('10.0.0.0/16')!;
    const size = range[1] - range[0] - 1;
    const reserved = new Set([intToIp(range[0] + 1), ctx.cluster.dnsServiceIP]);
    for (let i = 0; i < 2 * size; i++) {
      const ip = intToIp(range[0] + 1 + Math.floor(Math.random() * size));
      if (!t.ips.has(ip) && !reserved.has(ip)) {
        s.clusterIP = ip;
        break;
      }
    }
  }
  if (s.type !== 'ExternalName' && s.clusterIP) s.clusterIPs = s.clusterIP === 'None' ? ['None'] : (s.clusterIPs ?? [s.clusterIP]);
  const wantsNodePorts = s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
  const pick = () => {
    for (let i = 0; i < 10000; i++) {
      const p = 30000 + Math.floor(Math.random() * 2768);
      if (!t.ports.has(p)) {
        t.ports.add(p);
        return p;
      }
    }
    return undefined;
  };
  if (wantsNodePorts && Array.isArray(s.ports)) for (const p of s.ports) if (isObj(p) && p.nodePort === undefined) p.nodePort = pick();
  if (s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local' && s.healthCheckNodePort === undefined) s.healthCheckNodePort = pick();
  if (s.type === 'ClusterIP' && Array.isArray(s.ports)) for (const p of s.ports) if (isObj(p)) delete p.nodePort;
}

function checkServiceAddresses(o: KubeObject, ctx: KindContext, old?: KubeObject): StatusCause[] {
  const s = o.spec ?? {};
  const out: StatusCause[] = [];
  const t = taken(ctx, o);
  if (s.clusterIP && s.clusterIP !== 'None' && s.clusterIP !== old?.spec?.clusterIP) {
    if (!inCidr(s.clusterIP, ctx.cluster.serviceCidr))
      out.push(
        invalid(
          'spec.clusterIPs',
          [s.clusterIP],
          `failed to allocate IP ${s.clusterIP}: the provided IP (${s.clusterIP}) is not in the valid range. The range of valid IPs is ${ctx.cluster.serviceCidr}`,
        ),
      );
    else if (t.ips.has(s.clusterIP)) out.push(invalid('spec.clusterIPs', [s.clusterIP], `failed to allocate IP ${s.clusterIP}: provided IP is already allocated`));
  }
  for (const [i, p] of (Array.isArray(s.ports) ? s.ports : []).entries()) {
    const was = (old?.spec?.ports ?? []).some((x: any) => x.nodePort === p?.nodePort);
    if (isObj(p) && p.nodePort && !was && t.ports.has(p.nodePort)) out.push(invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
  }
  return out;
}

const services: ResourceDef = {
  ...builtin('', 'v1', 'services', 'Service', { shortNames: ['svc'], categories: ['all'], subresources: ['status', 'proxy'] }),
  columns: [
    NAME_COLUMN,
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    AGE_COLUMN,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  row: (o, now) => [
    o.metadata.name,
    o.spec?.type ?? 'ClusterIP',
    o.spec?.clusterIP || '<none>',
    externalIps(o),
    servicePorts(o),
    age(o, now),
    o.spec?.selector && Object.keys(o.spec.selector).length
      ? Object.entries(o.spec.selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')
      : '<none>',
  ],
  fields: { 'spec.clusterIP': (o) => o.spec?.clusterIP, 'spec.type': (o) => o.spec?.type },
  defaults(o, ctx, old) {
    const s = (o.spec = isObj(o.spec) ? o.spec : {});
    s.type ??= 'ClusterIP';
    if (s.type !== 'ExternalName') {
      s.sessionAffinity ??= 'None';
      s.internalTrafficPolicy ??= 'Cluster';
      s.ipFamilyPolicy ??= 'SingleStack';
      s.ipFamilies ??= ['IPv4'];
    }
    if (s.type === 'LoadBalancer' || s.type === 'NodePort') s.externalTrafficPolicy ??= 'Cluster';
    if (s.type === 'LoadBalancer') s.allocateLoadBalancerNodePorts ??= true;
    if (Array.isArray(s.ports)) {
      for (const p of s.ports) {
        if (!isObj(p)) continue;
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
    }
    if (old) {
      // Allocated fields survive an update that leaves them out (kubectl apply does).
      if (s.clusterIP === undefined || s.clusterIP === '') s.clusterIP = old.spec?.clusterIP;
      if (s.clusterIPs === undefined) s.clusterIPs = old.spec?.clusterIPs;
      if (Array.isArray(s.ports)) {
        for (const p of s.ports) {
          const was = (old.spec?.ports ?? []).find((x: any) => x.port === p.port && (x.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
          if (p.nodePort === undefined && was?.nodePort && (s.type === 'NodePort' || s.type === 'LoadBalancer')) p.nodePort = was.nodePort;
        }
      }
      if (s.healthCheckNodePort === undefined && old.spec?.healthCheckNodePort) s.healthCheckNodePort = old.spec.healthCheckNodePort;
    }
    if (!old) o.status = { loadBalancer: {} };
    allocateServiceAddresses(o, ctx);
  },
  validate(o, ctx, old) {
    const out: StatusCause[] = dns1035Label('metadata.name', o.metadata.name);
    out.push(...checkServiceAddresses(o, ctx, old));
    const s = o.spec ?? {};
    if (!SERVICE_TYPES.includes(s.type)) out.push(unsupported('spec.type', s.type, SERVICE_TYPES));
    if (s.type === 'ExternalName') {
      if (!s.externalName) out.push(required('spec.externalName'));
    } else {
      const ports = s.ports;
      if (!Array.isArray(ports) || ports.length === 0) {
        if (s.clusterIP !== 'None') out.push(required('spec.ports'));
      } else {
        const seen = new Set<string>();
        ports.forEach((p: any, i: number) => {
          const f = `spec.ports[${i}]`;
          if (!isObj(p)) return void out.push(invalid(f, p, 'must be a port'));
          if (p.port === undefined) out.push(required(`${f}.port`));
          else out.push(...intIn(`${f}.port`, p.port, 1, 65535));
          if (ports.length > 1 && !p.name) out.push(required(`${f}.name`));
          if (p.name) out.push(...dns1123Label(`${f}.name`, p.name));
          if (!['TCP', 'UDP', 'SCTP'].includes(p.protocol)) out.push(unsupported(`${f}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
          if (p.nodePort !== undefined) out.push(...intIn(`${f}.nodePort`, p.nodePort, 30000, 32767));
          const k = `${p.port}/${p.protocol}`;
          if (seen.has(k)) out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: core.ServicePort{Name:"${p.name ?? ''}", Protocol:"${p.protocol}", Port:${p.port}}`, field: `${f}` });
          seen.add(k);
          if (typeof p.targetPort === 'number') out.push(...intIn(`${f}.targetPort`, p.targetPort, 1, 65535));
        });
      }
    }
    out.push(...labels('spec.selector', s.selector));
    if (old && old.spec?.clusterIP && s.clusterIP && s.clusterIP !== old.spec.clusterIP && old.spec.type !== 'ExternalName' && s.type !== 'ExternalName') {
      out.push(immutable('spec.clusterIPs[0]', s.clusterIP));
    }
    return out;
  },
};

const endpoints: ResourceDef = {
  ...builtin('', 'v1', 'endpoints', 'Endpoints', { shortNames: ['ep'] }),
  columns: [NAME_COLUMN, col('Endpoints', 'string', 'Endpoints of the service'), AGE_COLUMN],
  row: (o, now) => {
    const list: string[] = [];
    for (const s of o.subsets ?? []) for (const a of s.addresses ?? []) for (const p of s.ports ?? [{}]) list.push(p.port ? `${a.ip}:${p.port}` : a.ip);
    const shown = list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',') || '<none>';
    return [o.metadata.name, shown, age(o, now)];
  },
};

// ---- configuration -------------------------------------------------------------------------------------------

const KEY = /^[-._a-zA-Z0-9]+$/;
function dataKeys(field: string, m: unknown): StatusCause[] {
  if (m === undefined || m === null) return [];
  if (!isObj(m)) return [invalid(field, m, 'must be a map')];
  const out: StatusCause[] = [];
  for (const k of Object.keys(m)) {
    if (!KEY.test(k) || k.length > 253)
      out.push(
        invalid(
          field,
          k,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ),
      );
  }
  return out;
}

const configmaps: ResourceDef = {
  ...builtin('', 'v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  columns: [NAME_COLUMN, col('Data', 'string', 'Data contains the configuration data.'), AGE_COLUMN],
  row: (o, now) => [o.metadata.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o, now)],
  validate(o, _ctx, old) {
    const out = [...dns1123Subdomain('metadata.name', o.metadata.name), ...dataKeys('data', o.data), ...dataKeys('binaryData', o.binaryData)];
    if (isObj(o.data)) for (const [k, v] of Object.entries(o.data)) if (typeof v !== 'string') out.push(invalid(`data[${k}]`, v, 'must be a string'));
    if (old?.immutable === true && JSON.stringify([o.data, o.binaryData]) !== JSON.stringify([old.data, old.binaryData]))
      out.push({ reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'data' });
    return out;
  },
};

const SECRET_TYPES_WITH_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/basic-auth': [],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

const secrets: ResourceDef = {
  ...builtin('', 'v1', 'secrets', 'Secret'),
  columns: [NAME_COLUMN, col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Data contains the secret data.'), AGE_COLUMN],
  row: (o, now) => [o.metadata.name, o.type ?? 'Opaque', Object.keys(o.data ?? {}).length, age(o, now)],
  fields: { type: (o) => o.type },
  defaults(o) {
    o.type ??= 'Opaque';
    // stringData is write-only: it is merged into data (base64) and never stored.
    if (isObj(o.stringData)) {
      o.data = { ...(o.data ?? {}) };
      for (const [k, v] of Object.entries(o.stringData)) o.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    }
    delete o.stringData;
  },
  validate(o, _ctx, old) {
    const out = [...dns1123Subdomain('metadata.name', o.metadata.name), ...dataKeys('data', o.data)];
    if (isObj(o.data)) {
      for (const [k, v] of Object.entries(o.data)) {
        if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) out.push(invalid(`data[${k}]`, '<secret contents redacted>', 'must be base64-encoded'));
      }
    }
    const needs = SECRET_TYPES_WITH_KEYS[o.type];
    for (const k of needs ?? []) if (!isObj(o.data) || o.data[k] === undefined) out.push(required(`data[${k}]`));
    if (o.type === 'kubernetes.io/service-account-token' && !o.metadata.annotations?.['kubernetes.io/service-account.name'])
      out.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
    if (old && (old.type ?? 'Opaque') !== (o.type ?? 'Opaque')) out.push(immutable('type', o.type));
    if (old?.immutable === true && JSON.stringify(o.data) !== JSON.stringify(old.data))
      out.push({ reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'data' });
    return out;
  },
};

const serviceaccounts: ResourceDef = {
  ...builtin('', 'v1', 'serviceaccounts', 'ServiceAccount', { shortNames: ['sa'], subresources: ['token'] }),
  columns: [NAME_COLUMN, col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), AGE_COLUMN],
  row: (o, now) => [o.metadata.name, (o.secrets ?? []).length, age(o, now)],
  validate: (o) => dns1123Subdomain('metadata.name', o.metadata.name),
};

// ---- events ----------------------------------------------------------------------------------------------------

export function eventObject(o: KubeObject): string {
  const io = o.involvedObject ?? o.regarding ?? {};
  return `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`;
}

const events: ResourceDef = {
  ...builtin('', 'v1', 'events', 'Event', { shortNames: ['ev'] }),
  columns: [
    col('Last Seen', 'string', 'The last time the event was observed'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col('Object', 'string', 'The object that this event is about.'),
    col('Subobject', 'string', 'The subobject (container) within the object', 1),
    col('Source', 'string', 'The component reporting this event.', 1),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded.', 1),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    { ...NAME_COLUMN, priority: 1 },
  ],
  row: (o, now) => {
    const last = o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp;
    const first = o.firstTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp;
    const count = Number(o.count ?? 1);
    const lastSeen = count > 1 ? `${humanAge(last, now)} (x${count} over ${humanAge(first, Date.parse(last))})` : humanAge(last, now);
    return [
      lastSeen,
      o.type ?? 'Normal',
      o.reason ?? '',
      eventObject(o),
      o.involvedObject?.fieldPath ?? '',
      [o.source?.component ?? o.reportingComponent, o.source?.host].filter(Boolean).join(', '),
      String(o.message ?? '').trim(),
      humanAge(first, now),
      count,
      o.metadata.name,
    ];
  },
  fields: {
    'involvedObject.kind': (o) => o.involvedObject?.kind,
    'involvedObject.namespace': (o) => o.involvedObject?.namespace,
    'involvedObject.name': (o) => o.involvedObject?.name,
    'involvedObject.uid': (o) => o.involvedObject?.uid,
    'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion,
    'involvedObject.resourceVersion': (o) => o.involvedObject?.resourceVersion,
    'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath,
    reason: (o) => o.reason,
    reportingComponent: (o) => o.reportingComponent ?? '',
    source: (o) => o.source?.component,
    type: (o) => o.type,
  },
  defaults(o) {
    o.type ??= 'Normal';
    o.count ??= 1;
    o.source ??= {};
    o.reportingComponent ??= '';
    o.reportingInstance ??= '';
  },
  validate(o) {
    const out: StatusCause[] = [];
    if (!isObj(o.involvedObject)) out.push(required('involvedObject'));
    else if (o.involvedObject.namespace && o.metadata.namespace && o.involvedObject.namespace !== o.metadata.namespace)
      out.push(invalid('involvedObject.namespace', o.involvedObject.namespace, 'does not match event.namespace'));
    if (o.type && !['Normal', 'Warning'].includes(o.type)) out.push(unsupported('type', o.type, ['Normal', 'Warning']));
    return out;
  },
};

// ---- storage ------------------------------------------------------------------------------------------------

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
export const accessModes = (m: string[] | undefined): string => (m ?? []).map((x) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' })[x] ?? x).join(',');

const persistentvolumeclaims: ResourceDef = {
  ...builtin('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', { shortNames: ['pvc'], subresources: ['status'] }),
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'Status of the claim'),
    col('Volume', 'string', 'The volume bound to this claim'),
    col('Capacity', 'string', 'The actual resources of the volume'),
    col('Access Modes', 'string', 'The access modes of the volume'),
    col('StorageClass', 'string', 'The name of the StorageClass required by the claim'),
    col('VolumeAttributesClass', 'string', 'The name of the VolumeAttributesClass'),
    AGE_COLUMN,
    col('VolumeMode', 'string', 'Defines what type of volume is required by the claim', 1),
  ],
  row: (o, now) => [
    o.metadata.name,
    o.metadata.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? 'Pending'),
    o.spec?.volumeName ?? '',
    o.status?.capacity?.storage ?? '',
    accessModes(o.status?.accessModes),
    o.spec?.storageClassName ?? '<unset>',
    o.spec?.volumeAttributesClassName ?? '<unset>',
    age(o, now),
    o.spec?.volumeMode ?? 'Filesystem',
  ],
  defaults(o, ctx, old) {
    const s = (o.spec = isObj(o.spec) ? o.spec : {});
    s.volumeMode ??= 'Filesystem';
    if (!old) {
      if (s.storageClassName === undefined) {
        const def = findDefaultStorageClass(ctx);
        if (def) s.storageClassName = def;
      }
      o.status = { phase: 'Pending' };
    }
  },
  validate(o, _ctx, old) {
    const out: StatusCause[] = dns1123Subdomain('metadata.name', o.metadata.name);
    const s = o.spec ?? {};
    if (!Array.isArray(s.accessModes) || s.accessModes.length === 0) out.push(required('spec.accessModes'));
    else s.accessModes.forEach((m: string, i: number) => !ACCESS_MODES.includes(m) && out.push(unsupported(`spec.accessModes[${i}]`, m, ACCESS_MODES)));
    if (s.resources?.requests?.storage === undefined) out.push(required('spec.resources[storage]'));
    if (old && JSON.stringify({ ...old.spec, resources: undefined, volumeName: undefined }) !== JSON.stringify({ ...s, resources: undefined, volumeName: undefined })) {
      out.push({ reason: 'FieldValueForbidden', message: 'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims', field: 'spec' });
    }
    return out;
  },
};

function findDefaultStorageClass(ctx: { get: (g: string, r: string, ns: string, n: string) => KubeObject | undefined }): string | undefined {
  // The bootstrap always writes one default class per cluster, named by the cluster kind.
  for (const name of ['default', 'managed-csi', 'default-storageclass', 'standard']) {
    const sc = ctx.get('storage.k8s.io', 'storageclasses', '', name);
    if (sc?.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true') return name;
  }
  return undefined;
}

const persistentvolumes: ResourceDef = {
  ...builtin('', 'v1', 'persistentvolumes', 'PersistentVolume', { namespaced: false, shortNames: ['pv'], subresources: ['status'] }),
  columns: [
    NAME_COLUMN,
    col('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity."),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'string', 'storageClassName is the name of StorageClass to which this persistent volume belongs.'),
    col('VolumeAttributesClass', 'string', 'Name of VolumeAttributesClass to which this persistent volume belongs.'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure.'),
    AGE_COLUMN,
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 1),
  ],
  row: (o, now) => [
    o.metadata.name,
    o.spec?.capacity?.storage ?? '',
    accessModes(o.spec?.accessModes),
    o.spec?.persistentVolumeReclaimPolicy ?? 'Retain',
    o.metadata.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? 'Pending'),
    o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '',
    o.spec?.storageClassName ?? '',
    o.spec?.volumeAttributesClassName ?? '<unset>',
    o.status?.reason ?? '',
    age(o, now),
    o.spec?.volumeMode ?? 'Filesystem',
  ],
  defaults(o, _ctx, old) {
    const s = (o.spec = isObj(o.spec) ? o.spec : {});
    s.persistentVolumeReclaimPolicy ??= 'Retain';
    s.volumeMode ??= 'Filesystem';
    if (!old) o.status = { phase: 'Pending' };
  },
  validate: (o) => {
    const out = dns1123Subdomain('metadata.name', o.metadata.name);
    if (!o.spec?.capacity?.storage) out.push(required('spec.capacity'));
    if (!Array.isArray(o.spec?.accessModes) || !o.spec.accessModes.length) out.push(required('spec.accessModes'));
    return out;
  },
};

// ---- smaller kinds, stored as they are ------------------------------------------------------------------------

const plain = (resource: string, kind: string, opts: Partial<ResourceDef> = {}): ResourceDef => ({
  ...builtin('', 'v1', resource, kind),
  columns: [NAME_COLUMN, AGE_COLUMN],
  row: (o, now) => [o.metadata.name, age(o, now)],
  validate: (o) => dns1123Subdomain('metadata.name', o.metadata.name),
  ...opts,
});

const componentstatuses: ResourceDef = {
  ...builtin('', 'v1', 'componentstatuses', 'ComponentStatus', { namespaced: false, shortNames: ['cs'], verbs: ['get', 'list'], virtual: true }),
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'Status of the component conditions'),
    col('Message', 'string', 'Message of the component conditions'),
    col('Error', 'string', 'Error of the component conditions'),
  ],
  row: (o) => [o.metadata.name, o.conditions?.[0]?.status === 'True' ? 'Healthy' : 'Unhealthy', o.conditions?.[0]?.message ?? '', o.conditions?.[0]?.error ?? ''],
};

export const CORE_KINDS: ResourceDef[] = [
  namespaces,
  nodes,
  pods,
  services,
  endpoints,
  configmaps,
  secrets,
  serviceaccounts,
  events,
  persistentvolumeclaims,
  persistentvolumes,
  plain('limitranges', 'LimitRange', { shortNames: ['limits'], columns: [NAME_COLUMN, col('Created At', 'date', 'Creation timestamp')], row: (o) => [o.metadata.name, o.metadata.creationTimestamp] }),
  plain('resourcequotas', 'ResourceQuota', { shortNames: ['quota'], subresources: ['status'], statusSubresource: true }),
  plain('podtemplates', 'PodTemplate'),
  componentstatuses,
];
