// The template engine's view of the emulator (TemplateHost): every resource a deployment writes or
// reads goes through the resource manager in process, as the deploying principal; nothing
// is sent over HTTP to the emulator itself. Linked templates are fetched over http or https.

import { isArmError } from '../../arm/errors.js';
import { mergeVersions } from '../../catalogue/versions.js';
import type { Services } from '../../framework/types.js';
import type { Principal, StoredResource } from '../../framework/types.js';
import type { TemplateHost } from '../../templates/host.js';

/** `initiatedBy`: the deployment's operation, recorded on the operations its writes start (to adopt them after a crash). */
/** ARM's limit on a template (or parameters file) a link points at. */
const LINK_LIMIT = 4 * 1024 * 1024;

export function hostFor(services: Services, principal: Principal, baseUrl: string, initiatedBy?: string): TemplateHost {
  const { resourceManager, registry, resources } = services;
  const opts = (apiVersion?: string) => ({ apiVersion, principal, baseUrl, initiatedBy });
  return {
    async put(id, apiVersion, body) {
      const r = await resourceManager.put(id, body, opts(apiVersion));
      return { status: r.status, body: r.body, operationId: r.operation?.id };
    },
    /**
     * Preflight: the PUT's checks and hook without storing anything; only the client errors a PUT would give
     * count: refusals (400) and what the deployer may not do (403: RBAC, linked checks, deny assignments).
     */
    async preflight(id, apiVersion, body) {
      try {
        await resourceManager.put(id, body, { ...opts(apiVersion), dryRun: true });
      } catch (e) {
        // A parent the same deployment creates, or a resource busy right now, is not the template's fault.
        if (isArmError(e) && (e.status === 400 || e.status === 403)) throw e;
      }
    },
    async predict(id, apiVersion, body) {
      try {
        return (await resourceManager.put(id, body, { ...opts(apiVersion), dryRun: true })).body;
      } catch {
        return undefined; // refused, or a parent the template creates first: what-if falls back to the template's body
      }
    },
    /** A nested deployment is a write in its own scope: the deployer must be allowed it there. */
    async checkWrite(id, apiVersion) {
      await resourceManager.checkWrite({ method: 'PUT', path: id, apiVersion, principal, baseUrl });
    },
    async waitFor(operationId, signal) {
      const done = resourceManager.waitFor(operationId);
      const op = signal
        ? await Promise.race([done, new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('canceled'), { name: 'AbortError' })), { once: true }))])
        : await done;
      return { status: op.status as 'Succeeded' | 'Failed' | 'Canceled', error: op.error };
    },
    async get(id, apiVersion) {
      try {
        return (await resourceManager.get(id, opts(apiVersion))).body;
      } catch (e) {
        if (isArmError(e) && e.status === 404) return undefined;
        throw e;
      }
    },
    async action(id, action, apiVersion, body) {
      return (await resourceManager.action(id, action, body, opts(apiVersion))).body;
    },
    async delete(id, apiVersion) {
      const r = await resourceManager.delete(id, opts(apiVersion));
      return { status: r.status, operationId: r.operation?.id };
    },
    async list(scopeId) {
      // What the scope's /resources list shows (tracked resources), never its deployment history.
      return resources
        .listByParent(scopeId)
        .filter((s) => registry.typeByKey(s.typeKey)?.tracked)
        .map((s: StoredResource) => ({ id: s.resource.id, name: s.resource.name, type: s.resource.type, location: s.resource.location }));
    },
    knownType(namespace, type) {
      const def = registry.type(namespace, type);
      if (!def) return undefined;
      // a hand-built type accepts every api-version the public catalogue lists for it (the core maps it to the nearest)
      const listed = def.generic ? undefined : registry.catalogue()?.apiVersions(def.namespace, def.type);
      const apiVersions = listed?.length ? mergeVersions(def.apiVersions, listed) : def.apiVersions;
      if (def.handlers?.get) return { apiVersions };
      return { apiVersions, locations: Array.isArray(def.locations) ? def.locations : undefined };
    },
    knownNamespace(namespace) {
      return !!registry.provider(namespace);
    },
    catalogueReady() {
      // the index alone: what the lookups read (a namespace's schemas wait for a PUT of one of its types)
      return registry.catalogue()?.prepare?.('');
    },
    async fetchTemplate(url) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw new Error('The content link must be an absolute URI.');
      }
      // az sends the URI it read the template from (--template-uri): https, or http (a local server).
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`The content link must be an http or https URI, not '${u.protocol}'.`);
      const res = await fetch(u, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
      // The text, read up to ARM's 4 MB: the engine parses it (in its worker, off the event loop).
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > LINK_LIMIT) throw new Error(`The content is larger than ${LINK_LIMIT} bytes.`);
      const reader = res.body?.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = reader ? await reader.read() : { done: true, value: undefined };
        if (done || !value) break;
        size += value.length;
        if (size > LINK_LIMIT) {
          await reader!.cancel().catch(() => undefined);
          throw new Error(`The content is larger than ${LINK_LIMIT} bytes.`);
        }
        chunks.push(value);
      }
      return Buffer.concat(chunks).toString('utf8');
    },
    async resourceGroup(subscriptionId, name) {
      const rg = resources.get(`/subscriptions/${subscriptionId}/resourceGroups/${name}`);
      if (!rg) return undefined;
      return { location: rg.resource.location!, tags: rg.resource.tags, managedBy: rg.resource.managedBy };
    },
  };
}
