// The horizontal pod autoscaler of kube-controller-manager (pkg/controller/podautoscaler), for clusters
// without a metrics API (no metrics.k8s.io is served, as on a cluster without metrics-server): each pass reads
// the target's scale; a target outside [minReplicas, maxReplicas] is scaled to the nearest bound
// (SuccessfulRescale); inside, the metrics cannot be read, so ScalingActive is False with
// FailedGetResourceMetric (the same messages and events the real controller gives) and the replicas stay as
// they are. A target with zero replicas disables scaling (ScalingDisabled); a missing target is FailedGetScale.
// It runs when an HPA or a workload changes and every 15 simulated seconds (the sync period; not at
// --time-scale 0, where only changes wake it).

import type { BatchChange } from '../api.js';
import { BUILTINS } from '../kinds/index.js';
import { nowTime, type KubeObject } from '../model.js';
import type { ResourceDef } from '../kinds/registry.js';
import type { Controller, ControllerContext } from './runtime.js';

const HPAS = BUILTINS.get('autoscaling', 'v2', 'horizontalpodautoscalers')!;
const SYNC_MS = 15_000;
const COMPONENT = 'horizontal-pod-autoscaler';

/** Scale targets the controller knows (apps/v1 workloads with a scale subresource). */
const TARGETS: Record<string, { gr: string; def: ResourceDef }> = {
  Deployment: { gr: 'apps/deployments', def: BUILTINS.get('apps', 'v1', 'deployments')! },
  ReplicaSet: { gr: 'apps/replicasets', def: BUILTINS.get('apps', 'v1', 'replicasets')! },
  StatefulSet: { gr: 'apps/statefulsets', def: BUILTINS.get('apps', 'v1', 'statefulsets')! },
};

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/** setCondition: the transition time moves only when the status does. */
function setCondition(conditions: Condition[], c: Condition, time: string): Condition[] {
  const old = conditions.find((x) => x.type === c.type);
  const next = { type: c.type, status: c.status, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : time, reason: c.reason, message: c.message };
  return old ? conditions.map((x) => (x === old ? next : x)) : [...conditions, next];
}

/** Why a metric cannot be read: the resource metrics API is not served (the real controller's wording). */
function metricError(m: any): { reason: string; detail: string; wrapped: string } {
  const api = 'unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)';
  switch (m?.type) {
    case 'Resource': {
      const r = m.resource?.name ?? 'cpu';
      const inner =
        m.resource?.target?.type === 'Utilization'
          ? `failed to get ${r} utilization: unable to get metrics for resource ${r}: ${api}`
          : `failed to get ${r} usage: unable to get metrics for resource ${r}: ${api}`;
      return { reason: 'FailedGetResourceMetric', detail: inner, wrapped: `failed to get ${r} resource metric value: ${inner}` };
    }
    case 'ContainerResource': {
      const r = m.containerResource?.name ?? 'cpu';
      const inner = `failed to get ${r} utilization: unable to get metrics for resource ${r}: ${api}`;
      return { reason: 'FailedGetContainerResourceMetric', detail: inner, wrapped: `failed to get ${r} container metric value: ${inner}` };
    }
    case 'Pods': {
      const n = m.pods?.metric?.name ?? '';
      const inner = `unable to get metric ${n}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`;
      return { reason: 'FailedGetPodsMetric', detail: inner, wrapped: `failed to get pods metric value: ${inner}` };
    }
    case 'Object': {
      const n = m.object?.metric?.name ?? '';
      const inner = `unable to get metric ${n}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`;
      return { reason: 'FailedGetObjectMetric', detail: inner, wrapped: `failed to get object metric value: ${inner}` };
    }
    default: {
      const n = m?.external?.metric?.name ?? '';
      const inner = `unable to get external metric ${n}: unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered`;
      return { reason: 'FailedGetExternalMetric', detail: inner, wrapped: `failed to get external metric value: ${inner}` };
    }
  }
}

/** When each HPA last reported its metric failure (per process): once per sync period, or when its status changes. */
const reported = new Map<string, number>();

