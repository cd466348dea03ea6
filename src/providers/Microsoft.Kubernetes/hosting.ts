// Where the Kubernetes cluster behind a connected cluster runs, and what its agents see of it. An AKS
// hybrid cluster (kind ProvisionedCluster) is the provisionedClusterInstances/default on it, whose VMs
// are on its custom location's HCI site. Any other connected cluster is a cluster the emulator hosts
// for the one who connects it, as `az connectedk8s connect` finds one behind a kubeconfig: a control
// plane and two workers, on the site its `infrastructure` names (azure_stack_hci: the HCI site,
// azure_stack_hub: the Hub stamp) or, for every other infrastructure (generic, aws, gcp, ...), in the
// Azure region of its location. Its agents report from those VMs; deleting the connected cluster
// removes them with the packages (extensions) installed on them.

import { Errors } from '../../arm/errors.js';
import { typeKeyOf } from '../../framework/registry.js';
import type { Services } from '../../framework/types.js';
import type { StoredResource } from '../../framework/types.js';
import { describeSite, type Vm } from '../../fabric/model.js';
import type { SiteDefinition } from '../../fabric/sites.js';
import { capabilityDocument, defaultKubernetesVersion, vmSizeOf } from '../../kubernetes/capabilities.js';
import { clusterCreatePlan } from '../../kubernetes/plans.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import { agentState, AGENT_VERSION, type AgentState } from './agent.js';

const INSTANCES = typeKeyOf('Microsoft.HybridContainerService', 'provisionedClusterInstances');

/** The hosted cluster's nodes: one control-plane VM and a pool of two workers. */
const NODE_SIZE = 'Standard_A4_v2';
const WORKERS = 2;

export const isProvisioned = (r: { [k: string]: any }): boolean => String(r.kind ?? '').toLowerCase() === 'provisionedcluster';

export const instanceOf = (services: Services, ccId: string): StoredResource | undefined => services.resources.listByParent(ccId).find((r) => r.typeKey === INSTANCES);

/** What `infrastructure` a site kind is, as the agents detect it. */
const INFRASTRUCTURE: Record<string, string> = { AzureStackHCI: 'azure_stack_hci', AzureStackHub: 'azure_stack_hub', AzureRegion: 'generic' };

/** The site a connected cluster of this infrastructure runs on; undefined without a fabric (a test of the ARM core alone). */
export function hostingSite(services: Services, infrastructure: string | undefined, location: string): SiteDefinition | undefined {
  const fabric = services.fabric;
  if (!fabric) return undefined;
  const infra = String(infrastructure ?? '').toLowerCase();
  const ofKind = (kind: string) => fabric.sites().find((s) => s.kind === kind);
  if (infra === 'azure_stack_hci') {
    const hci = ofKind('AzureStackHCI');
    if (!hci)
      throw Errors.invalidParameter(
        "properties.infrastructure is 'azure_stack_hci', but this emulator has no Azure Stack HCI site; add one to the config's sites, or connect a cluster of another infrastructure.",
        'properties.infrastructure',
      );
    return hci;
  }
  if (infra === 'azure_stack_hub') {
    const hub = ofKind('AzureStackHub');
    if (!hub)
      throw Errors.invalidParameter(
        "properties.infrastructure is 'azure_stack_hub', but this emulator has no Azure Stack Hub stamp; add one to the config's sites, or connect a cluster of another infrastructure.",
        'properties.infrastructure',
      );
    return hub;
  }
  const region = fabric.siteForLocation(location);
  return region && region.kind === 'AzureRegion' ? region : undefined;
}

/** The VMs of the cluster the emulator hosts for a connected cluster, on its site. */
export function hostedClusterPlan(ccId: string, site: SiteDefinition): { tasks: TaskSpec[]; kubernetesVersion: string } {
  const doc = capabilityDocument(site);
  const kubernetesVersion = defaultKubernetesVersion(doc);
  const vmSize = vmSizeOf(doc, NODE_SIZE) ? NODE_SIZE : doc.vmSizes[0].name;
  const tasks = clusterCreatePlan({ owner: ccId, site: site.name, kubernetesVersion, controlPlane: { count: 1, vmSize }, pools: [{ name: 'nodepool1', count: WORKERS, vmSize }] });
  return { tasks, kubernetesVersion };
}

export interface AgentReport extends AgentState {
  /** What the agents report once they have: versions, node and core totals, where the cluster runs. */
  agentVersion?: string;
  kubernetesVersion?: string;
  totalNodeCount?: number;
  totalCoreCount?: number;
  infrastructure?: string;
  /** The site the cluster runs on (its extensions install there). */
  site?: string;
}

const nodesOf = (vms: Vm[]) => vms.filter((v) => (v.role === 'controlPlane' || v.role === 'worker') && v.state !== 'Deallocated' && v.state !== 'Deleting');

/** The agents' view of a connected cluster now. */
export function agentReport(services: Services, s: StoredResource, now = Date.now()): AgentReport {
  const provisioned = isProvisioned(s.resource);
  const inst = provisioned ? instanceOf(services, s.resource.id) : undefined;
  const owner = provisioned ? inst?.resource.id : s.resource.id;
  const site = (inst?.internal.site ?? s.internal.site) as string | undefined;
  const fabric = services.fabric;
  const onFabric = !!site && !!fabric?.hasSite(site);
  const vms = owner && onFabric ? fabric!.ownerVms(owner) : [];
  const running = vms.some((v) => v.role === 'controlPlane' && v.state === 'Running');
  let installedAt = s.internal.agentInstalledAt as string | undefined;
  if (provisioned) {
    // The agents come up with the AKS hybrid cluster's control plane.
    const cp = vms
      .filter((v) => v.role === 'controlPlane')
      .map((v) => v.createdAt)
      .sort();
    installedAt = inst && (running || inst.resource.properties?.provisioningState !== 'Creating') ? (cp[0] ?? inst.resource.systemData?.createdAt) : undefined;
  }
  const state = agentState({
    now,
    calendar: (ms) => services.clock.at(ms),
    timeScale: services.config.timeScale,
    installedAt,
    running: onFabric ? running : installedAt !== undefined,
    disconnectedSince: onFabric ? fabric!.site(site!).disconnectedSince() : undefined,
  });
  const out: AgentReport = { ...state, site: onFabric ? site : undefined };
  if (onFabric) out.infrastructure = INFRASTRUCTURE[fabric!.site(site!).definition.kind];
  if (!state.reported) return out;
  const nodes = nodesOf(vms);
  out.agentVersion = AGENT_VERSION;
  out.kubernetesVersion =
    (provisioned ? inst?.resource.properties?.kubernetesVersion : undefined) ?? vms.find((v) => v.role === 'controlPlane')?.kubernetesVersion ?? (s.internal.kubernetesVersion as string | undefined);
  out.totalNodeCount = nodes.length;
  out.totalCoreCount = nodes.reduce((n, v) => n + v.cores, 0);
  return out;
}

/** "Azure Stack HCI site 'hci-site-1'", for messages about where a connected cluster runs. */
export function whereHosted(services: Services, site: string | undefined): string {
  if (!site || !services.fabric?.hasSite(site)) return 'outside the emulated fabric';
  const d = services.fabric.site(site).definition;
  return describeSite(d.kind, d.name);
}
