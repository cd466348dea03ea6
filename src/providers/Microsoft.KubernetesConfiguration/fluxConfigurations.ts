// Microsoft.KubernetesConfiguration/fluxConfigurations: GitOps with Flux v2 on a cluster (connected,
// AKS hybrid or AKS), as `az k8s-configuration flux create` makes them. The microsoft.flux extension
// must be installed on the cluster first, as in Azure. A configuration names one source (GitRepository,
// Bucket, AzureBlob or OCIRepository) and kustomizations (path, dependsOn, intervals, prune...), checked
// as the service checks them; protected settings (keys, tokens) are kept and never returned. Applying
// it is the Flux controllers' work on the cluster's site (a fabric package, so a disconnected site makes
// it wait, then fail); afterwards the configuration reports its compliance and one status per Flux
// object, as Flux does. A source the controllers cannot reach (a host under the reserved .invalid
// domain) leaves it Non-Compliant with Flux's message, as a real unreachable repository does.

import { createHash } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import type { ArmResource, Completion, RequestContext, ResourceTypeDefinition, StoredResource, WriteOutcome } from '../../framework/types.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import { hybridShapes } from '../hybridShapes.js';
import { atApiVersion } from '../versionShapes.js';
import { extensionType, ownOperations } from '../typeParts.js';
import { hostSite, installedExtensions, NS, packageName, requireHost } from './hosts.js';
import { applyTask, deleteTask, fluxObjects, fluxRefs, hasKubeApi } from './inCluster.js';

const TYPE = `${NS}/fluxConfigurations`;
export const FLUX_API_VERSIONS = ['2025-04-01', '2024-11-01', '2023-05-01', '2022-11-01', '2022-07-01', '2022-03-01', '2024-04-01-preview', '2022-01-01-preview', '2021-11-01-preview'];
/** Simulated time the Flux controllers take to fetch the source and apply the kustomizations (ms at time-scale 1). */
const RECONCILE_MS = 30_000;
const DEFAULT_INTERVAL = 600;

const SOURCES: Record<string, string> = { gitrepository: 'gitRepository', bucket: 'bucket', azureblob: 'azureBlob', ocirepository: 'ociRepository' };
const KIND_NAMES: Record<string, string> = { gitrepository: 'GitRepository', bucket: 'Bucket', azureblob: 'AzureBlob', ocirepository: 'OCIRepository' };

type Props = Record<string, any>;
const bad = (message: string, target: string) => Errors.invalidParameter(message, target);
const isObj = (v: unknown): v is Props => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The properties this api-version's model has (a source kind the version lacks is refused, not dropped). */
function versionHas(apiVersion: string, path: string[]): boolean {
  let t: any = hybridShapes()[TYPE.toLowerCase()]?.[apiVersion];
  for (const k of path) {
    if (!t || t === 0 || !(k in t)) return false;
    t = t[k];
  }
  return true;
}

function seconds(v: unknown, target: string, def: number | undefined): number | undefined {
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad(`${target} must be a whole number of seconds (1 or more); got ${JSON.stringify(v)}.`, target);
  return v;
}

function str(v: unknown, target: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw bad(`${target} must be a string.`, target);
  return v;
}

const GIT_URL = /^(https?:\/\/[^\s/]+\/\S+|ssh:\/\/\S+|[\w.-]+@[\w.-]+:\S+)$/i;

