// The absolute URLs a client polls: Azure-AsyncOperation (the status resource) and Location (the
// operation's result), under the namespace and location of the resource the operation works on.

import type { OperationRecord } from '../arm/asyncOperations.js';

export function lroHeaders(baseUrl: string, retryAfter: number, op: OperationRecord, withLocation: boolean): Record<string, string> {
  // Operations of tenant-scope resources (management groups, tenant deployments) have no subscription.
  const base = `${baseUrl}${op.subscriptionId ? `/subscriptions/${op.subscriptionId}` : ''}/providers/${op.namespace}/locations/${op.location}`;
  const q = `?api-version=${op.apiVersion}`;
  const h: Record<string, string> = {
    'Azure-AsyncOperation': `${base}/operationStatuses/${op.id}${q}`,
    'Retry-After': String(retryAfter),
  };
  if (withLocation) h.Location = `${base}/operationResults/${op.id}${q}`;
  return h;
}
