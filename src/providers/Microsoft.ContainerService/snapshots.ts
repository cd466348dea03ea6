// snapshots: node pool snapshots (az aks nodepool snapshot create|list|show|delete|update). A snapshot
// records what a pool runs (Kubernetes version, node image, OS, VM size, FIPS) at the time it is taken;
// a new pool created with creationData.sourceResourceId = the snapshot's id starts from it. Tracked
// resources of the resource group, synchronous as at AKS. An Azure Stack Hub stamp refuses them.

import { Errors } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { idKey } from '../../framework/repository.js';
import { assertOperationOffered } from '../../kubernetes/clusterOperations.js';
import { targetFor } from './clusterCommon.js';
import { isObj, NS, POOL_TYPE_KEY, type Profile } from './shape.js';
import { shapeFor, versionsOf } from './versions.js';

export const SNAPSHOT_TYPE = `${NS}/Snapshots`;
export const SNAPSHOT_TYPE_KEY = 'microsoft.containerservice/snapshots';

export function snapshotWire(s: StoredResource, apiVersion: string): ArmResource {
  const r = s.resource;
  const out: ArmResource = { id: r.id, name: r.name, type: SNAPSHOT_TYPE, location: r.location, tags: { ...(r.tags ?? {}) }, properties: structuredClone(r.properties ?? {}) };
  delete out.properties!.provisioningState;
  if (r.systemData) out.systemData = { ...r.systemData };
  return shapeFor('snapshot', out, apiVersion);
}

/** The stored snapshot a sourceResourceId names, or undefined. */
function findSnapshot(services: Services, id: string): StoredResource | undefined {
  const s = services.resources.get(id);
  return s && s.typeKey === SNAPSHOT_TYPE_KEY ? s : undefined;
}

/**
 * A pool body that names a snapshot in creationData.sourceResourceId takes the snapshot's version, OS
 * and VM size (where the body does not set them). Returns the node image the new pool starts from.
 */
export function poolFromSnapshot(services: Services, raw: Profile, location: string, where: string): { nodeImageVersion?: string } {
  const src = raw.creationData?.sourceResourceId;
  if (src === undefined || src === null || src === '') return {};
  if (typeof src !== 'string') throw Errors.invalidParameter(`${where}.creationData.sourceResourceId must be a snapshot resource id.`, `${where}.creationData.sourceResourceId`);
  const snap = findSnapshot(services, src);
  if (!snap) {
    throw Errors.invalidParameter(`The snapshot '${src}' named in ${where}.creationData.sourceResourceId does not exist.`, `${where}.creationData.sourceResourceId`);
  }
  if (snap.resource.location !== location) {
    throw Errors.invalidParameter(
      `The snapshot '${snap.resource.name}' is in ${snap.resource.location}; a node pool in ${location} cannot be created from it.`,
      `${where}.creationData.sourceResourceId`,
    );
  }
  const sp = snap.resource.properties ?? {};
  if (raw.orchestratorVersion === undefined || raw.orchestratorVersion === null || raw.orchestratorVersion === '') raw.orchestratorVersion = sp.kubernetesVersion;
  raw.osType = raw.osType ?? sp.osType;
  raw.osSKU = raw.osSKU ?? sp.osSku;
  if (typeof raw.vmSize !== 'string' || raw.vmSize === '') raw.vmSize = sp.vmSize;
  if (sp.enableFIPS === true && raw.enableFIPS === undefined) raw.enableFIPS = true;
  raw.creationData = { sourceResourceId: snap.resource.id };
  return { nodeImageVersion: sp.nodeImageVersion };
}

export const snapshots: ResourceTypeDefinition = {
  namespace: NS,
  type: 'snapshots',
  scope: 'resourceGroup',
  tracked: true,
  locations: '*',
  apiVersions: versionsOf('snapshots'),
  listBySubscription: true,
  patch: 'tags',
  capabilities: 'SupportsTags, SupportsLocation',
  nameRule: {
    pattern: /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/,
    message: 'It must be 1-63 characters of letters, digits, underscores and hyphens, starting and ending with a letter or digit.',
  },
  providerOperations: [
    { name: 'snapshots/read', operation: 'Get Snapshot', description: 'Gets a snapshot.' },
    { name: 'snapshots/write', operation: 'Create or Update Snapshot', description: 'Creates a new snapshot or updates an existing one.' },
    { name: 'snapshots/delete', operation: 'Delete Snapshot', description: 'Deletes a snapshot.' },
  ],
  validate(ctx, candidate) {
    assertOperationOffered(targetFor(ctx.services, candidate.location!).doc, 'snapshots', 'location');
    const props = isObj(ctx.body?.properties) ? ctx.body.properties : {};
    const type = props.snapshotType ?? 'NodePool';
    if (typeof type !== 'string' || type.toLowerCase() !== 'nodepool') {
      throw Errors.invalidParameter(`The snapshot type '${String(type)}' is invalid; use NodePool.`, 'properties.snapshotType');
    }
    if (ctx.existing) {
      const was = ctx.existing.resource.properties?.creationData?.sourceResourceId;
      const now = props.creationData?.sourceResourceId;
      if (now !== undefined && idKey(String(now)) !== idKey(String(was))) {
        throw Errors.invalid(
          'PropertyChangeNotAllowed',
          `Changing property 'creationData.sourceResourceId' of snapshot '${candidate.name}' is not allowed; create a new snapshot instead.`,
          'properties.creationData.sourceResourceId',
        );
      }
      return;
    }
    const src = props.creationData?.sourceResourceId;
    if (typeof src !== 'string' || src === '') {
      throw Errors.invalidParameter('properties.creationData.sourceResourceId is required: the id of the agent pool to snapshot.', 'properties.creationData.sourceResourceId');
    }
    const pool = ctx.services.resources.get(src);
    if (!pool || pool.typeKey !== POOL_TYPE_KEY) {
      throw Errors.invalidParameter(`The agent pool '${src}' named in properties.creationData.sourceResourceId does not exist.`, 'properties.creationData.sourceResourceId');
    }
  },
  onPut(ctx, candidate) {
    if (ctx.existing) {
      return { resource: { ...candidate, properties: structuredClone(ctx.existing.resource.properties ?? {}) } };
    }
    const src = String(ctx.body.properties.creationData.sourceResourceId);
    const pool = ctx.services.resources.get(src)!;
    const cluster = ctx.services.resources.get(src.slice(0, src.toLowerCase().indexOf('/agentpools/')));
    if (cluster && cluster.resource.location !== candidate.location) {
      throw Errors.invalidParameter(`The agent pool is in ${cluster.resource.location}; its snapshot must be created there too (the request says ${candidate.location}).`, 'location');
    }
    const p = pool.resource.properties ?? {};
    const properties: Record<string, any> = {
      creationData: { sourceResourceId: pool.resource.id },
      snapshotType: 'NodePool',
      kubernetesVersion: p.currentOrchestratorVersion,
      nodeImageVersion: p.nodeImageVersion,
      osType: p.osType,
      osSku: p.osSKU,
      enableFIPS: p.enableFIPS === true,
      vmSize: p.vmSize,
    };
    return { resource: { ...candidate, properties } };
  },
  toWire: (s, apiVersion) => snapshotWire(s, apiVersion),
};
