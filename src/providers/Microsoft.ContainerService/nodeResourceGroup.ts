// The node resource group (MC_{rg}_{cluster}_{location}), as AKS keeps it: created with the cluster
// (related puts of the cluster's create, one write), `managedBy` the cluster, holding the cluster's
// infrastructure as resources (`az resource list -g MC_...`), kept in step with scale and node pool
// changes by the completion hooks, deleted with the cluster. A deny assignment on the group refuses
// users' writes to it and to everything in it (403 DenyAssignmentAuthorizationFailed, enforced by the
// core), as AKS's node resource group lockdown does; the platform's own writes go through the hooks.
//
// What is in it follows the target:
// - Azure region (AKS): a scale set per node pool (aks-{pool}-{n}-vmss), the 'kubernetes' load
//   balancer and its managed outbound public IP (standard load balancer), a network security group,
//   a route table (kubenet) and the virtual network aks-vnet-{n} (10.224.0.0/12).
// - Azure Stack Hub stamp (AKS engine's layout): a scale set per node pool (k8s-{pool}-{n}-vmss), the
//   control-plane VMs (k8s-master-{n}-{i}) in their availability set, the control plane's basic load
//   balancer and public IP, a network security group, a route table and the virtual network.
// NICs and disks are left out. Pure: everything here is computed from the cluster and its pools.

import { createHash } from 'node:crypto';
import type { ArmResource, RelatedResource } from '../../framework/types.js';
import type { KubernetesTarget } from '../../kubernetes/capabilities.js';
import { guidFrom, type Profile } from './shape.js';

const COMPUTE = 'Microsoft.Compute';
const NETWORK = 'Microsoft.Network';

