// What the read-only sub-resources of a managed cluster and of a location share: finding the cluster or the
// location their URL names (404 as ARM words it), and the 200 answer. Each type's own file refuses up front what
// an Azure Stack Hub stamp does not offer, with the limit named.

import { Errors } from '../../arm/errors.js';
import type { CustomResult, RequestContext, StoredResource } from '../../framework/types.js';
import { parseVersion, type CapabilityDocument } from '../../kubernetes/capabilities.js';
import { targetFor } from './clusterCommon.js';
import { NS } from './shape.js';

export function clusterOf(ctx: RequestContext): StoredResource {
  const { path, services } = ctx;
  const rgId = `/subscriptions/${path.subscriptionId}/resourceGroups/${path.resourceGroup}`;
  if (path.resourceGroup === undefined || !services.resources.get(rgId)) throw Errors.resourceGroupNotFound(path.resourceGroup ?? '');
  const c = services.resources.get(`${rgId}/providers/${NS}/managedClusters/${path.names[0]}`);
  if (!c) throw Errors.resourceNotFound(`${NS}/managedClusters/${path.names[0]}`, path.resourceGroup);
  return c;
}

export function locationOf(ctx: RequestContext): { location: string; doc: CapabilityDocument } {
  const loc = ctx.path.names[0];
  const known = ctx.services.locations.normalize(loc);
  if (!known) {
    throw Errors.withStatus(
      404,
      'LocationNotFound',
      `The location '${loc}' is not available for resource type '${NS}/managedClusters'. Available locations: ${ctx.services.locations.names().join(', ')}.`,
    );
  }
  return { location: known, doc: targetFor(ctx.services, known).doc };
}

export const ok = (body: unknown): CustomResult => ({ status: 200, body });

export function cmp(a: string, b: string): number {
  const x = parseVersion(a)!;
  const y = parseVersion(b)!;
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

export function isPrivate(c: StoredResource): boolean {
  return c.resource.properties?.apiServerAccessProfile?.enablePrivateCluster === true;
}
