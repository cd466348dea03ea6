// Helpers the controllers share: owner references, pods from templates, pod readiness, resource amounts,
// template hashes, tolerations and node selection terms.

import { clone, hashSuffix, isObj, nowTime, type KubeObject, type OwnerReference } from '../model.js';
import { canonical } from '../kinds/pod.js';
import { parseQuantity } from '../kinds/validation.js';
import { selectorMatches } from '../selectors.js';

export function ownerRef(o: KubeObject, controller = true): OwnerReference {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name!, uid: o.metadata.uid!, controller, blockOwnerDeletion: true };
}

export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return (o.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

export function isControlledBy(o: KubeObject, owner: KubeObject): boolean {
  return controllerOf(o)?.uid === owner.metadata.uid;
}

/** Objects of a namespace the owner controls (by uid). */
export function owned(list: KubeObject[], owner: KubeObject): KubeObject[] {
  return list.filter((o) => isControlledBy(o, owner));
}

export function isTerminating(o: KubeObject): boolean {
  return !!o.metadata.deletionTimestamp;
}

export function podReady(p: KubeObject): boolean {
  return (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** Ready for at least minReadySeconds. */
export function podAvailable(p: KubeObject, minReadySeconds: number, now: number): boolean {
  const c = (p.status?.conditions ?? []).find((x: any) => x.type === 'Ready' && x.status === 'True');
  if (!c) return false;
  if (!minReadySeconds) return true;
  return now - Date.parse(c.lastTransitionTime) >= minReadySeconds * 1000;
}

export function podActive(p: KubeObject): boolean {
  return !isTerminating(p) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

/** The pod-template-hash of a template (stable across restarts, changes with any template change). */
export function templateHash(template: unknown, collisionCount = 0): string {
  return hashSuffix(`${canonical(stripHashLabel(template))}|${collisionCount}`, 10);
}

export function stripHashLabel(template: unknown): unknown {
  if (!isObj(template)) return template;
  const t = clone(template) as Record<string, any>;
  if (isObj(t.metadata?.labels)) {
    delete t.metadata.labels['pod-template-hash'];
    delete t.metadata.labels['controller-revision-hash'];
    delete t.metadata.labels['pod-template-generation'];
  }
  if (t.metadata && 'creationTimestamp' in t.metadata) delete t.metadata.creationTimestamp;
  return t;
}

export function sameTemplate(a: unknown, b: unknown): boolean {
  return canonical(stripHashLabel(a)) === canonical(stripHashLabel(b));
}

/** A pod object from a template (the API server fills the rest when it is created). */
export function podFromTemplate(template: any, owner: KubeObject, name: { name?: string; generateName?: string }, extraLabels: Record<string, string> = {}): KubeObject {
  const t = clone(template ?? {});
  const meta: Record<string, unknown> = {
    ...(name.name ? { name: name.name } : { generateName: name.generateName }),
    namespace: owner.metadata.namespace,
    labels: { ...(t.metadata?.labels ?? {}), ...extraLabels },
    ownerReferences: [ownerRef(owner)],
  };
  if (t.metadata?.annotations && Object.keys(t.metadata.annotations).length) meta.annotations = t.metadata.annotations;
  if (t.metadata?.finalizers) meta.finalizers = t.metadata.finalizers;
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: t.spec ?? {} } as KubeObject;
}

// ---- resources --------------------------------------------------------------------------------------------

export interface Amounts {
  cpu: number; // millicores
  memory: number; // bytes
  pods: number;
}

export function quantityMilli(q: unknown): number {
  const v = parseQuantity(q);
  return v === undefined ? 0 : Math.round(v * 1000);
}

export function quantityBytes(q: unknown): number {
  const v = parseQuantity(q);
  return v === undefined ? 0 : Math.round(v);
}

/** What a pod asks for (containers summed; the largest init container if bigger), as the scheduler counts it. */
export function podRequests(pod: KubeObject): Amounts {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    cpu += quantityMilli(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu);
    memory += quantityBytes(c.resources?.requests?.memory ?? c.resources?.limits?.memory);
  }
  for (const c of pod.spec?.initContainers ?? []) {
    cpu = Math.max(cpu, quantityMilli(c.resources?.requests?.cpu));
    memory = Math.max(memory, quantityBytes(c.resources?.requests?.memory));
  }
  for (const [k, v] of Object.entries(pod.spec?.overhead ?? {})) {
    if (k === 'cpu') cpu += quantityMilli(v);
    if (k === 'memory') memory += quantityBytes(v);
  }
  return { cpu, memory, pods: 1 };
}

export function nodeAllocatable(node: KubeObject): Amounts {
  const a = node.status?.allocatable ?? {};
  return { cpu: quantityMilli(a.cpu ?? '0'), memory: quantityBytes(a.memory ?? '0'), pods: Number(a.pods ?? 110) };
}

export function nodeReady(node: KubeObject): boolean {
  return (node.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

// ---- taints, tolerations, node selection ---------------------------------------------------------------------

export function tolerates(tolerations: any[] | undefined, taint: any): boolean {
  return (tolerations ?? []).some((t) => {
    if (!isObj(t)) return false;
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key === undefined || t.key === '') return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    if (t.operator === 'Exists') return true;
    return (t.value ?? '') === (taint.value ?? '');
  });
}

/**
 * A NoExecute taint's time left (wall ms) for a toleration with tolerationSeconds (Infinity when tolerated
 * forever, 0 when not at all); `scaled` turns simulated ms into wall ms (the emulator's time scale).
 */
export function tolerationLeft(tolerations: any[] | undefined, taint: any, now: number, scaled: (ms: number) => number = (ms) => ms): number {
  let best = 0;
  for (const t of tolerations ?? []) {
    if (!tolerates([t], taint)) continue;
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) return Infinity;
    const added = Date.parse(taint.timeAdded ?? '') || now;
    best = Math.max(best, added + scaled(Number(t.tolerationSeconds) * 1000) - now);
  }
  return best;
}

function expressionMatches(e: any, value: string | undefined): boolean {
  const vals: string[] = e.values ?? [];
  switch (e.operator) {
    case 'In':
      return value !== undefined && vals.includes(value);
    case 'NotIn':
      return value === undefined || !vals.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(vals[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(vals[0]);
    default:
      return false;
  }
}

/** A node selector term (matchExpressions on labels, matchFields on metadata.name). */
export function termMatches(term: any, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const e of term?.matchExpressions ?? []) if (!expressionMatches(e, labels[e.key])) return false;
  for (const e of term?.matchFields ?? []) if (!expressionMatches(e, e.key === 'metadata.name' ? node.metadata.name : undefined)) return false;
  return true;
}

export function nodeSelectorMatches(pod: KubeObject, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms: any[] = req?.nodeSelectorTerms ?? [];
  if (terms.length && !terms.some((t) => termMatches(t, node))) return false;
  return true;
}

export { selectorMatches, nowTime };
