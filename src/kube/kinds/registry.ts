// What the API server serves: one ResourceDef per resource (group, version, plural name, kind, scope, verbs,
// subresources), with the kind's pure hooks: defaults, validation, the columns `kubectl get` prints, the
// fields a field selector may name. Built-in kinds are declared in the files beside this one; custom
// resources are added per cluster from its CustomResourceDefinitions (crd.ts).

import type { KubeObject } from '../model.js';
import type { StatusCause } from '../status.js';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

/** What a hook may know besides the object: the cluster's settings and other objects. */
export interface KindContext {
  /** The cluster's service CIDR etc. */
  cluster: ClusterFacts;
  /** Reads another object of the same cluster (e.g. a namespace). */
  get(group: string, resource: string, namespace: string, name: string): KubeObject | undefined;
  /** Objects of a resource (all namespaces when none is given). */
  list(group: string, resource: string, namespace?: string): KubeObject[];
  now: number;
}

export interface ClusterFacts {
  key: string;
  kubernetesVersion: string;
  serviceCidr: string;
  dnsServiceIP: string;
  podCidr: string;
  clusterDomain: string;
}

export interface ResourceDef {
  group: string;
  version: string;
  /** Plural, lower case: 'deployments'. */
  resource: string;
  kind: string;
  singular: string;
  listKind?: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Subresources served: status, scale, binding, eviction, log, exec, attach, portforward, proxy, token. */
  subresources?: string[];
  /** metadata.generation grows when anything but metadata and status changes. */
  generation?: boolean;
  /** Writes to the main resource keep the stored status; writes to /status keep everything else. */
  statusSubresource?: boolean;
  /** A status sent on create is kept (Nodes: the kubelet registers its node with its conditions, as kube-apiserver's node strategy allows). */
  statusOnCreate?: boolean;
  /** Kept under another resource (events.k8s.io/events are core events). */
  storageGroup?: string;
  storageResource?: string;
  /**
   * Another version of a kind stored in one shape (autoscaling/v1 HorizontalPodAutoscalers are kept as v2, as the
   * API server converts): writes are turned into `storageVersion`'s shape, reads back into this version's.
   */
  convert?: { storageVersion: string; toStorage(o: KubeObject): KubeObject; fromStorage(o: KubeObject): KubeObject };
  /** The OpenAPI definition of the kind (for schemas, pruning and strategic merge). */
  schema?: string;
  /** Columns of `kubectl get`; `row` gives the cells (after Name, which every table starts with, unless noName). */
  columns?: ColumnDefinition[];
  row?: (o: KubeObject, now: number, kubernetesVersion?: string) => unknown[];
  /** Fields a field selector may name besides metadata.name and metadata.namespace. */
  fields?: Record<string, (o: KubeObject) => string | undefined>;
  /** On create: records who asks (CertificateSigningRequests' spec.username...: the request's user, not the body). */
  requestor?: (o: KubeObject, user: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> }) => void;
  /** Fills defaults on create and update (mutates the copy it is given). */
  defaults?: (o: KubeObject, ctx: KindContext, old?: KubeObject) => void;
  /** Problems with the object (422 causes); `old` on update. */
  validate?: (o: KubeObject, ctx: KindContext, old?: KubeObject) => StatusCause[];
  /** Pods: deletion is graceful (deletionTimestamp first, the kubelet removes). */
  graceful?: boolean;
  /** Create-only review types (SelfSubjectAccessReview...): answered, never stored. */
  virtual?: boolean;
  /** A custom resource (served from a CRD). */
  custom?: {
    crd: string;
    schema?: unknown;
    printerColumns?: { name: string; type: string; jsonPath: string; description?: string; priority?: number; format?: string }[];
    scaleSpec?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const READ_VERBS = ['get', 'list', 'watch'];

/**
 * The head of a built-in kind's definition: what the API server derives from group, version, plural and kind
 * (the singular, the OpenAPI definition io.k8s.api.<group>.<version>.<Kind>, every verb, namespaced unless said,
 * writes that keep the status when a status subresource is served); `opts` adds to it or overrides it.
 */
export function builtin(group: string, version: string, resource: string, kind: string, opts: Partial<ResourceDef> = {}): ResourceDef {
  return {
    group,
    version,
    resource,
    kind,
    singular: kind.toLowerCase(),
    namespaced: true,
    verbs: ALL_VERBS,
    schema: `io.k8s.api.${group.split('.')[0] || 'core'}.${version}.${kind}`,
    ...(opts.subresources?.includes('status') ? { statusSubresource: true } : {}),
    ...opts,
  };
}

export const col = (name: string, type: ColumnDefinition['type'], description: string, priority = 0, format = ''): ColumnDefinition => ({
  name,
  type,
  format,
  description,
  priority,
});

export const NAME_COLUMN = col(
  'Name',
  'string',
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  0,
  'name',
);
export const AGE_COLUMN = col(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
);

/** The storage key of a resource ('core/events' for events.k8s.io events too). */
export function storageOf(d: ResourceDef): string {
  return `${d.storageGroup ?? (d.group || 'core')}/${d.storageResource ?? d.resource}`;
}

export class KindRegistry {
  private readonly byGvr = new Map<string, ResourceDef>();
  private readonly groups = new Map<string, string[]>();

  constructor(defs: ResourceDef[]) {
    for (const d of defs) this.add(d);
  }

  add(d: ResourceDef): void {
    this.byGvr.set(`${d.group}/${d.version}/${d.resource}`, d);
    const vs = this.groups.get(d.group) ?? [];
    if (!vs.includes(d.version)) vs.push(d.version);
    this.groups.set(d.group, vs);
  }

  get(group: string, version: string, resource: string): ResourceDef | undefined {
    return this.byGvr.get(`${group}/${version}/${resource}`);
  }

  /** Any served version of a group resource (the preferred first). */
  anyVersion(group: string, resource: string): ResourceDef | undefined {
    for (const v of this.groups.get(group) ?? []) {
      const d = this.get(group, v, resource);
      if (d) return d;
    }
    return undefined;
  }

  byKind(group: string, kind: string): ResourceDef | undefined {
    for (const d of this.byGvr.values()) if (d.group === group && d.kind === kind) return d;
    return undefined;
  }

  /** Groups with their versions, preferred first (the order they were declared in). */
  groupVersions(): { group: string; versions: string[] }[] {
    return [...this.groups].map(([group, versions]) => ({ group, versions }));
  }

  resourcesOf(group: string, version: string): ResourceDef[] {
    return [...this.byGvr.values()].filter((d) => d.group === group && d.version === version);
  }

  all(): ResourceDef[] {
    return [...this.byGvr.values()];
  }
}
