// What belongs to a subscription across the store's collections, and the three changes a CI farm makes with it:
// reset (a subscription, or everything), export to a snapshot document, import from one. Each change is one
// atomic store write marked external, so every in-memory index (repository, fabric capacity and addresses,
// Graph directory, operation drivers) follows, on this instance and, through the change feed, on all others.

import { randomUUID } from 'node:crypto';
import { objectIdFor } from '../identity/tokens.js';
import { Errors } from '../arm/errors.js';
import type { Services } from '../framework/types.js';
import { allSubscriptions, SUBSCRIPTIONS } from '../framework/registration.js';
import { StoreConflictError, type Store, type WriteOp } from '../store/store.js';
import { holdsCapacity, type Vm } from '../fabric/model.js';
import { ipToInt } from '../fabric/placement.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, SnapshotError, type SnapshotDocument } from './snapshotFile.js';

/**
 * Never exported, reset or imported: the farm's signing material, and which instance drives which cluster's
 * controllers (src/kube/lease.ts: a snapshot taken elsewhere would name instances that are not there).
 */
const KEPT = new Set(['secrets', 'kube.leases']);

export interface StoredSubscription {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  createdAt: string;
  /** The service principal created with it (Graph application appId). */
  servicePrincipal?: string;
}

/** The marker of role assignments the emulator itself makes (a subscription's Owner): a reset keeps them. */
export const SEEDED_ASSIGNMENT = 'The emulator';

const prefixOf = (sub: string) => `/subscriptions/${sub.toLowerCase()}/`;
const lc = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : '');

/** Whether a stored key belongs to a subscription. */
export function belongsTo(store: Store, collection: string, key: string, value: any, sub: string): boolean {
  const s = sub.toLowerCase();
  const p = prefixOf(s);
  switch (collection) {
    case 'resources':
      return key.startsWith(p);
    case 'operations':
      return lc(value?.subscriptionId) === s || lc(value?.resourceId).startsWith(p);
    case 'operationControl': {
      const op = store.get<any>('operations', key);
      return !!op && belongsTo(store, 'operations', key, op, sub);
    }
    case 'fabric':
      return lc(value?.owner).startsWith(p);
    case 'registrations':
    case 'authorizationBootstrap':
      return key.startsWith(`${s}/`);
    case SUBSCRIPTIONS:
      return key === s;
    case 'graph': {
      const rec = store.get<StoredSubscription>(SUBSCRIPTIONS, s);
      return !!rec?.servicePrincipal && lc(value?.appId) === lc(rec.servicePrincipal);
    }
    default:
      return key.toLowerCase().startsWith(p) || key.toLowerCase().startsWith(`${s}/`);
  }
}

/** Kept by a reset: who may use the subscription (its record, its principal, the Owner assignments the emulator made). */
function keptByReset(collection: string, value: any, sub: string): boolean {
  if (collection === SUBSCRIPTIONS || collection === 'graph' || collection === 'authorizationBootstrap') return true;
  if (collection === 'resources' && value?.typeKey === 'microsoft.authorization/roleassignments') {
    const r = value.resource;
    return lc(r?.properties?.scope) === `/subscriptions/${sub.toLowerCase()}` && String(r?.properties?.description ?? '').startsWith(SEEDED_ASSIGNMENT);
  }
  return false;
}

function* allKeys(store: Store, collections: Iterable<string>): Generator<[string, string, unknown]> {
  for (const c of collections) for (const [k, v] of store.entries(c)) yield [c, k, v];
}

/** Every collection this store holds (the store interface lists keys per collection; these are the ones the emulator writes). */
export function knownCollections(store: Store): string[] {
  const names = new Set(['resources', 'operations', 'operationControl', 'fabric', 'graph', 'registrations', 'authorizationBootstrap', SUBSCRIPTIONS]);
  const extra = (store as { collections?: () => Iterable<string> }).collections?.();
  if (extra) for (const c of extra) names.add(c);
  for (const c of KEPT) names.delete(c);
  return [...names];
}

function isConfigured(services: Services, sub: string): boolean {
  return services.config.subscriptions.some((s) => s.subscriptionId.toLowerCase() === sub.toLowerCase());
}

