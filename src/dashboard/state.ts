// The dashboard's read model: what the page at /_emulator/ shows, built on demand from the fabric, the
// operation engine and the resources (the page asks again when the live feed says something changed).
// Small pure functions over plain data; nothing here writes.

import type { Services } from '../framework/types.js';
import { allSubscriptions, type SubscriptionRecord } from '../framework/registration.js';
import type { StoredResource } from '../framework/types.js';
import type { OperationRecord } from '../arm/asyncOperations.js';
import { describeSite, type SiteSnapshot, type VmView } from '../fabric/model.js';
import { operationSummary } from '../admin/routes.js';

/** How many finished operations the page lists (every one in flight is listed too). */
export const RECENT_OPERATIONS = 50;
/** Rows one resources answer holds at most (a resource group with more says how many were left out). */
export const RESOURCE_ROWS = 1000;
/** Resource groups one state answer lists per subscription (the rest are counted). */
export const RESOURCE_GROUPS_SHOWN = 500;

const RESOURCE_GROUPS = 'microsoft.resources/resourcegroups';
/** A turn of the event loop between the pieces of a state answer (other requests run in between). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

export type OwnerKind = 'cluster' | 'bridge' | 'infrastructure' | 'other';

export interface OwnerView {
  id: string;
  name: string;
  type: string;
  kind: OwnerKind;
  provisioningState?: string;
  /** One word, readable without colour: Running, Stopped, Degraded, Unreachable, Creating, Deleting, Failed... */
  state: string;
  /** A sentence saying why. */
  stateText: string;
  vmCount: number;
  /** A cluster's Kubernetes API: its nodes and pods (what `kubectl get nodes,pods -A` shows). */
  kube?: KubeSummary;
}

export interface KubeSummary {
  nodes: { name: string; ready: boolean }[];
  pods: number;
  runningPods: number;
  /** The first PODS_SHOWN pods: namespace/name, phase, node. */
  podList: { name: string; phase: string; node?: string }[];
}

/** Pods one owner row lists by name (the rest are counted). */
export const PODS_SHOWN = 50;

/** The nodes and pods of the cluster an ARM id names, when it has a Kubernetes API. */
export function kubeSummary(services: Services, id: string): KubeSummary | undefined {
  const kube = services.kube;
  if (!kube?.describe(id)) return undefined;
  const nodes = kube.listObjects(id, 'v1', 'Node').map((n) => ({
    name: String(n.metadata.name),
    ready: (n.status?.conditions ?? []).some((c: { type?: string; status?: string }) => c.type === 'Ready' && c.status === 'True'),
  }));
  const pods = kube.listObjects(id, 'v1', 'Pod');
  const running = pods.filter((p) => p.status?.phase === 'Running').length;
  const podList = pods
    .slice(0, PODS_SHOWN)
    .map((p) => ({ name: `${p.metadata.namespace}/${p.metadata.name}`, phase: String(p.status?.phase ?? 'Pending'), ...(p.spec?.nodeName ? { node: String(p.spec.nodeName) } : {}) }));
  return { nodes, pods: pods.length, runningPods: running, podList };
}

export type SiteView = SiteSnapshot & { displayName: string; owners: OwnerView[] };

const OWNER_KINDS: Record<string, OwnerKind> = {
  'microsoft.containerservice/managedclusters': 'cluster',
  'microsoft.kubernetes/connectedclusters': 'cluster',
  'microsoft.hybridcontainerservice/provisionedclusterinstances': 'cluster',
  'microsoft.resourceconnector/appliances': 'bridge',
};

/**
 * A resource's short name: a child keeps its parent's ('web/nodepool1'); a singleton extension resource
 * ('.../connectedClusters/cc1/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default')
 * goes by the resource it extends ('cc1/default').
 */
export function displayName(id: string): string {
  const parts = id.split('/').filter(Boolean);
  const i = parts.map((p) => p.toLowerCase()).lastIndexOf('providers');
  if (i < 0) return parts.at(-1) ?? id;
  const names = parts.slice(i + 1).filter((_, k) => k >= 2 && k % 2 === 0);
  if (names.length === 1 && names[0].toLowerCase() === 'default' && i > 0) return `${parts[i - 1]}/default`;
  return names.join('/') || (parts.at(-1) ?? id);
}

/** The type as Azure spells it ('Microsoft.ContainerService/managedClusters'). */
function typeName(services: Services, typeKey: string, fallback?: string): string {
  const def = services.registry.typeByKey(typeKey);
  return def ? `${def.namespace}/${def.type}` : (fallback ?? typeKey);
}

