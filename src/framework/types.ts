// The framework's contract: the small interface a resource provider implements, and the Services it
// reaches. A provider declares its resource types and pure hooks (request and current state in;
// resource, related resources and an operation plan out). The resource manager (resourceManager.ts) is
// the only writer: it owns routing by id, conditions, ETags, systemData, tags, merge patch, cascades and
// the single atomic commit of everything one change touches. Adding a type never touches the core or
// the HTTP edge.

import type { ArmError, ErrorDetail } from '../arm/errors.js';
import type { GateRule, OperationPlan, OperationRecord, OperationSubject, TaskKindRegistry, TaskSpec } from '../arm/asyncOperations.js';
import type { WriteOp } from '../store/store.js';
import type { EmulatorConfig, SubscriptionConfig } from '../config/config.js';
import type { Logger } from '../config/log.js';
import type { Store } from '../store/store.js';
import type { LocationCatalog } from '../arm/locations.js';
import type { Fabric } from '../fabric/fabric.js';
import type { Authorizer } from '../authorization/authorizer.js';
import type { VersionSchema } from '../catalogue/catalogue.js';
import type { ResourceRepository } from './repository.js';
import type { Clock } from './clock.js';
import type { Target, TargetResolver } from './targets.js';
import type { ArmResource, ParsedPath, Principal, StoredResource } from '../arm/types.js';

export type { Json, SystemData, ArmResource, StoredResource, ParsedPath, Principal } from '../arm/types.js';

/** Where a type lives. */
export type Scope =
  | 'tenant' //         /providers/{ns}/{type}
  | 'subscription' //   /subscriptions/{s}/providers/{ns}/{type}
  | 'resourceGroup' //  /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}
  | 'extension'; //     {any resource id}/providers/{ns}/{type}

export interface RequestContext {
  method: string;
  /** The api-version the type models (the nearest one when the caller asked for one only the catalogue lists). */
  apiVersion: string;
  /** The api-version the caller asked for, when it differs from apiVersion. */
  requestedApiVersion?: string;
  path: ParsedPath;
  def: ResourceTypeDefinition;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  /** Parsed JSON body (undefined when none). */
  body: any;
  /** https://host:port of this request, for absolute URLs ('' in process). */
  baseUrl: string;
  principal: Principal;
  /** The subscription the path names, looked up once per request (undefined when the path names none). */
  subscription?: SubscriptionConfig;
  services: Services;
  /** The stored resource addressed, when it exists. */
  existing?: StoredResource;
  /** The parent resource for child and extension types. */
  parent?: StoredResource;
  /** The operation this request is made for (a deployment's writes), recorded on the operation it starts. */
  initiatedBy?: string;
  /**
   * PUT only: where the resource lands (its location or extendedLocation), resolved on first call and then kept;
   * a custom location is the record the core's extendedLocation check already read.
   */
  target?: () => Target;
}

/** A resource written together with the one a hook decides about (children, side resources). */
export interface RelatedResource {
  /** The resource as stored (id/type must be set; name defaults to the id's last segment). */
  resource: ArmResource;
  internal?: Record<string, any>;
  /** Shown as taking part in this change's operation (409s other writers until it ends). */
  busy?: boolean;
}

/** Everything besides the addressed resource that one change writes, committed in the same write. */
export interface Related {
  put?: RelatedResource[];
  /** Resource ids removed (with their descendants). */
  delete?: string[];
  /** Side records outside the resource store (e.g. provider registrations). */
  records?: WriteOp[];
}

/** What a PUT or PATCH hook decides. */
export interface WriteOutcome {
  /** The resource to store (id/name/type/systemData/etag are filled by the framework). */
  resource: ArmResource;
  internal?: Record<string, any>;
  /** Present when the work is asynchronous; the resource is stored with a non-terminal state. */
  operation?: OperationPlan;
  related?: Related;
  /** The status of a synchronous create when the type's spec declares no 201 (e.g. 200). */
  createdStatus?: 200 | 201;
}

export interface DeleteOutcome {
  /** Present when the delete is asynchronous. */
  operation?: OperationPlan;
  related?: Related;
  /** The status of a synchronous delete when the type's spec declares no 200 (e.g. 204). */
  deletedStatus?: 200 | 204;
}

