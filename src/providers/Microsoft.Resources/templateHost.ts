// The template engine's view of the emulator (TemplateHost): every resource a deployment writes or
// reads goes through the resource manager in process, as the deploying principal; nothing
// is sent over HTTP to the emulator itself. Linked templates are fetched over https.

import { isArmError } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { Principal, StoredResource } from '../../framework/types.js';
import type { TemplateHost } from '../../templates/index.js';

export function hostFor(services: Services, principal: Principal, baseUrl: string): TemplateHost {
  const { resourceManager, registry, resources } = services;
  const opts = (apiVersion?: string) => ({ apiVersion, principal, baseUrl });
  return {
    async put(id, apiVersion, body) {
      const r = await resourceManager.put(id, body, opts(apiVersion));
      return { status: r.status, body: r.body, operationId: r.operation?.id };
    },
    /** Preflight: the PUT's checks and hook without storing anything; only the client errors a PUT would give count. */
    async preflight(id, apiVersion, body) {
      try {
        await resourceManager.put(id, body, { ...opts(apiVersion), dryRun: true });
      } catch (e) {
        // A parent the same deployment creates, or a resource busy right now, is not the template's fault.
        if (isArmError(e) && e.status === 400) throw e;
      }
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
      return resources.listByParent(scopeId).filter((s) => registry.typeByKey(s.typeKey)?.tracked).map((s: StoredResource) => ({ id: s.resource.id, name: s.resource.name, type: s.resource.type, location: s.resource.location }));
    },
    knownType(namespace, type) {
      const def = registry.type(namespace, type);
      if (!def || def.handlers?.get) return def ? { apiVersions: def.apiVersions } : undefined;
      return { apiVersions: def.apiVersions, locations: Array.isArray(def.locations) ? def.locations : undefined };
    },
    knownNamespace(namespace) {
      return !!registry.provider(namespace);
    },
    async fetchTemplate(url) {
      const u = new URL(url);
      if (u.protocol !== 'https:') throw new Error(`only https:// template links are supported, not '${u.protocol}'`);
      const res = await fetch(u, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
      return JSON.parse(await res.text());
    },
    async resourceGroup(subscriptionId, name) {
      const rg = resources.get(`/subscriptions/${subscriptionId}/resourceGroups/${name}`);
      if (!rg) return undefined;
      return { location: rg.resource.location!, tags: rg.resource.tags, managedBy: rg.resource.managedBy };
    },
  };
}