function gitSource(g: Props, at: string, secrets: Record<string, string>): Props {
  const url = str(g.url, `${at}.url`);
  if (!url) throw bad(`${at}.url is required: the repository's https:// or ssh:// URL (or git@host:path).`, `${at}.url`);
  if (!GIT_URL.test(url)) throw bad(`${at}.url '${url}' is not a Git URL: use https://host/path, ssh://user@host/path or git@host:path.`, `${at}.url`);
  const ref = g.repositoryRef;
  if (!isObj(ref)) throw bad(`${at}.repositoryRef is required: one of branch, tag, semver or commit.`, `${at}.repositoryRef`);
  const refs = ['branch', 'tag', 'semver', 'commit'].filter((k) => str(ref[k], `${at}.repositoryRef.${k}`) !== undefined);
  if (refs.length === 0) throw bad(`${at}.repositoryRef needs one of branch, tag, semver or commit.`, `${at}.repositoryRef`);
  if (refs.length > 1 && !(refs.length === 2 && refs.includes('branch') && refs.includes('commit'))) {
    throw bad(`${at}.repositoryRef takes one of branch, tag, semver or commit (a commit may go with its branch); it has ${refs.join(', ')}.`, `${at}.repositoryRef`);
  }
  const https = /^https?:/i.test(url);
  const httpsUser = str(g.httpsUser, `${at}.httpsUser`);
  if (httpsUser && !https) throw bad(`${at}.httpsUser is for https:// URLs; '${url}' is SSH (give configurationProtectedSettings.sshPrivateKey instead).`, `${at}.httpsUser`);
  if (httpsUser && !secrets.httpsKey && !str(g.localAuthRef, `${at}.localAuthRef`)) {
    throw bad(`${at}.httpsUser needs its password or token in configurationProtectedSettings.httpsKey (base64).`, 'properties.configurationProtectedSettings.httpsKey');
  }
  if (secrets.sshPrivateKey && https)
    throw bad(`configurationProtectedSettings.sshPrivateKey is for SSH URLs; '${url}' is https:// (use httpsUser and httpsKey).`, 'properties.configurationProtectedSettings.sshPrivateKey');
  const provider = str(g.provider, `${at}.provider`);
  if (provider && !['azure', 'generic'].includes(provider.toLowerCase())) throw bad(`${at}.provider '${provider}' is not one of Azure, Generic.`, `${at}.provider`);
  const out: Props = {
    url,
    timeoutInSeconds: seconds(g.timeoutInSeconds, `${at}.timeoutInSeconds`, DEFAULT_INTERVAL),
    syncIntervalInSeconds: seconds(g.syncIntervalInSeconds, `${at}.syncIntervalInSeconds`, DEFAULT_INTERVAL),
    repositoryRef: Object.fromEntries(['branch', 'tag', 'semver', 'commit'].map((k) => [k, str(ref[k], '') ?? null])),
    sshKnownHosts: str(g.sshKnownHosts, `${at}.sshKnownHosts`) ?? null,
    httpsUser: httpsUser ?? null,
    httpsCACert: str(g.httpsCACert ?? g.httpsCAFile, `${at}.httpsCACert`) ?? null,
    localAuthRef: str(g.localAuthRef, `${at}.localAuthRef`) ?? null,
  };
  if (provider) out.provider = provider.toLowerCase() === 'azure' ? 'Azure' : 'Generic';
  return out;
}

function bucketSource(b: Props, at: string, secrets: Record<string, string>): Props {
  const url = str(b.url, `${at}.url`);
  if (!url || !/^https?:\/\/\S+$/i.test(url)) throw bad(`${at}.url is required: the bucket endpoint's http(s):// URL.`, `${at}.url`);
  const bucketName = str(b.bucketName, `${at}.bucketName`);
  if (!bucketName) throw bad(`${at}.bucketName is required.`, `${at}.bucketName`);
  const accessKey = str(b.accessKey, `${at}.accessKey`);
  if (accessKey && !secrets.bucketSecretKey && !str(b.localAuthRef, ''))
    throw bad(`${at}.accessKey needs its secret in configurationProtectedSettings.bucketSecretKey (base64).`, 'properties.configurationProtectedSettings.bucketSecretKey');
  if (b.insecure !== undefined && b.insecure !== null && typeof b.insecure !== 'boolean') throw bad(`${at}.insecure must be true or false.`, `${at}.insecure`);
  return {
    url,
    bucketName,
    insecure: b.insecure === true,
    timeoutInSeconds: seconds(b.timeoutInSeconds, `${at}.timeoutInSeconds`, DEFAULT_INTERVAL),
    syncIntervalInSeconds: seconds(b.syncIntervalInSeconds, `${at}.syncIntervalInSeconds`, DEFAULT_INTERVAL),
    accessKey: accessKey ?? null,
    localAuthRef: str(b.localAuthRef, `${at}.localAuthRef`) ?? null,
  };
}

