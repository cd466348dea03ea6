// The scheduler: binds pending pods to nodes, as default-scheduler does. A node fits when it is Ready and
// schedulable, its taints are tolerated, the pod's nodeSelector and required node affinity match, host
// ports are free and the pod's requests fit what is left of its allocatable CPU, memory and pod slots.
// Among fitting nodes the least requested wins, with pods of one owner spread over nodes. A pod that fits
// nowhere stays Pending with PodScheduled=False (Unschedulable) and a FailedScheduling event saying why.
// As the scheduler's queue does, an unschedulable pod is tried again when the cluster changes in a way that may
// help it (a node added, a node's allocatable, readiness, taints, labels or schedulability changed, room freed
// on a node: a pod deleted or finished) and at least every podMaxInUnschedulablePodsDuration (5 minutes on the
// time scale; none at --time-scale 0, where it would never stop); each failed try records FailedScheduling
// again (its count rises).

import type { BatchChange } from '../api.js';
import { BUILTINS } from '../kinds/index.js';
import { nowTime, type KubeObject } from '../model.js';
import type { Controller } from './runtime.js';
import { controllerOf, nodeAllocatable, nodeReady, nodeSelectorMatches, podRequests, tolerates, type Amounts } from './util.js';

const PODS = BUILTINS.get('', 'v1', 'pods')!;

interface NodeSlot {
  node: KubeObject;
  free: Amounts;
  used: Amounts;
  alloc: Amounts;
  ports: Set<string>;
  /** Pods per owner uid on the node (for spreading). */
  owners: Map<string, number>;
  pods: number;
}

function hostPorts(p: KubeObject): string[] {
  const out: string[] = [];
  for (const c of p.spec?.containers ?? []) for (const port of c.ports ?? []) if (port.hostPort) out.push(`${port.protocol ?? 'TCP'}/${port.hostPort}`);
  return out;
}

