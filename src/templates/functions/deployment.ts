// Deployment and scope functions: deployment deployer environment parameters variables resourceGroup
// subscription tenant managementGroup. Inside a user-defined function only its own parameters are
// visible (no variables, no template parameters), as ARM enforces.

import type { EvalContext } from '../context.js';
import { ExprErrors } from '../errors.js';
import { expectString, type Library } from './types.js';

function scopeError(fn: string, scope: string): Error {
  return ExprErrors.generic(
    `The template function '${fn}' is not expected at this location. It can't be used at the ${scope} deployment scope. Please see https://aka.ms/arm-functions for usage details.`,
  );
}

function scopeName(ctx: EvalContext): string {
  return ctx.scope.resourceGroup ? 'resource group' : ctx.scope.subscriptionId ? 'subscription' : ctx.scope.managementGroup ? 'management group' : 'tenant';
}

export function resourceGroupObject(ctx: EvalContext): Record<string, unknown> {
  const rg = ctx.scope.resourceGroup;
  if (!rg || !ctx.scope.subscriptionId) throw scopeError('resourceGroup', scopeName(ctx));
  const o: Record<string, unknown> = {
    id: `/subscriptions/${ctx.scope.subscriptionId}/resourceGroups/${rg.name}`,
    name: rg.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: rg.location,
  };
  if (rg.managedBy) o.managedBy = rg.managedBy;
  o.tags = rg.tags ?? {};
  o.properties = { provisioningState: 'Succeeded' };
  return o;
}

export const deploymentFunctions: Library = {
  parameters: {
    min: 1,
    max: 1,
    fn: ([n], ctx, fn) => {
      const name = expectString(n, fn);
      const table = ctx.udfParams ?? ctx.parameters;
      const key = name.toLowerCase();
      if (!table.has(key)) {
        throw ExprErrors.generic(`The template parameter '${name}' is not found. Please see https://aka.ms/arm-syntax-parameters for usage details.`);
      }
      return table.get(key);
    },
  },
  variables: {
    min: 1,
    max: 1,
    fn: ([n], ctx, fn) => {
      const name = expectString(n, fn);
      if (ctx.udfParams) throw ExprErrors.notExpectedHere('variables', ' User-defined functions can only use their own parameters.');
      if (!ctx.variables || !ctx.variables.has(name)) {
        throw ExprErrors.generic(`The template variable '${name}' is not found. Please see https://aka.ms/arm-syntax-variables for usage details.`);
      }
      return ctx.variables.get(name, ctx);
    },
  },
  resourcegroup: { min: 0, max: 0, fn: (_a, ctx) => resourceGroupObject(ctx) },
  subscription: {
    min: 0,
    max: 0,
    fn: (_a, ctx) => {
      const s = ctx.scope.subscriptionId;
      if (!s) throw scopeError('subscription', scopeName(ctx));
      return { id: `/subscriptions/${s}`, subscriptionId: s, tenantId: ctx.scope.tenantId, displayName: ctx.scope.subscriptionDisplayName ?? s };
    },
  },
  tenant: {
    min: 0,
    max: 0,
    fn: (_a, ctx) => ({ countryCode: 'US', displayName: 'Emulator', id: `/tenants/${ctx.scope.tenantId}`, tenantId: ctx.scope.tenantId }),
  },
  managementgroup: {
    min: 0,
    max: 1,
    fn: ([n], ctx) => {
      const mg = n === undefined ? ctx.scope.managementGroup : expectString(n, 'managementGroup');
      if (!mg) throw scopeError('managementGroup', scopeName(ctx));
      const own = n === undefined || mg.toLowerCase() === String(ctx.scope.managementGroup ?? '').toLowerCase();
      const displayName = own && ctx.scope.managementGroupDisplayName ? ctx.scope.managementGroupDisplayName : mg;
      return { id: `/providers/Microsoft.Management/managementGroups/${mg}`, name: mg, type: 'Microsoft.Management/managementGroups', properties: { tenantId: ctx.scope.tenantId, displayName } };
    },
  },
  deployment: {
    min: 0,
    max: 0,
    fn: (_a, ctx) => {
      const d = ctx.deployment;
      const properties: Record<string, unknown> = {};
      if (d.templateLink) properties.templateLink = d.templateLink;
      properties.template = d.template ?? {};
      if (d.templateHash) properties.templateHash = d.templateHash;
      properties.parameters = d.parameters ?? {};
      properties.mode = d.mode ?? 'Incremental';
      properties.provisioningState = 'Accepted';
      const o: Record<string, unknown> = { name: d.name, properties };
      if (d.location && !ctx.scope.resourceGroup) o.location = d.location;
      return o;
    },
  },
  deployer: {
    min: 0,
    max: 0,
    fn: (_a, ctx) => ({ objectId: ctx.scope.deployerObjectId ?? '00000000-0000-0000-0000-000000000000', tenantId: ctx.scope.tenantId }),
  },
  environment: { min: 0, max: 0, fn: (_a, ctx) => ctx.environment },
};
