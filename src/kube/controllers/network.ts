// Services: their endpoints and endpoint slices (the ready and not-ready addresses of the pods their
// selector picks), and the external address of a LoadBalancer service from where the cluster runs: on an
// Azure region a public IP in the node resource group (Standard SKU), on the Hub stamp one of the basic
// load balancer (Basic SKU), on an AKS hybrid cluster a VIP of its logical network (handed out by the
// emulator per network, so two clusters on one network never share one). Plain Arc clusters and the Arc
// bridge have no load balancer provider: their services stay <pending>, as without MetalLB.

import type { BatchChange } from '../api.js';
import { BUILTINS } from '../kinds/index.js';
import { clone, hashSuffix, nowTime, type KubeObject } from '../model.js';
import { intToIp, ipToInt, parseCidr } from '../net.js';
import { selectorMatches } from '../selectors.js';
import type { Controller, ControllerContext } from './runtime.js';
import { isTerminating, ownerRef, podReady } from './util.js';
import type { WriteOp } from '../../store/store.js';

const ENDPOINTS = BUILTINS.get('', 'v1', 'endpoints')!;
const SLICES = BUILTINS.get('discovery.k8s.io', 'v1', 'endpointslices')!;
const SERVICES = BUILTINS.get('', 'v1', 'services')!;

/** Site-level addresses handed to services (one key per address and scope). */
export const IPS = 'kube.ips';

interface IpRecord {
  scope: string;
  ip: string;
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
}

function targetPortOf(svcPort: any, pod: KubeObject): number | undefined {
  const t = svcPort.targetPort ?? svcPort.port;
  if (typeof t === 'number') return t;
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === t) return p.containerPort;
  return undefined;
}

function sameContent(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export const endpointsController: Controller = {
  name: 'endpoints',
  watches: ['core/services', 'core/pods'],
  async run(ctx) {
    const changes: BatchChange[] = [];
    const time = nowTime(ctx.now);
    const services = ctx.list('core/services');
    const live = new Set(services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
    for (const svc of services) {
      const sel = svc.spec?.selector;
      if (!sel || !Object.keys(sel).length || svc.spec?.type === 'ExternalName' || isTerminating(svc)) continue;
      const ns = svc.metadata.namespace!;
      const pods = ctx
        .list('core/pods', ns)
        .filter((p) => p.status?.podIP && selectorMatches({ matchLabels: sel }, p.metadata.labels ?? {}) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
      const ready = pods.filter((p) => podReady(p) && !isTerminating(p));
      const notReady = pods.filter((p) => !ready.includes(p));
      const address = (p: KubeObject) => ({ ip: p.status.podIP, nodeName: p.spec.nodeName, targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid } });
      const ports = (svc.spec?.ports ?? []).map((sp: any) => {
        const port = pods.length ? targetPortOf(sp, pods[0]) : typeof sp.targetPort === 'number' ? sp.targetPort : sp.port;
        const out: Record<string, unknown> = { port: port ?? sp.port, protocol: sp.protocol ?? 'TCP' };
        if (sp.name) out.name = sp.name;
        if (sp.appProtocol) out.appProtocol = sp.appProtocol;
        return out;
      });
      const subsets = pods.length ? [{ ...(ready.length ? { addresses: ready.map(address) } : {}), ...(notReady.length ? { notReadyAddresses: notReady.map(address) } : {}), ports }] : undefined;
      const cur = ctx.get('core/endpoints', ns, svc.metadata.name!);
      const labels = { ...(svc.metadata.labels ?? {}), 'service.kubernetes.io/headless': svc.spec?.clusterIP === 'None' ? '' : undefined } as Record<string, string | undefined>;
      for (const k of Object.keys(labels)) if (labels[k] === undefined) delete labels[k];
      const want: KubeObject = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: svc.metadata.name, namespace: ns, labels: labels as Record<string, string>, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': time } },
      };
      if (subsets) want.subsets = subsets;
      if (!cur) changes.push({ verb: 'create', def: ENDPOINTS, namespace: ns, object: want, tolerate: [409] });
      else if (!sameContent(cur.subsets, want.subsets) || !sameContent(cur.metadata.labels ?? {}, want.metadata.labels)) {
        const next = clone(cur);
        next.subsets = want.subsets;
        if (!want.subsets) delete next.subsets;
        next.metadata.labels = want.metadata.labels;
        next.metadata.annotations = { ...(cur.metadata.annotations ?? {}), 'endpoints.kubernetes.io/last-change-trigger-time': time };
        changes.push({ verb: 'update', def: ENDPOINTS, namespace: ns, object: next, tolerate: [404, 409] });
      }
      // One endpoint slice per service.
      const sliceName = `${svc.metadata.name}-${hashSuffix(svc.metadata.uid ?? '', 5)}`;
      const endpoints = pods.map((p) => ({
        addresses: [p.status.podIP],
        conditions: { ready: ready.includes(p), serving: podReady(p), terminating: isTerminating(p) },
        nodeName: p.spec.nodeName,
        targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
      }));
      const slice: KubeObject = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: sliceName,
          namespace: ns,
          labels: { ...(svc.metadata.labels ?? {}), 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': svc.metadata.name! },
          ownerReferences: [{ ...ownerRef(svc), apiVersion: 'v1', kind: 'Service' }],
        },
        addressType: 'IPv4',
        endpoints,
        ports: ports.map((p: any) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol })),
      };
      const curSlice = ctx.get('discovery.k8s.io/endpointslices', ns, sliceName);
      if (!curSlice) changes.push({ verb: 'create', def: SLICES, namespace: ns, object: slice, tolerate: [409] });
      else if (!sameContent(curSlice.endpoints, slice.endpoints) || !sameContent(curSlice.ports, slice.ports))
        changes.push({ verb: 'update', def: SLICES, namespace: ns, object: { ...clone(curSlice), endpoints: slice.endpoints, ports: slice.ports }, tolerate: [404, 409] });
    }
    // Endpoints of services that are gone (slices go with their service's garbage collection).
    for (const ep of ctx.list('core/endpoints')) {
      const key = `${ep.metadata.namespace}/${ep.metadata.name}`;
      if (!live.has(key) && !(ep.metadata.namespace === 'default' && ep.metadata.name === 'kubernetes'))
        changes.push({ verb: 'delete', def: ENDPOINTS, namespace: ep.metadata.namespace!, name: ep.metadata.name!, tolerate: [404] });
    }
    if (changes.length) await ctx.commit(changes);
  },
};

