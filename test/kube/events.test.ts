// The events kubectl users read (`kubectl get events`, `kubectl describe`), recorded by the controllers as
// Kubernetes' do: the scheduler (Scheduled, FailedScheduling), the kubelet (Pulling, Pulled, Created,
// Started), the replica set, daemon set and job controllers (one "Created pod: x" / "Deleted pod: x" per
// pod), the deployment controller (ScalingReplicaSet), the node controller and kubelet (Starting,
// RegisteredNode, NodeReady, NodeNotReady); repeats counted, more than ten similar ones combined; the same
// events through events.k8s.io/v1.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import type { TestEmulator } from '../support/emulator.js';
import { aksCluster, eventually, kubectlOk, raw, requireKubectl, startAksEmulator, type TestCluster } from './helpers.js';

const deployment = (name: string, replicas: number) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, labels: {app: ${name}}}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: web, image: "nginx:1.27"}]}\n`;

interface Ev {
  metadata: { name: string };
  reason: string;
  message: string;
  type: string;
  count: number;
  source: { component: string; host?: string };
  involvedObject: { kind: string; name: string; uid: string };
  firstTimestamp: string;
  lastTimestamp: string;
}

describe('kube: events recorded by the controllers, as kubectl shows them', function () {
  this.timeout(240_000);
  let emu: TestEmulator;
  let c: TestCluster;
  const events = async (ns = 'default'): Promise<Ev[]> => JSON.parse(await kubectlOk(c, ['get', 'events', '-n', ns, '-o', 'json'])).items;
  const about = (evs: Ev[], kind: string, name: string) => evs.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name);

  before(async () => {
    requireKubectl();
    emu = await startAksEmulator();
    c = await aksCluster(emu, 'hub', 'events1', 2);
  });
  after(async () => emu?.close());

  it('a deployment: ScalingReplicaSet, one SuccessfulCreate per pod, Scheduled/Pulling/Pulled/Created/Started per pod; scaling down deletes with SuccessfulDelete', async () => {
    await kubectlOk(c, ['apply', '-f', '-'], deployment('web', 3));
    await kubectlOk(c, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const pods = JSON.parse(await kubectlOk(c, ['get', 'pods', '-l', 'app=web', '-o', 'json'])).items;
    assert.equal(pods.length, 3);
    const rs = JSON.parse(await kubectlOk(c, ['get', 'rs', '-l', 'app=web', '-o', 'json'])).items[0].metadata.name;
    const evs = await eventually('pod events', async () => {
      const all = await events();
      return pods.every((p: any) => about(all, 'Pod', p.metadata.name).some((e) => e.reason === 'Started')) ? all : undefined;
    });
    const scaling = about(evs, 'Deployment', 'web');
    assert.deepEqual(
      scaling.map((e) => [e.type, e.reason, e.message, e.source.component]),
      [['Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs} from 0 to 3`, 'deployment-controller']],
    );
    const created = about(evs, 'ReplicaSet', rs).filter((e) => e.reason === 'SuccessfulCreate');
    assert.deepEqual(created.map((e) => e.message).sort(), pods.map((p: any) => `Created pod: ${p.metadata.name}`).sort());
    assert.ok(created.every((e) => e.source.component === 'replicaset-controller' && e.count === 1));
    for (const p of pods) {
      const mine = about(evs, 'Pod', p.metadata.name);
      assert.equal(mine[0].involvedObject.uid, p.metadata.uid);
      assert.deepEqual(
        mine.map((e) => e.reason),
        ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started'],
        JSON.stringify(mine),
      );
      assert.equal(mine[0].message, `Successfully assigned default/${p.metadata.name} to ${p.spec.nodeName}`);
      assert.equal(mine[0].source.component, 'default-scheduler');
      assert.ok(mine.slice(1).every((e) => e.source.component === 'kubelet'));
    }
    // kubectl describe shows them under the object
    const described = await kubectlOk(c, ['describe', 'pod', pods[0].metadata.name]);
    assert.match(described, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/);
    assert.match(described, /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned/);
    // kubectl get events prints them as a table
    const table = await kubectlOk(c, ['get', 'events']);
    assert.match(table.split('\n')[0], /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    assert.match(table, new RegExp(`Normal\\s+ScalingReplicaSet\\s+deployment/web\\s+Scaled up replica set ${rs} from 0 to 3`));

    await kubectlOk(c, ['scale', 'deployment/web', '--replicas=1']);
    const down = await eventually('scaled down', async () => {
      const all = await events();
      return about(all, 'ReplicaSet', rs).filter((e) => e.reason === 'SuccessfulDelete').length === 2 ? all : undefined;
    });
    assert.ok(about(down, 'Deployment', 'web').some((e) => e.message === `Scaled down replica set ${rs} from 3 to 1`));
    for (const e of about(down, 'ReplicaSet', rs).filter((x) => x.reason === 'SuccessfulDelete')) assert.match(e.message, new RegExp(`^Deleted pod: ${rs}-[a-z0-9]{5}$`));
  });

  it('a pod that fits nowhere: FailedScheduling, shown by kubectl describe', async () => {
    await kubectlOk(c, ['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: huge}\nspec:\n  containers:\n  - {name: c, image: nginx, resources: {requests: {cpu: "500"}}}\n');
    const failed = await eventually('FailedScheduling', async () => about(await events(), 'Pod', 'huge').find((e) => e.reason === 'FailedScheduling'));
    assert.equal(failed.type, 'Warning');
    assert.match(failed.message, /^0\/\d+ nodes are available: 2 Insufficient cpu[.,]/);
    assert.equal(about(await events(), 'Pod', 'huge').filter((e) => e.reason === 'FailedScheduling').length, 1);
    assert.match(await kubectlOk(c, ['describe', 'pod', 'huge']), /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/\d+ nodes are available/);
    await kubectlOk(c, ['delete', 'pod', 'huge']);
  });

  it('more than ten similar events are combined: a replica set creating fourteen pods', async () => {
    await kubectlOk(c, ['apply', '-f', '-'], deployment('many', 14));
    const rs = await eventually('rs', async () => JSON.parse(await kubectlOk(c, ['get', 'rs', '-l', 'app=many', '-o', 'json'])).items[0]?.metadata.name);
    const mine = await eventually('14 creations recorded', async () => {
      const evs = about(await events(), 'ReplicaSet', rs).filter((e) => e.reason === 'SuccessfulCreate');
      return evs.reduce((n, e) => n + e.count, 0) === 14 ? evs : undefined;
    });
    const single = mine.filter((e) => !e.message.startsWith('(combined from similar events): '));
    const combined = mine.filter((e) => e.message.startsWith('(combined from similar events): '));
    assert.equal(single.length, 10, JSON.stringify(mine.map((e) => e.message)));
    assert.equal(combined.length, 1);
    assert.equal(combined[0].count, 4);
    assert.match(combined[0].message, new RegExp(`^\\(combined from similar events\\): Created pod: ${rs}-[a-z0-9]{5}$`));
    await kubectlOk(c, ['delete', 'deployment', 'many']);
  });

  it('nodes: Starting, RegisteredNode and NodeReady; a failed host makes NodeNotReady, then NodeReady again after the reboot; describe node shows them', async () => {
    const nodes = JSON.parse(await kubectlOk(c, ['get', 'nodes', '-o', 'json'])).items;
    const name = nodes[0].metadata.name;
    const evs = about(await events(), 'Node', name);
    assert.deepEqual(evs.map((e) => `${e.reason} ${e.source.component}`).sort(), ['NodeReady kubelet', 'RegisteredNode node-controller', 'Starting kubelet']);
    assert.equal(evs.find((e) => e.reason === 'NodeReady')!.message, `Node ${name} status is now: NodeReady`);
    assert.equal(evs.find((e) => e.reason === 'Starting')!.source.host, name);
    assert.ok(
      evs.every((e) => e.involvedObject.uid === name),
      'node events name the node in their uid, as the kubelet does',
    );
    const vm = emu.services.fabric!.ownerVms(c.id).find((v) => v.name === name)!;
    const fail = await emu.http().post(`/_emulator/fabric/sites/local/hosts/${vm.host}/fail`).send({});
    assert.equal(fail.status, 200, JSON.stringify(fail.body));
    const after = await eventually('NotReady then Ready again', async () => {
      const mine = about(await events(), 'Node', name);
      const ready = mine.find((e) => e.reason === 'NodeReady');
      return mine.some((e) => e.reason === 'NodeNotReady') && ready && ready.count === 2 ? mine : undefined;
    });
    const notReady = after.find((e) => e.reason === 'NodeNotReady')!;
    assert.equal(notReady.message, `Node ${name} status is now: NodeNotReady`);
    assert.equal(notReady.source.component, 'node-controller');
    const described = await kubectlOk(c, ['describe', 'node', name]);
    assert.match(described, /Normal\s+NodeNotReady\s+\S+\s+node-controller\s+Node \S+ status is now: NodeNotReady/);
    assert.match(described, /Normal\s+NodeReady\s+\S+ \(x2 over \S+\)\s+kubelet\s+Node \S+ status is now: NodeReady/);
    await emu.http().post(`/_emulator/fabric/sites/local/hosts/${vm.host}/recover`).send({});
  });

  it('events.k8s.io/v1 shows the same events (regarding, note, deprecatedCount)', async () => {
    const core = await events();
    const v1 = (await raw(c, 'GET', '/apis/events.k8s.io/v1/namespaces/default/events')).json.items;
    assert.equal(v1.length, core.length);
    const started = v1.find((e: any) => e.reason === 'Started');
    assert.equal(started.regarding.kind, 'Pod');
    assert.match(started.note, /^Started container /);
    assert.equal(started.deprecatedSource.component, 'kubelet');
    assert.equal(started.deprecatedCount, 1);
    // written through events.k8s.io/v1 (as client-go's new recorder writes): kubectl shows it as any other event
    const w = await raw(c, 'POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      metadata: { name: 'custom.1' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'example.com/operator',
      reportingInstance: 'operator-0',
      action: 'Reconcile',
      reason: 'Synced',
      type: 'Normal',
      note: 'synced the widget',
      regarding: { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
    });
    assert.equal(w.status, 201, JSON.stringify(w.json));
    assert.equal(w.json.note, 'synced the widget');
    assert.equal(w.json.regarding.name, 'web');
    const asCore = (await events()).find((e) => e.metadata.name === 'custom.1')!;
    assert.equal(asCore.message, 'synced the widget');
    assert.equal(asCore.involvedObject.kind, 'Deployment');
    assert.equal(asCore.source.component, 'example.com/operator');
    assert.match(await kubectlOk(c, ['get', 'events', '--field-selector', 'reason=Synced']), /Normal\s+Synced\s+deployment\/web\s+synced the widget/);
  });
});
