// managedClusters: create and full update (scale, upgrade, add pools) as long-running operations
// carried out by the fabric, tags PATCH, delete, credentials, start/stop/abort, certificate rotation
// and service principal reset. Requests are checked against the target's capability document
// first, so an Azure Stack Hub stamp refuses what it cannot do, synchronously, naming the limit.
// Hooks are pure: they return the cluster, its agent pools (kept once, as child resources; the
// cluster's agentPoolProfiles are built from them when it is shown) and the plan; the core writes.

import { Errors } from '../../arm/errors.js';
import type { Services } from '../../framework/types.js';
import type { ActionOutcome, ArmResource, Completion, RelatedResource, RequestContext, ResourceTypeDefinition, StoredResource, WriteOutcome } from '../../framework/types.js';
import type { OperationRecord, TaskSpec } from '../../arm/asyncOperations.js';
import { capabilityError, checkCapabilities, resolveKubernetesVersion, type CapabilityDocument, type FeatureRequest, type KubernetesTarget, type Refusal } from '../../kubernetes/capabilities.js';
import { clusterStatus, createPlan, deleteTasks, poolUpgradeTasks, scalePlan, startTasks, stopTasks, upgradeTasks } from './work.js';
import { newClusterSecrets, type ClusterSecrets, type CredentialKind } from './kubeconfig.js';
import { kubeconfigResults } from '../../kubernetes/credentials.js';
import {
  clusterWire,
  checkPoolName,
  guidFrom,
  isObj,
  nodeImageVersion,
  normalizePool,
  NS,
  POOL_TYPE,
  POOL_TYPE_KEY,
  poolsOf,
  shortHash,
  stripReadOnly,
  type Profile,
} from './shape.js';
import { AKS_API_VERSIONS, offeredAt } from './versions.js';
import { nodeGroupResources, nodeResourceGroupId, staleIds, type NodeGroupInput } from './nodeResourceGroup.js';
import { runCommand } from './runCommand.js';
import { resetAADProfile, rotateServiceAccountSigningKeys } from './clusterActions.js';

import { isStopped, refuseIfBusy, settleTask, targetFor, targetOfStored, type OpData } from './clusterCommon.js';

/** A pool as a child resource to store with a cluster change; `order` keeps agentPoolProfiles in creation order. */
export function poolResource(clusterId: string, p: Profile, opts: { busy?: boolean; order?: number } = {}): RelatedResource {
  const { name, ...props } = p;
  const r: RelatedResource = { resource: { id: `${clusterId}/agentPools/${name}`, name, type: POOL_TYPE, properties: props }, busy: opts.busy };
  if (opts.order !== undefined) r.internal = { order: opts.order };
  return r;
}

/** The next free position for a new pool of a cluster. */
export function nextPoolOrder(services: Services, clusterId: string): number {
  let max = -1;
  for (const c of services.resources.listByParent(clusterId)) if (c.typeKey === POOL_TYPE_KEY) max = Math.max(max, Number(c.internal.order ?? 0));
  return max + 1;
}

/** Node counts and power state from what the fabric actually runs for the cluster (updates `props` and `pools`). */
export function applyFabricStatus(services: Services, clusterId: string, props: Record<string, any>, pools: Profile[]): void {
  const status = clusterStatus(services, clusterId);
  if (!status || status.vms.length === 0) return;
  for (const p of pools) {
    const n = status.workerCounts[p.name] ?? Object.entries(status.workerCounts).find(([k]) => k.toLowerCase() === p.name.toLowerCase())?.[1];
    if (n !== undefined) p.count = n;
  }
  if (status.powerState === 'Running' || status.powerState === 'Stopped') {
    props.powerState = { code: status.powerState };
    for (const p of pools) p.powerState = { code: status.powerState };
  }
}

// ---- the node resource group ------------------------------------------------------------------------------

function nodeGroupInput(services: Services, s: { resource: ArmResource }, pools: Profile[], target?: KubernetesTarget): NodeGroupInput {
  const r = s.resource;
  const parts = r.id.split('/');
  return {
    subscriptionId: parts[2],
    clusterId: r.id,
    clusterName: r.name,
    clusterResourceGroup: parts[4],
    location: r.location ?? 'eastus',
    props: r.properties ?? {},
    pools,
    target: target ?? targetFor(services, r.location ?? 'eastus'),
  };
}

/** The node resource group as the cluster now is: its resources to put, and those it no longer holds. */
export function nodeGroupSync(services: Services, s: { resource: ArmResource }, pools: Profile[]): { put: RelatedResource[]; delete: string[] } {
  const input = nodeGroupInput(services, s, pools);
  if (!input.props.nodeResourceGroup) return { put: [], delete: [] };
  const put = nodeGroupResources(input);
  const groupId = nodeResourceGroupId(input.subscriptionId, input.props.nodeResourceGroup);
  const group = services.resources.get(groupId);
  if (group && String(group.internal.managedByCluster ?? '').toLowerCase() !== s.resource.id.toLowerCase()) return { put: [], delete: [] };
  return { put, delete: group ? staleIds(services.resources.listByParent(groupId), put) : [] };
}

/** The node resource group and everything in it, when it is this cluster's. */
export function nodeGroupOf(services: Services, s: StoredResource): string[] {
  const nodeRg = s.resource.properties?.nodeResourceGroup;
  if (!nodeRg) return [];
  const groupId = nodeResourceGroupId(s.resource.id.split('/')[2], nodeRg);
  const group = services.resources.get(groupId);
  return group && String(group.internal.managedByCluster ?? '').toLowerCase() === s.resource.id.toLowerCase() ? [group.resource.id] : [];
}

// ---- validation -----------------------------------------------------------------------------------------

const DNS_PREFIX = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-a-zA-Z0-9]{0,52}[a-zA-Z0-9]$/;