// ---- load balancers ---------------------------------------------------------------------------------------------

const PIP_API = '2023-09-01';

function pipName(svc: KubeObject): string {
  return `kubernetes-a${String(svc.metadata.uid).replace(/-/g, '')}`;
}

function pipId(ctx: ControllerContext, svc: KubeObject): string | undefined {
  const rg = ctx.view.nodeResourceGroup;
  if (!rg) return undefined;
  return `/subscriptions/${ctx.view.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Network/publicIPAddresses/${pipName(svc)}`;
}

/** A public IP of the node resource group for the service (the cloud provider's), created through the ARM core. */
async function azurePublicIp(ctx: ControllerContext, svc: KubeObject): Promise<string | undefined> {
  const id = pipId(ctx, svc);
  if (!id) return undefined;
  const core = ctx.services.resourceManager;
  const existing = ctx.services.resources.get(id);
  if (existing?.resource.properties?.ipAddress) return existing.resource.properties.ipAddress;
  const hub = ctx.view.targetKind === 'AzureStackHub';
  const body = {
    location: ctx.view.location,
    sku: { name: hub ? 'Basic' : 'Standard', tier: 'Regional' },
    tags: { 'k8s-azure-service': `${svc.metadata.namespace}/${svc.metadata.name}`, 'k8s-azure-cluster-name': 'kubernetes' },
    properties: { publicIPAllocationMethod: 'Static', publicIPAddressVersion: 'IPv4' },
  };
  const r = await core.put(id, body, { apiVersion: PIP_API, internal: true });
  if (r.operation) await core.waitFor(r.operation.id);
  return ctx.services.resources.get(id)?.resource.properties?.ipAddress;
}

async function releaseAzureIp(ctx: ControllerContext, id: string): Promise<void> {
  if (!ctx.services.resources.get(id)) return;
  try {
    const r = await ctx.services.resourceManager.delete(id, { apiVersion: PIP_API, internal: true });
    if (r.operation) await ctx.services.resourceManager.waitFor(r.operation.id);
  } catch {
    // the node resource group is going away with its cluster
  }
}

/** The VIPs an AKS hybrid cluster's network offers: its VIP pools, or its prefix outside the node pools. */
async function hybridVipCandidates(ctx: ControllerContext): Promise<{ scope: string; candidates: () => Generator<string>; reserved: Set<string> } | undefined> {
  const inst = ctx.services.resources.get(ctx.view.anchor);
  const site = inst?.internal.site as string | undefined;
  const netName = inst?.internal.network as string | undefined;
  const fabric = ctx.fabric;
  if (!site || !netName || !fabric?.hasSite(site)) return undefined;
  const snap = await fabric.site(site).snapshot();
  const net = snap.logicalNetworks.find((n) => n.name.toLowerCase() === netName.toLowerCase());
  if (!net?.addressPrefix) return undefined;
  const reserved = new Set<string>([net.gateway, ...(net.dnsServers ?? [])].filter(Boolean) as string[]);
  for (const r of ctx.services.resources.listByType('microsoft.hybridcontainerservice/provisionedclusterinstances')) {
    if (String(r.internal.network ?? '').toLowerCase() !== netName.toLowerCase() || String(r.internal.site ?? '').toLowerCase() !== site.toLowerCase()) continue;
    const ip = r.resource.properties?.controlPlane?.controlPlaneEndpoint?.hostIP;
    if (typeof ip === 'string') reserved.add(ip);
  }
  for (const v of snap.vms) if (v.ip) reserved.add(v.ip);
  const inPools = (n: number) => net.ipPools.some((r) => n >= ipToInt(r.start)! && n <= ipToInt(r.end)!);
  const vip = net.vipPools ?? [];
  function* candidates(): Generator<string> {
    if (vip.length) {
      for (const r of vip) for (let n = ipToInt(r.start)!; n <= ipToInt(r.end)!; n++) yield intToIp(n);
      return;
    }
    const [lo, hi] = parseCidr(net!.addressPrefix)!;
    // From the top of the prefix down: away from the gateway and the usual node pools.
    for (let n = hi - 1; n > lo; n--) if (!inPools(n)) yield intToIp(n);
  }
  return { scope: `site:${site.toLowerCase()}/${netName.toLowerCase()}`, candidates, reserved };
}

