// A small Microsoft Graph directory: applications (with password credentials) and service
// principals, persisted in the store (collection 'graph'). The service principals from the
// emulator's configuration appear here too, read-only. A service principal's object id is
// derived from its appId exactly as the token service derives the token's 'oid', so role
// assignments made to it apply to the tokens it gets.

import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Services } from '../framework/types.js';
import { objectIdFor } from '../identity/tokens.js';

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
  builtIn?: boolean;
}

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

export class Directory {
  private readonly apps = new Map<string, GraphApplication>();
  private readonly sps = new Map<string, GraphServicePrincipal>();
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
    }
    for (const [key, v] of services.store.entries<any>(GRAPH_COLLECTION)) {
      if (key.startsWith('applications/')) this.apps.set(v.id, v);
      else if (key.startsWith('servicePrincipals/')) this.sps.set(v.id, v);
    }
  }

  private save(kind: 'applications' | 'servicePrincipals', id: string, value: unknown): Promise<void> {
    return this.services.store.write([{ collection: GRAPH_COLLECTION, key: `${kind}/${id}`, value }]);
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

  async createApplication(body: Record<string, any>): Promise<GraphApplication> {
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
    };
    this.apps.set(app.id, app);
    await this.save('applications', app.id, app);
    return app;
  }

  async updateApplication(id: string, body: Record<string, any>): Promise<void> {
    const app = this.mustApp(id);
    if (app.builtIn) throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    for (const k of ['displayName', 'description', 'signInAudience'] as const) if (typeof body[k] === 'string') (app as any)[k] = body[k];
    if (Array.isArray(body.identifierUris)) app.identifierUris = body.identifierUris.map(String);
    if (Array.isArray(body.tags)) app.tags = body.tags.map(String);
    await this.save('applications', app.id, app);
  }

  async deleteApplication(id: string): Promise<void> {
    const app = this.mustApp(id);
    if (app.builtIn) throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    this.apps.delete(app.id);
    const ops: Promise<void>[] = [this.save('applications', app.id, undefined)];
    // Deleting an application deletes its service principal in the home tenant.
    const sp = this.servicePrincipalByAppId(app.appId);
    if (sp) {
      this.sps.delete(sp.id);
      ops.push(this.save('servicePrincipals', sp.id, undefined));
    }
    await Promise.all(ops);
  }

  async addPassword(id: string, body: Record<string, any>): Promise<PasswordCredential & { secretText: string }> {
    const app = this.mustApp(id);
    if (app.builtIn) throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const cred = body.passwordCredential ?? body ?? {};
    const secret = randomBytes(30).toString('base64').replace(/[+/=]/g, '').slice(0, 40).replace(/^(...)/, '$1~');
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
    await this.save('applications', app.id, app);
    const { secretHash: _h, ...shown } = pc;
    return { ...shown, secretText: secret } as PasswordCredential & { secretText: string };
  }

  async removePassword(id: string, keyId: string): Promise<void> {
    const app = this.mustApp(id);
    const before = app.passwordCredentials.length;
    app.passwordCredentials = app.passwordCredentials.filter((p) => p.keyId.toLowerCase() !== String(keyId).toLowerCase());
    if (app.passwordCredentials.length === before) {
      throw new GraphError(400, 'Request_BadRequest', `No password credential found with keyId '${keyId}'.`);
    }
    await this.save('applications', app.id, app);
  }

  async createServicePrincipal(body: Record<string, any>): Promise<GraphServicePrincipal> {
    const appId = typeof body.appId === 'string' ? body.appId : '';
    const app = appId ? this.applicationByAppId(appId) : undefined;
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
    };
    this.sps.set(sp.id, sp);
    await this.save('servicePrincipals', sp.id, sp);
    return sp;
  }

  async deleteServicePrincipal(id: string): Promise<void> {
    const sp = this.servicePrincipal(id);
    if (!sp) throw notFound(id);
    if (sp.builtIn) throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    this.sps.delete(sp.id);
    await this.save('servicePrincipals', sp.id, undefined);
  }

  /** For the token service: a Graph-created principal that may hold tokens (application + service principal). */
  find(clientId: string): { clientId: string; tenantId: string } | undefined {
    const app = this.applicationByAppId(clientId);
    if (!app || app.builtIn || !this.servicePrincipalByAppId(clientId)) return undefined;
    return { clientId: app.appId, tenantId: this.tenantId };
  }

  /** For the token service: a Graph-created application with this appId, a service principal and this secret. */
  authenticate(clientId: string, secret: string): { clientId: string; tenantId: string } | undefined {
    const app = this.applicationByAppId(clientId);
    if (!app || app.builtIn || !this.servicePrincipalByAppId(clientId)) return undefined;
    const h = Buffer.from(sha256(secret));
    const now = Date.now();
    const ok = app.passwordCredentials.some((p) => {
      if (!p.secretHash || Date.parse(p.endDateTime) < now) return false;
      const x = Buffer.from(p.secretHash);
      return x.length === h.length && timingSafeEqual(x, h);
    });
    return ok ? { clientId: app.appId, tenantId: this.tenantId } : undefined;
  }

  private mustApp(id: string): GraphApplication {
    const app = this.application(id);
    if (!app) throw notFound(id);
    return app;
  }
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
