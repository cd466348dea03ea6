// Kubernetes knowledge shared by both Kubernetes providers (ContainerService and, next,
// HybridContainerService): what each target can do for a cluster. Azure regions offer every AKS feature; an Azure Stack Hub stamp and an
// Azure Stack HCI site offer a subset (the Hub list follows "AKS on Azure Stack Hub overview for
// users": basic load balancer only, service principals only, no autoscaler, one node pool, no
// private clusters, no authorized IP ranges, no managed outbound IPs, no `az aks update`, no zones
// or availability sets). Resource providers check a request against its target's document before
// anything is created, so a refusal names the limit, the target, and what to do instead.

import { Errors, ArmError, type ErrorDetail } from '../arm/errors.js';
import { describeSite, type SiteKind } from '../fabric/model.js';
import { siteVmSizes, type VmSize } from '../fabric/vmSizes.js';
import type { SiteOfferings } from '../fabric/sites.js';
import type { Target } from '../framework/targets.js';

export interface KubernetesVersion {
  version: string;
  isDefault?: boolean;
  /** Versions an in-place upgrade may go to (same minor, newer patch; or the next minor). */
  upgrades: string[];
}

export type IdentityType = 'ServicePrincipal' | 'SystemAssigned' | 'UserAssigned';

export interface CapabilityDocument {
  target: { name: string; kind: SiteKind; location?: string; description: string };
  loadBalancerSkus: string[];
  defaultLoadBalancerSku: string;
  identityTypes: IdentityType[];
  clusterAutoscaler: boolean;
  multipleNodePools: boolean;
  maxAgentPools: number;
  maxNodesPerPool: number;
  /** Azure runs the control plane for you; on Hub and HCI it is VMs in your capacity. */
  hiddenControlPlane: boolean;
  controlPlaneCounts: number[];
  privateCluster: boolean;
  authorizedIpRanges: boolean;
  managedOutboundIps: boolean;
  /** Zone names; empty when the target has none. */
  availabilityZones: string[];
  availabilitySets: boolean;
  /** PATCH of a cluster beyond tags (`az aks update`). */
  aksUpdate: boolean;
  azureAdRbac: boolean;
  monitoring: boolean;
  virtualNodes: boolean;
  gpu: boolean;
  windowsNodePools: boolean;
  networkPlugins: string[];
  vmSizes: VmSize[];
  defaults: {
    controlPlaneVmSize: string;
    workerVmSize: string;
    loadBalancerVmSize: string;
    controlPlaneCount: number;
    nodeCount: number;
  };
  kubernetesVersions: KubernetesVersion[];
}

// ---- Kubernetes versions --------------------------------------------------------------------------

// The Kubernetes versions each kind of target offers, as the products publish them today (a site's config entry
// may replace them: capabilities.kubernetesVersions / defaultKubernetesVersion):
// - AKS (Azure regions): the minors in standard support after the AKS release of 2026-07-17 (1.34, 1.35 and 1.36;
//   1.33 is LTS-only, 1.30 deprecated), the two newest patches of each; the default is the newest patch of the
//   previous minor, as AKS picks it.
// - AKS on Azure Local (HCI sites): every version its releases 2411 to 2508 shipped from 1.29.4 on (AKS Arc
//   templates use 1.29.4 and newer).
// - AKS engine on an Azure Stack Hub stamp: 1.19 to 1.21, as the last Hub releases of AKS engine shipped.
const VERSIONS: Record<SiteKind, { versions: string[]; default: string }> = {
  AzureRegion: { versions: ['1.34.8', '1.34.9', '1.35.5', '1.35.6', '1.36.1', '1.36.2'], default: '1.35.6' },
  AzureStackHub: { versions: ['1.19.11', '1.20.7', '1.21.2'], default: '1.20.7' },
  AzureStackHCI: { versions: ['1.29.4', '1.29.7', '1.29.9', '1.29.12', '1.29.13', '1.30.3', '1.30.4', '1.30.8', '1.30.9', '1.31.4', '1.31.5'], default: '1.30.9' },
};

