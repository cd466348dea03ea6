// The daemon set, stateful set, job and cron job controllers, after kube-controller-manager's: a pod per
// eligible node (scheduled there by node affinity), ordinal pods with their own claims rolled one at a
// time, pods run to completion with the job's conditions, and jobs made on a cron schedule.

import type { BatchChange } from '../api.js';
import { BUILTINS } from '../kinds/index.js';
import { clone, nowTime, randomSuffix, type KubeObject } from '../model.js';
import type { Controller, ControllerContext } from './runtime.js';
import { controllerOf, isControlledBy, isTerminating, nodeReady, nodeSelectorMatches, ownerRef, podActive, podAvailable, podFromTemplate, podReady, templateHash, tolerates } from './util.js';
import { selectorMatches } from '../selectors.js';

const PODS = BUILTINS.get('', 'v1', 'pods')!;
const PVCS = BUILTINS.get('', 'v1', 'persistentvolumeclaims')!;
const DAEMONSETS = BUILTINS.get('apps', 'v1', 'daemonsets')!;
const STATEFULSETS = BUILTINS.get('apps', 'v1', 'statefulsets')!;
const REVISIONS = BUILTINS.get('apps', 'v1', 'controllerrevisions')!;
const JOBS = BUILTINS.get('batch', 'v1', 'jobs')!;
const CRONJOBS = BUILTINS.get('batch', 'v1', 'cronjobs')!;

function changed(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? {}) !== JSON.stringify(b ?? {});
}

/** Pods the owner controls, plus orphans matching its selector (adopted). */
function podsOf(ctx: ControllerContext, owner: KubeObject, changes: BatchChange[]): KubeObject[] {
  const out: KubeObject[] = [];
  for (const p of ctx.list('core/pods', owner.metadata.namespace)) {
    if (isControlledBy(p, owner)) out.push(p);
    else if (!controllerOf(p) && !isTerminating(p) && selectorMatches(owner.spec?.selector, p.metadata.labels ?? {})) {
      const next = clone(p);
      next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), ownerRef(owner)];
      changes.push({ verb: 'update', def: PODS, namespace: p.metadata.namespace!, object: next, tolerate: [404, 409] });
      out.push(next);
    }
  }
  return out;
}

/** The controller revision of a template (kubectl rollout history of daemon and stateful sets reads them). */
function revision(ctx: ControllerContext, owner: KubeObject, hash: string, changes: BatchChange[]): void {
  const name = `${owner.metadata.name}-${hash}`;
  const ns = owner.metadata.namespace!;
  const mine = ctx.list('apps/controllerrevisions', ns).filter((r) => isControlledBy(r, owner));
  const max = Math.max(0, ...mine.map((r) => Number(r.revision ?? 0)));
  const cur = mine.find((r) => r.metadata.name === name);
  if (cur) {
    if (Number(cur.revision) < max) changes.push({ verb: 'update', def: REVISIONS, namespace: ns, object: { ...clone(cur), revision: max + 1 }, tolerate: [404, 409] });
    return;
  }
  changes.push({
    verb: 'create',
    def: REVISIONS,
    namespace: ns,
    object: {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name, namespace: ns, labels: { ...(owner.spec?.selector?.matchLabels ?? {}), 'controller-revision-hash': hash }, ownerReferences: [ownerRef(owner)] },
      data: { spec: { template: { ...clone(owner.spec.template), $patch: 'replace' } } },
      revision: max + 1,
    },
    tolerate: [409],
  });
  // History beyond revisionHistoryLimit goes.
  const limit = Number(owner.spec?.revisionHistoryLimit ?? 10);
  const old = mine.sort((a, b) => Number(a.revision) - Number(b.revision));
  for (const r of old.slice(0, Math.max(0, old.length + 1 - limit - 1))) changes.push({ verb: 'delete', def: REVISIONS, namespace: ns, name: r.metadata.name!, tolerate: [404] });
}

// ---- daemon sets -----------------------------------------------------------------------------------------------

