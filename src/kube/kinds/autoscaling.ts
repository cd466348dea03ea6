// HorizontalPodAutoscalers in their two served versions: autoscaling/v2 is stored (and preferred), autoscaling/v1
// (what `kubectl autoscale` 1.32 creates) is a view of the same object, converted both ways as the API server's
// conversion does: v1's targetCPUUtilizationPercentage is v2's CPU Utilization metric; what v1 cannot say (other
// metrics, their current values, conditions, behavior) travels in the autoscaling.alpha.kubernetes.io
// annotations, so a v1 read-modify-write loses nothing.

import { isObj, type KubeObject } from '../model.js';
import type { StatusCause } from '../status.js';
import type { ResourceDef } from './registry.js';
import { invalid, required } from './validation.js';

const DEFAULT_CPU_UTILIZATION = 80;
const METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';

const isCpu = (m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu';
const cpuUtilization = (m: any) => isCpu(m) && m.resource?.target?.type === 'Utilization' && typeof m.resource.target.averageUtilization === 'number';

/** v2 defaults (pkg/apis/autoscaling/v2/defaults.go): one replica at least, CPU at 80% when no metric is named. */
export function hpaDefaults(o: KubeObject): void {
  if (!isObj(o.spec)) return;
  o.spec.minReplicas ??= 1;
  // desiredReplicas is declared without omitempty (v2): it reads 0 until the autoscaler sets it
  // (a new status object: the one given may be the stored object's, which is never changed)
  if (isObj(o.status) && o.status.desiredReplicas === undefined) o.status = { ...o.status, desiredReplicas: 0 };
  if (!Array.isArray(o.spec.metrics) || o.spec.metrics.length === 0) {
    o.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
}

/** The checks of pkg/apis/autoscaling/validation that users meet. */
export function hpaValidate(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const s = o.spec ?? {};
  if (!s.scaleTargetRef?.kind) out.push(required('spec.scaleTargetRef.kind'));
  if (!s.scaleTargetRef?.name) out.push(required('spec.scaleTargetRef.name'));
  if (typeof s.minReplicas === 'number' && s.minReplicas < 1) out.push(invalid('spec.minReplicas', s.minReplicas, 'must be greater than or equal to 1'));
  if (typeof s.maxReplicas !== 'number' || s.maxReplicas < 1) out.push(invalid('spec.maxReplicas', s.maxReplicas ?? 0, 'must be greater than or equal to 1'));
  else if (typeof s.minReplicas === 'number' && s.maxReplicas < s.minReplicas) out.push(invalid('spec.maxReplicas', s.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  return out;
}

function takeJson(ann: Record<string, string> | undefined, key: string): any {
  const v = ann?.[key];
  if (v === undefined) return undefined;
  delete ann![key];
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** An autoscaling/v1 object (a copy the caller owns) in the stored v2 shape. */
export function hpaV1ToV2(o: KubeObject): KubeObject {
  const ann = isObj(o.metadata?.annotations) ? (o.metadata.annotations as Record<string, string>) : undefined;
  const other = takeJson(ann, METRICS);
  const current = takeJson(ann, CURRENT_METRICS);
  const conditions = takeJson(ann, CONDITIONS);
  const behavior = takeJson(ann, BEHAVIOR);
  if (ann && Object.keys(ann).length === 0) delete o.metadata.annotations;
  const v1 = isObj(o.spec) ? o.spec : {};
  const spec: Record<string, unknown> = { scaleTargetRef: v1.scaleTargetRef };
  if (v1.minReplicas !== undefined) spec.minReplicas = v1.minReplicas;
  if (v1.maxReplicas !== undefined) spec.maxReplicas = v1.maxReplicas;
  const metrics: any[] = [];
  if (typeof v1.targetCPUUtilizationPercentage === 'number')
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: v1.targetCPUUtilizationPercentage } } });
  if (Array.isArray(other)) metrics.push(...other.filter((m) => !cpuUtilization(m)));
  if (metrics.length) spec.metrics = metrics;
  if (isObj(behavior)) spec.behavior = behavior;
  const out: KubeObject = { ...o, apiVersion: 'autoscaling/v2', spec };
  if (isObj(o.status)) {
    const s1 = o.status;
    const status: Record<string, unknown> = {};
    for (const k of ['observedGeneration', 'lastScaleTime', 'currentReplicas', 'desiredReplicas']) if (s1[k] !== undefined) status[k] = s1[k];
    if (Array.isArray(current)) status.currentMetrics = current;
    else if (typeof s1.currentCPUUtilizationPercentage === 'number')
      status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: s1.currentCPUUtilizationPercentage } } }];
    if (Array.isArray(conditions)) status.conditions = conditions;
    out.status = status;
  }
  return out;
}

