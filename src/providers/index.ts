// Every resource provider the emulator serves. Adding a provider is one line here.

import type { ResourceProvider } from '../framework/types.js';
import { resourcesProvider } from './Microsoft.Resources/index.js';
import { containerServiceProvider } from './Microsoft.ContainerService/index.js';
import { authorizationProvider } from './Microsoft.Authorization/index.js';
import { resourceConnectorProvider } from './Microsoft.ResourceConnector/index.js';
import { kubernetesConfigurationProvider } from './Microsoft.KubernetesConfiguration/index.js';
import { extendedLocationProvider } from './Microsoft.ExtendedLocation/index.js';
import { azureStackHciProvider } from './Microsoft.AzureStackHCI/index.js';
import { computeProvider } from './Microsoft.Compute/index.js';
import { kubernetesProvider } from './Microsoft.Kubernetes/index.js';
import { hybridContainerServiceProvider } from './Microsoft.HybridContainerService/index.js';
import { managementProvider } from './Microsoft.Management/index.js';
import { hybridComputeProvider } from './Microsoft.HybridCompute/index.js';
import { declaredProviders } from './declared/index.js';

export function allProviders(): ResourceProvider[] {
  return [
    resourcesProvider,
    containerServiceProvider,
    authorizationProvider,
    resourceConnectorProvider,
    kubernetesConfigurationProvider,
    extendedLocationProvider,
    azureStackHciProvider,
    computeProvider,
    kubernetesProvider,
    hybridContainerServiceProvider,
    managementProvider,
    hybridComputeProvider,
    ...declaredProviders(),
  ];
}
