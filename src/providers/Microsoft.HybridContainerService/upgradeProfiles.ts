// provisionedClusterInstances/upgradeProfiles: the versions an AKS hybrid cluster can go to.

import { Errors } from '../../arm/errors.js';
import type { ResourceTypeDefinition } from '../../framework/types.js';
import { atApiVersion } from '../versionShapes.js';
import { API_VERSIONS, instanceOf, NS, poolsOf, targetOf } from './common.js';

export const upgradeProfiles: ResourceTypeDefinition = {
  namespace: NS,
  type: 'provisionedClusterInstances/upgradeProfiles',
  scope: 'extension',
  tracked: false,
  apiVersions: API_VERSIONS,
  handlers: {
    get(ctx) {
      const inst = instanceOf(ctx.services, ctx.path.id);
      if (!inst) throw Errors.parentResourceNotFound('read', `${NS}/provisionedClusterInstances/upgradeProfiles`, ctx.path.id.replace(/\/upgradeProfiles.*$/i, ''));
      const doc = targetOf(ctx.services, inst.resource.extendedLocation).doc;
      const v = String(inst.resource.properties?.kubernetesVersion);
      const ups = (doc.kubernetesVersions.find((k) => k.version === v)?.upgrades ?? []).map((u) => ({ kubernetesVersion: u, isPreview: false }));
      return {
        status: 200,
        body: atApiVersion(`${NS}/provisionedClusterInstances/upgradeProfiles`, ctx.apiVersion, {
          id: `${inst.resource.id}/upgradeProfiles/default`,
          name: 'default',
          type: 'Microsoft.HybridContainerService/provisionedClusterInstances/upgradeProfiles',
          // The service answers with the cluster's systemData (the profile is computed from it).
          ...(inst.resource.systemData ? { systemData: { ...inst.resource.systemData } } : {}),
          properties: {
            provisioningState: 'Succeeded',
            controlPlaneProfile: { kubernetesVersion: v, name: 'control-plane', osType: 'Linux', upgrades: ups },
            agentPoolProfiles: poolsOf(ctx.services, inst.resource.id).map((p) => ({
              kubernetesVersion: p.resource.properties?.kubernetesVersion ?? v,
              name: p.resource.name,
              osType: p.resource.properties?.osType,
              upgrades: ups,
            })),
          },
        }),
      };
    },
  },
};
