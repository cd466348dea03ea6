// What the managed-cluster hooks and the cluster and pool actions share: the settle task, the data an
// operation carries to its completion, the busy check, and where a cluster's location lands. Kept apart so
// the actions (clusterActions, runCommand, poolActions) need not import the cluster hooks that use them.

import { Errors } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { StoredResource } from '../../framework/types.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import { kubernetesTarget, type KubernetesTarget } from '../../kubernetes/capabilities.js';
import { POOL_TYPE_KEY } from './shape.js';

export const SETTLE_TASK = 'containerservice.settle';

/** What an operation carries to its completion hooks. */
export interface OpData {
  verb: 'create' | 'update' | 'delete' | 'stop' | 'start' | 'rotate' | 'resetServicePrincipal' | 'poolPut' | 'poolDelete';
  /** Cluster properties before the operation (restored where a failure leaves things as they were). */
  before?: Record<string, any>;
  /** Full control-plane version the operation goes to. */
  version?: string;
  /** Full version per pool the operation goes to. */
  poolVersions?: Record<string, string>;
  sp?: { clientId: string; secret: string };
  pool?: string;
  [k: string]: unknown;
}

export function settleTask(dependsOn: string[], durationMs = 2_000): TaskSpec {
  return { id: 'settle', kind: SETTLE_TASK, params: {}, dependsOn, durationMs, weight: 1 };
}

export function clusterIdOf(poolOrClusterId: string): string {
  const i = poolOrClusterId.toLowerCase().indexOf('/agentpools/');
  return i < 0 ? poolOrClusterId : poolOrClusterId.slice(0, i);
}

/** 409 while the cluster or one of its pools has an operation in flight. */
export function refuseIfBusy(services: Services, clusterId: string, what: string): void {
  const cluster = services.resources.get(clusterId);
  const candidates = [cluster, ...services.resources.listByParent(clusterId)];
  for (const s of candidates) {
    if (!s?.operationId) continue;
    const op = services.asyncOperations.get(s.operationId);
    if (op && op.status === 'InProgress') {
      const running = op.kind === 'action' ? op.action : `${op.kind}${s.typeKey === POOL_TYPE_KEY ? ` of agent pool '${s.resource.name}'` : ''}`;
      throw Errors.operationNotAllowed(`Operation is not allowed because there's an in progress ${running} operation on managed cluster '${cluster?.resource.name ?? clusterId.split('/').pop()}'. Wait for it to finish before ${what}.`);
    }
  }
}

export function isStopped(s: StoredResource): boolean {
  return s.resource.properties?.powerState?.code === 'Stopped';
}

/** Where a location lands, with what it can do for a Kubernetes cluster. */
export function targetFor(services: Services, location: string): KubernetesTarget {
  return kubernetesTarget(services.targets.resolve({ location }));
}

export function targetOfStored(services: Services, s: StoredResource): KubernetesTarget {
  return targetFor(services, s.resource.location ?? 'eastus');
}
