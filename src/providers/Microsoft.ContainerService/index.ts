// Microsoft.ContainerService (AKS): managed clusters and their agent pools on Azure regions and
// Azure Stack Hub stamps, with the location-level version lists. The work of each long-running
// operation is a fabric task plan (see fabric.ts); the settle task gives every operation a short,
// time-scaled tail so polling clients see it in progress.

import type { ResourceProvider } from '../../framework/types.js';
import { managedClusters } from './managedClusters.js';
import { SETTLE_TASK } from './clusterCommon.js';
import { accessProfiles, agentPools, clusterUpgradeProfiles, poolUpgradeProfiles } from './agentPools.js';
import { kubernetesVersions, orchestrators } from './locationVersions.js';
import { NS } from './shape.js';
import { maintenanceConfigurations } from './maintenanceConfigurations.js';
import { snapshots } from './snapshots.js';
import { commandResults } from './runCommand.js';
import { machines } from './poolActions.js';
import { availableAgentPoolVersions } from './availableAgentPoolVersions.js';
import { outboundNetworkDependenciesEndpoints } from './outboundNetworkDependenciesEndpoints.js';
import { privateLinkResources } from './privateLinkResources.js';
import { privateEndpointConnections } from './privateEndpointConnections.js';
import { meshUpgradeProfiles } from './meshUpgradeProfiles.js';
import { osOptions } from './osOptions.js';
import { trustedAccessRoles } from './trustedAccessRoles.js';
import { meshRevisionProfiles } from './meshRevisionProfiles.js';

export const containerServiceProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  // OperationValue in the AKS spec: origin, name, display (no isDataAction)
  providerOperationFields: ['origin'],
  types: [
    managedClusters,
    agentPools,
    clusterUpgradeProfiles,
    poolUpgradeProfiles,
    accessProfiles,
    kubernetesVersions,
    orchestrators,
    maintenanceConfigurations,
    snapshots,
    commandResults,
    machines,
    availableAgentPoolVersions,
    outboundNetworkDependenciesEndpoints,
    privateLinkResources,
    privateEndpointConnections,
    meshUpgradeProfiles,
    osOptions,
    trustedAccessRoles,
    meshRevisionProfiles,
  ],
  init(services) {
    services.asyncOperations.registerTaskKind(SETTLE_TASK, { run: () => undefined });
  },
};