export interface ActionOutcome {
  /** Synchronous result. */
  status?: number;
  body?: unknown;
  /** Present for an asynchronous action (202 + Location). */
  operation?: OperationPlan;
  /** The addressed resource's new state, committed with the operation (e.g. provisioningState 'Stopping'). */
  resource?: ArmResource;
  related?: Related;
  /** Headers of a synchronous answer (e.g. runCommand's Location of its command result). */
  headers?: Record<string, string>;
  /** An operation in flight to cancel (e.g. managedClusters/abort). */
  cancel?: { operationId: string; message: string };
}

/** What a completion hook decides: the resource's final state (undefined = gone) and related writes. */
export interface Completion {
  resource: StoredResource | undefined;
  related?: Related;
}

export type ActionHandler = (ctx: RequestContext & { existing: StoredResource }) => ActionOutcome | Promise<ActionOutcome>;

export interface CustomResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Side records the core commits before answering (custom handlers never write themselves). */
  records?: WriteOp[];
}

/** A fully custom handler, for types not kept in the resource store (subscriptions, providers...). */
export type CustomHandler = (ctx: RequestContext) => CustomResult | Promise<CustomResult>;

export interface ResourceTypeDefinition {
  namespace: string;
  /** 'managedClusters' or 'managedClusters/agentPools'. */
  type: string;
  scope: Scope;
  /** Newest first (az picks the first non-preview one). */
  apiVersions: string[];
  /** Tracked resources have location and tags and are cascade-deleted by their resource group. */
  tracked: boolean;
  /** Locations offered ('*' = every known location). */
  locations?: string[] | '*';
  /** Name rule beyond ARM's defaults. */
  nameRule?: { pattern: RegExp; message: string };
  /** JSON Schema file under schemas/ for PUT bodies; may depend on api-version. */
  schema?: string | ((apiVersion: string) => string | undefined);
  /** Collection GETs offered. Default: the parent's collection. */
  listBySubscription?: boolean;
  /**
   * The PUT hook hands out something shared by every resource of the type (an address from a network, say)
   * by reading the stored ones: PUTs of the type then run one at a time from their checks to their commit,
   * so two creates at the same moment cannot both take the same thing.
   */
  serialPuts?: boolean;
  /**
   * Types of extension resources on this one that a resource-group delete removes through their own
   * delete (awaited) before it deletes this one (an Arc machine's VM instance, whose VM is fabric work).
   */
  cascadeFirst?: string[];
  /** A synchronous DELETE answers 200 with the deleted resource (as Microsoft.Authorization's do), not an empty 200. */
  deleteReturnsResource?: boolean;
  /** The type's own 404 for a missing resource (e.g. DeploymentNotFound); default ARM's ResourceNotFound. */
  notFound?(path: ParsedPath): ArmError;
  /** PATCH semantics: 'tags' (default for tracked: tags replaced), 'merge' (RFC 7396 on properties), or none. */
  patch?: 'tags' | 'merge' | false;
  /** The provider operations catalogue entries (/providers/{ns}/operations, `az provider operation`). */
  providerOperations?: { name: string; operation: string; description: string }[];
  /** Shown in the provider document. */
  capabilities?: string;
  /** Made from the public catalogue (src/providers/generic): stored and validated, no behaviour of its own. */
  generic?: boolean;

  /** Custom handlers replace the stored behaviour for that verb. */
  handlers?: Partial<Record<'get' | 'list' | 'put' | 'patch' | 'delete' | 'head' | 'post', CustomHandler>>;

  /** Runs before anything is created; throws an ArmError to refuse. */
  validate?(ctx: RequestContext, candidate: ArmResource): void | Promise<void>;
  /** Decides what a PUT stores and whether it is asynchronous. Default: synchronous Succeeded. */
  onPut?(ctx: RequestContext, candidate: ArmResource): WriteOutcome | Promise<WriteOutcome>;
  /** Decides what a PATCH stores; gets the merged candidate. */
  onPatch?(ctx: RequestContext & { existing: StoredResource }, candidate: ArmResource): WriteOutcome | Promise<WriteOutcome>;
  onDelete?(ctx: RequestContext & { existing: StoredResource }): DeleteOutcome | Promise<DeleteOutcome>;
  actions?: Record<string, ActionHandler>;
  /** Shapes a stored resource for an api-version (drop fields the version lacks, hide secrets); may read children. */
  toWire?(stored: StoredResource, apiVersion: string, services: Services): ArmResource;