/** '1.30.9', '1.30' or 'v1.30.9' (AKS on Azure Local takes the v, its quickstart template writes it). */
export function parseVersion(v: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/i.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), m[3] === undefined ? -1 : Number(m[3])] : undefined;
}

function compareVersions(a: string, b: string): number {
  const x = parseVersion(a)!;
  const y = parseVersion(b)!;
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** Upgrade edges: a newer patch of the same minor, or any patch of the next minor (no skipping minors). */
export function upgradeGraph(versions: string[], defaultVersion: string): KubernetesVersion[] {
  const sorted = [...versions].sort(compareVersions);
  return sorted.map((version) => {
    const [maj, min, pat] = parseVersion(version)!;
    const upgrades = sorted.filter((w) => {
      const [wm, wn, wp] = parseVersion(w)!;
      return wm === maj && ((wn === min && wp > pat) || wn === min + 1);
    });
    return version === defaultVersion ? { version, isDefault: true, upgrades } : { version, upgrades };
  });
}

/** '1.20' means the newest patch of 1.20 (as AKS accepts); undefined when not offered. */
export function resolveKubernetesVersion(doc: CapabilityDocument, requested: string | undefined): string | undefined {
  if (requested === undefined || requested === '') return doc.kubernetesVersions.find((k) => k.isDefault)?.version;
  const p = parseVersion(requested);
  if (!p) return undefined;
  if (p[2] >= 0) return doc.kubernetesVersions.find((k) => k.version === requested.trim().replace(/^v/i, ''))?.version;
  const candidates = doc.kubernetesVersions.filter((k) => {
    const q = parseVersion(k.version)!;
    return q[0] === p[0] && q[1] === p[1];
  });
  return candidates.at(-1)?.version;
}

export function defaultKubernetesVersion(doc: CapabilityDocument): string {
  return (doc.kubernetesVersions.find((k) => k.isDefault) ?? doc.kubernetesVersions.at(-1))!.version;
}

// ---- documents ---------------------------------------------------------------------------------------

export interface TargetDescription {
  name: string;
  kind: SiteKind;
  location?: string;
  capabilities?: SiteOfferings;
}

/** What both on-prem targets (the Hub, AKS on Azure Local) lack or fix alike: the basic load balancer, service
 * principals only, a visible control plane of 1, 3 or 5, none of Azure's network, zone and Entra features. */
function onPrem() {
  return {
    loadBalancerSkus: ['basic'],
    defaultLoadBalancerSku: 'basic',
    identityTypes: ['ServicePrincipal'],
    hiddenControlPlane: false,
    controlPlaneCounts: [1, 3, 5],
    privateCluster: false,
    authorizedIpRanges: false,
    managedOutboundIps: false,
    availabilityZones: [],
    availabilitySets: false,
    azureAdRbac: false,
    monitoring: false,
    virtualNodes: false,
  } satisfies Partial<CapabilityDocument>;
}

/** The capability document of a target: a pure function of its kind and its config. */
export function capabilityDocument(site: TargetDescription): CapabilityDocument {
  const o = site.capabilities ?? {};
  const versions = o.kubernetesVersions ?? VERSIONS[site.kind].versions;
  const defVersion = o.defaultKubernetesVersion ?? (versions.includes(VERSIONS[site.kind].default) ? VERSIONS[site.kind].default : [...versions].sort(compareVersions).at(-1)!);
  const vmSizes = siteVmSizes(site);
  const target = { name: site.name, kind: site.kind, location: site.location, description: describeSite(site.kind, site.name) };
  const kubernetesVersions = upgradeGraph(versions, defVersion);
  if (site.kind === 'AzureRegion') {
    return {
      target,
      loadBalancerSkus: ['standard', 'basic'],
      defaultLoadBalancerSku: 'standard',
      identityTypes: ['SystemAssigned', 'UserAssigned', 'ServicePrincipal'],
      clusterAutoscaler: true,
      multipleNodePools: true,
      maxAgentPools: o.maxAgentPools ?? 100,
      maxNodesPerPool: o.maxNodesPerPool ?? 1000,
      hiddenControlPlane: true,
      controlPlaneCounts: [],
      privateCluster: true,
      authorizedIpRanges: true,
      managedOutboundIps: true,
      availabilityZones: ['1', '2', '3'],
      availabilitySets: true,
      aksUpdate: true,
      azureAdRbac: true,
      monitoring: true,
      virtualNodes: true,
      gpu: true,
      windowsNodePools: true,
      networkPlugins: ['azure', 'kubenet', 'none'],
      vmSizes,
      defaults: { controlPlaneVmSize: 'Standard_DS2_v2', workerVmSize: 'Standard_DS2_v2', loadBalancerVmSize: 'Standard_DS2_v2', controlPlaneCount: 0, nodeCount: 3 },
      kubernetesVersions,
    };
  }
  if (site.kind === 'AzureStackHub') {
    return {
      target,
      ...onPrem(),
      clusterAutoscaler: false,
      multipleNodePools: false,
      maxAgentPools: 1,
      maxNodesPerPool: o.maxNodesPerPool ?? 50,
      aksUpdate: false,
      gpu: false,
      windowsNodePools: false,
      networkPlugins: ['kubenet', 'azure'],
      vmSizes,
      defaults: { controlPlaneVmSize: 'Standard_DS2_v2', workerVmSize: 'Standard_DS2_v2', loadBalancerVmSize: 'Standard_DS2_v2', controlPlaneCount: 3, nodeCount: 3 },
      kubernetesVersions,
    };
  }
  return {
    target,
    ...onPrem(),
    // AKS on Azure Local has the cluster autoscaler (release 2402) and GPU node pools (T4, A2, A16)
    clusterAutoscaler: true,
    multipleNodePools: true,
    maxAgentPools: o.maxAgentPools ?? 16,
    maxNodesPerPool: o.maxNodesPerPool ?? 64,
    aksUpdate: true,
    gpu: true,
    windowsNodePools: true,
    networkPlugins: ['calico'],
    vmSizes,
    defaults: { controlPlaneVmSize: 'Standard_A4_v2', workerVmSize: 'Standard_K8S3_v1', loadBalancerVmSize: 'Standard_K8S3_v1', controlPlaneCount: 1, nodeCount: 1 },
    kubernetesVersions,
  };
}

export function vmSizeOf(doc: CapabilityDocument, name: string): VmSize | undefined {
  const k = name.toLowerCase();
  return doc.vmSizes.find((s) => s.name.toLowerCase() === k);
}

// ---- checking a request -------------------------------------------------------------------------------

/** One requested feature: its name, the value asked for, and the ARM property it came from. */
export interface FeatureRequest {
  feature: string;
  value: unknown;
  target?: string;
}

export interface Refusal {
  code: string;
  message: string;
  target: string;
}

type Rule = { target: string; check: (doc: CapabilityDocument, value: unknown, where: string) => Omit<Refusal, 'target'> | undefined };

const on = (v: unknown): boolean => v === true || (Array.isArray(v) ? v.length > 0 : typeof v === 'number' ? v > 0 : typeof v === 'string' ? v !== '' && v.toLowerCase() !== 'false' : false);
const notSupported = (message: string) => ({ code: 'FeatureNotSupportedOnTarget', message });

/**
 * A feature that is either on or off on a target. `instead` says what to do, for an SDK or template
 * user (the property, written {property}: the request's own path, e.g. properties.agentPoolProfiles[0].enableAutoScaling)
 * and for an az user (the flag), e.g. "set {property} to false (az: remove --enable-cluster-autoscaler)."
 */
function flag(key: keyof CapabilityDocument, target: string, what: string, instead: string): Rule {
  return {
    target,
    check: (doc, v, where) => (on(v) && doc[key] === false ? notSupported(`${where} does not support ${what}; ${instead}`) : undefined),
  };
}

const RULES: Record<string, Rule> = {
  loadBalancerSku: {
    target: 'properties.networkProfile.loadBalancerSku',
    check: (doc, v, where) => {
      if (typeof v !== 'string' || v === '') return undefined;
      if (doc.loadBalancerSkus.includes(v.toLowerCase())) return undefined;
      if (doc.loadBalancerSkus.length === 1)
        return notSupported(
          `${where} supports only the ${doc.loadBalancerSkus[0]} load balancer; set {property} to '${doc.loadBalancerSkus[0]}' (az: pass --load-balancer-sku ${doc.loadBalancerSkus[0]}).`,
        );
      return { code: 'InvalidParameter', message: `The load balancer SKU '${v}' ({property}, az: --load-balancer-sku) is not valid on ${where}; use one of: ${doc.loadBalancerSkus.join(', ')}.` };
    },
  },
  identityType: {
    target: 'identity.type',
    check: (doc, v, where) => {
      if (typeof v !== 'string' || v === '' || v.toLowerCase() === 'none') return undefined;
      if (doc.identityTypes.some((t) => t.toLowerCase() === v.toLowerCase())) return undefined;
      if (doc.identityTypes.length === 1 && doc.identityTypes[0] === 'ServicePrincipal')
        return notSupported(
          `${where} does not support managed identities (${v}); only service principals are supported: leave out identity and set properties.servicePrincipalProfile.clientId and .secret (az: pass --service-principal and --client-secret).`,
        );
      return { code: 'InvalidParameter', message: `The identity type '${v}' ({property}) is not valid on ${where}; use one of: ${doc.identityTypes.join(', ')}.` };
    },
  },
  clusterAutoscaler: flag(
    'clusterAutoscaler',
    'properties.agentPoolProfiles.enableAutoScaling',
    'the cluster autoscaler',
    'set {property} to false (az: remove --enable-cluster-autoscaler) and scale node pools with az aks scale.',
  ),
  privateCluster: flag('privateCluster', 'properties.apiServerAccessProfile.enablePrivateCluster', 'private clusters', 'set {property} to false (az: remove --enable-private-cluster).'),
  authorizedIpRanges: flag(
    'authorizedIpRanges',
    'properties.apiServerAccessProfile.authorizedIPRanges',
    'API server authorized IP ranges',
    'leave out {property} (az: remove --api-server-authorized-ip-ranges).',
  ),
  managedOutboundIpCount: flag(
    'managedOutboundIps',
    'properties.networkProfile.loadBalancerProfile.managedOutboundIPs.count',
    'managed outbound IPs for the load balancer (they need the standard load balancer)',
    'leave out {property} (az: remove --load-balancer-managed-outbound-ip-count).',
  ),
  availabilitySet: flag(
    'availabilitySets',
    'properties.agentPoolProfiles.type',
    'availability sets',
    "use virtual machine scale sets: set {property} to 'VirtualMachineScaleSets' (az: --vm-set-type VirtualMachineScaleSets).",
  ),
  update: flag(
    'aksUpdate',
    'properties',
    'updating a cluster in place (az aks update); only tags can be changed',
    'the request changes {property}. Change node counts and versions with az aks scale or az aks upgrade, or recreate the cluster with the new settings.',
  ),
  azureAdRbac: flag('azureAdRbac', 'properties.aadProfile', 'Azure AD integration', "leave out {property} (az: remove --enable-aad) and use Kubernetes RBAC with the cluster's client certificates."),
  monitoring: flag('monitoring', 'properties.addonProfiles.omsagent', 'the monitoring add-on (Azure Log Analytics)', 'disable {property} (az: remove monitoring from --enable-addons).'),
  virtualNodes: flag('virtualNodes', 'properties.addonProfiles.aciConnectorLinux', 'virtual nodes (Azure Container Instances)', 'disable {property} (az: remove virtual-node from --enable-addons).'),
  gpu: flag('gpu', 'properties.agentPoolProfiles.vmSize', 'GPU node pools', 'set {property} to a VM size without a GPU (az: --node-vm-size).'),
  windows: flag('windowsNodePools', 'properties.agentPoolProfiles.osType', 'Windows node pools', "set {property} to 'Linux' (az: --os-type Linux)."),
  agentPoolType: {
    target: 'properties.agentPoolProfiles.type',
    check: (doc, v, where) =>
      typeof v === 'string' && v.toLowerCase() === 'availabilityset' && !doc.availabilitySets
        ? notSupported(`${where} does not support availability sets; use virtual machine scale sets: set {property} to 'VirtualMachineScaleSets' (az: --vm-set-type VirtualMachineScaleSets).`)
        : undefined,
  },
  availabilityZones: {
    target: 'properties.agentPoolProfiles.availabilityZones',
    check: (doc, v, where) => {
      if (!Array.isArray(v) || v.length === 0) return undefined;
      if (doc.availabilityZones.length === 0) return notSupported(`${where} has no availability zones; leave out {property} (az: remove --zones).`);
      const bad = v.map(String).filter((z) => !doc.availabilityZones.includes(z));
      return bad.length
        ? { code: 'InvalidParameter', message: `Availability zone(s) ${bad.join(', ')} ({property}, az: --zones) do not exist in ${where}; use ${doc.availabilityZones.join(', ')}.` }
        : undefined;
    },
  },
  nodePoolCount: {
    target: 'properties.agentPoolProfiles',
    check: (doc, v, where) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 1) return undefined;
      if (!doc.multipleNodePools)
        return notSupported(`${where} supports a single node pool per cluster (multiple node pools are not available); the request has ${n} ({property}, az: az aks nodepool add).`);
      return n > doc.maxAgentPools
        ? { code: 'MaxAgentPoolCountExceeded', message: `${where} supports at most ${doc.maxAgentPools} node pools per cluster; the request has ${n} ({property}, az: az aks nodepool add).` }
        : undefined;
    },
  },
  nodeCount: {
    target: 'properties.agentPoolProfiles.count',
    check: (doc, v, where) => {
      const n = Number(v);
      if (!Number.isFinite(n)) return undefined;
      if (!Number.isInteger(n) || n < 0) return { code: 'InvalidParameter', message: `The node count ({property}, az: --node-count) must be a whole number of at least 0; got ${String(v)}.` };
      return n > doc.maxNodesPerPool
        ? { code: 'MaxNodeCountExceeded', message: `${where} supports at most ${doc.maxNodesPerPool} nodes per node pool; the request has ${n} ({property}, az: --node-count).` }
        : undefined;
    },
  },
  controlPlaneCount: {
    target: 'properties.controlPlane.count',
    check: (doc, v, where) => {
      const n = Number(v);
      if (!Number.isFinite(n) || doc.hiddenControlPlane) return undefined;
      return doc.controlPlaneCounts.includes(n)
        ? undefined
        : { code: 'InvalidParameter', message: `A cluster on ${where} needs ${doc.controlPlaneCounts.join(', ')} control-plane nodes (an odd number, for etcd quorum); the request has ${n}.` };
    },
  },
  vmSize: {
    target: 'properties.agentPoolProfiles.vmSize',
    check: (doc, v, where) => {
      const names = Array.isArray(v) ? v : [v];
      const bad = names.filter((n) => typeof n === 'string' && n !== '' && !vmSizeOf(doc, n));
      return bad.length
        ? {
            code: 'VMSizeNotSupported',
            message: `The VM size '${bad[0]}' ({property}, az: --node-vm-size) is not available on ${where}. Available sizes: ${doc.vmSizes.map((s) => s.name).join(', ')}.`,
          }
        : undefined;
    },
  },
  kubernetesVersion: {
    target: 'properties.kubernetesVersion',
    check: (doc, v, where) => {
      if (typeof v !== 'string' || v === '') return undefined;
      return resolveKubernetesVersion(doc, v)
        ? undefined
        : {
            code: 'KubernetesVersionNotSupported',
            message: `Kubernetes version '${v}' ({property}, az: --kubernetes-version) is not supported on ${where}. Supported versions: ${doc.kubernetesVersions.map((k) => k.version).join(', ')} (default ${defaultKubernetesVersion(doc)}).`,
          };
    },
  },
  upgrade: {
    target: 'properties.kubernetesVersion',
    check: (doc, v, where) => {
      const { from, to } = (v ?? {}) as { from?: string; to?: string };
      if (!from || !to) return undefined;
      const target = resolveKubernetesVersion(doc, to);
      if (!target) return RULES.kubernetesVersion.check(doc, to, where);
      if (target === from) return undefined;
      const node = doc.kubernetesVersions.find((k) => k.version === from);
      if (node?.upgrades.includes(target)) return undefined;
      const pf = parseVersion(from);
      const pt = parseVersion(target)!;
      if (pf && compareVersions(target, from) < 0) return { code: 'InvalidUpgradePath', message: `Downgrading Kubernetes from ${from} to ${target} is not supported on ${where}.` };
      if (pf && pt[1] > pf[1] + 1) {
        const step = doc.kubernetesVersions.filter((k) => parseVersion(k.version)![1] === pf[1] + 1).at(-1)?.version;
        return {
          code: 'InvalidUpgradePath',
          message: `Upgrading Kubernetes from ${from} to ${target} skips a minor version, which ${where} does not allow; upgrade to ${step ?? `${pf[0]}.${pf[1] + 1}`} first.`,
        };
      }
      return { code: 'InvalidUpgradePath', message: `Kubernetes ${from} cannot be upgraded to ${target} on ${where}; available upgrades: ${node?.upgrades.join(', ') || 'none'}.` };
    },
  },
  networkPlugin: {
    target: 'properties.networkProfile.networkPlugin',
    check: (doc, v, where) =>
      typeof v === 'string' && v !== '' && !doc.networkPlugins.includes(v.toLowerCase())
        ? { code: 'InvalidParameter', message: `The network plugin '${v}' ({property}, az: --network-plugin) is not available on ${where}; use one of: ${doc.networkPlugins.join(', ')}.` }
        : undefined,
  },
};

