// The targets the emulator knows: the usual Azure regions (elastic), one Azure Stack Hub stamp
// ('local', the ARM location a Hub answers to by default) and one Azure Stack HCI site, sized like
// small real deployments. A config file's "sites" key adds sites or replaces a default one by name.
// Parsing is pure; only loadSites() touches the disk.

import { readFileSync } from 'node:fs';
import { AZURE_REGIONS } from '../arm/locations.js';
import { ConfigError, type EmulatorConfig } from '../config/config.js';
import { VM_SIZES } from './vmSizes.js';
import type { HostSpec, IpRange, LogicalNetwork, SiteKind, VmRole } from './model.js';
import { ipToInt, parseCidr } from './placement.js';

/** A VM that is part of the site itself (AKS host management cluster, Arc resource bridge appliance). */
export interface InfrastructureVm {
  name: string;
  role: VmRole;
  vmSize: string;
  owner: string;
}

/** Settings a site's config entry may override (Kubernetes versions and VM sizes it offers, limits). */
export interface SiteOfferings {
  kubernetesVersions?: string[];
  defaultKubernetesVersion?: string;
  vmSizes?: string[];
  maxAgentPools?: number;
  maxNodesPerPool?: number;
  /** Names of the Arc resource bridges (appliances) that bind to this site; read by Microsoft.ResourceConnector. */
  arcResourceBridges?: string[];
}

export interface SiteDefinition {
  name: string;
  kind: SiteKind;
  displayName: string;
  /** ARM location for a region or Hub stamp (a Hub stamp is its own location). */
  location?: string;
  /** Azure regions: capacity is not modelled, VMs are still tracked. */
  elastic: boolean;
  hosts: HostSpec[];
  logicalNetworks: LogicalNetwork[];
  infrastructureVms: InfrastructureVm[];
  /** Base URL of the site's own process, when it runs out of process. */
  remote?: string;
  /** What the site's installed software offers; read by the Kubernetes providers, not by the fabric. */
  capabilities?: SiteOfferings;
  latitude?: string;
  longitude?: string;
}

const KINDS: SiteKind[] = ['AzureRegion', 'AzureStackHub', 'AzureStackHCI'];
const ROLES: VmRole[] = ['controlPlane', 'worker', 'loadBalancer', 'managementCluster', 'appliance', 'virtualMachine'];

export const infrastructureOwner = (site: string, what: string): string => `/providers/Microsoft.Emulator/fabricSites/${site}/infrastructure/${what}`;

