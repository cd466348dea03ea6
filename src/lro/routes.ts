// The operation resources every namespace serves: locations/{l}/operationStatuses/{id} (the
// Azure-AsyncOperation status) and locations/{l}/operationResults/{id} (the Location URL), plus
// the tenant-wide /providers/{ns}/operations list. Added to each provider by the emulator.

import { Errors } from '../arm/errors.js';
import { lroHeaders } from './urls.js';
import type { RequestContext, ResourceProvider, ResourceTypeDefinition } from '../framework/types.js';
import type { OperationRecord } from '../arm/asyncOperations.js';

function findOp(ctx: RequestContext): OperationRecord {
  const id = ctx.path.names[1];
  const op = ctx.services.asyncOperations.get(id);
  if (!op || op.namespace.toLowerCase() !== ctx.def.namespace.toLowerCase() || op.subscriptionId.toLowerCase() !== (ctx.path.subscriptionId ?? '').toLowerCase()) {
    throw Errors.operationNotFound(id, ctx.def.namespace);
  }
  return op;
}

/**
 * At --time-scale 0 an operation finishes within milliseconds, but clients poll at once and then
 * wait a whole Retry-After: answer the poll once it has finished (or after a short, bounded wait).
 */
async function settle(ctx: RequestContext, op: OperationRecord): Promise<void> {
  if (op.status !== 'InProgress' || ctx.services.config.timeScale !== 0 || op.gate) return;
  await Promise.race([ctx.services.asyncOperations.waitFor(op.id), new Promise((r) => setTimeout(r, 250))]);
}

function allVersions(p: ResourceProvider): string[] {
  const set = new Set<string>();
  for (const t of p.types) for (const v of t.apiVersions) set.add(v);
  return [...set].sort().reverse();
}

export function operationTypes(p: ResourceProvider): ResourceTypeDefinition[] {
  const apiVersions = allVersions(p);
  const ns = p.namespace;
  const proxy = (type: string, scope: ResourceTypeDefinition['scope'], handlers: ResourceTypeDefinition['handlers']): ResourceTypeDefinition => ({
    namespace: ns,
    type,
    scope,
    tracked: false,
    apiVersions,
    handlers,
  });
  const statuses = proxy('locations/operationStatuses', 'subscription', {
    get: async (ctx) => {
      await settle(ctx, findOp(ctx));
      const op = (await ctx.services.asyncOperations.poll(ctx.path.names[1]))!;
      const headers: Record<string, string> = op.status === 'InProgress' ? { 'Retry-After': String(ctx.services.config.retryAfter) } : {};
      return { status: 200, headers, body: ctx.services.asyncOperations.statusBody(op, ctx.baseUrl) };
    },
  });
  const results = proxy('locations/operationResults', 'subscription', {
    get: async (ctx) => {
      await settle(ctx, findOp(ctx));
      const op = (await ctx.services.asyncOperations.poll(ctx.path.names[1]))!;
      if (op.status === 'InProgress') {
        const h = lroHeaders(ctx.baseUrl, ctx.services.config.retryAfter, op, true);
        return { status: 202, headers: { Location: h.Location, 'Retry-After': h['Retry-After'] } };
      }
      if (op.status !== 'Succeeded') {
        const err = op.error ?? { code: op.status === 'Canceled' ? 'OperationCanceled' : 'OperationFailed', message: `The operation ${op.status.toLowerCase()}.` };
        return { status: op.status === 'Canceled' ? 409 : 400, body: { error: err } };
      }
      if (op.result) return { status: op.result.status, body: op.result.body };
      if (op.kind === 'delete') return { status: 200 };
      if (op.kind === 'action' && !op.resultIsResource) return { status: 204 };
      const stored = ctx.services.resources.get(op.resourceId);
      const def = ctx.services.registry.typeByKey(op.typeKey);
      if (!stored || !def) return { status: 204 };
      return { status: 200, body: ctx.services.resourceManager.wire(stored, def, op.apiVersion) };
    },
  });
  const operations = proxy('operations', 'tenant', {
    list: (ctx) => {
      const provider = ctx.services.registry.provider(ns)!;
      if (ctx.path.extendedParent) {
        // {resource}/providers/{ns}/operations is another operation: the provider's own, or none.
        if (provider.scopedOperations) return provider.scopedOperations(ctx);
        throw Errors.routeNotFound(ctx.path.id);
      }
      const fields = provider.providerOperationFields;
      const value: unknown[] = [
        op(fields, ns, `${ns}/register/action`, 'Register Subscription', 'Registers the subscription for the resource provider.', ns),
        op(fields, ns, `${ns}/unregister/action`, 'Unregister Subscription', 'Unregisters the subscription for the resource provider.', ns),
      ];
      for (const t of provider.types) {
        if (t.handlers && !t.tracked && t.type.startsWith('locations/operation')) continue;
        if (t.providerOperations) {
          for (const o of t.providerOperations) value.push(op(fields, ns, `${ns}/${o.name}`, o.operation, o.description, t.type));
        } else if (t.type !== 'operations' && !t.type.startsWith('locations/operation')) {
          value.push(op(fields, ns, `${ns}/${t.type}/read`, `Get ${t.type}`, `Gets ${t.type}.`, t.type));
          if (!t.handlers) {
            value.push(op(fields, ns, `${ns}/${t.type}/write`, `Create or update ${t.type}`, `Creates or updates ${t.type}.`, t.type));
            value.push(op(fields, ns, `${ns}/${t.type}/delete`, `Delete ${t.type}`, `Deletes ${t.type}.`, t.type));
          }
          for (const a of Object.keys(t.actions ?? {})) value.push(op(fields, ns, `${ns}/${t.type}/${a}/action`, a, `Runs ${a} on ${t.type}.`, t.type));
        }
      }
      return { status: 200, body: { value } };
    },
  });
  return [statuses, results, operations];
}

function op(fields: ResourceProvider['providerOperationFields'], ns: string, name: string, operation: string, description: string, resource: string) {
  // Only what the provider's spec declares for an operation (isDataAction and origin are not everywhere).
  const o: Record<string, unknown> = { name };
  if (fields?.includes('isDataAction')) o.isDataAction = false;
  o.display = { provider: ns, resource, operation, description };
  if (fields?.includes('origin')) o.origin = 'user,system';
  return o;
}
