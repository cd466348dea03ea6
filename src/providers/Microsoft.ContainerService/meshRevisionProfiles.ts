// locations/meshRevisionProfiles/istio: the Istio add-on revisions a location offers.

import { Errors } from '../../arm/errors.js';
import type { RequestContext, ResourceTypeDefinition } from '../../framework/types.js';
import { assertOperationOffered } from '../../kubernetes/clusterOperations.js';
import { NS } from './shape.js';
import { versionsOf } from './versions.js';
import { MESH_REVISIONS, revisionWire } from './meshRevisions.js';
import { locationOf, ok } from './readLookups.js';

export const meshRevisionProfiles: ResourceTypeDefinition = {
  namespace: NS,
  type: 'locations/meshRevisionProfiles',
  scope: 'subscription',
  tracked: false,
  apiVersions: versionsOf('locations/meshRevisionProfiles'),
  handlers: {
    list(ctx) {
      const { location, doc } = locationOf(ctx);
      assertOperationOffered(doc, 'meshProfiles', 'location');
      return ok({ value: [revisionProfile(ctx, location)] });
    },
    get(ctx) {
      const { location, doc } = locationOf(ctx);
      assertOperationOffered(doc, 'meshProfiles', 'location');
      if (ctx.path.names[1].toLowerCase() !== 'istio') throw Errors.resourceNotFound(`${NS}/locations/${location}/meshRevisionProfiles/${ctx.path.names[1]}`);
      return ok(revisionProfile(ctx, location));
    },
  },
};

function revisionProfile(ctx: RequestContext, location: string) {
  return {
    id: `/subscriptions/${ctx.path.subscriptionId}/providers/${NS}/locations/${location}/meshRevisionProfiles/istio`,
    name: 'istio',
    type: `${NS}/locations/meshRevisionProfiles`,
    properties: { meshRevisions: MESH_REVISIONS.map(revisionWire) },
  };
}
