// What extensions and Flux configurations put into a cluster's Kubernetes API (services.kube), where the
// cluster has one: an extension's release namespace and the Deployments and DaemonSets of its chart
// (labelled as Helm labels a release's objects), Flux's custom resource definitions with the
// microsoft.flux extension, and per Flux configuration its FluxConfig, its source (GitRepository,
// Bucket or OCIRepository named as the configuration) and one Kustomization per kustomization
// (<configuration>-<kustomization>) with the Ready conditions the ARM resource reports. Applied as the
// last task of the operation (undone when it fails), removed when the resource is deleted.

import { Errors } from '../../arm/errors.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import type { Services } from '../../framework/types.js';
import type { ExtensionType } from '../../kubernetes/extensionTypes.js';

type Obj = { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };
export type ObjectRef = { apiVersion: string; kind: string; namespace?: string; name: string };

export const KUBE_APPLY = 'kubernetesConfiguration.kubeApply';
export const KUBE_DELETE = 'kubernetesConfiguration.kubeDelete';

const refOf = (o: Obj): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name! });

/** Namespaces Kubernetes itself owns: an extension releasing into one never deletes it. */
const SHARED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

// ---- extensions ------------------------------------------------------------------------------------------

function workload(kind: 'Deployment' | 'DaemonSet', name: string, ns: string, release: string, chart: string, version: string): Obj {
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': release, 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': `${chart}-${version}` };
  const spec: Record<string, any> = {
    selector: { matchLabels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': release } },
    template: {
      metadata: { labels },
      spec: {
        containers: [
          {
            name,
            image: `mcr.microsoft.com/azurearck8s/${chart}/${name}:${version}`,
            resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
          },
        ],
      },
    },
  };
  if (kind === 'Deployment') spec.replicas = 1;
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: ns, labels, annotations: { 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': ns } },
    spec,
  };
}

