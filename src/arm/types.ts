// ARM's resource shapes, as every layer speaks of them: a resource as the wire shows it, as the store
// keeps it, a parsed resource path and the principal a request acts for. Plain data, no behaviour.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface SystemData {
  createdBy?: string;
  createdByType?: string;
  createdAt?: string;
  lastModifiedBy?: string;
  lastModifiedByType?: string;
  lastModifiedAt?: string;
}

/** A resource as ARM shows it (before per-api-version shaping). */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  properties?: Record<string, any>;
  systemData?: SystemData;
  etag?: string;
  [k: string]: any;
}

/** How a resource is kept in the store. */
export interface StoredResource {
  resource: ArmResource;
  /** Provider-private state never returned on the wire (secrets, fabric links). */
  internal: Record<string, any>;
  /** Lowercased id of the scope it lives in (resource group, parent resource, subscription). */
  parent: string;
  /** Lowercased 'namespace/type[/childType]' of its definition. */
  typeKey: string;
  /** The operation in flight on it, if any. */
  operationId?: string;
  /** Set while its resource group (or parent) is being deleted. */
  deleting?: boolean;
}

/** A parsed request path. Casing is as the client sent it. */
export interface ParsedPath {
  subscriptionId?: string;
  resourceGroup?: string;
  /** Everything above the resource itself: '/subscriptions/s/resourceGroups/rg' or a parent resource id. */
  scopeId: string;
  namespace: string;
  /** Type segments, e.g. ['managedClusters', 'agentPools']. */
  types: string[];
  /** Names, one per type segment, or one fewer for a collection. */
  names: string[];
  /** A trailing action segment (POST) or child collection beyond the names. */
  action?: string;
  /** For extension scope: the parsed path of the resource extended. */
  extendedParent?: ParsedPath;
  /** Canonical id of the addressed resource (or collection), without query. */
  id: string;
}

export interface Principal {
  tenantId: string;
  clientId: string;
  objectId: string;
}
