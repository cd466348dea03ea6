// Microsoft.ExtendedLocation: custom locations, the on-premises "region" a host (an Arc resource
// bridge, later a connected cluster) and its installed cluster extensions make. The types a custom
// location can deploy come from its extensions (src/kubernetes/extensionTypes.ts); the check on
// every resource arriving with an extendedLocation, and where its work lands, are the framework's
// (src/framework/targets.ts). A custom location is a record, not fabric work, yet the service
// answers a PUT asynchronously (201/200 with Creating/Updating and Azure-AsyncOperation, as real
// ARM does: it sets up the namespace on the host); PATCH is synchronous; DELETE answers 202.

import { atApiVersion } from '../versionShapes.js';
import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import { resourcesOnCustomLocation } from '../../kubernetes/targets.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, RequestContext, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { APPLIANCE_KEY, CONNECTED_CLUSTER_KEY } from '../../kubernetes/extensionTypes.js';
import { crudOperations, trackedType } from '../typeParts.js';

export const NS = 'Microsoft.ExtendedLocation';
const EXTENSIONS = typeKeyOf('Microsoft.KubernetesConfiguration', 'extensions');
export const API_VERSIONS = ['2024-09-15-preview', '2021-08-31-preview', '2021-08-15', '2021-03-15-preview'];
const HOSTS = [APPLIANCE_KEY, CONNECTED_CLUSTER_KEY];
export const SETUP = 'extendedLocation.setup';

function checkHost(services: Services, raw: unknown): StoredResource {
  if (typeof raw !== 'string' || raw === '') {
    throw Errors.invalidParameter(
      'properties.hostResourceId is required: the id of the Arc resource bridge (Microsoft.ResourceConnector/appliances) or connected cluster the custom location runs on.',
      'properties.hostResourceId',
    );
  }
  const host = services.resources.get(raw);
  if (!host) throw Errors.invalidParameter(`The host resource '${raw}' was not found; create the Arc resource bridge (or connected cluster) first.`, 'properties.hostResourceId');
  if (!HOSTS.includes(host.typeKey)) {
    throw Errors.invalidParameter(
      `The host resource '${raw}' is a ${host.resource.type}; a custom location's host must be an Arc resource bridge (Microsoft.ResourceConnector/appliances) or a connected cluster (Microsoft.Kubernetes/connectedClusters).`,
      'properties.hostResourceId',
    );
  }
  const state = host.resource.properties?.provisioningState;
  if (state !== 'Succeeded') throw Errors.invalidParameter(`The host resource '${raw}' is ${state}; wait until its provisioningState is Succeeded.`, 'properties.hostResourceId');
  const site = host.internal.site as string | undefined;
  if (site && services.fabric?.hasSite(site) && !services.fabric.site(site).connected()) {
    throw Errors.invalidParameter(`The host resource '${raw}' is offline: its site '${site}' is disconnected from Azure. Reconnect the site and retry.`, 'properties.hostResourceId');
  }
  return host;
}

function checkExtensions(services: Services, host: StoredResource, raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw Errors.invalidParameter('properties.clusterExtensionIds must be an array of extension resource ids.', 'properties.clusterExtensionIds');
  return raw.map((x, i) => {
    const id = String(x);
    const ext = services.resources.get(id);
    const target = `properties.clusterExtensionIds[${i}]`;
    if (!ext || ext.typeKey !== EXTENSIONS) throw Errors.invalidParameter(`The cluster extension '${id}' was not found; install it on '${host.resource.id}' first.`, target);
    if (ext.parent !== host.resource.id.toLowerCase())
      throw Errors.invalidParameter(`The cluster extension '${id}' is not installed on the host '${host.resource.id}'; name extensions of the custom location's own host.`, target);
    const state = ext.resource.properties?.provisioningState;
    if (state !== 'Succeeded') throw Errors.invalidParameter(`The cluster extension '${id}' is ${state}, not installed; wait until its provisioningState is Succeeded.`, target);
    return ext.resource.id;
  });
}

/** Simulated time the service takes to set a custom location up on its host (ms at time-scale 1). */
const CREATE_MS = 10_000;
const UPDATE_MS = 5_000;