const crd = (group: string, kind: string, plural: string, versions: string[], scope: 'Namespaced' | 'Cluster' = 'Namespaced', shortNames?: string[]): Obj => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${group}`, labels: { 'app.kubernetes.io/part-of': 'flux', 'app.kubernetes.io/managed-by': 'Helm' } },
  spec: {
    group,
    names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), ...(shortNames ? { shortNames } : {}) },
    scope,
    versions: versions.map((v, i) => ({
      name: v,
      served: true,
      storage: i === 0,
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      additionalPrinterColumns: [
        { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
        { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    })),
  },
});

/** The custom resource definitions the microsoft.flux extension installs (Flux's, and the Arc agent's FluxConfig). */
export const FLUX_CRDS: Obj[] = [
  crd('source.toolkit.fluxcd.io', 'GitRepository', 'gitrepositories', ['v1', 'v1beta2'], 'Namespaced', ['gitrepo']),
  crd('source.toolkit.fluxcd.io', 'Bucket', 'buckets', ['v1beta2', 'v1']),
  crd('source.toolkit.fluxcd.io', 'OCIRepository', 'ocirepositories', ['v1beta2'], 'Namespaced', ['ocirepo']),
  crd('source.toolkit.fluxcd.io', 'HelmRepository', 'helmrepositories', ['v1', 'v1beta2'], 'Namespaced', ['helmrepo']),
  crd('source.toolkit.fluxcd.io', 'HelmChart', 'helmcharts', ['v1', 'v1beta2'], 'Namespaced', ['hc']),
  crd('kustomize.toolkit.fluxcd.io', 'Kustomization', 'kustomizations', ['v1', 'v1beta2'], 'Namespaced', ['ks']),
  crd('helm.toolkit.fluxcd.io', 'HelmRelease', 'helmreleases', ['v2', 'v2beta2'], 'Namespaced', ['hr']),
  crd('notification.toolkit.fluxcd.io', 'Alert', 'alerts', ['v1beta3']),
  crd('notification.toolkit.fluxcd.io', 'Provider', 'providers', ['v1beta3']),
  crd('notification.toolkit.fluxcd.io', 'Receiver', 'receivers', ['v1']),
  crd('clusterconfig.azure.com', 'FluxConfig', 'fluxconfigs', ['v1alpha1']),
];

/** The namespace an extension releases into. */
export function releaseNamespace(scope: Record<string, any> | undefined, fallback: string): string {
  return String(scope?.cluster?.releaseNamespace ?? scope?.namespace?.targetNamespace ?? fallback);
}

/** What an installed extension shows in its cluster. */
export function extensionObjects(name: string, t: ExtensionType, version: string, ns: string): Obj[] {
  const chart = t.name
    .toLowerCase()
    .replace(/^microsoft\./, '')
    .replace(/\./g, '-');
  const out: Obj[] = [];
  if (t.name.toLowerCase() === 'microsoft.flux') out.push(...FLUX_CRDS);
  for (const d of t.deployments ?? []) out.push(workload('Deployment', d, ns, name, chart, version));
  for (const d of t.daemonSets ?? []) out.push(workload('DaemonSet', d, ns, name, chart, version));
  if (!SHARED_NAMESPACES.has(ns)) {
    out.unshift({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': name, 'meta.helm.sh/release-namespace': ns } },
    });
  }
  return out;
}

/**
 * What deleting an extension removes: its workloads, its namespace unless Kubernetes owns it or another
 * extension releases there too, and Flux's definitions (with every Flux object) for microsoft.flux.
 */
export function extensionRefs(name: string, t: ExtensionType, version: string, ns: string, namespaceShared: boolean): ObjectRef[] {
  return extensionObjects(name, t, version, ns)
    .filter((o) => !(o.kind === 'Namespace' && namespaceShared))
    .map(refOf)
    .reverse();
}

// ---- Flux configurations ---------------------------------------------------------------------------------

const SOURCE_KINDS: Record<string, { kind: string; apiVersion: string; block: string }> = {
  gitrepository: { kind: 'GitRepository', apiVersion: 'source.toolkit.fluxcd.io/v1', block: 'gitRepository' },
  bucket: { kind: 'Bucket', apiVersion: 'source.toolkit.fluxcd.io/v1beta2', block: 'bucket' },
  azureblob: { kind: 'Bucket', apiVersion: 'source.toolkit.fluxcd.io/v1beta2', block: 'azureBlob' },
  ocirepository: { kind: 'OCIRepository', apiVersion: 'source.toolkit.fluxcd.io/v1beta2', block: 'ociRepository' },
};

/** Seconds as Go prints a duration (Flux's spec fields): 600 -> 10m0s, 3600 -> 1h0m0s, 30 -> 30s. */
function dur(v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return undefined;
  const h = Math.floor(v / 3600);
  const m = Math.floor((v % 3600) / 60);
  const s = Math.round(v % 60);
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
}

function clean<T extends Record<string, any>>(o: T): T {
  for (const [k, v] of Object.entries(o)) if (v === undefined || v === null) delete o[k];
  return o;
}

function sourceSpec(kind: string, src: Record<string, any>, name: string): Record<string, any> {
  const common = { interval: dur(src.syncIntervalInSeconds) ?? '10m', timeout: dur(src.timeoutInSeconds) ?? '10m' };
  if (kind === 'gitrepository') {
    const ref = src.repositoryRef ?? {};
    return clean({
      ...common,
      url: src.url,
      ref: clean({ branch: ref.branch, tag: ref.tag, semver: ref.semver, commit: ref.commit }),
      secretRef: src.localAuthRef ? { name: src.localAuthRef } : /^https?:/i.test(String(src.url ?? '')) && !src.httpsUser ? undefined : { name: `${name}-auth` },
    });
  }
  if (kind === 'bucket' || kind === 'azureblob') {
    const endpoint = kind === 'azureblob' ? String(src.url ?? '').replace(/^https?:\/\//i, '') : String(src.url ?? '').replace(/^https?:\/\//i, '');
    return clean({
      ...common,
      provider: kind === 'azureblob' ? 'azure' : 'generic',
      bucketName: kind === 'azureblob' ? src.containerName : src.bucketName,
      endpoint,
      insecure: src.insecure,
      secretRef: src.localAuthRef ? { name: src.localAuthRef } : src.accessKey || kind === 'azureblob' ? { name: `${name}-auth` } : undefined,
    });
  }
  const ref = src.repositoryRef ?? {};
  return clean({
    ...common,
    url: src.url,
    ref: clean({ tag: ref.tag, semver: ref.semver, digest: ref.digest }),
    insecure: src.insecure,
    secretRef: src.localAuthRef ? { name: src.localAuthRef } : undefined,
  });
}

/** The Flux objects of a configuration, with the statuses its ARM resource reports (`statuses`). */
export function fluxObjects(name: string, p: Record<string, any>, statuses: Record<string, any>[]): Obj[] {
  const ns = String(p.namespace ?? 'default');
  const kind = String(p.sourceKind ?? 'GitRepository').toLowerCase();
  const s = SOURCE_KINDS[kind] ?? SOURCE_KINDS.gitrepository;
  const labels = { 'clusterconfig.azure.com/is-managed': 'true', 'clusterconfig.azure.com/fluxconfig-name': name };
  const statusOf = (k: string, n: string) => {
    const st = statuses.find((x) => x.kind === k && x.name === n);
    return st ? { conditions: st.statusConditions ?? [], ...(st.complianceState === 'Compliant' && p.sourceSyncedCommitId ? { lastAppliedRevision: p.sourceSyncedCommitId } : {}) } : undefined;
  };
  const out: Obj[] = [
    {
      apiVersion: 'clusterconfig.azure.com/v1alpha1',
      kind: 'FluxConfig',
      metadata: { name, namespace: ns, labels },
      spec: clean({ scope: String(p.scope ?? 'cluster').toLowerCase(), sourceKind: s.kind, suspend: p.suspend === true, reconciliationWaitDuration: p.reconciliationWaitDuration }),
      status: clean({ complianceState: p.complianceState, sourceSyncedCommitId: p.sourceSyncedCommitId }),
    },
    {
      apiVersion: s.apiVersion,
      kind: s.kind,
      metadata: { name, namespace: ns, labels },
      spec: { ...sourceSpec(kind, p[s.block] ?? {}, name), suspend: p.suspend === true },
      ...(statusOf(s.kind, name) ? { status: statusOf(s.kind, name) } : {}),
    },
  ];
  for (const [k, v] of Object.entries((p.kustomizations ?? {}) as Record<string, Record<string, any>>)) {
    const kn = `${name}-${k}`;
    out.push({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: kn, namespace: ns, labels },
      spec: clean({
        path: v.path ? String(v.path) : './',
        interval: dur(v.syncIntervalInSeconds) ?? '10m',
        timeout: dur(v.timeoutInSeconds) ?? '10m',
        retryInterval: dur(v.retryIntervalInSeconds),
        prune: v.prune === true,
        force: v.force === true,
        wait: v.wait,
        suspend: p.suspend === true,
        sourceRef: { kind: s.kind, name, namespace: ns },
        dependsOn: Array.isArray(v.dependsOn) && v.dependsOn.length ? v.dependsOn.map((d: unknown) => ({ name: `${name}-${String(d)}` })) : undefined,
        postBuild: v.postBuild ?? undefined,
      }),
      ...(statusOf('Kustomization', kn) ? { status: statusOf('Kustomization', kn) } : {}),
    });
  }
  return out;
}

export const fluxRefs = (name: string, p: Record<string, any>): ObjectRef[] => fluxObjects(name, p, []).map(refOf).reverse();

// ---- the tasks ---------------------------------------------------------------------------------------------

/** The in-process Kubernetes API, where the emulator runs one (its shape as this provider uses it). */
interface KubeApi {
  applyObjects(armId: string, objects: Obj[], fieldManager: string): Promise<unknown>;
  deleteObjects(armId: string, refs: ObjectRef[]): Promise<void>;
  describe(armId: string): { key: string; serving: boolean; why?: string } | undefined;
}

const kubeOf = (services: Services): KubeApi | undefined => (services as unknown as { kube?: KubeApi }).kube;

/** Whether a cluster has a Kubernetes API the emulator serves (then its extensions show up in it). */
export const hasKubeApi = (services: Services, clusterId: string): boolean => !!kubeOf(services)?.describe(clusterId);

/**
 * Applies objects (or what a registered builder makes of `build` when the task runs) and removes `remove`
 * (what an update no longer has). A created resource's objects are removed again if its operation fails.
 */
export function applyTask(o: {
  id: string;
  cluster: string;
  fieldManager: string;
  dependsOn: string[];
  objects?: Obj[];
  build?: { kind: string; args: unknown };
  remove?: ObjectRef[];
  created: boolean;
}): TaskSpec {
  return {
    id: o.id,
    kind: KUBE_APPLY,
    params: { cluster: o.cluster, fieldManager: o.fieldManager, objects: o.objects, build: o.build, remove: o.remove ?? [], created: o.created },
    dependsOn: o.dependsOn,
  };
}

export const deleteTask = (id: string, cluster: string, refs: ObjectRef[]): TaskSpec => ({ id, kind: KUBE_DELETE, params: { cluster, refs } });

/** Registers the task kinds (the provider's init). */
export function registerKubeTasks(services: Services, builders: Record<string, (args: any) => Obj[]>): void {
  services.asyncOperations.registerTaskKind(KUBE_APPLY, {
    async run(t) {
      const kube = kubeOf(services);
      const cluster = String(t.params.cluster);
      const d = kube?.describe(cluster);
      if (!kube || !d) return undefined;
      if (!d.serving) throw Errors.withStatus(409, 'ClusterNotReachable', `The Kubernetes API of '${cluster.split('/').at(-1)}' does not answer: ${d.why ?? 'the cluster is not running'}.`);
      const build = t.params.build as { kind: string; args: unknown } | undefined;
      const objects = build ? builders[build.kind](build.args) : (t.params.objects as Obj[]);
      try {
        await kube.applyObjects(cluster, objects, String(t.params.fieldManager));
        const keep = new Set(objects.map((o) => JSON.stringify(refOf(o))));
        const gone = ((t.params.remove ?? []) as ObjectRef[]).filter((r) => !keep.has(JSON.stringify(r)));
        if (gone.length) await kube.deleteObjects(cluster, gone);
      } catch (e) {
        const err = e as { code?: number; message?: string };
        throw Errors.withStatus(
          err.code === 503 ? 409 : 400,
          err.code === 503 ? 'ClusterNotReachable' : 'KubernetesApplyFailed',
          `Applying to the cluster's Kubernetes API failed: ${err.message ?? String(e)}`,
        );
      }
      return { refs: t.params.created ? objects.map(refOf).reverse() : [] };
    },
    async undo(t) {
      const refs = (t.result as { refs?: ObjectRef[] } | undefined)?.refs;
      if (refs?.length)
        await kubeOf(services)?.deleteObjects(
          String(t.params.cluster),
          refs.filter((r) => r.kind !== 'Namespace' || !SHARED_NAMESPACES.has(r.name)),
        );
    },
  });
  services.asyncOperations.registerTaskKind(KUBE_DELETE, {
    async run(t) {
      await kubeOf(services)?.deleteObjects(String(t.params.cluster), t.params.refs as ObjectRef[]);
      return undefined;
    },
  });
}
