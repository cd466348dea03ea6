// Read-only sub-resources of a managed cluster and of a location, each answered from the cluster and
// its target's capability document:
//   managedClusters/availableAgentPoolVersions   versions a new pool may run (not past the control plane)
//   managedClusters/outboundNetworkDependenciesEndpoints   what the nodes must reach, per target
//   managedClusters/privateLinkResources          the API server's private link resource (private clusters)
//   managedClusters/privateEndpointConnections    the API server's private endpoint (private clusters)
//   managedClusters/meshUpgradeProfiles           Istio revisions the cluster's mesh may go to
//   locations/osOptions/default, locations/trustedAccessRoles, locations/meshRevisionProfiles
// On an Azure Stack Hub stamp, what the stamp does not offer is refused up front with the limit named.

import { Errors } from '../../arm/errors.js';
import type { CustomResult, RequestContext, ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { parseVersion, type CapabilityDocument } from '../../kubernetes/capabilities.js';
import { assertOperationOffered } from '../../kubernetes/clusterOperations.js';
import { targetFor, targetOfStored } from './clusterCommon.js';
import { NS } from './shape.js';
import { versionsOf } from './versions.js';

// ---- lookups ------------------------------------------------------------------------------------------------

function clusterOf(ctx: RequestContext): StoredResource {
  const { path, services } = ctx;
  const rgId = `/subscriptions/${path.subscriptionId}/resourceGroups/${path.resourceGroup}`;
  if (path.resourceGroup === undefined || !services.resources.get(rgId)) throw Errors.resourceGroupNotFound(path.resourceGroup ?? '');
  const c = services.resources.get(`${rgId}/providers/${NS}/managedClusters/${path.names[0]}`);
  if (!c) throw Errors.resourceNotFound(`${NS}/managedClusters/${path.names[0]}`, path.resourceGroup);
  return c;
}

function locationOf(ctx: RequestContext): { location: string; doc: CapabilityDocument } {
  const loc = ctx.path.names[0];
  const known = ctx.services.locations.normalize(loc);
  if (!known) {
    throw Errors.withStatus(
      404,
      'LocationNotFound',
      `The location '${loc}' is not available for resource type '${NS}/managedClusters'. Available locations: ${ctx.services.locations.names().join(', ')}.`,
    );
  }
  return { location: known, doc: targetFor(ctx.services, known).doc };
}

const ok = (body: unknown): CustomResult => ({ status: 200, body });

function cmp(a: string, b: string): number {
  const x = parseVersion(a)!;
  const y = parseVersion(b)!;
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

function isPrivate(c: StoredResource): boolean {
  return c.resource.properties?.apiServerAccessProfile?.enablePrivateCluster === true;
}

// ---- cluster sub-resources --------------------------------------------------------------------------------------

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

type Endpoint = [domain: string, port: number, protocol: string, description: string];

function endpointGroups(c: StoredResource, kind: string): { category: string; endpoints: { domainName: string; endpointDetails: { port: number; protocol: string; description: string }[] }[] }[] {
  const loc = c.resource.location ?? '';
  const groups: Record<string, Endpoint[]> =
    kind === 'AzureStackHub'
      ? {
          'azure-stack-hub': [
            [`management.${loc}.azurestack.external`, 443, 'Https', 'the stamp ARM endpoint, for the cloud provider'],
            [`*.blob.${loc}.azurestack.external`, 443, 'Https', 'stamp storage, for disks and images'],
            [`*.vault.${loc}.azurestack.external`, 443, 'Https', 'stamp key vault'],
          ],
          'container-images': [['mcr.microsoft.com', 443, 'Https', 'system container images (or a registry mirror when disconnected)']],
        }
      : {
          'azure-cloud': [
            [`*.hcp.${loc}.azmk8s.io`, 443, 'Https', 'the API server, for nodes and the tunnel'],
            ['management.azure.com', 443, 'Https', 'Kubernetes operations against the Azure API'],
            ['login.microsoftonline.com', 443, 'Https', 'Azure Active Directory authentication'],
          ],
          'container-images': [
            ['mcr.microsoft.com', 443, 'Https', 'Microsoft Container Registry'],
            ['*.data.mcr.microsoft.com', 443, 'Https', 'MCR storage backed by the CDN'],
          ],
          packages: [
            ['packages.microsoft.com', 443, 'Https', 'Microsoft packages (kubectl, azure-cli...)'],
            ['acs-mirror.azureedge.net', 443, 'Https', 'Kubernetes and CNI binaries'],
          ],
          ntp: [['ntp.ubuntu.com', 123, 'Udp', 'time synchronisation of Linux nodes']],
        };
  return Object.entries(groups).map(([category, eps]) => ({
    category,
    endpoints: eps.map(([domainName, port, protocol, description]) => ({ domainName, endpointDetails: [{ port, protocol, description }] })),
  }));
}

export const outboundNetworkDependenciesEndpoints: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/outboundNetworkDependenciesEndpoints',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/outboundNetworkDependenciesEndpoints'),
  handlers: {
    list(ctx) {
      const c = clusterOf(ctx);
      return ok({ value: endpointGroups(c, targetOfStored(ctx.services, c).kind) });
    },
  },
};

