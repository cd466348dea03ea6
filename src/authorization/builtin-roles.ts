// Azure's built-in role definitions, a data table (schemas/authorization/builtin-roles.json, read once): real
// ids (the GUID is the same in every tenant), role names and action lists as Azure publishes them (docs "Azure
// built-in roles"). Long lists of
// actions for namespaces the emulator does not serve are trimmed to the ones that matter here;
// every action kept is spelled as Azure spells it. The Azure Resource Bridge Deployment Role and the
// Azure Stack HCI Administrator / VM Contributor lists are complete; ABAC conditions (the HCI
// Administrator's limit on which roles it may assign) are not evaluated.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleDefinitionData {
  /** The role definition GUID. */
  name: string;
  roleName: string;
  description: string;
  roleType: 'BuiltInRole' | 'CustomRole';
  permissions: Permission[];
  assignableScopes: string[];
}

export const OWNER_ID = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
export const CONTRIBUTOR_ID = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
export const READER_ID = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
export const USER_ACCESS_ADMINISTRATOR_ID = '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9';

export const BUILTIN_ROLES_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schemas/authorization/builtin-roles.json');

/** Every built-in role: the table's rows, assignable at every scope. */
export const BUILTIN_ROLES: RoleDefinitionData[] = (JSON.parse(readFileSync(BUILTIN_ROLES_FILE, 'utf8')) as Omit<RoleDefinitionData, 'roleType' | 'assignableScopes'>[]).map((r) => ({
  ...r,
  roleType: 'BuiltInRole',
  assignableScopes: ['/'],
}));

const BY_ID = new Map(BUILTIN_ROLES.map((r) => [r.name, r]));
const BY_NAME = new Map(BUILTIN_ROLES.map((r) => [r.roleName.toLowerCase(), r]));

export function builtinRole(guid: string): RoleDefinitionData | undefined {
  return BY_ID.get(guid.toLowerCase());
}

export function builtinRoleByName(roleName: string): RoleDefinitionData | undefined {
  return BY_NAME.get(roleName.toLowerCase());
}
