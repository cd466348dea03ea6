// Managed cluster and agent pool bodies: defaults filled as AKS fills them, read-only fields
// dropped from requests, and the per-api-version wire shape of responses.

import { createHash } from 'node:crypto';
import { Errors } from '../../arm/errors.js';
import { bareEtag } from '../../framework/etag.js';
import type { Services } from '../../framework/types.js';
import type { ArmResource, StoredResource } from '../../framework/types.js';
import { parseVersion, resolveKubernetesVersion, type CapabilityDocument } from '../../kubernetes/capabilities.js';
import { atLeast, shapeFor } from './versions.js';

export const NS = 'Microsoft.ContainerService';
export const CLUSTER_TYPE_WIRE = 'Microsoft.ContainerService/ManagedClusters';
export const POOL_TYPE = 'Microsoft.ContainerService/managedClusters/agentPools';
export const POOL_TYPE_KEY = 'microsoft.containerservice/managedclusters/agentpools';
export const CLUSTER_TYPE_KEY = 'microsoft.containerservice/managedclusters';

export type Profile = Record<string, any>;

const CLUSTER_READ_ONLY = ['provisioningState', 'powerState', 'maxAgentPools', 'currentKubernetesVersion', 'fqdn', 'privateFQDN', 'azurePortalFQDN', 'resourceUID'];
const POOL_READ_ONLY = ['provisioningState', 'powerState', 'currentOrchestratorVersion', 'nodeImageVersion', 'eTag'];

/**
 * A cluster's agent pools, read from its agentPools children in creation order, as profiles
 * (name plus properties; a pool being deleted shows Deleting). Fresh copies: callers may change them.
 */
export function poolsOf(services: Services, clusterId: string): Profile[] {
  return services.resources
    .listByParent(clusterId)
    .filter((c) => c.typeKey === POOL_TYPE_KEY)
    .sort((a, b) => Number(a.internal.order ?? 0) - Number(b.internal.order ?? 0) || (a.resource.name < b.resource.name ? -1 : 1))
    .map((c) => {
      const p: Profile = { name: c.resource.name, ...structuredClone(c.resource.properties ?? {}) };
      if (c.deleting) p.provisioningState = 'Deleting';
      return p;
    });
}

export const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function shortHash(s: string, n = 8): string {
  return createHash('sha256').update(s.toLowerCase()).digest('hex').slice(0, n);
}

