// The clusters Microsoft.KubernetesConfiguration's resources live on (an Arc resource bridge, a
// connected cluster, an AKS hybrid cluster, an AKS cluster), whether one is ready to take them, and
// where (which fabric site) their work lands.

import { createHash } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { Services } from '../../framework/types.js';
import type { RequestContext, StoredResource } from '../../framework/types.js';

export const NS = 'Microsoft.KubernetesConfiguration';
export const EXTENSIONS = typeKeyOf(NS, 'extensions');
export const FLUX_CONFIGURATIONS = typeKeyOf(NS, 'fluxConfigurations');

export const HOST_NAMES: Record<string, string> = {
  'microsoft.resourceconnector/appliances': 'an Arc resource bridge (Microsoft.ResourceConnector/appliances)',
  'microsoft.kubernetes/connectedclusters': 'a connected cluster (Microsoft.Kubernetes/connectedClusters)',
  'microsoft.containerservice/managedclusters': 'an AKS cluster (Microsoft.ContainerService/managedClusters)',
  'microsoft.hybridcontainerservice/provisionedclusters': 'an AKS hybrid cluster (Microsoft.HybridContainerService/provisionedClusters)',
};

/** The fabric package a configuration resource installs, named from its id (unique on a site). */
export const packageName = (id: string, prefix = 'ext') => `${prefix}-${createHash('sha256').update(id.toLowerCase()).digest('hex').slice(0, 10)}`;

/** The cluster a request addresses (the extension resource's parent), or a 404/400 naming what it must be. */
export function requireHost(ctx: RequestContext, type: string): StoredResource {
  const host = ctx.parent;
  if (!host) throw Errors.parentResourceNotFound(ctx.method === 'GET' ? 'read' : 'write', `${NS}/${type}`, ctx.path.scopeId);
  if (!HOST_NAMES[host.typeKey]) {
    throw Errors.invalid('InvalidClusterResourceType', `${NS}/${type} can be put on ${Object.values(HOST_NAMES).join(', ')}; '${host.resource.type}' is not a Kubernetes cluster.`, 'id');
  }
  return host;
}

/** The site the cluster runs on: its work lands there. 400 ClusterNotReady while it runs nowhere yet. */
export function hostSite(host: StoredResource): string {
  const site = host.internal.site as string | undefined;
  const state = host.resource.properties?.provisioningState;
  // Not yet created (its cluster is still coming up) or going away; a cluster being updated takes them.
  if (!site || ['Accepted', 'Creating', 'Provisioning', 'Deleting'].includes(String(state)) || host.deleting) {
    throw Errors.invalid(
      'ClusterNotReady',
      `The cluster '${host.resource.name}' is ${site ? String(state) : 'not running on any site yet'}; install extensions and configurations once it has been created (provisioningState Succeeded).`,
    );
  }
  return site;
}

export function installedExtensions(services: Services, hostId: string): StoredResource[] {
  return services.resources.listByParent(hostId.toLowerCase()).filter((r) => r.typeKey === EXTENSIONS);
}

export function fluxConfigurationsOn(services: Services, hostId: string): StoredResource[] {
  return services.resources.listByParent(hostId.toLowerCase()).filter((r) => r.typeKey === FLUX_CONFIGURATIONS);
}
