// Stand-ins for the az extensions of the hybrid chain that cannot be installed offline: `aksarc`,
// `connectedk8s`, `k8s-extension` and `customlocation`. Each command takes the arguments of the az command of
// the same name and sends the ARM requests that command sends (the same bodies and api-versions), over HTTPS
// with a token, then prints what az would print. Only the basics of each extension are here; `az rest` does
// the rest (the README shows both).

import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CliError, idList, keyValues, type OptionSpec, type Parsed } from './args.js';
import type { ArmClient } from './http.js';

export const V = {
  hybridContainerService: '2024-01-01',
  kubernetes: '2024-01-01',
  kubernetesConfiguration: '2023-05-01',
  extendedLocation: '2021-08-15',
  resources: '2021-04-01',
};

export interface Ctx {
  arm: ArmClient;
  opts: Parsed;
  log?: (line: string) => void;
  /** Asks a yes/no question on the terminal; undefined when there is none. */
  confirm?: (question: string) => Promise<boolean>;
  /** Where az writes what it prints besides the result (warnings). */
  warn: (line: string) => void;
}

export interface Command {
  name: string;
  summary: string;
  options: OptionSpec[];
  examples?: string[];
  run(ctx: Ctx): Promise<unknown>;
}

const NAME = (help: string): OptionSpec => ({ name: 'name', kind: 'string', aliases: ['-n'], required: true, help });
const GROUP: OptionSpec = { name: 'resource-group', kind: 'string', aliases: ['-g'], required: true, help: 'the resource group' };
const GROUP_OPTIONAL: OptionSpec = { ...GROUP, required: false, help: 'the resource group (default: the whole subscription)' };
const NO_WAIT: OptionSpec = { name: 'no-wait', kind: 'switch', help: 'return once the request is accepted; do not wait for the long-running operation' };
const YES: OptionSpec = { name: 'yes', kind: 'switch', aliases: ['-y'], help: 'do not prompt for confirmation' };
const TAGS: OptionSpec = { name: 'tags', kind: 'list', help: 'space-separated tags: key[=value] [key[=value] ...]' };
const LOCATION: OptionSpec = { name: 'location', kind: 'string', aliases: ['-l'], help: "location (default: the resource group's)" };

const s = (o: Parsed, k: string) => o[k] as string | undefined;
const n = (o: Parsed, k: string) => o[k] as number | undefined;
const b = (o: Parsed, k: string) => o[k] as boolean | undefined;
const sub = (ctx: Ctx) => s(ctx.opts, 'subscription') ?? ctx.arm.subscriptionId;
const groupPath = (ctx: Ctx, group = s(ctx.opts, 'resource-group')!) => `/subscriptions/${sub(ctx)}/resourceGroups/${group}`;

function tags(o: Parsed): Record<string, string> | undefined {
  const words = o.tags as string[] | undefined;
  if (!words) return undefined;
  const out: Record<string, string> = {};
  for (const w of words) {
    if (!w) continue;
    const at = w.indexOf('=');
    if (at < 0) out[w] = '';
    else out[w.slice(0, at)] = w.slice(at + 1);
  }
  return out;
}

/** A name in the command's resource group, or an id as it is. */
function idOf(ctx: Ctx, nameOrId: string, type: string): string {
  return nameOrId.startsWith('/') ? nameOrId : `${groupPath(ctx)}/providers/${type}/${nameOrId}`;
}

async function groupLocation(ctx: Ctx): Promise<string> {
  const rg = await ctx.arm.get(`${groupPath(ctx)}?api-version=${V.resources}`, ctx.log);
  if (!rg) throw new CliError(`(ResourceGroupNotFound) Resource group '${s(ctx.opts, 'resource-group')}' could not be found.`);
  return rg.location;
}

async function confirmDelete(ctx: Ctx): Promise<void> {
  if (b(ctx.opts, 'yes')) return;
  if (!ctx.confirm) throw new CliError('Unable to prompt for confirmation as no tty available. Use --yes.');
  if (!(await ctx.confirm('Are you sure you want to perform this operation? (y/n): '))) throw new CliError('Operation cancelled.');
}

// ---- aksarc -----------------------------------------------------------------------------------------

const CLUSTER_NAME = NAME('name of the provisioned cluster (the connected cluster it lives on)');
const ccPath = (ctx: Ctx, name = s(ctx.opts, 'name')!) => `${groupPath(ctx)}/providers/Microsoft.Kubernetes/connectedClusters/${name}`;
const pciPath = (ctx: Ctx, name?: string) => `${ccPath(ctx, name)}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default`;
const hcs = (p: string) => `${p}?api-version=${V.hybridContainerService}`;

/** What the custom location offers: az aksarc writes kubernetesVersions/default and skus/default when they are missing. */
async function ensureOffer(ctx: Ctx, customLocation: string, what: 'kubernetesVersions' | 'skus'): Promise<any> {
  const p = hcs(`${customLocation}/providers/Microsoft.HybridContainerService/${what}/default`);
  const got = await ctx.arm.get(p, ctx.log);
  if (got) return got;
  return ctx.arm.write('PUT', p, { extendedLocation: { type: 'CustomLocation', name: customLocation } }, { log: ctx.log });
}

