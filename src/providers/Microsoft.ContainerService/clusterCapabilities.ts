// What a managed cluster or agent pool asks of its target, for the capability check: the features a body
// asks for, the settings `az aks update` changes (a target without AKS update refuses a PUT that changes
// them), and the refusal with a hint of what to do instead.

import { capabilityError, checkCapabilities, type CapabilityDocument, type FeatureRequest, type Refusal } from '../../kubernetes/capabilities.js';
import { isObj, type Profile } from './shape.js';

/** The features a cluster body asks for, for the capability check. */
export function clusterFeatures(props: Record<string, any>, identityType: string | undefined, pools: Profile[], rawBody: any): FeatureRequest[] {
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
  f.push({
    feature: 'virtualNodes',
    value: Object.entries(props.addonProfiles ?? {}).some(([k, v]: [string, any]) => k.toLowerCase().startsWith('aciconnector') && v?.enabled === true),
    target: 'properties.addonProfiles.aciConnectorLinux',
  });
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
export function withHints(refusals: Refusal[]): Refusal[] {
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

export function changedSettings(before: Record<string, any>, bodyProps: Record<string, any>): string[] {
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
