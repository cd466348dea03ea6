// The one place the AKS provider touches the on-prem fabric: the task plans for cluster operations
// (built by the shared Kubernetes plan builders) and what the fabric reports about a cluster's VMs.
// Reads only: the engine runs the plans, the core commits what the hooks decide.
//
// Without a fabric (a test that starts the ARM core alone) plans are empty, so the provider behaves
// the same minus the VMs.

import type { Services } from '../../framework/types.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import type { OwnerStatus, Vm } from '../../fabric/model.js';
import type { KubernetesTarget } from '../../kubernetes/capabilities.js';
import { clusterCreatePlan, deleteMachinesPlan, deletePlan, poolScalePlan, startPlan, stopPlan, upgradePlan } from '../../kubernetes/plans.js';

type Target = KubernetesTarget;

export interface PoolPlanSpec {
  name: string;
  count: number;
  vmSize: string;
  kubernetesVersion: string;
}

/** A new cluster: control plane and load balancer VMs where they are the customer's, then workers. */
export function createPlan(owner: string, target: Target, version: string, pools: PoolPlanSpec[]): TaskSpec[] {
  if (!target.site) return [];
  const d = target.doc;
  const ownVms = !d.hiddenControlPlane;
  return clusterCreatePlan({
    owner,
    site: target.site,
    kubernetesVersion: version,
    controlPlane: ownVms ? { count: d.defaults.controlPlaneCount, vmSize: d.defaults.controlPlaneVmSize } : undefined,
    loadBalancer: ownVms ? { count: 1, vmSize: d.defaults.loadBalancerVmSize } : undefined,
    pools: pools.map((p) => ({ name: p.name, count: p.count, vmSize: p.vmSize })),
  });
}

/** Scales (or adds, or with count 0 removes) one pool; tasks are prefixed so several pools fit one plan. */
export function scalePlan(services: Services, owner: string, target: Target, pool: PoolPlanSpec): TaskSpec[] {
  const fabric = services.fabric;
  if (!fabric || !target.site) return [];
  const tasks = poolScalePlan({
    owner,
    site: target.site,
    pool: pool.name,
    vmSize: pool.vmSize,
    count: pool.count,
    current: fabric.ownerVms(owner),
    kubernetesVersion: pool.kubernetesVersion,
  });
  return prefixTasks(tasks, `${pool.name}/`);
}

export function upgradeTasks(services: Services, owner: string, target: Target, version: string, controlPlaneOnly: boolean, after: string[] = []): TaskSpec[] {
  const fabric = services.fabric;
  if (!fabric || !target.site) return [];
  const tasks = prefixTasks(upgradePlan({ owner, site: target.site, current: fabric.ownerVms(owner), kubernetesVersion: version, controlPlaneOnly }), 'upgrade/');
  // The first task waits for whatever ran before it in the same operation.
  if (tasks.length && after.length) tasks[0].dependsOn = [...(tasks[0].dependsOn ?? []), ...after];
  return tasks;
}

/** Upgrades only the workers of one pool (az aks nodepool upgrade). */
export function poolUpgradeTasks(services: Services, owner: string, target: Target, pool: string, version: string): TaskSpec[] {
  const fabric = services.fabric;
  if (!fabric || !target.site) return [];
  const current = fabric.ownerVms(owner);
  const mine = current.filter((v) => v.role === 'worker' && (v.pool ?? '').toLowerCase() === pool.toLowerCase());
  const others = current.filter((v) => !mine.includes(v)).map((v) => ({ ...v, kubernetesVersion: version }));
  return prefixTasks(upgradePlan({ owner, site: target.site, current: [...mine, ...others], kubernetesVersion: version }), `${pool}/upgrade/`);
}

export function deleteTasks(services: Services, owner: string, target: Target): TaskSpec[] {
  const fabric = services.fabric;
  if (!fabric || !target.site) return [];
  return deletePlan({ owner, site: target.site, current: fabric.ownerVms(owner) });
}

export function stopTasks(services: Services, owner: string, target: Target): TaskSpec[] {
  const fabric = services.fabric;
  if (!fabric || !target.site) return [];
  return stopPlan({ owner, site: target.site, current: fabric.ownerVms(owner) });
}

export function startTasks(services: Services, owner: string, target: Target): TaskSpec[] {
  const fabric = services.fabric;
  if (!fabric || !target.site) return [];
  return startPlan({ owner, site: target.site, current: fabric.ownerVms(owner) });
}

/** Stops (deallocates) or starts the workers of one pool (az aks nodepool stop / start). */
export function poolPowerTasks(services: Services, owner: string, target: Target, pool: string, verb: 'stop' | 'start'): TaskSpec[] {
  const fabric = services.fabric;
  if (!fabric || !target.site) return [];
  const current = fabric.ownerVms(owner).filter((v) => v.role === 'worker' && (v.pool ?? '').toLowerCase() === pool.toLowerCase());
  const tasks = verb === 'stop' ? stopPlan({ owner, site: target.site, current }) : startPlan({ owner, site: target.site, current });
  return prefixTasks(tasks, `${pool}/`);
}

/** What the fabric says about a cluster, or undefined without a fabric. */
export function clusterStatus(services: Services, owner: string): OwnerStatus | undefined {
  return services.fabric?.ownerStatus(owner);
}

export function clusterVms(services: Services, owner: string): Vm[] {
  return services.fabric?.ownerVms(owner) ?? [];
}

/** The worker VMs of one pool (the pool's machines). */
export function poolVms(services: Services, owner: string, pool: string): Vm[] {
  return clusterVms(services, owner).filter((v) => v.role === 'worker' && (v.pool ?? '').toLowerCase() === pool.toLowerCase() && v.state !== 'Deleting');
}

/** Replaces every worker of one pool with a fresh one on the latest node image (rolling, as an upgrade). */
export function nodeImageTasks(services: Services, owner: string, target: Target, pool: string): TaskSpec[] {
  if (!services.fabric || !target.site) return [];
  const mine = poolVms(services, owner, pool);
  const version = mine[0]?.kubernetesVersion ?? '';
  return prefixTasks(upgradePlan({ owner, site: target.site, current: mine, kubernetesVersion: version, reimage: true }), `${pool}/nodeimage/`);
}

/** Drains and deletes the named machines of one pool. */
export function deleteMachinesTasks(services: Services, target: Target, machines: Vm[]): TaskSpec[] {
  if (!services.fabric || !target.site) return [];
  return deleteMachinesPlan({ site: target.site, machines });
}

function prefixTasks(tasks: TaskSpec[], prefix: string): TaskSpec[] {
  return tasks.map((t) => ({ ...t, id: prefix + t.id, dependsOn: t.dependsOn?.map((d) => prefix + d) }));
}
