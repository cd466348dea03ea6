// Services beyond the ARM core that start with the emulator: the on-prem fabric that long-running
// operations fan out to. Runs before operations are resumed, so resumed tasks find their sites.

import type { Services } from './framework/types.js';
import { initFabric } from './fabric/index.js';
import { capabilityDocument } from './kubernetes/capabilities.js';

export async function startupExtensions(services: Services): Promise<void> {
  const fabric = await initFabric(services, { describeSite: (site) => capabilityDocument(site) });
  (services.onClose ??= []).push(() => fabric.close());
}