/** The deletes of a reset: one subscription (its access kept), or everything (configured subscriptions' access and the sites' own VMs kept). */
export function resetOps(services: Services, sub?: string): WriteOp[] {
  const { store } = services;
  const ops: WriteOp[] = [];
  for (const [c, k, v] of allKeys(store, knownCollections(store))) {
    if (sub) {
      if (belongsTo(store, c, k, v, sub) && !keptByReset(c, v, sub)) ops.push({ collection: c, key: k, value: undefined });
      continue;
    }
    // Everything: a configured subscription keeps its access; the sites keep their own (infrastructure) VMs.
    const owningSub = c === 'resources' ? /^\/subscriptions\/([^/]+)\//.exec(k)?.[1] : c === 'authorizationBootstrap' ? k.split('/')[0] : undefined;
    if (owningSub && isConfigured(services, owningSub) && (c === 'authorizationBootstrap' || keptByReset(c, v, owningSub))) continue;
    if (c === 'fabric' && (k.startsWith('vm:') || k.startsWith('site:')) && lc((v as Vm)?.owner).startsWith('/providers/microsoft.emulator/fabricsites/')) continue;
    ops.push({ collection: c, key: k, value: undefined });
  }
  return ops;
}

/** The snapshot of everything, or of one subscription. */
export function exportState(services: Services, sub?: string): SnapshotDocument {
  const { store } = services;
  const collections: Record<string, Record<string, unknown>> = {};
  for (const [c, k, v] of allKeys(store, knownCollections(store))) {
    if (sub && !belongsTo(store, c, k, v, sub)) continue;
    (collections[c] ??= {})[k] = v;
  }
  if (sub) {
    // A subscription created through the admin API travels with its record and its service principal.
    const rec = store.get<StoredSubscription>(SUBSCRIPTIONS, sub.toLowerCase());
    if (rec) (collections[SUBSCRIPTIONS] ??= {})[sub.toLowerCase()] = rec;
  }
  const doc: SnapshotDocument = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, createdAt: new Date().toISOString(), collections: JSON.parse(JSON.stringify(collections)) };
  if (sub) doc.subscriptionId = sub;
  return doc;
}

function fabricLocks(services: Services): string[] {
  return (services.fabric?.sites() ?? []).map((s) => `fabric:${s.name.toLowerCase()}`);
}

/**
 * Applies a change as one external write over whatever is committed: computed from the state as of now (caught
 * up with the other instances first), and written unconditionally, so controllers still writing on another
 * instance (a cluster's Kubernetes objects converging) cannot keep an administrator's reset or import from
 * landing. Whatever another instance writes after it comes after it.
 */
async function commitExternal(services: Services, compute: () => WriteOp[]): Promise<number> {
  await services.store.sync();
  const ops = compute();
  await services.store.write(ops, { external: true, unconditional: true });
  return ops.length;
}

/** Resets one subscription (everything in it, its operations and fabric allocations) or everything, atomically. */
export async function reset(services: Services, sub?: string): Promise<{ deleted: number }> {
  if (sub && !allSubscriptions(services).some((s) => s.subscriptionId.toLowerCase() === sub.toLowerCase())) throw Errors.subscriptionNotFound(sub);
  const deleted = await services.store.exclusive(['farm', ...fabricLocks(services)], () => commitExternal(services, () => resetOps(services, sub)));
  if (!sub) await services.asyncOperations.sweep();
  return { deleted };
}