function azureBlobSource(a: Props, at: string, secrets: Record<string, string>): Props {
  const url = str(a.url, `${at}.url`);
  if (!url || !/^https:\/\/[a-z0-9]{3,24}\.blob\.[^\s/]+\/?$/i.test(url))
    throw bad(`${at}.url is required: the storage account's blob endpoint (https://<account>.blob.core.windows.net).`, `${at}.url`);
  const containerName = str(a.containerName, `${at}.containerName`);
  if (!containerName) throw bad(`${at}.containerName is required.`, `${at}.containerName`);
  const ways = [
    secrets.accountKey || a.accountKey ? 'accountKey' : '',
    secrets.sasToken || a.sasToken ? 'sasToken' : '',
    isObj(a.servicePrincipal) ? 'servicePrincipal' : '',
    isObj(a.managedIdentity) ? 'managedIdentity' : '',
    str(a.localAuthRef, '') ? 'localAuthRef' : '',
  ].filter(Boolean);
  if (ways.length > 1) throw bad(`${at} takes one way to authenticate; it has ${ways.join(', ')}.`, at);
  const out: Props = {
    url,
    containerName,
    timeoutInSeconds: seconds(a.timeoutInSeconds, `${at}.timeoutInSeconds`, DEFAULT_INTERVAL),
    syncIntervalInSeconds: seconds(a.syncIntervalInSeconds, `${at}.syncIntervalInSeconds`, DEFAULT_INTERVAL),
    localAuthRef: str(a.localAuthRef, `${at}.localAuthRef`) ?? null,
  };
  if (isObj(a.servicePrincipal)) {
    const sp = a.servicePrincipal;
    if (!str(sp.clientId, '') || !str(sp.tenantId, '')) throw bad(`${at}.servicePrincipal needs clientId and tenantId.`, `${at}.servicePrincipal`);
    out.servicePrincipal = { clientId: sp.clientId, tenantId: sp.tenantId, clientCertificateSendChain: sp.clientCertificateSendChain === true };
  }
  if (isObj(a.managedIdentity)) out.managedIdentity = { clientId: str(a.managedIdentity.clientId, `${at}.managedIdentity.clientId`) ?? null };
  return out;
}

function ociSource(o: Props, at: string): Props {
  const url = str(o.url, `${at}.url`);
  if (!url || !/^oci:\/\/\S+$/i.test(url)) throw bad(`${at}.url is required: the artifact's oci:// URL.`, `${at}.url`);
  const ref = isObj(o.repositoryRef) ? o.repositoryRef : {};
  const refs = ['tag', 'semver', 'digest'].filter((k) => str(ref[k], `${at}.repositoryRef.${k}`) !== undefined);
  if (refs.length > 1) throw bad(`${at}.repositoryRef takes one of tag, semver or digest; it has ${refs.join(', ')}.`, `${at}.repositoryRef`);
  const out: Props = {
    url,
    timeoutInSeconds: seconds(o.timeoutInSeconds, `${at}.timeoutInSeconds`, DEFAULT_INTERVAL),
    syncIntervalInSeconds: seconds(o.syncIntervalInSeconds, `${at}.syncIntervalInSeconds`, DEFAULT_INTERVAL),
    repositoryRef: refs.length ? { [refs[0]]: ref[refs[0]] } : { tag: 'latest' },
    insecure: o.insecure === true,
    useWorkloadIdentity: o.useWorkloadIdentity === true,
    localAuthRef: str(o.localAuthRef, `${at}.localAuthRef`) ?? null,
  };
  if (isObj(o.layerSelector)) out.layerSelector = { mediaType: str(o.layerSelector.mediaType, '') ?? null, operation: str(o.layerSelector.operation, '') ?? 'extract' };
  return out;
}

