// PUT of a managed cluster: create, and the full update that az aks scale / upgrade / update and nodepool add
// send. putCluster composes small functions, one a seam of the request, in the order AKS checks them:
//   the request:      dnsPrefixFor, nodeResourceGroupFor, identityFor, servicePrincipalProfileFor, skuFor
//   the version:      kubernetesVersionFor (the control plane's; a pool's in agentPoolProfilesFor)
//   the pools:        agentPoolProfilesFor (merged with the stored pools by name)
//   the target:       checkTargetCapabilities (what a Hub stamp or region can do), checkApiServerAccessProfile
//   what changes:     clusterChanges, checkChangesAllowed (a stopped cluster; scale and upgrade at once)
//   what AKS fills:   networkProfileFor, applyAksDefaults, fqdnsFor, provisioningStates
//   the plan:         operationPlan (the fabric's tasks), then the related writes (pools, node resource group)
// Each is pure but for the plan's reads of the fabric; the hook returns, the core writes.

import { Errors } from '../../arm/errors.js';
import type { ArmResource, RequestContext, Services, WriteOutcome } from '../../framework/types.js';
import type { TaskSpec } from '../../arm/asyncOperations.js';
import { checkCapabilities, capabilityError, resolveKubernetesVersion, type CapabilityDocument, type FeatureRequest, type KubernetesTarget } from '../../kubernetes/capabilities.js';
import { newClusterSecrets } from '../../kubernetes/kubeconfig.js';
import { createPlan, poolUpgradeTasks, scalePlan, upgradeTasks } from './work.js';
import { checkPoolName, guidFrom, isObj, normalizePool, poolsOf, shortHash, stripReadOnly, type Profile } from './shape.js';
import { nodeGroupResources, nodeResourceGroupId } from './nodeResourceGroup.js';
import { isStopped, nextPoolOrder, nodeGroupInput, poolResource, refuseIfBusy, settleTask, targetFor, type OpData } from './clusterCommon.js';
import { assertFits, changedSettings, clusterFeatures, withHints } from './clusterCapabilities.js';

const DNS_PREFIX = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-a-zA-Z0-9]{0,52}[a-zA-Z0-9]$/;

/** Where the cluster is: its id's parts, the stored cluster (an update) and its properties. */
interface ClusterAt {
  id: string;
  name: string;
  rg: string;
  sub: string;
  location: string;
  /** An update: the properties stored now. A create: {}. */
  exProps: Record<string, any>;
  update: boolean;
}

// ---- the request ----------------------------------------------------------------------------------------------

/** properties.dnsPrefix: defaults as az makes it; immutable. */
function dnsPrefixFor(props: Record<string, any>, at: ClusterAt): string | undefined {
  let dnsPrefix = props.dnsPrefix;
  if (dnsPrefix === undefined || dnsPrefix === '') {
    dnsPrefix = props.fqdnSubdomain ? undefined : `${at.name.slice(0, 10)}-${at.rg.slice(0, 16)}-${at.sub.slice(0, 6)}`.replace(/[^a-zA-Z0-9-]/g, '').replace(/^-+|-+$/g, '');
  }
  if (dnsPrefix !== undefined && (typeof dnsPrefix !== 'string' || !DNS_PREFIX.test(dnsPrefix))) {
    throw Errors.invalid(
      'InvalidDNSPrefix',
      `The dnsPrefix '${String(dnsPrefix)}' is invalid: it must be 1-54 letters, digits and hyphens, starting and ending with a letter or digit.`,
      'properties.dnsPrefix',
    );
  }
  if (at.update && at.exProps.dnsPrefix && dnsPrefix !== at.exProps.dnsPrefix) {
    throw Errors.invalid('PropertyChangeNotAllowed', `Changing property 'dnsPrefix' is not allowed (it is '${at.exProps.dnsPrefix}').`, 'properties.dnsPrefix');
  }
  return dnsPrefix;
}

