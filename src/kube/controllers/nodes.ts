// Nodes are the fabric's VMs: each joined worker (and each control-plane VM where the control plane is the
// customer's: AKS hybrid, the Hub stamp, the Arc bridge's appliance) is a Node named after its VM, with
// capacity and allocatable from the VM size, AKS's labels, the pool's labels and taints, and a Ready
// condition that follows the VM, its host and its site: a VM that is down (its host failed and nothing had
// room, stopped) or a disconnected site turns the node NotReady (status Unknown, as when the kubelet stops
// posting) once the node monitor's grace period has passed; a VM restarted on another host after a host
// failure reboots (NotReady for the boot). What users change on a node (labels, taints, cordon) is kept.

import type { BatchChange } from '../api.js';
import type { Vm } from '../../fabric/model.js';
import type { ClusterView, PoolView } from '../clusters.js';
import { BUILTINS } from '../kinds/index.js';
import { clone, nowTime, type KubeObject } from '../model.js';
import { nodePodCidr } from '../net.js';
import type { Controller, ControllerContext } from './runtime.js';
import { nodeRef } from './events.js';
import { findVmSize, VM_SIZES } from '../../fabric/vmSizes.js';

const NODES = BUILTINS.get('', 'v1', 'nodes')!;

/** Simulated durations (ms at time scale 1). */
export const NODE_TIMES = {
  /** node-monitor-grace-period: how long a silent kubelet keeps its node Ready. */
  monitorGrace: 40_000,
  /** A VM restarted on another host boots for this long before its kubelet is ready again. */
  reboot: 60_000,
};

const ANN = {
  host: 'node.emulator.azure.com/host',
  restarts: 'node.emulator.azure.com/vm-restarts',
  downSince: 'node.emulator.azure.com/down-since',
  rebootUntil: 'node.emulator.azure.com/reboot-until',
};

/** Labels the node controller owns (others, a user's, are kept). */
const OWNED_LABEL =
  /^(kubernetes\.io\/(hostname|os|arch|role)|beta\.kubernetes\.io\/|node\.kubernetes\.io\/instance-type|topology\.kubernetes\.io\/|failure-domain\.beta\.kubernetes\.io\/|kubernetes\.azure\.com\/|agentpool$|node-role\.kubernetes\.io\/control-plane|msft\.microsoft\/)/;

/** The node's reserved share (AKS's kube-reserved CPU by cores, memory by its tiers plus the eviction threshold). */
export function allocatableOf(cores: number, memoryGB: number): { cpuMilli: number; memoryKi: number } {
  const cpuReserved = cores <= 1 ? 60 : cores <= 2 ? 100 : cores <= 4 ? 140 : cores <= 8 ? 180 : cores <= 16 ? 260 : cores <= 32 ? 420 : 740;
  const gb = memoryGB;
  const tiers: [number, number][] = [
    [4, 0.25],
    [4, 0.2],
    [8, 0.1],
    [112, 0.06],
    [Infinity, 0.02],
  ];
  let left = gb;
  let reservedGb = 0;
  for (const [size, share] of tiers) {
    const part = Math.min(left, size);
    reservedGb += part * share;
    left -= part;
    if (left <= 0) break;
  }
  const memKi = Math.floor(gb * 1024 * 1024 - reservedGb * 1024 * 1024 - 750 * 1024);
  return { cpuMilli: cores * 1000 - cpuReserved, memoryKi: Math.max(0, memKi) };
}

function isNode(vm: Vm): boolean {
  if (vm.state === 'Deleting' || vm.state === 'Deallocated') return false;
  if (vm.role === 'worker') return vm.joined === true;
  return vm.role === 'controlPlane' || vm.role === 'appliance';
}

function parseTaint(t: string): { key: string; value?: string; effect: string } | undefined {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(t.trim());
  if (!m) return undefined;
  return m[2] !== undefined ? { key: m[1], value: m[2], effect: m[3] } : { key: m[1], effect: m[3] };
}

function osImage(view: ClusterView, pool?: PoolView): { image: string; kernel: string } {
  if (view.kind === 'hybrid' || view.kind === 'appliance') return { image: 'CBL-Mariner/Linux', kernel: '5.15.173.1-1.cm2' };
  if (pool?.osSKU === 'AzureLinux' || pool?.osSKU === 'CBLMariner') return { image: 'CBL-Mariner/Linux', kernel: '5.15.173.1-2.cm2' };
  if (view.targetKind === 'AzureStackHub') return { image: 'Ubuntu 18.04.6 LTS', kernel: '5.4.0-1098-azure' };
  return { image: 'Ubuntu 22.04.5 LTS', kernel: '5.15.0-1074-azure' };
}