  /** Called when an operation on a resource of this type succeeds; returns the resource's new state (undefined = deleted). */
  onOperationSucceeded?(op: OperationRecord, stored: StoredResource | undefined, services: Services): Completion | Promise<Completion>;
  /** Called when it fails or is canceled (after the plan's work was undone). */
  onOperationFailed?(op: OperationRecord, stored: StoredResource | undefined, error: ErrorDetail, services: Services): Completion | Promise<Completion>;
}

export interface ResourceProvider {
  namespace: string;
  types: ResourceTypeDefinition[];
  /** Registered for every subscription unless said otherwise. */
  registeredByDefault?: boolean;
  /**
   * GET {resource id}/providers/{ns}/operations, where the provider's spec declares it (e.g.
   * KubernetesConfiguration's OperationStatus_List: the operations in progress on a cluster). Without
   * it, that path is refused; /providers/{ns}/operations stays the operation catalogue.
   */
  scopedOperations?: CustomHandler;
  /** Optional fields its spec declares on /providers/{ns}/operations entries (none by default). */
  providerOperationFields?: ('isDataAction' | 'origin')[];
  /** Register task kinds, admin routes... once services exist. */
  init?(services: Services): void | Promise<void>;
}

/**
 * Everything a provider can reach, passed explicitly (no globals), so tests can build their own.
 * Providers read through it; only the resource manager (services.resourceManager) and the async-operation
 * engine write resources.
 */
export interface Services {
  config: EmulatorConfig;
  /** The request and operation log (--log-level). */
  log: Logger;
  store: Store;
  resources: ResourceRepository;
  registry: TypeRegistry;
  /** The long-running (asynchronous) operation engine: plans of tasks behind Azure-AsyncOperation. */
  asyncOperations: AsyncOperations;
  /** The resource manager: put/patch/delete/action/get/list by id, the one path for every change, in process or over HTTP. */
  resourceManager: ResourceManager;
  locations: LocationCatalog;
  /** The emulator's calendar: real time plus what the time control advanced it by (clock.ts). */
  clock: Clock;
  /** Where work lands: locations and custom locations resolved to fabric sites (implemented by src/kubernetes/targets.ts). */
  targets: TargetResolver;
  /** The on-prem fabric (sites, hosts, VMs, networks, tasks); absent when a test starts the ARM core alone. */
  fabric?: Fabric;
  /** Role assignments indexed for enforcement (enforce is off when Microsoft.Authorization is not served). */
  authorizer: Authorizer;
  /** Run at shutdown, before the store closes (the fabric's close; the dashboard's feed). */
  onClose: (() => void | Promise<void>)[];
  /** The Kubernetes API behind every cluster (implemented by src/kube/service.ts); absent in hand-built test services. */
  kube?: KubeApiServer;
}

/** A Kubernetes object as plain JSON (the kube API's own model is src/kube/model.ts). */
export interface KubeObjectJson {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: any;
}

/** A reference to one Kubernetes object. */
export interface KubeObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * What the rest of the emulator calls on the Kubernetes API server (src/kube): the endpoint and credentials a
 * kubeconfig carries, the in-process object API (Arc extensions, Flux), and its HTTP routers.
 */
