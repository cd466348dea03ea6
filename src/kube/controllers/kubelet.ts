// The nodes' side of pods: what the kubelets would report (an IP from the node's pod CIDR, containers
// created after a simulated image pull and start, Running and Ready, a job's containers Completed after a
// simulated run, containers restarted when their node reboots, a deleted pod gone after it stopped),
// the node lifecycle controller (pods on a node that is not ready are marked NotReady, and evicted once
// their toleration of the node's NoExecute taint runs out) and pod garbage collection (pods bound to a
// node that no longer exists). Containers run nothing: their images are not pulled, only their states are.

import type { BatchChange } from '../api.js';
import { BUILTINS } from '../kinds/index.js';
import { hashSuffix, nowTime, type KubeObject } from '../model.js';
import { intToIp, ipToInt, parseCidr } from '../net.js';
import type { Controller } from './runtime.js';
import { isTerminating, nodeReady, tolerationLeft } from './util.js';

const PODS = BUILTINS.get('', 'v1', 'pods')!;

/** Simulated durations (ms at time scale 1). */
export const POD_TIMES = {
  /** Image pull and container start. */
  start: 3_000,
  /** How long a container of a job (restartPolicy OnFailure or Never) runs before it completes. */
  run: 5_000,
  /** A deleted pod's containers stop (at most its grace period). */
  stop: 1_000,
};

const hex = (s: string, n: number) => {
  let out = '';
  let i = 0;
  while (out.length < n)
    out += hashSuffix(`${s}|${i++}`, 10)
      .split('')
      .map((c) => c.charCodeAt(0).toString(16).slice(-1))
      .join('');
  return out.slice(0, n);
};

function containerId(pod: KubeObject, name: string, boot: string, restarts: number): string {
  return `containerd://${hex(`${pod.metadata.uid}/${name}/${boot}/${restarts}`, 64)}`;
}

function imageId(image: string): string {
  const repo = image.split('@')[0].replace(/:[^/:]+$/, '');
  const full = repo.includes('/') ? (repo.split('/')[0].includes('.') ? repo : `docker.io/${repo}`) : `docker.io/library/${repo}`;
  return `${full}@sha256:${hex(image, 64)}`;
}

function fullImage(image: string): string {
  if (image.split('/')[0].includes('.') || image.split('/')[0].includes(':')) return image;
  const withTag = /:[^/]+$/.test(image) || image.includes('@') ? image : `${image}:latest`;
  return withTag.includes('/') ? `docker.io/${withTag}` : `docker.io/library/${withTag}`;
}

const podCond = (type: string, status: string, time: string, extra: Record<string, unknown> = {}) => ({ type, status, lastProbeTime: null, lastTransitionTime: time, ...extra });

function keepTime(prev: any[] | undefined, c: any): any {
  const old = (prev ?? []).find((x) => x.type === c.type);
  return old && old.status === c.status && old.reason === c.reason ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
}

