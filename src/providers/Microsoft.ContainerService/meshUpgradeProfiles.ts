// managedClusters/meshUpgradeProfiles: the Istio add-on revisions the cluster's mesh may go to.

import { Errors } from '../../arm/errors.js';
import type { ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { assertOperationOffered } from '../../kubernetes/clusterOperations.js';
import { targetOfStored } from './clusterCommon.js';
import { NS } from './shape.js';
import { versionsOf } from './versions.js';
import { MESH_REVISIONS, revisionWire } from './meshRevisions.js';
import { clusterOf, ok } from './readLookups.js';

export const meshUpgradeProfiles: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/meshUpgradeProfiles',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/meshUpgradeProfiles'),
  handlers: {
    list(ctx) {
      const c = clusterOf(ctx);
      assertOperationOffered(targetOfStored(ctx.services, c).doc, 'meshProfiles');
      return ok({ value: meshProfilesOf(c) });
    },
    get(ctx) {
      const c = clusterOf(ctx);
      assertOperationOffered(targetOfStored(ctx.services, c).doc, 'meshProfiles');
      const p = meshProfilesOf(c).find((x) => x.name.toLowerCase() === ctx.path.names[1].toLowerCase());
      if (!p) throw Errors.resourceNotFound(`${NS}/managedClusters/${ctx.path.names[0]}/meshUpgradeProfiles/${ctx.path.names[1]}`, ctx.path.resourceGroup);
      return ok(p);
    },
  },
};

function meshProfilesOf(c: StoredResource) {
  const mesh = c.resource.properties?.serviceMeshProfile;
  if (!mesh || String(mesh.mode).toLowerCase() !== 'istio') return [];
  const revs: string[] = mesh.istio?.revisions ?? [];
  return MESH_REVISIONS.filter((r) => revs.includes(r.revision)).map((r) => ({
    id: `${c.resource.id}/meshUpgradeProfiles/istio`,
    name: 'istio',
    type: `${NS}/managedClusters/meshUpgradeProfiles`,
    properties: revisionWire(r),
  }));
}