/** properties.nodeResourceGroup: AKS's name unless the body names one; immutable; a new one must not exist yet (`exists`). */
function nodeResourceGroupFor(props: Record<string, any>, bodyProps: Record<string, any>, at: ClusterAt, exists: (name: string) => boolean): string {
  const nodeRg: string = at.update
    ? at.exProps.nodeResourceGroup
    : typeof props.nodeResourceGroup === 'string' && props.nodeResourceGroup !== ''
      ? props.nodeResourceGroup
      : defaultNodeResourceGroup(at.rg, at.name, at.location);
  if (at.update && bodyProps.nodeResourceGroup && String(bodyProps.nodeResourceGroup).toLowerCase() !== String(nodeRg).toLowerCase()) {
    throw Errors.invalid('PropertyChangeNotAllowed', `Changing property 'nodeResourceGroup' is not allowed (it is '${nodeRg}').`, 'properties.nodeResourceGroup');
  }
  if (!at.update) {
    if (String(nodeRg).toLowerCase() === at.rg.toLowerCase()) {
      throw Errors.invalidParameter(
        `The node resource group '${nodeRg}' must not be the cluster's own resource group; AKS creates it and manages it (properties.nodeResourceGroup, az aks create --node-resource-group).`,
        'properties.nodeResourceGroup',
      );
    }
    if (exists(nodeRg)) {
      throw Errors.invalid(
        'NodeResourceGroupAlreadyExists',
        `The node resource group '${nodeRg}' already exists; AKS creates the node resource group itself. Pick a name that is not in use (properties.nodeResourceGroup, az aks create --node-resource-group).`,
        'properties.nodeResourceGroup',
      );
    }
  }
  return nodeRg;
}

/** properties.servicePrincipalProfile: the client id (the stored one unless the body names one) and a new secret; 'msi' means a managed identity. */
function servicePrincipalProfileFor(bodyProps: Record<string, any>, at: ClusterAt, identity: Record<string, any> | undefined): { clientId?: string; secret?: string } {
  const spRaw = bodyProps.servicePrincipalProfile;
  const stored: string | undefined = at.exProps.servicePrincipalProfile?.clientId;
  if (!isObj(spRaw) || typeof spRaw.clientId !== 'string' || spRaw.clientId === '') return { clientId: stored };
  const clientId: string = spRaw.clientId;
  if (typeof spRaw.secret === 'string' && spRaw.secret !== '') return { clientId, secret: spRaw.secret };
  if ((!at.update || clientId !== stored) && clientId.toLowerCase() !== 'msi' && !identity) {
    throw Errors.invalidParameter("The service principal's secret (properties.servicePrincipalProfile.secret) is required; pass --client-secret.", 'properties.servicePrincipalProfile.secret');
  }
  return { clientId };
}

/** A system-assigned identity of the cluster, as AKS gives one. */
function systemAssigned(id: string, tenantId: string): Record<string, any> {
  return { type: 'SystemAssigned', principalId: guidFrom(`${id}/identity`), tenantId };
}

// ---- the version and the pools ------------------------------------------------------------------------------------

/** The control plane's Kubernetes version: `version` the full one it goes to, `kubernetesVersion` as shown, `currentVersion` the running one (an update). */
function kubernetesVersionFor(props: Record<string, any>, at: ClusterAt, target: KubernetesTarget): { version: string; kubernetesVersion: string; currentVersion?: string } {
  const doc = target.doc;
  const askedVersion = typeof props.kubernetesVersion === 'string' ? props.kubernetesVersion.trim() : '';
  const currentVersion: string | undefined = at.exProps.currentKubernetesVersion;
  if (at.update && (askedVersion === '' || askedVersion === at.exProps.kubernetesVersion)) {
    return { version: currentVersion!, kubernetesVersion: at.exProps.kubernetesVersion, currentVersion };
  }
  const full = resolveKubernetesVersion(doc, askedVersion);
  if (!full) {
    assertFits(doc, [{ feature: 'kubernetesVersion', value: askedVersion, target: 'properties.kubernetesVersion' }]);
    throw Errors.invalid(
      'KubernetesVersionNotSupported',
      `Kubernetes version '${askedVersion}' (properties.kubernetesVersion, az: --kubernetes-version) is not supported on ${target.where}.`,
      'properties.kubernetesVersion',
    );
  }
  if (at.update && currentVersion && full !== currentVersion) {
    assertFits(doc, [{ feature: 'upgrade', value: { from: currentVersion, to: full }, target: 'properties.kubernetesVersion' }]);
  }
  return { version: full, kubernetesVersion: askedVersion === '' ? full : askedVersion, currentVersion };
}