function kustomizations(raw: unknown, at = 'properties.kustomizations'): Props {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) throw bad(`${at} must be an object: kustomization name -> {path, dependsOn, ...}.`, at);
  const out: Props = {};
  for (const [name, k] of Object.entries(raw)) {
    const w = `${at}.${name}`;
    if (k === null) continue; // a PATCH's null removes it
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) throw bad(`Kustomization name '${name}' must be 1-63 lowercase letters, digits and dashes, starting and ending with a letter or digit.`, w);
    if (!isObj(k)) throw bad(`${w} must be an object.`, w);
    const path = str(k.path, `${w}.path`) ?? '';
    if (path.split('/').includes('..')) throw bad(`${w}.path '${path}' leaves the source: it must be a path inside it (for example ./apps).`, `${w}.path`);
    const dependsOn = k.dependsOn === undefined || k.dependsOn === null ? [] : k.dependsOn;
    if (!Array.isArray(dependsOn) || dependsOn.some((d: unknown) => typeof d !== 'string')) throw bad(`${w}.dependsOn must be an array of kustomization names.`, `${w}.dependsOn`);
    for (const flag of ['prune', 'force', 'wait']) {
      if (k[flag] !== undefined && k[flag] !== null && typeof k[flag] !== 'boolean') throw bad(`${w}.${flag} must be true or false.`, `${w}.${flag}`);
    }
    const entry: Props = {
      name,
      path,
      dependsOn,
      timeoutInSeconds: seconds(k.timeoutInSeconds, `${w}.timeoutInSeconds`, DEFAULT_INTERVAL),
      syncIntervalInSeconds: seconds(k.syncIntervalInSeconds, `${w}.syncIntervalInSeconds`, DEFAULT_INTERVAL),
      retryIntervalInSeconds: seconds(k.retryIntervalInSeconds, `${w}.retryIntervalInSeconds`, undefined) ?? null,
      prune: k.prune === true,
      force: k.force === true,
      wait: k.wait !== false,
    };
    if (isObj(k.postBuild)) {
      const sub = k.postBuild.substitute;
      if (sub !== undefined && sub !== null && (!isObj(sub) || Object.values(sub).some((x) => typeof x !== 'string')))
        throw bad(`${w}.postBuild.substitute must be an object of strings.`, `${w}.postBuild.substitute`);
      entry.postBuild = { substitute: sub ?? {}, substituteFrom: Array.isArray(k.postBuild.substituteFrom) ? k.postBuild.substituteFrom : [] };
    }
    out[name] = entry;
  }
  // dependsOn: names of this configuration's kustomizations, without cycles
  for (const [name, k] of Object.entries(out)) {
    for (const d of k.dependsOn as string[]) {
      if (d === name) throw bad(`Kustomization '${name}' depends on itself.`, `${at}.${name}.dependsOn`);
      if (!out[d]) throw bad(`Kustomization '${name}' depends on '${d}', which this configuration does not define. Kustomizations: ${Object.keys(out).join(', ')}.`, `${at}.${name}.dependsOn`);
    }
  }
  const state = new Map<string, number>();
  const visit = (n: string, trail: string[]): void => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) throw bad(`Kustomizations depend on each other in a cycle: ${[...trail, n].join(' -> ')}.`, at);
    state.set(n, 1);
    for (const d of out[n].dependsOn as string[]) visit(d, [...trail, n]);
    state.set(n, 2);
  };
  for (const n of Object.keys(out)) visit(n, []);
  return out;
}