/** Names checkCapabilities understands. */
export const CAPABILITY_FEATURES = Object.keys(RULES);

/**
 * Checks a request (named features with values) against a target's document; returns every
 * refusal, empty when the request fits. A feature set to undefined/false/empty is not requested.
 */
export function checkCapabilities(doc: CapabilityDocument, request: FeatureRequest[] | Record<string, unknown>): Refusal[] {
  const list: FeatureRequest[] = Array.isArray(request) ? request : Object.entries(request).map(([feature, value]) => ({ feature, value }));
  const out: Refusal[] = [];
  for (const r of list) {
    if (r.value === undefined || r.value === null) continue;
    const rule = RULES[r.feature];
    if (!rule) throw new Error(`checkCapabilities: unknown feature '${r.feature}' (known: ${CAPABILITY_FEATURES.join(', ')})`);
    const refusal = rule.check(doc, r.value, doc.target.description);
    if (refusal) {
      const target = r.target ?? rule.target;
      out.push({ ...refusal, message: refusal.message.replaceAll('{property}', target), target });
    }
  }
  return out;
}

/** The ARM error for refusals (400; the first refusal leads, all are in details). */
export function capabilityError(refusals: Refusal[]): ArmError {
  const first = refusals[0];
  const details: ErrorDetail[] = refusals.map((r) => ({ code: r.code, message: r.message, target: r.target }));
  return Errors.refused(first.code, first.message, first.target, refusals.length > 1 ? details : undefined);
}

/** Throws the ARM error when the request does not fit the target. */
export function assertCapabilities(doc: CapabilityDocument, request: FeatureRequest[] | Record<string, unknown>): void {
  const refusals = checkCapabilities(doc, request);
  if (refusals.length) throw capabilityError(refusals);
}

// ---- a target as the Kubernetes providers see it ---------------------------------------------------

/** A resolved target with its Kubernetes capability document. */
export interface KubernetesTarget extends Target {
  doc: CapabilityDocument;
}

export function kubernetesTarget(target: Target): KubernetesTarget {
  return { ...target, doc: capabilityDocument(target.definition) };
}