/** properties.agentPoolProfiles merged with the stored pools by name (pools the body leaves out stay: they go away through the agentPools API), with the full version each goes to. */
function agentPoolProfilesFor(
  rawPools: unknown[],
  exPools: Profile[],
  opts: { doc: CapabilityDocument; clusterVersion: string; networkPlugin: string; update: boolean },
): { pools: Profile[]; poolVersions: Record<string, string> } {
  const pools: Profile[] = [];
  const poolVersions: Record<string, string> = {};
  const names = new Set<string>();
  rawPools.forEach((raw: any, i: number) => {
    const where = `properties.agentPoolProfiles[${i}]`;
    if (!isObj(raw)) throw Errors.invalidRequestContent(`${where} must be an object.`, where);
    const pname = checkPoolName(raw.name, String(raw.osType ?? 'Linux'), `${where}.name`);
    if (names.has(pname)) throw Errors.invalidParameter(`The agent pool name '${pname}' appears twice in properties.agentPoolProfiles.`, `${where}.name`);
    names.add(pname);
    const { profile, version } = normalizePool(raw, pname, {
      doc: opts.doc,
      clusterVersion: opts.clusterVersion,
      networkPlugin: opts.networkPlugin,
      where,
      existing: exPools.find((p) => p.name === pname),
      defaultMode: i === 0 && !opts.update ? 'System' : 'User',
    });
    pools.push(profile);
    poolVersions[pname] = version;
  });
  for (const p of exPools) {
    if (!names.has(p.name)) {
      pools.push(structuredClone(p));
      poolVersions[p.name] = p.currentOrchestratorVersion;
    }
  }
  if (!pools.some((p) => p.mode === 'System')) {
    throw Errors.invalidParameter('A managed cluster needs at least one agent pool in System mode (properties.agentPoolProfiles[].mode).', 'properties.agentPoolProfiles');
  }
  return { pools, poolVersions };
}

// ---- the target --------------------------------------------------------------------------------------------------

/**
 * What the target can do, all refusals at once. A new cluster that names neither an identity nor a service
 * principal gets a system-assigned identity where the target has managed identities (returned), and is refused
 * where it has service principals only.
 */