function protectedSettings(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw bad('properties.configurationProtectedSettings must be an object of strings.', 'properties.configurationProtectedSettings');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

/** The configuration's properties as stored, after every check; the source kind decides which block counts. */
function build(ctx: RequestContext, p: Props, secrets: Record<string, string>): Props {
  const v = ctx.apiVersion;
  const kindRaw = String(p.sourceKind ?? 'GitRepository');
  const kind = kindRaw.toLowerCase();
  const block = SOURCES[kind];
  if (!block) throw bad(`sourceKind '${kindRaw}' is not one of GitRepository, Bucket, AzureBlob, OCIRepository.`, 'properties.sourceKind');
  if (!versionHas(v, ['properties', block])) throw bad(`sourceKind ${KIND_NAMES[kind]} is not in api-version ${v}; use a newer api-version.`, 'properties.sourceKind');
  for (const [k, other] of Object.entries(SOURCES)) {
    if (k !== kind && p[other] !== undefined && p[other] !== null)
      throw bad(`properties.${other} is given, but sourceKind is ${KIND_NAMES[kind]}; give only properties.${block}.`, `properties.${other}`);
  }
  const src = p[block];
  if (!isObj(src)) throw bad(`sourceKind ${KIND_NAMES[kind]} needs properties.${block}.`, `properties.${block}`);
  const at = `properties.${block}`;
  const source =
    kind === 'gitrepository' ? gitSource(src, at, secrets) : kind === 'bucket' ? bucketSource(src, at, secrets) : kind === 'azureblob' ? azureBlobSource(src, at, secrets) : ociSource(src, at);
  const scope = String(p.scope ?? 'cluster').toLowerCase();
  if (scope !== 'cluster' && scope !== 'namespace') throw bad(`scope '${String(p.scope)}' is not one of cluster, namespace.`, 'properties.scope');
  const namespace = String(p.namespace ?? 'default');
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(namespace))
    throw bad(`namespace '${namespace}' must be up to 253 lowercase letters, digits, dashes and dots, starting and ending with a letter or digit.`, 'properties.namespace');
  if (p.suspend !== undefined && p.suspend !== null && typeof p.suspend !== 'boolean') throw bad('properties.suspend must be true or false.', 'properties.suspend');
  const out: Props = {
    scope,
    namespace,
    sourceKind: KIND_NAMES[kind],
    suspend: p.suspend === true,
    [block]: source,
    kustomizations: kustomizations(p.kustomizations),
  };
  if (p.waitForReconciliation !== undefined && p.waitForReconciliation !== null) {
    if (typeof p.waitForReconciliation !== 'boolean') throw bad('properties.waitForReconciliation must be true or false.', 'properties.waitForReconciliation');
    out.waitForReconciliation = p.waitForReconciliation;
  }
  const wait = str(p.reconciliationWaitDuration, 'properties.reconciliationWaitDuration');
  if (wait !== undefined) {
    if (!/^PT(\d+H)?(\d+M)?(\d+S)?$/.test(wait) || wait === 'PT')
      throw bad(`properties.reconciliationWaitDuration '${wait}' is not an ISO 8601 duration such as PT30M.`, 'properties.reconciliationWaitDuration');
    out.reconciliationWaitDuration = wait;
  }
  return out;
}

/** The microsoft.flux extension must be installed first (as in Azure). */
function requireFlux(ctx: RequestContext, host: StoredResource): void {
  const flux = installedExtensions(ctx.services, host.resource.id).find((e) => String(e.resource.properties?.extensionType ?? '').toLowerCase() === 'microsoft.flux');
  if (!flux || flux.resource.properties?.provisioningState !== 'Succeeded') {
    throw Errors.invalid(
      'FluxExtensionNotInstalled',
      `Flux is not installed on '${host.resource.name}'${flux ? ` (extension '${flux.resource.name}' is ${flux.resource.properties?.provisioningState})` : ''}: install the microsoft.flux extension (Microsoft.KubernetesConfiguration/extensions with extensionType microsoft.flux) and wait until it is Succeeded, then create the configuration.`,
    );
  }
}

