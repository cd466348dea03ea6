// A small Microsoft Graph directory: applications (with password credentials and owners), service
// principals (with owners) and directory role assignments, persisted in the store (collection 'graph').
// The service principals from the emulator's configuration appear here too, read-only, and are the
// directory's Global Administrators. A service principal's object id is derived from its appId exactly
// as the token service derives the token's 'oid', so role assignments made to it apply to its tokens.
//
// Every read and change takes the caller and is decided here, with Microsoft Entra's rules: an owner
// manages what it owns; a directory role grants its resource actions tenant-wide (roles.ts); everyone
// else gets 403 Authorization_RequestDenied. A caller without the right learns nothing about whether
// the object exists (403 before 404).

import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Services } from '../framework/types.js';
import type { WriteOp } from '../store/store.js';
import { objectIdFor } from '../identity/tokens.js';
import { DIRECTORY_ROLES, GLOBAL_ADMINISTRATOR, directoryRole, roleAllows, type DirectoryRole } from './roles.js';

export const GRAPH_COLLECTION = 'graph';

export interface PasswordCredential {
  customKeyIdentifier: null;
  displayName: string | null;
  endDateTime: string;
  hint: string;
  keyId: string;
  startDateTime: string;
  /** sha256 of the secret, hex; never returned. */
  secretHash?: string;
}

export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  createdDateTime: string;
  description: string | null;
  identifierUris: string[];
  signInAudience: string;
  tags: string[];
  passwordCredentials: PasswordCredential[];
  keyCredentials: unknown[];
  /** Object ids of the service principals that own it (they manage it). */
  owners?: string[];
  builtIn?: boolean;
}

export interface GraphServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  accountEnabled: boolean;
  createdDateTime: string;
  servicePrincipalNames: string[];
  tags: string[];
  appOwnerOrganizationId: string;
  owners?: string[];
  builtIn?: boolean;
}

/** A directory role assignment (unifiedRoleAssignment); the directory is the only scope modelled. */
export interface DirectoryRoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: '/';
  /** From the emulator's configuration (its service principals are Global Administrators): cannot be removed. */
  builtIn?: boolean;
}