/** --ssh-key-value (a key or a file), else ~/.ssh/id_rsa.pub, made with --generate-ssh-keys when missing (as az does). */
function sshKey(ctx: Ctx): string {
  const value = s(ctx.opts, 'ssh-key-value');
  if (value) {
    if (/^(ssh-|ecdsa-)/.test(value.trim())) return value.trim();
    const file = value.startsWith('~') ? path.join(os.homedir(), value.slice(1)) : value;
    if (!existsSync(file)) throw new CliError(`An RSA key file or key value must be supplied to SSH Key Value. You can use --generate-ssh-keys to let CLI generate one for you (not found: ${file})`);
    return readFileSync(file, 'utf8').trim();
  }
  const pub = path.join(os.homedir(), '.ssh', 'id_rsa.pub');
  if (existsSync(pub)) return readFileSync(pub, 'utf8').trim();
  if (!b(ctx.opts, 'generate-ssh-keys')) {
    throw new CliError(`An RSA key file or key value must be supplied to SSH Key Value. You can use --generate-ssh-keys to let CLI generate one for you`);
  }
  const key = generateSshKey(path.join(os.homedir(), '.ssh', 'id_rsa'));
  ctx.warn(`SSH key files '${path.join(os.homedir(), '.ssh', 'id_rsa')}' and '${pub}' have been generated under ~/.ssh to allow SSH access to the VM.`);
  return key;
}

/** An RSA key pair in OpenSSH's formats (PKCS#1 PEM private key, `ssh-rsa` public key). */
function generateSshKey(privateFile: string): string {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const mpint = (b64url: string) => {
    let buf = Buffer.from(b64url, 'base64url');
    if (buf[0] & 0x80) buf = Buffer.concat([Buffer.from([0]), buf]);
    return buf;
  };
  const field = (buf: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, i) => (buf.length >> (24 - 8 * i)) & 0xff)), buf]);
  const blob = Buffer.concat([field(Buffer.from('ssh-rsa')), field(mpint(jwk.e!)), field(mpint(jwk.n!))]);
  const pub = `ssh-rsa ${blob.toString('base64')} arm-emulator-generated`;
  mkdirSync(path.dirname(privateFile), { recursive: true, mode: 0o700 });
  writeFileSync(privateFile, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  writeFileSync(`${privateFile}.pub`, `${pub}\n`, { mode: 0o644 });
  return pub;
}

