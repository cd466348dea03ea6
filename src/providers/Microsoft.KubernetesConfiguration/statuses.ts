// Operation statuses as Microsoft.KubernetesConfiguration shows them (OperationStatusResult: id,
// name, status, properties, error): per resource ({extension or flux configuration}/operations/{id})
// and per cluster ({cluster}/providers/Microsoft.KubernetesConfiguration/operations: those in progress).

import { Errors } from '../../arm/errors.js';
import type { CustomResult, RequestContext, ResourceTypeDefinition } from '../../framework/types.js';
import type { OperationRecord } from '../../arm/asyncOperations.js';
import { HOST_NAMES, NS } from './hosts.js';

export function operationStatusResult(op: OperationRecord): Record<string, unknown> {
  const body: Record<string, unknown> = { id: `${op.resourceId}/operations/${op.id}`, name: op.id, status: op.status, properties: {} };
  if (op.error && (op.status === 'Failed' || op.status === 'Canceled')) body.error = op.error;
  return body;
}

/** GET .../{type}/{name}/operations/{operationId}: the status of an operation on that resource. */
export function resourceOperations(type: string, apiVersions: string[]): ResourceTypeDefinition {
  return {
    namespace: NS,
    type: `${type}/operations`,
    scope: 'extension',
    tracked: false,
    apiVersions,
    handlers: {
      get(ctx) {
        const opId = ctx.path.names[1];
        const owner = ctx.path.id.slice(0, ctx.path.id.toLowerCase().lastIndexOf('/operations/'));
        const op = ctx.services.asyncOperations.get(opId);
        if (!op || op.resourceId.toLowerCase() !== owner.toLowerCase()) throw Errors.operationNotFound(opId, NS);
        return { status: 200, body: operationStatusResult(op) };
      },
    },
  };
}

/** GET {cluster}/providers/Microsoft.KubernetesConfiguration/operations: the operations in progress on the cluster's configuration. */
export function clusterOperations(ctx: RequestContext): CustomResult {
  const host = ctx.services.resources.get(ctx.path.scopeId);
  if (!host) throw Errors.parentResourceNotFound('read', `${NS}/operations`, ctx.path.scopeId);
  if (!HOST_NAMES[host.typeKey]) {
    throw Errors.invalid('InvalidClusterResourceType', `Operations of ${NS} are listed on ${Object.values(HOST_NAMES).join(', ')}; '${host.resource.type}' is not a Kubernetes cluster.`, 'id');
  }
  const prefix = `${host.resource.id}/providers/${NS}/`.toLowerCase();
  const value = ctx.services.asyncOperations
    .list()
    .filter((o) => o.status === 'InProgress' && o.resourceId.toLowerCase().startsWith(prefix))
    .sort((a, b) => a.startTime.localeCompare(b.startTime))
    .map(operationStatusResult);
  return { status: 200, body: { value } };
}
