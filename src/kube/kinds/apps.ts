// apps/v1 (deployments, replica sets, stateful sets, daemon sets, controller revisions) and batch/v1 (jobs,
// cron jobs): defaults, validation and columns. Their controllers live in ../controllers.

import { humanAge, isObj, type KubeObject } from '../model.js';
import type { StatusCause } from '../status.js';
import { podSpecDefaults, validatePodSpec, canonical } from './pod.js';
import { AGE_COLUMN, builtin, NAME_COLUMN, col, type ResourceDef } from './registry.js';
import { dns1123Subdomain, immutable, intIn, invalid, labelSelector, labels, required, unsupported } from './validation.js';
import { selectorMatches } from '../selectors.js';

const age = (o: KubeObject, now: number) => humanAge(o.metadata.creationTimestamp, now);

/** metav1.FormatLabelSelector: 'app=web,tier in (a,b)'. */
export function formatSelector(sel: any): string {
  if (!isObj(sel)) return '<none>';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

const containers = (o: KubeObject) => (o.spec?.template?.spec?.containers ?? []).map((c: any) => c.name).join(',');
const images = (o: KubeObject) => (o.spec?.template?.spec?.containers ?? []).map((c: any) => c.image).join(',');
/** The wide columns of every kind with a pod template (cells: containers(o), images(o)). */
const TEMPLATE_COLUMNS = [col('Containers', 'string', 'Names of each container in the template.', 1), col('Images', 'string', 'Images referenced by each container in the template.', 1)];

/** Template and selector rules every workload shares. */
function validateTemplate(o: KubeObject, opts: { restartPolicies: string[]; old?: KubeObject; selectorRequired?: boolean }): StatusCause[] {
  const out: StatusCause[] = dns1123Subdomain('metadata.name', o.metadata.name);
  const s = o.spec ?? {};
  if (!isObj(s)) return [...out, required('spec')];
  if (opts.selectorRequired !== false) {
    if (!isObj(s.selector)) out.push(required('spec.selector'));
    else {
      out.push(...labelSelector('spec.selector', s.selector));
      if (!Object.keys(s.selector.matchLabels ?? {}).length && !(s.selector.matchExpressions ?? []).length) out.push(invalid('spec.selector', s.selector, 'empty selector is invalid for deployment'));
    }
  }
  const tl = s.template?.metadata?.labels;
  out.push(...labels('spec.template.metadata.labels', tl));
  if (isObj(s.selector) && !selectorMatches(s.selector, tl ?? {})) {
    out.push(invalid('spec.template.metadata.labels', tl ?? {}, '`selector` does not match template `labels`'));
  }
  out.push(...validatePodSpec(s.template?.spec, 'spec.template.spec'));
  const rp = s.template?.spec?.restartPolicy;
  if (rp !== undefined && !opts.restartPolicies.includes(rp)) out.push(unsupported('spec.template.spec.restartPolicy', rp, opts.restartPolicies));
  if (opts.old && opts.old.spec?.selector && canonical(opts.old.spec.selector) !== canonical(s.selector)) out.push(immutable('spec.selector', s.selector));
  return out;
}

function templateDefaults(o: KubeObject): void {
  if (!isObj(o.spec)) o.spec = {};
  const t = (o.spec.template = isObj(o.spec.template) ? o.spec.template : {});
  t.metadata = isObj(t.metadata) ? t.metadata : {};
  t.metadata.creationTimestamp ??= null;
  podSpecDefaults((t.spec = isObj(t.spec) ? t.spec : {}));
}

// ---- deployments -----------------------------------------------------------------------------------------

export const deployments: ResourceDef = {
  ...builtin('apps', 'v1', 'deployments', 'Deployment', { shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'], generation: true }),
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE_COLUMN,
    ...TEMPLATE_COLUMNS,
    col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
  ],
  row: (o, now) => [
    o.metadata.name,
    `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`,
    o.status?.updatedReplicas ?? 0,
    o.status?.availableReplicas ?? 0,
    age(o, now),
    containers(o),
    images(o),
    formatSelector(o.spec?.selector),
  ],
  defaults(o) {
    templateDefaults(o);
    const s = o.spec;
    s.replicas ??= 1;
    s.revisionHistoryLimit ??= 10;
    s.progressDeadlineSeconds ??= 600;
    s.strategy = isObj(s.strategy) ? s.strategy : {};
    s.strategy.type ??= 'RollingUpdate';
    if (s.strategy.type === 'RollingUpdate') {
      s.strategy.rollingUpdate = isObj(s.strategy.rollingUpdate) ? s.strategy.rollingUpdate : {};
      s.strategy.rollingUpdate.maxUnavailable ??= '25%';
      s.strategy.rollingUpdate.maxSurge ??= '25%';
    }
  },
  validate(o, _ctx, old) {
    const out = validateTemplate(o, { restartPolicies: ['Always'], old });
    const s = o.spec ?? {};
    out.push(...intIn('spec.replicas', s.replicas, 0));
    if (s.strategy?.type !== undefined && !['RollingUpdate', 'Recreate'].includes(s.strategy.type)) out.push(unsupported('spec.strategy.type', s.strategy.type, ['Recreate', 'RollingUpdate']));
    if (s.strategy?.type === 'Recreate' && s.strategy.rollingUpdate)
      out.push({ reason: 'FieldValueForbidden', message: "Forbidden: may not be specified when strategy `type` is 'Recreate'", field: 'spec.strategy.rollingUpdate' });
    const ru = s.strategy?.rollingUpdate;
    if (isObj(ru)) {
      for (const k of ['maxUnavailable', 'maxSurge']) {
        const v = ru[k];
        if (typeof v === 'string' && !/^\d+%$/.test(v))
          out.push(
            invalid(`spec.strategy.rollingUpdate.${k}`, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"),
          );
        if (typeof v === 'number' && v < 0) out.push(invalid(`spec.strategy.rollingUpdate.${k}`, v, 'must be greater than or equal to 0'));
      }
      if ((ru.maxUnavailable === 0 || ru.maxUnavailable === '0%') && (ru.maxSurge === 0 || ru.maxSurge === '0%'))
        out.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
    out.push(...intIn('spec.revisionHistoryLimit', s.revisionHistoryLimit, 0));
    out.push(...intIn('spec.minReadySeconds', s.minReadySeconds, 0));
    if (s.progressDeadlineSeconds !== undefined && s.minReadySeconds !== undefined && s.progressDeadlineSeconds <= s.minReadySeconds)
      out.push(invalid('spec.progressDeadlineSeconds', s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    return out;
  },
};

// ---- replica sets --------------------------------------------------------------------------------------------

export const replicasets: ResourceDef = {
  ...builtin('apps', 'v1', 'replicasets', 'ReplicaSet', { shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'], generation: true }),
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'Replicas is the number of desired pods.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    AGE_COLUMN,
    ...TEMPLATE_COLUMNS,
    col('Selector', 'string', 'Label selector for pods.', 1),
  ],
  row: (o, now) => [o.metadata.name, o.spec?.replicas ?? 0, o.status?.replicas ?? 0, o.status?.readyReplicas ?? 0, age(o, now), containers(o), images(o), formatSelector(o.spec?.selector)],
  defaults(o) {
    templateDefaults(o);
    o.spec.replicas ??= 1;
  },
  validate(o, _ctx, old) {
    return [...validateTemplate(o, { restartPolicies: ['Always'], old }), ...intIn('spec.replicas', o.spec?.replicas, 0)];
  },
};

// ---- stateful sets -----------------------------------------------------------------------------------------------

export const statefulsets: ResourceDef = {
  ...builtin('apps', 'v1', 'statefulsets', 'StatefulSet', { shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'], generation: true }),
  columns: [NAME_COLUMN, col('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, ...TEMPLATE_COLUMNS],
  row: (o, now) => [o.metadata.name, `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, age(o, now), containers(o), images(o)],
  defaults(o) {
    templateDefaults(o);
    const s = o.spec;
    s.replicas ??= 1;
    s.podManagementPolicy ??= 'OrderedReady';
    s.revisionHistoryLimit ??= 10;
    s.updateStrategy = isObj(s.updateStrategy) ? s.updateStrategy : { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    s.updateStrategy.type ??= 'RollingUpdate';
    if (s.updateStrategy.type === 'RollingUpdate') s.updateStrategy.rollingUpdate ??= { partition: 0 };
    s.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
    if (Array.isArray(s.volumeClaimTemplates)) {
      for (const t of s.volumeClaimTemplates) {
        if (!isObj(t)) continue;
        t.apiVersion ??= 'v1';
        t.kind ??= 'PersistentVolumeClaim';
        t.spec = isObj(t.spec) ? t.spec : {};
        t.spec.volumeMode ??= 'Filesystem';
        t.status ??= { phase: 'Pending' };
      }
    }
  },
  validate(o, _ctx, old) {
    const out = validateTemplate(o, { restartPolicies: ['Always'], old });
    out.push(...intIn('spec.replicas', o.spec?.replicas, 0));
    if (o.spec?.podManagementPolicy && !['OrderedReady', 'Parallel'].includes(o.spec.podManagementPolicy))
      out.push(unsupported('spec.podManagementPolicy', o.spec.podManagementPolicy, ['OrderedReady', 'Parallel']));
    if (old) {
      // Only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds may change.
      const keep = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
      const rest = (s: any) => canonical(Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !keep.includes(k))));
      if (rest(o.spec) !== rest(old.spec)) {
        out.push({
          reason: 'FieldValueForbidden',
          message:
            "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          field: 'spec',
        });
      }
    }
    return out;
  },
};

// ---- daemon sets ---------------------------------------------------------------------------------------------------

export const daemonsets: ResourceDef = {
  ...builtin('apps', 'v1', 'daemonsets', 'DaemonSet', { shortNames: ['ds'], categories: ['all'], subresources: ['status'], generation: true }),
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    col('Node Selector', 'string', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
    AGE_COLUMN,
    ...TEMPLATE_COLUMNS,
    col('Selector', 'string', 'A label query over pods that are managed by the daemon set.', 1),
  ],
  row: (o, now) => {
    const ns = o.spec?.template?.spec?.nodeSelector;
    return [
      o.metadata.name,
      o.status?.desiredNumberScheduled ?? 0,
      o.status?.currentNumberScheduled ?? 0,
      o.status?.numberReady ?? 0,
      o.status?.updatedNumberScheduled ?? 0,
      o.status?.numberAvailable ?? 0,
      ns && Object.keys(ns).length
        ? Object.entries(ns)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')
        : '<none>',
      age(o, now),
      containers(o),
      images(o),
      formatSelector(o.spec?.selector),
    ];
  },
  defaults(o) {
    templateDefaults(o);
    const s = o.spec;
    s.revisionHistoryLimit ??= 10;
    s.updateStrategy = isObj(s.updateStrategy) ? s.updateStrategy : {};
    s.updateStrategy.type ??= 'RollingUpdate';
    if (s.updateStrategy.type === 'RollingUpdate') s.updateStrategy.rollingUpdate ??= { maxUnavailable: 1, maxSurge: 0 };
  },
  validate: (o, _ctx, old) => validateTemplate(o, { restartPolicies: ['Always'], old }),
};

export const controllerrevisions: ResourceDef = {
  ...builtin('apps', 'v1', 'controllerrevisions', 'ControllerRevision'),
  columns: [NAME_COLUMN, col('Controller', 'string', 'Controller of the object'), col('Revision', 'string', 'Revision of the ControllerRevision'), AGE_COLUMN],
  row: (o, now) => {
    const c = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
    return [o.metadata.name, c ? `${c.kind.toLowerCase()}.${c.apiVersion.split('/')[0]}/${c.name}` : '<none>', o.revision ?? 0, age(o, now)];
  },
  validate: (o, _ctx, old) => {
    const out = dns1123Subdomain('metadata.name', o.metadata.name);
    if (o.revision === undefined) out.push(required('revision'));
    if (old && canonical(old.data) !== canonical(o.data)) out.push(immutable('data', '<data>'));
    return out;
  },
};

// ---- batch ------------------------------------------------------------------------------------------------------------

function jobStatusText(o: KubeObject): string {
  const conds: any[] = o.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  if (has('Failed')) return 'Failed';
  if (has('Complete')) return 'Complete';
  if (has('Suspended')) return 'Suspended';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  return 'Running';
}

function duration(o: KubeObject, now: number): string {
  const start = Date.parse(o.status?.startTime ?? '');
  if (!Number.isFinite(start)) return '';
  const end = Date.parse(o.status?.completionTime ?? '') || now;
  return humanAge(new Date(start).toISOString(), end);
}

export const jobs: ResourceDef = {
  ...builtin('batch', 'v1', 'jobs', 'Job', { categories: ['all'], subresources: ['status'], generation: true }),
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The completion status of the job.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    ...TEMPLATE_COLUMNS,
    col('Selector', 'string', 'Label selector for pods.', 1),
  ],
  row: (o, now) => {
    const completions = o.spec?.completions;
    const comp = completions !== undefined && completions !== null ? `${o.status?.succeeded ?? 0}/${completions}` : `${o.status?.succeeded ?? 0}/1 of ${o.spec?.parallelism ?? 1}`;
    return [o.metadata.name, jobStatusText(o), comp, duration(o, now), age(o, now), containers(o), images(o), formatSelector(o.spec?.selector)];
  },
  defaults(o, _ctx, old) {
    templateDefaults(o);
    const s = o.spec;
    const t = s.template;
    if (!old) {
      // The job controller's labels and selector (manualSelector off): controller-uid and job-name.
      const uid = o.metadata.uid!;
      if (s.manualSelector !== true) {
        t.metadata.labels = {
          ...(t.metadata.labels ?? {}),
          'batch.kubernetes.io/controller-uid': uid,
          'batch.kubernetes.io/job-name': o.metadata.name!,
          'controller-uid': uid,
          'job-name': o.metadata.name!,
        };
        s.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
      }
      o.metadata.labels = {
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': o.metadata.name!,
        'controller-uid': uid,
        'job-name': o.metadata.name!,
        ...(o.metadata.labels ?? {}),
      };
    }
    s.parallelism ??= 1;
    if (s.completions === undefined && s.parallelism !== undefined) s.completions = s.completionMode === 'Indexed' ? undefined : 1;
    s.backoffLimit ??= 6;
    s.completionMode ??= 'NonIndexed';
    s.suspend ??= false;
    s.podReplacementPolicy ??= 'TerminatingOrFailed';
    s.manualSelector ??= undefined;
    if (s.manualSelector === undefined) delete s.manualSelector;
  },
  validate(o, _ctx, old) {
    const out = validateTemplate(o, { restartPolicies: ['OnFailure', 'Never'], old });
    if (o.spec?.template?.spec?.restartPolicy === undefined || o.spec.template.spec.restartPolicy === 'Always') {
      out.push(unsupported('spec.template.spec.restartPolicy', o.spec?.template?.spec?.restartPolicy ?? 'Always', ['OnFailure', 'Never']));
    }
    out.push(...intIn('spec.parallelism', o.spec?.parallelism, 0), ...intIn('spec.completions', o.spec?.completions, 0), ...intIn('spec.backoffLimit', o.spec?.backoffLimit, 0));
    if (old && canonical(old.spec?.template) !== canonical(o.spec?.template)) out.push(immutable('spec.template', '<template>'));
    if (old && old.spec?.completions !== o.spec?.completions) out.push(immutable('spec.completions', o.spec?.completions));
    return out;
  },
};

export const cronjobs: ResourceDef = {
  ...builtin('batch', 'v1', 'cronjobs', 'CronJob', { shortNames: ['cj'], categories: ['all'], subresources: ['status'], generation: true }),
  columns: [
    NAME_COLUMN,
    col('Schedule', 'string', 'The schedule in Cron format.'),
    col('Timezone', 'string', 'The time zone name for the given schedule.'),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    AGE_COLUMN,
    ...TEMPLATE_COLUMNS,
    col('Selector', 'string', 'Label selector for pods.', 1),
  ],
  row: (o, now) => [
    o.metadata.name,
    o.spec?.schedule ?? '',
    o.spec?.timeZone ?? '<none>',
    o.spec?.suspend === true,
    (o.status?.active ?? []).length,
    o.status?.lastScheduleTime ? humanAge(o.status.lastScheduleTime, now) : '<none>',
    age(o, now),
    (o.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []).map((c: any) => c.name).join(','),
    (o.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []).map((c: any) => c.image).join(','),
    formatSelector(o.spec?.jobTemplate?.spec?.selector),
  ],
  defaults(o) {
    const s = (o.spec = isObj(o.spec) ? o.spec : {});
    s.concurrencyPolicy ??= 'Allow';
    s.suspend ??= false;
    s.successfulJobsHistoryLimit ??= 3;
    s.failedJobsHistoryLimit ??= 1;
    const jt = (s.jobTemplate = isObj(s.jobTemplate) ? s.jobTemplate : {});
    jt.metadata = isObj(jt.metadata) ? jt.metadata : { creationTimestamp: null };
    jt.spec = isObj(jt.spec) ? jt.spec : {};
    const t = (jt.spec.template = isObj(jt.spec.template) ? jt.spec.template : {});
    t.metadata = isObj(t.metadata) ? t.metadata : { creationTimestamp: null };
    podSpecDefaults((t.spec = isObj(t.spec) ? t.spec : {}));
  },
  validate(o) {
    const out = dns1123Subdomain('metadata.name', o.metadata.name);
    if (String(o.metadata.name ?? '').length > 52) out.push(invalid('metadata.name', o.metadata.name, 'must be no more than 52 characters'));
    const sched = o.spec?.schedule;
    if (typeof sched !== 'string' || sched.trim() === '') out.push(required('spec.schedule'));
    else if (!/^@(yearly|annually|monthly|weekly|daily|midnight|hourly|every \S+)$/.test(sched.trim()) && sched.trim().split(/\s+/).length !== 5)
      out.push(invalid('spec.schedule', sched, 'unparseable schedule: expected exactly 5 fields'));
    out.push(...validatePodSpec(o.spec?.jobTemplate?.spec?.template?.spec, 'spec.jobTemplate.spec.template.spec'));
    return out;
  },
};

export const APPS_KINDS: ResourceDef[] = [deployments, replicasets, statefulsets, daemonsets, controllerrevisions];
export const BATCH_KINDS: ResourceDef[] = [jobs, cronjobs];