export const privateLinkResources: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/privateLinkResources',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/privateLinkResources'),
  handlers: {
    list(ctx) {
      const c = clusterOf(ctx);
      if (!isPrivate(c)) return ok({ value: [] });
      return ok({
        value: [
          {
            id: `${c.resource.id}/privateLinkResources/management`,
            name: 'management',
            type: `${NS}/managedClusters/privateLinkResources`,
            groupId: 'management',
            requiredMembers: ['management'],
          },
        ],
      });
    },
  },
};

function connectionOf(c: StoredResource) {
  const sub = c.resource.id.split('/')[2];
  const nodeRg = c.resource.properties?.nodeResourceGroup ?? `MC_${c.resource.id.split('/')[4]}_${c.resource.name}_${c.resource.location}`;
  return {
    id: `${c.resource.id}/privateEndpointConnections/kube-apiserver`,
    name: 'kube-apiserver',
    type: `${NS}/managedClusters/privateEndpointConnections`,
    properties: {
      provisioningState: 'Succeeded',
      privateEndpoint: { id: `/subscriptions/${sub}/resourceGroups/${nodeRg}/providers/Microsoft.Network/privateEndpoints/kube-apiserver` },
      privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto Approved' },
    },
  };
}

function connectionNotFound(ctx: RequestContext): never {
  throw Errors.resourceNotFound(`${NS}/managedClusters/${ctx.path.names[0]}/privateEndpointConnections/${ctx.path.names[1]}`, ctx.path.resourceGroup);
}

export const privateEndpointConnections: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/privateEndpointConnections',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/privateEndpointConnections'),
  handlers: {
    list(ctx) {
      const c = clusterOf(ctx);
      return ok({ value: isPrivate(c) ? [connectionOf(c)] : [] });
    },
    get(ctx) {
      const c = clusterOf(ctx);
      if (!isPrivate(c) || ctx.path.names[1].toLowerCase() !== 'kube-apiserver') connectionNotFound(ctx);
      return ok(connectionOf(c));
    },
    put(ctx) {
      const c = clusterOf(ctx);
      assertOperationOffered(targetOfStored(ctx.services, c).doc, 'privateEndpointConnections');
      if (!isPrivate(c) || ctx.path.names[1].toLowerCase() !== 'kube-apiserver') connectionNotFound(ctx);
      const status = ctx.body?.properties?.privateLinkServiceConnectionState?.status;
      if (status !== undefined && !['Approved', 'Rejected', 'Pending', 'Disconnected'].includes(status)) {
        throw Errors.invalidParameter(`The connection status '${String(status)}' is invalid; use Approved, Rejected, Pending or Disconnected.`, 'properties.privateLinkServiceConnectionState.status');
      }
      if (status !== undefined && status !== 'Approved') {
        throw Errors.invalid(
          'OperationNotAllowed',
          "The private endpoint of a private cluster's API server is managed by AKS; its connection stays Approved while the cluster is private.",
          'properties.privateLinkServiceConnectionState.status',
        );
      }
      return ok(connectionOf(c));
    },
    delete(ctx) {
      const c = clusterOf(ctx);
      if (!isPrivate(c)) return { status: 204 };
      throw Errors.invalid('OperationNotAllowed', "The private endpoint connection of a private cluster's API server is managed by AKS; it goes when the cluster stops being private.", 'name');
    },
  },
};

// ---- service mesh (Istio add-on) revisions --------------------------------------------------------------------

// The Istio add-on revisions AKS offers after its release of 2026-07-17 (asm-1-28 to asm-1-30), each upgradable
// to the next one, on the Kubernetes minors of the Azure regions' catalogue (src/kubernetes/capabilities.ts).
const MESH_REVISIONS = [
  { revision: 'asm-1-28', upgrades: ['asm-1-29'], kubernetes: ['1.34', '1.35', '1.36'] },
  { revision: 'asm-1-29', upgrades: ['asm-1-30'], kubernetes: ['1.34', '1.35', '1.36'] },
  { revision: 'asm-1-30', upgrades: [] as string[], kubernetes: ['1.34', '1.35', '1.36'] },
];

function revisionWire(r: (typeof MESH_REVISIONS)[number]) {
  return { revision: r.revision, upgrades: r.upgrades, compatibleWith: [{ name: 'kubernetes', versions: r.kubernetes }] };
}

