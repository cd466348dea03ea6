// The store-backed role source: role assignments and custom role definitions live in the resource
// store (they are extension resources under their scope, so deleting a scope deletes them); this
// keeps an in-memory index by principal and compiled roles, and re-checks each indexed entry
// against the store when it is used, so anything deleted (directly or by a cascade) stops counting.

import type { ArmResource, StoredResource } from '../arm/types.js';
import type { Store } from '../store/store.js';
import { builtinRole, type RoleDefinitionData } from './builtin-roles.js';
import { compileRole, normScope, type AssignmentRef, type CompiledRole, type RoleSource } from './evaluator.js';

export const ASSIGNMENT_TYPE_KEY = 'microsoft.authorization/roleassignments';
export const DEFINITION_TYPE_KEY = 'microsoft.authorization/roledefinitions';

/** What the index reads of the resource store (the framework's ResourceRepository). */
export interface ResourceReader {
  get(id: string): StoredResource | undefined;
  listByType(typeKey: string): StoredResource[];
  /** Resources changed elsewhere (another instance, a reset, an import). */
  onExternalChange?(listener: (changes: { key: string; resource: StoredResource | undefined }[] | 'all') => void): () => void;
}

/** Built-in roles compiled on first use (a few of the hundreds are ever evaluated: start-up compiles none). */
const BUILTIN_COMPILED = new Map<string, CompiledRole>();
function builtinCompiled(guid: string): CompiledRole | undefined {
  let c = BUILTIN_COMPILED.get(guid);
  if (!c) {
    const r = builtinRole(guid);
    if (r) BUILTIN_COMPILED.set(guid, (c = compileRole(r)));
  }
  return c;
}

/** The GUID at the end of a role definition id (or the GUID itself). */
export function roleGuidOf(roleDefinitionId: string): string {
  return roleDefinitionId.replace(/\/+$/, '').split('/').pop()!.toLowerCase();
}

/** The role definition data of a stored custom role. */
export function customRoleData(s: StoredResource): RoleDefinitionData {
  const p = s.resource.properties ?? {};
  return {
    name: s.resource.name.toLowerCase(),
    roleName: p.roleName,
    description: p.description ?? '',
    roleType: 'CustomRole',
    permissions: p.permissions ?? [],
    assignableScopes: p.assignableScopes ?? [],
  };
}

export class Authorizer implements RoleSource {
  /** principal -> assignment key -> its ref and the stored object it was read from (same object = unchanged). */
  private readonly byPrincipal = new Map<string, Map<string, { ref: AssignmentRef; stored?: StoredResource }>>();
  private readonly customKeys = new Map<string, string>();
  private readonly customCompiled = new Map<string, { etag?: string; role: CompiledRole }>();
  /**
   * Whether authorize() checks anything. Off only for the benchmark's baseline
   * (ARM_EMULATOR_RBAC_ENFORCEMENT=off); --no-auth is the switch for users.
   */
  enforce = true;
  /** Set by Microsoft.Management: the management groups above a scope (see RoleSource). */
  managementGroupsAbove?: (target: string) => string[];

  constructor(
    private readonly resources: ResourceReader,
    store?: Pick<Store, 'onExternalChange'>,
  ) {
    const all = () => {
      for (const s of resources.listByType(ASSIGNMENT_TYPE_KEY)) this.noteAssignment(s.resource);
      for (const s of resources.listByType(DEFINITION_TYPE_KEY)) this.noteDefinition(s.resource);
    };
    all();
    // Assignments and roles written by another instance (several emulators on one database) count here too;
    // deleted ones stop counting anyway (every use re-checks the store).
    store?.onExternalChange((changes) => {
      if (changes === 'all') return all();
      for (const c of changes) {
        const v = c.value as StoredResource | undefined;
        if (c.collection !== 'resources' || !v?.resource) continue;
        if (v.typeKey === ASSIGNMENT_TYPE_KEY) this.noteAssignment(v.resource);
        else if (v.typeKey === DEFINITION_TYPE_KEY) this.noteDefinition(v.resource);
      }
    });
  }

  /** Indexes an assignment about to be stored (or already stored). */
  noteAssignment(r: ArmResource): void {
    const ref = assignmentRef(r);
    if (!ref) return;
    let m = this.byPrincipal.get(ref.principalId);
    if (!m) this.byPrincipal.set(ref.principalId, (m = new Map()));
    m.set(ref.key, { ref });
  }

  noteDefinition(r: ArmResource): void {
    this.customKeys.set(r.name.toLowerCase(), r.id.toLowerCase());
  }

  assignmentsOf(principalId: string): AssignmentRef[] {
    const pid = principalId.toLowerCase();
    const m = this.byPrincipal.get(pid);
    if (!m) return [];
    const out: AssignmentRef[] = [];
    for (const [key, entry] of m) {
      const s = this.resources.get(key);
      if (s && s === entry.stored) {
        out.push(entry.ref);
        continue;
      }
      const now = s && assignmentRef(s.resource);
      if (!now || now.principalId !== pid) {
        m.delete(key);
        continue;
      }
      entry.ref = now;
      entry.stored = s;
      out.push(now);
    }
    return out;
  }

  role(guid: string): CompiledRole | undefined {
    const g = guid.toLowerCase();
    const b = builtinCompiled(g);
    if (b) return b;
    const key = this.customKeys.get(g);
    if (!key) return undefined;
    const s = this.resources.get(key);
    if (!s) {
      this.customKeys.delete(g);
      this.customCompiled.delete(g);
      return undefined;
    }
    const c = this.customCompiled.get(g);
    if (c && c.etag === s.resource.etag) return c.role;
    const role = compileRole(customRoleData(s));
    this.customCompiled.set(g, { etag: s.resource.etag, role });
    return role;
  }

  /** A role definition by GUID: built-in, or a stored custom one. */
  definition(guid: string): { data: RoleDefinitionData; stored?: StoredResource } | undefined {
    const g = guid.toLowerCase();
    const b = builtinRole(g);
    if (b) return { data: b };
    const key = this.customKeys.get(g);
    const s = key ? this.resources.get(key) : undefined;
    if (!s) {
      // not indexed yet (written by another path): look it up once
      for (const d of this.resources.listByType(DEFINITION_TYPE_KEY)) {
        if (d.resource.name.toLowerCase() === g) {
          this.noteDefinition(d.resource);
          return { data: customRoleData(d), stored: d };
        }
      }
      return undefined;
    }
    return { data: customRoleData(s), stored: s };
  }

  customDefinitions(): StoredResource[] {
    return this.resources.listByType(DEFINITION_TYPE_KEY);
  }
}

export function assignmentRef(r: ArmResource): AssignmentRef | undefined {
  const p = r.properties;
  if (!p || typeof p.principalId !== 'string' || typeof p.roleDefinitionId !== 'string') return undefined;
  return {
    key: r.id.toLowerCase(),
    principalId: p.principalId.toLowerCase(),
    scope: normScope(typeof p.scope === 'string' ? p.scope : scopeOfAssignmentId(r.id)),
    roleDefinitionGuid: roleGuidOf(p.roleDefinitionId),
  };
}

/** '/x/providers/Microsoft.Authorization/roleAssignments/g' -> '/x' ('/' at the root). */
export function scopeOfAssignmentId(id: string): string {
  const i = id.toLowerCase().lastIndexOf('/providers/microsoft.authorization/');
  return i <= 0 ? '/' : id.slice(0, i);
}
