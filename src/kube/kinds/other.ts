// The other built-in groups: RBAC, storage, coordination (leases), discovery (endpoint slices), networking,
// policy, autoscaling, scheduling, node, apiextensions (CRDs), events.k8s.io, and the review types of
// authorization and authentication (answered, never stored).

import { humanAge, isObj, type KubeObject } from '../model.js';
import type { StatusCause } from '../status.js';
import { AGE_COLUMN, builtin, NAME_COLUMN, col, type ResourceDef } from './registry.js';
import { formatSelector } from './apps.js';
import { dns1123Subdomain, invalid, pathSegmentName, required, unsupported } from './validation.js';
import { validateCrd } from './crd.js';
import { hpaDefaults, hpaTargets, hpaValidate } from './autoscaling.js';

const age = (o: KubeObject, now: number) => humanAge(o.metadata.creationTimestamp, now);
const CREATED_AT = col('Created At', 'date', 'Creation timestamp');

const simple = (group: string, version: string, resource: string, kind: string, namespaced: boolean, opts: Partial<ResourceDef> = {}): ResourceDef => ({
  ...builtin(group, version, resource, kind, { namespaced }),
  columns: [NAME_COLUMN, AGE_COLUMN],
  row: (o, now) => [o.metadata.name, age(o, now)],
  validate: (o) => dns1123Subdomain('metadata.name', o.metadata.name),
  ...opts,
});

// ---- RBAC ---------------------------------------------------------------------------------------------------

const RBAC = 'rbac.authorization.k8s.io';

