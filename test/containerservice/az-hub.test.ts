// The real az CLI (2.45) against an Azure Stack Hub stamp ('local'): what the stamp refuses, and
// the full `az aks` flow, with the default profile (api-version 2022-11-01) and with the
// 2020-09-01-hybrid profile (api-version 2020-11-01). The fabric's VMs are checked along the way.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AzSession } from '../support/az.js';
import { azOnEmulator } from '../support/azSuite.js';
import type { TestEmulator } from '../support/emulator.js';
import { checkKubeconfig, kubeServer, fabricOf, freeCores, startAksEmulator, vmSummary } from './helpers.js';

const SP = ['--service-principal', 'dddddddd-0000-0000-0000-000000000001', '--client-secret', 'sp-secret-1'];
const BASE = ['--no-ssh-key', '--node-count', '1'];

async function refused(az: AzSession, args: string[], ...needles: (string | RegExp)[]): Promise<string> {
  const r = await az.run(args);
  assert.notEqual(r.code, 0, `expected az ${args.join(' ')} to fail; it printed ${r.stdout}`);
  for (const n of needles) {
    if (typeof n === 'string') assert.ok(r.stderr.includes(n), `stderr of az ${args.join(' ')} lacks '${n}':\n${r.stderr}`);
    else assert.match(r.stderr, n);
  }
  return r.stderr;
}

