// Everything a provider can reach, passed explicitly (no globals), so tests can build their own.
// Providers read through it; only the core (services.core) and the engine write resources.

import type { EmulatorConfig } from '../config/config.js';
import type { Store } from '../store/store.js';
import type { ResourceRepository } from './repository.js';
import type { Registry } from './registry.js';
import type { OperationEngine } from '../lro/engine.js';
import type { LocationCatalog } from './locationCatalog.js';
import type { ResourceOperations } from './operations.js';
import type { Fabric } from '../fabric/fabric.js';
import type { Authorizer } from '../authorization/authorizer.js';
import type { Router } from 'express';
import type { KubeService } from '../kube/service.js';

export interface Services {
  config: EmulatorConfig;
  store: Store;
  resources: ResourceRepository;
  registry: Registry;
  operations: OperationEngine;
  /** The resource-operations core: the one path for every change, in process or over HTTP. */
  core: ResourceOperations;
  locations: LocationCatalog;
  /** The on-prem fabric (sites, hosts, VMs, networks, tasks); absent when a test starts the ARM core alone. */
  fabric?: Fabric;
  /** Role assignments indexed for enforcement (set by Microsoft.Authorization); absent = no RBAC. */
  authorizer?: Authorizer;
  /** Routes mounted under /_emulator (admin API: reads open, changes need a configured principal's token). */
  adminRouter: Router;
  /** The Kubernetes API behind every cluster (src/kube). */
  kube?: KubeService;
  /** Run at shutdown, before the store closes. */
  onClose?: (() => void | Promise<void>)[];
}
