// Microsoft.ResourceConnector: the Arc resource bridge (appliances.ts), its upgrade graphs and telemetry config.

import type { ResourceProvider } from '../../framework/types.js';
import { NS, STEP, appliances } from './appliances.js';
import { upgradeGraphs } from './upgradeGraphs.js';
import { telemetryConfig } from './telemetryConfig.js';

export const resourceConnectorProvider: ResourceProvider = {
  namespace: NS,
  registeredByDefault: true,
  types: [appliances, upgradeGraphs, telemetryConfig],
  init(services) {
    services.asyncOperations.registerTaskKind(STEP, { run: () => undefined });
  },
};
