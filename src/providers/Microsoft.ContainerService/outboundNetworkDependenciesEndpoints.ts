// managedClusters/outboundNetworkDependenciesEndpoints: what the nodes must reach, per target.

import type { ResourceTypeDefinition, StoredResource } from '../../framework/types.js';
import { targetOfStored } from './clusterCommon.js';
import { NS } from './shape.js';
import { versionsOf } from './versions.js';
import { clusterOf, ok } from './readLookups.js';

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