export interface KubeApiServer {
  /** What a kubeconfig of the cluster an ARM id names carries; undefined before it has credentials. */
  credentials(armId: string): { server: string; caPem?: string; adminToken: string; userToken: string; monitoringToken: string } | undefined;
  /** A token of the caller for an Azure AD cluster's API (what kubelogin would get). */
  userToken(principal: Principal, audience?: string): string;
  /** Server-side apply (forced) of objects into the cluster an ARM id names; 503 while it does not serve. */
  applyObjects(armId: string, objects: KubeObjectJson[], fieldManager: string): Promise<KubeObjectJson[]>;
  /** Deletes objects (missing ones are fine). */
  deleteObjects(armId: string, refs: KubeObjectRef[]): Promise<void>;
  /** Objects of a kind in a cluster. */
  listObjects(armId: string, apiVersion: string, kind: string, namespace?: string): KubeObjectJson[];
  /** The cluster's key, server URL and serving state (undefined: no Kubernetes API behind this id). */
  describe(armId: string): { key: string; server: string; serving: boolean; why?: string } | undefined;
  /**
   * `<cluster id>/namespaces/<name>` is a scope Azure RBAC for Kubernetes assigns roles at: the cluster's stored
   * resource when the id names one with a Kubernetes API, else undefined.
   */
  namespaceScope?(scopeId: string): StoredResource | undefined;
  /**
   * `az aks command invoke`: the operation task that runs a command line (kubectl...) in the cluster, with the
   * attached files (`context`, a base64 zip), as the identity of `clusterToken` or else the cluster admin. Its
   * result is `{ exitCode, logs, startedAt, finishedAt }`. Throws a Kubernetes error (code 401, 404 or 503) or
   * a ZipError when the command cannot run at all.
   */
  commandTask?(armId: string, request: { command: string; context?: string; clusterToken?: string }, durationMs: number): TaskSpec;
  /**
   * Resolves once the server that answers for the cluster an ARM id names is loaded (src/kube is loaded when
   * a cluster exists): a synchronous call above (commandTask) right after the cluster's creation awaits it first.
   */
  ready?(armId: string): Promise<void>;
  /** The HTTP edge under /k8s/<cluster key>/ and for root paths (/api, /apis, /version...). */
  router(): import('express').RequestHandler;
  rootRouter(): import('express').RequestHandler;
}

// ---- the services the framework's own classes provide, as Services shows them ---------------------------
// (Declared here because they and the provider contract speak of each other: the classes implement them.)

export type Method = 'GET' | 'HEAD' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';

/** One change or read, from HTTP or from in-process callers. */
export interface Call {
  method: Method;
  /** Resource id, collection path or action path, casing as the caller wrote it. */
  path: string;
  /** Defaults to the type's newest stable api-version. */
  apiVersion?: string;
  query?: Record<string, string>;
  headers?: Record<string, string | undefined>;
  body?: unknown;
  /** Defaults to the emulator itself (Microsoft.Resources acting for the platform). */
  principal?: Principal;
  /** https://host:port for absolute URLs; '' in process. */
  baseUrl?: string;
  /** Set by cascades: writes are allowed while the enclosing group is being deleted. */
  internal?: boolean;
  /** The path already parsed by the caller (the HTTP edge parses it to authenticate). */
  parsed?: ParsedPath;
  /** The subscription the path names, when the caller already looked it up (the HTTP edge, for the token's tenant); null = none found. */
  subscription?: SubscriptionConfig | null;
  /** Run every check and the hook, store nothing (deployment preflight); hooks are pure, so this is safe. */
  dryRun?: boolean;
  /** The operation this change is made for (a deployment's): recorded on the operation it starts. */
  initiatedBy?: string;
}

export interface Result {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The long-running operation the change started (the HTTP edge turns it into LRO headers). */
  operation?: OperationRecord;
  /** Whether the LRO headers should include Location (PUT on create answers 201 with both). */
  location?: boolean;
}

/** The resource manager (framework/resourceManager.ts): every change and read by resource id, in process or over HTTP. */
export interface ResourceManager {
  get(id: string, opts?: Partial<Call>): Promise<Result>;
  list(collectionId: string, opts?: Partial<Call>): Promise<Result>;
  put(id: string, body: unknown, opts?: Partial<Call>): Promise<Result>;
  patch(id: string, body: unknown, opts?: Partial<Call>): Promise<Result>;
  delete(id: string, opts?: Partial<Call>): Promise<Result>;
  action(id: string, action: string, body?: unknown, opts?: Partial<Call>): Promise<Result>;
  /** Resolves once the operation has ended (Succeeded, Failed or Canceled). */
  waitFor(operationId: string): Promise<OperationRecord>;
  execute(call: Call): Promise<Result>;
  /**
   * Would this principal be allowed to write here (RBAC, linked checks, deny assignments)? Throws the refusal a
   * write would get; changes nothing (a nested deployment's own record in its target scope). Resolves once the
   * catalogue data the check needs is read (off the event loop, the first time).
   */
  checkWrite(call: Call): Promise<void>;
  /** The resource's wire shape at an api-version. */
  wire(s: StoredResource, def: ResourceTypeDefinition, apiVersion: string): ArmResource;
  /** Start-up data a provider seeds (e.g. the configured principals' Owner assignments), in one write. */
  seed(related: Related): Promise<void>;
  /** Starts an operation that works on no stored resource (e.g. a deployment's what-if). */
  startDetached(ctx: RequestContext, subjectId: string, plan: OperationPlan): Promise<OperationRecord>;
}