/** The commit Flux lands on: deterministic from the source and its ref (the emulator has no repository to read). */
function syncedCommit(p: Props): string {
  const src = p[SOURCES[String(p.sourceKind).toLowerCase()]] ?? {};
  const ref = src.repositoryRef ?? {};
  const sha = createHash('sha1')
    .update(JSON.stringify([src.url, ref, src.bucketName, src.containerName]))
    .digest('hex');
  const name = ref.branch ?? ref.tag ?? ref.semver ?? ref.digest ?? (p.sourceKind === 'GitRepository' ? 'HEAD' : 'latest');
  return p.sourceKind === 'GitRepository' ? `${name}@sha1:${ref.commit ?? sha}` : `sha256:${createHash('sha256').update(sha).digest('hex')}`;
}

const unreachable = (p: Props): string | undefined => {
  const src = p[SOURCES[String(p.sourceKind).toLowerCase()]] ?? {};
  const host = /^(?:[a-z]+:\/\/)?(?:[^@/]+@)?([^/:]+)/i.exec(String(src.url ?? ''))?.[1] ?? '';
  return /\.invalid$/i.test(host) ? host : undefined;
};

/** What Flux reports after it reconciled: compliance and one status per Flux object. */
function reconciled(name: string, p: Props, now: string): Props {
  const commit = syncedCommit(p);
  const host = unreachable(p);
  const cond = (ok: boolean, message: string) => [{ lastTransitionTime: now, message, reason: ok ? 'Succeeded' : 'GitOperationFailed', status: ok ? 'True' : 'False', type: 'Ready' }];
  const sourceKind = p.sourceKind === 'AzureBlob' ? 'Bucket' : p.sourceKind;
  const statuses: Props[] = [
    {
      name,
      namespace: p.namespace,
      kind: sourceKind,
      complianceState: host ? 'Non-Compliant' : 'Compliant',
      statusConditions: cond(!host, host ? `failed to checkout and determine revision: unable to clone: dial tcp: lookup ${host}: no such host` : `stored artifact for revision '${commit}'`),
    },
  ];
  for (const k of Object.keys(p.kustomizations ?? {})) {
    statuses.push({
      name: `${name}-${k}`,
      namespace: p.namespace,
      kind: 'Kustomization',
      complianceState: host ? 'Non-Compliant' : 'Compliant',
      appliedBy: { name, namespace: p.namespace },
      statusConditions: host
        ? [{ lastTransitionTime: now, message: `${sourceKind} '${p.namespace}/${name}' is not ready`, reason: 'ArtifactFailed', status: 'False', type: 'Ready' }]
        : [{ lastTransitionTime: now, message: `Applied revision: ${commit}`, reason: 'ReconciliationSucceeded', status: 'True', type: 'Ready' }],
    });
  }
  return {
    statuses,
    complianceState: p.suspend ? 'Suspended' : host ? 'Non-Compliant' : 'Compliant',
    sourceSyncedCommitId: host ? null : commit,
    sourceUpdatedAt: host ? null : now,
    statusUpdatedAt: now,
    errorMessage: host ? `Source ${sourceKind} '${p.namespace}/${name}' could not be fetched from ${host}.` : '',
  };
}

/** An SSH source without a private key: Flux makes a key pair in the cluster, and the service shows its public key. */
function publicKeyFor(p: Props, id: string, secrets: Record<string, string>): string | null {
  if (p.sourceKind !== 'GitRepository' || /^https?:/i.test(p.gitRepository.url) || secrets.sshPrivateKey || p.gitRepository.localAuthRef) return null;
  const body = createHash('sha512').update(`flux:${id.toLowerCase()}`).digest('base64');
  return Buffer.from(`ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ${body} flux@${id.split('/').at(-1)}`).toString('base64');
}

/** The configuration's Flux objects as the cluster has them once reconciled (built when the task runs). */
export function reconciledObjects(args: { name: string; p: Props }) {
  const done = reconciled(args.name, args.p, new Date().toISOString());
  return fluxObjects(args.name, { ...args.p, ...done }, done.statuses);
}

