// The templates in arm-templates/ parse, validate and deploy with the engine (against the in-memory
// host), with their parameters files, and produce the outputs they promise.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deploy, parseTemplateText, validateDeployment, whatIf } from '../../src/templates/index.js';
import { FakeHost, RG_ID, SUB, TENANT } from './helpers.js';

const dir = join(process.cwd(), 'arm-templates');
const load = (f: string) => parseTemplateText(readFileSync(join(dir, f), 'utf8'));

function req(template: string, group: string, location: string) {
  return {
    name: template.replace('.json', ''),
    scope: { tenantId: TENANT, subscriptionId: SUB, resourceGroup: { name: group, location } },
    properties: { template: load(template), parameters: load(template.replace('.json', '.parameters.json')), mode: 'Incremental' },
  };
}

describe('arm-templates/', () => {
  it('aks-azure.json deploys and outputs the cluster FQDN read through reference()', async () => {
    const host = new FakeHost();
    const v = await validateDeployment(host, req('aks-azure.json', 'rgtmpl', 'eastus'));
    assert.deepEqual(
      v.validatedResources.map((r) => r.id),
      [`${RG_ID}/providers/Microsoft.ContainerService/managedClusters/aks-azure-1`],
    );
    const r = await deploy(host, req('aks-azure.json', 'rgtmpl', 'eastus'));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    const body = (await host.get(`${RG_ID}/providers/Microsoft.ContainerService/managedClusters/aks-azure-1`)) as any;
    assert.equal(body.properties.agentPoolProfiles[0].count, 2);
    assert.equal(body.properties.networkProfile.loadBalancerSku, 'standard');
    assert.match(body.properties.dnsPrefix, /^aks-azure-1-[a-z2-7]{13}$/);
    assert.equal(r.outputs!.controlPlaneFQDN.value, body.properties.fqdn);
    assert.match(String(r.outputs!.controlPlaneFQDN.value), /\.hcp\.eastus\.azmk8s\.io$/);
  });

  it('aks-hub.json: apiProfile versions, service principal, basic load balancer; the secret is never echoed', async () => {
    const host = new FakeHost();
    const rq = req('aks-hub.json', 'hub', 'local');
    const r = await deploy(host, rq);
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    const hub = `/subscriptions/${SUB}/resourceGroups/hub`;
    const vnetOp = r.operations.find((o) => o.targetResource.resourceType === 'Microsoft.Network/virtualNetworks')!;
    assert.equal(vnetOp.targetResource.apiVersion, '2018-11-01', 'from the 2020-09-01-hybrid profile');
    const aks = (await host.get(`${hub}/providers/Microsoft.ContainerService/managedClusters/aks-hub-1`)) as any;
    assert.equal(aks.location, 'local');
    assert.equal(aks.properties.networkProfile.loadBalancerSku, 'basic');
    assert.equal(aks.properties.servicePrincipalProfile.clientId, 'cccccccc-0000-0000-0000-000000000001');
    assert.equal(aks.properties.agentPoolProfiles[0].vnetSubnetID, `${hub}/providers/Microsoft.Network/virtualNetworks/aks-hub-1-vnet/subnets/aks-subnet`);
    assert.ok(
      host.log.indexOf(`PUT ${hub}/providers/Microsoft.ContainerService/managedClusters/aks-hub-1`) > host.log.indexOf(`DONE ${hub}/providers/Microsoft.Network/virtualNetworks/aks-hub-1-vnet`),
    );
    assert.deepEqual(r.parameters.servicePrincipalClientSecret, { type: 'SecureString' });
    assert.ok(!JSON.stringify(r).includes('emulator-secret'));
    assert.match(String(r.outputs!.controlPlaneFQDN.value), /\.hcp\.local\.azmk8s\.io$/);
    // What-if after the deployment: both resources are there (an empty list would pass `every`), none to create.
    const plan = await whatIf(host, rq);
    const changes = plan.properties!.changes;
    assert.deepEqual(
      changes.map((c) => c.resourceId.toLowerCase()).sort(),
      [`${hub}/providers/Microsoft.ContainerService/managedClusters/aks-hub-1`, `${hub}/providers/Microsoft.Network/virtualNetworks/aks-hub-1-vnet`].map((id) => id.toLowerCase()).sort(),
    );
    assert.ok(
      changes.every((c) => c.changeType === 'NoChange' || c.changeType === 'Modify'),
      JSON.stringify(changes.map((c) => c.changeType)),
    );
  });

  it('identities-200.json expands to 200 identities and deploys them', async () => {
    const host = new FakeHost();
    host.delay = 0;
    const r = await deploy(host, req('identities-200.json', 'rgtmpl', 'eastus'));
    assert.equal(r.provisioningState, 'Succeeded', JSON.stringify(r.error));
    assert.equal(host.putOrder.length, 200);
    assert.equal(r.outputs!.count.value, 200);
    assert.equal((r.outputs!.names.value as string[])[199], 'bench-199');
    assert.ok(host.putOrder.includes(`${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/bench-007`));
  });
});
