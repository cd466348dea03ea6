// Discovery documents: /api, /apis, /apis/<group>, the resource lists of each group version, and the
// aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) kubectl 1.32 asks for first.

import { createHash } from 'node:crypto';
import type { KindRegistry, ResourceDef } from '../kinds/registry.js';
import { apiVersionOf } from '../model.js';

interface SubresourceInfo {
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

const SUBRESOURCES: Record<string, (d: ResourceDef) => SubresourceInfo> = {
  status: (d) => ({ kind: d.kind, verbs: ['get', 'patch', 'update'] }),
  scale: () => ({ kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] }),
  binding: () => ({ kind: 'Binding', verbs: ['create'] }),
  eviction: () => ({ kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] }),
  log: () => ({ kind: 'Pod', verbs: ['get'] }),
  exec: () => ({ kind: 'PodExecOptions', verbs: ['create', 'get'] }),
  attach: () => ({ kind: 'PodAttachOptions', verbs: ['create', 'get'] }),
  portforward: () => ({ kind: 'PodPortForwardOptions', verbs: ['create', 'get'] }),
  proxy: (d) => ({ kind: d.kind === 'Node' ? 'NodeProxyOptions' : d.kind === 'Service' ? 'ServiceProxyOptions' : 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }),
  token: () => ({ kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }),
  finalize: (d) => ({ kind: d.kind, verbs: ['update'] }),
  approval: (d) => ({ kind: d.kind, verbs: ['get', 'patch', 'update'] }),
  ephemeralcontainers: (d) => ({ kind: d.kind, verbs: ['get', 'patch', 'update'] }),
  resize: (d) => ({ kind: d.kind, verbs: ['get', 'patch', 'update'] }),
};

function hashOf(d: ResourceDef): string {
  return createHash('sha256').update(`${d.group}/${d.version}/${d.kind}`).digest('base64').slice(0, 11) + '=';
}

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDoc(group: string, versions: string[]) {
  const vs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(kinds: KindRegistry) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: kinds
      .groupVersions()
      .filter((g) => g.group !== '')
      .map((g) => groupDoc(g.group, g.versions)),
  };
}

export function apiGroup(kinds: KindRegistry, group: string) {
  const g = kinds.groupVersions().find((x) => x.group === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group, g.versions) } : undefined;
}

export function resourceList(kinds: KindRegistry, group: string, version: string) {
  const defs = kinds.resourcesOf(group, version);
  if (!defs.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const d of defs) {
    const r: Record<string, unknown> = { name: d.resource, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs };
    if (d.shortNames?.length) r.shortNames = d.shortNames;
    if (d.categories?.length) r.categories = d.categories;
    if (!d.virtual) r.storageVersionHash = hashOf(d);
    resources.push(r);
    for (const sub of d.subresources ?? []) {
      const info = SUBRESOURCES[sub]?.(d);
      if (!info) continue;
      const s: Record<string, unknown> = { name: `${d.resource}/${sub}`, singularName: '', namespaced: d.namespaced, kind: info.kind, verbs: info.verbs };
      if (info.group !== undefined) {
        s.group = info.group;
        s.version = info.version;
      }
      resources.push(s);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}

/** apidiscovery.k8s.io/v2 for /api (core) or /apis (every other group). */
export function aggregated(kinds: KindRegistry, core: boolean) {
  const items = kinds
    .groupVersions()
    .filter((g) => (g.group === '') === core)
    .map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: kinds.resourcesOf(g.group, v).map((d) => {
          const r: Record<string, unknown> = {
            resource: d.resource,
            responseKind: { group: '', version: '', kind: d.kind },
            scope: d.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: d.singular,
            verbs: d.verbs,
          };
          if (d.shortNames?.length) r.shortNames = d.shortNames;
          if (d.categories?.length) r.categories = d.categories;
          const subs = (d.subresources ?? [])
            .map((sub) => {
              const info = SUBRESOURCES[sub]?.(d);
              return info ? { subresource: sub, responseKind: { group: info.group ?? '', version: info.version ?? '', kind: info.kind }, verbs: info.verbs } : undefined;
            })
            .filter(Boolean);
          if (subs.length) r.subresources = subs;
          return r;
        }),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