/** The features a cluster body asks for, for the capability check. */
function clusterFeatures(props: Record<string, any>, identityType: string | undefined, pools: Profile[], rawBody: any): FeatureRequest[] {
  const f: FeatureRequest[] = [];
  const np = props.networkProfile ?? {};
  const rawNp = rawBody?.properties?.networkProfile ?? {};
  f.push({ feature: 'identityType', value: identityType, target: 'identity.type' });
  f.push({ feature: 'loadBalancerSku', value: np.loadBalancerSku, target: 'properties.networkProfile.loadBalancerSku' });
  f.push({ feature: 'managedOutboundIpCount', value: rawNp.loadBalancerProfile?.managedOutboundIPs?.count, target: 'properties.networkProfile.loadBalancerProfile.managedOutboundIPs.count' });
  const asp = props.apiServerAccessProfile ?? {};
  f.push({ feature: 'privateCluster', value: asp.enablePrivateCluster === true, target: 'properties.apiServerAccessProfile.enablePrivateCluster' });
  f.push({ feature: 'authorizedIpRanges', value: asp.authorizedIPRanges, target: 'properties.apiServerAccessProfile.authorizedIPRanges' });
  f.push({ feature: 'nodePoolCount', value: pools.length, target: 'properties.agentPoolProfiles' });
  pools.forEach((p, i) => f.push(...poolFeatures(p, `properties.agentPoolProfiles[${i}]`)));
  f.push({ feature: 'networkPlugin', value: np.networkPlugin, target: 'properties.networkProfile.networkPlugin' });
  f.push({ feature: 'azureAdRbac', value: isObj(props.aadProfile), target: 'properties.aadProfile' });
  f.push({ feature: 'monitoring', value: props.addonProfiles?.omsagent?.enabled === true || props.addonProfiles?.omsAgent?.enabled === true, target: 'properties.addonProfiles.omsagent' });
  f.push({ feature: 'virtualNodes', value: Object.entries(props.addonProfiles ?? {}).some(([k, v]: [string, any]) => k.toLowerCase().startsWith('aciconnector') && v?.enabled === true), target: 'properties.addonProfiles.aciConnectorLinux' });
  return f;
}

export function poolFeatures(p: Profile, where: string): FeatureRequest[] {
  return [
    { feature: 'clusterAutoscaler', value: p.enableAutoScaling === true, target: `${where}.enableAutoScaling` },
    { feature: 'agentPoolType', value: p.type, target: `${where}.type` },
    { feature: 'availabilityZones', value: p.availabilityZones, target: `${where}.availabilityZones` },
    { feature: 'vmSize', value: p.vmSize, target: `${where}.vmSize` },
    { feature: 'nodeCount', value: p.count, target: `${where}.count` },
    { feature: 'windows', value: p.osType === 'Windows', target: `${where}.osType` },
  ];
}

/** What to do instead, where the capability document's message does not say it. */
function withHints(refusals: Refusal[]): Refusal[] {
  for (const r of refusals) {
    if (/single node pool/.test(r.message) && !/instead/.test(r.message)) {
      r.message += ' Scale the existing node pool instead (its count; az aks scale --node-count N).';
    }
  }
  return refusals;
}

export function assertFits(doc: CapabilityDocument, features: FeatureRequest[]): void {
  const refusals = withHints(checkCapabilities(doc, features));
  if (refusals.length) throw capabilityError(refusals);
}

/** Settings `az aks update` changes; a Hub stamp refuses a PUT that changes any of them. */
const UPDATE_PATHS = [
  'enableRBAC',
  'disableLocalAccounts',
  'networkProfile.networkPlugin',
  'networkProfile.networkPolicy',
  'networkProfile.outboundType',
  'networkProfile.loadBalancerSku',
  'networkProfile.podCidr',
  'networkProfile.serviceCidr',
  'networkProfile.dnsServiceIP',
  'aadProfile',
  'autoScalerProfile',
  'autoUpgradeProfile',
  'apiServerAccessProfile',
  'linuxProfile',
  'windowsProfile',
  'securityProfile',
  'oidcIssuerProfile',
  'httpProxyConfig',
];

function at(o: any, path: string): unknown {
  return path.split('.').reduce((x, k) => (x === undefined || x === null ? undefined : x[k]), o);
}