/** A free pod IP on the node (its pod CIDR, or next to its own address without one). */
function podIp(node: KubeObject, used: Set<string>, pod: KubeObject): string {
  if (pod.spec?.hostNetwork) return (node.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '10.224.0.4';
  const cidr = node.spec?.podCIDR as string | undefined;
  let base: number;
  let size: number;
  if (cidr && parseCidr(cidr)) {
    const r = parseCidr(cidr)!;
    base = r[0];
    size = r[1] - r[0];
  } else {
    const ip = (node.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '10.224.0.4';
    base = (ipToInt(ip)! & 0xffffff00) + 0;
    size = 255;
  }
  for (let i = 2; i < size; i++) {
    const ip = intToIp(base + i);
    if (!used.has(ip)) {
      used.add(ip);
      return ip;
    }
  }
  return intToIp(base + 2);
}

function nodeIp(node: KubeObject): string {
  return (node.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '';
}

const bootOf = (node: KubeObject) => String(node.status?.nodeInfo?.bootID ?? '');
const readyCond = (node: KubeObject) => (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
/** The kubelet can act (the node answers), though it may not be ready yet (rebooting). */
const reachable = (node: KubeObject) => readyCond(node)?.status === 'True' || readyCond(node)?.status === 'False';

export const kubeletController: Controller = {
  name: 'kubelet',
  watches: ['core/pods', 'core/nodes'],
  async run(ctx) {
    const now = ctx.now;
    const time = nowTime(now);
    const nodes = new Map(ctx.list('core/nodes').map((n) => [n.metadata.name!, n]));
    const pods = ctx.list('core/pods');
    const usedIps = new Map<string, Set<string>>();
    for (const p of pods) {
      if (!p.spec?.nodeName || !p.status?.podIP) continue;
      let s = usedIps.get(p.spec.nodeName);
      if (!s) usedIps.set(p.spec.nodeName, (s = new Set()));
      s.add(p.status.podIP);
    }
    const changes: BatchChange[] = [];
    let wakeAt = Infinity;
    const wake = (at: number) => {
      if (at < wakeAt) wakeAt = at;
    };
    for (const pod of pods) {
      const nodeName = pod.spec?.nodeName;
      if (!nodeName) continue;
      const node = nodes.get(nodeName);
      if (!node) continue; // pod GC deletes it
      const ns = pod.metadata.namespace!;
      if (isTerminating(pod)) {
        if (!reachable(node)) continue; // stuck Terminating until the node comes back or goes
        const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? 30);
        const asked = Date.parse(pod.metadata.deletionTimestamp!) - grace * 1000;
        const at = asked + ctx.scaled(Math.min(grace * 1000, POD_TIMES.stop));
        if (now >= at) changes.push({ verb: 'delete', def: PODS, namespace: ns, name: pod.metadata.name!, gracePeriodSeconds: 0, tolerate: [404] });
        else wake(at);
        continue;
      }
      const phase = pod.status?.phase ?? 'Pending';
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      if (readyCond(node)?.status === 'Unknown') continue; // the node lifecycle controller's business
      const boot = bootOf(node);
      const kubeletReady = nodeReady(node);
      const restartAlways = (pod.spec?.restartPolicy ?? 'Always') === 'Always';
      // A shallow copy: every change below replaces a field of status (never edits one in place).
      const st: Record<string, any> = { ...(pod.status ?? {}) };
      const prevConds: any[] = pod.status?.conditions ?? [];
      const containers: any[] = pod.spec?.containers ?? [];
      const inits: any[] = pod.spec?.initContainers ?? [];
      if (!st.startTime) {
        // Accepted by the kubelet: an address, containers being created.
        st.startTime = time;
        st.hostIP = nodeIp(node);
        st.hostIPs = [{ ip: st.hostIP }];
        let used = usedIps.get(nodeName);
        if (!used) usedIps.set(nodeName, (used = new Set()));
        st.podIP = podIp(node, used, pod);
        st.podIPs = [{ ip: st.podIP }];
        st.phase = 'Pending';
        if (inits.length)
          st.initContainerStatuses = inits.map((c) => ({
            name: c.name,
            image: fullImage(c.image),
            imageID: '',
            ready: false,
            restartCount: 0,
            started: false,
            state: { waiting: { reason: 'PodInitializing' } },
          }));
        st.containerStatuses = containers.map((c) => ({
          name: c.name,
          image: fullImage(c.image),
          imageID: '',
          ready: false,
          restartCount: 0,
          started: false,
          state: { waiting: { reason: 'ContainerCreating' } },
          lastState: {},
        }));
        st.conditions = [
          podCond('PodReadyToStartContainers', 'False', time),
          podCond(
            'Initialized',
            inits.length ? 'False' : 'True',
            time,
            inits.length ? { reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${inits.map((c) => c.name).join(' ')}]` } : {},
          ),
          podCond('Ready', 'False', time, { reason: 'ContainersNotReady', message: `containers with unready status: [${containers.map((c) => c.name).join(' ')}]` }),
          podCond('ContainersReady', 'False', time, { reason: 'ContainersNotReady', message: `containers with unready status: [${containers.map((c) => c.name).join(' ')}]` }),
          ...prevConds.filter((c) => c.type === 'PodScheduled'),
        ];
        for (const c of containers) ctx.event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`, 'kubelet');
        changes.push({ verb: 'update', def: PODS, namespace: ns, object: { ...pod, status: st }, subresource: 'status', fieldManager: 'kubelet', owned: true, tolerate: [404, 409] });
        wake(now + ctx.scaled(POD_TIMES.start));
        continue;
      }
      if (!kubeletReady) continue; // rebooting: containers wait
      const startAt = Date.parse(st.startTime) + ctx.scaled(POD_TIMES.start);
      const statuses: any[] = st.containerStatuses ?? [];
      const running = statuses.length > 0 && statuses.every((c) => c.state?.running || c.state?.terminated);
      if (!running) {
        if (now < startAt && statuses.every((c) => c.restartCount === 0)) {
          wake(startAt);
          continue;
        }
        const started = nowTime(now);
        for (const c of containers) {
          ctx.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${c.image}" in 1.2s (1.2s including waiting). Image size: 18520345 bytes.`, 'kubelet');
          ctx.event(pod, 'Normal', 'Created', `Created container ${c.name}`, 'kubelet');
          ctx.event(pod, 'Normal', 'Started', `Started container ${c.name}`, 'kubelet');
        }
        st.initContainerStatuses = inits.length
          ? inits.map((c) => ({
              name: c.name,
              image: fullImage(c.image),
              imageID: imageId(c.image),
              containerID: containerId(pod, c.name, boot, 0),
              ready: true,
              restartCount: 0,
              started: false,
              state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: started, containerID: containerId(pod, c.name, boot, 0) } },
            }))
          : undefined;
        if (!st.initContainerStatuses) delete st.initContainerStatuses;
        st.containerStatuses = containers.map((c) => {
          const prev = statuses.find((x) => x.name === c.name);
          const restarts = Number(prev?.restartCount ?? 0);
          const out: Record<string, unknown> = {
            name: c.name,
            image: fullImage(c.image),
            imageID: imageId(c.image),
            containerID: containerId(pod, c.name, boot, restarts),
            ready: true,
            restartCount: restarts,
            started: true,
            state: { running: { startedAt: started } },
            lastState: prev?.lastState ?? {},
          };
          return out;
        });
        st.phase = 'Running';
        st.conditions = [
          keepTime(prevConds, podCond('PodReadyToStartContainers', 'True', time)),
          keepTime(prevConds, podCond('Initialized', 'True', time)),
          keepTime(prevConds, podCond('Ready', 'True', time)),
          keepTime(prevConds, podCond('ContainersReady', 'True', time)),
          ...prevConds.filter((c) => c.type === 'PodScheduled'),
        ];
        st.qosClass = pod.status?.qosClass;
        changes.push({ verb: 'update', def: PODS, namespace: ns, object: { ...pod, status: st }, subresource: 'status', fieldManager: 'kubelet', owned: true, tolerate: [404, 409] });
        if (!restartAlways) wake(now + ctx.scaled(POD_TIMES.run));
        continue;
      }
      // Running: a node that rebooted restarted its containers.
      const rebooted = statuses.some((c) => c.state?.running && c.containerID !== containerId(pod, c.name, boot, Number(c.restartCount ?? 0)));
      if (rebooted) {
        st.containerStatuses = statuses.map((c) => {
          const restarts = Number(c.restartCount ?? 0) + 1;
          return {
            ...c,
            containerID: containerId(pod, c.name, boot, restarts),
            restartCount: restarts,
            lastState: { terminated: { exitCode: 255, reason: 'Unknown', startedAt: c.state?.running?.startedAt, finishedAt: time, containerID: c.containerID } },
            state: { running: { startedAt: time } },
            ready: true,
          };
        });
        ctx.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.', 'kubelet');
        changes.push({ verb: 'update', def: PODS, namespace: ns, object: { ...pod, status: st }, subresource: 'status', fieldManager: 'kubelet', owned: true, tolerate: [404, 409] });
        continue;
      }
      // Ready again after the node lifecycle controller marked it not ready.
      if (!(prevConds.find((c) => c.type === 'Ready')?.status === 'True') && statuses.every((c) => c.state?.running)) {
        st.conditions = prevConds.map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? podCond(c.type, 'True', time) : c));
        st.containerStatuses = statuses.map((c) => ({ ...c, ready: true }));
        changes.push({ verb: 'update', def: PODS, namespace: ns, object: { ...pod, status: st }, subresource: 'status', fieldManager: 'kubelet', owned: true, tolerate: [404, 409] });
        continue;
      }
      // A job's containers complete.
      if (!restartAlways) {
        const startedAt = Math.max(...statuses.map((c) => Date.parse(c.state?.running?.startedAt ?? st.startTime)));
        const doneAt = startedAt + ctx.scaled(POD_TIMES.run);
        if (now < doneAt) {
          wake(doneAt);
          continue;
        }
        st.containerStatuses = statuses.map((c) => ({
          ...c,
          ready: false,
          started: false,
          state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: c.state?.running?.startedAt, finishedAt: time, containerID: c.containerID } },
        }));
        st.phase = 'Succeeded';
        st.conditions = [
          podCond('PodReadyToStartContainers', 'False', time),
          keepTime(prevConds, podCond('Initialized', 'True', time)),
          podCond('Ready', 'False', time, { reason: 'PodCompleted' }),
          podCond('ContainersReady', 'False', time, { reason: 'PodCompleted' }),
          ...prevConds.filter((c) => c.type === 'PodScheduled'),
        ];
        changes.push({ verb: 'update', def: PODS, namespace: ns, object: { ...pod, status: st }, subresource: 'status', fieldManager: 'kubelet', owned: true, tolerate: [404, 409] });
      }
    }
    if (changes.length) await ctx.commit(changes);
    if (Number.isFinite(wakeAt)) ctx.afterWall(Math.max(0, wakeAt - now));
  },
};

