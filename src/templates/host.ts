// What the template engine needs from the emulator, injected by the deployment API: resource
// operations by id (the in-process resource manager), the type catalogue, and fetching
// linked templates. The engine never talks HTTP to the emulator itself.

export interface HostError {
  code: string;
  message: string;
  target?: string;
  details?: unknown[];
}

export interface PutResult {
  /** 200/201 (synchronous or accepted), 202 (accepted without a body). */
  status: number;
  body: any;
  /** Present when the PUT started a long-running operation; the engine waits for it with waitFor. */
  operationId?: string;
}

export interface TemplateHost {
  /** PUT a resource. Throws an ArmError (status, code, message, details) on refusal. */
  put(id: string, apiVersion: string, body: unknown): Promise<PutResult>;
  /** Waits until a long-running operation ends. */
  waitFor(operationId: string, signal?: AbortSignal): Promise<{ status: 'Succeeded' | 'Failed' | 'Canceled'; error?: HostError }>;
  /**
   * Optional preflight: would this PUT be accepted? Throws the ArmError the PUT would (400 refusals such
   * as FeatureNotSupportedOnTarget); must not change anything. Lets validate and the deployment PUT fail
   * at once with InvalidTemplateDeployment, as ARM's preflight does.
   */
  preflight?(id: string, apiVersion: string, body: unknown): Promise<void>;
  /**
   * Optional, for what-if: the resource as a GET would show it once this PUT is done (the provider's
   * defaults filled in, secrets hidden), without changing anything; undefined when it cannot tell.
   */
  predict?(id: string, apiVersion: string, body: unknown): Promise<unknown | undefined>;
  /**
   * Optional: may the deployer write this id (a nested deployment's own record in its target scope)? Throws
   * the refusal (403 AuthorizationFailed, DenyAssignmentAuthorizationFailed); changes nothing.
   */
  checkWrite?(id: string, apiVersion: string): Promise<void>;
  /** GET a resource (reference(), what-if); undefined when it does not exist. */
  get(id: string, apiVersion?: string): Promise<any | undefined>;
  /** POST an action (list*()); throws an ArmError on refusal. */
  action(id: string, action: string, apiVersion: string, body?: unknown): Promise<any>;
  /** DELETE a resource (Complete mode). */
  delete(id: string, apiVersion?: string): Promise<{ status: number; operationId?: string }>;
  /** Resources directly in a scope (Complete mode, what-if): their ids and types. */
  list(scopeId: string): Promise<any[]>;
  /** The type catalogue: undefined when the namespace/type is unknown. */
  knownType(namespace: string, type: string): { apiVersions: string[]; locations?: string[] } | undefined;
  /** Whether a namespace exists at all (unknown namespace → InvalidResourceNamespace, else InvalidResourceType). */
  knownNamespace?(namespace: string): boolean;
  /**
   * Reads off the event loop what knownType/knownNamespace will look up for a namespace (the public catalogue's
   * index), the first time; undefined when nothing is unread. The worker pool awaits it before answering them.
   */
  catalogueReady?(namespace: string): Promise<void> | undefined;
  /** Fetches a linked template or parameters file (templateLink.uri, parametersLink.uri). */
  fetchTemplate?(url: string): Promise<unknown>;
  /** Reads a Key Vault secret for a parameter given as `{reference: {keyVault: {id}, secretName, secretVersion?}}`. */
  keyVaultSecret?(vaultId: string, secretName: string, secretVersion?: string): Promise<string | undefined>;
  /** A resource group's location/tags for deployments into another group; undefined when missing. */
  resourceGroup?(subscriptionId: string, name: string): Promise<{ location: string; tags?: Record<string, string>; managedBy?: string } | undefined>;
}
