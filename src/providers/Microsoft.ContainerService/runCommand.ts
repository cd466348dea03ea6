// managedClusters/runCommand and commandResults (az aks command invoke / az aks command result). AKS
// runs the command in a pod of the cluster and answers asynchronously: 202 with a Location of the
// command's result, which answers 202 while the command runs and then 200 with its exit code and logs.
// Here the answer is drawn from the emulated cluster when the command is asked for: `kubectl get nodes`
// lists the fabric's VMs of the cluster (names, Ready state, age, Kubernetes version); a few other read
// commands are answered plausibly; anything else ends with a non-zero exit code that says so. The
// result is stored (a child of the cluster, removed with it) and becomes visible after a short,
// time-scaled delay, so clients poll it as they do at AKS.

import { randomBytes } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { ActionOutcome, RequestContext, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import type { Vm } from '../../fabric/model.js';
import { assertOperationOffered } from '../../kubernetes/clusterOperations.js';
import { isStopped, targetOfStored } from './clusterCommon.js';
import { clusterVms } from './work.js';
import { isObj, NS, poolsOf, shortHash } from './shape.js';
import { offeredAt, shapeFor, versionsOf } from './versions.js';

/** How long a command runs before its result shows (scaled by --time-scale). */
const RUN_MS = 2_000;

type ActionCtx = RequestContext & { existing: StoredResource };

interface Node {
  name: string;
  ready: boolean;
  createdAt: string;
  version: string;
  ip: string;
  pool: string;
}

/** The cluster's nodes: its worker VMs on the fabric, or (without a fabric) one per pool node. */
function nodesOf(services: Services, cluster: StoredResource): Node[] {
  const vms: Vm[] = clusterVms(services, cluster.resource.id).filter((v) => v.role === 'worker' && v.state !== 'Deleting');
  if (vms.length || services.fabric) {
    return vms
      .map((v, i) => ({ name: v.name, ready: v.state === 'Running' && v.joined !== false, createdAt: v.createdAt, version: v.kubernetesVersion ?? '', ip: v.ip ?? `10.224.0.${4 + i}`, pool: v.pool ?? '' }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }
  const out: Node[] = [];
  let ip = 4;
  for (const p of poolsOf(services, cluster.resource.id)) {
    for (let i = 0; i < Number(p.count ?? 0); i++) {
      out.push({
        name: `aks-${p.name}-${shortHash(cluster.resource.id, 8)}-vmss${String(i).padStart(6, '0')}`,
        ready: p.powerState?.code !== 'Stopped',
        createdAt: cluster.resource.systemData?.createdAt ?? new Date().toISOString(),
        version: p.currentOrchestratorVersion ?? '',
        ip: `10.224.0.${ip++}`,
        pool: p.name,
      });
    }
  }
  return out;
}

function age(since: string, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((x, c) => (c === r.length - 1 ? x : x.padEnd(widths[c] + 3))).join('').trimEnd()).join('\n') + '\n';
}

const SUPPORTED = "kubectl get nodes [-o wide|name], kubectl get namespaces, kubectl get pods -n kube-system (or -A), kubectl version, kubectl cluster-info";

/** What the command prints and its exit code. */
export function answer(services: Services, cluster: StoredResource, command: string, now = Date.now()): { exitCode: number; logs: string } {
  const words = command.trim().split(/\s+/);
  const props = cluster.resource.properties ?? {};
  const version = `v${props.currentKubernetesVersion ?? props.kubernetesVersion ?? ''}`;
  if (words[0] !== 'kubectl') {
    return { exitCode: 127, logs: `sh: 1: ${words[0]}: not found\n(the emulated command pod offers: ${SUPPORTED})\n` };
  }
  const args = words.slice(1);
  const has = (...xs: string[]) => xs.some((x) => args.includes(x));
  const output = (() => {
    const i = args.findIndex((a) => a === '-o' || a === '--output');
    if (i >= 0) return args[i + 1] ?? '';
    const eq = args.find((a) => a.startsWith('-o=') || a.startsWith('--output='));
    return eq ? eq.split('=')[1] : '';
  })();
  if (args[0] === 'get' && ['nodes', 'node', 'no'].includes(args[1] ?? '')) {
    const nodes = nodesOf(services, cluster);
    if (nodes.length === 0) return { exitCode: 0, logs: 'No resources found\n' };
    if (output === 'name') return { exitCode: 0, logs: nodes.map((n) => `node/${n.name}\n`).join('') };
    if (output === 'wide') {
      return {
        exitCode: 0,
        logs: table([
          ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
          ...nodes.map((n) => [n.name, n.ready ? 'Ready' : 'NotReady', 'agent', age(n.createdAt, now), n.version ? `v${n.version}` : version, n.ip, '<none>', 'Ubuntu 22.04.5 LTS', '5.15.0-1074-azure', 'containerd://1.7.23-1']),
        ]),
      };
    }
    if (output !== '') return { exitCode: 1, logs: `error: the emulated kubectl prints nodes as a table, -o wide or -o name; '-o ${output}' is not emulated\n` };
    return { exitCode: 0, logs: table([['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], ...nodes.map((n) => [n.name, n.ready ? 'Ready' : 'NotReady', 'agent', age(n.createdAt, now), n.version ? `v${n.version}` : version])]) };
  }
  if (args[0] === 'get' && ['namespaces', 'namespace', 'ns'].includes(args[1] ?? '')) {
    const a = age(cluster.resource.systemData?.createdAt ?? new Date(now).toISOString(), now);
    return { exitCode: 0, logs: table([['NAME', 'STATUS', 'AGE'], ...['default', 'kube-node-lease', 'kube-public', 'kube-system'].map((n) => [n, 'Active', a])]) };
  }
  if (args[0] === 'get' && ['pods', 'pod', 'po'].includes(args[1] ?? '')) {
    const all = has('-A', '--all-namespaces');
    const nsIdx = args.findIndex((x) => x === '-n' || x === '--namespace');
    const ns = all ? undefined : nsIdx >= 0 ? args[nsIdx + 1] : 'default';
    if (ns !== undefined && ns !== 'kube-system') return { exitCode: 0, logs: `No resources found in ${ns} namespace.\n` };
    const nodes = nodesOf(services, cluster);
    const a = age(cluster.resource.systemData?.createdAt ?? new Date(now).toISOString(), now);
    const h = shortHash(cluster.resource.id, 10);
    const pods: string[][] = [
      [`coredns-${h}-${shortHash(`${h}a`, 5)}`, '1/1'],
      [`coredns-${h}-${shortHash(`${h}b`, 5)}`, '1/1'],
      [`konnectivity-agent-${shortHash(`${h}k`, 10)}-${shortHash(`${h}k1`, 5)}`, '1/1'],
      [`metrics-server-${shortHash(`${h}m`, 10)}-${shortHash(`${h}m1`, 5)}`, '2/2'],
      ...nodes.map((n) => [`kube-proxy-${shortHash(n.name, 5)}`, '1/1']),
    ];
    const rows = pods.map(([n, r]) => [...(all ? ['kube-system'] : []), n, r, 'Running', '0', a]);
    return { exitCode: 0, logs: table([[...(all ? ['NAMESPACE'] : []), 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], ...rows]) };
  }
  if (args[0] === 'version') {
    return { exitCode: 0, logs: `Client Version: ${version}\nKustomize Version: v5.0.4-0.20230601165947-6ce0bf390ce3\nServer Version: ${version}\n` };
  }
  if (args[0] === 'cluster-info') {
    const host = `https://${props.fqdn ?? props.privateFQDN}:443`;
    return {
      exitCode: 0,
      logs: `Kubernetes control plane is running at ${host}\nCoreDNS is running at ${host}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\nMetrics-server is running at ${host}/api/v1/namespaces/kube-system/services/https:metrics-server:/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`,
    };
  }
  return { exitCode: 1, logs: `error: '${command.trim()}' is not emulated; the emulated cluster answers ${SUPPORTED}\n` };
}

/** POST .../runCommand: validates, answers from the cluster as it is now, stores the result; 202 + Location. */
export function runCommand(ctx: ActionCtx): ActionOutcome {
  const { services } = ctx;
  const cluster = ctx.existing;
  if (!offeredAt('managedClusters/runCommand', ctx.apiVersion)) throw Errors.actionNotFound('managedClusters/runCommand', NS, ctx.apiVersion);
  assertOperationOffered(targetOfStored(services, cluster).doc, 'runCommand');
  const body = ctx.body;
  if (!isObj(body) || typeof body.command !== 'string' || body.command.trim() === '') {
    throw Errors.invalidParameter('The request body needs command: the command to run, e.g. "kubectl get nodes".', 'command');
  }
  if (body.context !== undefined && body.context !== null && (typeof body.context !== 'string' || (body.context !== '' && !/^[A-Za-z0-9+/=\s]*$/.test(body.context)))) {
    throw Errors.invalidParameter('context must be a base64-encoded zip file of the files the command needs.', 'context');
  }
  if (isStopped(cluster)) throw Errors.operationNotAllowed(`Managed cluster '${cluster.resource.name}' is stopped; start it (az aks start) before running commands in it.`);
  if (!cluster.internal.secrets) throw Errors.operationNotAllowed(`Managed cluster '${cluster.resource.name}' is not ready yet; run the command once it is created.`);
  const commandId = randomBytes(16).toString('hex');
  const started = Date.now();
  const runMs = Math.round(RUN_MS * (services.config.timeScale ?? 1));
  const { exitCode, logs } = answer(services, cluster, body.command, started);
  const id = `${cluster.resource.id}/commandResults/${commandId}`;
  const result = {
    id,
    name: commandId,
    type: `${NS}/managedClusters/commandResults`,
    properties: { provisioningState: 'Succeeded', exitCode, startedAt: new Date(started).toISOString(), finishedAt: new Date(started + runMs).toISOString(), logs },
  };
  const location = `${ctx.baseUrl}${id}?api-version=${ctx.apiVersion}`;
  return {
    status: 202,
    headers: { Location: location, 'Retry-After': String(services.config.retryAfter ?? 1) },
    related: { put: [{ resource: result, internal: { readyAt: started + runMs, command: body.command } }] },
  };
}

/** GET .../commandResults/{id}: 202 while the command runs, then 200 with its result. */
export const commandResults: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/commandResults',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/commandResults'),
  handlers: {
    get(ctx) {
      const s = ctx.services.resources.get(ctx.path.id);
      if (!s) throw Errors.resourceNotFound(`${NS}/managedClusters/${ctx.path.names[0]}/commandResults/${ctx.path.names[1]}`, ctx.path.resourceGroup);
      if (Date.now() < Number(s.internal.readyAt ?? 0)) {
        return { status: 202, headers: { Location: `${ctx.baseUrl}${s.resource.id}?api-version=${ctx.apiVersion}`, 'Retry-After': String(ctx.services.config.retryAfter ?? 1) } };
      }
      const body = { id: s.resource.name, properties: structuredClone(s.resource.properties ?? {}) };
      return { status: 200, body: shapeFor('runCommandResult', body, ctx.apiVersion) };
    },
  },
};
