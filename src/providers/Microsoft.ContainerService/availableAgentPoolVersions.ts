// managedClusters/availableAgentPoolVersions: the versions a new pool may run (not past the control plane, at most
// two minors behind it), from the cluster's target.

import type { ResourceTypeDefinition } from '../../framework/types.js';
import { parseVersion } from '../../kubernetes/capabilities.js';
import { assertOperationOffered } from '../../kubernetes/clusterOperations.js';
import { targetOfStored } from './clusterCommon.js';
import { NS } from './shape.js';
import { versionsOf } from './versions.js';
import { clusterOf, cmp, ok } from './readLookups.js';

export const availableAgentPoolVersions: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/availableAgentPoolVersions',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/availableAgentPoolVersions'),
  handlers: {
    list(ctx) {
      const c = clusterOf(ctx);
      const doc = targetOfStored(ctx.services, c).doc;
      assertOperationOffered(doc, 'availableAgentPoolVersions');
      const cp: string = c.resource.properties?.currentKubernetesVersion ?? c.resource.properties?.kubernetesVersion;
      const cpMinor = parseVersion(cp)?.[1] ?? 0;
      const versions = doc.kubernetesVersions.filter((k) => cmp(k.version, cp) <= 0 && parseVersion(k.version)![1] >= cpMinor - 2);
      return ok({
        id: `${c.resource.id}/availableagentpoolversions`,
        name: 'availableAgentPoolVersions',
        type: `${NS}/managedClusters/availableAgentpoolVersions`,
        properties: {
          agentPoolVersions: versions.map((k) => (k.version === cp ? { default: true, kubernetesVersion: k.version, isPreview: false } : { kubernetesVersion: k.version, isPreview: false })),
        },
      });
    },
  },
};
