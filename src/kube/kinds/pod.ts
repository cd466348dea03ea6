// Pods: defaults (those of the API server and of its admission plugins: service account token volume,
// default tolerations), validation, and what kubectl shows of a pod (READY, STATUS, RESTARTS).

import { isObj, hashSuffix, type KubeObject } from '../model.js';
import type { StatusCause } from '../status.js';
import { dns1123Label, dns1123Subdomain, duplicate, forbidden, intIn, invalid, labels, quantity, required, unsupported } from './validation.js';
import type { KindContext } from './registry.js';

const RESTART = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const PULL = ['Always', 'IfNotPresent', 'Never'];

/** Container defaults (the same for pod templates). */
function containerDefaults(c: Record<string, any>): void {
  if (!isObj(c)) return;
  if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
    const tag = c.image.includes('@') ? 'digest' : /:[^/]+$/.test(c.image) ? c.image.slice(c.image.lastIndexOf(':') + 1) : 'latest';
    c.imagePullPolicy = tag === 'latest' ? 'Always' : 'IfNotPresent';
  }
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  if (isObj(c.resources) && isObj(c.resources.limits) && !isObj(c.resources.requests)) c.resources.requests = { ...c.resources.limits };
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObj(p)) p.protocol ??= 'TCP';
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const p = c[probe];
    if (!isObj(p)) continue;
    p.timeoutSeconds ??= 1;
    p.periodSeconds ??= 10;
    p.successThreshold ??= 1;
    p.failureThreshold ??= 3;
    if (isObj(p.httpGet)) p.httpGet.scheme ??= 'HTTP';
  }
  if (Array.isArray(c.env)) for (const e of c.env) if (isObj(e?.valueFrom?.fieldRef)) e.valueFrom.fieldRef.apiVersion ??= 'v1';
}

/** Defaults of a pod spec as the API server fills them (also for templates). */
export function podSpecDefaults(spec: Record<string, any>): void {
  if (!isObj(spec)) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const c of [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])]) containerDefaults(c);
  if (Array.isArray(spec.volumes)) {
    for (const v of spec.volumes) {
      if (!isObj(v)) continue;
      if (isObj(v.secret)) v.secret.defaultMode ??= 420;
      if (isObj(v.configMap)) v.configMap.defaultMode ??= 420;
      if (isObj(v.projected)) v.projected.defaultMode ??= 420;
      if (isObj(v.hostPath)) v.hostPath.type ??= '';
      if (isObj(v.emptyDir) === false && Object.keys(v).length === 1) v.emptyDir = {};
    }
  }
}

/** What the API server's admission adds to a new pod: service account, its token volume, default tolerations, priority. */
export function podAdmission(pod: KubeObject, ctx: KindContext): void {
  const spec = pod.spec as Record<string, any>;
  if (!isObj(spec)) return;
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount = spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  if (spec.priority === undefined) {
    const pc = spec.priorityClassName ? ctx.get('scheduling.k8s.io', 'priorityclasses', '', String(spec.priorityClassName)) : undefined;
    spec.priority = typeof pc?.value === 'number' ? pc.value : 0;
  }
  // The token of the pod's service account, as a projected volume in every container (ServiceAccount admission).
  if (spec.automountServiceAccountToken !== false && Array.isArray(spec.volumes) === false) spec.volumes = [];
  if (spec.automountServiceAccountToken !== false && !(spec.volumes as any[]).some((v) => String(v?.name ?? '').startsWith('kube-api-access-'))) {
    const vol = `kube-api-access-${hashSuffix(`${pod.metadata.namespace}/${pod.metadata.name ?? pod.metadata.generateName}/${ctx.now}`, 5)}`;
    (spec.volumes as any[]).push({
      name: vol,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
        ],
      },
    });
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      if (!isObj(c)) continue;
      c.volumeMounts = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
      if (!c.volumeMounts.some((m: any) => m?.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount')) {
        c.volumeMounts.push({ name: vol, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' });
      }
    }
  }
  // DefaultTolerationSeconds: pods stay 300 s on a node that is not ready or unreachable, then are evicted.
  const tol: any[] = Array.isArray(spec.tolerations) ? spec.tolerations : (spec.tolerations = []);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tol.some((t) => isObj(t) && (t.key === key || (t.key === undefined && t.operator === 'Exists')) && (t.effect === undefined || t.effect === '' || t.effect === 'NoExecute'))) {
      tol.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  }
}

export function podDefaults(pod: KubeObject, ctx: KindContext, old?: KubeObject): void {
  podSpecDefaults(pod.spec);
  if (!old) {
    podAdmission(pod, ctx);
    pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec) };
  }
}

