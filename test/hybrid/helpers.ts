// The operator's AKS hybrid path on top of the administrator's Arc platform: ids, bodies (from the
// public spec examples, with this emulator's ids, versions and sizes) and small helpers.
import assert from 'node:assert/strict';
import { type TestEmulator } from '../support/emulator.js';
import { buildPlatform, lnetBody, put, rg, settle } from '../arc/helpers.js';

export const HV = { cc: '2024-01-01', hcs: '2024-01-01' };
export const ccId = (name = 'hybrid1') => `${rg()}/providers/Microsoft.Kubernetes/connectedClusters/${name}`;
export const pciId = (cc = ccId()) => `${cc}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default`;
export const poolId = (name: string, cc = ccId()) => `${pciId(cc)}/agentPools/${name}`;
export const lnet2 = () => `${rg()}/providers/Microsoft.AzureStackHCI/logicalNetworks/aks-lnet`;

export const ccBody = () => ({ location: 'eastus', kind: 'ProvisionedCluster', identity: { type: 'SystemAssigned' }, properties: { agentPublicKeyCertificate: '', aadProfile: {} } });

/** PutProvisionedClusterInstance.json (2024-01-01), with this emulator's custom location, network, version and sizes. */
export function pciBody(cl: string, lnet: string, opts: { cp?: number; pools?: any[]; version?: string; endpoint?: string } = {}) {
  const controlPlane: any = { count: opts.cp ?? 1, vmSize: 'Standard_A4_v2', linuxProfile: { ssh: { publicKeys: [{ keyData: 'ssh-rsa AAAAB1NzaC1yc2EAAAADAQABAAACAQCY......' }] } } };
  if (opts.endpoint) controlPlane.controlPlaneEndpoint = { hostIP: opts.endpoint };
  return {
    extendedLocation: { type: 'CustomLocation', name: cl },
    properties: {
      controlPlane,
      kubernetesVersion: opts.version ?? 'v1.30.9',
      networkProfile: { networkPolicy: 'calico', podCidr: '10.244.0.0/16' },
      clusterVMAccessProfile: { authorizedIPRanges: '127.0.0.1,127.0.0.2' },
      agentPoolProfiles: opts.pools ?? [
        { name: 'default-nodepool-1', count: 1, vmSize: 'Standard_A4_v2', osType: 'Linux', nodeLabels: { env: 'dev', goal: 'test' }, nodeTaints: ['env=prod:NoSchedule', 'sku=gpu:NoSchedule'] },
      ],
      linuxProfile: { ssh: { publicKeys: [{ keyData: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAACAQCY.......' }] } },
      cloudProviderProfile: { infraNetworkProfile: { vnetSubnetIds: [lnet] } },
      licenseProfile: { azureHybridBenefit: 'NotApplicable' },
    },
  };
}

/** PutAgentPool.json (2024-01-01). */
export const poolBody = (extra: Record<string, unknown> = {}) => ({ location: 'westus', properties: { count: 1, vmSize: 'Standard_A4_v2', osType: 'Linux', ...extra } });

/** The administrator's platform plus a static logical network with room for several clusters. */
export async function platform(emu: TestEmulator) {
  const p = await buildPlatform(emu);
  const body = lnetBody(p.cl, '172.20.0.0/24', 20, { start: '172.20.0.100', end: '172.20.0.199' });
  await settle(emu, await put(emu, lnet2(), '2024-01-01', body, 201), lnet2(), '2024-01-01');
  return { ...p, lnet: lnet2() };
}

export async function connectedCluster(emu: TestEmulator, name = 'hybrid1') {
  const id = ccId(name);
  const r = await put(emu, id, HV.cc, ccBody(), 201);
  const body = await settle(emu, r, id, HV.cc);
  assert.equal(body.properties.provisioningState, 'Succeeded');
  return id;
}
