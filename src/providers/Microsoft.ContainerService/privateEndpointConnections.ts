// managedClusters/privateEndpointConnections: the API server's private endpoint (private clusters only), which
// AKS manages: it stays Approved while the cluster is private and goes when it stops being private.

import { Errors } from '../../arm/errors.js';
import type { RequestContext, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { assertOperationOffered } from '../../kubernetes/clusterOperations.js';
import { targetOfStored } from './clusterCommon.js';
import { NS } from './shape.js';
import { versionsOf } from './versions.js';
import { clusterOf, isPrivate, ok } from './readLookups.js';

function connectionOf(c: StoredResource) {
  const sub = c.resource.id.split('/')[2];
  const nodeRg = c.resource.properties?.nodeResourceGroup ?? `MC_${c.resource.id.split('/')[4]}_${c.resource.name}_${c.resource.location}`;
  return {
    id: `${c.resource.id}/privateEndpointConnections/kube-apiserver`,
    name: 'kube-apiserver',
    type: `${NS}/managedClusters/privateEndpointConnections`,
    properties: {
      provisioningState: 'Succeeded',
      privateEndpoint: { id: `/subscriptions/${sub}/resourceGroups/${nodeRg}/providers/Microsoft.Network/privateEndpoints/kube-apiserver` },
      privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto Approved' },
    },
  };
}

function connectionNotFound(ctx: RequestContext): never {
  throw Errors.resourceNotFound(`${NS}/managedClusters/${ctx.path.names[0]}/privateEndpointConnections/${ctx.path.names[1]}`, ctx.path.resourceGroup);
}

export const privateEndpointConnections: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/privateEndpointConnections',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/privateEndpointConnections'),
  handlers: {
    list(ctx) {
      const c = clusterOf(ctx);
      return ok({ value: isPrivate(c) ? [connectionOf(c)] : [] });
    },
    get(ctx) {
      const c = clusterOf(ctx);
      if (!isPrivate(c) || ctx.path.names[1].toLowerCase() !== 'kube-apiserver') connectionNotFound(ctx);
      return ok(connectionOf(c));
    },
    put(ctx) {
      const c = clusterOf(ctx);
      assertOperationOffered(targetOfStored(ctx.services, c).doc, 'privateEndpointConnections');
      if (!isPrivate(c) || ctx.path.names[1].toLowerCase() !== 'kube-apiserver') connectionNotFound(ctx);
      const status = ctx.body?.properties?.privateLinkServiceConnectionState?.status;
      if (status !== undefined && !['Approved', 'Rejected', 'Pending', 'Disconnected'].includes(status)) {
        throw Errors.invalidParameter(`The connection status '${String(status)}' is invalid; use Approved, Rejected, Pending or Disconnected.`, 'properties.privateLinkServiceConnectionState.status');
      }
      if (status !== undefined && status !== 'Approved') {
        throw Errors.invalid(
          'OperationNotAllowed',
          "The private endpoint of a private cluster's API server is managed by AKS; its connection stays Approved while the cluster is private.",
          'properties.privateLinkServiceConnectionState.status',
        );
      }
      return ok(connectionOf(c));
    },
    delete(ctx) {
      const c = clusterOf(ctx);
      if (!isPrivate(c)) return { status: 204 };
      throw Errors.invalid('OperationNotAllowed', "The private endpoint connection of a private cluster's API server is managed by AKS; it goes when the cluster stops being private.", 'name');
    },
  },
};
