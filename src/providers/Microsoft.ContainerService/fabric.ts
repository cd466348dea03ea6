// The one place the AKS provider touches the on-prem fabric: which target a location lands on and
// its capability document, the task plans for cluster operations, and what the fabric reports
// about a cluster's VMs. Everything else in the provider talks to these functions only.
//
// The fabric is expected at services.extensions.fabric (set by initFabric at start-up). Without it
// (a test that starts the ARM core alone) capability documents still come from the same pure
// builders and plans are empty, so the provider behaves the same minus the VMs.

import type { Services } from '../../framework/services.js';
import type { TaskSpec } from '../../lro/types.js';
import type { Fabric } from '../../fabric/fabric.js';
import type { OwnerStatus, Vm } from '../../fabric/model.js';
import { capabilityDocument, type CapabilityDocument } from '../../fabric/capabilities.js';
import { defaultSites, type SiteDefinition } from '../../fabric/sites.js';
import { clusterCreatePlan, deletePlan, poolScalePlan, startPlan, stopPlan, upgradePlan } from '../../fabric/plans.js';

export interface Target {
  doc: CapabilityDocument;
  /** Fabric site name (undefined when no fabric runs). */
  site?: string;
  kind: CapabilityDocument['target']['kind'];
  /** The Hub message prefix: "Azure Stack Hub stamp 'local'". */
  where: string;
}

export function fabricOf(services: Services): Fabric | undefined {
  const f = services.extensions.fabric as Fabric | undefined;
  return f && typeof (f as Fabric).capabilities === 'function' ? f : undefined;
}

const fallbackSites = new Map<string, SiteDefinition>(defaultSites().filter((s) => s.location).map((s) => [s.location!.toLowerCase(), s]));

/** The target an ARM location lands on (an Azure region unless it is a Hub stamp). */
export function targetFor(services: Services, location: string): Target {
  const key = location.replace(/\s+/g, '').toLowerCase();
  const fabric = fabricOf(services);
  const site = fabric?.siteForLocation(key);
  let doc: CapabilityDocument;
  if (fabric && site) doc = fabric.capabilities(site.name);
  else {
    const def = fallbackSites.get(key);
    const kind = def?.kind ?? (services.locations.get(key)?.kind === 'AzureStackHub' ? 'AzureStackHub' : 'AzureRegion');
    doc = capabilityDocument(def ?? { name: key, kind, location: key });
  }
  return { doc, site: site?.name, kind: doc.target.kind, where: doc.target.description };
}

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
  const fabric = fabricOf(services);
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
  const fabric = fabricOf(services);
  if (!fabric || !target.site) return [];
  const tasks = prefixTasks(upgradePlan({ owner, site: target.site, current: fabric.ownerVms(owner), kubernetesVersion: version, controlPlaneOnly }), 'upgrade/');
  // The first task waits for whatever ran before it in the same operation.
  if (tasks.length && after.length) tasks[0].dependsOn = [...(tasks[0].dependsOn ?? []), ...after];
  return tasks;
}

/** Upgrades only the workers of one pool (az aks nodepool upgrade). */
export function poolUpgradeTasks(services: Services, owner: string, target: Target, pool: string, version: string): TaskSpec[] {
  const fabric = fabricOf(services);
  if (!fabric || !target.site) return [];
  const current = fabric.ownerVms(owner);
  const mine = current.filter((v) => v.role === 'worker' && (v.pool ?? '').toLowerCase() === pool.toLowerCase());
  const others = current.filter((v) => !mine.includes(v)).map((v) => ({ ...v, kubernetesVersion: version }));
  return prefixTasks(upgradePlan({ owner, site: target.site, current: [...mine, ...others], kubernetesVersion: version }), `${pool}/upgrade/`);
}

export function deleteTasks(services: Services, owner: string, target: Target): TaskSpec[] {
  const fabric = fabricOf(services);
  if (!fabric || !target.site) return [];
  return deletePlan({ owner, site: target.site, current: fabric.ownerVms(owner) });
}

export function stopTasks(services: Services, owner: string, target: Target): TaskSpec[] {
  const fabric = fabricOf(services);
  if (!fabric || !target.site) return [];
  return stopPlan({ owner, site: target.site, current: fabric.ownerVms(owner) });
}

export function startTasks(services: Services, owner: string, target: Target): TaskSpec[] {
  const fabric = fabricOf(services);
  if (!fabric || !target.site) return [];
  return startPlan({ owner, site: target.site, current: fabric.ownerVms(owner) });
}

/** Stops (deallocates) or starts the workers of one pool (az aks nodepool stop / start). */
export function poolPowerTasks(services: Services, owner: string, target: Target, pool: string, verb: 'stop' | 'start'): TaskSpec[] {
  const fabric = fabricOf(services);
  if (!fabric || !target.site) return [];
  const current = fabric.ownerVms(owner).filter((v) => v.role === 'worker' && (v.pool ?? '').toLowerCase() === pool.toLowerCase());
  const tasks = verb === 'stop' ? stopPlan({ owner, site: target.site, current }) : startPlan({ owner, site: target.site, current });
  return prefixTasks(tasks, `${pool}/`);
}

/** What the fabric says about a cluster, or undefined without a fabric. */
export function clusterStatus(services: Services, owner: string): OwnerStatus | undefined {
  return fabricOf(services)?.ownerStatus(owner);
}

export function clusterVms(services: Services, owner: string): Vm[] {
  return fabricOf(services)?.ownerVms(owner) ?? [];
}

function prefixTasks(tasks: TaskSpec[], prefix: string): TaskSpec[] {
  return tasks.map((t) => ({ ...t, id: prefix + t.id, dependsOn: t.dependsOn?.map((d) => prefix + d) }));
}