/** The node a VM is, from scratch (labels, capacity, addresses...); status conditions are set by the caller. */
function nodeFor(view: ClusterView, vm: Vm, pool: PoolView | undefined, podCidrIndex: number | undefined): KubeObject {
  const size = findVmSize(Object.values(VM_SIZES), vm.vmSize) ?? { cores: vm.cores, memoryGB: vm.memoryGB, storageGB: vm.storageGB };
  const cores = vm.cores || size.cores;
  const memoryGB = vm.memoryGB || size.memoryGB;
  const maxPods = pool?.maxPods ?? 110;
  const cp = vm.role === 'controlPlane' || vm.role === 'appliance';
  const zoneIdx = pool?.zones?.length ? pool.zones[vmIndex(vm.name) % pool.zones.length] : undefined;
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/instance-type': vm.vmSize,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': vm.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': vm.vmSize,
    'topology.kubernetes.io/region': view.location,
    'topology.kubernetes.io/zone': zoneIdx ? `${view.location}-${zoneIdx}` : '0',
    'failure-domain.beta.kubernetes.io/region': view.location,
    'failure-domain.beta.kubernetes.io/zone': zoneIdx ? `${view.location}-${zoneIdx}` : '0',
  };
  if (view.kind === 'aks' && !cp) {
    Object.assign(labels, {
      agentpool: vm.pool ?? 'nodepool1',
      'kubernetes.azure.com/agentpool': vm.pool ?? 'nodepool1',
      'kubernetes.azure.com/cluster': view.nodeResourceGroup ?? `MC_${view.resourceGroup}_${view.name}_${view.location}`,
      'kubernetes.azure.com/mode': (pool?.mode ?? 'System').toLowerCase(),
      'kubernetes.azure.com/node-image-version': 'AKSUbuntu-2204gen2containerd-202411.12.0',
      'kubernetes.azure.com/os-sku': pool?.osSKU ?? 'Ubuntu',
      'kubernetes.azure.com/role': 'agent',
      'kubernetes.io/role': 'agent',
    });
  } else if (view.kind === 'hybrid' && !cp) {
    Object.assign(labels, { 'kubernetes.azure.com/agentpool': vm.pool ?? 'nodepool1', 'msft.microsoft/nodepool-name': vm.pool ?? 'nodepool1' });
  }
  if (cp) labels['node-role.kubernetes.io/control-plane'] = '';
  Object.assign(labels, pool?.labels ?? {});
  const taints: Record<string, unknown>[] = [];
  for (const t of pool?.taints ?? []) {
    const x = parseTaint(t);
    if (x) taints.push(x);
  }
  if (cp) taints.push({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
  const a = allocatableOf(cores, memoryGB);
  const storageKi = (vm.storageGB || size.storageGB) * 1024 * 1024;
  const img = osImage(view, pool);
  const uid = hexOf(`${view.key}/${vm.name}`);
  const spec: Record<string, unknown> = {};
  if (podCidrIndex !== undefined && view.networkPlugin !== 'azure') {
    spec.podCIDR = nodePodCidr(view.podCidr, podCidrIndex);
    spec.podCIDRs = [spec.podCIDR];
  }
  spec.providerID =
    view.kind === 'aks'
      ? `azure:///subscriptions/${view.subscriptionId}/resourceGroups/${(view.nodeResourceGroup ?? '').toLowerCase()}/providers/Microsoft.Compute/virtualMachineScaleSets/${vm.name.replace(/\d{6}$/, '')}/virtualMachines/${vmIndex(vm.name)}`
      : `moc://${vm.name}`;
  if (taints.length) spec.taints = taints;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: vm.name,
      labels,
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        [ANN.host]: `${vm.site}/${vm.host ?? ''}`,
        [ANN.restarts]: String(vm.restarts ?? 0),
      },
    },
    spec,
    status: {
      capacity: { cpu: String(cores), 'ephemeral-storage': `${storageKi}Ki`, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: `${memoryGB * 1024 * 1024}Ki`, pods: String(maxPods) },
      allocatable: { cpu: `${a.cpuMilli}m`, 'ephemeral-storage': `${Math.floor(storageKi * 0.9)}Ki`, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: `${a.memoryKi}Ki`, pods: String(maxPods) },
      addresses: [
        { type: 'InternalIP', address: vm.ip ?? internalIp(view, vm.name) },
        { type: 'Hostname', address: vm.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: uid.replace(/-/g, ''),
        systemUUID: uid,
        bootID: hexOf(`${vm.name}/${vm.restarts ?? 0}/${vm.createdAt}`),
        kernelVersion: img.kernel,
        osImage: img.image,
        containerRuntimeVersion: 'containerd://1.7.23-1',
        kubeletVersion: `v${vm.kubernetesVersion ?? pool?.version ?? view.kubernetesVersion}`,
        kubeProxyVersion: `v${vm.kubernetesVersion ?? pool?.version ?? view.kubernetesVersion}`,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

function vmIndex(name: string): number {
  const m = /(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}

function hexOf(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 0x5bd1e995) >>> 0;
  }
  const x = (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).repeat(2);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** An address for a VM the fabric gave none (an Azure region's node subnet). */
function internalIp(view: ClusterView, name: string): string {
  return `10.224.0.${4 + (vmIndex(name) % 250)}`;
}

/** Why the VM's kubelet cannot post status now, or undefined when it can. */
function downReason(ctx: ControllerContext, vm: Vm): string | undefined {
  const fabric = ctx.fabric;
  if (fabric && fabric.hasSite(vm.site) && !fabric.site(vm.site).connected()) return `the site '${vm.site}' is disconnected from Azure`;
  if (vm.state === 'Failed') return `its VM is down: host '${vm.host}' failed and no other host had room`;
  if (vm.state === 'Stopped') return 'its VM is stopped';
  if (vm.state === 'Creating') return 'its VM is being created';
  return undefined;
}

function condition(type: string, status: string, reason: string, message: string, prev: any[] | undefined, time: string): Record<string, unknown> {
  const old = (prev ?? []).find((c) => c.type === type);
  const transition = old && old.status === status ? old.lastTransitionTime : time;
  return { type, status, lastHeartbeatTime: time, lastTransitionTime: transition, reason, message };
}

const PRESSURE = [
  ['MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
] as const;

/** The node's conditions and lifecycle taints for its VM now. */
function nodeState(
  ctx: ControllerContext,
  vm: Vm,
  prev: KubeObject | undefined,
  now: number,
): { conditions: any[]; taints: { key: string; effect: string; timeAdded?: string }[]; annotations: Record<string, string | undefined>; wakeIn?: number } {
  const time = nowTime(now);
  const prevConds: any[] | undefined = prev?.status?.conditions;
  const ann = { ...(prev?.metadata.annotations ?? {}) } as Record<string, string | undefined>;
  const reason = downReason(ctx, vm);
  let wakeIn: number | undefined;
  // A restart on another host (its host failed): the VM reboots.
  const restarts = Number(vm.restarts ?? 0);
  const seen = Number(ann[ANN.restarts] ?? restarts);
  // Just restarted: NotReady for the boot, and at least until the controllers have seen it (a boot takes no time at --time-scale 0).
  const justRestarted = !!prev && restarts > seen;
  if (justRestarted) ann[ANN.rebootUntil] = String(now + ctx.scaled(NODE_TIMES.reboot));
  ann[ANN.restarts] = String(restarts);
  ann[ANN.host] = `${vm.site}/${vm.host ?? ''}`;
  const rebootUntil = Number(ann[ANN.rebootUntil] ?? 0);
  const rebooting = justRestarted || rebootUntil > now;
  if (!rebooting) delete ann[ANN.rebootUntil];
  else wakeIn = Math.max(0, rebootUntil - now);
  let ready: { status: string; reason: string; message: string };
  let unknown = false;
  if (reason) {
    const since = Number(ann[ANN.downSince] ?? now);
    ann[ANN.downSince] = String(since);
    const grace = ctx.scaled(NODE_TIMES.monitorGrace);
    const wasReady = (prevConds ?? []).find((c) => c.type === 'Ready')?.status === 'True';
    if (prev && wasReady && now < since + grace) {
      wakeIn = Math.min(wakeIn ?? Infinity, since + grace - now);
      return { conditions: prevConds ?? [], taints: [], annotations: ann, wakeIn };
    }
    unknown = true;
    ready = { status: 'Unknown', reason: 'NodeStatusUnknown', message: `Kubelet stopped posting node status (${reason}).` };
  } else {
    delete ann[ANN.downSince];
    if (rebooting) ready = { status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: the node is rebooting after its VM was restarted on another host' };
    else ready = { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' };
  }
  const conditions = PRESSURE.map(([t, r, m]) =>
    unknown ? condition(t, 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', prevConds, time) : condition(t, 'False', r, m, prevConds, time),
  );
  conditions.push(condition('Ready', ready.status, ready.reason, ready.message, prevConds, time));
  // The node lifecycle controller's taints for a node that is not ready.
  const taints: { key: string; effect: string; timeAdded?: string }[] = [];
  if (ready.status !== 'True') {
    const key = unknown ? 'node.kubernetes.io/unreachable' : 'node.kubernetes.io/not-ready';
    const was = (prev?.spec?.taints ?? []).find((t: any) => t.key === key && t.effect === 'NoExecute');
    taints.push({ key, effect: 'NoSchedule' }, { key, effect: 'NoExecute', timeAdded: was?.timeAdded ?? time });
  }
  return { conditions, taints, annotations: ann, wakeIn };
}

const LIFECYCLE_TAINTS = new Set(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);

/** Heartbeats are not rewritten unless something else changed (a write per node per sync would flood watches). */
function sameButHeartbeat(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const c = clone(o);
    delete c.metadata.resourceVersion;
    delete c.metadata.managedFields;
    for (const x of c.status?.conditions ?? []) delete x.lastHeartbeatTime;
    return JSON.stringify(c);
  };
  return strip(a) === strip(b);
}

/** What the kubelet and the node controller record as a node registers and changes readiness. */
function nodeEvents(ctx: ControllerContext, node: KubeObject, prev: KubeObject | undefined): void {
  const ready = (n: KubeObject | undefined) => (n?.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status === 'True';
  const name = node.metadata.name!;
  const ref = nodeRef(node);
  if (!prev) {
    // Registered with its status (a node is never seen without its Ready condition).
    ctx.event(ref, 'Normal', 'Starting', 'Starting kubelet.', 'kubelet', name);
    ctx.event(ref, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`, 'node-controller');
    if (ready(node)) ctx.event(ref, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`, 'kubelet', name);
  } else if (ready(node) && !ready(prev)) ctx.event(ref, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`, 'kubelet', name);
  else if (ready(prev) && !ready(node)) ctx.event(ref, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`, 'node-controller');
}

export const nodeController: Controller = {
  name: 'nodes',
  watches: ['core/nodes'],
  async run(ctx) {
    const { view } = ctx;
    const fabric = ctx.fabric;
    if (!fabric || !view.vmOwner) return;
    const vms = fabric.ownerVms(view.vmOwner).filter(isNode);
    const existing = new Map(ctx.list('core/nodes').map((n) => [n.metadata.name!, n]));
    const base = view.podCidr.split('.');
    const indexOf = (cidr: string) => (Number(cidr.split('.')[1]) - Number(base[1])) * 256 + Number(cidr.split('.')[2]);
    const taken = new Set([...existing.values()].map((n) => (n.spec?.podCIDR ? indexOf(n.spec.podCIDR) : -1)));
    let next = 0;
    const freeIndex = () => {
      while (taken.has(next)) next++;
      taken.add(next);
      return next;
    };
    const changes: BatchChange[] = [];
    let wake: number | undefined;
    const now = ctx.now;
    const poolOf = (vm: Vm) => view.pools.find((p) => p.name.toLowerCase() === (vm.pool ?? '').toLowerCase());
    for (const vm of vms) {
      const prev = existing.get(vm.name);
      existing.delete(vm.name);
      const fresh = nodeFor(view, vm, poolOf(vm), prev?.spec?.podCIDR ? indexOf(prev.spec.podCIDR) : freeIndex());
      const st = nodeState(ctx, vm, prev, now);
      if (st.wakeIn !== undefined) wake = Math.min(wake ?? Infinity, st.wakeIn);
      let node: KubeObject;
      if (!prev) {
        node = fresh;
        node.metadata.annotations = Object.fromEntries(Object.entries({ ...fresh.metadata.annotations, ...st.annotations }).filter(([, v]) => v !== undefined)) as Record<string, string>;
      } else {
        // Keep what users set: their labels, annotations, taints and cordon.
        node = clone(prev);
        const userLabels = Object.fromEntries(Object.entries(prev.metadata.labels ?? {}).filter(([k]) => !OWNED_LABEL.test(k) && !(k in (poolOf(vm)?.labels ?? {}))));
        node.metadata.labels = { ...fresh.metadata.labels, ...userLabels };
        node.metadata.annotations = Object.fromEntries(Object.entries({ ...prev.metadata.annotations, ...st.annotations }).filter(([, v]) => v !== undefined)) as Record<string, string>;
        node.spec = { ...prev.spec, providerID: fresh.spec.providerID };
        node.status = { ...fresh.status };
      }
      const userTaints = ((node.spec.taints ?? []) as any[]).filter((t) => !LIFECYCLE_TAINTS.has(t.key));
      const taints = [...userTaints, ...st.taints];
      if (taints.length) node.spec.taints = taints;
      else delete node.spec.taints;
      node.status.conditions = st.conditions;
      nodeEvents(ctx, node, prev);
      if (!prev) changes.push({ verb: 'create', def: NODES, namespace: '', object: node, tolerate: [409] });
      else if (!sameButHeartbeat(node, prev)) changes.push({ verb: 'update', def: NODES, namespace: '', object: node, whole: true, tolerate: [404, 409] });
    }
    for (const gone of existing.values()) changes.push({ verb: 'delete', def: NODES, namespace: '', name: gone.metadata.name!, tolerate: [404] });
    if (changes.length) await ctx.commit(changes);
    if (wake !== undefined && Number.isFinite(wake)) ctx.afterWall(wake);
  },
};