function validateContainers(list: unknown, field: string, needOne: boolean, seen: Set<string>): StatusCause[] {
  const out: StatusCause[] = [];
  if (list === undefined || list === null) return needOne ? [required(field)] : [];
  if (!Array.isArray(list)) return [invalid(field, list, 'must be a list of containers')];
  if (needOne && list.length === 0) return [required(field)];
  list.forEach((c: any, i: number) => {
    const f = `${field}[${i}]`;
    if (!isObj(c)) return void out.push(invalid(f, c, 'must be a container'));
    if (c.name === undefined || c.name === '') out.push(required(`${f}.name`));
    else {
      out.push(...dns1123Label(`${f}.name`, c.name));
      if (seen.has(c.name)) out.push(duplicate(`${f}.name`, c.name));
      seen.add(c.name);
    }
    if (typeof c.image !== 'string' || c.image.trim() === '') out.push(required(`${f}.image`));
    if (c.imagePullPolicy !== undefined && !PULL.includes(c.imagePullPolicy)) out.push(unsupported(`${f}.imagePullPolicy`, c.imagePullPolicy, PULL));
    if (c.ports !== undefined) {
      if (!Array.isArray(c.ports)) out.push(invalid(`${f}.ports`, c.ports, 'must be a list'));
      else
        c.ports.forEach((p: any, j: number) => {
          const pf = `${f}.ports[${j}]`;
          if (!isObj(p)) return void out.push(invalid(pf, p, 'must be a port'));
          if (p.containerPort === undefined) out.push(required(`${pf}.containerPort`));
          else out.push(...intIn(`${pf}.containerPort`, p.containerPort, 1, 65535));
          if (p.hostPort !== undefined) out.push(...intIn(`${pf}.hostPort`, p.hostPort, 1, 65535));
          if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) out.push(unsupported(`${pf}.protocol`, p.protocol, PROTOCOLS));
          if (p.name !== undefined && (typeof p.name !== 'string' || p.name.length > 15 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.name) || !/[a-z]/.test(p.name))) {
            out.push(invalid(`${pf}.name`, p.name, 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), must contain at least one letter (a-z) and be no more than 15 characters'));
          }
        });
    }
    const res = c.resources;
    if (res !== undefined && res !== null) {
      for (const part of ['requests', 'limits']) {
        const m = res[part];
        if (m === undefined || m === null) continue;
        if (!isObj(m)) out.push(invalid(`${f}.resources.${part}`, m, 'must be a map of resource quantities'));
        else for (const [k, v] of Object.entries(m)) out.push(...quantity(`${f}.resources.${part}[${k}]`, v));
      }
    }
    if (c.env !== undefined && Array.isArray(c.env)) {
      c.env.forEach((e: any, j: number) => {
        if (!isObj(e) || typeof e.name !== 'string' || e.name === '') out.push(required(`${f}.env[${j}].name`));
      });
    }
  });
  return out;
}

/** Validation of a pod spec (pods and templates alike). */
export function validatePodSpec(spec: unknown, field: string): StatusCause[] {
  if (!isObj(spec)) return [required(field)];
  const seen = new Set<string>();
  const out = [...validateContainers(spec.containers, `${field}.containers`, true, seen), ...validateContainers(spec.initContainers, `${field}.initContainers`, false, seen)];
  if (spec.restartPolicy !== undefined && !RESTART.includes(spec.restartPolicy)) out.push(unsupported(`${field}.restartPolicy`, spec.restartPolicy, RESTART));
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy)) out.push(unsupported(`${field}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  out.push(...labels(`${field}.nodeSelector`, spec.nodeSelector));
  if (spec.terminationGracePeriodSeconds !== undefined) out.push(...intIn(`${field}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 0));
  if (spec.activeDeadlineSeconds !== undefined) out.push(...intIn(`${field}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 1));
  if (spec.serviceAccountName !== undefined && spec.serviceAccountName !== '') out.push(...dns1123Subdomain(`${field}.serviceAccountName`, spec.serviceAccountName));
  const vols = new Set<string>();
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((v: any, i: number) => {
      const f = `${field}.volumes[${i}]`;
      if (!isObj(v) || typeof v.name !== 'string' || v.name === '') return void out.push(required(`${f}.name`));
      out.push(...dns1123Label(`${f}.name`, v.name));
      if (vols.has(v.name)) out.push(duplicate(`${f}.name`, v.name));
      vols.add(v.name);
    });
  }
  for (const [ci, c] of (Array.isArray(spec.containers) ? spec.containers : []).entries()) {
    for (const [mi, m] of (Array.isArray(c?.volumeMounts) ? c.volumeMounts : []).entries()) {
      if (isObj(m) && typeof m.name === 'string' && !vols.has(m.name) && !m.name.startsWith('kube-api-access-')) {
        out.push({ reason: 'FieldValueNotFound', message: `Not found: "${m.name}"`, field: `${field}.containers[${ci}].volumeMounts[${mi}].name` });
      }
    }
  }
  if (Array.isArray(spec.tolerations)) {
    spec.tolerations.forEach((t: any, i: number) => {
      const f = `${field}.tolerations[${i}]`;
      if (!isObj(t)) return;
      if (t.operator !== undefined && !['Exists', 'Equal'].includes(t.operator)) out.push(unsupported(`${f}.operator`, t.operator, ['Equal', 'Exists']));
      if (t.effect !== undefined && t.effect !== '' && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect))
        out.push(unsupported(`${f}.effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
      if (t.operator === 'Exists' && t.value) out.push(invalid(`${f}.operator`, t.operator, "value must be empty when `operator` is 'Exists'"));
    });
  }
  return out;
}