/** Drops what means 'not set' (null, false, '', empty arrays and objects) so an echoed default is no change. */
function clean(v: unknown): unknown {
  if (v === null || v === undefined || v === false || v === '') return undefined;
  if (Array.isArray(v)) {
    const a = v.map(clean).filter((x) => x !== undefined);
    return a.length ? a : undefined;
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const c = clean((v as Record<string, unknown>)[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return typeof v === 'string' ? v.toLowerCase() : v;
}

function norm(v: unknown): string {
  const c = clean(v);
  return c === undefined ? '' : JSON.stringify(c);
}

function changedSettings(before: Record<string, any>, bodyProps: Record<string, any>): string[] {
  const out: string[] = [];
  for (const p of UPDATE_PATHS) {
    const [head] = p.split('.');
    if (!(head in bodyProps)) continue;
    const a = at(bodyProps, p);
    const b = at(before, p);
    if (a === undefined && (head !== p || bodyProps[head] === undefined)) continue;
    if (norm(a) !== norm(b)) out.push(p);
  }
  const enabled = (o: any) =>
    Object.entries(o ?? {})
      .filter(([, v]: [string, any]) => v?.enabled === true)
      .map(([k]) => k.toLowerCase())
      .sort()
      .join(',');
  if ('addonProfiles' in bodyProps && enabled(bodyProps.addonProfiles) !== enabled(before.addonProfiles)) out.push('addonProfiles');
  return out;
}

// ---- defaults ---------------------------------------------------------------------------------------------

function networkDefaults(np: Record<string, any> | undefined, doc: CapabilityDocument, sub: string, nodeRg: string, id: string): Record<string, any> {
  const n: Record<string, any> = isObj(np) ? structuredClone(np) : {};
  for (const [k, v] of Object.entries(n)) if (v === null) delete n[k];
  n.networkPlugin = typeof n.networkPlugin === 'string' && n.networkPlugin !== '' ? n.networkPlugin.toLowerCase() : 'kubenet';
  if (n.networkPlugin === 'kubenet') n.podCidr = n.podCidr ?? '10.244.0.0/16';
  n.serviceCidr = n.serviceCidr ?? '10.0.0.0/16';
  n.dnsServiceIP = n.dnsServiceIP ?? '10.0.0.10';
  n.outboundType = n.outboundType ?? 'loadBalancer';
  n.loadBalancerSku = typeof n.loadBalancerSku === 'string' && n.loadBalancerSku !== '' ? n.loadBalancerSku.toLowerCase() : doc.defaultLoadBalancerSku;
  if (n.networkPlugin === 'kubenet' && n.podCidrs === undefined) n.podCidrs = [n.podCidr];
  if (n.serviceCidrs === undefined) n.serviceCidrs = [n.serviceCidr];
  if (n.ipFamilies === undefined) n.ipFamilies = ['IPv4'];
  if (n.loadBalancerSku === 'standard' && String(n.outboundType).toLowerCase() === 'loadbalancer') {
    const lbp = isObj(n.loadBalancerProfile) ? n.loadBalancerProfile : {};
    const count = lbp.managedOutboundIPs?.count ?? 1;
    n.loadBalancerProfile = {
      ...lbp,
      managedOutboundIPs: { ...(lbp.managedOutboundIPs ?? {}), count },
      effectiveOutboundIPs: Array.from({ length: count }, (_, i) => ({
        id: `/subscriptions/${sub}/resourceGroups/${nodeRg}/providers/Microsoft.Network/publicIPAddresses/${guidFrom(`${id}/outbound/${i}`)}`,
      })),
    };
  } else {
    delete n.loadBalancerProfile;
  }
  return n;
}

function nodeResourceGroupName(rg: string, name: string, location: string): string {
  return `MC_${rg}_${name}_${location}`.slice(0, 80);
}

function endpoints(dnsPrefix: string, id: string, location: string, kind: string, priv: boolean, publicFqdn: boolean) {
  const base = `${dnsPrefix.toLowerCase()}-${shortHash(id)}`;
  const domain = kind === 'AzureStackHub' ? `${location}.cloudapp.azurestack.external` : `hcp.${location}.azmk8s.io`;
  const out: Record<string, string> = {};
  if (!priv || publicFqdn) out.fqdn = `${base}.${domain}`;
  if (priv) out.privateFQDN = `${base}.${shortHash(`${id}/private`, 8)}.privatelink.${location}.azmk8s.io`;
  out.azurePortalFQDN = `${base}.portal.${domain}`;
  return out;
}

function identityFor(body: any, existing: ArmResource | undefined, id: string, tenantId: string): Record<string, any> | undefined {
  const raw = body.identity;
  if (raw === undefined || raw === null) return existing?.identity;
  if (!isObj(raw)) throw Errors.invalidRequestContent("The property 'identity' must be an object.", 'identity');
  const type = String(raw.type ?? '');
  const t = type.toLowerCase();
  if (t === 'none' || t === '') return undefined;
  if (t === 'systemassigned') {
    return { type: 'SystemAssigned', principalId: existing?.identity?.principalId ?? guidFrom(`${id}/identity`), tenantId };
  }
  if (t === 'userassigned') {
    const ua = raw.userAssignedIdentities;
    if (!isObj(ua) || Object.keys(ua).length !== 1) {
      throw Errors.invalidParameter('A UserAssigned cluster identity needs exactly one entry in identity.userAssignedIdentities.', 'identity.userAssignedIdentities');
    }
    const userAssignedIdentities: Record<string, any> = {};
    for (const k of Object.keys(ua)) userAssignedIdentities[k] = { principalId: guidFrom(`${k}/principal`), clientId: guidFrom(`${k}/client`) };
    return { type: 'UserAssigned', userAssignedIdentities };
  }
  throw Errors.invalidParameter(`The identity type '${type}' is invalid; use SystemAssigned, UserAssigned or None.`, 'identity.type');
}

function skuFor(body: any, existing: ArmResource | undefined): Record<string, any> {
  const raw = body.sku;
  if (raw === undefined || raw === null) return existing?.sku ?? { name: 'Base', tier: 'Free' };
  if (!isObj(raw)) throw Errors.invalidRequestContent("The property 'sku' must be an object.", 'sku');
  const tier = String(raw.tier ?? 'Free');
  const canon = { free: 'Free', paid: 'Standard', standard: 'Standard', premium: 'Premium' }[tier.toLowerCase()];
  if (!canon) throw Errors.invalidParameter(`The SKU tier '${tier}' is invalid; use Free, Standard or Premium.`, 'sku.tier');
  const name = String(raw.name ?? 'Base');
  if (!['base', 'basic', 'automatic'].includes(name.toLowerCase())) throw Errors.invalidParameter(`The SKU name '${name}' is invalid; use Base.`, 'sku.name');
  return { name: name.toLowerCase() === 'automatic' ? 'Automatic' : 'Base', tier: canon };
}

// ---- PUT ------------------------------------------------------------------------------------------------------

async function putCluster(ctx: RequestContext, candidate: ArmResource): Promise<WriteOutcome> {
  const { services } = ctx;
  const ex = ctx.existing;
  const body = ctx.body ?? {};
  const id = ctx.path.id;
  const rg = ctx.path.resourceGroup!;
  const sub = ctx.path.subscriptionId!;
  const name = candidate.name;
  const location = candidate.location!;
  const target = targetFor(services, location);
  const doc = target.doc;
  if (ex) refuseIfBusy(services, ex.resource.id, 'updating the cluster');
  if (ex?.deleting) throw Errors.conflict(`The managed cluster '${name}' is being deleted.`);

  const exProps: Record<string, any> = ex ? structuredClone(ex.resource.properties ?? {}) : {};
  const bodyProps = stripReadOnly(candidate.properties ?? {}, 'cluster');
  for (const [k, v] of Object.entries(bodyProps)) if (v === null) delete bodyProps[k];
  // A full PUT replaces, but az's scale/upgrade bodies null out the service principal: keep what is stored.
  const props: Record<string, any> = { ...stripReadOnly(exProps, 'cluster'), ...bodyProps };

  // dnsPrefix: immutable; defaults as az makes it.
  if (props.dnsPrefix === undefined || props.dnsPrefix === '') {
    props.dnsPrefix = props.fqdnSubdomain ? undefined : `${name.slice(0, 10)}-${rg.slice(0, 16)}-${sub.slice(0, 6)}`.replace(/[^a-zA-Z0-9-]/g, '').replace(/^-+|-+$/g, '');
  }
  if (props.dnsPrefix !== undefined && (typeof props.dnsPrefix !== 'string' || !DNS_PREFIX.test(props.dnsPrefix))) {
    throw Errors.invalid('InvalidDNSPrefix', `The dnsPrefix '${String(props.dnsPrefix)}' is invalid: it must be 1-54 letters, digits and hyphens, starting and ending with a letter or digit.`, 'properties.dnsPrefix');
  }
  if (ex && exProps.dnsPrefix && props.dnsPrefix !== exProps.dnsPrefix) {
    throw Errors.invalid('PropertyChangeNotAllowed', `Changing property 'dnsPrefix' is not allowed (it is '${exProps.dnsPrefix}').`, 'properties.dnsPrefix');
  }
  const nodeRg = ex ? exProps.nodeResourceGroup : typeof props.nodeResourceGroup === 'string' && props.nodeResourceGroup !== '' ? props.nodeResourceGroup : nodeResourceGroupName(rg, name, location);
  if (ex && bodyProps.nodeResourceGroup && String(bodyProps.nodeResourceGroup).toLowerCase() !== String(nodeRg).toLowerCase()) {
    throw Errors.invalid('PropertyChangeNotAllowed', `Changing property 'nodeResourceGroup' is not allowed (it is '${nodeRg}').`, 'properties.nodeResourceGroup');
  }
  props.nodeResourceGroup = nodeRg;
  if (!ex) {
    if (String(nodeRg).toLowerCase() === rg.toLowerCase()) {
      throw Errors.invalidParameter(`The node resource group '${nodeRg}' must not be the cluster's own resource group; AKS creates it and manages it (properties.nodeResourceGroup, az aks create --node-resource-group).`, 'properties.nodeResourceGroup');
    }
    if (services.resources.get(nodeResourceGroupId(sub, nodeRg))) {
      throw Errors.invalid('NodeResourceGroupAlreadyExists', `The node resource group '${nodeRg}' already exists; AKS creates the node resource group itself. Pick a name that is not in use (properties.nodeResourceGroup, az aks create --node-resource-group).`, 'properties.nodeResourceGroup');
    }
  }

  // Identity: managed identity or a service principal.
  const identity = identityFor(body, ex?.resource, id, ctx.principal.tenantId || services.config.tenantId);
  const internal: Record<string, any> = ex ? structuredClone(ex.internal) : {};
  const spRaw = bodyProps.servicePrincipalProfile;
  let spClientId: string | undefined = exProps.servicePrincipalProfile?.clientId;
  if (isObj(spRaw) && typeof spRaw.clientId === 'string' && spRaw.clientId !== '') {
    spClientId = spRaw.clientId;
    if (typeof spRaw.secret === 'string' && spRaw.secret !== '') internal.spSecret = spRaw.secret;
    else if (!ex || spClientId !== exProps.servicePrincipalProfile?.clientId) {
      if (spClientId.toLowerCase() !== 'msi' && !identity) {
        throw Errors.invalidParameter("The service principal's secret (properties.servicePrincipalProfile.secret) is required; pass --client-secret.", 'properties.servicePrincipalProfile.secret');
      }
    }
  }
  const usesMsi = !!identity || spClientId?.toLowerCase() === 'msi';
  let identityOut = identity;
  if (!identity && spClientId?.toLowerCase() === 'msi') identityOut = { type: 'SystemAssigned', principalId: guidFrom(`${id}/identity`), tenantId: services.config.tenantId };

  // Agent pools: merged with what exists by name.
  const rawPools = bodyProps.agentPoolProfiles;
  if (rawPools !== undefined && !Array.isArray(rawPools)) throw Errors.invalidRequestContent("The property 'properties.agentPoolProfiles' must be an array.", 'properties.agentPoolProfiles');
  if (!ex && (!Array.isArray(rawPools) || rawPools.length === 0)) {
    throw Errors.invalidParameter('A managed cluster needs at least one agent pool in properties.agentPoolProfiles, and one of them in System mode.', 'properties.agentPoolProfiles');
  }

  // Kubernetes version of the control plane.
  const askedVersion = typeof props.kubernetesVersion === 'string' ? props.kubernetesVersion.trim() : '';
  const currentVersion: string | undefined = exProps.currentKubernetesVersion;
  let version: string;
  if (ex && (askedVersion === '' || askedVersion === exProps.kubernetesVersion)) {
    version = currentVersion!;
    props.kubernetesVersion = exProps.kubernetesVersion;
  } else {
    const full = resolveKubernetesVersion(doc, askedVersion);
    if (!full) {
      assertFits(doc, [{ feature: 'kubernetesVersion', value: askedVersion, target: 'properties.kubernetesVersion' }]);
      throw Errors.invalid('KubernetesVersionNotSupported', `Kubernetes version '${askedVersion}' (properties.kubernetesVersion, az: --kubernetes-version) is not supported on ${target.where}.`, 'properties.kubernetesVersion');
    }
    version = full;
    props.kubernetesVersion = askedVersion === '' ? full : askedVersion;
    if (ex && currentVersion && full !== currentVersion) {
      assertFits(doc, [{ feature: 'upgrade', value: { from: currentVersion, to: full }, target: 'properties.kubernetesVersion' }]);
    }
  }

  props.networkProfile = networkDefaults(props.networkProfile, doc, sub, nodeRg, id);
  const exPools = ex ? poolsOf(services, id) : [];
  const pools: Profile[] = [];
  const poolVersions: Record<string, string> = {};
  const names = new Set<string>();
  (Array.isArray(rawPools) ? rawPools : []).forEach((raw: any, i: number) => {
    const where = `properties.agentPoolProfiles[${i}]`;
    if (!isObj(raw)) throw Errors.invalidRequestContent(`${where} must be an object.`, where);
    const pname = checkPoolName(raw.name, String(raw.osType ?? 'Linux'), `${where}.name`);
    if (names.has(pname)) throw Errors.invalidParameter(`The agent pool name '${pname}' appears twice in properties.agentPoolProfiles.`, `${where}.name`);
    names.add(pname);
    const exPool = exPools.find((p) => p.name === pname);
    const { profile, version: pv } = normalizePool(raw, pname, {
      doc,
      clusterVersion: version,
      networkPlugin: props.networkProfile.networkPlugin,
      where,
      existing: exPool,
      defaultMode: i === 0 && !ex ? 'System' : 'User',
    });
    pools.push(profile);
    poolVersions[pname] = pv;
  });
  // Pools the body leaves out stay (they go away through the agentPools API).
  for (const p of exPools) {
    if (!names.has(p.name)) {
      pools.push(structuredClone(p));
      poolVersions[p.name] = p.currentOrchestratorVersion;
    }
  }
  if (!pools.some((p) => p.mode === 'System')) {
    throw Errors.invalidParameter('A managed cluster needs at least one agent pool in System mode (properties.agentPoolProfiles[].mode).', 'properties.agentPoolProfiles');
  }

  // What the target can do.
  const features = clusterFeatures(props, identityOut?.type, pools, body);
  if (!ex && !usesMsi && !spClientId) {
    if (doc.identityTypes.length === 1 && doc.identityTypes[0] === 'ServicePrincipal') {
      features.unshift({ feature: 'identityType', value: 'SystemAssigned', target: 'properties.servicePrincipalProfile' });
    } else {
      identityOut = { type: 'SystemAssigned', principalId: guidFrom(`${id}/identity`), tenantId: services.config.tenantId };
    }
  }
  if (ex && !doc.aksUpdate) {
    const changed = changedSettings(exProps, bodyProps);
    if (changed.length) features.unshift({ feature: 'update', value: true, target: `properties.${changed[0]}` });
  }
  const refusals = withHints(checkCapabilities(doc, features));
  if (refusals.length) {
    const missingSp = refusals.find((r) => r.target === 'properties.servicePrincipalProfile');
    if (missingSp) {
      missingSp.message = `${target.where} does not support managed identities and the request names no service principal; only service principals are supported: set properties.servicePrincipalProfile.clientId and .secret (az: pass --service-principal and --client-secret).`;
    }
    throw capabilityError(refusals);
  }
  if (props.disableLocalAccounts === true && !props.aadProfile?.managed) {
    throw Errors.badRequest('Local accounts can only be disabled on clusters with managed Azure AD integration (properties.aadProfile.managed); add --enable-aad or keep local accounts.', 'properties.disableLocalAccounts');
  }
  if (props.apiServerAccessProfile?.enablePrivateCluster === true && Array.isArray(props.apiServerAccessProfile?.authorizedIPRanges) && props.apiServerAccessProfile.authorizedIPRanges.length) {
    throw Errors.badRequest('API server authorized IP ranges cannot be used with a private cluster.', 'properties.apiServerAccessProfile.authorizedIPRanges');
  }
  if (ex && exProps.apiServerAccessProfile?.enablePrivateCluster !== props.apiServerAccessProfile?.enablePrivateCluster && 'apiServerAccessProfile' in bodyProps && !!exProps.apiServerAccessProfile?.enablePrivateCluster !== !!props.apiServerAccessProfile?.enablePrivateCluster) {
    throw Errors.invalid('PropertyChangeNotAllowed', "Changing property 'apiServerAccessProfile.enablePrivateCluster' is not allowed: a cluster is private or not from creation.", 'properties.apiServerAccessProfile.enablePrivateCluster');
  }
  for (const ipr of (props.apiServerAccessProfile?.authorizedIPRanges as unknown[] | undefined) ?? []) {
    if (typeof ipr !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(ipr)) {
      throw Errors.invalidParameter(`The authorized IP range '${String(ipr)}' is not an IPv4 address or CIDR.`, 'properties.apiServerAccessProfile.authorizedIPRanges');
    }
  }

  // What changes (updates) and what the fabric must do.
  const stopped = ex ? isStopped(ex) : false;
  const scaled: Profile[] = [];
  const upgradedPools: Profile[] = [];
  for (const p of pools) {
    const before = exPools.find((x) => x.name === p.name);
    if (!before || before.count !== p.count) scaled.push(p);
    if (before && poolVersions[p.name] !== before.currentOrchestratorVersion) upgradedPools.push(p);
  }
  const cpUpgrade = !!ex && version !== currentVersion;
  if (stopped && (scaled.length || upgradedPools.length || cpUpgrade)) {
    throw Errors.operationNotAllowed(`Managed cluster '${name}' is stopped; start it (az aks start) before scaling, upgrading or adding node pools.`);
  }
  for (const p of scaled) {
    if (upgradedPools.includes(p) && exPools.some((x) => x.name === p.name)) {
      throw Errors.invalid('OperationNotAllowed', `Agent pool '${p.name}' cannot be scaled and upgraded in one request; do one, then the other.`, 'properties.agentPoolProfiles');
    }
  }

  // Fill what AKS fills.
  props.enableRBAC = props.enableRBAC ?? true;
  props.addonProfiles = props.addonProfiles ?? {};
  if (props.disableLocalAccounts === undefined) props.disableLocalAccounts = false;
  if (props.storageProfile === undefined || (isObj(props.storageProfile) && Object.keys(props.storageProfile).length === 0)) {
    props.storageProfile = exProps.storageProfile ?? { diskCSIDriver: { enabled: true }, fileCSIDriver: { enabled: target.kind !== 'AzureStackHub' }, snapshotController: { enabled: true } };
  }
  if (props.supportPlan === undefined) props.supportPlan = 'KubernetesOfficial';
  if (props.oidcIssuerProfile === undefined) props.oidcIssuerProfile = { enabled: false };
  props.servicePrincipalProfile = { clientId: usesMsi || identityOut ? 'msi' : spClientId! };
  if (!usesMsi && !identityOut) delete props.identityProfile;
  else if (!props.identityProfile) {
    props.identityProfile = {
      kubeletidentity: {
        resourceId: `/subscriptions/${sub}/resourcegroups/${nodeRg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}-agentpool`,
        clientId: guidFrom(`${id}/kubelet/client`),
        objectId: guidFrom(`${id}/kubelet/object`),
      },
    };
  }
  Object.assign(props, endpoints(props.dnsPrefix ?? props.fqdnSubdomain, id, location, target.kind, props.apiServerAccessProfile?.enablePrivateCluster === true, props.apiServerAccessProfile?.enablePrivateClusterPublicFQDN === true));
  if (ex && exProps.fqdn && props.fqdn) props.fqdn = exProps.fqdn;
  props.maxAgentPools = doc.maxAgentPools;
  props.currentKubernetesVersion = ex ? currentVersion : version;
  props.powerState = ex ? exProps.powerState ?? { code: 'Running' } : { code: 'Running' };
  props.provisioningState = !ex ? 'Creating' : cpUpgrade || upgradedPools.length ? 'Upgrading' : scaled.length ? 'Scaling' : 'Updating';
  for (const p of pools) {
    const before = exPools.find((x) => x.name === p.name);
    p.provisioningState = !before ? 'Creating' : upgradedPools.includes(p) ? 'Upgrading' : scaled.includes(p) ? 'Scaling' : ex ? 'Updating' : 'Creating';
  }
  delete props.agentPoolProfiles; // kept once: as the agentPools children below

  if (!internal.secrets) internal.secrets = await newClusterSecrets(name);
  internal.site = target.site;

  // The plan.
  let tasks: TaskSpec[];
  if (!ex) {
    tasks = createPlan(id, target, version, pools.map((p) => ({ name: p.name, count: p.count, vmSize: p.vmSize, kubernetesVersion: poolVersions[p.name] })));
  } else {
    tasks = [];
    for (const p of scaled) tasks.push(...scalePlan(services, id, target, { name: p.name, count: p.count, vmSize: p.vmSize, kubernetesVersion: poolVersions[p.name] }));
    let cpLast: string[] = [];
    if (cpUpgrade) {
      const cp = upgradeTasks(services, id, target, version, true);
      tasks.push(...cp);
      if (cp.length) cpLast = [cp[cp.length - 1].id];
    }
    for (const p of upgradedPools) {
      const pt = poolUpgradeTasks(services, id, target, p.name, poolVersions[p.name]);
      if (pt.length && cpLast.length) pt[0].dependsOn = [...(pt[0].dependsOn ?? []), ...cpLast];
      tasks.push(...pt);
    }
  }
  tasks.push(settleTask(tasks.map((t) => t.id)));

  const resource: ArmResource = { ...candidate, sku: skuFor(body, ex?.resource), properties: props };
  if (identityOut) resource.identity = identityOut;
  else delete resource.identity;
  const data: OpData = { verb: ex ? 'update' : 'create', before: ex ? { ...exProps, agentPoolProfiles: exPools } : undefined, version, poolVersions };
  // The pools are stored with the cluster, in the same write (their own writes wait on the cluster's operation).
  let order = ex ? nextPoolOrder(services, id) : 0;
  const related = { put: pools.map((p) => poolResource(id, p, { order: exPools.some((x) => x.name === p.name) ? undefined : order++ })) };
  // A new cluster's node resource group, managed by it, with its infrastructure: in the same write.
  if (!ex) related.put.push(...nodeGroupResources(nodeGroupInput(services, { resource: { ...resource, id, name } }, pools, target)));
  return { resource, internal, related, operation: { kind: ex ? ('update' as const) : ('create' as const), tasks, data: data as Record<string, unknown> } };
}

// ---- completion --------------------------------------------------------------------------------------------

async function clusterSucceeded(op: OperationRecord, stored: StoredResource | undefined, services: Services): Promise<Completion> {
  if (!stored) return { resource: undefined };
  // The node resource group goes with the cluster.
  if (op.kind === 'delete') return { resource: undefined, related: { delete: nodeGroupOf(services, stored) } };
  const data = (op.data ?? { verb: op.action ?? op.kind }) as OpData;
  const s: StoredResource = structuredClone(stored);
  delete s.operationId;
  const props = s.resource.properties!;
  const pools = poolsOf(services, s.resource.id);
  const kind = targetOfStored(services, s).kind;
  switch (data.verb) {
    case 'create':
    case 'update':
      if (data.version) props.currentKubernetesVersion = data.version;
      for (const p of pools) {
        const v = data.poolVersions?.[p.name];
        if (v && v !== p.currentOrchestratorVersion) {
          p.currentOrchestratorVersion = v;
          p.nodeImageVersion = nodeImageVersion(p.osType, p.osSKU, v, kind);
        }
      }
      break;
    case 'stop':
    case 'start': {
      const code = data.verb === 'stop' ? 'Stopped' : 'Running';
      props.powerState = { code };
      for (const p of pools) p.powerState = { code };
      break;
    }
    case 'rotate':
      s.internal.secrets = await newClusterSecrets(s.resource.name);
      break;
    case 'resetServicePrincipal':
      if (data.sp) {
        props.servicePrincipalProfile = { clientId: data.sp.clientId };
        s.internal.spSecret = data.sp.secret;
      }
      break;
    default:
      break;
  }
  applyFabricStatus(services, s.resource.id, props, pools);
  props.provisioningState = 'Succeeded';
  for (const p of pools) p.provisioningState = 'Succeeded';
  const infra = nodeGroupSync(services, s, pools);
  return { resource: s, related: { put: [...pools.map((p) => poolResource(s.resource.id, p)), ...infra.put], delete: infra.delete } };
}

function clusterFailed(op: OperationRecord, stored: StoredResource | undefined, _error: unknown, services: Services): Completion {
  if (!stored) return { resource: undefined };
  const data = (op.data ?? { verb: op.action ?? op.kind }) as OpData;
  const state = op.cancelRequested ? 'Canceled' : 'Failed';
  const s: StoredResource = structuredClone(stored);
  delete s.operationId;
  delete s.deleting;
  const props = s.resource.properties!;
  let pools = poolsOf(services, s.resource.id);
  const gone: string[] = [];
  if (data.verb === 'update' && data.before) {
    // The fabric undid its work: show the cluster as it is (previous pools, counts and versions), failed.
    const before = data.before;
    const beforePools = (before.agentPoolProfiles as Profile[]) ?? [];
    props.kubernetesVersion = before.kubernetesVersion;
    props.currentKubernetesVersion = before.currentKubernetesVersion;
    for (const p of pools) if (!beforePools.some((b) => b.name === p.name)) gone.push(`${s.resource.id}/agentPools/${p.name}`);
    pools = pools.filter((p) => beforePools.some((b) => b.name === p.name)).map((p) => structuredClone(beforePools.find((b) => b.name === p.name)!));
  }
  if ((data.verb === 'stop' || data.verb === 'start') && data.before?.powerState) {
    props.powerState = data.before.powerState;
    for (const p of pools) p.powerState = data.before.powerState;
  }
  // What is true after a failed create: no VMs run.
  if (data.verb === 'create' && (clusterStatus(services, s.resource.id)?.vms.length ?? 0) === 0 && services.fabric && targetOfStored(services, s).site) {
    props.powerState = { code: 'Stopped' };
    for (const p of pools) p.powerState = { code: 'Stopped' };
  }
  if (data.verb !== 'create') applyFabricStatus(services, s.resource.id, props, pools);
  props.provisioningState = state;
  for (const p of pools) p.provisioningState = state;
  const infra = nodeGroupSync(services, s, pools);
  return { resource: s, related: { put: [...pools.map((p) => poolResource(s.resource.id, p)), ...infra.put], delete: [...gone, ...infra.delete] } };
}

// ---- actions ---------------------------------------------------------------------------------------------------

type ActionCtx = RequestContext & { existing: StoredResource };

export function credentials(kinds: CredentialKind[]) {
  return (ctx: ActionCtx) => {
    const s = ctx.existing;
    const props = s.resource.properties ?? {};
    if (kinds[0] === 'clusterAdmin' && props.disableLocalAccounts === true) {
      throw Errors.badRequest('Getting static credential is not allowed because this cluster is set to disable local accounts.');
    }
    const secrets = s.internal.secrets as ClusterSecrets | undefined;
    if (!secrets) throw Errors.operationNotAllowed(`The credentials of managed cluster '${s.resource.name}' are not ready yet.`);
    const asked = ctx.query['server-fqdn'] ?? ctx.query.serverFqdn;
    if (asked) {
      // The FQDN is the cluster's name in Azure; the kubeconfig always points at the emulator's API server of it.
      const allowed = [props.fqdn, props.privateFQDN, props.azurePortalFQDN].filter(Boolean).map((x: string) => x.toLowerCase());
      if (!allowed.includes(asked.toLowerCase())) throw Errors.invalidParameter(`The server FQDN '${asked}' is not one of the cluster's FQDNs (${allowed.join(', ')}).`, 'server-fqdn');
    }
    const format = ctx.query.format;
    if (format !== undefined && !['azure', 'exec'].includes(format.toLowerCase())) {
      throw Errors.invalidParameter(`The credential format '${format}' is invalid; use azure or exec.`, 'format');
    }
    const body = kubeconfigResults(ctx.services, s.resource.id, kinds, { clusterName: s.resource.name, resourceGroup: ctx.path.resourceGroup!, secrets, principal: ctx.principal, aad: !!props.aadProfile });
    return { status: 200, body };
  };
}

/** The cluster with a transient state, stored with an action's operation. */
function marked(ctx: ActionCtx, state: string): ArmResource {
  const r = structuredClone(ctx.existing.resource);
  r.properties = { ...(r.properties ?? {}), provisioningState: state };
  return r;
}

function powerAction(verb: 'stop' | 'start') {
  return (ctx: ActionCtx): ActionOutcome => {
    if (!offeredAt(`managedClusters/${verb}`, ctx.apiVersion)) throw Errors.actionNotFound(`managedClusters/${verb}`, NS, ctx.apiVersion);
    const s = ctx.existing;
    refuseIfBusy(ctx.services, s.resource.id, `${verb === 'stop' ? 'stopping' : 'starting'} the cluster`);
    const stopped = isStopped(s);
    if ((verb === 'stop' && stopped) || (verb === 'start' && !stopped)) return { status: 204 };
    const target = targetOfStored(ctx.services, s);
    const tasks = verb === 'stop' ? stopTasks(ctx.services, s.resource.id, target) : startTasks(ctx.services, s.resource.id, target);
    tasks.push(settleTask(tasks.map((t) => t.id)));
    const data: OpData = { verb, before: { powerState: s.resource.properties?.powerState } };
    return { resource: marked(ctx, verb === 'stop' ? 'Stopping' : 'Starting'), operation: { kind: 'action', action: verb, tasks, data: data as Record<string, unknown> } };
  };
}

function rotate(ctx: ActionCtx): ActionOutcome {
  refuseIfBusy(ctx.services, ctx.existing.resource.id, 'rotating certificates');
  if (isStopped(ctx.existing)) throw Errors.operationNotAllowed(`Managed cluster '${ctx.existing.resource.name}' is stopped; start it before rotating its certificates.`);
  const data: OpData = { verb: 'rotate' };
  return { resource: marked(ctx, 'RotatingClusterCertificates'), operation: { kind: 'action', action: 'rotateClusterCertificates', tasks: [settleTask([], 10_000)], data: data as Record<string, unknown> } };
}

function resetServicePrincipal(ctx: ActionCtx): ActionOutcome {
  const s = ctx.existing;
  const body = ctx.body;
  if (!isObj(body) || typeof body.clientId !== 'string' || body.clientId === '') {
    throw Errors.invalidParameter('The request body needs clientId (and secret) of the new service principal.', 'clientId');
  }
  if (typeof body.secret !== 'string' || body.secret === '') throw Errors.invalidParameter('The request body needs the secret of the service principal.', 'secret');
  if (s.resource.identity || s.resource.properties?.servicePrincipalProfile?.clientId === 'msi') {
    throw Errors.badRequest(`Managed cluster '${s.resource.name}' uses a managed identity; it has no service principal to reset.`);
  }
  refuseIfBusy(ctx.services, s.resource.id, 'resetting the service principal');
  const data: OpData = { verb: 'resetServicePrincipal', sp: { clientId: body.clientId, secret: body.secret } };
  return { resource: marked(ctx, 'Updating'), operation: { kind: 'action', action: 'resetServicePrincipalProfile', tasks: [settleTask([], 5_000)], data: data as Record<string, unknown> } };
}

function abort(ctx: ActionCtx): ActionOutcome {
  if (!offeredAt('managedClusters/abort', ctx.apiVersion)) throw Errors.actionNotFound('managedClusters/abort', NS, ctx.apiVersion);
  const { services } = ctx;
  const s = ctx.existing;
  const candidates = [s, ...services.resources.listByParent(s.resource.id)];
  let found: { res: StoredResource; op: OperationRecord } | undefined;
  for (const c of candidates) {
    const op = c.operationId ? services.asyncOperations.get(c.operationId) : undefined;
    if (op && op.status === 'InProgress' && !op.cancelRequested) found = { res: c, op };
  }
  if (!found) throw Errors.operationNotAllowed(`There is no operation in progress on managed cluster '${s.resource.name}' to abort.`);
  if (found.op.kind === 'delete') throw Errors.operationNotAllowed(`The delete of managed cluster '${s.resource.name}' cannot be aborted.`);
  const canceling = structuredClone(found.res.resource);
  canceling.properties = { ...(canceling.properties ?? {}), provisioningState: 'Canceling' };
  const cancel = { operationId: found.op.id, message: `The ${found.op.kind === 'action' ? found.op.action : found.op.kind} operation was aborted by an abort request.` };
  if (found.res === s) return { status: 204, resource: canceling, cancel };
  return { status: 204, related: { put: [{ resource: canceling }] }, cancel };
}

// ---- the definition ------------------------------------------------------------------------------------------

export const managedClusters: ResourceTypeDefinition = {
  namespace: NS,
  type: 'managedClusters',
  scope: 'resourceGroup',
  tracked: true,
  locations: '*',
  apiVersions: AKS_API_VERSIONS,
  listBySubscription: true,
  schema: 'Microsoft.ContainerService/managedCluster.json',
  patch: 'tags',
  capabilities: 'CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SupportsTags, SupportsLocation',
  nameRule: {
    pattern: /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/,
    message: 'It must be 1-63 characters of letters, digits, underscores and hyphens, starting and ending with a letter or digit.',
  },
  providerOperations: [
    { name: 'managedClusters/read', operation: 'Get Managed Cluster', description: 'Gets a managed cluster.' },
    { name: 'managedClusters/write', operation: 'Create or Update Managed Cluster', description: 'Creates a new managed cluster or updates an existing one.' },
    { name: 'managedClusters/delete', operation: 'Delete Managed Cluster', description: 'Deletes a managed cluster.' },
    { name: 'managedClusters/start/action', operation: 'Start Managed Cluster', description: 'Starts a managed cluster.' },
    { name: 'managedClusters/stop/action', operation: 'Stop Managed Cluster', description: 'Stops a managed cluster.' },
    { name: 'managedClusters/abort/action', operation: 'Abort Operation', description: 'Aborts the latest operation on a managed cluster.' },
    { name: 'managedClusters/listClusterAdminCredential/action', operation: 'List clusterAdmin credential', description: 'Lists the clusterAdmin credential of a managed cluster.' },
    { name: 'managedClusters/listClusterUserCredential/action', operation: 'List clusterUser credential', description: 'Lists the clusterUser credential of a managed cluster.' },
    { name: 'managedClusters/listClusterMonitoringUserCredential/action', operation: 'List clusterMonitoringUser credential', description: 'Lists the clusterMonitoringUser credential of a managed cluster.' },
    { name: 'managedClusters/rotateClusterCertificates/action', operation: 'Rotate certificates', description: 'Rotates the certificates of a managed cluster.' },
    { name: 'managedClusters/resetServicePrincipalProfile/action', operation: 'Reset service principal profile', description: 'Resets the service principal of a managed cluster.' },
  ],

  onPut: putCluster,

  onPatch(ctx, candidate) {
    const body = ctx.body ?? {};
    const target = targetOfStored(ctx.services, ctx.existing);
    const others = Object.keys(body).filter((k) => k !== 'tags' && body[k] !== undefined && body[k] !== null);
    if (others.length && !target.doc.aksUpdate) {
      assertFits(target.doc, [{ feature: 'update', value: true, target: others[0] === 'properties' ? `properties.${Object.keys(body.properties ?? {})[0] ?? ''}`.replace(/\.$/, '') : others[0] }]);
    }
    if (others.length) {
      throw Errors.invalidParameter(`Only tags can be updated with PATCH on a managed cluster; the request also sets ${others.join(', ')}. Use a PUT (az aks update) for other changes.`, others[0]);
    }
    refuseIfBusy(ctx.services, ctx.existing.resource.id, 'updating tags');
    return { resource: candidate };
  },

  onDelete(ctx) {
    refuseIfBusy(ctx.services, ctx.existing.resource.id, 'deleting the cluster');
    const target = targetOfStored(ctx.services, ctx.existing);
    const tasks = deleteTasks(ctx.services, ctx.existing.resource.id, target);
    tasks.push(settleTask(tasks.map((t) => t.id)));
    const data: OpData = { verb: 'delete' };
    return { operation: { kind: 'delete', tasks, data: data as Record<string, unknown> } };
  },

  actions: {
    listClusterAdminCredential: credentials(['clusterAdmin']),
    listClusterUserCredential: credentials(['clusterUser']),
    listClusterMonitoringUserCredential: credentials(['clusterMonitoringUser']),
    start: powerAction('start'),
    stop: powerAction('stop'),
    abort,
    rotateClusterCertificates: rotate,
    resetServicePrincipalProfile: resetServicePrincipal,
    runCommand,
    resetAADProfile,
    rotateServiceAccountSigningKeys,
  },

  toWire: clusterWire,
  onOperationSucceeded: clusterSucceeded,
  onOperationFailed: clusterFailed,
};