export function nodeResourceGroupId(subscriptionId: string, nodeRg: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${nodeRg}`;
}

/** The 8-digit suffix AKS puts in the names of a cluster's infrastructure. */
export function nameSuffix(clusterId: string): string {
  const n = createHash('sha256').update(clusterId.toLowerCase()).digest().readUInt32BE(0) % 100_000_000;
  return String(n).padStart(8, '0');
}

export interface NodeGroupInput {
  subscriptionId: string;
  clusterId: string;
  clusterName: string;
  clusterResourceGroup: string;
  location: string;
  /** The cluster's properties (nodeResourceGroup, networkProfile, dnsPrefix, kubernetesVersion). */
  props: Record<string, any>;
  pools: Profile[];
  target: Pick<KubernetesTarget, 'kind' | 'doc'>;
}

/** The deny assignment kept on the group (internal), named in the core's 403. */
export function denyAssignmentFor(clusterId: string, groupId: string): { name: string; id: string } {
  const guid = guidFrom(`${clusterId}/denyAssignment`);
  return { name: `Node resource group lockdown of managed cluster '${clusterId.split('/').pop()}'`, id: `${groupId}/providers/Microsoft.Authorization/denyAssignments/${guid}` };
}

/** The group itself. */
export function nodeGroupResource(i: NodeGroupInput): RelatedResource {
  const id = nodeResourceGroupId(i.subscriptionId, i.props.nodeResourceGroup);
  return {
    resource: {
      id,
      name: i.props.nodeResourceGroup,
      type: 'Microsoft.Resources/resourceGroups',
      location: i.location,
      managedBy: i.clusterId,
      tags: {},
      properties: { provisioningState: 'Succeeded' },
    },
    internal: { denyAssignment: denyAssignmentFor(i.clusterId, id), managedByCluster: i.clusterId },
  };
}

/** A node pool's scale set. */
export function poolScaleSet(i: NodeGroupInput, p: Profile): RelatedResource {
  const rgId = nodeResourceGroupId(i.subscriptionId, i.props.nodeResourceGroup);
  const n = nameSuffix(i.clusterId);
  const hub = i.target.kind === 'AzureStackHub';
  const name = hub ? `k8s-${p.name}-${n}-vmss` : `aks-${p.name}-${n}-vmss`;
  const net = networkNames(i);
  const tags: Record<string, string> = hub
    ? { poolName: p.name, orchestrator: `Kubernetes:${p.currentOrchestratorVersion ?? p.orchestratorVersion ?? ''}`, resourceNameSuffix: n, aksEngineVersion: 'v0.75.3' }
    : {
        'aks-managed-cluster-name': i.clusterName,
        'aks-managed-cluster-rg': i.clusterResourceGroup,
        'aks-managed-poolName': p.name,
        'aks-managed-orchestrator': `Kubernetes:${p.currentOrchestratorVersion ?? p.orchestratorVersion ?? ''}`,
        'aks-managed-resourceNameSuffix': n,
      };
  const resource: ArmResource = {
    id: `${rgId}/providers/${COMPUTE}/virtualMachineScaleSets/${name}`,
    name,
    type: `${COMPUTE}/virtualMachineScaleSets`,
    location: i.location,
    tags,
    // A stopped pool (az aks stop, az aks nodepool stop) has its instances removed; the scale set stays.
    sku: { name: p.vmSize, tier: 'Standard', capacity: p.powerState?.code === 'Stopped' ? 0 : (p.count ?? 0) },
    properties: {
      singlePlacementGroup: false,
      orchestrationMode: 'Uniform',
      upgradePolicy: { mode: 'Manual' },
      virtualMachineProfile: {
        osProfile: { computerNamePrefix: name, adminUsername: i.props.linuxProfile?.adminUsername ?? 'azureuser' },
        storageProfile: { osDisk: { createOption: 'FromImage', caching: 'ReadOnly', diskSizeGB: p.osDiskSizeGB ?? 128, managedDisk: { storageAccountType: 'Premium_LRS' } } },
        networkProfile: {
          networkInterfaceConfigurations: [
            {
              name,
              properties: {
                primary: true,
                enableIPForwarding: true,
                ipConfigurations: [{ name: 'ipconfig1', properties: { primary: true, subnet: { id: net.subnetId } } }],
              },
            },
          ],
        },
      },
      overprovision: false,
      provisioningState: 'Succeeded',
      uniqueId: guidFrom(`${i.clusterId}/vmss/${p.name}`),
    },
  };
  return { resource };
}

export function poolScaleSetId(i: Pick<NodeGroupInput, 'subscriptionId' | 'clusterId' | 'props' | 'target'>, pool: string): string {
  const rgId = nodeResourceGroupId(i.subscriptionId, i.props.nodeResourceGroup);
  const n = nameSuffix(i.clusterId);
  return `${rgId}/providers/${COMPUTE}/virtualMachineScaleSets/${i.target.kind === 'AzureStackHub' ? `k8s-${pool}-${n}-vmss` : `aks-${pool}-${n}-vmss`}`;
}

function networkNames(i: NodeGroupInput) {
  const rgId = nodeResourceGroupId(i.subscriptionId, i.props.nodeResourceGroup);
  const n = nameSuffix(i.clusterId);
  const hub = i.target.kind === 'AzureStackHub';
  const vnet = hub ? `k8s-vnet-${n}` : `aks-vnet-${n}`;
  const subnet = hub ? 'k8s-subnet' : 'aks-subnet';
  const nsg = hub ? `k8s-master-${n}-nsg` : `aks-agentpool-${n}-nsg`;
  const rt = hub ? `k8s-master-${n}-routetable` : `aks-agentpool-${n}-routetable`;
  return {
    rgId,
    n,
    vnet,
    vnetId: `${rgId}/providers/${NETWORK}/virtualNetworks/${vnet}`,
    subnetId: `${rgId}/providers/${NETWORK}/virtualNetworks/${vnet}/subnets/${subnet}`,
    subnet,
    nsg,
    nsgId: `${rgId}/providers/${NETWORK}/networkSecurityGroups/${nsg}`,
    rt,
    rtId: `${rgId}/providers/${NETWORK}/routeTables/${rt}`,
  };
}

/** A deterministic public address for a public IP resource. */
function publicAddress(seed: string): string {
  const h = createHash('sha256').update(seed.toLowerCase()).digest();
  return `20.${h[0]}.${h[1]}.${(h[2] % 253) + 1}`;
}

/** Everything in the group: the group, then its resources (scale sets follow the pools as given). */
export function nodeGroupResources(i: NodeGroupInput): RelatedResource[] {
  const hub = i.target.kind === 'AzureStackHub';
  const net = networkNames(i);
  const np = i.props.networkProfile ?? {};
  const kubenet = (np.networkPlugin ?? 'kubenet') === 'kubenet';
  const loc = i.location;
  const out: RelatedResource[] = [nodeGroupResource(i)];
  const r = (type: string, name: string, extra: Partial<ArmResource>): RelatedResource => ({
    resource: { id: `${net.rgId}/providers/${type}/${name}`, name, type, location: loc, tags: {}, ...extra },
  });

  for (const p of i.pools) out.push(poolScaleSet(i, p));

  out.push(
    r(`${NETWORK}/networkSecurityGroups`, net.nsg, {
      properties: { provisioningState: 'Succeeded', resourceGuid: guidFrom(`${i.clusterId}/nsg`), securityRules: [], subnets: [{ id: net.subnetId }] },
    }),
  );
  if (kubenet || hub) {
    out.push(r(`${NETWORK}/routeTables`, net.rt, { properties: { provisioningState: 'Succeeded', disableBgpRoutePropagation: false, routes: [], subnets: [{ id: net.subnetId }] } }));
  }
  const prefix = hub ? ['10.0.0.0/8'] : ['10.224.0.0/12'];
  const subnetPrefix = hub ? '10.240.0.0/16' : '10.224.0.0/16';
  out.push(
    r(`${NETWORK}/virtualNetworks`, net.vnet, {
      properties: {
        provisioningState: 'Succeeded',
        resourceGuid: guidFrom(`${i.clusterId}/vnet`),
        addressSpace: { addressPrefixes: prefix },
        subnets: [
          {
            id: net.subnetId,
            name: net.subnet,
            properties: {
              provisioningState: 'Succeeded',
              addressPrefix: subnetPrefix,
              networkSecurityGroup: { id: net.nsgId },
              ...(kubenet || hub ? { routeTable: { id: net.rtId } } : {}),
            },
          },
        ],
      },
    }),
  );

  if (hub) {
    // AKS engine on a Hub stamp: the control plane is the customer's VMs, behind a basic load balancer.
    const n = net.n;
    const count = i.target.doc.hiddenControlPlane ? 0 : i.target.doc.defaults.controlPlaneCount;
    const avset = `k8s-master-availabilityset-${n}`;
    const avsetId = `${net.rgId}/providers/${COMPUTE}/availabilitySets/${avset}`;
    const masters = Array.from({ length: count }, (_, k) => `k8s-master-${n}-${k}`);
    out.push(
      r(`${COMPUTE}/availabilitySets`, avset, {
        sku: { name: 'Aligned' },
        properties: { platformFaultDomainCount: 2, platformUpdateDomainCount: 3, virtualMachines: masters.map((m) => ({ id: `${net.rgId}/providers/${COMPUTE}/virtualMachines/${m}` })) },
      }),
    );
    for (const m of masters) {
      out.push(
        r(`${COMPUTE}/virtualMachines`, m, {
          tags: { poolName: 'master', orchestrator: `Kubernetes:${i.props.currentKubernetesVersion ?? i.props.kubernetesVersion ?? ''}`, resourceNameSuffix: n },
          properties: {
            provisioningState: 'Succeeded',
            vmId: guidFrom(`${i.clusterId}/vm/${m}`),
            availabilitySet: { id: avsetId },
            hardwareProfile: { vmSize: i.target.doc.defaults.controlPlaneVmSize },
            osProfile: { computerName: m, adminUsername: i.props.linuxProfile?.adminUsername ?? 'azureuser' },
          },
        }),
      );
    }
    const ip = `k8s-master-ip-${String(i.props.dnsPrefix ?? i.clusterName).toLowerCase()}-${n}`;
    const ipId = `${net.rgId}/providers/${NETWORK}/publicIPAddresses/${ip}`;
    out.push(
      r(`${NETWORK}/publicIPAddresses`, ip, {
        sku: { name: 'Basic', tier: 'Regional' },
        properties: {
          provisioningState: 'Succeeded',
          publicIPAddressVersion: 'IPv4',
          publicIPAllocationMethod: 'Static',
          ipAddress: publicAddress(ipId),
          dnsSettings: { domainNameLabel: i.props.dnsPrefix, fqdn: i.props.fqdn },
        },
      }),
    );
    const lb = `k8s-master-lb-${n}`;
    const lbId = `${net.rgId}/providers/${NETWORK}/loadBalancers/${lb}`;
    out.push(
      r(`${NETWORK}/loadBalancers`, lb, {
        sku: { name: 'Basic', tier: 'Regional' },
        properties: {
          provisioningState: 'Succeeded',
          frontendIPConfigurations: [{ id: `${lbId}/frontendIPConfigurations/k8s-master-lbFrontEnd`, name: 'k8s-master-lbFrontEnd', properties: { publicIPAddress: { id: ipId } } }],
          backendAddressPools: [{ id: `${lbId}/backendAddressPools/k8s-master-${n}`, name: `k8s-master-${n}` }],
          loadBalancingRules: [{ name: 'LBRuleHTTPS', properties: { frontendPort: 443, backendPort: 443, protocol: 'Tcp' } }],
        },
      }),
    );
    return out;
  }

  // AKS on an Azure region: the outbound load balancer and its managed public IPs (standard SKU).
  if (String(np.loadBalancerSku ?? '').toLowerCase() === 'standard' && String(np.outboundType ?? 'loadBalancer').toLowerCase() === 'loadbalancer') {
    const ips: string[] = (np.loadBalancerProfile?.effectiveOutboundIPs ?? []).map((x: { id: string }) => x.id);
    for (const id of ips) {
      const name = id.split('/').pop()!;
      out.push(
        r(`${NETWORK}/publicIPAddresses`, name, {
          tags: { 'aks-managed-cluster-name': i.clusterName, 'aks-managed-cluster-rg': i.clusterResourceGroup, 'aks-managed-type': 'aks-slb-managed-outbound-ip' },
          sku: { name: 'Standard', tier: 'Regional' },
          properties: {
            provisioningState: 'Succeeded',
            publicIPAddressVersion: 'IPv4',
            publicIPAllocationMethod: 'Static',
            ipAddress: publicAddress(id),
            ipConfiguration: { id: `${net.rgId}/providers/${NETWORK}/loadBalancers/kubernetes/frontendIPConfigurations/${name}` },
          },
        }),
      );
    }
    const lbId = `${net.rgId}/providers/${NETWORK}/loadBalancers/kubernetes`;
    out.push(
      r(`${NETWORK}/loadBalancers`, 'kubernetes', {
        tags: { 'aks-managed-cluster-name': i.clusterName, 'aks-managed-cluster-rg': i.clusterResourceGroup },
        sku: { name: 'Standard', tier: 'Regional' },
        properties: {
          provisioningState: 'Succeeded',
          frontendIPConfigurations: ips.map((id) => ({ id: `${lbId}/frontendIPConfigurations/${id.split('/').pop()}`, name: id.split('/').pop(), properties: { publicIPAddress: { id } } })),
          backendAddressPools: [
            { id: `${lbId}/backendAddressPools/kubernetes`, name: 'kubernetes' },
            { id: `${lbId}/backendAddressPools/aksOutboundBackendPool`, name: 'aksOutboundBackendPool' },
          ],
          outboundRules: [{ id: `${lbId}/outboundRules/aksOutboundRule`, name: 'aksOutboundRule', properties: { protocol: 'All', allocatedOutboundPorts: 0, idleTimeoutInMinutes: 30 } }],
        },
      }),
    );
  }
  return out;
}

/** Ids of resources in the group that `resources` no longer holds (a removed pool's scale set, a dropped IP). */
export function staleIds(existing: { resource: { id: string; tags?: Record<string, string> } }[], resources: RelatedResource[]): string[] {
  const keep = new Set(resources.map((r) => r.resource.id.toLowerCase()));
  // The cluster's cloud provider adds public IPs for its LoadBalancer services (tagged with the service): they are its own.
  return existing
    .filter((e) => !e.resource.tags?.['k8s-azure-service'])
    .map((e) => e.resource.id)
    .filter((id) => !keep.has(id.toLowerCase()));
}
