// The RBAC evaluator: which actions a principal may perform at a scope, from its role assignments.
// Pure matching (wildcards, NotActions, scope inheritance) plus an index of assignments by
// principal, so a check costs the caller's own assignments, whatever else is stored.

import type { Permission, RoleDefinitionData } from './builtin-roles.js';

/** One role assignment as the evaluator sees it. Scopes are lowercased, without a trailing '/'; '/' is the root. */
export interface AssignmentRef {
  /** Lowercased resource id of the assignment (store key). */
  key: string;
  principalId: string;
  scope: string;
  roleDefinitionGuid: string;
}

export interface CompiledRole {
  guid: string;
  /** true when some permission block is a bare '*' with no NotActions (Owner): every action. */
  all: boolean;
  blocks: { allow: RegExp[]; deny: RegExp[] }[];
  permissions: Permission[];
}

const cache = new Map<string, RegExp>();
/** An action pattern: case-insensitive, '*' matches any run of characters (including '/'). */
export function pattern(p: string): RegExp {
  let re = cache.get(p);
  if (!re) {
    re = new RegExp(
      `^${p
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'i',
    );
    cache.set(p, re);
  }
  return re;
}

export function compileRole(role: RoleDefinitionData): CompiledRole {
  const blocks = role.permissions.map((perm) => ({ allow: (perm.actions ?? []).map(pattern), deny: (perm.notActions ?? []).map(pattern) }));
  const all = role.permissions.some((perm) => (perm.actions ?? []).includes('*') && (perm.notActions ?? []).length === 0);
  return { guid: role.name, all, blocks, permissions: role.permissions };
}

export function roleAllows(role: CompiledRole, action: string): boolean {
  if (role.all) return true;
  for (const b of role.blocks) {
    if (b.allow.some((r) => r.test(action)) && !b.deny.some((r) => r.test(action))) return true;
  }
  return false;
}

/** Lowercased scope without trailing slashes; '' and '/' are the root '/'. */
export function normScope(scope: string): string {
  const s = scope.toLowerCase().replace(/\/+$/, '');
  return s === '' ? '/' : s;
}

/** Does an assignment at `assigned` apply at `target` (same scope or an ancestor)? Both normalised. */
export function covers(assigned: string, target: string): boolean {
  return assigned === '/' || target === assigned || (target.length > assigned.length && target.startsWith(assigned) && target.charCodeAt(assigned.length) === 47);
}

/** Is `inner` strictly below `outer`? Both normalised. */
export function below(inner: string, outer: string): boolean {
  return inner !== outer && covers(outer, inner);
}

export interface RoleSource {
  /** The compiled role for a definition GUID, or undefined when it no longer exists. */
  role(guid: string): CompiledRole | undefined;
  /** Assignments currently held by a principal (already checked against the store). */
  assignmentsOf(principalId: string): AssignmentRef[];
  /**
   * The management groups above a scope (normalised group scopes, nearest first): a subscription's
   * group and that group's ancestors, or a group's ancestors. Assignments there apply below them too.
   */
  managementGroupsAbove?(target: string): string[];
}

const MG_PREFIX = '/providers/microsoft.management/managementgroups/';

/**
 * Does the assignment apply at the target? By its id (the same scope or an ancestor), or through the
 * management-group hierarchy (asked only for assignments at a management group, so never on the common path).
 */
function applies(src: RoleSource, a: AssignmentRef, target: string, above: { list?: string[] }): boolean {
  if (covers(a.scope, target)) return true;
  if (!src.managementGroupsAbove || !a.scope.startsWith(MG_PREFIX)) return false;
  above.list ??= src.managementGroupsAbove(target);
  return above.list.some((g) => covers(a.scope, g));
}

export function isAllowed(src: RoleSource, principalId: string, action: string, scope: string): boolean {
  const target = normScope(scope);
  const above: { list?: string[] } = {};
  for (const a of src.assignmentsOf(principalId)) {
    if (!applies(src, a, target, above)) continue;
    const role = src.role(a.roleDefinitionGuid);
    if (role && roleAllows(role, action)) return true;
  }
  return false;
}

/** Some assignment of the principal sits strictly below the scope (lists then show part of it). */
export function hasAccessBelow(src: RoleSource, principalId: string, scope: string): boolean {
  const target = normScope(scope);
  return src.assignmentsOf(principalId).some((a) => below(a.scope, target));
}

/** Some assignment applies at, above or below the scope (a subscription the caller can see). */
export function hasAnyAccess(src: RoleSource, principalId: string, scope: string): boolean {
  const target = normScope(scope);
  const above: { list?: string[] } = {};
  return src.assignmentsOf(principalId).some((a) => applies(src, a, target, above) || below(a.scope, target));
}

/** Effective permission blocks at a scope (GET .../providers/Microsoft.Authorization/permissions). */
export function permissionsAt(src: RoleSource, principalId: string, scope: string): Permission[] {
  const target = normScope(scope);
  const out: Permission[] = [];
  const above: { list?: string[] } = {};
  for (const a of src.assignmentsOf(principalId)) {
    if (!applies(src, a, target, above)) continue;
    const role = src.role(a.roleDefinitionGuid);
    if (role) out.push(...role.permissions);
  }
  return out;
}
