// The replica set and deployment controllers, after kube-controller-manager's: a replica set keeps
// spec.replicas pods of its template (adopting matching orphans, deleting the least useful extras first);
// a deployment keeps one replica set per template revision and rolls from the old ones to the new one
// within maxSurge / maxUnavailable (or all at once with Recreate), with the revision annotations,
// conditions and events `kubectl rollout status / history / undo` read.

import type { BatchChange } from '../api.js';
import { BUILTINS } from '../kinds/index.js';
import { clone, nowTime, randomSuffix, type KubeObject } from '../model.js';
import { selectorMatches } from '../selectors.js';
import type { Controller, ControllerContext } from './runtime.js';
import { controllerOf, isControlledBy, isTerminating, ownerRef, podActive, podAvailable, podFromTemplate, podReady, sameTemplate, templateHash } from './util.js';

const REPLICASETS = BUILTINS.get('apps', 'v1', 'replicasets')!;
const DEPLOYMENTS = BUILTINS.get('apps', 'v1', 'deployments')!;
const PODS = BUILTINS.get('', 'v1', 'pods')!;

/** Pods one replica set creates in one pass (the rest come next pass, after the write). */
const BURST = 1000;

const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX = 'deployment.kubernetes.io/max-replicas';

/** Orphans matching a selector get the owner as controller (as the controllers adopt them). */
function adopt(ctx: ControllerContext, list: KubeObject[], owner: KubeObject, selector: unknown, def: typeof PODS): { mine: KubeObject[]; changes: BatchChange[] } {
  const mine: KubeObject[] = [];
  const changes: BatchChange[] = [];
  for (const o of list) {
    if (isControlledBy(o, owner)) mine.push(o);
    else if (!controllerOf(o) && !isTerminating(o) && selectorMatches(selector, o.metadata.labels ?? {})) {
      const next = clone(o);
      next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), ownerRef(owner)];
      changes.push({ verb: 'update', def, namespace: o.metadata.namespace ?? '', object: next, tolerate: [404, 409] });
      mine.push(next);
    }
  }
  void ctx;
  return { mine, changes };
}

/** Which pods a replica set removes first: unscheduled, pending, not ready, then the newest. */
function deletionRank(p: KubeObject): number[] {
  const bound = p.spec?.nodeName ? 1 : 0;
  const running = p.status?.phase === 'Running' ? 1 : 0;
  const ready = podReady(p) ? 1 : 0;
  const age = Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return [bound, running, ready, -age];
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function statusChanged(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? {}) !== JSON.stringify(b ?? {});
}

// ---- replica sets -------------------------------------------------------------------------------------------

export const replicaSetController: Controller = {
  name: 'replicaset',
  watches: ['apps/replicasets', 'core/pods'],
  async run(ctx) {
    const changes: BatchChange[] = [];
    const now = ctx.now;
    let again = false;
    let wakeAt: number | undefined;
    for (const rs of ctx.list('apps/replicasets')) {
      const ns = rs.metadata.namespace!;
      const nsPods = ctx.list('core/pods', ns);
      const { mine, changes: adoptions } = isTerminating(rs) ? { mine: nsPods.filter((p) => isControlledBy(p, rs)), changes: [] } : adopt(ctx, nsPods, rs, rs.spec?.selector, PODS);
      changes.push(...adoptions);
      const active = mine.filter(podActive);
      const desired = isTerminating(rs) ? active.length : Number(rs.spec?.replicas ?? 1);
      let created = 0;
      if (active.length < desired) {
        const n = Math.min(desired - active.length, BURST);
        if (n < desired - active.length) again = true;
        for (let i = 0; i < n; i++) {
          const name = `${rs.metadata.name}-${randomSuffix(5)}`;
          const pod = podFromTemplate(rs.spec.template, rs, { name });
          changes.push({ verb: 'create', def: PODS, namespace: ns, object: pod, owned: true, tolerate: [409] });
          ctx.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, 'replicaset-controller');
          created++;
        }
      } else if (active.length > desired) {
        const extra = [...active].sort((a, b) => compareRank(deletionRank(a), deletionRank(b))).slice(0, active.length - desired);
        for (const p of extra) {
          changes.push({ verb: 'delete', def: PODS, namespace: ns, name: p.metadata.name!, tolerate: [404] });
          ctx.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'replicaset-controller');
        }
      }
      const minReady = Number(rs.spec?.minReadySeconds ?? 0);
      const ready = active.filter(podReady).length;
      const available = active.filter((p) => podAvailable(p, minReady, now)).length;
      if (minReady && ready > available) {
        for (const p of active.filter(podReady)) {
          const c = (p.status?.conditions ?? []).find((x: any) => x.type === 'Ready');
          const at = Date.parse(c?.lastTransitionTime ?? '') + minReady * 1000;
          if (at > now) wakeAt = Math.min(wakeAt ?? Infinity, at);
        }
      }
      const labeled = active.filter((p) => Object.entries(rs.spec?.template?.metadata?.labels ?? {}).every(([k, v]) => p.metadata.labels?.[k] === v)).length;
      const status: Record<string, unknown> = {
        replicas: active.length + created,
        fullyLabeledReplicas: labeled + created,
        readyReplicas: ready,
        availableReplicas: available,
        observedGeneration: rs.metadata.generation,
      };
      if (!ready) delete status.readyReplicas;
      if (!available) delete status.availableReplicas;
      if (!isTerminating(rs) && statusChanged({ ...rs.status, conditions: undefined }, status)) {
        const next = clone(rs);
        next.status = { ...status, ...(rs.status?.conditions ? { conditions: rs.status.conditions } : {}) };
        changes.push({ verb: 'update', def: REPLICASETS, namespace: ns, object: next, subresource: 'status', tolerate: [404, 409] });
      }
    }
    if (changes.length) await ctx.commit(changes);
    if (again) ctx.after(0);
    if (wakeAt !== undefined) ctx.afterWall(wakeAt - now);
  },
};

