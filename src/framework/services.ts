// Everything a provider can reach, passed explicitly (no globals), so tests can build their own.

import type { EmulatorConfig } from '../config/config.js';
import type { Store } from '../store/store.js';
import type { ResourceRepository } from './repository.js';
import type { Registry } from './registry.js';
import type { OperationEngine } from '../lro/engine.js';
import type { LocationCatalog } from './locations.js';
import type { Router } from 'express';

export interface Services {
  config: EmulatorConfig;
  store: Store;
  resources: ResourceRepository;
  registry: Registry;
  operations: OperationEngine;
  locations: LocationCatalog;
  /** Routes mounted under /_emulator (admin API; no ARM auth). */
  adminRouter: Router;
  /** Extra services (the fabric...) hang here by name. */
  extensions: Record<string, unknown>;
  /** Run at shutdown, before the store closes. */
  onClose?: (() => void | Promise<void>)[];
}