function validateRules(rules: unknown): StatusCause[] {
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) return [invalid('rules', rules, 'must be a list of policy rules')];
  const out: StatusCause[] = [];
  rules.forEach((r: any, i: number) => {
    const f = `rules[${i}]`;
    if (!isObj(r)) return void out.push(invalid(f, r, 'must be a policy rule'));
    if (!Array.isArray(r.verbs) || r.verbs.length === 0) out.push(required(`${f}.verbs`, 'verbs must contain at least one value'));
    const nonResource = Array.isArray(r.nonResourceURLs) && r.nonResourceURLs.length > 0;
    if (nonResource && ((r.apiGroups ?? []).length || (r.resources ?? []).length))
      out.push(invalid(`${f}.nonResourceURLs`, r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    if (!nonResource && !Array.isArray(r.apiGroups)) out.push(required(`${f}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!nonResource && (!Array.isArray(r.resources) || r.resources.length === 0)) out.push(required(`${f}.resources`, 'resource rules must supply at least one resource'));
  });
  return out;
}

function validateBinding(o: KubeObject, namespaced: boolean, old?: KubeObject): StatusCause[] {
  const out = pathSegmentName('metadata.name', o.metadata.name);
  const ref = o.roleRef;
  if (!isObj(ref)) out.push(required('roleRef'));
  else {
    if (!['Role', 'ClusterRole'].includes(ref.kind) || (!namespaced && ref.kind !== 'ClusterRole'))
      out.push(unsupported('roleRef.kind', ref.kind, namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole']));
    if (ref.apiGroup !== RBAC) out.push(unsupported('roleRef.apiGroup', ref.apiGroup, [RBAC]));
    if (!ref.name) out.push(required('roleRef.name'));
  }
  if (old && JSON.stringify(old.roleRef) !== JSON.stringify(o.roleRef)) out.push(invalid('roleRef', o.roleRef, 'cannot change roleRef'));
  (Array.isArray(o.subjects) ? o.subjects : []).forEach((s: any, i: number) => {
    const f = `subjects[${i}]`;
    if (!isObj(s)) return;
    if (!['User', 'Group', 'ServiceAccount'].includes(s.kind)) out.push(unsupported(`${f}.kind`, s.kind, ['ServiceAccount', 'User', 'Group']));
    if (!s.name) out.push(required(`${f}.name`));
    if (s.kind === 'ServiceAccount' && !s.namespace && !namespaced) out.push(required(`${f}.namespace`));
  });
  return out;
}

const subjectsOf = (o: KubeObject, kind: string) =>
  (o.subjects ?? [])
    .filter((s: any) => s.kind === kind)
    .map((s: any) => (kind === 'ServiceAccount' ? `${s.namespace ?? o.metadata.namespace}/${s.name}` : s.name))
    .join(', ');

const bindingColumns = [
  NAME_COLUMN,
  col('Role', 'string', 'RoleRef is the reference to the role the binding grants.'),
  AGE_COLUMN,
  col('Users', 'string', 'Users in the binding', 1),
  col('Groups', 'string', 'Groups in the binding', 1),
  col('ServiceAccounts', 'string', 'ServiceAccounts in the binding', 1),
];
const bindingRow = (o: KubeObject, now: number) => [
  o.metadata.name,
  `${o.roleRef?.kind}/${o.roleRef?.name}`,
  age(o, now),
  subjectsOf(o, 'User'),
  subjectsOf(o, 'Group'),
  subjectsOf(o, 'ServiceAccount'),
];

export const RBAC_KINDS: ResourceDef[] = [
  simple(RBAC, 'v1', 'clusterroles', 'ClusterRole', false, {
    schema: 'io.k8s.api.rbac.v1.ClusterRole',
    columns: [NAME_COLUMN, CREATED_AT],
    row: (o) => [o.metadata.name, o.metadata.creationTimestamp],
    validate: (o) => [...pathSegmentName('metadata.name', o.metadata.name), ...validateRules(o.rules)],
  }),
  simple(RBAC, 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false, {
    schema: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
    columns: bindingColumns,
    row: bindingRow,
    validate: (o, _c, old) => validateBinding(o, false, old),
  }),
  simple(RBAC, 'v1', 'roles', 'Role', true, {
    schema: 'io.k8s.api.rbac.v1.Role',
    columns: [NAME_COLUMN, CREATED_AT],
    row: (o) => [o.metadata.name, o.metadata.creationTimestamp],
    validate: (o) => [...pathSegmentName('metadata.name', o.metadata.name), ...validateRules(o.rules)],
  }),
  simple(RBAC, 'v1', 'rolebindings', 'RoleBinding', true, {
    schema: 'io.k8s.api.rbac.v1.RoleBinding',
    columns: bindingColumns,
    row: bindingRow,
    validate: (o, _c, old) => validateBinding(o, true, old),
  }),
];

// ---- storage ---------------------------------------------------------------------------------------------------

export const STORAGE_KINDS: ResourceDef[] = [
  simple('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, {
    shortNames: ['sc'],
    schema: 'io.k8s.api.storage.v1.StorageClass',
    columns: [
      NAME_COLUMN,
      col('Provisioner', 'string', 'Indicates the type of the provisioner.'),
      col('ReclaimPolicy', 'string', 'Indicates the type of the reclaim policy.'),
      col('VolumeBindingMode', 'string', 'Indicates how PersistentVolumeClaims should be bound'),
      col('AllowVolumeExpansion', 'string', 'Indicates whether the storage class allow volume expand'),
      AGE_COLUMN,
    ],
    row: (o, now) => [
      o.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ? `${o.metadata.name} (default)` : o.metadata.name,
      o.provisioner ?? '',
      o.reclaimPolicy ?? 'Delete',
      o.volumeBindingMode ?? 'Immediate',
      String(o.allowVolumeExpansion === true),
      age(o, now),
    ],
    defaults(o) {
      o.reclaimPolicy ??= 'Delete';
      o.volumeBindingMode ??= 'Immediate';
    },
    validate(o) {
      const out = dns1123Subdomain('metadata.name', o.metadata.name);
      if (!o.provisioner) out.push(required('provisioner'));
      return out;
    },
  }),
  simple('storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', false, { schema: 'io.k8s.api.storage.v1.CSIDriver' }),
];

// ---- coordination, discovery, networking, policy, autoscaling, scheduling, node --------------------------------

const slicePorts = (o: KubeObject) => {
  const ps: any[] = o.ports ?? [];
  return ps.length ? ps.map((p) => String(p.port ?? '')).join(',') : '<unset>';
};
const sliceEndpoints = (o: KubeObject) => {
  const ips: string[] = [];
  for (const e of o.endpoints ?? []) ips.push(...(e.addresses ?? []));
  if (!ips.length) return '<none>';
  return ips.length > 3 ? `${ips.slice(0, 3).join(',')} + ${ips.length - 3} more...` : ips.join(',');
};

export const MISC_KINDS: ResourceDef[] = [
  simple('coordination.k8s.io', 'v1', 'leases', 'Lease', true, {
    schema: 'io.k8s.api.coordination.v1.Lease',
    columns: [NAME_COLUMN, col('Holder', 'string', 'The holder of the lease'), AGE_COLUMN],
    row: (o, now) => [o.metadata.name, o.spec?.holderIdentity ?? '', age(o, now)],
  }),
  simple('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true, {
    schema: 'io.k8s.api.discovery.v1.EndpointSlice',
    columns: [
      NAME_COLUMN,
      col('AddressType', 'string', 'The IP protocol for this slice'),
      col('Ports', 'string', 'The ports for this slice'),
      col('Endpoints', 'string', 'The endpoints of this slice'),
      AGE_COLUMN,
    ],
    row: (o, now) => [o.metadata.name, o.addressType ?? '', slicePorts(o), sliceEndpoints(o), age(o, now)],
    fields: {},
  }),
  simple('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, {
    shortNames: ['ing'],
    subresources: ['status'],
    statusSubresource: true,
    schema: 'io.k8s.api.networking.v1.Ingress',
    columns: [
      NAME_COLUMN,
      col('Class', 'string', 'The name of the IngressClass resource'),
      col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
      col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
      col('Ports', 'string', 'Ports of TLS configurations that open'),
      AGE_COLUMN,
    ],
    row: (o, now) => [
      o.metadata.name,
      o.spec?.ingressClassName ?? '<none>',
      (o.spec?.rules ?? []).map((r: any) => r.host ?? '*').join(',') || '*',
      (o.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip ?? i.hostname).join(','),
      (o.spec?.tls ?? []).length ? '80, 443' : '80',
      age(o, now),
    ],
  }),
  simple('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false, {
    schema: 'io.k8s.api.networking.v1.IngressClass',
    columns: [
      NAME_COLUMN,
      col('Controller', 'string', 'Controller that is responsible for handling this class'),
      col('Parameters', 'string', 'A reference to a resource with additional parameters'),
      AGE_COLUMN,
    ],
    row: (o, now) => [o.metadata.name, o.spec?.controller ?? '', o.spec?.parameters ? `${o.spec.parameters.kind}/${o.spec.parameters.name}` : '<none>', age(o, now)],
  }),
  simple('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, {
    shortNames: ['netpol'],
    schema: 'io.k8s.api.networking.v1.NetworkPolicy',
    columns: [NAME_COLUMN, col('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'), AGE_COLUMN],
    row: (o, now) => [o.metadata.name, formatSelector(o.spec?.podSelector) === '<none>' ? '<none>' : formatSelector(o.spec?.podSelector), age(o, now)],
  }),
  simple('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, {
    shortNames: ['pdb'],
    subresources: ['status'],
    statusSubresource: true,
    generation: true,
    schema: 'io.k8s.api.policy.v1.PodDisruptionBudget',
    columns: [
      NAME_COLUMN,
      col('Min Available', 'string', 'The minimum number of pods that must be available simultaneously.'),
      col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable simultaneously.'),
      col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
      AGE_COLUMN,
    ],
    row: (o, now) => [o.metadata.name, o.spec?.minAvailable ?? 'N/A', o.spec?.maxUnavailable ?? 'N/A', o.status?.disruptionsAllowed ?? 0, age(o, now)],
  }),
  simple('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
    statusSubresource: true,
    schema: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
    defaults: hpaDefaults,
    validate: hpaValidate,
    columns: [
      NAME_COLUMN,
      col('Reference', 'string', 'Reference to the target object'),
      col('Targets', 'string', 'Current and target metric values'),
      col('MinPods', 'string', 'Lower limit for the number of pods'),
      col('MaxPods', 'string', 'Upper limit for the number of pods'),
      col('Replicas', 'string', 'Current number of replicas'),
      AGE_COLUMN,
    ],
    row: (o, now, kubernetesVersion) => [
      o.metadata.name,
      `${o.spec?.scaleTargetRef?.kind}/${o.spec?.scaleTargetRef?.name}`,
      hpaTargets(o, kubernetesVersion),
      o.spec?.minReplicas ?? 1,
      o.spec?.maxReplicas ?? 0,
      o.status?.currentReplicas ?? 0,
      age(o, now),
    ],
  }),
  simple('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, {
    shortNames: ['pc'],
    schema: 'io.k8s.api.scheduling.v1.PriorityClass',
    columns: [
      NAME_COLUMN,
      col('Value', 'integer', 'Value of the priority class'),
      col('Global-Default', 'boolean', 'Whether this is the default priority class'),
      AGE_COLUMN,
      col('PreemptionPolicy', 'string', 'PreemptionPolicy of the priority class'),
    ],
    row: (o, now) => [o.metadata.name, o.value ?? 0, o.globalDefault === true, age(o, now), o.preemptionPolicy ?? 'PreemptLowerPriority'],
    defaults(o) {
      o.preemptionPolicy ??= 'PreemptLowerPriority';
    },
    validate(o) {
      const out = dns1123Subdomain('metadata.name', o.metadata.name);
      if (typeof o.value !== 'number') out.push(required('value'));
      return out;
    },
  }),
  simple('node.k8s.io', 'v1', 'runtimeclasses', 'RuntimeClass', false, {
    schema: 'io.k8s.api.node.v1.RuntimeClass',
    columns: [NAME_COLUMN, col('Handler', 'string', 'The name of the handler'), AGE_COLUMN],
    row: (o, now) => [o.metadata.name, o.handler ?? '', age(o, now)],
  }),
];

// ---- events.k8s.io (the same events as core/v1, another shape) ------------------------------------------------

export const EVENTS_V1: ResourceDef = {
  ...builtin('events.k8s.io', 'v1', 'events', 'Event', { shortNames: ['ev'], storageGroup: 'core', storageResource: 'events' }),
  // Stored as core/v1 events are (the read side turns them back: http/respond.ts), so kubectl get events and
  // kubectl describe show events written through either API.
  defaults: (o) => coreEventFromV1(o),
};

const V1_TO_CORE: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingController', 'reportingComponent'],
];

/** An events.k8s.io/v1 Event in the core/v1 shape (fields renamed; the rest is shared). */
function coreEventFromV1(o: KubeObject): void {
  for (const [v1, core] of V1_TO_CORE) {
    if (o[v1] !== undefined) {
      o[core] = o[v1];
      delete o[v1];
    }
  }
  if (!o.source && o.reportingComponent) o.source = { component: o.reportingComponent };
  if (o.series && !o.lastTimestamp && o.series.lastObservedTime) o.lastTimestamp = String(o.series.lastObservedTime).replace(/\.\d+Z$/, 'Z');
  if (o.series && o.count === undefined && o.series.count !== undefined) o.count = o.series.count;
}

// ---- apiextensions ---------------------------------------------------------------------------------------------

export const CRDS: ResourceDef = {
  ...builtin('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', {
    namespaced: false,
    schema: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
    generation: true,
  }),
  columns: [NAME_COLUMN, CREATED_AT],
  row: (o) => [o.metadata.name, o.metadata.creationTimestamp],
  defaults(o) {
    const s = (o.spec = isObj(o.spec) ? o.spec : {});
    s.conversion ??= { strategy: 'None' };
    if (isObj(s.names)) {
      s.names.singular ??= String(s.names.kind ?? '').toLowerCase();
      s.names.listKind ??= `${s.names.kind}List`;
    }
  },
  validate: (o, ctx, old) => validateCrd(o, ctx, old),
};

// ---- reviews (create-only, answered from the authorizer) -----------------------------------------------------------

const review = (group: string, resource: string, kind: string, namespaced = false): ResourceDef => builtin(group, 'v1', resource, kind, { namespaced, verbs: ['create'], virtual: true });

export const REVIEW_KINDS: ResourceDef[] = [
  review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  review('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview'),
  review('authorization.k8s.io', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
  review('authentication.k8s.io', 'tokenreviews', 'TokenReview'),
];
