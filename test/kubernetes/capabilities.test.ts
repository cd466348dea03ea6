import assert from 'node:assert/strict';
import { assertCapabilities, capabilityDocument, checkCapabilities, resolveKubernetesVersion } from '../../src/kubernetes/capabilities.js';

const hub = capabilityDocument({ name: 'local', kind: 'AzureStackHub', location: 'local' });
const hci = capabilityDocument({ name: 'hci-site-1', kind: 'AzureStackHCI' });
const azure = capabilityDocument({ name: 'eastus', kind: 'AzureRegion', location: 'eastus' });

describe('fabric capability documents', () => {
  it('Hub: basic load balancer only, service principals only, one node pool, no autoscaler', () => {
    assert.deepEqual(hub.loadBalancerSkus, ['basic']);
    assert.deepEqual(hub.identityTypes, ['ServicePrincipal']);
    assert.equal(hub.multipleNodePools, false);
    assert.equal(hub.clusterAutoscaler, false);
    assert.equal(hub.aksUpdate, false);
    assert.deepEqual(hub.availabilityZones, []);
    assert.ok(hub.vmSizes.some((s) => s.name === 'Standard_DS2_v2' && s.cores === 2 && s.memoryGB === 7));
  });

  it('HCI has multiple node pools and AKS hybrid sizes; Azure has everything', () => {
    assert.equal(hci.multipleNodePools, true);
    assert.ok(hci.vmSizes.some((s) => s.name === 'Standard_K8S3_v1'));
    assert.equal(azure.privateCluster, true);
    assert.deepEqual(azure.availabilityZones, ['1', '2', '3']);
    assert.equal(azure.hiddenControlPlane, true);
  });

  it('refuses the standard load balancer on Hub, naming the target and the fix', () => {
    const r = checkCapabilities(hub, { loadBalancerSku: 'standard' });
    assert.equal(r.length, 1);
    assert.equal(r[0].message, "Azure Stack Hub stamp 'local' supports only the basic load balancer; set properties.networkProfile.loadBalancerSku to 'basic' (az: pass --load-balancer-sku basic).");
    assert.equal(r[0].target, 'properties.networkProfile.loadBalancerSku');
    assert.deepEqual(checkCapabilities(azure, { loadBalancerSku: 'standard' }), []);
  });

  it('lists every refusal of a request; unset features are not requested', () => {
    const r = checkCapabilities(hub, [
      { feature: 'identityType', value: 'SystemAssigned' },
      { feature: 'clusterAutoscaler', value: true },
      { feature: 'nodePoolCount', value: 2 },
      { feature: 'privateCluster', value: false },
      { feature: 'authorizedIpRanges', value: ['1.2.3.4/32'] },
      { feature: 'managedOutboundIpCount', value: 2 },
      { feature: 'availabilityZones', value: ['1'] },
      { feature: 'update', value: true },
      { feature: 'vmSize', value: 'Standard_NC6s_v3', target: 'properties.agentPoolProfiles[0].vmSize' },
    ]);
    assert.equal(r.length, 8);
    assert.match(r[0].message, /does not support managed identities/);
    assert.equal(r.at(-1)!.code, 'VMSizeNotSupported');
    assert.equal(r.at(-1)!.target, 'properties.agentPoolProfiles[0].vmSize');
    // every refusal names the property (for SDK and template users) and the az flag
    for (const x of r) {
      assert.ok(x.message.includes(x.target) || x.message.includes('properties.servicePrincipalProfile'), `'${x.message}' names ${x.target}`);
      assert.match(x.message, /\baz\b/, `'${x.message}' names the az flag`);
    }
    assert.throws(
      () => assertCapabilities(hub, { clusterAutoscaler: true }),
      (e: any) => e.status === 400 && /autoscaler/.test(e.message),
    );
  });

  it('checks Kubernetes versions and the upgrade graph (no skipping minors)', () => {
    assert.equal(resolveKubernetesVersion(hub, '1.20'), '1.20.7');
    assert.equal(resolveKubernetesVersion(hub, undefined), '1.20.7');
    assert.equal(checkCapabilities(hub, { kubernetesVersion: '1.36.2' })[0].code, 'KubernetesVersionNotSupported');
    assert.deepEqual(checkCapabilities(hub, { upgrade: { from: '1.19.11', to: '1.20.7' } }), []);
    const skip = checkCapabilities(hub, { upgrade: { from: '1.19.11', to: '1.21.2' } });
    assert.equal(skip[0].code, 'InvalidUpgradePath');
    assert.match(skip[0].message, /skips a minor version.*upgrade to 1\.20\.7 first/);
    assert.match(checkCapabilities(hub, { upgrade: { from: '1.21.2', to: '1.20.7' } })[0].message, /Downgrading/);
    const v = hub.kubernetesVersions.find((k) => k.version === '1.20.7')!;
    assert.equal(v.isDefault, true);
    assert.deepEqual(v.upgrades, ['1.21.2']);
  });

  it('bounds node pools and nodes per pool', () => {
    assert.equal(checkCapabilities(hci, { nodePoolCount: 17 })[0].code, 'MaxAgentPoolCountExceeded');
    assert.equal(checkCapabilities(hub, { nodeCount: 51 })[0].code, 'MaxNodeCountExceeded');
    assert.equal(checkCapabilities(hub, { controlPlaneCount: 2 })[0].code, 'InvalidParameter');
  });

  it('applies a site’s overrides', () => {
    const d = capabilityDocument({ name: 's', kind: 'AzureStackHCI', capabilities: { kubernetesVersions: ['1.26.3', '1.27.1'], vmSizes: ['Standard_K8S3_v1'] } });
    assert.deepEqual(
      d.kubernetesVersions.map((k) => k.version),
      ['1.26.3', '1.27.1'],
    );
    assert.equal(d.kubernetesVersions.find((k) => k.isDefault)!.version, '1.27.1');
    assert.deepEqual(
      d.vmSizes.map((s) => s.name),
      ['Standard_K8S3_v1'],
    );
  });

  it('throws on a feature name it does not know (a provider bug, not a user error)', () => {
    assert.throws(() => checkCapabilities(hub, { loadBalancerSKU: 'basic' }), /unknown feature/);
  });
});