const aksarcCreate: Command = {
  name: 'aksarc create',
  summary: 'create an AKS hybrid (provisioned) cluster on a custom location: the connected cluster, then its provisionedClusterInstances/default',
  options: [
    CLUSTER_NAME,
    GROUP,
    { name: 'custom-location', kind: 'string', required: true, help: 'name (in the resource group) or id of the custom location' },
    { name: 'vnet-ids', kind: 'list', required: true, help: 'ids (or names in the resource group) of the logical networks' },
    { name: 'control-plane-count', kind: 'int', aliases: ['--control-plane-node-count'], help: 'control-plane nodes: 1, 3 or 5 (default 1)' },
    { name: 'control-plane-vm-size', kind: 'string', help: 'VM size of the control-plane nodes (default Standard_A4_v2)' },
    { name: 'control-plane-ip', kind: 'string', help: "the API server's address on the logical network (default: the first free one)" },
    { name: 'kubernetes-version', kind: 'string', help: "Kubernetes version (default: the custom location's newest ready one)" },
    { name: 'node-count', kind: 'int', aliases: ['-c'], help: 'nodes in the first pool (default 1)' },
    { name: 'node-vm-size', kind: 'string', help: 'VM size of the first pool (default Standard_A4_v2)' },
    { name: 'nodepool-labels', kind: 'list', help: 'space-separated labels of the first pool: key=value ...' },
    { name: 'nodepool-taints', kind: 'list', help: 'space-separated taints of the first pool: key=value:effect ...' },
    { name: 'max-pods', kind: 'int', help: 'pods per node of the first pool' },
    { name: 'enable-cluster-autoscaler', kind: 'switch', help: 'autoscale the first pool between --min-count and --max-count' },
    { name: 'min-count', kind: 'int', help: 'autoscaler minimum' },
    { name: 'max-count', kind: 'int', help: 'autoscaler maximum' },
    { name: 'load-balancer-count', kind: 'int', help: 'HAProxy load-balancer VMs (default 0)' },
    { name: 'pod-cidr', kind: 'string', help: 'pod CIDR (default 10.244.0.0/16)' },
    { name: 'aad-admin-group-object-ids', kind: 'list', help: 'Microsoft Entra groups with admin access (comma-separated)' },
    { name: 'enable-azure-rbac', kind: 'switch', help: 'Azure RBAC for Kubernetes authorization' },
    { name: 'enable-ahub', kind: 'switch', help: 'Azure Hybrid Benefit' },
    { name: 'disable-nfs-driver', kind: 'switch', help: 'no NFS CSI driver' },
    { name: 'disable-smb-driver', kind: 'switch', help: 'no SMB CSI driver' },
    { name: 'generate-ssh-keys', kind: 'switch', help: 'make ~/.ssh/id_rsa(.pub) when it does not exist' },
    { name: 'ssh-key-value', kind: 'string', help: 'public key (or a file with it; default ~/.ssh/id_rsa.pub)' },
    { name: 'ssh-auth-ips', kind: 'list', help: 'addresses allowed to SSH to the nodes (comma-separated)' },
    LOCATION,
    TAGS,
    NO_WAIT,
  ],
  examples: ['arm-emulator aksarc create -n aks1 -g arc --custom-location hci-site-1 --vnet-ids lnet-vlan20 --control-plane-count 3 --node-count 2 --generate-ssh-keys'],
  async run(ctx) {
    const o = ctx.opts;
    const customLocation = idOf(ctx, s(o, 'custom-location')!, 'Microsoft.ExtendedLocation/customLocations');
    const vnets = idList(o['vnet-ids'] as string[])!.map((v) => idOf(ctx, v, 'Microsoft.AzureStackHCI/logicalNetworks'));
    const key = sshKey(ctx);
    const location = s(o, 'location') ?? (await groupLocation(ctx));
    // what the custom location offers, as the extension makes sure of before it creates anything
    const versions = await ensureOffer(ctx, customLocation, 'kubernetesVersions');
    await ensureOffer(ctx, customLocation, 'skus');
    const version = s(o, 'kubernetes-version') ?? newestReady(versions);
    const aadGroups = idList(o['aad-admin-group-object-ids'] as string[] | undefined);
    const cc = {
      location,
      kind: 'ProvisionedCluster',
      identity: { type: 'SystemAssigned' },
      ...(tags(o) ? { tags: tags(o) } : {}),
      properties: {
        agentPublicKeyCertificate: '',
        ...(aadGroups || b(o, 'enable-azure-rbac') ? { aadProfile: { enableAzureRBAC: !!b(o, 'enable-azure-rbac'), adminGroupObjectIDs: aadGroups ?? [], tenantID: ctx.arm.target.tenantId } } : {}),
      },
    };
    await ctx.arm.write('PUT', `${ccPath(ctx)}?api-version=${V.kubernetes}`, cc, { log: ctx.log });
    const autoscale = !!b(o, 'enable-cluster-autoscaler');
    const pool = {
      name: 'nodepool1',
      count: n(o, 'node-count') ?? 1,
      vmSize: s(o, 'node-vm-size') ?? 'Standard_A4_v2',
      osType: 'Linux',
      osSKU: 'CBLMariner',
      ...(o['nodepool-labels'] ? { nodeLabels: keyValues('aksarc create', 'nodepool-labels', o['nodepool-labels'] as string[]) } : {}),
      ...(o['nodepool-taints'] ? { nodeTaints: idList(o['nodepool-taints'] as string[]) } : {}),
      ...(n(o, 'max-pods') !== undefined ? { maxPods: n(o, 'max-pods') } : {}),
      ...(autoscale ? { enableAutoScaling: true, minCount: n(o, 'min-count'), maxCount: n(o, 'max-count') } : {}),
    };
    const cpIp = s(o, 'control-plane-ip');
    const body = {
      extendedLocation: { type: 'CustomLocation', name: customLocation },
      properties: {
        linuxProfile: { ssh: { publicKeys: [{ keyData: key }] } },
        controlPlane: { count: n(o, 'control-plane-count') ?? 1, vmSize: s(o, 'control-plane-vm-size') ?? 'Standard_A4_v2', ...(cpIp ? { controlPlaneEndpoint: { hostIP: cpIp } } : {}) },
        ...(version ? { kubernetesVersion: version } : {}),
        networkProfile: { podCidr: s(o, 'pod-cidr') ?? '10.244.0.0/16', loadBalancerProfile: { count: n(o, 'load-balancer-count') ?? 0 } },
        agentPoolProfiles: [pool],
        cloudProviderProfile: { infraNetworkProfile: { vnetSubnetIds: vnets } },
        storageProfile: { nfsCsiDriver: { enabled: !b(o, 'disable-nfs-driver') }, smbCsiDriver: { enabled: !b(o, 'disable-smb-driver') } },
        licenseProfile: { azureHybridBenefit: b(o, 'enable-ahub') ? 'True' : 'False' },
        ...(o['ssh-auth-ips'] ? { clusterVMAccessProfile: { authorizedIPRanges: idList(o['ssh-auth-ips'] as string[])!.join(',') } } : {}),
      },
    };
    return ctx.arm.write('PUT', hcs(pciPath(ctx)), body, { log: ctx.log, noWait: !!b(o, 'no-wait') });
  },
};