/** Why a node does not fit (the reason counted in the FailedScheduling message), or undefined. */
function misfit(pod: KubeObject, req: Amounts, s: NodeSlot): string | undefined {
  const n = s.node;
  if (n.metadata.deletionTimestamp) return 'node(s) were being deleted';
  if (n.spec?.unschedulable && !tolerates(pod.spec?.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return 'node(s) were unschedulable';
  for (const t of n.spec?.taints ?? []) {
    if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
    if (!tolerates(pod.spec?.tolerations, t)) return `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
  }
  if (!nodeReady(n)) return 'node(s) were not ready';
  if (!nodeSelectorMatches(pod, n)) return "node(s) didn't match Pod's node affinity/selector";
  for (const hp of hostPorts(pod)) if (s.ports.has(hp)) return "node(s) didn't have free ports for the requested pod ports";
  if (s.free.pods < 1) return 'Too many pods';
  if (req.cpu > s.free.cpu) return 'Insufficient cpu';
  if (req.memory > s.free.memory) return 'Insufficient memory';
  return undefined;
}

function score(pod: KubeObject, req: Amounts, s: NodeSlot): number {
  // LeastAllocated (cpu and memory after placing the pod) plus spreading pods of the same owner.
  const cpu = s.alloc.cpu ? (s.free.cpu - req.cpu) / s.alloc.cpu : 0;
  const mem = s.alloc.memory ? (s.free.memory - req.memory) / s.alloc.memory : 0;
  const owner = controllerOf(pod)?.uid;
  const same = owner ? (s.owners.get(owner) ?? 0) : 0;
  return (cpu + mem) * 50 - same * 100 - s.pods * 0.01;
}

/** podMaxInUnschedulablePodsDuration: the longest an unschedulable pod waits for its next try. */
const MAX_UNSCHEDULABLE_MS = 5 * 60_000;

/** What the scheduler remembers of a cluster between runs (this process only: a restart tries every pod again). */
interface Memory {
  /** Per node: what decides fitting besides its pods, and the room left on it. */
  nodes: Map<string, { fixed: string; free: Amounts }>;
  /** Unschedulable pods (uid): wall ms of their last try. */
  tried: Map<string, number>;
}
const memories = new Map<string, Memory>();

const fixedOf = (n: KubeObject) =>
  JSON.stringify([n.status?.allocatable, nodeReady(n), n.spec?.unschedulable === true, n.spec?.taints ?? [], n.metadata.labels ?? {}, n.metadata.deletionTimestamp ?? null]);

/** Whether the cluster changed since the last run in a way that may let an unschedulable pod fit now. */
function mayHelp(prev: Memory | undefined, slots: Map<string, NodeSlot>): { helps: boolean; nodes: Memory['nodes'] } {
  const nodes: Memory['nodes'] = new Map();
  let helps = prev === undefined;
  for (const [name, s] of slots) {
    const fixed = fixedOf(s.node);
    nodes.set(name, { fixed, free: { ...s.free } });
    const before = prev?.nodes.get(name);
    if (!before || before.fixed !== fixed || s.free.cpu > before.free.cpu || s.free.memory > before.free.memory || s.free.pods > before.free.pods) helps = true;
  }
  return { helps, nodes };
}

export const schedulerController: Controller = {
  name: 'scheduler',
  watches: ['core/pods', 'core/nodes'],
  async run(ctx) {
    const pods = ctx.list('core/pods');
    const pending = pods.filter(
      (p) =>
        !p.spec?.nodeName && !p.metadata.deletionTimestamp && (p.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler' && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
    );
    if (!pending.length) {
      memories.delete(ctx.cluster);
      return;
    }
    const slots = new Map<string, NodeSlot>();
    for (const n of ctx.list('core/nodes')) {
      const alloc = nodeAllocatable(n);
      slots.set(n.metadata.name!, { node: n, alloc, free: { ...alloc }, used: { cpu: 0, memory: 0, pods: 0 }, ports: new Set(), owners: new Map(), pods: 0 });
    }
    const place = (s: NodeSlot, p: KubeObject, req: Amounts) => {
      s.free.cpu -= req.cpu;
      s.free.memory -= req.memory;
      s.free.pods -= 1;
      s.pods++;
      for (const hp of hostPorts(p)) s.ports.add(hp);
      const owner = controllerOf(p)?.uid;
      if (owner) s.owners.set(owner, (s.owners.get(owner) ?? 0) + 1);
    };
    for (const p of pods) {
      const s = p.spec?.nodeName ? slots.get(p.spec.nodeName) : undefined;
      if (!s || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      place(s, p, podRequests(p));
    }
    const prev = memories.get(ctx.cluster);
    const { helps, nodes } = mayHelp(prev, slots);
    const memory: Memory = { nodes, tried: new Map() };
    memories.set(ctx.cluster, memory);
    const period = ctx.timeout(MAX_UNSCHEDULABLE_MS);
    let nextTry = Infinity;
    // Higher priority first, then oldest.
    pending.sort((a, b) => Number(b.spec?.priority ?? 0) - Number(a.spec?.priority ?? 0) || String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
    const changes: BatchChange[] = [];
    const time = nowTime(ctx.now);
    const all = [...slots.values()];
    for (const pod of pending) {
      const req = podRequests(pod);
      let best: NodeSlot | undefined;
      let bestScore = -Infinity;
      const reasons = new Map<string, number>();
      for (const s of all) {
        const why = misfit(pod, req, s);
        if (why) {
          reasons.set(why, (reasons.get(why) ?? 0) + 1);
          continue;
        }
        const sc = score(pod, req, s);
        if (sc > bestScore || (sc === bestScore && best && s.node.metadata.name! < best.node.metadata.name!)) {
          best = s;
          bestScore = sc;
        }
      }
      // Copies of what changes; the rest is the stored pod's (never changed).
      const next: KubeObject = { ...pod, spec: { ...pod.spec } };
      const conds = ((next.status?.conditions ?? []) as any[]).filter((c) => c.type !== 'PodScheduled');
      if (best) {
        place(best, pod, req);
        next.spec.nodeName = best.node.metadata.name;
        next.status = { ...(next.status ?? {}), conditions: [...conds, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: time }] };
        changes.push({ verb: 'update', def: PODS, namespace: pod.metadata.namespace!, object: next, whole: true, owned: true, fieldManager: 'kube-scheduler', tolerate: [404, 409, 422] });
        ctx.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${best.node.metadata.name}`, 'default-scheduler');
      } else {
        const total = all.length;
        // As the scheduler writes them: "<count> <reason>" strings, sorted.
        const parts = [...reasons].map(([why, n]) => `${n} ${why}`).sort();
        const msg =
          total === 0
            ? 'no nodes available to schedule pods'
            : `0/${total} nodes are available: ${parts.join(', ')}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
        const uid = pod.metadata.uid ?? pod.metadata.name!;
        const last = prev?.tried.get(uid);
        const cond = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
        if (cond?.status === 'False' && cond.message === msg) {
          // Tried again (the same answer: only the event is recorded again) when the cluster changed in a way that
          // may help or the pod waited long enough; else it waits.
          if (helps || last === undefined || ctx.now - last >= period) {
            memory.tried.set(uid, ctx.now);
            ctx.event(pod, 'Warning', 'FailedScheduling', msg, 'default-scheduler');
          } else memory.tried.set(uid, last);
          nextTry = Math.min(nextTry, memory.tried.get(uid)! + period);
          continue;
        }
        memory.tried.set(uid, ctx.now);
        nextTry = Math.min(nextTry, ctx.now + period);
        next.status = {
          ...(next.status ?? {}),
          phase: 'Pending',
          conditions: [...conds, { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: time, reason: 'Unschedulable', message: msg }],
        };
        changes.push({ verb: 'update', def: PODS, namespace: pod.metadata.namespace!, object: next, subresource: 'status', owned: true, fieldManager: 'kube-scheduler', tolerate: [404, 409] });
        ctx.event(pod, 'Warning', 'FailedScheduling', msg, 'default-scheduler');
      }
    }
    if (Number.isFinite(nextTry)) ctx.afterWall(Math.max(0, nextTry - ctx.now));
    if (changes.length) await ctx.commit(changes);
  },
};
