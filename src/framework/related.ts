// Turns what a hook returns (the resource, related resources, side records) into store writes, so
// the core and the operation engine commit a change the same way: one write for everything.

import { parsePath, splitPath } from '../arm/paths.js';
import { resolve } from './routing.js';
import type { WriteOp } from '../store/store.js';
import { typeKeyOf } from './registry.js';
import { idKey, type ResourceRepository } from './repository.js';
import { newEtag } from './etag.js';
import type { ParsedPath, Related, RelatedResource, ResourceTypeDefinition, StoredResource, SystemData, TypeRegistry } from './types.js';

/** The scope id a resource of this path lives under (lowercased for the parent index). */
export function parentIdOf(p: ParsedPath, def: ResourceTypeDefinition): string {
  const ts = def.type.split('/');
  if (ts.length > 1) {
    const parts = ts
      .slice(0, -1)
      .map((t, i) => `${t}/${p.names[i]}`)
      .join('/');
    return idKey(`${p.scopeId}/providers/${def.namespace}/${parts}`);
  }
  return idKey(p.scopeId);
}

/** Where a resource id lives: its type definition, parent scope and canonical path. */
export function locate(registry: TypeRegistry, id: string): { def: ResourceTypeDefinition; path: ParsedPath } {
  const route = resolve(registry, parsePath(splitPath(id)), 'PUT');
  return { def: route.def, path: route.path };
}

/** A related resource as stored; `operationId` marks it busy with the change's operation. */
export function storedRelated(registry: TypeRegistry, repo: ResourceRepository, r: RelatedResource, operationId?: string, systemData?: SystemData): StoredResource {
  const { def, path } = locate(registry, r.resource.id);
  const ex = repo.get(r.resource.id);
  const resource = { ...r.resource, id: ex?.resource.id ?? path.id, name: ex?.resource.name ?? r.resource.name ?? path.names[path.names.length - 1], type: `${def.namespace}/${def.type}` };
  resource.systemData = resource.systemData ?? ex?.resource.systemData ?? systemData;
  resource.etag = newEtag();
  const stored: StoredResource = { resource, internal: r.internal ?? ex?.internal ?? {}, parent: parentIdOf(path, def), typeKey: typeKeyOf(def.namespace, def.type) };
  if (r.busy && operationId) stored.operationId = operationId;
  else if (ex?.operationId && ex.operationId !== operationId) stored.operationId = ex.operationId;
  return stored;
}

/**
 * Reads, off the event loop, what locating related resources asks the public catalogue for (its index: a hook
 * may name a type no hand-built provider declares) the first time; undefined when nothing is unread, so that a
 * caller awaits only then. relatedOps still works without it, reading synchronously.
 */
export function relatedReady(registry: TypeRegistry, related: Related | undefined): Promise<void> | undefined {
  if (!related?.put?.length || related.put.every((r) => handBuiltOnly(registry, r.resource.id))) return undefined;
  return registry.catalogue()?.prepare?.('');
}

/**
 * Whether locating `id` asks only hand-built providers (its type and, for an extension, the extended resource's):
 * then the catalogue's index is not needed. Every start seeds role assignments this way, and reading the index for
 * them cost each start ~25 ms of CPU and the index's memory, for a user who may never leave the hand-built types.
 */
function handBuiltOnly(registry: TypeRegistry, id: string): boolean {
  let p: ParsedPath | undefined;
  try {
    p = parsePath(splitPath(id));
  } catch {
    return false; // locate decides, as before
  }
  for (; p; p = p.extendedParent) if (!p.namespace || !registry.isHandBuilt(p.namespace, p.types.join('/'))) return false;
  return true;
}

/** The writes of a Related (puts, deletes with their descendants, side records). */
export function relatedOps(registry: TypeRegistry, repo: ResourceRepository, related: Related | undefined, operationId?: string, systemData?: SystemData): WriteOp[] {
  if (!related) return [];
  const ops: WriteOp[] = [];
  for (const r of related.put ?? []) ops.push(...repo.putOps(storedRelated(registry, repo, r, operationId, systemData)));
  for (const id of related.delete ?? []) ops.push(...deleteTreeOps(repo, id));
  ops.push(...(related.records ?? []));
  return ops;
}

/** Deletes a resource and everything below it, deepest first. */
export function deleteTreeOps(repo: ResourceRepository, id: string): WriteOp[] {
  const ops: WriteOp[] = [];
  for (const d of repo.descendants(id)) ops.push(...repo.deleteOps(d.resource.id));
  ops.push(...repo.deleteOps(id));
  return ops;
}