/** The newest Kubernetes version whose OS images are all ready, as the extension picks its default. */
function newestReady(doc: any): string | undefined {
  const all: string[] = [];
  for (const v of doc?.properties?.values ?? []) {
    for (const [patch, info] of Object.entries<any>(v.patchVersions ?? {})) {
      if ((info?.readiness ?? []).every((r: any) => r.ready !== false)) all.push(patch);
    }
  }
  const num = (v: string) => v.split('.').map(Number);
  all.sort((a, b2) => {
    const [x, y] = [num(a), num(b2)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  });
  return all.pop();
}

const aksarcShow: Command = {
  name: 'aksarc show',
  summary: 'show a provisioned cluster',
  options: [CLUSTER_NAME, GROUP],
  async run(ctx) {
    const r = await ctx.arm.get(hcs(pciPath(ctx)), ctx.log);
    if (!r) throw new CliError(`(ResourceNotFound) The provisioned cluster '${s(ctx.opts, 'name')}' was not found in resource group '${s(ctx.opts, 'resource-group')}'.`);
    return r;
  },
};

const aksarcList: Command = {
  name: 'aksarc list',
  summary: 'list the provisioned clusters of a resource group or of the subscription',
  options: [GROUP_OPTIONAL],
  async run(ctx) {
    const scope = s(ctx.opts, 'resource-group') ? groupPath(ctx) : `/subscriptions/${sub(ctx)}`;
    const ccs = await ctx.arm.list(`${scope}/providers/Microsoft.Kubernetes/connectedClusters?api-version=${V.kubernetes}`, ctx.log);
    const out: any[] = [];
    for (const cc of ccs.filter((c) => String(c.kind).toLowerCase() === 'provisionedcluster')) {
      out.push(...(await ctx.arm.list(hcs(`${cc.id}/providers/Microsoft.HybridContainerService/provisionedClusterInstances`), ctx.log)));
    }
    return out;
  },
};

const aksarcDelete: Command = {
  name: 'aksarc delete',
  summary: 'delete a provisioned cluster with its connected cluster, pools and extensions',
  options: [CLUSTER_NAME, GROUP, YES, NO_WAIT],
  async run(ctx) {
    await confirmDelete(ctx);
    await ctx.arm.write('DELETE', `${ccPath(ctx)}?api-version=${V.kubernetes}`, undefined, { log: ctx.log, noWait: !!b(ctx.opts, 'no-wait') });
    return undefined;
  },
};

const aksarcGetCredentials: Command = {
  name: 'aksarc get-credentials',
  summary: "get a kubeconfig of the cluster and merge it into KUBECONFIG's first file (else ~/.kube/config)",
  options: [
    CLUSTER_NAME,
    GROUP,
    { name: 'admin', kind: 'switch', aliases: ['-a'], help: 'the cluster-admin credential (a client certificate) instead of the user one' },
    { name: 'file', kind: 'string', aliases: ['-f'], help: 'kubeconfig file to write ("-" prints it)' },
    { name: 'context', kind: 'string', help: 'name the context this' },
    { name: 'overwrite-existing', kind: 'switch', help: 'replace the file instead of merging into it' },
  ],
  async run(ctx) {
    const o = ctx.opts;
    const action = b(o, 'admin') ? 'listAdminKubeconfig' : 'listUserKubeconfig';
    const result = await ctx.arm.write('POST', hcs(`${pciPath(ctx)}/${action}`), undefined, { log: ctx.log });
    const value = (result?.kubeconfigs ?? result?.properties?.kubeconfigs)?.[0]?.value;
    if (!value) throw new CliError(`the cluster returned no kubeconfig (${action})`);
    const yaml = Buffer.from(value, 'base64').toString('utf8');
    const file = s(o, 'file') ?? (process.env.KUBECONFIG?.split(path.delimiter)[0] || path.join(os.homedir(), '.kube', 'config'));
    if (file === '-' && !s(o, 'context')) return { __raw: yaml };
    const merged = mergeKubeconfig(file === '-' ? undefined : file, yaml, { context: s(o, 'context'), overwrite: !!b(o, 'overwrite-existing') });
    if (file === '-') return { __raw: merged.text };
    ctx.warn(`Merged "${merged.context}" as current context in ${file}`);
    return undefined;
  },
};

function currentContext(yaml: string): string {
  return /^current-context:\s*"?([^"\n]+?)"?\s*$/m.exec(yaml)?.[1] ?? '';
}

/**
 * The kubeconfig the service returned, its context renamed when asked, written to `file`: as it is when the file
 * is new (or --overwrite-existing), else merged into it by kubectl (the new entries win and become current), as
 * az merges. Answers the text and the current context.
 */
