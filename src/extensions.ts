// Services beyond the ARM core that start with the emulator (the on-prem fabric).

import type { Services } from './framework/services.js';

export async function startupExtensions(services: Services): Promise<void> {
  void services;
}