export const loadBalancerController: Controller = {
  name: 'service-lb',
  watches: ['core/services'],
  async run(ctx) {
    const { view } = ctx;
    const changes: BatchChange[] = [];
    const extra: WriteOp[] = [];
    const services = ctx.list('core/services');
    const store = ctx.services.store;
    const mine = [...store.values<IpRecord>(IPS)].filter((r) => r.cluster === ctx.cluster);
    const lbs = services.filter((s) => s.spec?.type === 'LoadBalancer' && !isTerminating(s));
    // Released: what no LoadBalancer service of this cluster holds any more.
    const held = new Set(lbs.map((s) => s.metadata.uid));
    for (const r of mine) if (!held.has(r.uid)) extra.push({ collection: IPS, key: `${r.scope}|${r.ip}`, value: undefined });
    if (view.kind === 'aks' && view.nodeResourceGroup) {
      const prefix = `/subscriptions/${view.subscriptionId}/resourcegroups/${view.nodeResourceGroup.toLowerCase()}/providers/microsoft.network/publicipaddresses/kubernetes-a`;
      for (const s of ctx.services.resources.listByParent(`/subscriptions/${view.subscriptionId}/resourceGroups/${view.nodeResourceGroup}`)) {
        const id = s.resource.id.toLowerCase();
        if (!id.startsWith(prefix)) continue;
        if (!lbs.some((svc) => id.endsWith(pipName(svc).toLowerCase()))) await releaseAzureIp(ctx, s.resource.id);
      }
    }
    let vips: Awaited<ReturnType<typeof hybridVipCandidates>>;
    for (const svc of lbs) {
      const ns = svc.metadata.namespace!;
      const has = (svc.status?.loadBalancer?.ingress ?? []).length > 0;
      if (has) continue;
      let ip: string | undefined;
      if (view.kind === 'aks') {
        ctx.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer', 'service-controller');
        try {
          ip = await azurePublicIp(ctx, svc);
        } catch (e) {
          ctx.event(svc, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: failed to ensure load balancer: ${(e as Error).message}`, 'service-controller');
          continue;
        }
      } else if (view.kind === 'hybrid') {
        vips ??= await hybridVipCandidates(ctx);
        if (!vips) continue;
        // Read and commit with no await in between: two clusters on one network cannot take the same address.
        const taken = new Set([...store.values<IpRecord>(IPS)].filter((r) => r.scope === vips!.scope).map((r) => r.ip));
        for (const cand of vips.candidates()) {
          if (taken.has(cand) || vips.reserved.has(cand)) continue;
          ip = cand;
          break;
        }
        if (!ip) {
          ctx.event(
            svc,
            'Warning',
            'AllocationFailed',
            `Failed to allocate IP for "${ns}/${svc.metadata.name}": no available IPs in the VIP pool of the cluster's logical network`,
            'metallb-controller',
          );
          continue;
        }
        const rec: IpRecord = { scope: vips.scope, ip, cluster: ctx.cluster, namespace: ns, name: svc.metadata.name!, uid: svc.metadata.uid! };
        extra.push({ collection: IPS, key: `${vips.scope}|${ip}`, value: rec });
        ctx.event(svc, 'Normal', 'IPAllocated', `Assigned IP ["${ip}"]`, 'metallb-controller');
      } else continue;
      if (!ip) continue;
      const fresh = ctx.get('core/services', ns, svc.metadata.name!);
      if (!fresh || fresh.metadata.uid !== svc.metadata.uid) continue;
      const next = clone(fresh);
      next.status = { ...(next.status ?? {}), loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } };
      changes.push({ verb: 'update', def: SERVICES, namespace: ns, object: next, subresource: 'status', fieldManager: 'cloud-controller-manager', tolerate: [404, 409] });
      if (view.kind === 'aks') ctx.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer', 'service-controller');
    }
    // A service that stopped being a LoadBalancer loses its address.
    for (const svc of services) {
      if (svc.spec?.type === 'LoadBalancer' || !(svc.status?.loadBalancer?.ingress ?? []).length) continue;
      changes.push({ verb: 'update', def: SERVICES, namespace: svc.metadata.namespace!, object: { ...clone(svc), status: { loadBalancer: {} } }, subresource: 'status', tolerate: [404, 409] });
    }
    if (changes.length || extra.length) await ctx.commit(changes, extra);
  },
};