const DS_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

function daemonEligible(ds: KubeObject, node: KubeObject): boolean {
  const probe: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: ds.spec?.template?.spec ?? {} };
  if (!nodeSelectorMatches(probe, node)) return false;
  const tol = [...(ds.spec?.template?.spec?.tolerations ?? []), ...DS_TOLERATIONS];
  for (const t of node.spec?.taints ?? []) {
    if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tol, t)) return false;
  }
  return true;
}

export const daemonSetController: Controller = {
  name: 'daemonset',
  watches: ['apps/daemonsets', 'core/pods', 'core/nodes'],
  async run(ctx) {
    const changes: BatchChange[] = [];
    const now = ctx.now;
    const nodes = ctx.list('core/nodes');
    for (const ds of ctx.list('apps/daemonsets')) {
      if (isTerminating(ds)) continue;
      const ns = ds.metadata.namespace!;
      const hash = templateHash(ds.spec.template);
      revision(ctx, ds, hash, changes);
      const pods = podsOf(ctx, ds, changes).filter(podActive);
      const eligible = nodes.filter((n) => !n.metadata.deletionTimestamp && daemonEligible(ds, n));
      const onNode = new Map<string, KubeObject[]>();
      for (const p of pods) {
        const node = p.spec?.nodeName ?? p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];
        if (!node) continue;
        let l = onNode.get(node);
        if (!l) onNode.set(node, (l = []));
        l.push(p);
      }
      const minReady = Number(ds.spec?.minReadySeconds ?? 0);
      let unavailableBudget = Math.max(1, typeof ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable === 'number' ? ds.spec.updateStrategy.rollingUpdate.maxUnavailable : 1);
      let misscheduled = 0;
      for (const n of eligible) {
        const name = n.metadata.name!;
        const mine = onNode.get(name) ?? [];
        onNode.delete(name);
        if (mine.length === 0) {
          const t = clone(ds.spec.template);
          t.spec = { ...t.spec, tolerations: [...(t.spec?.tolerations ?? []), ...DS_TOLERATIONS.filter((x) => !(t.spec?.tolerations ?? []).some((y: any) => y.key === x.key))] };
          t.spec.affinity = {
            ...(t.spec.affinity ?? {}),
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [name] }] }] } },
          };
          const pod = podFromTemplate(t, ds, { name: `${ds.metadata.name}-${randomSuffix(5)}` }, { 'controller-revision-hash': hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) });
          changes.push({ verb: 'create', def: PODS, namespace: ns, object: pod, tolerate: [409] });
          ctx.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'daemonset-controller');
          continue;
        }
        for (const extra of mine.slice(1)) {
          changes.push({ verb: 'delete', def: PODS, namespace: ns, name: extra.metadata.name!, tolerate: [404] });
          ctx.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${extra.metadata.name}`, 'daemonset-controller');
        }
        // Rolling update: an old pod goes when the budget of unavailable pods allows.
        const p = mine[0];
        if (p.metadata.labels?.['controller-revision-hash'] !== hash && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && unavailableBudget > 0) {
          changes.push({ verb: 'delete', def: PODS, namespace: ns, name: p.metadata.name!, tolerate: [404] });
          ctx.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'daemonset-controller');
          unavailableBudget--;
        } else if (!podAvailable(p, minReady, now)) unavailableBudget--;
      }
      for (const [, extra] of onNode) {
        for (const p of extra) {
          misscheduled++;
          changes.push({ verb: 'delete', def: PODS, namespace: ns, name: p.metadata.name!, tolerate: [404] });
          ctx.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'daemonset-controller');
        }
      }
      const scheduled = eligible.filter((n) => pods.some((p) => p.spec?.nodeName === n.metadata.name));
      const readyN = scheduled.filter((n) => pods.some((p) => p.spec?.nodeName === n.metadata.name && podReady(p))).length;
      const availN = scheduled.filter((n) => pods.some((p) => p.spec?.nodeName === n.metadata.name && podAvailable(p, minReady, now))).length;
      const updated = scheduled.filter((n) => pods.some((p) => p.spec?.nodeName === n.metadata.name && p.metadata.labels?.['controller-revision-hash'] === hash)).length;
      const status: Record<string, unknown> = {
        currentNumberScheduled: scheduled.length,
        desiredNumberScheduled: eligible.length,
        numberAvailable: availN,
        numberMisscheduled: misscheduled,
        numberReady: readyN,
        numberUnavailable: eligible.length - availN,
        observedGeneration: ds.metadata.generation,
        updatedNumberScheduled: updated,
      };
      if (!availN) delete status.numberAvailable;
      if (!(eligible.length - availN)) delete status.numberUnavailable;
      if (changed(ds.status, status)) changes.push({ verb: 'update', def: DAEMONSETS, namespace: ns, object: { ...clone(ds), status }, subresource: 'status', tolerate: [404, 409] });
    }
    if (changes.length) await ctx.commit(changes);
  },
};

// ---- stateful sets ------------------------------------------------------------------------------------------------

export const statefulSetController: Controller = {
  name: 'statefulset',
  watches: ['apps/statefulsets', 'core/pods', 'core/persistentvolumeclaims'],
  async run(ctx) {
    const changes: BatchChange[] = [];
    const now = ctx.now;
    for (const sts of ctx.list('apps/statefulsets')) {
      if (isTerminating(sts)) continue;
      const ns = sts.metadata.namespace!;
      const name = sts.metadata.name!;
      const hash = templateHash(sts.spec.template);
      const updateRevision = `${name}-${hash}`;
      revision(ctx, sts, hash, changes);
      const pods = podsOf(ctx, sts, changes);
      const byOrdinal = new Map<number, KubeObject>();
      for (const p of pods) {
        const m = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(p.metadata.name!);
        if (m) byOrdinal.set(Number(m[1]), p);
      }
      const replicas = Number(sts.spec?.replicas ?? 1);
      const start = Number(sts.spec?.ordinals?.start ?? 0);
      const parallel = sts.spec?.podManagementPolicy === 'Parallel';
      const claims: any[] = sts.spec?.volumeClaimTemplates ?? [];
      let blocked = false;
      for (let i = start; i < start + replicas; i++) {
        const p = byOrdinal.get(i);
        const podName = `${name}-${i}`;
        for (const t of claims) {
          const claim = `${t.metadata?.name}-${name}-${i}`;
          if (ctx.get('core/persistentvolumeclaims', ns, claim)) continue;
          changes.push({
            verb: 'create',
            def: PVCS,
            namespace: ns,
            object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claim, namespace: ns, labels: { ...(sts.spec?.selector?.matchLabels ?? {}) } }, spec: clone(t.spec ?? {}) },
            tolerate: [409],
          });
          ctx.event(sts, 'Normal', 'SuccessfulCreate', `create Claim ${claim} Pod ${podName} in StatefulSet ${name} success`, 'statefulset-controller');
        }
        if (!p) {
          if (blocked) break;
          const t = clone(sts.spec.template);
          t.spec = { ...t.spec, hostname: podName, ...(sts.spec.serviceName ? { subdomain: sts.spec.serviceName } : {}) };
          if (claims.length) {
            t.spec.volumes = [
              ...(t.spec.volumes ?? []).filter((v: any) => !claims.some((c) => c.metadata?.name === v.name)),
              ...claims.map((c) => ({ name: c.metadata?.name, persistentVolumeClaim: { claimName: `${c.metadata?.name}-${name}-${i}` } })),
            ];
          }
          const pod = podFromTemplate(
            t,
            sts,
            { name: podName },
            { 'controller-revision-hash': updateRevision, 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(i) },
          );
          changes.push({ verb: 'create', def: PODS, namespace: ns, object: pod, tolerate: [409] });
          ctx.event(sts, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${name} successful`, 'statefulset-controller');
          if (!parallel) blocked = true;
          continue;
        }
        if (!parallel && (!podReady(p) || isTerminating(p))) blocked = true;
      }
      // Scale down from the highest ordinal.
      const extra = [...byOrdinal.entries()].filter(([i]) => i >= start + replicas || i < start).sort((a, b) => b[0] - a[0]);
      for (const [, p] of parallel ? extra : extra.slice(0, 1)) {
        if (isTerminating(p)) continue;
        changes.push({ verb: 'delete', def: PODS, namespace: ns, name: p.metadata.name!, tolerate: [404] });
        ctx.event(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`, 'statefulset-controller');
      }
      // Rolling update from the highest ordinal, one pod at a time, once every pod is ready.
      const partition = Number(sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0);
      const inRange = [...byOrdinal.entries()].filter(([i]) => i >= start && i < start + replicas).sort((a, b) => b[0] - a[0]);
      if ((sts.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && inRange.length === replicas && inRange.every(([, p]) => podReady(p) && !isTerminating(p))) {
        const stale = inRange.find(([i, p]) => i >= start + partition && p.metadata.labels?.['controller-revision-hash'] !== updateRevision);
        if (stale) changes.push({ verb: 'delete', def: PODS, namespace: ns, name: stale[1].metadata.name!, tolerate: [404] });
      }
      const live = pods.filter((p) => !isTerminating(p));
      const updated = live.filter((p) => p.metadata.labels?.['controller-revision-hash'] === updateRevision).length;
      const current = live.length - updated;
      const status: Record<string, unknown> = {
        observedGeneration: sts.metadata.generation,
        replicas: live.length,
        readyReplicas: live.filter(podReady).length,
        currentReplicas: updated === live.length ? updated : current,
        updatedReplicas: updated,
        currentRevision: updated === live.length ? updateRevision : (sts.status?.currentRevision ?? updateRevision),
        updateRevision,
        collisionCount: 0,
        availableReplicas: live.filter((p) => podAvailable(p, Number(sts.spec?.minReadySeconds ?? 0), now)).length,
      };
      for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas']) if (!status[k]) delete status[k];
      if (changed(sts.status, status)) changes.push({ verb: 'update', def: STATEFULSETS, namespace: ns, object: { ...clone(sts), status }, subresource: 'status', tolerate: [404, 409] });
    }
    if (changes.length) await ctx.commit(changes);
  },
};

// ---- jobs -------------------------------------------------------------------------------------------------------

const jobCond = (type: string, reason: string, message: string, time: string) => ({ type, status: 'True', lastProbeTime: time, lastTransitionTime: time, reason, message });

export const jobController: Controller = {
  name: 'job',
  watches: ['batch/jobs', 'core/pods'],
  async run(ctx) {
    const changes: BatchChange[] = [];
    const now = ctx.now;
    const time = nowTime(now);
    let wakeAt = Infinity;
    for (const job of ctx.list('batch/jobs')) {
      if (isTerminating(job)) continue;
      const ns = job.metadata.namespace!;
      const conds: any[] = job.status?.conditions ?? [];
      const finished = conds.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
      if (finished) {
        // ttlSecondsAfterFinished: the job (and its pods) go once it has been finished that long.
        const ttl = job.spec?.ttlSecondsAfterFinished;
        if (ttl !== undefined && ttl !== null) {
          const at = Date.parse(job.status?.completionTime ?? finished.lastTransitionTime) + ctx.scaled(Number(ttl) * 1000);
          if (now >= at) changes.push({ verb: 'delete', def: JOBS, namespace: ns, name: job.metadata.name!, propagationPolicy: 'Background', tolerate: [404] });
          else wakeAt = Math.min(wakeAt, at);
        }
        continue;
      }
      const pods = ctx.list('core/pods', ns).filter((p) => isControlledBy(p, job));
      const active = pods.filter(podActive);
      const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
      const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
      const completions = job.spec?.completions ?? 1;
      const parallelism = Number(job.spec?.parallelism ?? 1);
      const status: Record<string, any> = clone(job.status ?? {});
      status.startTime ??= time;
      let cond: any;
      const deadline = job.spec?.activeDeadlineSeconds;
      if (succeeded >= completions) cond = jobCond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', time);
      else if (failed > Number(job.spec?.backoffLimit ?? 6)) cond = jobCond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', time);
      else if (deadline !== undefined && now >= Date.parse(status.startTime) + ctx.timeout(deadline * 1000))
        cond = jobCond('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline', time);
      else if (!job.spec?.suspend) {
        if (deadline !== undefined) wakeAt = Math.min(wakeAt, Date.parse(status.startTime) + ctx.timeout(deadline * 1000));
        const want = Math.min(parallelism, completions - succeeded) - active.length;
        for (let i = 0; i < want; i++) {
          const pod = podFromTemplate(job.spec.template, job, { name: `${job.metadata.name}-${randomSuffix(5)}` });
          changes.push({ verb: 'create', def: PODS, namespace: ns, object: pod, tolerate: [409] });
          ctx.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'job-controller');
        }
      }
      if (cond) {
        for (const p of active) {
          changes.push({ verb: 'delete', def: PODS, namespace: ns, name: p.metadata.name!, tolerate: [404] });
          ctx.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'job-controller');
        }
        status.conditions =
          cond.type === 'Complete'
            ? [jobCond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', time), cond]
            : [jobCond('FailureTarget', cond.reason, cond.message, time), cond];
        if (cond.type === 'Complete') status.completionTime = time;
        ctx.event(
          job,
          cond.type === 'Complete' ? 'Normal' : 'Warning',
          cond.type === 'Complete' ? 'Completed' : cond.reason,
          cond.type === 'Complete' ? 'Job completed' : cond.message,
          'job-controller',
        );
        status.active = 0;
      } else status.active = Math.max(active.length, Math.min(parallelism, completions - succeeded));
      status.succeeded = succeeded;
      status.failed = failed;
      status.ready = active.filter(podReady).length;
      status.terminating = pods.filter(isTerminating).length;
      status.uncountedTerminatedPods = {};
      for (const k of ['active', 'succeeded', 'failed']) if (!status[k]) delete status[k];
      if (changed(job.status, status)) changes.push({ verb: 'update', def: JOBS, namespace: ns, object: { ...clone(job), status }, subresource: 'status', tolerate: [404, 409] });
    }
    if (changes.length) await ctx.commit(changes);
    if (Number.isFinite(wakeAt)) ctx.afterWall(Math.max(0, wakeAt - now));
  },
};

// ---- cron jobs (wall-clock calendar time, as cron is) ----------------------------------------------------------------

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function field(spec: string, min: number, max: number): Set<number> {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    let lo = min;
    let hi = max;
    if (range !== '*') {
      const [a, b] = range.split('-').map(Number);
      lo = a;
      hi = b === undefined ? (stepText ? max : a) : b;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** The next time (ms, UTC) after `from` a 5-field schedule fires. */
export function nextRun(schedule: string, from: number): number | undefined {
  const s = MACROS[schedule.trim()] ?? schedule.trim();
  const every = /^@every\s+(\d+)([smh])$/.exec(s);
  if (every) return from + Number(every[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[every[2] as 's' | 'm' | 'h'];
  const f = s.split(/\s+/);
  if (f.length !== 5) return undefined;
  const [mi, ho, dom, mo, dow] = [field(f[0], 0, 59), field(f[1], 0, 23), field(f[2], 1, 31), field(f[3], 1, 12), field(f[4], 0, 7)];
  const d = new Date(Math.floor(from / 60_000) * 60_000 + 60_000);
  for (let i = 0; i < 366 * 24 * 60; i++) {
    const wd = d.getUTCDay();
    if (mi.has(d.getUTCMinutes()) && ho.has(d.getUTCHours()) && dom.has(d.getUTCDate()) && mo.has(d.getUTCMonth() + 1) && (dow.has(wd) || (wd === 0 && dow.has(7)))) return d.getTime();
    d.setUTCMinutes(d.getUTCMinutes() + 1);
  }
  return undefined;
}

export const cronJobController: Controller = {
  name: 'cronjob',
  watches: ['batch/cronjobs', 'batch/jobs'],
  async run(ctx) {
    const changes: BatchChange[] = [];
    const now = ctx.now;
    let wakeAt = Infinity;
    for (const cj of ctx.list('batch/cronjobs')) {
      if (isTerminating(cj)) continue;
      const ns = cj.metadata.namespace!;
      const jobs = ctx.list('batch/jobs', ns).filter((j) => isControlledBy(j, cj));
      const activeJobs = jobs.filter((j) => !(j.status?.conditions ?? []).some((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True'));
      const status: Record<string, any> = clone(cj.status ?? {});
      status.active = activeJobs.map((j) => ({ kind: 'Job', namespace: ns, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion }));
      if (!status.active.length) delete status.active;
      const last = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
      const next = nextRun(String(cj.spec?.schedule ?? ''), last);
      if (next !== undefined && !cj.spec?.suspend) {
        if (next <= now) {
          const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
          if (!(policy === 'Forbid' && activeJobs.length)) {
            if (policy === 'Replace') for (const j of activeJobs) changes.push({ verb: 'delete', def: JOBS, namespace: ns, name: j.metadata.name!, propagationPolicy: 'Background', tolerate: [404] });
            const jt = clone(cj.spec.jobTemplate ?? {});
            const job: KubeObject = {
              apiVersion: 'batch/v1',
              kind: 'Job',
              metadata: {
                name: `${cj.metadata.name}-${Math.floor(next / 60_000)}`,
                namespace: ns,
                labels: jt.metadata?.labels,
                annotations: { ...(jt.metadata?.annotations ?? {}), 'batch.kubernetes.io/cronjob-scheduled-timestamp': new Date(next).toISOString().replace(/\.\d{3}Z$/, 'Z') },
                ownerReferences: [ownerRef(cj)],
              },
              spec: jt.spec ?? {},
            };
            if (!job.metadata.labels) delete job.metadata.labels;
            changes.push({ verb: 'create', def: JOBS, namespace: ns, object: job, tolerate: [409] });
            ctx.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`, 'cronjob-controller');
          }
          status.lastScheduleTime = new Date(next).toISOString().replace(/\.\d{3}Z$/, 'Z');
          const after = nextRun(String(cj.spec?.schedule ?? ''), next);
          if (after !== undefined) wakeAt = Math.min(wakeAt, after);
        } else wakeAt = Math.min(wakeAt, next);
      }
      // Finished jobs beyond the history limits go.
      const done = (type: string) =>
        jobs
          .filter((j) => (j.status?.conditions ?? []).some((c: any) => c.type === type && c.status === 'True'))
          .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
      for (const [type, limit] of [
        ['Complete', cj.spec?.successfulJobsHistoryLimit ?? 3],
        ['Failed', cj.spec?.failedJobsHistoryLimit ?? 1],
      ] as const) {
        const list = done(type);
        for (const j of list.slice(0, Math.max(0, list.length - Number(limit))))
          changes.push({ verb: 'delete', def: JOBS, namespace: ns, name: j.metadata.name!, propagationPolicy: 'Background', tolerate: [404] });
      }
      const succ = done('Complete').at(-1);
      if (succ?.status?.completionTime) status.lastSuccessfulTime = succ.status.completionTime;
      if (changed(cj.status, status)) changes.push({ verb: 'update', def: CRONJOBS, namespace: ns, object: { ...clone(cj), status }, subresource: 'status', tolerate: [404, 409] });
    }
    if (changes.length) await ctx.commit(changes);
    if (Number.isFinite(wakeAt)) ctx.afterWall(Math.max(0, wakeAt - now));
  },
};

void nodeReady;