// ---- node lifecycle: pods on nodes that are not ready ----------------------------------------------------------

export const nodeLifecycleController: Controller = {
  name: 'nodelifecycle',
  watches: ['core/nodes', 'core/pods'],
  async run(ctx) {
    const now = ctx.now;
    const time = nowTime(now);
    const changes: BatchChange[] = [];
    let wakeAt = Infinity;
    const nodes = ctx.list('core/nodes');
    const byNode = new Map<string, KubeObject[]>();
    for (const p of ctx.list('core/pods')) {
      if (!p.spec?.nodeName) continue;
      let l = byNode.get(p.spec.nodeName);
      if (!l) byNode.set(p.spec.nodeName, (l = []));
      l.push(p);
    }
    for (const node of nodes) {
      const pods = byNode.get(node.metadata.name!) ?? [];
      const noExec = ((node.spec?.taints ?? []) as any[]).filter((t) => t.effect === 'NoExecute');
      const unknown = readyCond(node)?.status === 'Unknown';
      for (const pod of pods) {
        if (isTerminating(pod) || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
        // Taint-based eviction once the pod's toleration has run out.
        let evictIn = Infinity;
        for (const t of noExec) evictIn = Math.min(evictIn, tolerationLeft(pod.spec?.tolerations, t, now, ctx.scaled));
        if (evictIn <= 0) {
          changes.push({ verb: 'delete', def: PODS, namespace: pod.metadata.namespace!, name: pod.metadata.name!, tolerate: [404] });
          ctx.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`, 'taint-eviction-controller');
          continue;
        }
        if (Number.isFinite(evictIn)) wakeAt = Math.min(wakeAt, now + evictIn);
        // A node that stopped posting status: its pods are not ready.
        if (unknown && (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')) {
          const st = { ...pod.status };
          st.conditions = st.conditions.map((c: any) =>
            c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', lastTransitionTime: time, ...(c.type === 'Ready' ? { reason: 'NodeNotReady' } : {}) } : c,
          );
          st.containerStatuses = (st.containerStatuses ?? []).map((c: any) => ({ ...c, ready: false }));
          changes.push({
            verb: 'update',
            def: PODS,
            namespace: pod.metadata.namespace!,
            object: { ...pod, status: st },
            subresource: 'status',
            fieldManager: 'node-controller',
            owned: true,
            tolerate: [404, 409],
          });
          ctx.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready', 'node-controller');
        }
      }
    }
    // Pods bound to nodes that are gone (garbage collected).
    const names = new Set(nodes.map((n) => n.metadata.name!));
    for (const [nodeName, pods] of byNode) {
      if (names.has(nodeName)) continue;
      for (const p of pods) changes.push({ verb: 'delete', def: PODS, namespace: p.metadata.namespace!, name: p.metadata.name!, gracePeriodSeconds: 0, tolerate: [404] });
    }
    if (changes.length) await ctx.commit(changes);
    if (Number.isFinite(wakeAt)) ctx.afterWall(Math.max(0, wakeAt - now));
  },
};