/** Flux reconciling on the cluster's site, then (where the cluster has a Kubernetes API) its objects in it. */
function reconcileTasks(ctx: RequestContext, host: StoredResource, p: Props, ex?: StoredResource): TaskSpec[] {
  const tasks = [reconcileTask(ctx, host, p)];
  if (hasKubeApi(ctx.services, host.resource.id)) {
    const name = ctx.path.names.at(-1)!;
    const clean = { ...p };
    delete clean.configurationProtectedSettings;
    tasks.push(
      applyTask({
        id: 'kubernetes',
        cluster: host.resource.id,
        fieldManager: 'fluxconfig-agent',
        dependsOn: ['reconcile'],
        build: { kind: 'flux', args: { name, p: clean } },
        remove: ex ? fluxRefs(name, ex.resource.properties ?? {}) : [],
        created: !ex,
      }),
    );
  }
  return tasks;
}

function reconcileTask(ctx: RequestContext, host: StoredResource, p: Props): TaskSpec {
  const id = ctx.path.id;
  return {
    id: 'reconcile',
    kind: 'fabric.installPackage',
    params: {
      site: hostSite(host),
      package: { name: packageName(id, 'flux'), owner: id, host: host.resource.id, packageType: 'fluxConfiguration', version: syncedCommit(p).slice(0, 60), namespace: p.namespace },
    },
    durationMs: RECONCILE_MS,
  };
}

function outcome(ctx: RequestContext, host: StoredResource, p: Props, secrets: Record<string, string>, ex?: StoredResource): WriteOutcome {
  const resource: ArmResource = {
    id: ctx.path.id,
    name: ctx.path.names.at(-1)!,
    type: TYPE,
    properties: {
      ...p,
      statuses: ex?.resource.properties?.statuses ?? [],
      repositoryPublicKey: publicKeyFor(p, ctx.path.id, secrets),
      sourceSyncedCommitId: ex?.resource.properties?.sourceSyncedCommitId ?? null,
      sourceUpdatedAt: ex?.resource.properties?.sourceUpdatedAt ?? null,
      statusUpdatedAt: ex?.resource.properties?.statusUpdatedAt ?? null,
      complianceState: 'Pending',
      provisioningState: ex ? 'Updating' : 'Creating',
      errorMessage: '',
    },
  };
  return { resource, internal: { ...(ex?.internal ?? {}), protectedSettings: secrets }, operation: { kind: ex ? 'update' : 'create', tasks: reconcileTasks(ctx, host, p, ex) } };
}

function toWire(s: StoredResource, apiVersion: string): ArmResource {
  const r = structuredClone(s.resource);
  const p = (r.properties ??= {});
  delete p.configurationProtectedSettings;
  if (s.deleting) p.provisioningState = 'Deleting';
  // What older versions call the synced commit and its time, and the CA certificate.
  p.lastSourceSyncedCommitId = p.lastSourceUpdatedCommitId = p.sourceSyncedCommitId;
  p.lastSourceSyncedAt = p.lastSourceUpdatedAt = p.sourceUpdatedAt;
  if (p.gitRepository) p.gitRepository.httpsCAFile = p.gitRepository.httpsCACert;
  return atApiVersion(TYPE, apiVersion, r);
}

function settle(s: StoredResource | undefined, op: { kind: string; cancelRequested?: boolean }, ok: boolean, message?: string): Completion {
  if (!s) return { resource: undefined };
  if (op.kind === 'delete' && ok) return { resource: undefined };
  const c = structuredClone(s);
  const p = c.resource.properties ?? {};
  const state = ok ? 'Succeeded' : op.cancelRequested ? 'Canceled' : 'Failed';
  const done = ok ? reconciled(c.resource.name, p, new Date().toISOString()) : { errorMessage: message ?? '', complianceState: p.complianceState === 'Pending' ? 'Unknown' : p.complianceState };
  c.resource.properties = { ...p, ...done, provisioningState: state };
  return { resource: c };
}

