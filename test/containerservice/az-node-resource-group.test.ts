// The node resource group as AKS keeps it, seen with the real az CLI: created with the cluster,
// managedBy it, holding its infrastructure (az resource list -g MC_...), following scale and node
// pools, refusing users' writes (403 DenyAssignmentAuthorizationFailed) and gone after az aks delete;
// on an Azure region and on an Azure Stack Hub stamp. Also: az aks create at the default time scale
// finishes within seconds by the emulator's own time model.
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/config.js';
import { AzSession } from '../support/az.js';
import { azOnEmulator } from '../support/azSuite.js';
import type { TestEmulator } from '../support/emulator.js';
import { startAksEmulator } from './helpers.js';
import { criticalPathMs } from '../support/time.js';

const SP = ['--service-principal', 'cccccccc-0000-0000-0000-000000000001', '--client-secret', 'emulator-secret'];

const types = (list: any[]) => list.map((r) => r.type).sort();
const count = (list: any[], type: string) => list.filter((r) => r.type === type).length;

describe('the node resource group (real az CLI)', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let az: AzSession;
  before(async () => ({ emu, az } = await azOnEmulator(startAksEmulator)));
  after(async () => emu?.close());

  it('on an Azure region: created with the cluster, managed by it, holding its infrastructure, following scale and node pools, refusing users, gone with it', async () => {
    await az.ok(['group', 'create', '-n', 'nrg', '-l', 'eastus']);
    const c = await az.ok(['aks', 'create', '-g', 'nrg', '-n', 'n1', '--node-count', '2', '--no-ssh-key']);
    assert.equal(c.nodeResourceGroup, 'MC_nrg_n1_eastus');
    const g = await az.ok(['group', 'show', '-n', c.nodeResourceGroup]);
    assert.equal(g.managedBy, c.id);
    assert.equal(g.location, 'eastus');
    assert.equal(g.properties.provisioningState, 'Succeeded');

    let list = await az.ok(['resource', 'list', '-g', c.nodeResourceGroup]);
    assert.deepEqual(types(list), [
      'Microsoft.Compute/virtualMachineScaleSets',
      'Microsoft.Network/loadBalancers',
      'Microsoft.Network/networkSecurityGroups',
      'Microsoft.Network/publicIPAddresses',
      'Microsoft.Network/routeTables',
      'Microsoft.Network/virtualNetworks',
    ]);
    const vmss = list.find((r: any) => r.type === 'Microsoft.Compute/virtualMachineScaleSets');
    assert.match(vmss.name, /^aks-nodepool1-\d{8}-vmss$/);
    assert.equal(vmss.sku.capacity, 2);
    assert.equal(vmss.tags['aks-managed-poolName'], 'nodepool1');
    assert.equal(list.find((r: any) => r.type === 'Microsoft.Network/loadBalancers').name, 'kubernetes');
    // the outbound IP the cluster names is a resource of the group
    const ip = list.find((r: any) => r.type === 'Microsoft.Network/publicIPAddresses');
    assert.equal(ip.id.toLowerCase(), c.networkProfile.loadBalancerProfile.effectiveOutboundIPs[0].id.toLowerCase());
    // GET by id works for each (az resource show asks the provider for its api-versions)
    const shown = await az.ok(['resource', 'show', '--ids', vmss.id]);
    assert.equal(shown.sku.capacity, 2);
    assert.equal(shown.properties.provisioningState, 'Succeeded');

    await az.ok(['aks', 'scale', '-g', 'nrg', '-n', 'n1', '--node-count', '3']);
    list = await az.ok(['resource', 'list', '-g', c.nodeResourceGroup]);
    assert.equal(list.find((r: any) => r.name === vmss.name).sku.capacity, 3, 'the scale set follows az aks scale');

    await az.ok(['aks', 'nodepool', 'add', '-g', 'nrg', '--cluster-name', 'n1', '-n', 'user1', '--node-count', '1']);
    list = await az.ok(['resource', 'list', '-g', c.nodeResourceGroup]);
    assert.equal(count(list, 'Microsoft.Compute/virtualMachineScaleSets'), 2, 'a scale set per node pool');
    await az.ok(['aks', 'nodepool', 'delete', '-g', 'nrg', '--cluster-name', 'n1', '-n', 'user1']);
    list = await az.ok(['resource', 'list', '-g', c.nodeResourceGroup]);
    assert.equal(count(list, 'Microsoft.Compute/virtualMachineScaleSets'), 1, 'the pool’s scale set went with it');

    await az.ok(['aks', 'stop', '-g', 'nrg', '-n', 'n1']);
    list = await az.ok(['resource', 'list', '-g', c.nodeResourceGroup]);
    assert.equal(list.length, 6, 'a stopped cluster keeps its infrastructure');
    assert.equal(list.find((r: any) => r.name === vmss.name).sku.capacity, 0, 'a stopped cluster’s scale sets have no instances');
    await az.ok(['aks', 'start', '-g', 'nrg', '-n', 'n1']);
    list = await az.ok(['resource', 'list', '-g', c.nodeResourceGroup]);
    assert.equal(list.find((r: any) => r.name === vmss.name).sku.capacity, 3, 'start brings the instances back');

    // users may read, not write: a deny assignment on the group, as Azure refuses it
    for (const args of [
      ['group', 'delete', '-n', c.nodeResourceGroup, '--yes'],
      ['group', 'update', '-n', c.nodeResourceGroup, '--tags', 'a=b'],
      ['resource', 'delete', '--ids', vmss.id, '--verbose'],
      ['resource', 'tag', '--ids', vmss.id, '--tags', 'a=b'],
      ['resource', 'create', '-g', c.nodeResourceGroup, '-n', 'mine', '--resource-type', 'Microsoft.Network/networkSecurityGroups', '-l', 'eastus', '--properties', '{}'],
    ]) {
      const r = await az.run(args);
      assert.notEqual(r.code, 0, `az ${args.join(' ')} should be refused`);
      assert.match(r.stderr, /DenyAssignmentAuthorizationFailed/, r.stderr);
      assert.match(r.stderr, /deny assignment with name/, r.stderr);
    }
    assert.equal((await az.ok(['resource', 'list', '-g', c.nodeResourceGroup])).length, 6);

    await az.ok(['aks', 'delete', '-g', 'nrg', '-n', 'n1', '--yes']);
    const gone = await az.run(['group', 'show', '-n', c.nodeResourceGroup]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /ResourceGroupNotFound/);
    assert.equal((await az.ok(['resource', 'list'])).filter((r: any) => r.resourceGroup?.toLowerCase() === c.nodeResourceGroup.toLowerCase()).length, 0);
  });

  it('on an Azure Stack Hub stamp (2020-09-01-hybrid profile): what the stamp creates, following scale, gone with the cluster and with its resource group', async () => {
    const hub = new AzSession(emu);
    await hub.login('2020-09-01-hybrid');
    await hub.ok(['group', 'create', '-n', 'hnrg', '-l', 'local']);
    const c = await hub.ok(['aks', 'create', '-g', 'hnrg', '-n', 'h1', ...SP, '--load-balancer-sku', 'basic', '--node-count', '2', '--no-ssh-key']);
    assert.equal(c.nodeResourceGroup, 'MC_hnrg_h1_local');
    assert.equal((await hub.ok(['group', 'show', '-n', c.nodeResourceGroup])).managedBy, c.id);
    let list = await hub.ok(['resource', 'list', '-g', c.nodeResourceGroup]);
    assert.equal(count(list, 'Microsoft.Compute/virtualMachines'), 3, 'the control-plane VMs');
    assert.equal(count(list, 'Microsoft.Compute/availabilitySets'), 1);
    assert.equal(count(list, 'Microsoft.Compute/virtualMachineScaleSets'), 1);
    assert.equal(count(list, 'Microsoft.Network/loadBalancers'), 1);
    assert.equal(count(list, 'Microsoft.Network/publicIPAddresses'), 1);
    assert.equal(count(list, 'Microsoft.Network/virtualNetworks'), 1);
    const vmss = list.find((r: any) => r.type === 'Microsoft.Compute/virtualMachineScaleSets');
    assert.match(vmss.name, /^k8s-nodepool1-\d{8}-vmss$/);
    assert.equal(vmss.sku.capacity, 2);
    assert.equal(list.find((r: any) => r.type === 'Microsoft.Network/loadBalancers').sku.name, 'Basic');

    await hub.ok(['aks', 'scale', '-g', 'hnrg', '-n', 'h1', '--node-count', '3']);
    list = await hub.ok(['resource', 'list', '-g', c.nodeResourceGroup]);
    assert.equal(list.find((r: any) => r.name === vmss.name).sku.capacity, 3);

    const r = await hub.run(['resource', 'delete', '--ids', vmss.id, '--verbose']);
    assert.match(r.stderr, /DenyAssignmentAuthorizationFailed/);

    // deleting the cluster's own group deletes the cluster, and with it the node resource group
    await hub.ok(['group', 'delete', '-n', 'hnrg', '--yes']);
    assert.match((await hub.run(['group', 'show', '-n', c.nodeResourceGroup])).stderr, /ResourceGroupNotFound/);
  });

  it('a node resource group name already in use is refused before anything is created', async () => {
    await az.ok(['group', 'create', '-n', 'taken', '-l', 'eastus']);
    await az.ok(['group', 'create', '-n', 'nrg2', '-l', 'eastus']);
    const r = await az.run(['aks', 'create', '-g', 'nrg2', '-n', 'n2', '--node-resource-group', 'taken', '--no-ssh-key', '--node-count', '1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NodeResourceGroupAlreadyExists/);
    assert.deepEqual(await az.ok(['aks', 'list', '-g', 'nrg2']), []);
  });

  it('az aks create at the default time scale takes about a second of simulated time (far under 10 s)', async () => {
    const scale = parseConfig([], {}).timeScale;
    assert.ok(scale > 0 && scale <= 0.05, `default time scale ${scale}`);
    await az.ok(['group', 'create', '-n', 'fast', '-l', 'eastus']);
    await az.ok(['aks', 'create', '-g', 'fast', '-n', 'f1', '--node-count', '3', '--no-ssh-key']);
    const hub = new AzSession(emu);
    await hub.login();
    await hub.ok(['group', 'create', '-n', 'fasthub', '-l', 'local']);
    await hub.ok(['aks', 'create', '-g', 'fasthub', '-n', 'f2', ...SP, '--load-balancer-sku', 'basic', '--node-count', '2', '--no-ssh-key']);
    for (const id of ['fast/providers/Microsoft.ContainerService/managedClusters/f1', 'fasthub/providers/Microsoft.ContainerService/managedClusters/f2']) {
      const ops = emu.services.asyncOperations.list().filter((o) => o.resourceId.toLowerCase().endsWith(id.toLowerCase()) && o.kind === 'create');
      assert.equal(ops.length, 1);
      const real = criticalPathMs(ops[0].tasks);
      assert.ok(real > 30_000, `at time scale 1 a create takes minutes (${real} ms)`);
      const simulated = real * scale;
      assert.ok(simulated < 3_000, `at the default time scale ${scale} the create's tasks take ${simulated} ms`);
    }
  });
});