/** What a resource's VMs on one site say about it, in one word and a sentence. */
export function ownerState(site: SiteSnapshot, stored: StoredResource | undefined, vms: VmView[], name: string): { state: string; stateText: string } {
  const where = describeSite(site.kind, site.name);
  if (!site.connected || site.reachable === false) {
    return { state: 'Unreachable', stateText: `${where} is ${site.connected ? 'not answering' : 'disconnected'}: ${name} cannot be reached; its VMs show their last known state.` };
  }
  if (!stored) return { state: 'Infrastructure', stateText: `Platform VMs of ${where}, not an ARM resource.` };
  const ps = stored.resource.properties?.provisioningState as string | undefined;
  if (ps && !TERMINAL.has(ps)) return { state: ps, stateText: `${ps}: an operation on ${name} is in progress.` };
  const failed = vms.filter((v) => v.state === 'Failed');
  if (failed.length) {
    return { state: 'Degraded', stateText: `${failed.length} of ${vms.length} VMs down (${failed.map((v) => v.name).join(', ')}): their host failed and no other host had room.` };
  }
  if (ps === 'Failed') return { state: 'Failed', stateText: `The last operation on ${name} failed; see Operations.` };
  const running = vms.filter((v) => v.state === 'Running').length;
  const creating = vms.filter((v) => v.state === 'Creating').length;
  if (running === vms.length) return { state: 'Running', stateText: `All ${vms.length} VMs running.` };
  if (creating === vms.length) return { state: 'Creating', stateText: `${vms.length} VMs placed, not yet booted.` };
  if (running === 0) return { state: 'Stopped', stateText: `None of its ${vms.length} VMs is running.` };
  return { state: 'Running', stateText: `${running} of ${vms.length} VMs running.` };
}

function ownersOf(services: Services, site: SiteSnapshot): OwnerView[] {
  const byOwner = new Map<string, VmView[]>();
  for (const vm of site.vms) {
    const list = byOwner.get(vm.owner);
    if (list) list.push(vm);
    else byOwner.set(vm.owner, [vm]);
  }
  return [...byOwner].map(([id, vms]) => {
    const stored = id.startsWith('/subscriptions/') ? services.resources.get(id) : undefined;
    const name = stored?.resource.name && stored.resource.name.toLowerCase() !== 'default' ? stored.resource.name : displayName(id);
    const kind: OwnerKind = stored ? (OWNER_KINDS[stored.typeKey] ?? 'other') : vms.every((v) => v.role === 'appliance') ? 'bridge' : 'infrastructure';
    const view: OwnerView = {
      id,
      name,
      type: stored ? typeName(services, stored.typeKey, stored.resource.type) : 'infrastructure',
      kind,
      ...ownerState(site, stored, vms, name),
      vmCount: vms.length,
    };
    const ps = stored?.resource.properties?.provisioningState;
    if (typeof ps === 'string') view.provisioningState = ps;
    const kube = stored && (kind === 'cluster' || kind === 'bridge') ? kubeSummary(services, id) : undefined;
    if (kube) view.kube = kube;
    return view;
  });
}

export interface OperationView extends ReturnType<typeof operationSummary> {
  resourceName: string;
  resourceType: string;
}

export function operationView(services: Services, op: OperationRecord): OperationView {
  return { ...operationSummary(op), resourceName: displayName(op.resourceId), resourceType: typeName(services, op.typeKey) };
}

/**
 * Every operation in flight (newest first), then the most recent finished ones. Operation records are
 * kept, so there may be many thousands: one pass keeps the newest few, nothing sorts them all.
 */
export function operationsView(services: Services, listed = services.asyncOperations.listRecent(RECENT_OPERATIONS)): { inProgress: number; value: OperationView[] } {
  const running: OperationRecord[] = [];
  const recent: OperationRecord[] = []; // newest first, at most RECENT_OPERATIONS
  const ended = (op: OperationRecord) => op.endTime ?? op.startTime;
  for (const op of listed) {
    if (!TERMINAL.has(op.status)) {
      running.push(op);
      continue;
    }
    if (recent.length === RECENT_OPERATIONS && ended(op) <= ended(recent[recent.length - 1])) continue;
    let i = recent.length;
    while (i > 0 && ended(recent[i - 1]) < ended(op)) i--;
    recent.splice(i, 0, op);
    if (recent.length > RECENT_OPERATIONS) recent.pop();
  }
  running.sort((a, b) => b.startTime.localeCompare(a.startTime));
  return { inProgress: running.length, value: [...running, ...recent].map((op) => operationView(services, op)) };
}

/**
 * Subscriptions with how many resource groups and subscription-level resources each holds; with
 * `groups`, also their resource groups by name (at most RESOURCE_GROUPS_SHOWN: the page asks for them only
 * while its Resources tab is open, so an open Fabric tab costs nothing per stored group).
 */
export function subscriptionsView(services: Services, groups = false) {
  return allSubscriptions(services).map((s) => subscriptionView(services, s, groups));
}