function hosts(prefix: string, count: number, cores: number, memoryGB: number, storageGB: number): HostSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-host-${String(i + 1).padStart(2, '0')}`, cores, memoryGB, storageGB }));
}

export function azureRegionSite(name: string, displayName = name, latitude?: string, longitude?: string): SiteDefinition {
  return {
    name,
    kind: 'AzureRegion',
    displayName,
    location: name,
    elastic: true,
    hosts: [],
    // The address space AKS gives node subnets by default.
    logicalNetworks: [{ name: 'aks-vnet', addressPrefix: '10.224.0.0/12', ipPools: [{ start: '10.224.0.4', end: '10.239.255.254' }] }],
    infrastructureVms: [],
    latitude,
    longitude,
  };
}

/** A small Hub: four scale-unit nodes, as a minimal integrated system ships. */
export function defaultHubStamp(name = 'local'): SiteDefinition {
  return {
    name,
    kind: 'AzureStackHub',
    displayName: name,
    location: name,
    elastic: false,
    hosts: hosts(name, 4, 48, 384, 8192),
    logicalNetworks: [{ name: 'aks-subnet', addressPrefix: '10.240.0.0/16', ipPools: [{ start: '10.240.0.4', end: '10.240.255.254' }] }],
    infrastructureVms: [],
  };
}

/**
 * A two-node HCI cluster with one compute network and the AKS host management cluster. The Arc
 * resource bridge's VM is not built in: a Microsoft.ResourceConnector/appliances resource brings it up.
 */
export function defaultHciSite(name = 'hci-site-1'): SiteDefinition {
  return {
    name,
    kind: 'AzureStackHCI',
    displayName: name,
    elastic: false,
    hosts: hosts(name, 2, 32, 256, 4096),
    logicalNetworks: [
      {
        name: 'lnet-compute',
        addressPrefix: '192.168.0.0/24',
        gateway: '192.168.0.1',
        vlan: 0,
        dnsServers: ['192.168.0.1'],
        ipPools: [{ start: '192.168.0.100', end: '192.168.0.199' }],
        vipPools: [{ start: '192.168.0.200', end: '192.168.0.250' }],
      },
    ],
    infrastructureVms: [
      { name: 'akshci-mgmt-control-plane-0', role: 'managementCluster', vmSize: 'Standard_A4_v2', owner: infrastructureOwner(name, 'managementCluster') },
      { name: 'akshci-mgmt-load-balancer-0', role: 'loadBalancer', vmSize: 'Standard_K8S3_v1', owner: infrastructureOwner(name, 'managementCluster') },
    ],
  };
}

export function defaultSites(): SiteDefinition[] {
  return [...AZURE_REGIONS.map(([name, displayName, lat, lon]) => azureRegionSite(name, displayName, lat, lon)), defaultHubStamp(), defaultHciSite()];
}

// ---- parsing a config file's "sites" ----------------------------------------------------------------

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);
const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/i;

function parseHosts(raw: unknown, site: string, at: string): HostSpec[] {
  if (raw === undefined) return [];
  // {"count": 4, "cores": 48, "memoryGB": 384, "storageGB": 8192} is shorthand for identical hosts.
  if (isObj(raw)) {
    const { count, cores, memoryGB, storageGB = 4096 } = raw;
    if (!posInt(count)) throw new ConfigError(`config: ${at}.count must be a positive integer`);
    for (const [k, v] of Object.entries({ cores, memoryGB, storageGB })) if (!posInt(v)) throw new ConfigError(`config: ${at}.${k} must be a positive integer, got ${JSON.stringify(v)}`);
    return hosts(site, count, cores, memoryGB, storageGB);
  }
  if (!Array.isArray(raw)) throw new ConfigError(`config: ${at} must be an array of hosts or {count, cores, memoryGB, storageGB}`);
  const seen = new Set<string>();
  return raw.map((h, i) => {
    const where = `${at}[${i}]`;
    if (!isObj(h)) throw new ConfigError(`config: ${where} must be an object`);
    const name = h.name ?? `${site}-host-${String(i + 1).padStart(2, '0')}`;
    if (typeof name !== 'string' || !NAME_RE.test(name)) throw new ConfigError(`config: ${where}.name must be letters, digits and dashes`);
    if (seen.has(name.toLowerCase())) throw new ConfigError(`config: ${where}.name '${name}' is used twice in site '${site}'`);
    seen.add(name.toLowerCase());
    const storageGB = h.storageGB ?? 4096;
    for (const [k, v] of Object.entries({ cores: h.cores, memoryGB: h.memoryGB, storageGB }))
      if (!posInt(v)) throw new ConfigError(`config: ${where}.${k} must be a positive integer, got ${JSON.stringify(v)}`);
    return { name, cores: h.cores, memoryGB: h.memoryGB, storageGB };
  });
}

function parseRange(r: unknown, prefix: [number, number], where: string): IpRange {
  if (!isObj(r) || typeof r.start !== 'string' || typeof r.end !== 'string') throw new ConfigError(`config: ${where} must be {"start": "a.b.c.d", "end": "a.b.c.d"}`);
  const s = ipToInt(r.start);
  const e = ipToInt(r.end);
  if (s === undefined || e === undefined) throw new ConfigError(`config: ${where} holds an address that is not IPv4`);
  if (e < s) throw new ConfigError(`config: ${where} ends (${r.end}) before it starts (${r.start})`);
  if (s < prefix[0] || e > prefix[1]) throw new ConfigError(`config: ${where} (${r.start}-${r.end}) lies outside the network's address prefix`);
  return { start: r.start, end: r.end };
}

