// provisionedClusterInstances/hybridIdentityMetadata: the identity record az aksarc writes with a cluster.

import { Errors } from '../../arm/errors.js';
import type { ResourceTypeDefinition } from '../../framework/types.js';
import { atApiVersion } from '../versionShapes.js';
import { API_VERSIONS, NS, STEP } from './common.js';
import { settleSimple } from './virtualNetworks.js';

export const hybridIdentityMetadata: ResourceTypeDefinition = {
  namespace: NS,
  type: 'provisionedClusterInstances/hybridIdentityMetadata',
  scope: 'extension',
  tracked: false,
  apiVersions: API_VERSIONS,
  patch: false,
  onPut(ctx, candidate) {
    if (ctx.path.names.at(-1)?.toLowerCase() !== 'default') throw Errors.invalid('InvalidResourceName', "hybridIdentityMetadata is always named 'default'.", 'name');
    if (!ctx.parent) throw Errors.parentResourceNotFound('write', `${NS}/provisionedClusterInstances/hybridIdentityMetadata`, ctx.path.id.replace(/\/hybridIdentityMetadata.*$/i, ''));
    const p = { ...(candidate.properties ?? {}) };
    if (p.publicKey !== undefined && typeof p.publicKey !== 'string') throw Errors.invalidParameter('properties.publicKey must be a string.', 'properties.publicKey');
    return { resource: { ...candidate, properties: { resourceUid: p.resourceUid ?? ctx.parent.resource.id, ...p, provisioningState: 'Succeeded' } } };
  },
  toWire: (s, apiVersion) =>
    atApiVersion('Microsoft.HybridContainerService/provisionedClusterInstances/hybridIdentityMetadata', apiVersion, {
      ...structuredClone(s.resource),
      type: 'Microsoft.HybridContainerService/provisionedClusterInstances/hybridIdentityMetadata',
    }),
  // The spec's HybridIdentityMetadata_Delete is long-running (202, then 204 once gone).
  onDelete() {
    return { operation: { kind: 'delete', tasks: [{ id: 'settle', kind: STEP, params: {}, durationMs: 500 }] } };
  },
  onOperationSucceeded: (o, s) => settleSimple(o, s, 'Succeeded'),
  onOperationFailed: (o, s) => settleSimple(o, s, 'Failed'),
};