/** Imports a snapshot: a whole-state one replaces everything, a subscription's replaces that subscription. */
export async function importState(services: Services, doc: SnapshotDocument): Promise<{ subscriptionId?: string; written: number; deleted: number }> {
  const sub = doc.subscriptionId;
  if (sub !== undefined && (typeof sub !== 'string' || !/^[0-9a-f-]{36}$/i.test(sub)))
    throw new SnapshotError(`the snapshot's subscriptionId '${String(sub)}' is not a subscription id. Nothing was changed.`);
  for (const c of Object.keys(doc.collections)) if (KEPT.has(c)) throw new SnapshotError(`the snapshot holds collection '${c}', which is never imported. Nothing was changed.`);
  if (sub) {
    const known = isConfigured(services, sub) || !!doc.collections[SUBSCRIPTIONS]?.[sub.toLowerCase()] || services.store.has(SUBSCRIPTIONS, sub.toLowerCase());
    if (!known) throw new SnapshotError(`the snapshot is of subscription ${sub}, which this emulator does not have (create it first: POST /_emulator/subscriptions). Nothing was changed.`);
  }
  let written = 0;
  let deleted = 0;
  await services.store.exclusive(['farm', ...fabricLocks(services)], () =>
    commitExternal(services, () => {
      const { store } = services;
      const ops: WriteOp[] = [];
      for (const [c, keys] of Object.entries(doc.collections)) {
        for (const [k, v] of Object.entries(keys)) {
          if (sub && c !== SUBSCRIPTIONS && !belongsTo(store, c, k, v, sub) && !(c === 'graph' && importsPrincipal(doc, v))) {
            throw new SnapshotError(`the snapshot of subscription ${sub} holds ${c}/${k}, which does not belong to it. Nothing was changed.`);
          }
          ops.push({ collection: c, key: k, value: v });
        }
      }
      const incoming = new Set(ops.map((o) => `${o.collection}\u0000${o.key}`));
      const dels: WriteOp[] = [];
      for (const [c, k, v] of allKeys(store, knownCollections(store))) {
        if (incoming.has(`${c}\u0000${k}`)) continue;
        if (sub && !belongsTo(store, c, k, v, sub)) continue;
        dels.push({ collection: c, key: k, value: undefined });
      }
      checkFabric(services, [...dels, ...ops]);
      written = ops.length;
      deleted = dels.length;
      return [...dels, ...ops];
    }),
  );
  await services.asyncOperations.sweep();
  return { subscriptionId: sub, written, deleted };
}

function importsPrincipal(doc: SnapshotDocument, v: any): boolean {
  const rec = doc.subscriptionId ? (doc.collections[SUBSCRIPTIONS]?.[doc.subscriptionId.toLowerCase()] as StoredSubscription | undefined) : undefined;
  return !!rec?.servicePrincipal && lc(v?.appId) === lc(rec.servicePrincipal);
}

/** After the change, every site's VMs still fit its hosts and hold distinct addresses; otherwise nothing is written. */
function checkFabric(services: Services, ops: WriteOp[]): void {
  const fabric = services.fabric;
  if (!fabric) return;
  const vms = new Map<string, Vm>();
  for (const [k, v] of services.store.entries<Vm>('fabric')) if (k.startsWith('vm:')) vms.set(k, v);
  for (const o of ops) {
    if (o.collection !== 'fabric' || !o.key.startsWith('vm:')) continue;
    if (o.value === undefined) vms.delete(o.key);
    else vms.set(o.key, o.value as Vm);
  }
  const sites = new Map(fabric.sites().map((s) => [s.name.toLowerCase(), s]));
  const used = new Map<string, { cores: number; memoryGB: number; storageGB: number }>();
  const ips = new Map<string, string>();
  for (const [k, vm] of vms) {
    const site = sites.get(k.split(':')[1]);
    if (!site) throw new SnapshotError(`the snapshot places VM '${vm.name}' on site '${vm.site}', which this emulator does not have. Nothing was changed.`);
    if (vm.ip && vm.logicalNetwork && ipToInt(vm.ip) !== undefined) {
      const a = `${site.name}/${vm.logicalNetwork.toLowerCase()}/${vm.ip}`;
      const other = ips.get(a);
      if (other)
        throw Errors.conflictWith(
          'IpAddressInUse',
          `The snapshot's VM '${vm.name}' holds ${vm.ip} on logical network '${vm.logicalNetwork}' of '${site.name}', which VM '${other}' holds already. Nothing was changed.`,
        );
      ips.set(a, vm.name);
    }
    if (site.elastic || !holdsCapacity(vm)) continue;
    const h = site.hosts.find((x) => x.name === vm.host);
    if (!h) throw new SnapshotError(`the snapshot places VM '${vm.name}' on host '${vm.host}', which site '${site.name}' does not have. Nothing was changed.`);
    const u = used.get(`${site.name}/${h.name}`) ?? { cores: 0, memoryGB: 0, storageGB: 0 };
    u.cores += vm.cores;
    u.memoryGB += vm.memoryGB;
    u.storageGB += vm.storageGB;
    used.set(`${site.name}/${h.name}`, u);
    if (u.cores > h.cores || u.memoryGB > h.memoryGB || u.storageGB > h.storageGB) {
      throw Errors.conflictWith(
        'InsufficientCapacity',
        `The snapshot does not fit site '${site.name}' as it is now: host '${h.name}' would need ${u.cores} cores / ${u.memoryGB} GB memory / ${u.storageGB} GB storage of its ${h.cores} / ${h.memoryGB} / ${h.storageGB}. Reset the subscriptions using it first. Nothing was changed.`,
      );
    }
  }
}

