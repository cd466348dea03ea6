// The real kubectl against the three kinds of cluster: AKS on an Azure region, AKS on the Azure Stack Hub
// stamp, AKS hybrid through its connected cluster. Nodes are the fabric's VMs; a deployment with a
// LoadBalancer service rolls out, scales and goes away.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import type { TestEmulator } from '../support/emulator.js';
import { aksCluster, DEPLOYMENT, eventually, hybridCluster, kubectl, kubectlOk, requireKubectl, startAksEmulator, type TestCluster } from './helpers.js';

describe('kube: kubectl against AKS, Hub and AKS hybrid clusters', function () {
  this.timeout(240_000);
  let emu: TestEmulator;
  const clusters: Record<string, TestCluster> = {};

  before(async () => {
    requireKubectl();
    emu = await startAksEmulator();
    clusters.region = await aksCluster(emu, 'region', 'aks1', 3);
    clusters.hub = await aksCluster(emu, 'hub', 'hub1', 2);
    clusters.hybrid = await hybridCluster(emu, 'hybrid1', 2);
  });
  after(async () => emu?.close());

  for (const kind of ['region', 'hub', 'hybrid'] as const) {
    describe(kind, () => {
      it('points the kubeconfig at the emulator (loopback, its own CA)', () => {
        const c = clusters[kind];
        const u = new URL(c.server);
        assert.equal(u.origin, emu.url, 'the server is the emulator itself');
        assert.match(u.hostname, /^(localhost|127\.0\.0\.1)$/);
        assert.match(u.pathname, /^\/k8s\/[0-9a-f]{20}$/);
        assert.doesNotMatch(c.kubeconfig, /exec:|command: kubelogin/);
      });

      it('lists the fabric VMs as Ready nodes with AKS columns', async () => {
        const c = clusters[kind];
        const out = await kubectlOk(c, ['get', 'nodes', '-o', 'wide']);
        const lines = out.trim().split('\n');
        assert.match(lines[0], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/);
        const vms = emu.services.fabric!.ownerVms(c.id).filter((v) => v.role === 'worker' || v.role === 'controlPlane');
        const nodes = lines.slice(1).map((l) => l.split(/\s+/));
        assert.deepEqual(nodes.map((n) => n[0]).sort(), vms.map((v) => v.name).sort());
        for (const n of nodes) {
          assert.equal(n[1], 'Ready', n.join(' '));
          const vm = vms.find((v) => v.name === n[0])!;
          assert.equal(n[2], vm.role === 'controlPlane' ? 'control-plane' : kind === 'hybrid' ? '<none>' : 'agent');
          assert.equal(n[4], `v${vm.kubernetesVersion}`);
          if (vm.ip) assert.equal(n[5], vm.ip);
        }
        if (kind === 'region') assert.ok(!vms.some((v) => v.role === 'controlPlane'), 'AKS on Azure shows no control-plane nodes');
        if (kind === 'hybrid')
          assert.ok(
            nodes.some((n) => n[2] === 'control-plane'),
            'AKS hybrid shows its control plane',
          );
      });

      it('applies a deployment and a LoadBalancer service, rolls it out, scales it and deletes it', async () => {
        const c = clusters[kind];
        const applied = await kubectlOk(c, ['apply', '-f', '-'], DEPLOYMENT('web', 3));
        assert.match(applied, /deployment.apps\/web created/);
        assert.match(applied, /service\/web created/);
        const status = await kubectlOk(c, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
        assert.match(status, /deployment "web" successfully rolled out/);
        const pods = JSON.parse(await kubectlOk(c, ['get', 'pods', '-l', 'app=web', '-o', 'json'])).items;
        assert.equal(pods.length, 3);
        assert.ok(pods.every((p: any) => p.status.phase === 'Running' && p.status.podIP && p.spec.nodeName));
        const workers = new Set(
          emu.services
            .fabric!.ownerVms(c.id)
            .filter((v) => v.role === 'worker')
            .map((v) => v.name),
        );
        assert.ok(
          pods.every((p: any) => workers.has(p.spec.nodeName)),
          'pods run on workers (control-plane nodes are tainted)',
        );
        assert.equal(new Set(pods.map((p: any) => p.spec.nodeName)).size, Math.min(3, workers.size), 'pods are spread over the nodes');
        const svc = await eventually('an external IP', async () => {
          const s = JSON.parse(await kubectlOk(c, ['get', 'service', 'web', '-o', 'json']));
          return s.status.loadBalancer?.ingress?.[0]?.ip ? s : undefined;
        });
        assert.match(svc.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);
        assert.ok(svc.spec.ports[0].nodePort >= 30000);
        const ip = svc.status.loadBalancer.ingress[0].ip as string;
        if (kind === 'hybrid') {
          // A VIP of the cluster's logical network (172.20.0.0/24), outside its node pool (.100-.199).
          assert.match(ip, /^172\.20\.0\.\d+$/);
          const last = Number(ip.split('.')[3]);
          assert.ok(last < 100 || last > 199, ip);
        } else {
          // A public IP of the node resource group, tagged with the service (the cloud provider's).
          const pips = emu.services.resources.listByType('microsoft.network/publicipaddresses').filter((r) => r.resource.tags?.['k8s-azure-service'] === 'default/web');
          assert.deepEqual(
            pips.map((r) => r.resource.properties?.ipAddress),
            [ip],
          );
          assert.equal(pips[0].resource.sku?.name, kind === 'hub' ? 'Basic' : 'Standard');
        }
        const wide = await kubectlOk(c, ['get', 'service', 'web']);
        assert.match(wide, new RegExp(`web\\s+LoadBalancer\\s+\\S+\\s+${ip.replace(/\./g, '\\.')}\\s+80:\\d+/TCP`));

        await kubectlOk(c, ['scale', 'deployment/web', '--replicas=5']);
        await kubectlOk(c, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
        const table = await kubectlOk(c, ['get', 'deployment', 'web']);
        assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+5\/5\s+5\s+5\s+/);

        // apply again with a new image: a rolling update
        await kubectlOk(c, ['apply', '-f', '-'], DEPLOYMENT('web', 5, 'nginx:1.28'));
        await kubectlOk(c, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
        const rs = JSON.parse(await kubectlOk(c, ['get', 'rs', '-l', 'app=web', '-o', 'json'])).items;
        assert.equal(rs.length, 2);
        assert.deepEqual(rs.map((x: any) => x.spec.replicas).sort(), [0, 5]);
        // the revisions: history lists both, undo rolls back to the first template (a third revision)
        assert.match(await kubectlOk(c, ['rollout', 'history', 'deployment/web']), /^1\s+<none>\s*\n2\s+<none>/m);
        await kubectlOk(c, ['rollout', 'undo', 'deployment/web']);
        await kubectlOk(c, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
        const undone = JSON.parse(await kubectlOk(c, ['get', 'deployment', 'web', '-o', 'json']));
        assert.equal(undone.spec.template.spec.containers[0].image, 'nginx:1.27');
        assert.equal(undone.metadata.annotations['deployment.kubernetes.io/revision'], '3');

        const del = await kubectlOk(c, ['delete', '-f', '-'], DEPLOYMENT('web', 5));
        assert.match(del, /deployment.apps "web" deleted/);
        // The replica sets and pods go with it (garbage collection, then the pods stop); so does the address.
        await eventually('pods and replica sets gone', async () => (await kubectl(c, ['get', 'pods,rs', '-l', 'app=web', '-o', 'name'])).stdout.trim() === '');
        if (kind !== 'hybrid')
          await eventually(
            'public IP released',
            async () =>
              !emu.services.resources
                .listByType('microsoft.network/publicipaddresses')
                .some((r) => r.resource.tags?.['k8s-azure-service'] === 'default/web' && r.resource.id.includes(c.id.split('/')[4])),
          );
      });
    });
  }
});
