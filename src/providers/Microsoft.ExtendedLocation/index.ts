// Microsoft.ExtendedLocation: custom locations (customLocations.ts) and the types each can deploy
// (enabledResourceTypes.ts).

import type { ResourceProvider } from '../../framework/types.js';
import { NS, SETUP, customLocations } from './customLocations.js';
import { enabledResourceTypes } from './enabledResourceTypes.js';

export const extendedLocationProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [customLocations, enabledResourceTypes],
  init(services) {
    services.asyncOperations.registerTaskKind(SETUP, { run: () => undefined });
  },
};