/** A subscription created through the admin API; with `servicePrincipal`, a principal of its own that is its Owner. */
export async function createSubscription(
  services: Services,
  body: { subscriptionId?: unknown; displayName?: unknown; servicePrincipal?: unknown },
  makePrincipal: (displayName: string) => Promise<{ appId: string; objectId: string; secret: string }>,
): Promise<{ subscriptionId: string; tenantId: string; displayName: string; servicePrincipal?: { clientId: string; clientSecret: string; tenantId: string } }> {
  const id = body.subscriptionId === undefined ? randomUUID() : String(body.subscriptionId);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw Errors.badRequest(`subscriptionId '${id}' is not a GUID.`, 'subscriptionId');
  if (body.displayName !== undefined && typeof body.displayName !== 'string') throw Errors.badRequest('displayName must be a string.', 'displayName');
  if (body.servicePrincipal !== undefined && typeof body.servicePrincipal !== 'boolean') throw Errors.badRequest('servicePrincipal must be true or false.', 'servicePrincipal');
  await services.store.sync();
  if (allSubscriptions(services).some((s) => s.subscriptionId.toLowerCase() === id.toLowerCase())) {
    throw Errors.conflictWith('SubscriptionAlreadyExists', `Subscription '${id}' already exists.`);
  }
  const displayName = (body.displayName as string | undefined) ?? `Subscription ${id.slice(0, 8)}`;
  const rec: StoredSubscription = { subscriptionId: id, tenantId: services.config.tenantId, displayName, createdAt: new Date().toISOString() };
  let sp: { appId: string; objectId: string; secret: string } | undefined;
  if (body.servicePrincipal) {
    sp = await makePrincipal(`${displayName} (service principal)`);
    rec.servicePrincipal = sp.appId;
  }
  // As with the configured subscriptions, the configured principals (the farm's administrators) are its Owners
  // too, so they can list and use it; its own principal, if any, is Owner of it alone.
  const admins = services.config.servicePrincipals.filter((p) => p.tenantId.toLowerCase() === rec.tenantId.toLowerCase());
  const put = [...admins.map((p) => ({ resource: ownerAssignment(id, objectIdFor(p.clientId), p.clientId) })), ...(sp ? [{ resource: ownerAssignment(id, sp.objectId, sp.appId) }] : [])];
  for (const p of put) services.authorizer?.noteAssignment(p.resource);
  try {
    await services.resourceManager.seed({ put, records: [{ collection: SUBSCRIPTIONS, key: id.toLowerCase(), value: rec }] });
  } catch (e) {
    if (e instanceof StoreConflictError) throw Errors.conflictWith('SubscriptionAlreadyExists', `Subscription '${id}' already exists.`);
    throw e;
  }
  return { ...rec, servicePrincipal: sp ? { clientId: sp.appId, clientSecret: sp.secret, tenantId: rec.tenantId } : undefined };
}

const OWNER_ROLE = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';

function ownerAssignment(sub: string, objectId: string, appId: string) {
  const scope = `/subscriptions/${sub}`;
  const name = randomUUID();
  const now = new Date().toISOString();
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${OWNER_ROLE}`,
      principalId: objectId,
      principalType: 'ServicePrincipal',
      scope,
      condition: null,
      conditionVersion: null,
      description: `${SEEDED_ASSIGNMENT} made this service principal Owner of the subscription it was created with.`,
      createdBy: objectId,
      updatedBy: objectId,
      provisioningState: 'Succeeded',
    },
    systemData: { createdBy: appId, createdByType: 'Application', createdAt: now, lastModifiedBy: appId, lastModifiedByType: 'Application', lastModifiedAt: now },
  };
}
