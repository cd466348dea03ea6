// Microsoft Entra directory roles as Graph serves them (roleManagement/directory/roleDefinitions): the
// built-in roles that govern what the emulator's directory holds (applications, service principals, role
// assignments), with their real template ids and the part of their resource actions that applies here.
// Pure data and matching; who holds which role lives in the directory (directory.ts).

/** A directory role definition (unifiedRoleDefinition). */
export interface DirectoryRole {
  id: string;
  displayName: string;
  description: string;
  allowedResourceActions: string[];
}

const A = 'microsoft.directory/applications';
const SP = 'microsoft.directory/servicePrincipals';
const READ_ALL = [
  `${A}/allProperties/read`,
  `${SP}/allProperties/read`,
  'microsoft.directory/roleAssignments/allProperties/read',
  'microsoft.directory/roleDefinitions/allProperties/read',
  'microsoft.directory/organization/allProperties/read',
];
/** What Application Administrator and Cloud Application Administrator may do to applications and principals. */
const APP_ADMIN = [
  `${A}/create`,
  `${A}/delete`,
  `${A}/basic/update`,
  `${A}/audience/update`,
  `${A}/authentication/update`,
  `${A}/credentials/update`,
  `${A}/owners/update`,
  `${A}/tag/update`,
  `${A}/notes/update`,
  `${SP}/create`,
  `${SP}/delete`,
  `${SP}/basic/update`,
  `${SP}/credentials/update`,
  `${SP}/owners/update`,
  `${SP}/tag/update`,
  `${SP}/disable`,
  `${SP}/enable`,
  // Holders administer every application, so they read them (users get this as a default permission;
  // the emulator's principals are service principals, which have no default read).
  `${A}/standard/read`,
  `${A}/owners/read`,
  `${SP}/standard/read`,
  `${SP}/owners/read`,
  `${SP}/ownedObjects/read`,
  'microsoft.directory/organization/standard/read',
];

export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';

/** The built-in roles the emulator models (template id = id, as Graph shows built-in roles). */
export const DIRECTORY_ROLES: DirectoryRole[] = [
  {
    id: GLOBAL_ADMINISTRATOR,
    displayName: 'Global Administrator',
    description: 'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
    allowedResourceActions: [
      `${A}/allProperties/allTasks`,
      `${SP}/allProperties/allTasks`,
      'microsoft.directory/roleAssignments/allProperties/allTasks',
      'microsoft.directory/roleDefinitions/allProperties/allTasks',
      'microsoft.directory/organization/allProperties/allTasks',
    ],
  },
  {
    id: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
    displayName: 'Application Administrator',
    description: 'Can create and manage all aspects of app registrations and enterprise apps.',
    allowedResourceActions: APP_ADMIN,
  },
  {
    id: '158c047a-c907-4556-b7ef-446551a6b5f7',
    displayName: 'Cloud Application Administrator',
    description: 'Can create and manage all aspects of app registrations and enterprise apps except App Proxy.',
    allowedResourceActions: APP_ADMIN,
  },
  {
    id: 'cf1c38e5-3621-4004-a7cb-879624dced7c',
    displayName: 'Application Developer',
    description: "Can create application registrations independent of the 'Users can register applications' setting.",
    allowedResourceActions: [`${A}/createAsOwner`, `${SP}/createAsOwner`, 'microsoft.directory/oAuth2PermissionGrants/createAsOwner'],
  },
  {
    id: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
    displayName: 'Privileged Role Administrator',
    description: 'Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.',
    allowedResourceActions: [
      'microsoft.directory/roleAssignments/allProperties/allTasks',
      'microsoft.directory/roleDefinitions/allProperties/allTasks',
      `${SP}/standard/read`,
      'microsoft.directory/organization/standard/read',
    ],
  },
  {
    id: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
    displayName: 'Global Reader',
    description: 'Can read everything that a Global Administrator can, but not update anything.',
    allowedResourceActions: READ_ALL,
  },
  {
    id: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b',
    displayName: 'Directory Readers',
    description: 'Can read basic directory information. Commonly used to grant directory read access to applications and guests.',
    allowedResourceActions: [
      `${A}/standard/read`,
      `${A}/owners/read`,
      `${SP}/standard/read`,
      `${SP}/owners/read`,
      `${SP}/ownedObjects/read`,
      'microsoft.directory/roleAssignments/standard/read',
      'microsoft.directory/roleDefinitions/standard/read',
      'microsoft.directory/organization/standard/read',
    ],
  },
];

export function directoryRole(id: string): DirectoryRole | undefined {
  const i = id.toLowerCase();
  return DIRECTORY_ROLES.find((r) => r.id === i);
}

/**
 * Does a granted resource action cover the one asked for? Entra's forms: an exact action,
 * '{entity}/allProperties/allTasks' (everything on the entity, create and delete included) and
 * '{entity}/allProperties/read' (every read of it, 'standard/read' included).
 */
export function actionCovers(granted: string, action: string): boolean {
  const g = granted.toLowerCase();
  const a = action.toLowerCase();
  if (g === a) return true;
  if (g.endsWith('/allproperties/alltasks')) return a.startsWith(g.slice(0, -'allproperties/alltasks'.length));
  if (g.endsWith('/allproperties/read')) return a.startsWith(g.slice(0, -'allproperties/read'.length)) && a.endsWith('/read');
  return false;
}

export function roleAllows(role: DirectoryRole, action: string): boolean {
  return role.allowedResourceActions.some((g) => actionCovers(g, action));
}

export function roleDefinitionWire(r: DirectoryRole): Record<string, unknown> {
  return {
    id: r.id,
    description: r.description,
    displayName: r.displayName,
    isBuiltIn: true,
    isEnabled: true,
    resourceScopes: ['/'],
    templateId: r.id,
    version: '1',
    rolePermissions: [{ allowedResourceActions: r.allowedResourceActions, condition: null }],
  };
}