function build(ctx: RequestContext, candidate: ArmResource, prev: StoredResource | undefined, state: string): { resource: ArmResource; internal: Record<string, any> } {
  const p = { ...(candidate.properties ?? {}) };
  if (prev && String(p.hostResourceId ?? '').toLowerCase() !== String(prev.resource.properties?.hostResourceId ?? '').toLowerCase()) {
    throw Errors.propertyChangeNotAllowed('hostResourceId', String(prev.resource.properties?.hostResourceId), 'properties.hostResourceId', 'create a new custom location for another host');
  }
  const host = checkHost(ctx.services, p.hostResourceId);
  const ids = checkExtensions(ctx.services, host, p.clusterExtensionIds);
  const name = ctx.path.names[0];
  const internal: Record<string, any> = { ...(prev?.internal ?? {}), site: host.internal.site };
  // a new kubeconfig replaces the kept one; the shown (value-less) authentication of a PATCH keeps it
  const auth = p.authentication;
  if (auth && typeof auth === 'object' && !Array.isArray(auth) && (auth.type !== undefined || auth.value !== undefined)) internal.authentication = auth;
  if (typeof p.hostType === 'string' && p.hostType.toLowerCase() !== 'kubernetes')
    throw Errors.invalidParameter(`hostType '${p.hostType}' is not supported; the only host type is 'Kubernetes'.`, 'properties.hostType');
  const resource: ArmResource = {
    ...candidate,
    properties: {
      ...p,
      hostResourceId: host.resource.id,
      hostType: 'Kubernetes',
      namespace: typeof p.namespace === 'string' && p.namespace !== '' ? p.namespace : name.toLowerCase(),
      displayName: typeof p.displayName === 'string' && p.displayName !== '' ? p.displayName : name,
      clusterExtensionIds: ids,
      authentication: {},
      provisioningState: state,
    },
  };
  if (resource.identity && String(resource.identity.type).toLowerCase() === 'systemassigned') {
    resource.identity = { type: 'SystemAssigned', principalId: prev?.resource.identity?.principalId ?? globalThis.crypto.randomUUID(), tenantId: ctx.services.config.tenantId };
  }
  return { resource, internal };
}

export const customLocations: ResourceTypeDefinition = {
  ...trackedType(NS, 'customLocations', API_VERSIONS),
  patch: 'merge',
  providerOperations: [
    ...crudOperations(NS, 'customLocations', 'custom location'),
    { name: 'Microsoft.ExtendedLocation/customLocations/deploy/action', operation: 'Deploy to custom location', description: 'Deploys resources to a custom location' },
  ],
  onPut(ctx, candidate) {
    const ex = ctx.existing;
    const out = build(ctx, candidate, ex, ex ? 'Updating' : 'Creating');
    return { ...out, operation: { kind: ex ? 'update' : 'create', tasks: [{ id: 'setup', kind: SETUP, params: {}, durationMs: ex ? UPDATE_MS : CREATE_MS }] } };
  },
  onPatch(ctx, candidate) {
    if (ctx.existing.resource.properties?.provisioningState !== 'Succeeded') {
      throw Errors.conflictWith(
        'CustomLocationNotReady',
        `Custom location '${ctx.existing.resource.name}' is ${ctx.existing.resource.properties?.provisioningState}; update it once its provisioningState is Succeeded.`,
      );
    }
    return build(ctx, candidate, ctx.existing, 'Succeeded');
  },
  async onDelete(ctx) {
    const users = await resourcesOnCustomLocation(ctx.services, ctx.existing.resource.id);
    if (users.length) {
      throw Errors.conflictWith(
        'CustomLocationInUse',
        `Custom location '${ctx.existing.resource.name}' still has ${users.length} resource(s) deployed to it: ${users.map((u) => u.resource.id).join(', ')}. Delete them first.`,
      );
    }
    // Asynchronous as at ARM (clients expect 202/204), with nothing to do on the site.
    return { operation: { kind: 'delete', tasks: [] } };
  },
  onOperationSucceeded(op, stored) {
    if (op.kind === 'delete' || !stored) return { resource: undefined };
    const s = structuredClone(stored);
    s.resource.properties = { ...(s.resource.properties ?? {}), provisioningState: 'Succeeded' };
    return { resource: s };
  },
  onOperationFailed(op, stored) {
    if (!stored) return { resource: undefined };
    const s = structuredClone(stored);
    s.resource.properties = { ...(s.resource.properties ?? {}), provisioningState: op.cancelRequested ? 'Canceled' : 'Failed' };
    return { resource: s };
  },
  actions: {
    findTargetResourceGroup(ctx) {
      if (ctx.apiVersion === '2021-08-15' || ctx.apiVersion === '2021-03-15-preview') throw Errors.actionNotFound('customLocations/findTargetResourceGroup', NS, ctx.apiVersion);
      // No resource sync rules exist, so no rule matches: the result names no group.
      return { status: 200, body: {} };
    },
  },
  toWire(s, apiVersion) {
    const r = structuredClone(s.resource);
    // the kubeconfig (value) is write-only; its type is shown, as at ARM
    const authType = s.internal?.authentication?.type;
    if (r.properties) r.properties.authentication = typeof authType === 'string' && authType !== '' ? { type: authType } : {};
    if (s.deleting && r.properties) r.properties.provisioningState = 'Deleting';
    return atApiVersion('Microsoft.ExtendedLocation/customLocations', apiVersion, r);
  },
};