export const meshUpgradeProfiles: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters/meshUpgradeProfiles',
  scope: 'resourceGroup',
  tracked: false,
  apiVersions: versionsOf('managedClusters/meshUpgradeProfiles'),
  handlers: {
    list(ctx) {
      const c = clusterOf(ctx);
      assertOperationOffered(targetOfStored(ctx.services, c).doc, 'meshProfiles');
      return ok({ value: meshProfilesOf(c) });
    },
    get(ctx) {
      const c = clusterOf(ctx);
      assertOperationOffered(targetOfStored(ctx.services, c).doc, 'meshProfiles');
      const p = meshProfilesOf(c).find((x) => x.name.toLowerCase() === ctx.path.names[1].toLowerCase());
      if (!p) throw Errors.resourceNotFound(`${NS}/managedClusters/${ctx.path.names[0]}/meshUpgradeProfiles/${ctx.path.names[1]}`, ctx.path.resourceGroup);
      return ok(p);
    },
  },
};

function meshProfilesOf(c: StoredResource) {
  const mesh = c.resource.properties?.serviceMeshProfile;
  if (!mesh || String(mesh.mode).toLowerCase() !== 'istio') return [];
  const revs: string[] = mesh.istio?.revisions ?? [];
  return MESH_REVISIONS.filter((r) => revs.includes(r.revision)).map((r) => ({
    id: `${c.resource.id}/meshUpgradeProfiles/istio`,
    name: 'istio',
    type: `${NS}/managedClusters/meshUpgradeProfiles`,
    properties: revisionWire(r),
  }));
}

// ---- location-level ----------------------------------------------------------------------------------------------

export const osOptions: ResourceTypeDefinition = {
  namespace: NS,
  type: 'locations/osOptions',
  scope: 'subscription',
  tracked: false,
  apiVersions: versionsOf('locations/osOptions'),
  handlers: {
    get(ctx) {
      const { location, doc } = locationOf(ctx);
      if (ctx.path.names[1].toLowerCase() !== 'default') throw Errors.resourceNotFound(`${NS}/locations/${location}/osOptions/${ctx.path.names[1]}`);
      const rt = ctx.query['resource-type'];
      if (rt !== undefined && rt.toLowerCase() !== 'managedclusters') throw Errors.invalidParameter(`The resource type '${rt}' is invalid; use managedClusters.`, 'resource-type');
      const hub = doc.target.kind !== 'AzureRegion';
      return ok({
        id: `/subscriptions/${ctx.path.subscriptionId}/providers/${NS}/locations/${location}/osOptions/default`,
        name: 'default',
        type: `${NS}/locations/osOptions`,
        properties: {
          // Real AKS names the OS SKU of each entry ('os-sku'), which the spec's OSOptionProperty leaves out.
          osOptionPropertyList: hub
            ? [{ 'os-type': 'Linux', 'os-sku': 'Ubuntu', 'enable-fips-image': false }]
            : [
                { 'os-type': 'Linux', 'os-sku': 'Ubuntu', 'enable-fips-image': true },
                { 'os-type': 'Linux', 'os-sku': 'AzureLinux', 'enable-fips-image': true },
                { 'os-type': 'Windows', 'os-sku': 'Windows2019', 'enable-fips-image': true },
                { 'os-type': 'Windows', 'os-sku': 'Windows2022', 'enable-fips-image': true },
              ],
        },
      });
    },
  },
};

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

export const meshRevisionProfiles: ResourceTypeDefinition = {
  namespace: NS,
  type: 'locations/meshRevisionProfiles',
  scope: 'subscription',
  tracked: false,
  apiVersions: versionsOf('locations/meshRevisionProfiles'),
  handlers: {
    list(ctx) {
      const { location, doc } = locationOf(ctx);
      assertOperationOffered(doc, 'meshProfiles', 'location');
      return ok({ value: [revisionProfile(ctx, location)] });
    },
    get(ctx) {
      const { location, doc } = locationOf(ctx);
      assertOperationOffered(doc, 'meshProfiles', 'location');
      if (ctx.path.names[1].toLowerCase() !== 'istio') throw Errors.resourceNotFound(`${NS}/locations/${location}/meshRevisionProfiles/${ctx.path.names[1]}`);
      return ok(revisionProfile(ctx, location));
    },
  },
};

function revisionProfile(ctx: RequestContext, location: string) {
  return {
    id: `/subscriptions/${ctx.path.subscriptionId}/providers/${NS}/locations/${location}/meshRevisionProfiles/istio`,
    name: 'istio',
    type: `${NS}/locations/meshRevisionProfiles`,
    properties: { meshRevisions: MESH_REVISIONS.map(revisionWire) },
  };
}