function parseNetworks(raw: unknown, at: string): LogicalNetwork[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ConfigError(`config: ${at} must be an array`);
  return raw.map((n, i) => {
    const where = `${at}[${i}]`;
    if (!isObj(n) || typeof n.name !== 'string' || !NAME_RE.test(n.name)) throw new ConfigError(`config: ${where}.name is required (letters, digits, dashes)`);
    const prefix = typeof n.addressPrefix === 'string' ? parseCidr(n.addressPrefix) : undefined;
    if (!prefix) throw new ConfigError(`config: ${where}.addressPrefix must be an IPv4 CIDR such as 192.168.0.0/24`);
    if (!Array.isArray(n.ipPools) || n.ipPools.length === 0) throw new ConfigError(`config: ${where}.ipPools must list at least one {start, end} range`);
    const net: LogicalNetwork = {
      name: n.name,
      addressPrefix: n.addressPrefix,
      ipPools: n.ipPools.map((r: unknown, j: number) => parseRange(r, prefix, `${where}.ipPools[${j}]`)),
    };
    if (n.vipPools !== undefined) {
      if (!Array.isArray(n.vipPools)) throw new ConfigError(`config: ${where}.vipPools must be an array`);
      net.vipPools = n.vipPools.map((r: unknown, j: number) => parseRange(r, prefix, `${where}.vipPools[${j}]`));
    }
    if (n.gateway !== undefined) {
      if (typeof n.gateway !== 'string' || ipToInt(n.gateway) === undefined) throw new ConfigError(`config: ${where}.gateway must be an IPv4 address`);
      net.gateway = n.gateway;
    }
    if (n.vlan !== undefined) {
      if (!Number.isInteger(n.vlan) || n.vlan < 0 || n.vlan > 4094) throw new ConfigError(`config: ${where}.vlan must be 0-4094`);
      net.vlan = n.vlan;
    }
    if (n.dnsServers !== undefined) net.dnsServers = (n.dnsServers as unknown[]).map(String);
    return net;
  });
}

function parseCapabilities(raw: unknown, at: string): SiteOfferings | undefined {
  if (raw === undefined) return undefined;
  if (!isObj(raw)) throw new ConfigError(`config: ${at} must be an object`);
  const out: SiteOfferings = {};
  if (raw.kubernetesVersions !== undefined) {
    if (!Array.isArray(raw.kubernetesVersions) || !raw.kubernetesVersions.every((v: unknown) => typeof v === 'string' && /^\d+\.\d+\.\d+$/.test(v)) || raw.kubernetesVersions.length === 0)
      throw new ConfigError(`config: ${at}.kubernetesVersions must be a non-empty list of versions like "1.27.3"`);
    out.kubernetesVersions = raw.kubernetesVersions;
  }
  if (raw.defaultKubernetesVersion !== undefined) {
    const list = out.kubernetesVersions;
    if (typeof raw.defaultKubernetesVersion !== 'string' || (list && !list.includes(raw.defaultKubernetesVersion)))
      throw new ConfigError(`config: ${at}.defaultKubernetesVersion must be one of kubernetesVersions`);
    out.defaultKubernetesVersion = raw.defaultKubernetesVersion;
  }
  if (raw.vmSizes !== undefined) {
    if (!Array.isArray(raw.vmSizes)) throw new ConfigError(`config: ${at}.vmSizes must be an array of VM size names`);
    for (const s of raw.vmSizes)
      if (typeof s !== 'string' || !VM_SIZES[s]) throw new ConfigError(`config: ${at}.vmSizes: unknown VM size ${JSON.stringify(s)} (known: ${Object.keys(VM_SIZES).join(', ')})`);
    out.vmSizes = raw.vmSizes;
  }
  if (raw.arcResourceBridges !== undefined) {
    if (!Array.isArray(raw.arcResourceBridges) || !raw.arcResourceBridges.every((v: unknown) => typeof v === 'string' && v !== ''))
      throw new ConfigError(`config: ${at}.arcResourceBridges must be a list of appliance names`);
    out.arcResourceBridges = raw.arcResourceBridges;
  }
  for (const k of ['maxAgentPools', 'maxNodesPerPool'] as const) {
    if (raw[k] !== undefined) {
      if (!posInt(raw[k])) throw new ConfigError(`config: ${at}.${k} must be a positive integer`);
      out[k] = raw[k];
    }
  }
  return out;
}

