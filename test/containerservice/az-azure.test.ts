// The real az CLI (2.45, default profile, api-version 2022-11-01) against an Azure region: the
// full `az aks` flow with managed identity and the standard load balancer, several node pools,
// the autoscaler, authorized IP ranges and a private cluster, with the fabric's worker VMs checked.
import assert from 'node:assert/strict';
import { AzSession } from '../support/az.js';
import { azOnEmulator } from '../support/azSuite.js';
import type { TestEmulator } from '../support/emulator.js';
import { checkKubeconfig, kubeServer, fabricOf, startAksEmulator, vmSummary } from './helpers.js';

describe('az aks on an Azure region (real az CLI, default profile)', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let az: AzSession;
  before(async () => {
    ({ emu, az } = await azOnEmulator(startAksEmulator));
    await az.ok(['group', 'create', '-n', 'az-rg', '-l', 'eastus']);
  });
  after(async () => emu?.close());

  it('create (managed identity, standard LB), show, list, get-credentials, nodepools add/scale/list/delete, scale, upgrade, update, stop/start, delete', async () => {
    const fabric = fabricOf(emu);
    const c = await az.ok(['aks', 'create', '-g', 'az-rg', '-n', 'a1', '--no-ssh-key', '--node-count', '2']);
    assert.equal(c.provisioningState, 'Succeeded');
    assert.equal(c.identity.type, 'SystemAssigned');
    assert.match(c.identity.principalId, /^[0-9a-f-]{36}$/);
    assert.equal(c.servicePrincipalProfile.clientId, 'msi');
    assert.ok(c.identityProfile.kubeletidentity.clientId);
    assert.equal(c.networkProfile.loadBalancerSku, 'standard');
    assert.equal(c.networkProfile.loadBalancerProfile.managedOutboundIPs.count, 1);
    assert.equal(c.networkProfile.loadBalancerProfile.effectiveOutboundIPs.length, 1);
    assert.equal(c.kubernetesVersion, '1.35.6');
    assert.equal(c.currentKubernetesVersion, '1.35.6');
    assert.equal(c.maxAgentPools, 100);
    assert.match(c.fqdn, /^a1-az-rg-[0-9a-z]+-[0-9a-f]{8}\.hcp\.eastus\.azmk8s\.io$/);
    assert.equal(c.nodeResourceGroup, 'MC_az-rg_a1_eastus');
    // Azure runs the control plane: only the workers are VMs on the region
    assert.deepEqual(vmSummary(fabric, c.id), { controlPlane: 0, loadBalancer: 0, workers: { nodepool1: 2 }, states: ['Running'] });

    assert.equal((await az.ok(['aks', 'show', '-g', 'az-rg', '-n', 'a1'])).id, c.id);
    assert.deepEqual(
      (await az.ok(['aks', 'list', '-g', 'az-rg'])).map((x: any) => x.name),
      ['a1'],
    );

    const user = await az.run(['aks', 'get-credentials', '-g', 'az-rg', '-n', 'a1', '--file', '-']);
    const admin = await az.run(['aks', 'get-credentials', '-g', 'az-rg', '-n', 'a1', '--admin', '--file', '-']);
    checkKubeconfig(user.stdout, kubeServer(emu), 'user');
    checkKubeconfig(admin.stdout, kubeServer(emu), 'admin');

    const p2 = await az.ok(['aks', 'nodepool', 'add', '-g', 'az-rg', '--cluster-name', 'a1', '-n', 'pool2', '--node-count', '1']);
    assert.equal(p2.provisioningState, 'Succeeded');
    assert.equal(p2.mode, 'User');
    const p2s = await az.ok(['aks', 'nodepool', 'scale', '-g', 'az-rg', '--cluster-name', 'a1', '-n', 'pool2', '--node-count', '2']);
    assert.equal(p2s.count, 2);
    assert.deepEqual(vmSummary(fabric, c.id).workers, { nodepool1: 2, pool2: 2 });
    const cl = await az.ok(['aks', 'show', '-g', 'az-rg', '-n', 'a1']);
    assert.deepEqual(
      cl.agentPoolProfiles.map((p: any) => [p.name, p.count]),
      [
        ['nodepool1', 2],
        ['pool2', 2],
      ],
      'the cluster follows a pool PUT',
    );
    const scaled = await az.ok(['aks', 'scale', '-g', 'az-rg', '-n', 'a1', '--nodepool-name', 'nodepool1', '--node-count', '3']);
    assert.equal(scaled.agentPoolProfiles.find((p: any) => p.name === 'nodepool1').count, 3);
    const pools = await az.ok(['aks', 'nodepool', 'list', '-g', 'az-rg', '--cluster-name', 'a1']);
    assert.deepEqual(
      pools.map((p: any) => [p.name, p.count]).sort(),
      [
        ['nodepool1', 3],
        ['pool2', 2],
      ],
      'the pools follow a cluster PUT',
    );
    assert.deepEqual(vmSummary(fabric, c.id).workers, { nodepool1: 3, pool2: 2 });
    await az.ok(['aks', 'nodepool', 'delete', '-g', 'az-rg', '--cluster-name', 'a1', '-n', 'pool2']);
    assert.deepEqual(
      (await az.ok(['aks', 'nodepool', 'list', '-g', 'az-rg', '--cluster-name', 'a1'])).map((p: any) => p.name),
      ['nodepool1'],
    );
    assert.deepEqual(vmSummary(fabric, c.id).workers, { nodepool1: 3 });

    const upgrades = await az.ok(['aks', 'get-upgrades', '-g', 'az-rg', '-n', 'a1']);
    assert.deepEqual(
      upgrades.controlPlaneProfile.upgrades.map((x: any) => x.kubernetesVersion),
      ['1.36.1', '1.36.2'],
    );
    const up = await az.ok(['aks', 'upgrade', '-g', 'az-rg', '-n', 'a1', '-k', '1.36.1', '--yes']);
    assert.equal(up.currentKubernetesVersion, '1.36.1');
    assert.equal(up.agentPoolProfiles[0].currentOrchestratorVersion, '1.36.1');
    assert.deepEqual([...new Set(fabric.ownerVms(c.id).map((v) => v.kubernetesVersion))], ['1.36.1']);

    const upd = await az.ok(['aks', 'update', '-g', 'az-rg', '-n', 'a1', '--api-server-authorized-ip-ranges', '20.40.60.0/24']);
    assert.deepEqual(upd.apiServerAccessProfile.authorizedIpRanges, ['20.40.60.0/24']);
    const auto = await az.ok(['aks', 'update', '-g', 'az-rg', '-n', 'a1', '--enable-cluster-autoscaler', '--min-count', '1', '--max-count', '5']);
    assert.equal(auto.agentPoolProfiles[0].enableAutoScaling, true);
    assert.equal(auto.agentPoolProfiles[0].maxCount, 5);

    await az.ok(['aks', 'stop', '-g', 'az-rg', '-n', 'a1']);
    assert.equal((await az.ok(['aks', 'show', '-g', 'az-rg', '-n', 'a1'])).powerState.code, 'Stopped');
    assert.deepEqual(vmSummary(fabric, c.id).states, ['Deallocated']);
    await az.ok(['aks', 'start', '-g', 'az-rg', '-n', 'a1']);
    assert.equal((await az.ok(['aks', 'show', '-g', 'az-rg', '-n', 'a1'])).powerState.code, 'Running');
    assert.deepEqual(vmSummary(fabric, c.id).states, ['Running']);

    const del = await az.run(['aks', 'delete', '-g', 'az-rg', '-n', 'a1', '--yes']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(fabric.ownerVms(c.id).length, 0);
    const gone = await az.run(['aks', 'show', '-g', 'az-rg', '-n', 'a1']);
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /ResourceNotFound/);
  });

  it('private cluster with autoscaler and zones; the version graph refuses skipping a minor', async () => {
    const c = await az.ok([
      'aks',
      'create',
      '-g',
      'az-rg',
      '-n',
      'a2',
      '--no-ssh-key',
      '--node-count',
      '1',
      '-k',
      '1.34.9',
      '--enable-private-cluster',
      '--enable-cluster-autoscaler',
      '--min-count',
      '1',
      '--max-count',
      '3',
      '--zones',
      '1',
      '2',
      '3',
    ]);
    assert.equal(c.apiServerAccessProfile.enablePrivateCluster, true);
    assert.match(c.privateFqdn, /\.privatelink\.eastus\.azmk8s\.io$/);
    assert.deepEqual(c.agentPoolProfiles[0].availabilityZones, ['1', '2', '3']);
    assert.equal(c.agentPoolProfiles[0].enableAutoScaling, true);
    const creds = await az.run(['aks', 'get-credentials', '-g', 'az-rg', '-n', 'a2', '--file', '-']);
    checkKubeconfig(creds.stdout, kubeServer(emu), 'user');
    const skip = await az.run(['aks', 'upgrade', '-g', 'az-rg', '-n', 'a2', '-k', '1.36.2', '--yes']);
    assert.notEqual(skip.code, 0);
    assert.match(skip.stderr, /InvalidUpgradePath/);
    assert.match(skip.stderr, /skips a minor version/);
    const versions = await az.ok(['aks', 'get-versions', '-l', 'eastus']);
    assert.ok(versions.orchestrators.some((o: any) => o.orchestratorVersion === '1.35.6' && o.default === true));
  });
});