function mergeKubeconfig(file: string | undefined, yaml: string, opts: { context?: string; overwrite: boolean }): { text: string; context: string } {
  const work = mkdtempSync(path.join(os.tmpdir(), 'arm-emulator-kubeconfig-'));
  const kubectl = (args: string[], kubeconfig: string) => {
    const r = spawnSync('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });
    if (r.status !== 0) throw new CliError(`kubectl ${args.join(' ')} failed: ${(r.stderr || String(r.error ?? 'kubectl not found')).trim()}`);
    return r.stdout;
  };
  try {
    const fresh = path.join(work, 'new');
    writeFileSync(fresh, yaml, { mode: 0o600 });
    let context = currentContext(yaml);
    if (opts.context && opts.context !== context) {
      kubectl(['config', 'rename-context', context, opts.context], fresh);
      context = opts.context;
    }
    if (!file) return { text: readFileSync(fresh, 'utf8'), context };
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const text =
      opts.overwrite || !existsSync(file) || readFileSync(file, 'utf8').trim() === '' ? readFileSync(fresh, 'utf8') : kubectl(['config', 'view', '--flatten'], [fresh, file].join(path.delimiter));
    writeFileSync(file, text, { mode: 0o600 });
    return { text, context };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const aksarcGetVersions: Command = {
  name: 'aksarc get-versions',
  summary: 'the Kubernetes versions a custom location offers (with their upgrades and OS readiness)',
  options: [
    { name: 'custom-location', kind: 'string', required: true, help: 'name (in --resource-group) or id of the custom location' },
    { ...GROUP_OPTIONAL, help: "the custom location's resource group, when it is given by name" },
  ],
  async run(ctx) {
    return ensureOffer(ctx, idOf(ctx, s(ctx.opts, 'custom-location')!, 'Microsoft.ExtendedLocation/customLocations'), 'kubernetesVersions');
  },
};

const aksarcVmSizes: Command = {
  name: 'aksarc vmsize list',
  summary: 'the VM sizes a custom location offers',
  options: aksarcGetVersions.options,
  async run(ctx) {
    const doc = await ensureOffer(ctx, idOf(ctx, s(ctx.opts, 'custom-location')!, 'Microsoft.ExtendedLocation/customLocations'), 'skus');
    return doc?.properties?.values ?? [];
  },
};

const aksarcGetUpgrades: Command = {
  name: 'aksarc get-upgrades',
  summary: 'the versions the cluster can upgrade to',
  options: [CLUSTER_NAME, GROUP],
  async run(ctx) {
    return ctx.arm.get(hcs(`${pciPath(ctx)}/upgradeProfiles/default`), ctx.log);
  },
};

const aksarcUpgrade: Command = {
  name: 'aksarc upgrade',
  summary: 'upgrade the cluster to a Kubernetes version (a rolling upgrade, one node at a time)',
  options: [CLUSTER_NAME, GROUP, { name: 'kubernetes-version', kind: 'string', help: 'target version (default: the newest upgrade offered)' }, YES, NO_WAIT],
  async run(ctx) {
    const current = await ctx.arm.get(hcs(pciPath(ctx)), ctx.log);
    if (!current) throw new CliError(`(ResourceNotFound) The provisioned cluster '${s(ctx.opts, 'name')}' was not found.`);
    let version = s(ctx.opts, 'kubernetes-version');
    if (!version) {
      const up = await ctx.arm.get(hcs(`${pciPath(ctx)}/upgradeProfiles/default`), ctx.log);
      const offered: string[] = (up?.properties?.controlPlaneProfile?.upgrades ?? []).map((u: any) => u.kubernetesVersion);
      version = offered.sort().pop();
      if (!version) throw new CliError(`the cluster is at ${current.properties?.kubernetesVersion}: no upgrade is offered`);
    }
    if (!b(ctx.opts, 'yes') && ctx.confirm && !(await ctx.confirm(`Upgrade '${s(ctx.opts, 'name')}' to Kubernetes ${version}? (y/n): `))) throw new CliError('Operation cancelled.');
    return ctx.arm.write('PUT', hcs(pciPath(ctx)), writable(current, { kubernetesVersion: version }), { log: ctx.log, noWait: !!b(ctx.opts, 'no-wait') });
  },
};

/** The cluster as a PUT body: what the service computes (state, status, pools shown from children) left out. */
function writable(current: any, change: Record<string, unknown>): any {
  const { provisioningState: _p, status: _s, agentPoolProfiles: _a, ...props } = current.properties ?? {};
  return { extendedLocation: current.extendedLocation, properties: { ...props, ...change } };
}

// nodepools

const POOL_OPTIONS: OptionSpec[] = [{ name: 'cluster-name', kind: 'string', required: true, help: 'the provisioned cluster' }, NAME('name of the node pool'), GROUP];
const poolPath = (ctx: Ctx) => hcs(`${pciPath(ctx, s(ctx.opts, 'cluster-name'))}/agentPools/${s(ctx.opts, 'name')}`);

const nodepoolAdd: Command = {
  name: 'aksarc nodepool add',
  summary: 'add a node pool',
  options: [
    ...POOL_OPTIONS,
    { name: 'node-count', kind: 'int', aliases: ['-c'], help: 'nodes (default 1)' },
    { name: 'node-vm-size', kind: 'string', help: 'VM size (default Standard_A4_v2)' },
    { name: 'os-type', kind: 'string', help: 'Linux (default) or Windows' },
    { name: 'os-sku', kind: 'string', help: 'CBLMariner (Linux default), AzureLinux, Windows2019, Windows2022 (Windows default)' },
    { name: 'labels', kind: 'list', help: 'space-separated labels: key=value ...' },
    { name: 'taints', kind: 'list', help: 'space-separated taints: key=value:effect ...' },
    { name: 'max-pods', kind: 'int', help: 'pods per node' },
    { name: 'enable-cluster-autoscaler', kind: 'switch', help: 'autoscale between --min-count and --max-count' },
    { name: 'min-count', kind: 'int', help: 'autoscaler minimum' },
    { name: 'max-count', kind: 'int', help: 'autoscaler maximum' },
    NO_WAIT,
  ],
  async run(ctx) {
    const o = ctx.opts;
    const osType = s(o, 'os-type') ?? 'Linux';
    const properties = {
      count: n(o, 'node-count') ?? 1,
      vmSize: s(o, 'node-vm-size') ?? 'Standard_A4_v2',
      osType,
      osSKU: s(o, 'os-sku') ?? (osType.toLowerCase() === 'windows' ? 'Windows2022' : 'CBLMariner'),
      ...(o.labels ? { nodeLabels: keyValues('aksarc nodepool add', 'labels', o.labels as string[]) } : {}),
      ...(o.taints ? { nodeTaints: idList(o.taints as string[]) } : {}),
      ...(n(o, 'max-pods') !== undefined ? { maxPods: n(o, 'max-pods') } : {}),
      ...(b(o, 'enable-cluster-autoscaler') ? { enableAutoScaling: true, minCount: n(o, 'min-count'), maxCount: n(o, 'max-count') } : {}),
    };
    return ctx.arm.write('PUT', poolPath(ctx), { properties }, { log: ctx.log, noWait: !!b(o, 'no-wait') });
  },
};

const nodepoolScale: Command = {
  name: 'aksarc nodepool scale',
  summary: 'change the node count (or VM size) of a pool',
  options: [...POOL_OPTIONS, { name: 'node-count', kind: 'int', aliases: ['-c'], help: 'nodes' }, { name: 'node-vm-size', kind: 'string', help: 'VM size' }, YES, NO_WAIT],
  async run(ctx) {
    const current = await ctx.arm.get(poolPath(ctx), ctx.log);
    if (!current) throw new CliError(`(ResourceNotFound) Node pool '${s(ctx.opts, 'name')}' was not found in cluster '${s(ctx.opts, 'cluster-name')}'.`);
    const { provisioningState: _p, status: _s, ...props } = current.properties ?? {};
    const count = n(ctx.opts, 'node-count');
    const vmSize = s(ctx.opts, 'node-vm-size');
    if (count === undefined && vmSize === undefined) throw new CliError('aksarc nodepool scale: error: give --node-count or --node-vm-size', 2);
    return ctx.arm.write(
      'PUT',
      poolPath(ctx),
      { properties: { ...props, ...(count !== undefined ? { count } : {}), ...(vmSize ? { vmSize } : {}) } },
      { log: ctx.log, noWait: !!b(ctx.opts, 'no-wait') },
    );
  },
};

const nodepoolShow: Command = {
  name: 'aksarc nodepool show',
  summary: 'show a node pool',
  options: POOL_OPTIONS,
  async run(ctx) {
    const r = await ctx.arm.get(poolPath(ctx), ctx.log);
    if (!r) throw new CliError(`(ResourceNotFound) Node pool '${s(ctx.opts, 'name')}' was not found in cluster '${s(ctx.opts, 'cluster-name')}'.`);
    return r;
  },
};

const nodepoolList: Command = {
  name: 'aksarc nodepool list',
  summary: 'list the node pools of a cluster',
  options: [POOL_OPTIONS[0], GROUP],
  async run(ctx) {
    return ctx.arm.list(hcs(`${pciPath(ctx, s(ctx.opts, 'cluster-name'))}/agentPools`), ctx.log);
  },
};

const nodepoolDelete: Command = {
  name: 'aksarc nodepool delete',
  summary: 'delete a node pool and its VMs',
  options: [...POOL_OPTIONS, YES, NO_WAIT],
  async run(ctx) {
    await confirmDelete(ctx);
    await ctx.arm.write('DELETE', poolPath(ctx), undefined, { log: ctx.log, noWait: !!b(ctx.opts, 'no-wait') });
    return undefined;
  },
};

// ---- connectedk8s -----------------------------------------------------------------------------------

const connectedCluster = (ctx: Ctx) => `${groupPath(ctx)}/providers/Microsoft.Kubernetes/connectedClusters/${s(ctx.opts, 'name')}?api-version=${V.kubernetes}`;

const connect: Command = {
  name: 'connectedk8s connect',
  summary: 'onboard a cluster to Azure Arc: the connected cluster resource with a new agent key (the emulator hosts the cluster behind it)',
  options: [
    NAME('name of the connected cluster'),
    GROUP,
    LOCATION,
    { name: 'distribution', kind: 'string', help: 'Kubernetes distribution (k3s, kind, openshift, ...; default generic)' },
    { name: 'infrastructure', kind: 'string', help: 'where it runs (generic, azure_stack_hci, azure_stack_hub, aws, gcp, ...; default generic)' },
    { name: 'kube-config', kind: 'string', help: 'accepted for compatibility: the emulator hosts the cluster itself' },
    { name: 'kube-context', kind: 'string', help: 'accepted for compatibility: the emulator hosts the cluster itself' },
    { name: 'disable-auto-upgrade', kind: 'switch', help: 'the agents do not upgrade themselves' },
    TAGS,
    NO_WAIT,
  ],
  async run(ctx) {
    const o = ctx.opts;
    // as the real command: a fresh RSA key pair for the agents; Azure keeps the public key (DER, base64)
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const body = {
      location: s(o, 'location') ?? (await groupLocation(ctx)),
      identity: { type: 'SystemAssigned' },
      ...(tags(o) ? { tags: tags(o) } : {}),
      properties: {
        agentPublicKeyCertificate: publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64'),
        distribution: s(o, 'distribution') ?? 'generic',
        infrastructure: s(o, 'infrastructure') ?? 'generic',
        ...(b(o, 'disable-auto-upgrade') ? { arcAgentProfile: { agentAutoUpgrade: 'Disabled' } } : {}),
      },
    };
    return ctx.arm.write('PUT', connectedCluster(ctx), body, { log: ctx.log, noWait: !!b(o, 'no-wait') });
  },
};

/** `<group> show`: GET the named resource of the group; az's ResourceNotFound when it is not there. */
function showCommand(name: string, what: string, type: string, pathOf: (ctx: Ctx) => string): Command {
  return {
    name,
    summary: `show a ${what}`,
    options: [NAME(`name of the ${what}`), GROUP],
    async run(ctx) {
      const r = await ctx.arm.get(pathOf(ctx), ctx.log);
      if (!r) throw new CliError(`(ResourceNotFound) The Resource '${type}/${s(ctx.opts, 'name')}' under resource group '${s(ctx.opts, 'resource-group')}' was not found.`);
      return r;
    },
  };
}

/** `<group> list`: the type's resources in the resource group given, else in the subscription. */
function listCommand(name: string, what: string, type: string, apiVersion: () => string): Command {
  return {
    name,
    summary: `list ${what}`,
    options: [GROUP_OPTIONAL],
    async run(ctx) {
      const scope = s(ctx.opts, 'resource-group') ? groupPath(ctx) : `/subscriptions/${sub(ctx)}`;
      return ctx.arm.list(`${scope}/providers/${type}?api-version=${apiVersion()}`, ctx.log);
    },
  };
}

const ccShow = showCommand('connectedk8s show', 'connected cluster', 'Microsoft.Kubernetes/connectedClusters', connectedCluster);

const ccList = listCommand('connectedk8s list', 'connected clusters', 'Microsoft.Kubernetes/connectedClusters', () => V.kubernetes);

const ccDelete: Command = {
  name: 'connectedk8s delete',
  summary: 'delete a connected cluster (and what runs on it)',
  options: [NAME('name of the connected cluster'), GROUP, YES, NO_WAIT],
  async run(ctx) {
    await confirmDelete(ctx);
    await ctx.arm.write('DELETE', connectedCluster(ctx), undefined, { log: ctx.log, noWait: !!b(ctx.opts, 'no-wait') });
    return undefined;
  },
};

// ---- k8s-extension ----------------------------------------------------------------------------------

const CLUSTER_TYPES: Record<string, string> = {
  connectedclusters: 'Microsoft.Kubernetes/connectedClusters',
  managedclusters: 'Microsoft.ContainerService/managedClusters',
  appliances: 'Microsoft.ResourceConnector/appliances',
  provisionedclusters: 'Microsoft.HybridContainerService/provisionedClusters',
};

const EXT_TARGET: OptionSpec[] = [
  { name: 'cluster-name', kind: 'string', aliases: ['-c'], required: true, help: 'the cluster (or appliance) the extension is on' },
  { name: 'cluster-type', kind: 'string', aliases: ['-t'], required: true, help: 'connectedClusters, managedClusters, appliances or provisionedClusters' },
  GROUP,
];

function extensionsPath(ctx: Ctx): string {
  const type = CLUSTER_TYPES[String(s(ctx.opts, 'cluster-type')).toLowerCase()];
  if (!type)
    throw new CliError(
      `k8s-extension: error: argument --cluster-type/-t: invalid choice: '${s(ctx.opts, 'cluster-type')}' (choose from ${Object.values(CLUSTER_TYPES)
        .map((t) => t.split('/')[1])
        .join(', ')})`,
      2,
    );
  return `${groupPath(ctx)}/providers/${type}/${s(ctx.opts, 'cluster-name')}/providers/Microsoft.KubernetesConfiguration/extensions`;
}
const extensionPath = (ctx: Ctx) => `${extensionsPath(ctx)}/${s(ctx.opts, 'name')}?api-version=${V.kubernetesConfiguration}`;

function settings(ctx: Ctx, flag: string): Record<string, string> | undefined {
  const inline = keyValues('k8s-extension create', flag, ctx.opts[flag] as string[] | undefined);
  const file = s(ctx.opts, `${flag}-file`);
  const fromFile = file ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : undefined;
  return inline || fromFile ? { ...(fromFile ?? {}), ...(inline ?? {}) } : undefined;
}

const extCreate: Command = {
  name: 'k8s-extension create',
  summary: 'install a cluster extension',
  options: [
    NAME('name of the extension instance'),
    ...EXT_TARGET,
    { name: 'extension-type', kind: 'string', required: true, help: 'e.g. microsoft.flux, Microsoft.HybridAKSOperator, Microsoft.AZStackHCI.Operator' },
    { name: 'scope', kind: 'string', help: 'cluster or namespace' },
    { name: 'release-namespace', kind: 'string', help: 'namespace of a cluster-scoped release' },
    { name: 'target-namespace', kind: 'string', help: 'namespace of a namespace-scoped release' },
    { name: 'release-train', kind: 'string', help: 'Stable (default), Preview, ...' },
    { name: 'version', kind: 'string', help: 'a pinned version (with --auto-upgrade-minor-version false)' },
    { name: 'auto-upgrade-minor-version', kind: 'bool', aliases: ['--auto-upgrade'], help: 'upgrade minor versions automatically' },
    { name: 'configuration-settings', kind: 'list', aliases: ['--config'], help: 'key=value settings' },
    { name: 'configuration-protected-settings', kind: 'list', aliases: ['--config-protected'], help: 'key=value settings kept secret' },
    { name: 'configuration-settings-file', kind: 'string', aliases: ['--config-file'], help: 'a JSON file of settings' },
    { name: 'configuration-protected-settings-file', kind: 'string', aliases: ['--config-protected-file'], help: 'a JSON file of secret settings' },
    NO_WAIT,
  ],
  async run(ctx) {
    const o = ctx.opts;
    const scope = s(o, 'scope')?.toLowerCase();
    if (scope && scope !== 'cluster' && scope !== 'namespace')
      throw new CliError(`k8s-extension create: error: argument --scope: invalid choice: '${s(o, 'scope')}' (choose from 'cluster', 'namespace')`, 2);
    const properties = {
      extensionType: s(o, 'extension-type'),
      ...(o['auto-upgrade-minor-version'] !== undefined ? { autoUpgradeMinorVersion: b(o, 'auto-upgrade-minor-version') } : {}),
      ...(s(o, 'release-train') ? { releaseTrain: s(o, 'release-train') } : {}),
      ...(s(o, 'version') ? { version: s(o, 'version') } : {}),
      ...(scope === 'cluster' || s(o, 'release-namespace') ? { scope: { cluster: { releaseNamespace: s(o, 'release-namespace') ?? s(o, 'name') } } } : {}),
      ...(scope === 'namespace' ? { scope: { namespace: { targetNamespace: s(o, 'target-namespace') ?? s(o, 'name') } } } : {}),
      ...(settings(ctx, 'configuration-settings') ? { configurationSettings: settings(ctx, 'configuration-settings') } : {}),
      ...(settings(ctx, 'configuration-protected-settings') ? { configurationProtectedSettings: settings(ctx, 'configuration-protected-settings') } : {}),
    };
    return ctx.arm.write('PUT', extensionPath(ctx), { properties }, { log: ctx.log, noWait: !!b(o, 'no-wait') });
  },
};

const extShow: Command = {
  name: 'k8s-extension show',
  summary: 'show a cluster extension',
  options: [NAME('name of the extension instance'), ...EXT_TARGET],
  async run(ctx) {
    const r = await ctx.arm.get(extensionPath(ctx), ctx.log);
    if (!r) throw new CliError(`(ExtensionNotFound) Extension '${s(ctx.opts, 'name')}' was not found on cluster '${s(ctx.opts, 'cluster-name')}'.`);
    return r;
  },
};

const extList: Command = {
  name: 'k8s-extension list',
  summary: 'list the extensions of a cluster',
  options: EXT_TARGET,
  async run(ctx) {
    return ctx.arm.list(`${extensionsPath(ctx)}?api-version=${V.kubernetesConfiguration}`, ctx.log);
  },
};

const extDelete: Command = {
  name: 'k8s-extension delete',
  summary: 'uninstall a cluster extension',
  options: [NAME('name of the extension instance'), ...EXT_TARGET, { name: 'force', kind: 'switch', help: 'delete without waiting for the cluster (forceDelete=true)' }, YES, NO_WAIT],
  async run(ctx) {
    await confirmDelete(ctx);
    await ctx.arm.write('DELETE', `${extensionPath(ctx)}${b(ctx.opts, 'force') ? '&forceDelete=true' : ''}`, undefined, { log: ctx.log, noWait: !!b(ctx.opts, 'no-wait') });
    return undefined;
  },
};

// ---- customlocation ---------------------------------------------------------------------------------

const customLocationPath = (ctx: Ctx) => `${groupPath(ctx)}/providers/Microsoft.ExtendedLocation/customLocations/${s(ctx.opts, 'name')}?api-version=${V.extendedLocation}`;

const clCreate: Command = {
  name: 'customlocation create',
  summary: 'create a custom location on a host (an Arc resource bridge or a connected cluster) and its extensions',
  options: [
    NAME('name of the custom location'),
    GROUP,
    { name: 'host-resource-id', kind: 'string', required: true, help: 'the appliance or connected cluster' },
    { name: 'namespace', kind: 'string', aliases: ['--ns'], required: true, help: 'the namespace on the host the custom location maps to' },
    { name: 'cluster-extension-ids', kind: 'list', aliases: ['-c'], required: true, help: "ids of the host's extensions it offers (space- or comma-separated)" },
    LOCATION,
    { name: 'kubeconfig', kind: 'string', aliases: ['-k'], help: 'accepted for compatibility: the emulator reaches the host itself' },
    { name: 'assign-identity', kind: 'string', help: 'SystemAssigned or None' },
    TAGS,
  ],
  async run(ctx) {
    const o = ctx.opts;
    const identity = s(o, 'assign-identity');
    const body = {
      location: s(o, 'location') ?? (await groupLocation(ctx)),
      ...(tags(o) ? { tags: tags(o) } : {}),
      ...(identity && identity.toLowerCase() !== 'none' ? { identity: { type: 'SystemAssigned' } } : {}),
      properties: {
        hostResourceId: s(o, 'host-resource-id'),
        namespace: s(o, 'namespace'),
        hostType: 'Kubernetes',
        clusterExtensionIds: idList(o['cluster-extension-ids'] as string[]),
        displayName: s(o, 'name'),
      },
    };
    return ctx.arm.write('PUT', customLocationPath(ctx), body, { log: ctx.log });
  },
};

const clShow = showCommand('customlocation show', 'custom location', 'Microsoft.ExtendedLocation/customLocations', customLocationPath);

const clList = listCommand('customlocation list', 'custom locations', 'Microsoft.ExtendedLocation/customLocations', () => V.extendedLocation);

const clEnabled: Command = {
  name: 'customlocation list-enabled-resource-types',
  summary: "the resource types a custom location's extensions enable",
  options: [NAME('name of the custom location'), GROUP],
  async run(ctx) {
    const p = customLocationPath(ctx).replace('?', '/enabledResourceTypes?');
    return ctx.arm.list(p, ctx.log);
  },
};

const clDelete: Command = {
  name: 'customlocation delete',
  summary: 'delete a custom location (refused while resources use it)',
  options: [NAME('name of the custom location'), GROUP, YES],
  async run(ctx) {
    await confirmDelete(ctx);
    await ctx.arm.write('DELETE', customLocationPath(ctx), undefined, { log: ctx.log });
    return undefined;
  },
};

export const HYBRID_COMMANDS: Command[] = [
  aksarcCreate,
  aksarcShow,
  aksarcList,
  aksarcDelete,
  aksarcGetCredentials,
  aksarcGetVersions,
  aksarcVmSizes,
  aksarcGetUpgrades,
  aksarcUpgrade,
  nodepoolAdd,
  nodepoolScale,
  nodepoolShow,
  nodepoolList,
  nodepoolDelete,
  connect,
  ccShow,
  ccList,
  ccDelete,
  extCreate,
  extShow,
  extList,
  extDelete,
  clCreate,
  clShow,
  clList,
  clEnabled,
  clDelete,
];