export const fluxConfigurations: ResourceTypeDefinition = {
  ...extensionType(NS, 'fluxConfigurations', FLUX_API_VERSIONS),
  patch: 'merge',
  providerOperations: ownOperations(
    `${NS}/fluxConfigurations`,
    ['Get fluxConfiguration', 'Gets a Flux configuration'],
    ['Create or update fluxConfiguration', 'Creates or updates a Flux configuration'],
    ['Delete fluxConfiguration', 'Deletes a Flux configuration'],
  ),
  nameRule: { pattern: /^[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?$/, message: 'A Flux configuration name is 1-30 lowercase letters, digits and dashes, starting and ending with a letter or digit.' },
  onPut(ctx, candidate) {
    const host = requireHost(ctx, 'fluxConfigurations');
    requireFlux(ctx, host);
    const ex = ctx.existing;
    const raw = { ...(candidate.properties ?? {}) };
    const secrets = { ...(ex?.internal.protectedSettings ?? {}), ...protectedSettings(raw.configurationProtectedSettings) };
    const p = build(ctx, raw, secrets);
    if (ex) {
      for (const k of ['scope', 'namespace']) {
        if (String(ex.resource.properties?.[k]) !== String(p[k]))
          throw Errors.propertyChangeNotAllowed(k, String(ex.resource.properties?.[k]), `properties.${k}`, 'delete the configuration and create it again');
      }
    }
    return outcome(ctx, host, p, secrets, ex);
  },
  onPatch(ctx, candidate) {
    const host = requireHost(ctx, 'fluxConfigurations');
    requireFlux(ctx, host);
    const body = (ctx.body ?? {}) as Props;
    const allowed = new Set(['sourceKind', 'suspend', 'gitRepository', 'bucket', 'azureBlob', 'ociRepository', 'kustomizations', 'configurationProtectedSettings']);
    for (const k of Object.keys(body.properties ?? {})) {
      if (!allowed.has(k)) throw bad(`Property '${k}' cannot be changed by PATCH; it takes ${[...allowed].join(', ')}.`, `properties.${k}`);
    }
    const merged = { ...(candidate.properties ?? {}) };
    // A new source kind replaces the old source block.
    if (body.properties?.sourceKind !== undefined) {
      const keep = SOURCES[String(body.properties.sourceKind).toLowerCase()];
      for (const b of Object.values(SOURCES)) if (b !== keep && body.properties[b] === undefined) delete merged[b];
    }
    const secrets = { ...(ctx.existing.internal.protectedSettings ?? {}), ...protectedSettings(body.properties?.configurationProtectedSettings) };
    const p = build(ctx, merged, secrets);
    return outcome(ctx, host, p, secrets, ctx.existing);
  },
  onDelete(ctx) {
    const host = ctx.parent;
    const id = ctx.existing.resource.id;
    const force = String(ctx.query.forceDelete ?? ctx.query.forcedelete ?? '').toLowerCase() === 'true';
    const site = host?.internal.site as string | undefined;
    const tasks: TaskSpec[] =
      site && ctx.services.fabric?.hasSite(site)
        ? [{ id: 'prune', kind: 'fabric.uninstallPackage', params: { site, name: packageName(id, 'flux'), owner: id, force }, durationMs: force ? 0 : RECONCILE_MS / 2 }]
        : [];
    if (host && hasKubeApi(ctx.services, host.resource.id)) tasks.unshift(deleteTask('kubernetes', host.resource.id, fluxRefs(ctx.existing.resource.name, ctx.existing.resource.properties ?? {})));
    return { operation: { kind: 'delete', tasks } };
  },
  toWire,
  onOperationSucceeded: (op, s) => settle(s, op, true),
  onOperationFailed: (op, s, e) => settle(s, op, false, e.message),
};
