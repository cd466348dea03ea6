// The client libraries against the three kinds of cluster: @kubernetes/client-node (pinned) and Debian's
// python3-kubernetes each list the nodes, create a deployment with a LoadBalancer service, watch the
// rollout, scale it, read the external address and delete it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as k8s from '@kubernetes/client-node';
import type { TestEmulator } from '../support/emulator.js';
import { execPython } from '../support/python.js';
import { aksCluster, hybridCluster, startAksEmulator, type TestCluster } from './helpers.js';

function python(c: TestCluster, name: string): Promise<any> {
  return new Promise((resolve, reject) => {
    execPython([path.resolve('test/support/python/kube_clients.py')], { timeout: 180_000, env: { ...process.env, KUBECONFIG: c.file, HOME: c.home, NAME: name } }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`python3 kube_clients.py failed: ${stderr || err.message}`));
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}

/** Waits (through a watch) until a deployment has n replicas available. */
function rolledOut(kc: k8s.KubeConfig, name: string, n: number): Promise<void> {
  const w = new k8s.Watch(kc);
  return new Promise((resolve, reject) => {
    let req: { abort(): void } | undefined;
    const timer = setTimeout(() => {
      req?.abort();
      reject(new Error(`${name}: not rolled out to ${n}`));
    }, 120_000);
    w.watch(
      '/apis/apps/v1/namespaces/default/deployments',
      { fieldSelector: `metadata.name=${name}` },
      (_type, d: k8s.V1Deployment) => {
        if (d.status?.availableReplicas === n && d.status?.updatedReplicas === n && d.status?.replicas === n) {
          clearTimeout(timer);
          req?.abort();
          resolve();
        }
      },
      (err) => {
        if (err && err.name !== 'AbortError' && !/aborted/i.test(String(err))) reject(err);
      },
    ).then((r) => (req = r), reject);
  });
}

describe('kube: @kubernetes/client-node and python3-kubernetes', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  const clusters: Record<string, TestCluster> = {};

  before(async () => {
    emu = await startAksEmulator();
    clusters.region = await aksCluster(emu, 'region', 'cl1', 2);
    clusters.hub = await aksCluster(emu, 'hub', 'clhub', 2);
    clusters.hybrid = await hybridCluster(emu, 'clhyb', 2);
  });
  after(async () => emu?.close());

  for (const kind of ['region', 'hub', 'hybrid'] as const) {
    it(`@kubernetes/client-node 1.4.0 on ${kind}: nodes, deployment and LoadBalancer service, watch, scale, delete`, async () => {
      const c = clusters[kind];
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(c.file);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const apps = kc.makeApiClient(k8s.AppsV1Api);
      const nodes = await core.listNode();
      const vms = emu.services.fabric!.ownerVms(c.id).filter((v) => v.role === 'worker' || v.role === 'controlPlane');
      assert.deepEqual(nodes.items.map((n) => n.metadata!.name).sort(), vms.map((v) => v.name).sort());
      assert.ok(nodes.items.every((n) => n.status!.conditions!.some((x) => x.type === 'Ready' && x.status === 'True')));
      const name = `js-${kind}`;
      await apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name },
          spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
        },
      });
      await core.createNamespacedService({ namespace: 'default', body: { metadata: { name }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80, targetPort: 80 as any }] } } });
      await rolledOut(kc, name, 3);
      await apps.patchNamespacedDeploymentScale({ name, namespace: 'default', body: { spec: { replicas: 4 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await rolledOut(kc, name, 4);
      const svc = await core.readNamespacedService({ name, namespace: 'default' });
      assert.match(svc.spec!.clusterIP!, /^\d+\.\d+\.\d+\.\d+$/);
      await assert.rejects(core.readNamespacedConfigMap({ name: 'nope', namespace: 'default' }), (e: any) => e.code === 404);
      await apps.deleteNamespacedDeployment({ name, namespace: 'default' });
      await core.deleteNamespacedService({ name, namespace: 'default' });
      const left = await apps.listNamespacedDeployment({ namespace: 'default' });
      assert.ok(!left.items.some((d) => d.metadata!.name === name));
    });

    it(`python3-kubernetes on ${kind}: nodes, deployment and LoadBalancer service, watch, scale, delete`, async () => {
      if (!existsSync('/usr/lib/python3/dist-packages/kubernetes')) throw new Error('python3-kubernetes is missing: sudo apt-get install -y python3-kubernetes');
      const c = clusters[kind];
      const out = await python(c, `py-${kind}`);
      const vms = emu.services.fabric!.ownerVms(c.id).filter((v) => v.role === 'worker' || v.role === 'controlPlane');
      assert.deepEqual(out.nodes, vms.map((v) => v.name).sort());
      assert.equal(out.ready, true);
      assert.equal(out.rolledOut, true);
      assert.deepEqual([out.pods, out.running], [3, true]);
      assert.equal(out.spread, Math.min(3, vms.filter((v) => v.role === 'worker').length));
      assert.equal(out.scaled, true);
      assert.match(String(out.externalIP), /^\d+\.\d+\.\d+\.\d+$/);
      assert.deepEqual(out.notFound, [404, 'NotFound']);
      assert.equal(out.deleted, true);
    });
  }
});
