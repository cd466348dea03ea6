// Services beyond the ARM core that start with the emulator: the on-prem fabric that long-running
// operations fan out to. Runs before operations are resumed, so resumed tasks find their sites.

import type { Services } from './framework/services.js';
import { initFabric } from './fabric/index.js';

export async function startupExtensions(services: Services): Promise<void> {
  const fabric = await initFabric(services);
  (services.onClose ??= []).push(() => fabric.close());
}