/** A deterministic GUID from a seed (principal ids of identities). */
export function guidFrom(seed: string): string {
  const h = createHash('sha256').update(seed.toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function stripReadOnly(props: Record<string, any>, which: 'cluster' | 'pool'): Record<string, any> {
  const out = { ...props };
  for (const k of which === 'cluster' ? CLUSTER_READ_ONLY : POOL_READ_ONLY) delete out[k];
  return out;
}

/** The node image a pool of this OS and version runs. */
export function nodeImageVersion(osType: string, osSKU: string, version: string, kind: string): string {
  if (osType.toLowerCase() === 'windows') return `AKSWindows-${osSKU === 'Windows2022' ? '2022' : '2019'}-containerd-17763.6414.241010`;
  const p = parseVersion(version) ?? [1, 30, 0];
  if (kind === 'AzureStackHub') return 'AKSUbuntu-1804gen2containerd-2021.06.02';
  if (osSKU === 'AzureLinux' || osSKU === 'CBLMariner') return 'AKSAzureLinux-V2gen2-202411.12.0';
  return p[1] >= 25 ? 'AKSUbuntu-2204gen2containerd-202411.12.0' : 'AKSUbuntu-1804gen2containerd-2022.11.02';
}

const POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;

export function checkPoolName(name: unknown, osType: string, where: string): string {
  if (typeof name !== 'string' || !POOL_NAME.test(name)) {
    throw Errors.invalidParameter(
      `The agent pool name '${String(name)}' at ${where} is invalid: it must start with a lowercase letter and hold only lowercase letters and digits, at most 12 characters (6 for Windows pools).`,
      where,
    );
  }
  if (osType.toLowerCase() === 'windows' && name.length > 6) {
    throw Errors.invalidParameter(`The Windows agent pool name '${name}' is longer than 6 characters.`, where);
  }
  return name;
}

export interface PoolContext {
  doc: CapabilityDocument;
  /** Full control-plane version (pools default to it). */
  clusterVersion: string;
  networkPlugin: string;
  /** Where the profile came from, for messages ('properties.agentPoolProfiles[0]'). */
  where: string;
  existing?: Profile;
  defaultMode: 'System' | 'User';
}

function intIn(v: unknown, lo: number, hi: number, what: string, target: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw Errors.invalidParameter(`The value '${JSON.stringify(v)}' of ${what} is invalid: it must be a whole number from ${lo} to ${hi}.`, target);
  }
  return v;
}

/**
 * A pool profile with AKS's defaults (name included). The requested orchestratorVersion is kept as
 * asked ('' means the control plane's); the full version it resolves to is returned alongside.
 */
export function normalizePool(raw: Record<string, any>, name: string, pc: PoolContext): { profile: Profile; version: string } {
  if (!isObj(raw)) throw Errors.invalidRequestContent(`${pc.where} must be an object.`, pc.where);
  const p: Profile = stripReadOnly(raw, 'pool');
  delete p.name;
  const ex = pc.existing;
  const osType = String(p.osType ?? ex?.osType ?? 'Linux');
  if (!['linux', 'windows'].includes(osType.toLowerCase())) throw Errors.invalidParameter(`The osType '${osType}' of ${pc.where} must be Linux or Windows.`, `${pc.where}.osType`);
  p.osType = osType.toLowerCase() === 'windows' ? 'Windows' : 'Linux';
  p.count = p.count === undefined || p.count === null ? (ex?.count ?? 1) : intIn(p.count, 0, 1000, `${pc.where}.count`, `${pc.where}.count`);
  const mode = String(p.mode ?? ex?.mode ?? pc.defaultMode);
  if (!['system', 'user', 'gateway'].includes(mode.toLowerCase())) throw Errors.invalidParameter(`The mode '${mode}' of ${pc.where} must be System or User.`, `${pc.where}.mode`);
  p.mode = mode.toLowerCase() === 'system' ? 'System' : mode.toLowerCase() === 'user' ? 'User' : 'Gateway';
  if (p.mode === 'System' && p.count < 1) throw Errors.invalidParameter(`The System agent pool '${name}' needs at least 1 node; ${pc.where}.count is 0.`, `${pc.where}.count`);
  if (p.mode === 'System' && p.osType === 'Windows') throw Errors.invalidParameter(`A System agent pool must run Linux; '${name}' is a Windows pool.`, `${pc.where}.mode`);
  p.vmSize = typeof p.vmSize === 'string' && p.vmSize !== '' ? p.vmSize : (ex?.vmSize ?? pc.doc.defaults.workerVmSize);
  if (ex && ex.vmSize && String(ex.vmSize).toLowerCase() !== String(p.vmSize).toLowerCase()) {
    throw Errors.invalid(
      'PropertyChangeNotAllowed',
      `Changing property 'vmSize' of agent pool '${name}' is not allowed (it is '${ex.vmSize}'); add a new node pool with the new size instead.`,
      `${pc.where}.vmSize`,
    );
  }
  p.osDiskSizeGB = typeof p.osDiskSizeGB === 'number' && p.osDiskSizeGB > 0 ? p.osDiskSizeGB : (ex?.osDiskSizeGB ?? 128);
  p.osDiskType = p.osDiskType ?? ex?.osDiskType ?? 'Managed';
  p.kubeletDiskType = p.kubeletDiskType ?? ex?.kubeletDiskType ?? 'OS';
  p.maxPods = typeof p.maxPods === 'number' && p.maxPods > 0 ? intIn(p.maxPods, 10, 250, `${pc.where}.maxPods`, `${pc.where}.maxPods`) : (ex?.maxPods ?? (pc.networkPlugin === 'azure' ? 30 : 110));
  p.type = p.type ?? ex?.type ?? 'VirtualMachineScaleSets';
  if (!['virtualmachinescalesets', 'availabilityset', 'virtualmachines'].includes(String(p.type).toLowerCase())) {
    throw Errors.invalidParameter(`The agent pool type '${p.type}' of ${pc.where} must be VirtualMachineScaleSets, AvailabilitySet or VirtualMachines.`, `${pc.where}.type`);
  }
  if (Array.isArray(p.availabilityZones) && p.availabilityZones.length === 0) delete p.availabilityZones;
  p.enableAutoScaling = p.enableAutoScaling === true;
  if (p.enableAutoScaling) {
    const min = intIn(p.minCount, 0, 1000, `${pc.where}.minCount`, `${pc.where}.minCount`);
    const max = intIn(p.maxCount, 0, 1000, `${pc.where}.maxCount`, `${pc.where}.maxCount`);
    if (min > max) throw Errors.invalidParameter(`minCount (${min}) of ${pc.where} is larger than maxCount (${max}).`, `${pc.where}.minCount`);
    if (p.count < min || p.count > max) p.count = Math.min(Math.max(p.count, min), max);
  } else {
    delete p.minCount;
    delete p.maxCount;
  }
  // Kubernetes version: '' or absent means the control plane's.
  const asked = typeof p.orchestratorVersion === 'string' ? p.orchestratorVersion.trim() : '';
  let version: string;
  if (asked === '') {
    version = ex?.currentOrchestratorVersion ?? pc.clusterVersion;
    p.orchestratorVersion = ex?.orchestratorVersion ?? version;
  } else {
    const full = resolveKubernetesVersion(pc.doc, asked);
    if (!full) {
      throw Errors.invalid(
        'KubernetesVersionNotSupported',
        `Kubernetes version '${asked}' of agent pool '${name}' is not supported on ${pc.doc.target.description}. Supported versions: ${pc.doc.kubernetesVersions.map((k) => k.version).join(', ')}.`,
        `${pc.where}.orchestratorVersion`,
      );
    }
    version = full;
    p.orchestratorVersion = asked;
  }
  const pv = parseVersion(version)!;
  const cv = parseVersion(pc.clusterVersion)!;
  if (pv[0] > cv[0] || (pv[0] === cv[0] && (pv[1] > cv[1] || (pv[1] === cv[1] && pv[2] > cv[2])))) {
    throw Errors.invalid(
      'NodePoolMcVersionIncompatible',
      `Node pool version ${version} of '${name}' is newer than the control plane version ${pc.clusterVersion}; upgrade the control plane first.`,
      `${pc.where}.orchestratorVersion`,
    );
  }
  if (cv[1] - pv[1] > 2) {
    throw Errors.invalid(
      'NodePoolMcVersionIncompatible',
      `Node pool version ${version} of '${name}' is more than two minor versions older than the control plane version ${pc.clusterVersion}.`,
      `${pc.where}.orchestratorVersion`,
    );
  }
  p.osSKU = p.osSKU ?? ex?.osSKU ?? (p.osType === 'Windows' ? 'Windows2019' : 'Ubuntu');
  p.enableNodePublicIP = p.enableNodePublicIP === true;
  p.enableFIPS = p.enableFIPS === true;
  p.scaleDownMode = p.scaleDownMode ?? ex?.scaleDownMode ?? 'Delete';
  if (p.upgradeSettings === undefined && ex?.upgradeSettings) p.upgradeSettings = ex.upgradeSettings;
  p.currentOrchestratorVersion = ex?.currentOrchestratorVersion ?? version;
  p.nodeImageVersion = ex?.nodeImageVersion ?? nodeImageVersion(p.osType, p.osSKU, version, pc.doc.target.kind);
  p.powerState = ex?.powerState ?? { code: 'Running' };
  return { profile: { name, ...p }, version };
}

// ---- wire shapes (what each api-version defines: versions.ts SHAPES) ---------------------------------------

export function poolPropsWire(p: Profile, apiVersion: string): Profile {
  const out: Profile = {};
  for (const [k, v] of Object.entries(structuredClone(p))) if (v !== undefined) out[k] = v;
  return shapeFor('poolProperties', out, apiVersion);
}

function skuWire(sku: Record<string, any> | undefined, apiVersion: string): Record<string, any> | undefined {
  if (!sku) return undefined;
  const tier = String(sku.tier ?? 'Free');
  if (!atLeast(apiVersion, '2023-02-01')) return { name: 'Basic', tier: tier === 'Standard' || tier === 'Premium' ? 'Paid' : 'Free' };
  return { name: atLeast(apiVersion, '2023-05-01') ? (sku.name ?? 'Base') : 'Basic', tier };
}

/** A managed cluster as the requested api-version shows it. */
export function clusterWire(s: StoredResource, apiVersion: string, services: Services): ArmResource {
  const r = s.resource;
  const out: ArmResource = { id: r.id, location: r.location, name: r.name, type: CLUSTER_TYPE_WIRE };
  if (r.tags && Object.keys(r.tags).length) out.tags = { ...r.tags };
  if (r.etag) out.eTag = bareEtag(r.etag);
  const sku = skuWire(r.sku, apiVersion);
  if (sku) out.sku = sku;
  if (r.identity) out.identity = structuredClone(r.identity);
  if (r.extendedLocation) out.extendedLocation = structuredClone(r.extendedLocation);
  const props: Record<string, any> = {};
  for (const [k, v] of Object.entries(structuredClone(r.properties ?? {}))) if (v !== undefined) props[k] = v;
  if (props.servicePrincipalProfile) delete props.servicePrincipalProfile.secret;
  props.agentPoolProfiles = poolsOf(services, r.id).map((p) => poolPropsWire(p, apiVersion));
  if (s.deleting) props.provisioningState = 'Deleting';
  out.properties = props;
  if (r.systemData) out.systemData = { ...r.systemData };
  return shapeFor('cluster', out, apiVersion);
}

export function poolWire(s: StoredResource, apiVersion: string): ArmResource {
  const r = s.resource;
  const props = poolPropsWire(r.properties ?? {}, apiVersion);
  if (s.deleting) props.provisioningState = 'Deleting';
  const out: ArmResource = { id: r.id, name: r.name, type: POOL_TYPE, properties: props };
  if (r.etag) out.properties!.eTag = bareEtag(r.etag);
  shapeFor('poolProperties', out.properties, apiVersion);
  if (r.systemData) out.systemData = { ...r.systemData };
  return shapeFor('pool', out, apiVersion);
}
