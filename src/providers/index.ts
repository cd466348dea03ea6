// Every resource provider the emulator serves. Adding a provider is one line here.

import type { ResourceProvider } from '../framework/types.js';
import { resourcesProvider } from './Microsoft.Resources/index.js';
import { containerServiceProvider } from './Microsoft.ContainerService/index.js';
import { computeProvider } from './Microsoft.Compute/index.js';
import { networkProvider } from './Microsoft.Network/index.js';

export function allProviders(): ResourceProvider[] {
  return [resourcesProvider, containerServiceProvider, computeProvider, networkProvider];
}