describe('az aks on an Azure Stack Hub stamp (real az CLI, default profile)', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let az: AzSession;
  const TOTAL = 4 * 48;
  before(async () => {
    ({ emu, az } = await azOnEmulator(startAksEmulator));
    await az.ok(['group', 'create', '-n', 'hub-rg', '-l', 'local']);
  });
  after(async () => emu?.close());

  it('refuses what a Hub stamp cannot do with 400, naming the limit and what to pass instead, and creates nothing', async () => {
    const create = (name: string, ...extra: string[]) => ['aks', 'create', '-g', 'hub-rg', '-n', name, ...BASE, ...extra];
    // az's defaults: managed identity and the standard load balancer
    await refused(az, create('x1'), 'FeatureNotSupportedOnTarget', 'does not support managed identities', '--service-principal and --client-secret', 'supports only the basic load balancer');
    await refused(
      az,
      create('x2', ...SP),
      'FeatureNotSupportedOnTarget',
      "supports only the basic load balancer; set properties.networkProfile.loadBalancerSku to 'basic' (az: pass --load-balancer-sku basic)",
    );
    await refused(
      az,
      create('x4', ...SP, '--load-balancer-sku', 'basic', '--enable-cluster-autoscaler', '--min-count', '1', '--max-count', '3'),
      'does not support the cluster autoscaler',
      'set properties.agentPoolProfiles[0].enableAutoScaling to false (az: remove --enable-cluster-autoscaler)',
    );
    // az itself insists on the standard load balancer for these two; the stamp names both limits
    await refused(az, create('x5', ...SP, '--enable-private-cluster'), 'basic load balancer', 'does not support private clusters');
    await refused(az, create('x6', ...SP, '--api-server-authorized-ip-ranges', '1.2.3.4/32'), 'basic load balancer', 'does not support API server authorized IP ranges');
    await refused(az, create('x7', ...SP, '--load-balancer-sku', 'basic', '--zones', '1', '2'), 'has no availability zones');
    await refused(az, create('x8', ...SP, '--load-balancer-sku', 'basic', '--vm-set-type', 'AvailabilitySet'), 'does not support availability sets', 'VirtualMachineScaleSets');
    await refused(az, create('x9', ...SP, '--load-balancer-sku', 'basic', '--kubernetes-version', '1.35.6'), 'KubernetesVersionNotSupported', '1.19.11, 1.20.7, 1.21.2');
    await refused(az, create('x10', ...SP, '--load-balancer-sku', 'standard', '--load-balancer-managed-outbound-ip-count', '2'), 'basic load balancer', 'managed outbound IPs');
    const list = await az.ok(['aks', 'list', '-g', 'hub-rg']);
    assert.deepEqual(list, []);
    const fabric = fabricOf(emu);
    assert.equal((await fabric.snapshot({ site: 'local' })).sites[0].vms.length, 0, 'no VM was made for a refused request');
  });

  it('create, show, list, get-credentials, nodepool list, scale, upgrade, stop/start and delete, with the fabric carrying each step', async () => {
    const fabric = fabricOf(emu);
    const c = await az.ok(['aks', 'create', '-g', 'hub-rg', '-n', 'h1', ...SP, '--load-balancer-sku', 'basic', '--no-ssh-key', '--node-count', '2']);
    assert.equal(c.provisioningState, 'Succeeded');
    assert.equal(c.kubernetesVersion, '1.20.7', 'an empty kubernetesVersion gets the stamp default');
    assert.equal(c.currentKubernetesVersion, '1.20.7');
    assert.equal(c.networkProfile.loadBalancerSku, 'basic');
    assert.equal(c.servicePrincipalProfile.clientId, SP[1]);
    assert.equal(c.servicePrincipalProfile.secret ?? undefined, undefined, 'the secret is never returned');
    assert.equal(c.nodeResourceGroup, 'MC_hub-rg_h1_local');
    assert.equal(c.maxAgentPools, 1);
    assert.equal(c.powerState.code, 'Running');
    assert.match(c.fqdn, /^h1-hub-rg-/);
    assert.equal(c.agentPoolProfiles[0].count, 2);
    assert.ok(c.agentPoolProfiles[0].nodeImageVersion);
    // control plane (3), load balancer (1) and workers (2) are VMs on the stamp
    assert.deepEqual(vmSummary(fabric, c.id), { controlPlane: 3, loadBalancer: 1, workers: { nodepool1: 2 }, states: ['Running'] });

    const shown = await az.ok(['aks', 'show', '-g', 'hub-rg', '-n', 'h1']);
    assert.equal(shown.id, c.id);
    assert.equal(shown.type, 'Microsoft.ContainerService/ManagedClusters');
    assert.ok((await az.ok(['aks', 'list', '-g', 'hub-rg'])).some((x: any) => x.name === 'h1'));
    assert.ok((await az.ok(['aks', 'list'])).some((x: any) => x.name === 'h1'));

    const user = await az.run(['aks', 'get-credentials', '-g', 'hub-rg', '-n', 'h1', '--file', '-']);
    assert.equal(user.code, 0, user.stderr);
    const admin = await az.run(['aks', 'get-credentials', '-g', 'hub-rg', '-n', 'h1', '--admin', '--file', '-']);
    assert.equal(admin.code, 0, admin.stderr);
    const u = checkKubeconfig(user.stdout, kubeServer(emu), 'user');
    const a = checkKubeconfig(admin.stdout, kubeServer(emu), 'admin');
    assert.notEqual(user.stdout, admin.stdout);
    assert.equal(u.ca.fingerprint256, a.ca.fingerprint256, 'one cluster CA');
    // AKS names both contexts after the cluster; az appends '-admin' when it merges the admin one
    assert.match(admin.stdout, /^current-context: h1$/m);
    const kc = path.join(az.configDir, 'merged.kubeconfig');
    await az.ok(['aks', 'get-credentials', '-g', 'hub-rg', '-n', 'h1', '--file', kc]);
    await az.ok(['aks', 'get-credentials', '-g', 'hub-rg', '-n', 'h1', '--admin', '--file', kc]);
    const merged = readFileSync(kc, 'utf8');
    assert.match(merged, /^current-context: h1-admin$/m);
    assert.match(merged, /^ {2}name: h1$/m);
    assert.doesNotMatch(merged, /h1-admin-admin/);

    const pools = await az.ok(['aks', 'nodepool', 'list', '-g', 'hub-rg', '--cluster-name', 'h1']);
    assert.deepEqual(
      pools.map((p: any) => [p.name, p.count, p.mode]),
      [['nodepool1', 2, 'System']],
    );
    await refused(az, ['aks', 'nodepool', 'add', '-g', 'hub-rg', '--cluster-name', 'h1', '-n', 'pool2', '--node-count', '1'], 'FeatureNotSupportedOnTarget', 'single node pool', 'az aks scale');
    await refused(az, ['aks', 'update', '-g', 'hub-rg', '-n', 'h1', '--auto-upgrade-channel', 'stable'], 'FeatureNotSupportedOnTarget', 'az aks update', 'only tags can be changed');

    const scaled = await az.ok(['aks', 'scale', '-g', 'hub-rg', '-n', 'h1', '--node-count', '3']);
    assert.equal(scaled.agentPoolProfiles[0].count, 3);
    assert.deepEqual(vmSummary(fabric, c.id).workers, { nodepool1: 3 });
    const pool = await az.ok(['aks', 'nodepool', 'show', '-g', 'hub-rg', '--cluster-name', 'h1', '-n', 'nodepool1']);
    assert.equal(pool.count, 3, 'the agentPools resource follows a cluster PUT');

    const upgrades = await az.ok(['aks', 'get-upgrades', '-g', 'hub-rg', '-n', 'h1']);
    assert.deepEqual(
      upgrades.controlPlaneProfile.upgrades.map((x: any) => x.kubernetesVersion),
      ['1.21.2'],
    );
    const up = await az.ok(['aks', 'upgrade', '-g', 'hub-rg', '-n', 'h1', '-k', '1.21.2', '--yes']);
    assert.equal(up.currentKubernetesVersion, '1.21.2');
    assert.equal(up.agentPoolProfiles[0].currentOrchestratorVersion, '1.21.2');
    const versions = new Set(
      fabric
        .ownerVms(c.id)
        .filter((v) => v.role !== 'loadBalancer')
        .map((v) => v.kubernetesVersion),
    );
    assert.deepEqual([...versions], ['1.21.2'], 'control plane and workers were replaced on the new version');
    assert.deepEqual(vmSummary(fabric, c.id).workers, { nodepool1: 3 });

    const before = await freeCores(fabric, 'local');
    await az.ok(['aks', 'stop', '-g', 'hub-rg', '-n', 'h1']);
    const stopped = await az.ok(['aks', 'show', '-g', 'hub-rg', '-n', 'h1']);
    assert.equal(stopped.powerState.code, 'Stopped');
    assert.equal(await freeCores(fabric, 'local'), before + 3 * 2, 'a stopped cluster frees its workers');
    assert.ok(
      fabric
        .ownerVms(c.id)
        .filter((v) => v.role === 'worker')
        .every((v) => v.state === 'Deallocated'),
    );
    await refused(az, ['aks', 'scale', '-g', 'hub-rg', '-n', 'h1', '--node-count', '4'], 'is stopped');
    await az.ok(['aks', 'start', '-g', 'hub-rg', '-n', 'h1']);
    const started = await az.ok(['aks', 'show', '-g', 'hub-rg', '-n', 'h1']);
    assert.equal(started.powerState.code, 'Running');
    assert.equal(await freeCores(fabric, 'local'), before);

    const del = await az.run(['aks', 'delete', '-g', 'hub-rg', '-n', 'h1', '--yes']);
    assert.equal(del.code, 0, del.stderr);
    assert.deepEqual(await az.ok(['aks', 'list', '-g', 'hub-rg']), []);
    assert.equal(fabric.ownerVms(c.id).length, 0);
    assert.equal(await freeCores(fabric, 'local'), TOTAL, 'delete frees everything');
  });
});