/** The long-running (asynchronous) operation engine (src/lro/engine.ts). */
export interface AsyncOperations extends TaskKindRegistry {
  /** Takes over every operation in flight that no instance drives (another instance died, a snapshot brought it). */
  sweep(): Promise<void>;
  setTimeScale(scale: number): void;
  setGateRules(rules: GateRule[]): void;
  getGateRules(): GateRule[];
  get(id: string): OperationRecord | undefined;
  list(): OperationRecord[];
  /** Every operation in flight and the `n` that ended last (the others are not read). */
  listRecent(n: number): OperationRecord[];
  /** listRecent without holding the event loop long (it yields every few ms). */
  listRecentSliced?(n: number): Promise<OperationRecord[]>;
  /** A poll of the operation: counts toward a 'polls' gate, and may release a finished operation. */
  poll(id: string): Promise<OperationRecord | undefined>;
  /** The Azure-AsyncOperation status body. */
  statusBody(op: OperationRecord, baseUrl: string): Record<string, unknown>;
  waitFor(id: string): Promise<OperationRecord>;
  create(plan: OperationPlan, target: OperationSubject): OperationRecord;
  /** The write that stores the record, committed with the resource it works on. */
  writeOp(op: OperationRecord): WriteOp;
  /** Starts driving an operation whose record is stored. */
  run(op: OperationRecord): void;
  /** Takes the new operation's lease, runs commit (which stores its record), then drives it. */
  launch(op: OperationRecord, commit: () => Promise<void>): Promise<void>;
  cancel(id: string, message?: string): Promise<OperationRecord>;
  hold(id: string): Promise<OperationRecord>;
  release(id: string): Promise<OperationRecord>;
  resumeAll(): Promise<number>;
  stop(): void;
  /** After stop(), on a clean shutdown: the operations that were running do not count a failed resume. */
  stoppedCleanly(): Promise<void>;
  /** A long task made progress (a deployment finished a resource): restarts in a row no longer count against it. */
  progress(id: string): void;
  /** Operations being driven now. */
  active(): number;
  /** Deletes the records of operations finished longer ago than --operation-retention (on the emulator's clock); how many. */
  prune(): Promise<number>;
}

/** The served providers and types, looked up case-insensitively (framework/registry.ts). */
export interface TypeRegistry {
  /** Hand-built first, then the public catalogue's (the generic provider). */
  provider(namespace: string): ResourceProvider | undefined;
  providerList(): ResourceProvider[];
  type(namespace: string, type: string): ResourceTypeDefinition | undefined;
  /** By lowercased 'namespace/type' (typeKeyOf). */
  typeByKey(key: string): ResourceTypeDefinition | undefined;
  /** A hand-built provider of the namespace, if any. */
  handBuiltProvider(namespace: string): ResourceProvider | undefined;
  /** Whether a hand-built provider declares the type. */
  isHandBuilt(namespace: string, type: string): boolean;
  /** The public catalogue's types (src/providers/generic), when served. */
  catalogue(): TypeSource | undefined;
}

/** Types no provider declares: definitions made on demand from the public catalogue (src/providers/generic). */
export interface TypeSource {
  /** A definition for a type of the catalogue, or undefined. */
  type(namespace: string, type: string): ResourceTypeDefinition | undefined;
  /**
   * Reads what the lookups below need for a namespace without holding the event loop (undefined when read
   * already); the lookups still work without it, reading synchronously.
   */
  prepare?(namespace: string): Promise<void> | undefined;
  /** A provider for a namespace no hand-built provider serves. */
  provider(namespace: string): ResourceProvider | undefined;
  /** Every namespace of the catalogue (canonical casing). */
  namespaces(): string[];
  /** Every api-version the catalogue lists for a type, hand-built or not (newest first). */
  apiVersions(namespace: string, type: string): string[] | undefined;
  /** The catalogue's types of a namespace that a hand-built provider leaves out, as definitions. */
  typesBeside(provider: ResourceProvider): ResourceTypeDefinition[];
  /** The public spec's body schema of a type (hand-built or not) at one api-version, when the catalogue has it. */
  schema(namespace: string, type: string, apiVersion: string): VersionSchema | undefined;
}