function parseSite(raw: unknown, i: number): SiteDefinition {
  const at = `sites[${i}]`;
  if (!isObj(raw)) throw new ConfigError(`config: ${at} must be an object`);
  const { name, kind } = raw;
  if (typeof name !== 'string' || !NAME_RE.test(name)) throw new ConfigError(`config: ${at}.name is required: letters, digits and dashes, at most 63`);
  if (!KINDS.includes(kind)) throw new ConfigError(`config: ${at}.kind must be one of ${KINDS.join(', ')} (site '${name}')`);
  const base = kind === 'AzureRegion' ? azureRegionSite(name) : kind === 'AzureStackHub' ? defaultHubStamp(name) : defaultHciSite(name);
  const site: SiteDefinition = { ...base, displayName: typeof raw.displayName === 'string' ? raw.displayName : base.displayName };
  if (raw.location !== undefined) {
    if (kind === 'AzureStackHCI') throw new ConfigError(`config: ${at}.location: an Azure Stack HCI site is not an ARM location (it is reached through a custom location)`);
    if (typeof raw.location !== 'string' || !/^[a-z0-9]+$/.test(raw.location)) throw new ConfigError(`config: ${at}.location must be a lowercase ARM location name`);
    site.location = raw.location;
  }
  if (raw.hosts !== undefined) {
    if (kind === 'AzureRegion') throw new ConfigError(`config: ${at}.hosts: Azure regions are elastic and take no hosts`);
    site.hosts = parseHosts(raw.hosts, name, `${at}.hosts`);
  }
  if (!site.elastic && site.hosts.length === 0) throw new ConfigError(`config: ${at} (site '${name}') needs at least one host`);
  if (raw.logicalNetworks !== undefined) {
    site.logicalNetworks = parseNetworks(raw.logicalNetworks, `${at}.logicalNetworks`);
    if (site.logicalNetworks.length === 0) throw new ConfigError(`config: ${at}.logicalNetworks must hold at least one network`);
  }
  if (raw.infrastructureVms !== undefined) {
    if (!Array.isArray(raw.infrastructureVms)) throw new ConfigError(`config: ${at}.infrastructureVms must be an array`);
    site.infrastructureVms = raw.infrastructureVms.map((v: unknown, j: number) => {
      const where = `${at}.infrastructureVms[${j}]`;
      if (!isObj(v) || typeof v.name !== 'string' || !NAME_RE.test(v.name)) throw new ConfigError(`config: ${where}.name is required`);
      if (!ROLES.includes(v.role)) throw new ConfigError(`config: ${where}.role must be one of ${ROLES.join(', ')}`);
      if (typeof v.vmSize !== 'string' || !VM_SIZES[v.vmSize]) throw new ConfigError(`config: ${where}.vmSize: unknown VM size ${JSON.stringify(v.vmSize)}`);
      return { name: v.name, role: v.role, vmSize: v.vmSize, owner: typeof v.owner === 'string' ? v.owner : infrastructureOwner(name, v.role) };
    });
  }
  if (raw.remote !== undefined) {
    let url: URL;
    try {
      url = new URL(String(raw.remote));
    } catch {
      throw new ConfigError(`config: ${at}.remote must be a URL such as http://127.0.0.1:7101`);
    }
    if (url.protocol !== 'http:') throw new ConfigError(`config: ${at}.remote must be an http:// URL (site processes listen on loopback)`);
    site.remote = url.toString().replace(/\/$/, '');
  }
  site.capabilities = parseCapabilities(raw.capabilities, `${at}.capabilities`);
  for (const k of ['latitude', 'longitude'] as const) if (typeof raw[k] === 'string') site[k] = raw[k];
  return site;
}

/**
 * Applies a config file's {"sites": [...], "defaultSites": bool} to the defaults: a site with a
 * default's name replaces it, others are added; "defaultSites": false drops the default Hub stamp
 * and HCI site (the Azure regions stay).
 */
export function parseSites(file: unknown, base: SiteDefinition[] = defaultSites()): SiteDefinition[] {
  if (file === undefined || file === null) return base;
  if (!isObj(file)) throw new ConfigError('config file must hold a JSON object');
  let out = base;
  if (file.defaultSites === false) out = out.filter((s) => s.kind === 'AzureRegion');
  else if (file.defaultSites !== undefined && file.defaultSites !== true) throw new ConfigError('config: defaultSites must be true or false');
  if (file.sites === undefined) return out;
  if (!Array.isArray(file.sites)) throw new ConfigError('config: sites must be an array');
  const parsed = file.sites.map(parseSite);
  const names = new Set<string>();
  const locations = new Map<string, string>();
  for (const s of parsed) {
    const key = s.name.toLowerCase();
    if (names.has(key)) throw new ConfigError(`config: site '${s.name}' is declared twice`);
    names.add(key);
  }
  out = [...out.filter((s) => !names.has(s.name.toLowerCase())), ...parsed];
  for (const s of out) {
    if (!s.location) continue;
    const other = locations.get(s.location);
    if (other) throw new ConfigError(`config: sites '${other}' and '${s.name}' both claim ARM location '${s.location}'`);
    locations.set(s.location, s.name);
  }
  return out;
}

/** Reads the sites from config.configFile (the edge where the disk is touched). */
export function loadSites(config: Pick<EmulatorConfig, 'configFile'>): SiteDefinition[] {
  if (!config.configFile) return defaultSites();
  let text: string;
  try {
    text = readFileSync(config.configFile, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file '${config.configFile}': ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file '${config.configFile}' is not valid JSON: ${(e as Error).message}`);
  }
  return parseSites(json);
}