describe('az aks with the 2020-09-01-hybrid profile on a Hub stamp (api-version 2020-11-01)', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let az: AzSession;
  before(async () => {
    ({ emu, az } = await azOnEmulator(startAksEmulator, '2020-09-01-hybrid'));
    await az.ok(['group', 'create', '-n', 'hy-rg', '-l', 'local']);
  });
  after(async () => emu?.close());

  it('refuses the managed-identity default, then create, show, list, get-credentials, nodepool list, scale, upgrade, stop/start, delete', async () => {
    await refused(az, ['aks', 'create', '-g', 'hy-rg', '-n', 'y0', ...BASE], 'does not support managed identities', '--load-balancer-sku basic');
    const fabric = fabricOf(emu);
    const c = await az.ok(['aks', 'create', '-g', 'hy-rg', '-n', 'y1', ...SP, '--load-balancer-sku', 'basic', '--no-ssh-key', '--node-count', '1']);
    assert.equal(c.provisioningState, 'Succeeded');
    assert.equal(c.kubernetesVersion, '1.20.7');
    assert.equal(c.currentKubernetesVersion ?? undefined, undefined, '2020-11-01 has no currentKubernetesVersion');
    assert.equal(c.disableLocalAccounts ?? undefined, undefined, '2020-11-01 has no disableLocalAccounts');
    assert.equal(c.sku?.name, 'Basic');
    assert.deepEqual(vmSummary(fabric, c.id), { controlPlane: 3, loadBalancer: 1, workers: { nodepool1: 1 }, states: ['Running'] });
    assert.equal((await az.ok(['aks', 'show', '-g', 'hy-rg', '-n', 'y1'])).fqdn, c.fqdn);
    assert.equal((await az.ok(['aks', 'list'])).length, 1);
    const user = await az.run(['aks', 'get-credentials', '-g', 'hy-rg', '-n', 'y1', '--file', '-']);
    checkKubeconfig(user.stdout, kubeServer(emu), 'user');
    const admin = await az.run(['aks', 'get-credentials', '-g', 'hy-rg', '-n', 'y1', '--admin', '--file', '-']);
    checkKubeconfig(admin.stdout, kubeServer(emu), 'admin');
    assert.equal((await az.ok(['aks', 'nodepool', 'list', '-g', 'hy-rg', '--cluster-name', 'y1'])).length, 1);
    const scaled = await az.ok(['aks', 'scale', '-g', 'hy-rg', '-n', 'y1', '--node-count', '2']);
    assert.equal(scaled.agentPoolProfiles[0].count, 2);
    assert.deepEqual(vmSummary(fabric, c.id).workers, { nodepool1: 2 });
    const up = await az.ok(['aks', 'upgrade', '-g', 'hy-rg', '-n', 'y1', '-k', '1.21.2', '--yes']);
    assert.equal(up.kubernetesVersion, '1.21.2');
    assert.equal(up.agentPoolProfiles[0].orchestratorVersion, '1.21.2');
    await az.ok(['aks', 'stop', '-g', 'hy-rg', '-n', 'y1']);
    assert.equal((await az.ok(['aks', 'show', '-g', 'hy-rg', '-n', 'y1'])).powerState.code, 'Stopped');
    await az.ok(['aks', 'start', '-g', 'hy-rg', '-n', 'y1']);
    assert.equal((await az.ok(['aks', 'show', '-g', 'hy-rg', '-n', 'y1'])).powerState.code, 'Running');
    const del = await az.run(['aks', 'delete', '-g', 'hy-rg', '-n', 'y1', '--yes']);
    assert.equal(del.code, 0, del.stderr);
    assert.deepEqual(await az.ok(['aks', 'list']), []);
    assert.equal(fabric.ownerVms(c.id).length, 0);
  });
});