function reconcile(ctx: ControllerContext, hpa: KubeObject, changes: BatchChange[]): void {
  const ns = hpa.metadata.namespace!;
  const spec = hpa.spec ?? {};
  const time = nowTime(ctx.now);
  const old = hpa.status ?? {};
  let conditions: Condition[] = Array.isArray(old.conditions) ? old.conditions : [];
  const status: Record<string, unknown> = { ...old };
  const events: [type: 'Normal' | 'Warning', reason: string, message: string][] = [];
  const ref = spec.scaleTargetRef ?? {};
  const target = TARGETS[ref.kind];
  const group = String(ref.apiVersion ?? '').split('/')[0];
  const obj = target && (group === 'apps' || ref.apiVersion === undefined) ? ctx.get(target.gr, ns, ref.name) : undefined;
  if (!obj) {
    const plural = target ? target.def.resource : `${String(ref.kind ?? '').toLowerCase()}s`;
    const why = target ? `${plural}/scale.apps "${ref.name}" not found` : `no matches for kind "${ref.kind}" in group "${group}"`;
    events.push(['Warning', 'FailedGetScale', why]);
    conditions = setCondition(conditions, { type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${why}` }, time);
  } else {
    conditions = setCondition(conditions, { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" }, time);
    const current = Number(obj.spec?.replicas ?? 1);
    const min = Number(spec.minReplicas ?? 1);
    const max = Number(spec.maxReplicas ?? 1);
    let desired = current;
    let why = '';
    if (current === 0 && min !== 0) {
      desired = 0;
      conditions = setCondition(conditions, { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' }, time);
      status.currentReplicas = current;
      status.desiredReplicas = 0;
      delete status.currentMetrics;
    } else if (current > max) {
      desired = max;
      why = 'Current number of replicas above Spec.MaxReplicas';
    } else if (current < min) {
      desired = min;
      why = 'Current number of replicas below Spec.MinReplicas';
    } else {
      // the metrics: none can be read on a cluster without a metrics API
      const metrics: any[] = Array.isArray(spec.metrics) ? spec.metrics : [];
      const errors = metrics.map(metricError);
      if (errors.length) {
        const first = errors[0];
        conditions = setCondition(conditions, { type: 'ScalingActive', status: 'False', reason: first.reason, message: `the HPA was unable to compute the replica count: ${first.detail}` }, time);
        for (const e of errors) events.push(['Warning', e.reason, e.detail]);
        events.push(['Warning', 'FailedComputeMetricsReplicas', `invalid metrics (${errors.length} invalid out of ${errors.length}), first error is: ${first.wrapped}`]);
        // setCurrentReplicasAndMetricsInStatus: the current count and an empty status per metric; desired stays
        status.currentReplicas = current;
        status.currentMetrics = metrics.map(() => ({ type: '' }));
      }
    }
    if (why) {
      const next = { ...obj, spec: { ...obj.spec, replicas: desired } };
      changes.push({ verb: 'update', def: target.def, namespace: ns, object: next, subresource: 'scale', owned: true, fieldManager: 'kube-controller-manager', tolerate: [404, 409] });
      conditions = setCondition(conditions, { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` }, time);
      events.push(['Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${why}`]);
      status.currentReplicas = current;
      status.desiredReplicas = desired;
      status.lastScaleTime = time;
      delete status.currentMetrics;
    }
  }
  status.conditions = conditions;
  if (status.desiredReplicas === undefined) status.desiredReplicas = 0;
  const changed = JSON.stringify(status) !== JSON.stringify(old);
  const key = `${ctx.cluster}/${hpa.metadata.uid}`;
  const period = ctx.timeout(SYNC_MS);
  const last = reported.get(key);
  if (changed || (Number.isFinite(period) && (last === undefined || ctx.now - last >= period))) {
    for (const [type, reason, message] of events) ctx.event(hpa, type, reason, message, COMPONENT);
    if (reported.size > 10_000) reported.clear();
    reported.set(key, ctx.now);
  }
  if (changed)
    changes.push({
      verb: 'update',
      def: HPAS,
      namespace: ns,
      object: { ...hpa, status },
      subresource: 'status',
      whole: true,
      owned: true,
      fieldManager: 'kube-controller-manager',
      tolerate: [404, 409],
    });
}

export const horizontalPodAutoscaler: Controller = {
  name: 'horizontalpodautoscaling',
  watches: ['autoscaling/horizontalpodautoscalers', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets'],
  async run(ctx) {
    const hpas = ctx.list('autoscaling/horizontalpodautoscalers').filter((h) => !h.metadata.deletionTimestamp);
    if (!hpas.length) return;
    const changes: BatchChange[] = [];
    for (const hpa of hpas) reconcile(ctx, hpa, changes);
    await ctx.commit(changes);
    // the sync period (none at --time-scale 0: changes wake it)
    if (Number.isFinite(ctx.timeout(SYNC_MS))) ctx.after(SYNC_MS);
  },
};