const MUTABLE_HINT =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

export function validatePod(pod: KubeObject, _ctx: KindContext, old?: KubeObject): StatusCause[] {
  const out = old && pod.spec === old.spec ? [] : validatePodSpec(pod.spec, 'spec');
  // A write that keeps the stored spec (a status update) changes nothing there.
  if (old && isObj(pod.spec) && isObj(old.spec) && pod.spec !== old.spec) {
    // Only images, deadlines and added tolerations may change (and nodeName once, by a binding).
    const a = { ...pod.spec };
    if (old.spec.nodeName === undefined) delete a.nodeName;
    else if (a.nodeName === undefined) a.nodeName = old.spec.nodeName;
    if (deepDiff(a, old.spec)) out.push(forbidden('spec', MUTABLE_HINT));
    const newTol: any[] = Array.isArray(pod.spec.tolerations) ? pod.spec.tolerations : [];
    const kept =
      newTol === old.spec.tolerations ||
      ((old.spec.tolerations ?? []) as any[]).every((t) => newTol.some((n) => canonical({ ...n, tolerationSeconds: 0 }) === canonical({ ...t, tolerationSeconds: 0 })));
    if (!kept) out.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  }
  return out;
}

/** True when specs differ in anything an update may not change (beyond what strip() hides). */
function deepDiff(a: Record<string, any>, b: Record<string, any>): boolean {
  const norm = (s: Record<string, any>) => {
    const c = { ...s };
    for (const k of ['containers', 'initContainers']) if (Array.isArray(c[k])) c[k] = c[k].map((x: any) => (isObj(x) ? { ...x, image: '' } : x));
    for (const k of ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds']) delete c[k];
    return c;
  };
  return !sameJson(norm(a), norm(b));
}

/**
 * The same JSON once keys are sorted (what comparing canonical() texts decides), without building texts;
 * identical references are equal at once, so what a write shares with the stored object costs nothing.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (isObj(a)) {
    if (!isObj(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !sameJson(a[k], b[k])) return false;
    return true;
  }
  if (Array.isArray(b) || isObj(b)) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** JSON with object keys sorted (for comparisons). */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Guaranteed when every container has equal requests and limits for cpu and memory; BestEffort when none has any. */
export function qosClass(spec: any): string {
  const cs: any[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = cs.length > 0;
  for (const c of cs) {
    const r = c?.resources ?? {};
    const req = r.requests ?? {};
    const lim = r.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const k of ['cpu', 'memory']) if (lim[k] === undefined || (req[k] !== undefined && req[k] !== lim[k])) guaranteed = false;
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

// ---- what kubectl shows of a pod --------------------------------------------------------------------------

/** The STATUS column, with kubectl's rules (container waiting/terminated reasons, Terminating, Completed). */
export function podStatusText(pod: KubeObject): string {
  const st = pod.status ?? {};
  let reason: string = st.reason ?? st.phase ?? 'Unknown';
  const inits: any[] = st.initContainerStatuses ?? [];
  let initializing = false;
  inits.forEach((c, i) => {
    if (initializing) return;
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) return;
    if (c.started && c.restartPolicy === 'Always') return;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${(pod.spec?.initContainers ?? []).length}`;
    initializing = true;
  });
  if (!initializing) {
    let hasRunning = false;
    const cs: any[] = st.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = (st.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (pod.metadata.deletionTimestamp) reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

export function podReady(pod: KubeObject): string {
  const total = (pod.spec?.containers ?? []).length;
  const ready = (pod.status?.containerStatuses ?? []).filter((c: any) => c.ready).length;
  return `${ready}/${total}`;
}

export function podRestarts(pod: KubeObject, now: number): string {
  let n = 0;
  let last = 0;
  for (const c of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
    n += Number(c.restartCount ?? 0);
    const t = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
    if (Number.isFinite(t) && t > last) last = t;
  }
  if (n > 0 && last > 0) {
    const s = Math.max(0, Math.floor((now - last) / 1000));
    const ago = s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
    return `${n} (${ago} ago)`;
  }
  return String(n);
}