function checkTargetCapabilities(
  target: KubernetesTarget,
  req: { props: Record<string, any>; bodyProps: Record<string, any>; body: any; pools: Profile[]; identity: Record<string, any> | undefined; usesMsi: boolean; spClientId?: string; tenantId: string },
  at: ClusterAt,
): Record<string, any> | undefined {
  const doc = target.doc;
  let identity = req.identity;
  const features: FeatureRequest[] = clusterFeatures(req.props, identity?.type, req.pools, req.body);
  if (!at.update && !req.usesMsi && !req.spClientId) {
    if (doc.identityTypes.length === 1 && doc.identityTypes[0] === 'ServicePrincipal') {
      features.unshift({ feature: 'identityType', value: 'SystemAssigned', target: 'properties.servicePrincipalProfile' });
    } else {
      identity = systemAssigned(at.id, req.tenantId);
    }
  }
  if (at.update && !doc.aksUpdate) {
    const changed = changedSettings(at.exProps, req.bodyProps);
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
  return identity;
}

/** disableLocalAccounts needs managed AAD; apiServerAccessProfile: private or not from creation, authorized IP ranges (IPv4, not with a private cluster). */
function checkApiServerAccessProfile(props: Record<string, any>, bodyProps: Record<string, any>, at: ClusterAt): void {
  const asp = props.apiServerAccessProfile;
  const exAsp = at.exProps.apiServerAccessProfile;
  if (props.disableLocalAccounts === true && !props.aadProfile?.managed) {
    throw Errors.badRequest(
      'Local accounts can only be disabled on clusters with managed Azure AD integration (properties.aadProfile.managed); add --enable-aad or keep local accounts.',
      'properties.disableLocalAccounts',
    );
  }
  if (asp?.enablePrivateCluster === true && Array.isArray(asp?.authorizedIPRanges) && asp.authorizedIPRanges.length) {
    throw Errors.badRequest('API server authorized IP ranges cannot be used with a private cluster.', 'properties.apiServerAccessProfile.authorizedIPRanges');
  }
  if (at.update && exAsp?.enablePrivateCluster !== asp?.enablePrivateCluster && 'apiServerAccessProfile' in bodyProps && !!exAsp?.enablePrivateCluster !== !!asp?.enablePrivateCluster) {
    throw Errors.invalid(
      'PropertyChangeNotAllowed',
      "Changing property 'apiServerAccessProfile.enablePrivateCluster' is not allowed: a cluster is private or not from creation.",
      'properties.apiServerAccessProfile.enablePrivateCluster',
    );
  }
  for (const ipr of (asp?.authorizedIPRanges as unknown[] | undefined) ?? []) {
    if (typeof ipr !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(ipr)) {
      throw Errors.invalidParameter(`The authorized IP range '${String(ipr)}' is not an IPv4 address or CIDR.`, 'properties.apiServerAccessProfile.authorizedIPRanges');
    }
  }
}

// ---- what changes --------------------------------------------------------------------------------------------

interface ClusterChanges {
  /** Pools new or with another count. */
  scaled: Profile[];
  /** Stored pools going to another version. */
  upgradedPools: Profile[];
  /** The control plane goes to another version. */
  controlPlaneUpgrade: boolean;
}

function clusterChanges(pools: Profile[], exPools: Profile[], poolVersions: Record<string, string>, version: string, currentVersion: string | undefined, update: boolean): ClusterChanges {
  const scaled: Profile[] = [];
  const upgradedPools: Profile[] = [];
  for (const p of pools) {
    const before = exPools.find((x) => x.name === p.name);
    if (!before || before.count !== p.count) scaled.push(p);
    if (before && poolVersions[p.name] !== before.currentOrchestratorVersion) upgradedPools.push(p);
  }
  return { scaled, upgradedPools, controlPlaneUpgrade: update && version !== currentVersion };
}

/** A stopped cluster is neither scaled nor upgraded; a pool is not scaled and upgraded in one request. */
function checkChangesAllowed(c: ClusterChanges, exPools: Profile[], name: string, stopped: boolean): void {
  if (stopped && (c.scaled.length || c.upgradedPools.length || c.controlPlaneUpgrade)) {
    throw Errors.operationNotAllowed(`Managed cluster '${name}' is stopped; start it (az aks start) before scaling, upgrading or adding node pools.`);
  }
  for (const p of c.scaled) {
    if (c.upgradedPools.includes(p) && exPools.some((x) => x.name === p.name)) {
      throw Errors.invalid('OperationNotAllowed', `Agent pool '${p.name}' cannot be scaled and upgraded in one request; do one, then the other.`, 'properties.agentPoolProfiles');
    }
  }
}

// ---- what AKS fills ---------------------------------------------------------------------------------------------

/** enableRBAC, addonProfiles, storageProfile, supportPlan, oidcIssuerProfile, servicePrincipalProfile and the kubelet identity (identityProfile), as AKS fills them. */
function applyAksDefaults(props: Record<string, any>, at: ClusterAt, o: { target: KubernetesTarget; nodeRg: string; managedIdentity: boolean; spClientId?: string }): void {
  props.enableRBAC = props.enableRBAC ?? true;
  props.addonProfiles = props.addonProfiles ?? {};
  if (props.disableLocalAccounts === undefined) props.disableLocalAccounts = false;
  if (props.storageProfile === undefined || (isObj(props.storageProfile) && Object.keys(props.storageProfile).length === 0)) {
    props.storageProfile = at.exProps.storageProfile ?? { diskCSIDriver: { enabled: true }, fileCSIDriver: { enabled: o.target.kind !== 'AzureStackHub' }, snapshotController: { enabled: true } };
  }
  if (props.supportPlan === undefined) props.supportPlan = 'KubernetesOfficial';
  if (props.oidcIssuerProfile === undefined) props.oidcIssuerProfile = { enabled: false };
  props.servicePrincipalProfile = { clientId: o.managedIdentity ? 'msi' : o.spClientId! };
  if (!o.managedIdentity) delete props.identityProfile;
  else if (!props.identityProfile) {
    props.identityProfile = {
      kubeletidentity: {
        resourceId: `/subscriptions/${at.sub}/resourcegroups/${o.nodeRg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${at.name}-agentpool`,
        clientId: guidFrom(`${at.id}/kubelet/client`),
        objectId: guidFrom(`${at.id}/kubelet/object`),
      },
    };
  }
}

/** provisioningState of the cluster and of each pool while the operation runs. */
function provisioningStates(props: Record<string, any>, pools: Profile[], exPools: Profile[], c: ClusterChanges, update: boolean): void {
  props.provisioningState = !update ? 'Creating' : c.controlPlaneUpgrade || c.upgradedPools.length ? 'Upgrading' : c.scaled.length ? 'Scaling' : 'Updating';
  for (const p of pools) {
    const before = exPools.find((x) => x.name === p.name);
    p.provisioningState = !before ? 'Creating' : c.upgradedPools.includes(p) ? 'Upgrading' : c.scaled.includes(p) ? 'Scaling' : update ? 'Updating' : 'Creating';
  }
}

// ---- the plan ---------------------------------------------------------------------------------------------------

/** The fabric's tasks: a create plan, or the scales, the control-plane upgrade and then the pools' upgrades; the settle task last. */
function operationPlan(services: Services, at: ClusterAt, target: KubernetesTarget, version: string, pools: Profile[], poolVersions: Record<string, string>, c: ClusterChanges): TaskSpec[] {
  const spec = (p: Profile) => ({ name: p.name, count: p.count, vmSize: p.vmSize, kubernetesVersion: poolVersions[p.name] });
  let tasks: TaskSpec[];
  if (!at.update) {
    tasks = createPlan(at.id, target, version, pools.map(spec));
  } else {
    tasks = [];
    for (const p of c.scaled) tasks.push(...scalePlan(services, at.id, target, spec(p)));
    let cpLast: string[] = [];
    if (c.controlPlaneUpgrade) {
      const cp = upgradeTasks(services, at.id, target, version, true);
      tasks.push(...cp);
      if (cp.length) cpLast = [cp[cp.length - 1].id];
    }
    for (const p of c.upgradedPools) {
      const pt = poolUpgradeTasks(services, at.id, target, p.name, poolVersions[p.name]);
      if (pt.length && cpLast.length) pt[0].dependsOn = [...(pt[0].dependsOn ?? []), ...cpLast];
      tasks.push(...pt);
    }
  }
  tasks.push(settleTask(tasks.map((t) => t.id)));
  return tasks;
}

// ---- helpers of the request and the defaults ----------------------------------------------------------------

/** properties.networkProfile with what AKS fills in (plugin, CIDRs, outbound type, load balancer profile). */
function networkProfileFor(np: Record<string, any> | undefined, doc: CapabilityDocument, sub: string, nodeRg: string, id: string): Record<string, any> {
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

/** The node resource group name AKS picks: MC_{resource group}_{cluster}_{location}. */
function defaultNodeResourceGroup(rg: string, name: string, location: string): string {
  return `MC_${rg}_${name}_${location}`.slice(0, 80);
}

/** fqdn, privateFQDN and azurePortalFQDN of the API server. */
function fqdnsFor(dnsPrefix: string, id: string, location: string, kind: string, priv: boolean, publicFqdn: boolean) {
  const base = `${dnsPrefix.toLowerCase()}-${shortHash(id)}`;
  const domain = kind === 'AzureStackHub' ? `${location}.cloudapp.azurestack.external` : `hcp.${location}.azmk8s.io`;
  const out: Record<string, string> = {};
  if (!priv || publicFqdn) out.fqdn = `${base}.${domain}`;
  if (priv) out.privateFQDN = `${base}.${shortHash(`${id}/private`, 8)}.privatelink.${location}.azmk8s.io`;
  out.azurePortalFQDN = `${base}.portal.${domain}`;
  return out;
}

/** The cluster's managed identity (identity), as the body asks or as it was. */
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

/** sku: Base/Automatic and Free/Standard/Premium (Paid is Standard). */
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

export async function putCluster(ctx: RequestContext, candidate: ArmResource): Promise<WriteOutcome> {
  const { services } = ctx;
  const ex = ctx.existing;
  const body = ctx.body ?? {};
  const location = candidate.location!;
  const exProps: Record<string, any> = ex ? structuredClone(ex.resource.properties ?? {}) : {};
  const at: ClusterAt = { id: ctx.path.id, name: candidate.name, rg: ctx.path.resourceGroup!, sub: ctx.path.subscriptionId!, location, exProps, update: !!ex };
  const { id, name, sub } = at;
  const target = targetFor(services, location);
  if (ex) refuseIfBusy(services, ex.resource.id, 'updating the cluster');
  if (ex?.deleting) throw Errors.conflict(`The managed cluster '${name}' is being deleted.`);

  const bodyProps = stripReadOnly(candidate.properties ?? {}, 'cluster');
  for (const [k, v] of Object.entries(bodyProps)) if (v === null) delete bodyProps[k];
  // A full PUT replaces, but az's scale/upgrade bodies null out the service principal: keep what is stored.
  const props: Record<string, any> = { ...stripReadOnly(exProps, 'cluster'), ...bodyProps };

  // The request.
  props.dnsPrefix = dnsPrefixFor(props, at);
  const nodeRg = nodeResourceGroupFor(props, bodyProps, at, (rg) => !!services.resources.get(nodeResourceGroupId(sub, rg)));
  props.nodeResourceGroup = nodeRg;
  const identity = identityFor(body, ex?.resource, id, ctx.principal.tenantId || services.config.tenantId);
  const sp = servicePrincipalProfileFor(bodyProps, at, identity);
  const internal: Record<string, any> = ex ? structuredClone(ex.internal) : {};
  if (sp.secret !== undefined) internal.spSecret = sp.secret;
  const usesMsi = !!identity || sp.clientId?.toLowerCase() === 'msi';
  let identityOut = !identity && usesMsi ? systemAssigned(id, services.config.tenantId) : identity;
  const rawPools = bodyProps.agentPoolProfiles;
  if (rawPools !== undefined && !Array.isArray(rawPools)) throw Errors.invalidRequestContent("The property 'properties.agentPoolProfiles' must be an array.", 'properties.agentPoolProfiles');
  if (!ex && (!Array.isArray(rawPools) || rawPools.length === 0)) {
    throw Errors.invalidParameter('A managed cluster needs at least one agent pool in properties.agentPoolProfiles, and one of them in System mode.', 'properties.agentPoolProfiles');
  }

  // The version and the pools.
  const { version, kubernetesVersion, currentVersion } = kubernetesVersionFor(props, at, target);
  props.kubernetesVersion = kubernetesVersion;
  props.networkProfile = networkProfileFor(props.networkProfile, target.doc, sub, nodeRg, id);
  const exPools = ex ? poolsOf(services, id) : [];
  const { pools, poolVersions } = agentPoolProfilesFor(Array.isArray(rawPools) ? rawPools : [], exPools, {
    doc: target.doc,
    clusterVersion: version,
    networkPlugin: props.networkProfile.networkPlugin,
    update: !!ex,
  });

  // The target.
  identityOut = checkTargetCapabilities(target, { props, bodyProps, body, pools, identity: identityOut, usesMsi, spClientId: sp.clientId, tenantId: services.config.tenantId }, at);
  checkApiServerAccessProfile(props, bodyProps, at);

  // What changes.
  const changes = clusterChanges(pools, exPools, poolVersions, version, currentVersion, !!ex);
  checkChangesAllowed(changes, exPools, name, ex ? isStopped(ex) : false);

  // What AKS fills.
  applyAksDefaults(props, at, { target, nodeRg, managedIdentity: usesMsi || !!identityOut, spClientId: sp.clientId });
  const asp = props.apiServerAccessProfile;
  Object.assign(props, fqdnsFor(props.dnsPrefix ?? props.fqdnSubdomain, id, location, target.kind, asp?.enablePrivateCluster === true, asp?.enablePrivateClusterPublicFQDN === true));
  if (ex && exProps.fqdn && props.fqdn) props.fqdn = exProps.fqdn;
  props.maxAgentPools = target.doc.maxAgentPools;
  props.currentKubernetesVersion = ex ? currentVersion : version;
  props.powerState = ex ? (exProps.powerState ?? { code: 'Running' }) : { code: 'Running' };
  provisioningStates(props, pools, exPools, changes, !!ex);
  delete props.agentPoolProfiles; // kept once: as the agentPools children below
  if (!internal.secrets) internal.secrets = await newClusterSecrets(name);
  internal.site = target.site;

  // The plan, and the writes that go with it.
  const tasks = operationPlan(services, at, target, version, pools, poolVersions, changes);
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