function subscriptionView(services: Services, s: SubscriptionRecord, groups: boolean): Record<string, unknown> {
  const subId = `/subscriptions/${s.subscriptionId}`;
  const count = services.resources.countByParent(subId, RESOURCE_GROUPS);
  const view: Record<string, unknown> = {
    subscriptionId: s.subscriptionId,
    displayName: s.displayName,
    state: 'Enabled',
    resourceGroupCount: count.ofType,
    resourceCount: count.all - count.ofType,
  };
  if (!groups) return view;
  // the first ones by name from the index (ids differ only in their names): never every group read and sorted
  const shown: StoredResource[] = [];
  for (const k of services.resources.keysByParent(subId, RESOURCE_GROUPS)) {
    if (shown.length === RESOURCE_GROUPS_SHOWN) break;
    const g = services.resources.byKey(k);
    if (g) shown.push(g);
  }
  view.resourceGroups = shown.map((g) => ({
    id: g.resource.id,
    name: g.resource.name,
    location: g.resource.location,
    provisioningState: g.resource.properties?.provisioningState ?? 'Succeeded',
    resourceCount: services.resources.countByParent(g.resource.id).all,
  }));
  if (count.ofType > RESOURCE_GROUPS_SHOWN) view.resourceGroupsTruncated = count.ofType - RESOURCE_GROUPS_SHOWN;
  return view;
}

export interface ResourceRow {
  id: string;
  name: string;
  type: string;
  location?: string;
  /** As on the resource: { type: 'CustomLocation', name: <custom location id> }. */
  extendedLocation?: { type?: string; name: string };
  provisioningState?: string;
  depth: number;
}

/**
 * A scope's resources as rows, each child after its parent (depth 1, 2...): a resource group's members, or a
 * subscription's own resources (its resource groups left out: the tree shows them).
 */
export function resourceRows(services: Services, scopeId: string, limit = RESOURCE_ROWS): { value: ResourceRow[]; truncated?: number } {
  const value: ResourceRow[] = [];
  let total = 0;
  const walk = (parentId: string, depth: number) => {
    const members = services.resources
      .listByParent(parentId)
      .filter((r) => r.typeKey !== RESOURCE_GROUPS)
      .sort((a, b) => a.resource.id.localeCompare(b.resource.id));
    for (const r of members) {
      total++;
      if (value.length < limit) value.push(row(services, r, depth));
      walk(r.resource.id, depth + 1);
    }
  };
  walk(scopeId, 0);
  return total > value.length ? { value, truncated: total - value.length } : { value };
}

function row(services: Services, r: StoredResource, depth: number): ResourceRow {
  const out: ResourceRow = { id: r.resource.id, name: r.resource.name, type: typeName(services, r.typeKey, r.resource.type), depth };
  if (r.resource.location) out.location = r.resource.location;
  const ext = (r.resource as { extendedLocation?: { type?: string; name?: string } }).extendedLocation;
  if (ext?.name) out.extendedLocation = ext.type ? { type: ext.type, name: ext.name } : { name: ext.name };
  const ps = r.resource.properties?.provisioningState;
  if (typeof ps === 'string') out.provisioningState = ps;
  return out;
}

/** The fabric's sites as the page shows them: Azure regions with nothing on them are left out unless asked for. */
export async function sitesView(services: Services, allRegions: boolean): Promise<{ sites: SiteView[]; hiddenRegions: number }> {
  const fabric = services.fabric;
  if (!fabric) return { sites: [], hiddenRegions: 0 };
  const { sites } = await fabric.snapshot();
  const shown = sites.filter((s) => allRegions || s.kind !== 'AzureRegion' || s.vms.length > 0);
  const order = { AzureStackHub: 0, AzureStackHCI: 1, AzureRegion: 2 } as const;
  shown.sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
  const views: SiteView[] = [];
  for (const s of shown) {
    views.push({ ...s, displayName: fabric.site(s.name).definition.displayName, owners: ownersOf(services, s) });
    await turn(); // a site's owners read each cluster's nodes and pods: one site per turn of the loop
  }
  return { sites: views, hiddenRegions: sites.length - shown.length };
}

/**
 * Everything the page shows at once (resource groups' members come separately, when one is opened), built in
 * pieces with a turn of the event loop between them: with 100,000 resources and thousands of operations stored,
 * one piece at a time holds the loop briefly where the whole held it for hundreds of ms.
 */
export async function dashboardState(services: Services, opts: { allRegions: boolean; resourceGroups: boolean; version: number }) {
  const time = new Date().toISOString();
  const sites = await sitesView(services, opts.allRegions);
  await turn();
  const ops = services.asyncOperations;
  const listed = ops.listRecentSliced ? await ops.listRecentSliced(RECENT_OPERATIONS) : ops.listRecent(RECENT_OPERATIONS);
  const operations = operationsView(services, listed);
  await turn();
  const subscriptions = [];
  for (const s of allSubscriptions(services)) {
    subscriptions.push(subscriptionView(services, s, opts.resourceGroups));
    await turn();
  }
  return { version: opts.version, time, timeScale: services.config.timeScale, auth: services.config.auth, ...sites, operations, subscriptions };
}
