// locations/trustedAccessRoles: the roles other Azure services may be given on a cluster (trusted access).

import type { ResourceTypeDefinition } from '../../framework/types.js';
import { assertOperationOffered } from '../../kubernetes/clusterOperations.js';
import { NS } from './shape.js';
import { versionsOf } from './versions.js';
import { locationOf, ok } from './readLookups.js';

const TRUSTED_ACCESS_ROLES = [
  {
    sourceResourceType: 'Microsoft.MachineLearningServices/workspaces',
    name: 'inference-v1',
    rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['nodes', 'pods', 'services'], resourceNames: [], nonResourceURLs: [] }],
  },
  {
    sourceResourceType: 'Microsoft.DataProtection/backupVaults',
    name: 'backup-operator',
    rules: [{ verbs: ['get', 'list', 'watch', 'create', 'delete'], apiGroups: ['velero.io'], resources: ['backups', 'restores', 'backupstoragelocations'], resourceNames: [], nonResourceURLs: [] }],
  },
];

export const trustedAccessRoles: ResourceTypeDefinition = {
  namespace: NS,
  type: 'locations/trustedAccessRoles',
  scope: 'subscription',
  tracked: false,
  apiVersions: versionsOf('locations/trustedAccessRoles'),
  handlers: {
    list(ctx) {
      const { doc } = locationOf(ctx);
      assertOperationOffered(doc, 'trustedAccess', 'location');
      return ok({ value: structuredClone(TRUSTED_ACCESS_ROLES) });
    },
  },
};