/** Who calls: the token's object and client ids; null when authentication is off (--no-auth: everything allowed). */
export type Caller = { objectId: string; clientId: string } | null;

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function derivedGuid(seed: string): string {
  const h = sha256(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const DENIED = 'Insufficient privileges to complete the operation.';
export const denied = () => new GraphError(403, 'Authorization_RequestDenied', DENIED);

const APPS = 'microsoft.directory/applications';
const SPS = 'microsoft.directory/servicePrincipals';

/** The id Graph gives a role assignment: role template and principal, base64url, '-1' (one per pair at the directory scope). */
function assignmentId(roleDefinitionId: string, principalId: string): string {
  const bytes = (g: string) => Buffer.from(g.replace(/-/g, ''), 'hex');
  return `${Buffer.concat([bytes(roleDefinitionId), bytes(principalId)]).toString('base64url')}-1`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class Directory {
  private readonly apps = new Map<string, GraphApplication>();
  private readonly sps = new Map<string, GraphServicePrincipal>();
  private readonly assignments = new Map<string, DirectoryRoleAssignment>();
  readonly tenantId: string;

  constructor(private readonly services: Services) {
    this.tenantId = services.config.tenantId;
    for (const c of services.config.servicePrincipals) {
      const now = new Date(0).toISOString();
      const displayName = c.displayName ?? c.clientId;
      this.apps.set(derivedGuid(`app:${c.clientId.toLowerCase()}`), {
        id: derivedGuid(`app:${c.clientId.toLowerCase()}`),
        appId: c.clientId,
        displayName,
        createdDateTime: now,
        description: null,
        identifierUris: [],
        signInAudience: 'AzureADMyOrg',
        tags: [],
        passwordCredentials: [],
        keyCredentials: [],
        builtIn: true,
      });
      const id = objectIdFor(c.clientId);
      this.sps.set(id, {
        id,
        appId: c.clientId,
        displayName,
        accountEnabled: true,
        createdDateTime: now,
        servicePrincipalNames: [c.clientId],
        tags: [],
        appOwnerOrganizationId: c.tenantId,
        builtIn: true,
      });
      // The emulator's configured administrators: Global Administrators of their own tenant's directory.
      if (c.tenantId.toLowerCase() === this.tenantId.toLowerCase()) {
        const a: DirectoryRoleAssignment = { id: assignmentId(GLOBAL_ADMINISTRATOR, id), principalId: id, roleDefinitionId: GLOBAL_ADMINISTRATOR, directoryScopeId: '/', builtIn: true };
        this.assignments.set(a.id, a);
      }
    }
    for (const [key, v] of services.store.entries<any>(GRAPH_COLLECTION)) this.apply(key, v);
    // Another instance's writes (several emulators on one database), a refused write put back, a reset: follow them.
    services.store.onExternalChange((changes) => {
      if (changes === 'all') {
        for (const m of [this.apps, this.sps, this.assignments]) for (const [k, v] of [...m]) if (!(v as { builtIn?: boolean }).builtIn) m.delete(k);
        for (const [key, v] of services.store.entries<any>(GRAPH_COLLECTION)) this.apply(key, v);
        return;
      }
      for (const c of changes) if (c.collection === GRAPH_COLLECTION) this.apply(c.key, c.value);
    });
  }

  /** One stored record into the maps (undefined: deleted). */
  private apply(key: string, v: any): void {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const id = key.slice(slash + 1);
    const m = kind === 'applications' ? this.apps : kind === 'servicePrincipals' ? this.sps : kind === 'roleAssignments' ? this.assignments : undefined;
    if (!m) return;
    if (v === undefined || v === null) m.delete(id);
    else m.set(v.id, v);
  }

  private op(kind: 'applications' | 'servicePrincipals' | 'roleAssignments', id: string, value: unknown): WriteOp {
    return { collection: GRAPH_COLLECTION, key: `${kind}/${id}`, value };
  }
  private save(...ops: WriteOp[]): Promise<void> {
    return this.services.store.write(ops);
  }

  // ---- who may do what ---------------------------------------------------------------------------------

  /** The directory roles a principal holds (its assignments, the configured administrators' included). */
  rolesOf(objectId: string): DirectoryRole[] {
    const oid = objectId.toLowerCase();
    const out: DirectoryRole[] = [];
    for (const a of this.assignments.values()) {
      if (a.principalId.toLowerCase() !== oid) continue;
      const r = directoryRole(a.roleDefinitionId);
      if (r) out.push(r);
    }
    return out;
  }

  /** Does a directory role of the caller grant this resource action tenant-wide? */
  may(caller: Caller, action: string): boolean {
    if (!caller) return true;
    return this.rolesOf(caller.objectId).some((r) => roleAllows(r, action));
  }

  private owns(caller: Caller, o: { owners?: string[] } | undefined): boolean {
    return !!caller && !!o?.owners?.some((x) => x.toLowerCase() === caller.objectId.toLowerCase());
  }

  /** Throws 403 unless a role grants every action, or the caller owns the object (owners manage what they own). */
  private authorize<T extends { owners?: string[] }>(caller: Caller, actions: string[], find: () => T | undefined): T {
    const byRole = actions.every((a) => this.may(caller, a));
    const o = find();
    if (byRole) {
      return o ?? (undefined as never);
    }
    if (o && this.owns(caller, o)) return o;
    throw denied();
  }

  /** An application the caller may act on with these actions (403 before 404: no existence oracle). */
  private appFor(caller: Caller, id: string, actions: string[], byAppId = false): GraphApplication {
    const a = this.authorize(caller, actions, () => (byAppId ? this.applicationByAppId(id) : this.application(id)));
    if (!a) throw notFound(id);
    return a;
  }
  private spFor(caller: Caller, id: string, actions: string[], byAppId = false): GraphServicePrincipal {
    const s = this.authorize(caller, actions, () => (byAppId ? this.servicePrincipalByAppId(id) : this.servicePrincipal(id)));
    if (!s) throw notFound(id);
    return s;
  }

  // ---- reads -------------------------------------------------------------------------------------------

  /** Applications the caller may list: all with a reading role, its own with Application Developer, else 403. */
  listApplications(caller: Caller): GraphApplication[] {
    if (this.may(caller, `${APPS}/standard/read`)) return this.applications();
    if (this.may(caller, `${APPS}/createAsOwner`)) return this.applications().filter((a) => this.owns(caller, a));
    throw denied();
  }
  listServicePrincipals(caller: Caller): GraphServicePrincipal[] {
    if (this.may(caller, `${SPS}/standard/read`)) return this.servicePrincipals();
    if (this.may(caller, `${SPS}/createAsOwner`)) return this.servicePrincipals().filter((s) => this.owns(caller, s));
    throw denied();
  }
  readApplication(caller: Caller, id: string, byAppId = false): GraphApplication {
    return this.appFor(caller, id, [`${APPS}/standard/read`], byAppId);
  }
  readServicePrincipal(caller: Caller, id: string, byAppId = false): GraphServicePrincipal {
    return this.spFor(caller, id, [`${SPS}/standard/read`], byAppId);
  }
  /** directoryObjects/getByIds: a directory-wide read. */
  getByIds(caller: Caller, ids: string[]): GraphServicePrincipal[] {
    if (!this.may(caller, `${SPS}/standard/read`)) throw denied();
    return ids.map((id) => this.servicePrincipal(String(id))).filter((s): s is GraphServicePrincipal => !!s);
  }
  readOrganization(caller: Caller): void {
    if (!this.may(caller, 'microsoft.directory/organization/standard/read')) throw denied();
  }

  applications(): GraphApplication[] {
    return [...this.apps.values()];
  }
  servicePrincipals(): GraphServicePrincipal[] {
    return [...this.sps.values()];
  }
  application(id: string): GraphApplication | undefined {
    return this.apps.get(id.toLowerCase()) ?? [...this.apps.values()].find((a) => a.id.toLowerCase() === id.toLowerCase());
  }
  applicationByAppId(appId: string): GraphApplication | undefined {
    return [...this.apps.values()].find((a) => a.appId.toLowerCase() === appId.toLowerCase());
  }
  servicePrincipal(id: string): GraphServicePrincipal | undefined {
    return this.sps.get(id.toLowerCase()) ?? [...this.sps.values()].find((s) => s.id.toLowerCase() === id.toLowerCase());
  }
  servicePrincipalByAppId(appId: string): GraphServicePrincipal | undefined {
    return [...this.sps.values()].find((s) => s.appId.toLowerCase() === appId.toLowerCase());
  }

  /** Is this object id a principal of the directory (for role assignments)? */
  principalType(objectId: string): 'ServicePrincipal' | undefined {
    return this.servicePrincipal(objectId) ? 'ServicePrincipal' : undefined;
  }

  /** Is the principal a Global Administrator (the configured service principals, or by role assignment)? */
  isGlobalAdministrator(objectId: string): boolean {
    return this.rolesOf(objectId).some((r) => r.id === GLOBAL_ADMINISTRATOR);
  }

  // ---- applications ------------------------------------------------------------------------------------

  async createApplication(caller: Caller, body: Record<string, any>): Promise<GraphApplication> {
    // Administrators create without becoming owners; Application Developers become the first owner.
    const asOwner = !this.may(caller, `${APPS}/create`);
    if (asOwner && !this.may(caller, `${APPS}/createAsOwner`)) throw denied();
    if (typeof body.displayName !== 'string' || !body.displayName.trim()) {
      throw new GraphError(400, 'Request_BadRequest', "A value is required for property 'displayName' of resource 'Application'.");
    }
    const app: GraphApplication = {
      id: randomUUID(),
      appId: randomUUID(),
      displayName: body.displayName,
      createdDateTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      description: typeof body.description === 'string' ? body.description : null,
      identifierUris: Array.isArray(body.identifierUris) ? body.identifierUris.map(String) : [],
      signInAudience: typeof body.signInAudience === 'string' ? body.signInAudience : 'AzureADMyOrg',
      tags: Array.isArray(body.tags) ? body.tags.map(String) : [],
      passwordCredentials: [],
      keyCredentials: Array.isArray(body.keyCredentials) ? body.keyCredentials : [],
      owners: asOwner && caller ? [caller.objectId] : [],
    };
    this.apps.set(app.id, app);
    await this.save(this.op('applications', app.id, app));
    return app;
  }

  async updateApplication(caller: Caller, id: string, body: Record<string, any>): Promise<void> {
    const actions = new Set<string>();
    if (typeof body.displayName === 'string' || typeof body.description === 'string') actions.add(`${APPS}/basic/update`);
    if (typeof body.signInAudience === 'string') actions.add(`${APPS}/audience/update`);
    if (Array.isArray(body.identifierUris)) actions.add(`${APPS}/authentication/update`);
    if (Array.isArray(body.tags)) actions.add(`${APPS}/tag/update`);
    if (!actions.size) actions.add(`${APPS}/basic/update`);
    const app = this.appFor(caller, id, [...actions]);
    if (app.builtIn) throw configured();
    for (const k of ['displayName', 'description', 'signInAudience'] as const) if (typeof body[k] === 'string') (app as any)[k] = body[k];
    if (Array.isArray(body.identifierUris)) app.identifierUris = body.identifierUris.map(String);
    if (Array.isArray(body.tags)) app.tags = body.tags.map(String);
    await this.save(this.op('applications', app.id, app));
  }

  async deleteApplication(caller: Caller, id: string): Promise<void> {
    const app = this.appFor(caller, id, [`${APPS}/delete`]);
    if (app.builtIn) throw configured();
    this.apps.delete(app.id);
    const ops: WriteOp[] = [this.op('applications', app.id, undefined)];
    // Deleting an application deletes its service principal in the home tenant.
    const sp = this.servicePrincipalByAppId(app.appId);
    if (sp) ops.push(...this.forgetPrincipal(sp));
    await this.save(...ops);
  }

  async addPassword(caller: Caller, id: string, body: Record<string, any>): Promise<PasswordCredential & { secretText: string }> {
    const app = this.appFor(caller, id, [`${APPS}/credentials/update`]);
    if (app.builtIn) throw configured();
    const cred = body.passwordCredential ?? body ?? {};
    const secret = randomBytes(30)
      .toString('base64')
      .replace(/[+/=]/g, '')
      .slice(0, 40)
      .replace(/^(...)/, '$1~');
    const start = typeof cred.startDateTime === 'string' ? cred.startDateTime : new Date().toISOString();
    const end = typeof cred.endDateTime === 'string' ? cred.endDateTime : new Date(Date.now() + 2 * 365 * 86400_000).toISOString();
    const pc: PasswordCredential = {
      customKeyIdentifier: null,
      displayName: typeof cred.displayName === 'string' ? cred.displayName : null,
      endDateTime: end,
      hint: secret.slice(0, 3),
      keyId: randomUUID(),
      startDateTime: start,
      secretHash: sha256(secret),
    };
    app.passwordCredentials.push(pc);
    await this.save(this.op('applications', app.id, app));
    const { secretHash: _h, ...shown } = pc;
    return { ...shown, secretText: secret } as PasswordCredential & { secretText: string };
  }

  async removePassword(caller: Caller, id: string, keyId: unknown): Promise<void> {
    const app = this.appFor(caller, id, [`${APPS}/credentials/update`]);
    if (app.builtIn) throw configured();
    if (typeof keyId !== 'string' || !GUID.test(keyId))
      throw new GraphError(400, 'Request_BadRequest', "Invalid value specified for property 'keyId' of resource 'PasswordCredential': a GUID is required.");
    const before = app.passwordCredentials.length;
    app.passwordCredentials = app.passwordCredentials.filter((p) => p.keyId.toLowerCase() !== String(keyId).toLowerCase());
    if (app.passwordCredentials.length === before) {
      throw new GraphError(400, 'Request_BadRequest', `No password credential found with keyId '${String(keyId)}'.`);
    }
    await this.save(this.op('applications', app.id, app));
  }

  // ---- owners ------------------------------------------------------------------------------------------

  owners(caller: Caller, kind: 'applications' | 'servicePrincipals', id: string): GraphServicePrincipal[] {
    const o = kind === 'applications' ? this.appFor(caller, id, [`${APPS}/owners/read`]) : this.spFor(caller, id, [`${SPS}/owners/read`]);
    return (o.owners ?? []).map((x) => this.servicePrincipal(x)).filter((s): s is GraphServicePrincipal => !!s);
  }

  async addOwner(caller: Caller, kind: 'applications' | 'servicePrincipals', id: string, ownerId: string): Promise<void> {
    const o = kind === 'applications' ? this.appFor(caller, id, [`${APPS}/owners/update`]) : this.spFor(caller, id, [`${SPS}/owners/update`]);
    if (o.builtIn) throw configured();
    const owner = this.servicePrincipal(ownerId);
    if (!owner) throw notFound(ownerId);
    if ((o.owners ?? []).some((x) => x.toLowerCase() === owner.id.toLowerCase())) {
      throw new GraphError(400, 'Request_BadRequest', "One or more added object references already exist for the following modified properties: 'owners'.");
    }
    o.owners = [...(o.owners ?? []), owner.id];
    await this.save(this.op(kind, o.id, o));
  }

  async removeOwner(caller: Caller, kind: 'applications' | 'servicePrincipals', id: string, ownerId: string): Promise<void> {
    const o = kind === 'applications' ? this.appFor(caller, id, [`${APPS}/owners/update`]) : this.spFor(caller, id, [`${SPS}/owners/update`]);
    if (o.builtIn) throw configured();
    const rest = (o.owners ?? []).filter((x) => x.toLowerCase() !== ownerId.toLowerCase());
    if (rest.length === (o.owners ?? []).length) throw notFound(ownerId);
    o.owners = rest;
    await this.save(this.op(kind, o.id, o));
  }

  /** What a service principal owns: itself may ask, and readers of the directory. */
  ownedObjects(caller: Caller, id: string): (GraphApplication | GraphServicePrincipal)[] {
    const self = !!caller && caller.objectId.toLowerCase() === id.toLowerCase();
    const sp = self ? this.servicePrincipal(id) : this.spFor(caller, id, [`${SPS}/ownedObjects/read`]);
    if (!sp) throw notFound(id);
    const mine = (o: { owners?: string[] }) => (o.owners ?? []).some((x) => x.toLowerCase() === sp.id.toLowerCase());
    return [...this.applications().filter(mine), ...this.servicePrincipals().filter(mine)];
  }

  // ---- service principals ------------------------------------------------------------------------------

  async createServicePrincipal(caller: Caller, body: Record<string, any>): Promise<GraphServicePrincipal> {
    const appId = typeof body.appId === 'string' ? body.appId : '';
    const app = appId ? this.applicationByAppId(appId) : undefined;
    // Administrators create any; an Application Developer, or an owner of the application, becomes its first owner.
    const asOwner = !this.may(caller, `${SPS}/create`);
    if (asOwner && !this.may(caller, `${SPS}/createAsOwner`) && !this.owns(caller, app)) throw denied();
    if (!app) {
      throw new GraphError(400, 'Request_BadRequest', `The appId '${appId}' of the service principal does not reference a valid application object.`);
    }
    if (this.servicePrincipalByAppId(appId)) {
      throw new GraphError(
        409,
        'Request_MultipleObjectsWithSameKeyValue',
        `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`,
      );
    }
    const sp: GraphServicePrincipal = {
      id: objectIdFor(app.appId),
      appId: app.appId,
      displayName: app.displayName,
      accountEnabled: body.accountEnabled !== false,
      createdDateTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      servicePrincipalNames: [app.appId, ...app.identifierUris],
      tags: Array.isArray(body.tags) ? body.tags.map(String) : [],
      appOwnerOrganizationId: this.tenantId,
      owners: asOwner && caller ? [caller.objectId] : [],
    };
    this.sps.set(sp.id, sp);
    await this.save(this.op('servicePrincipals', sp.id, sp));
    return sp;
  }

  /** PATCH: accountEnabled (a disabled principal cannot sign in and its tokens stop working) and tags. */
  async updateServicePrincipal(caller: Caller, id: string, body: Record<string, any>, byAppId = false): Promise<void> {
    const actions = new Set<string>();
    if (body.accountEnabled !== undefined && typeof body.accountEnabled !== 'boolean') {
      throw new GraphError(400, 'Request_BadRequest', "Invalid value specified for property 'accountEnabled' of resource 'ServicePrincipal'.");
    }
    if (body.accountEnabled === false) actions.add(`${SPS}/disable`);
    if (body.accountEnabled === true) actions.add(`${SPS}/enable`);
    if (Array.isArray(body.tags)) actions.add(`${SPS}/tag/update`);
    if (!actions.size) actions.add(`${SPS}/basic/update`);
    const sp = this.spFor(caller, id, [...actions], byAppId);
    if (sp.builtIn) throw configured();
    if (typeof body.accountEnabled === 'boolean') sp.accountEnabled = body.accountEnabled;
    if (Array.isArray(body.tags)) sp.tags = body.tags.map(String);
    await this.save(this.op('servicePrincipals', sp.id, sp));
  }

  async deleteServicePrincipal(caller: Caller, id: string, byAppId = false): Promise<void> {
    const sp = this.spFor(caller, id, [`${SPS}/delete`], byAppId);
    if (sp.builtIn) throw configured();
    await this.save(...this.forgetPrincipal(sp));
  }

  /** Removes a principal with what refers to it: its directory role assignments and its place among owners. */
  private forgetPrincipal(sp: GraphServicePrincipal): WriteOp[] {
    this.sps.delete(sp.id);
    const ops: WriteOp[] = [this.op('servicePrincipals', sp.id, undefined)];
    const oid = sp.id.toLowerCase();
    for (const a of [...this.assignments.values()]) {
      if (a.principalId.toLowerCase() !== oid || a.builtIn) continue;
      this.assignments.delete(a.id);
      ops.push(this.op('roleAssignments', a.id, undefined));
    }
    for (const [kind, list] of [
      ['applications', this.applications()],
      ['servicePrincipals', this.servicePrincipals()],
    ] as const) {
      for (const o of list) {
        if (!o.owners?.some((x) => x.toLowerCase() === oid)) continue;
        o.owners = o.owners.filter((x) => x.toLowerCase() !== oid);
        ops.push(this.op(kind, o.id, o));
      }
    }
    return ops;
  }

  // ---- directory roles ---------------------------------------------------------------------------------

  roleDefinitions(caller: Caller): DirectoryRole[] {
    if (!this.may(caller, 'microsoft.directory/roleDefinitions/standard/read')) throw denied();
    return DIRECTORY_ROLES;
  }

  roleAssignments(caller: Caller): DirectoryRoleAssignment[] {
    if (!this.may(caller, 'microsoft.directory/roleAssignments/standard/read')) throw denied();
    return [...this.assignments.values()];
  }

  async assignRole(caller: Caller, body: Record<string, any>): Promise<DirectoryRoleAssignment> {
    if (!this.may(caller, 'microsoft.directory/roleAssignments/create')) throw denied();
    const roleId = typeof body.roleDefinitionId === 'string' ? body.roleDefinitionId : '';
    const principalId = typeof body.principalId === 'string' ? body.principalId : '';
    const scope = body.directoryScopeId ?? '/';
    if (!GUID.test(principalId)) throw new GraphError(400, 'Request_BadRequest', "Invalid value specified for property 'principalId' of resource 'UnifiedRoleAssignment'.");
    if (!GUID.test(roleId)) throw new GraphError(400, 'Request_BadRequest', "Invalid value specified for property 'roleDefinitionId' of resource 'UnifiedRoleAssignment'.");
    if (scope !== '/')
      throw new GraphError(400, 'Request_BadRequest', `The directory scope '${String(scope)}' is not supported: the emulator assigns directory roles at the directory scope '/' only.`);
    const role = directoryRole(roleId);
    if (!role) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${roleId}' does not exist or one of its queried reference-property objects are not present.`);
    const sp = this.servicePrincipal(principalId);
    if (!sp) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${principalId}' does not exist or one of its queried reference-property objects are not present.`);
    const a: DirectoryRoleAssignment = { id: assignmentId(role.id, sp.id), principalId: sp.id, roleDefinitionId: role.id, directoryScopeId: '/' };
    if (this.assignments.has(a.id)) throw new GraphError(400, 'Request_BadRequest', 'A conflicting object with one or more of the specified property values is present in the directory.');
    this.assignments.set(a.id, a);
    await this.save(this.op('roleAssignments', a.id, a));
    return a;
  }

  roleAssignment(caller: Caller, id: string): DirectoryRoleAssignment {
    if (!this.may(caller, 'microsoft.directory/roleAssignments/standard/read')) throw denied();
    const a = this.assignments.get(id);
    if (!a) throw notFound(id);
    return a;
  }

  async removeRoleAssignment(caller: Caller, id: string): Promise<void> {
    if (!this.may(caller, 'microsoft.directory/roleAssignments/delete')) throw denied();
    const a = this.assignments.get(id);
    if (!a) throw notFound(id);
    if (a.builtIn) throw configured();
    this.assignments.delete(a.id);
    await this.save(this.op('roleAssignments', a.id, undefined));
  }

  // ---- sign-in -----------------------------------------------------------------------------------------

  /** For the token service: is the principal's service principal disabled? */
  disabled(clientId: string): boolean {
    return this.servicePrincipalByAppId(clientId)?.accountEnabled === false;
  }

  /** For the token service: a Graph-created principal that may hold tokens (application + enabled service principal). */
  find(clientId: string): { clientId: string; tenantId: string } | undefined {
    const app = this.applicationByAppId(clientId);
    if (!app || app.builtIn || !this.servicePrincipalByAppId(clientId) || this.disabled(clientId)) return undefined;
    return { clientId: app.appId, tenantId: this.tenantId };
  }

  /** For the token service: a Graph-created application with this appId, a service principal and this secret. */
  authenticate(clientId: string, secret: string): { clientId: string; tenantId: string } | undefined {
    const app = this.applicationByAppId(clientId);
    if (!app || app.builtIn || !this.servicePrincipalByAppId(clientId) || this.disabled(clientId)) return undefined;
    const h = Buffer.from(sha256(secret));
    const now = Date.now();
    const ok = app.passwordCredentials.some((p) => {
      if (!p.secretHash || Date.parse(p.endDateTime) < now) return false;
      const x = Buffer.from(p.secretHash);
      return x.length === h.length && timingSafeEqual(x, h);
    });
    return ok ? { clientId: app.appId, tenantId: this.tenantId } : undefined;
  }
}

/** The configured principals (and their Global Administrator role) come from the configuration: not changeable here. */
function configured(): GraphError {
  return new GraphError(403, 'Authorization_RequestDenied', `${DENIED} The object comes from the emulator's configuration (--config); change it there.`);
}

export function notFound(id: string): GraphError {
  return new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

/** The directory of an emulator (one per Services), created on first use. */
const directories = new WeakMap<Services, Directory>();
export function directoryOf(services: Services): Directory {
  let d = directories.get(services);
  if (!d) directories.set(services, (d = new Directory(services)));
  return d;
}