// ---- deployments ------------------------------------------------------------------------------------------------

function resolveIntOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v ?? '0'));
  if (!m) return 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION] ?? 0);

function condition(type: string, status: string, reason: string, message: string, prev: any[] | undefined, time: string): Record<string, unknown> {
  const old = (prev ?? []).find((c) => c.type === type);
  const same = old && old.status === status && old.reason === reason && old.message === message;
  return {
    type,
    status,
    lastUpdateTime: same ? old.lastUpdateTime : time,
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : time,
    reason,
    message,
  };
}

export const deploymentController: Controller = {
  name: 'deployment',
  watches: ['apps/deployments', 'apps/replicasets'],
  async run(ctx) {
    const changes: BatchChange[] = [];
    const now = ctx.now;
    const time = nowTime(now);
    let wakeAt: number | undefined;
    for (const d of ctx.list('apps/deployments')) {
      if (isTerminating(d)) continue;
      const ns = d.metadata.namespace!;
      const { mine: rss, changes: adoptions } = adopt(ctx, ctx.list('apps/replicasets', ns), d, d.spec?.selector, REPLICASETS);
      changes.push(...adoptions);
      const desired = Number(d.spec?.replicas ?? 1);
      const maxRev = Math.max(0, ...rss.map(revisionOf));
      let newRS = rss.find((rs) => sameTemplate(rs.spec?.template, d.spec?.template));
      const old = rss.filter((rs) => rs !== newRS);
      const updates = new Map<KubeObject, KubeObject>();
      const edit = (rs: KubeObject) => {
        let e = updates.get(rs);
        if (!e) updates.set(rs, (e = clone(rs)));
        return e;
      };
      const strategy = d.spec?.strategy?.type ?? 'RollingUpdate';
      const maxSurge = strategy === 'RollingUpdate' ? resolveIntOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', desired, true) : 0;
      let maxUnavailable = strategy === 'RollingUpdate' ? resolveIntOrPercent(d.spec?.strategy?.rollingUpdate?.maxUnavailable ?? '25%', desired, false) : 0;
      if (strategy === 'RollingUpdate' && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
      let createdName: string | undefined;
      const specOf = (rs: KubeObject) => Number((updates.get(rs) ?? rs).spec?.replicas ?? 0);
      if (!d.spec?.paused) {
        if (!newRS) {
          const hash = templateHash(d.spec.template, Number(d.status?.collisionCount ?? 0));
          const name = `${d.metadata.name}-${hash}`;
          const template = clone(d.spec.template);
          template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
          const oldTotal = old.reduce((n, rs) => n + Number(rs.spec?.replicas ?? 0), 0);
          const initial =
            strategy === 'Recreate'
              ? old.some((rs) => Number(rs.spec?.replicas ?? 0) > 0 || Number(rs.status?.replicas ?? 0) > 0)
                ? 0
                : desired
              : Math.max(0, Math.min(desired, desired + maxSurge - oldTotal));
          const rs: KubeObject = {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            metadata: {
              name,
              namespace: ns,
              labels: { ...(d.spec.template?.metadata?.labels ?? {}), 'pod-template-hash': hash },
              annotations: { [REVISION]: String(maxRev + 1), [DESIRED]: String(desired), [MAX]: String(desired + maxSurge) },
              ownerReferences: [ownerRef(d)],
            },
            spec: {
              replicas: initial,
              minReadySeconds: d.spec.minReadySeconds ?? 0,
              selector: { ...clone(d.spec.selector), matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } },
              template,
            },
          };
          if (!rs.spec.minReadySeconds) delete rs.spec.minReadySeconds;
          changes.push({ verb: 'create', def: REPLICASETS, namespace: ns, object: rs, tolerate: [409] });
          createdName = name;
          ctx.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${initial}`, 'deployment-controller');
          newRS = rs;
        } else if (revisionOf(newRS) < maxRev || newRS.metadata.annotations?.[DESIRED] !== String(desired)) {
          // A rollback to an older template: its replica set becomes the newest revision again.
          const e = edit(newRS);
          const ann = { ...(e.metadata.annotations ?? {}) };
          if (revisionOf(newRS) < maxRev) {
            const hist = [ann[REVISION_HISTORY], ann[REVISION]].filter(Boolean).join(',');
            if (hist) ann[REVISION_HISTORY] = hist;
            ann[REVISION] = String(maxRev + 1);
          }
          ann[DESIRED] = String(desired);
          ann[MAX] = String(desired + maxSurge);
          e.metadata.annotations = ann;
        }
        const created = createdName !== undefined;
        if (!created) {
          const scale = (rs: KubeObject, to: number) => {
            const from = specOf(rs);
            if (from === to) return;
            edit(rs).spec.replicas = to;
            ctx.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`, 'deployment-controller');
          };
          if (strategy === 'Recreate') {
            for (const rs of old) scale(rs, 0);
            const oldPods = ctx.list('core/pods', ns).filter((p) => old.some((rs) => isControlledBy(p, rs)));
            if (oldPods.length === 0) scale(newRS, desired);
          } else {
            // Scale up the new replica set within the surge.
            const total = () => rss.reduce((n, rs) => n + specOf(rs), 0);
            const room = desired + maxSurge - total();
            if (specOf(newRS) < desired && room > 0) scale(newRS, Math.min(desired, specOf(newRS) + room));
            if (specOf(newRS) > desired) scale(newRS, desired);
            // Scale down old replica sets as far as availability allows.
            const minAvailable = desired - maxUnavailable;
            const newUnavailable = specOf(newRS) - Number(newRS.status?.availableReplicas ?? 0);
            let canDown = total() - minAvailable - newUnavailable;
            // Replica sets with unavailable pods go first: removing those costs no availability.
            for (const rs of [...old].sort((a, b) => revisionOf(a) - revisionOf(b))) {
              const unhealthy = specOf(rs) - Number(rs.status?.availableReplicas ?? 0);
              if (unhealthy > 0 && canDown > 0) {
                const by = Math.min(unhealthy, canDown, specOf(rs));
                scale(rs, specOf(rs) - by);
                canDown -= by;
              }
            }
            const oldAvailable = old.reduce((n, rs) => n + Number(rs.status?.availableReplicas ?? 0), 0);
            const newAvailable = Number(newRS.status?.availableReplicas ?? 0);
            let excess = oldAvailable + newAvailable - minAvailable;
            for (const rs of [...old].sort((a, b) => revisionOf(a) - revisionOf(b))) {
              if (excess <= 0) break;
              const by = Math.min(specOf(rs), excess);
              if (by > 0) {
                scale(rs, specOf(rs) - by);
                excess -= by;
              }
            }
            if (desired === 0) for (const rs of old) scale(rs, 0);
          }
        }
        // History beyond revisionHistoryLimit goes (only replica sets scaled to nothing).
        const limit = Number(d.spec?.revisionHistoryLimit ?? 10);
        const idle = old.filter((rs) => specOf(rs) === 0 && Number(rs.status?.replicas ?? 0) === 0 && !isTerminating(rs)).sort((a, b) => revisionOf(a) - revisionOf(b));
        for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
          updates.delete(rs);
          changes.push({ verb: 'delete', def: REPLICASETS, namespace: ns, name: rs.metadata.name!, tolerate: [404] });
        }
      }
      for (const [, e] of updates) changes.push({ verb: 'update', def: REPLICASETS, namespace: ns, object: e, tolerate: [404, 409] });

      // Status, from what the replica sets report.
      const all = newRS ? [...old, newRS] : old;
      const sum = (f: (rs: KubeObject) => number) => all.reduce((n, rs) => n + f(rs), 0);
      const replicas = sum((rs) => Number(rs.status?.replicas ?? 0));
      const updated = newRS && !createdName ? Number(newRS.status?.replicas ?? 0) : 0;
      const ready = sum((rs) => Number(rs.status?.readyReplicas ?? 0));
      const available = sum((rs) => Number(rs.status?.availableReplicas ?? 0));
      const complete = updated === desired && replicas === desired && available >= desired && (newRS ? Number(newRS.spec?.replicas) === desired : desired === 0);
      const prevConds: any[] = d.status?.conditions ?? [];
      const conds: any[] = [];
      const availOk = available >= desired - maxUnavailable;
      conds.push(
        condition(
          'Available',
          availOk ? 'True' : 'False',
          availOk ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          availOk ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
          prevConds,
          time,
        ),
      );
      const rsName = newRS?.metadata.name ?? '';
      const prevProg = prevConds.find((c) => c.type === 'Progressing');
      let prog: Record<string, unknown>;
      if (d.spec?.paused) prog = condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', prevConds, time);
      else if (complete) prog = condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`, prevConds, time);
      else if (createdName) prog = condition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${rsName}"`, prevConds, time);
      else {
        const deadline = Number(d.spec?.progressDeadlineSeconds ?? 600);
        const last = Date.parse(prevProg?.lastUpdateTime ?? '') || now;
        const progressed = statusChanged(
          { u: d.status?.updatedReplicas, r: d.status?.readyReplicas, a: d.status?.availableReplicas, t: d.status?.replicas },
          { u: updated, r: ready, a: available, t: replicas },
        );
        const limit = last + ctx.timeout(deadline * 1000);
        if (prevProg?.reason === 'ProgressDeadlineExceeded' && !progressed) prog = prevProg;
        else if (!progressed && now > limit && prevProg?.status === 'True' && prevProg.reason !== 'NewReplicaSetAvailable')
          prog = condition('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`, prevConds, time);
        else {
          prog = condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`, prevConds, time);
          if (progressed) prog.lastUpdateTime = time;
          const at = (Date.parse(String(prog.lastUpdateTime)) || now) + ctx.timeout(deadline * 1000) + 1;
          if (Number.isFinite(at)) wakeAt = Math.min(wakeAt ?? Infinity, at);
        }
      }
      conds.push(prog);
      const status: Record<string, unknown> = {
        observedGeneration: d.metadata.generation,
        replicas,
        updatedReplicas: updated,
        readyReplicas: ready,
        availableReplicas: available,
        unavailableReplicas: Math.max(0, Math.max(replicas, desired) - available),
        conditions: conds,
      };
      for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (!status[k]) delete status[k];
      if (d.status?.collisionCount) status.collisionCount = d.status.collisionCount;
      const strip = (s: any) => ({ ...s, conditions: (s?.conditions ?? []).map((c: any) => ({ ...c, lastUpdateTime: undefined, lastTransitionTime: undefined })) });
      // The deployment carries its newest revision, as Kubernetes' controller writes it (`kubectl rollout undo`
      // patches these annotations, `rollout history` reads them); the status follows on the next run.
      const revision = newRS && !d.spec?.paused ? String(revisionOf(updates.get(newRS) ?? newRS)) : undefined;
      if (revision && revision !== '0' && d.metadata.annotations?.[REVISION] !== revision) {
        const next = clone(d);
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: revision };
        changes.push({ verb: 'update', def: DEPLOYMENTS, namespace: ns, object: next, fieldManager: 'kube-controller-manager', tolerate: [404, 409] });
      } else if (statusChanged(strip(d.status), strip(status))) {
        const next = clone(d);
        next.status = status;
        changes.push({ verb: 'update', def: DEPLOYMENTS, namespace: ns, object: next, subresource: 'status', tolerate: [404, 409] });
      }
    }
    if (changes.length) await ctx.commit(changes);
    if (wakeAt !== undefined && Number.isFinite(wakeAt)) ctx.afterWall(wakeAt - now);
  },
};