/** The stored v2 object as autoscaling/v1 shows it (a new object; the stored one is never changed). */
export function hpaV2ToV1(o: KubeObject): KubeObject {
  const spec = o.spec ?? {};
  const metrics: any[] = Array.isArray(spec.metrics) ? spec.metrics : [];
  const cpu = metrics.find(isCpu);
  const other = metrics.filter((m) => !cpuUtilization(m));
  const ann: Record<string, string> = { ...(o.metadata.annotations ?? {}) };
  if (other.length) ann[METRICS] = JSON.stringify(other);
  const st = o.status ?? {};
  if (Array.isArray(st.currentMetrics) && st.currentMetrics.length) ann[CURRENT_METRICS] = JSON.stringify(st.currentMetrics);
  if (Array.isArray(st.conditions) && st.conditions.length) ann[CONDITIONS] = JSON.stringify(st.conditions);
  if (isObj(spec.behavior)) ann[BEHAVIOR] = JSON.stringify(spec.behavior);
  const metadata = Object.keys(ann).length ? { ...o.metadata, annotations: ann } : o.metadata;
  const v1spec: Record<string, unknown> = { scaleTargetRef: spec.scaleTargetRef };
  if (spec.minReplicas !== undefined) v1spec.minReplicas = spec.minReplicas;
  if (spec.maxReplicas !== undefined) v1spec.maxReplicas = spec.maxReplicas;
  if (cpuUtilization(cpu)) v1spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const out: KubeObject = { ...o, apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec: v1spec };
  if (o.status !== undefined) {
    const status: Record<string, unknown> = {};
    for (const k of ['observedGeneration', 'lastScaleTime']) if (st[k] !== undefined) status[k] = st[k];
    // v1 declares both without omitempty: a fresh HPA reads 0 (python3-kubernetes refuses a missing one)
    status.currentReplicas = st.currentReplicas ?? 0;
    status.desiredReplicas = st.desiredReplicas ?? 0;
    const cur = (Array.isArray(st.currentMetrics) ? st.currentMetrics : []).find(isCpu);
    if (typeof cur?.resource?.current?.averageUtilization === 'number') status.currentCPUUtilizationPercentage = cur.resource.current.averageUtilization;
    out.status = status;
  }
  return out;
}

/** autoscaling/v1 HorizontalPodAutoscalers: the v2 resource's columns, another shape. */
export function hpaV1(v2: ResourceDef): ResourceDef {
  const { defaults: _d, validate: _v, ...rest } = v2;
  void _d;
  void _v;
  return {
    ...rest,
    version: 'v1',
    schema: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
    convert: { storageVersion: v2.version, toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
  };
}

/**
 * The TARGETS cell of `kubectl get hpa` (the API server's printer): "cpu: <unknown>/80%" until the autoscaler
 * reports a current value (resource metrics carry their name from Kubernetes 1.30; before, "<unknown>/80%");
 * two metrics at most, then "+ N more...".
 */
export function hpaTargets(o: KubeObject, kubernetesVersion?: string): string {
  const [major, minor] = (kubernetesVersion ?? '').replace(/^v/, '').split('.').map(Number);
  const named = !kubernetesVersion || major > 1 || (major === 1 && minor >= 30) || !Number.isFinite(minor);
  const specs: any[] = Array.isArray(o.spec?.metrics) ? o.spec.metrics : [];
  if (!specs.length) return '<none>';
  const statuses: any[] = Array.isArray(o.status?.currentMetrics) ? o.status.currentMetrics : [];
  const q = (v: unknown) => (v === undefined || v === null ? '<unknown>' : String(v));
  const list = specs.map((s, i) => {
    const st = statuses[i];
    const pair = (cur: unknown, target: unknown, avg = false) => `${cur === undefined ? '<unknown>' : q(cur)}/${q(target)}${avg ? ' (avg)' : ''}`;
    switch (s?.type) {
      case 'External':
        return s.external?.target?.averageValue !== undefined
          ? pair(st?.external?.current?.averageValue, s.external.target.averageValue, true)
          : pair(st?.external ? st.external.current?.value : undefined, s.external?.target?.value);
      case 'Pods':
        return pair(st?.pods ? st.pods.current?.averageValue : undefined, s.pods?.target?.averageValue);
      case 'Object':
        return s.object?.target?.averageValue !== undefined
          ? pair(st?.object?.current?.averageValue, s.object.target.averageValue, true)
          : pair(st?.object ? st.object.current?.value : undefined, s.object?.target?.value);
      case 'Resource':
      case 'ContainerResource': {
        const r = s.type === 'Resource' ? s.resource : s.containerResource;
        const cur = s.type === 'Resource' ? st?.resource : st?.containerResource;
        const name = named ? `${r?.name}: ` : '';
        if (r?.target?.averageValue !== undefined) return `${name}${pair(cur ? cur.current?.averageValue : undefined, r.target.averageValue)}`;
        const now = typeof cur?.current?.averageUtilization === 'number' ? `${cur.current.averageUtilization}%` : '<unknown>';
        const target = typeof r?.target?.averageUtilization === 'number' ? `${r.target.averageUtilization}%` : '<auto>';
        return `${name}${now}/${target}`;
      }
      default:
        return '<unknown type>';
    }
  });
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
}
