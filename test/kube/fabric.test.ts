// Nodes follow the fabric: pools scaled, added (with their labels and taints), deleted and upgraded through
// ARM change the nodes; the scheduler honours nodeSelector, taints and requests (FailedScheduling when
// nothing fits); a failed host reboots its nodes (NotReady) and pods that do not tolerate that move; a
// disconnected site turns its nodes NotReady and their pods are evicted once their toleration runs out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { waitForOperation, type TestEmulator } from '../support/emulator.js';
import { aksCluster, eventually, hybridCluster, raw, startAksEmulator, watchEvents, type TestCluster } from './helpers.js';

const API = '2024-02-01';

async function nodes(c: TestCluster): Promise<any[]> {
  return (await raw(c, 'GET', '/api/v1/nodes')).json.items;
}
const ready = (n: any) => n.status.conditions.find((x: any) => x.type === 'Ready')?.status === 'True';

async function armWrite(emu: TestEmulator, method: 'put' | 'delete' | 'post', path: string, body?: unknown) {
  const client = emu.http();
  const r = await client[method](`${path}?api-version=${API}`).send((body ?? {}) as object);
  assert.ok([200, 201, 202].includes(r.status), `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  if (r.headers['azure-asyncoperation']) {
    const st = await waitForOperation(emu, r.headers['azure-asyncoperation']);
    assert.equal(st.status, 'Succeeded', JSON.stringify(st));
  }
  return r;
}

function podBody(name: string, extra: Record<string, unknown> = {}) {
  return { metadata: { name, labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '64Mi' } } }], ...extra } };
}

describe('kube: nodes follow the fabric and ARM', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let aks: TestCluster;
  let hub: TestCluster;
  let hyb: TestCluster;

  before(async () => {
    emu = await startAksEmulator();
    aks = await aksCluster(emu, 'region', 'fab1', 2);
    hub = await aksCluster(emu, 'hub', 'fabhub', 3);
    hyb = await hybridCluster(emu, 'fabhyb', 3);
  });
  after(async () => emu?.close());

  it('a new node registers with its status: its first watch event already says Ready (no client ever sees a node without conditions)', async () => {
    const rv = (await raw(aks, 'GET', '/api/v1/nodes')).json.metadata.resourceVersion;
    const before = new Set((await nodes(aks)).map((n) => n.metadata.name));
    const added = watchEvents(aks, `/api/v1/nodes?watch=1&resourceVersion=${rv}`, (evs) => evs.some((e) => e.type === 'ADDED' && !before.has(e.object.metadata.name)));
    await armWrite(emu, 'put', `${aks.id}/agentPools/reg`, { properties: { count: 1, vmSize: 'Standard_DS2_v2', mode: 'User', osType: 'Linux' } });
    const first = (await added).find((e) => e.type === 'ADDED' && !before.has(e.object.metadata.name))!;
    assert.ok(ready(first.object), JSON.stringify(first.object.status));
    // kube-apiserver keeps a status sent with a Node's create (the kubelet registers so); a client's too (the
    // node controller then removes this one: no VM is behind it, as the cloud node lifecycle controller does).
    const made = await raw(aks, 'POST', '/api/v1/nodes', { metadata: { name: 'byhand' }, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'x' }] } });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    assert.equal(made.json.status.conditions[0].reason, 'KubeletNotReady');
    await armWrite(emu, 'delete', `${aks.id}/agentPools/reg`);
  });

  it('scales, adds, deletes and upgrades node pools through ARM', async () => {
    await armWrite(emu, 'put', `${aks.id}/agentPools/nodepool1`, { properties: { count: 4, vmSize: 'Standard_DS2_v2', mode: 'System', osType: 'Linux' } });
    await eventually('4 Ready nodes', async () => (await nodes(aks)).filter(ready).length === 4);
    await armWrite(emu, 'put', `${aks.id}/agentPools/gpu`, {
      properties: { count: 1, vmSize: 'Standard_DS3_v2', mode: 'User', osType: 'Linux', nodeLabels: { sku: 'gpu' }, nodeTaints: ['sku=gpu:NoSchedule'] },
    });
    const gpu = await eventually('the gpu node', async () => (await nodes(aks)).find((n) => n.metadata.labels.agentpool === 'gpu' && ready(n)));
    assert.equal(gpu.metadata.labels.sku, 'gpu');
    assert.equal(gpu.metadata.labels['kubernetes.azure.com/mode'], 'user');
    assert.equal(gpu.metadata.labels['node.kubernetes.io/instance-type'], 'Standard_DS3_v2');
    assert.deepEqual(gpu.spec.taints, [{ key: 'sku', value: 'gpu', effect: 'NoSchedule' }]);
    assert.equal(gpu.status.capacity.cpu, '4');
    assert.equal(gpu.status.allocatable.cpu, '3860m');

    // The scheduler: a pod for the gpu node tolerates its taint; one that does not cannot go there.
    await raw(
      aks,
      'POST',
      '/api/v1/namespaces/default/pods',
      podBody('on-gpu', { nodeSelector: { sku: 'gpu' }, tolerations: [{ key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }),
    );
    await raw(aks, 'POST', '/api/v1/namespaces/default/pods', podBody('no-toleration', { nodeSelector: { sku: 'gpu' } }));
    const huge = { ...podBody('huge'), spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '64' } } }] } };
    await raw(aks, 'POST', '/api/v1/namespaces/default/pods', huge);
    const placed = await eventually('on-gpu running', async () => {
      const p = (await raw(aks, 'GET', '/api/v1/namespaces/default/pods/on-gpu')).json;
      return p.status.phase === 'Running' ? p : undefined;
    });
    assert.equal(placed.spec.nodeName, gpu.metadata.name);
    const stuck = await eventually('no-toleration unschedulable', async () => {
      const p = (await raw(aks, 'GET', '/api/v1/namespaces/default/pods/no-toleration')).json;
      return p.status.conditions?.find((x: any) => x.type === 'PodScheduled' && x.reason === 'Unschedulable') ? p : undefined;
    });
    assert.equal(stuck.status.phase, 'Pending');
    assert.match(
      stuck.status.conditions.find((x: any) => x.type === 'PodScheduled').message,
      /^0\/5 nodes are available: 1 node\(s\) had untolerated taint \{sku: gpu\}, 4 node\(s\) didn't match Pod's node affinity\/selector\./,
    );
    const tooBig = await eventually('huge unschedulable', async () =>
      (await raw(aks, 'GET', '/api/v1/namespaces/default/pods/huge')).json.status.conditions?.find((x: any) => x.reason === 'Unschedulable'),
    );
    assert.match(tooBig.message, /Insufficient cpu/);
    const events = (await raw(aks, 'GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dhuge,reason%3DFailedScheduling')).json.items;
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'Warning');
    assert.equal(events[0].source.component, 'default-scheduler');

    // The gpu pool goes: so do its node and the pod bound to it.
    await armWrite(emu, 'delete', `${aks.id}/agentPools/gpu`);
    await eventually('gpu node gone', async () => !(await nodes(aks)).some((n) => n.metadata.labels.agentpool === 'gpu'));
    await eventually('its pod gone', async () => (await raw(aks, 'GET', '/api/v1/namespaces/default/pods/on-gpu')).status === 404);

    // An upgrade replaces the nodes with ones of the new version.
    const c = (await emu.http().get(`${aks.id}?api-version=${API}`)).body;
    const ups = (await emu.http().get(`${aks.id}/upgradeProfiles/default?api-version=${API}`)).body.properties.controlPlaneProfile.upgrades;
    const to = ups[0].kubernetesVersion;
    // As az aks upgrade sends it: the control plane and every pool to the new version.
    await armWrite(emu, 'put', aks.id, {
      ...c,
      properties: { ...c.properties, kubernetesVersion: to, agentPoolProfiles: c.properties.agentPoolProfiles.map((p: any) => ({ ...p, orchestratorVersion: to })) },
    });
    const after = await eventually('upgraded nodes', async () => {
      const ns = await nodes(aks);
      return ns.length === 4 && ns.every((n) => n.status.nodeInfo.kubeletVersion === `v${to}` && ready(n)) ? ns : undefined;
    });
    assert.equal(after.length, 4);
  });

  it("the dashboard shows each cluster's nodes and pods from its Kubernetes API", async () => {
    await raw(hyb, 'POST', '/api/v1/namespaces/default/pods', podBody('dash'));
    const row = await eventually("the hybrid cluster's row with its pod running", async () => {
      const st = await emu.http().get('/_emulator/dashboard/state');
      assert.equal(st.status, 200);
      const owners = st.body.sites.flatMap((s: any) => s.owners ?? []);
      const o = owners.find((x: any) => x.id.toLowerCase() === hyb.id.toLowerCase());
      return o?.kube?.podList.some((p: any) => p.name === 'default/dash' && p.phase === 'Running' && p.node) ? o : undefined;
    });
    const kubeNodes = (await nodes(hyb)).map((n) => n.metadata.name).sort();
    assert.deepEqual(row.kube.nodes.map((n: any) => n.name).sort(), kubeNodes);
    assert.equal(row.kube.pods, (await raw(hyb, 'GET', '/api/v1/pods')).json.items.length);
    const aksRow = (await emu.http().get('/_emulator/dashboard/state')).body.sites.flatMap((s: any) => s.owners ?? []).find((x: any) => x.id.toLowerCase() === aks.id.toLowerCase());
    assert.ok(aksRow?.kube?.nodes.length >= 1, 'an AKS cluster on a region shows its nodes too');
    await raw(hyb, 'DELETE', '/api/v1/namespaces/default/pods/dash');
  });

  it('a failed host reboots its nodes; pods that do not tolerate NotReady move to other nodes', async () => {
    const D = '/apis/apps/v1/namespaces/default/deployments';
    const tol = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }];
    await raw(hub, 'POST', D, {
      metadata: { name: 'mover' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'mover' } }, template: { metadata: { labels: { app: 'mover' } }, spec: { tolerations: tol, containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const before = await eventually('3 running', async () => {
      const ps = (await raw(hub, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dmover')).json.items;
      return ps.length === 3 && ps.every((p: any) => p.status.phase === 'Running') ? ps : undefined;
    });
    const victim = before[0];
    const vm = emu.services.fabric!.ownerVms(hub.id).find((v) => v.name === victim.spec.nodeName)!;
    const fail = await emu.http().post(`/_emulator/fabric/sites/local/hosts/${vm.host}/fail`).send({});
    assert.equal(fail.status, 200, JSON.stringify(fail.body));
    assert.ok(
      fail.body.restarted.some((r: any) => r.vm === vm.name),
      'the VM restarted on another host',
    );
    // The node reboots: NotReady (not-ready taint), and the pod is evicted and replaced elsewhere.
    await eventually('the victim evicted', async () => {
      const p = await raw(hub, 'GET', `/api/v1/namespaces/default/pods/${victim.metadata.name}`);
      return p.status === 404 || !!p.json.metadata.deletionTimestamp;
    });
    const moved = await eventually('3 running again', async () => {
      const ps = (await raw(hub, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dmover')).json.items.filter((p: any) => !p.metadata.deletionTimestamp);
      return ps.length === 3 && ps.every((p: any) => p.status.phase === 'Running') ? ps : undefined;
    });
    assert.ok(!moved.some((p: any) => p.metadata.name === victim.metadata.name), 'a replacement, not the same pod');
    const evicted = (await raw(hub, 'GET', `/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${victim.metadata.name},reason%3DTaintManagerEviction`)).json.items;
    assert.equal(evicted.length, 1);
    // The node is back after its reboot.
    await eventually('node Ready again', async () => ready((await raw(hub, 'GET', `/api/v1/nodes/${vm.name}`)).json));
    await emu.http().post(`/_emulator/fabric/sites/local/hosts/${vm.host}/recover`).send({});
  });

  it('a disconnected site turns its nodes NotReady; their pods are evicted and come back when it reconnects', async () => {
    const D = '/apis/apps/v1/namespaces/default/deployments';
    await raw(hyb, 'POST', D, {
      metadata: { name: 'edge' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'edge' } }, template: { metadata: { labels: { app: 'edge' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await eventually(
      '2 running',
      async () => (await raw(hyb, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dedge')).json.items.filter((p: any) => p.status.phase === 'Running').length === 2,
    );
    assert.equal((await emu.http().post('/_emulator/fabric/sites/hci-site-1/disconnect').send({})).status, 200);
    const down = await eventually('nodes NotReady', async () => {
      const ns = await nodes(hyb);
      return ns.every((n) => n.status.conditions.find((x: any) => x.type === 'Ready').status === 'Unknown') ? ns : undefined;
    });
    for (const n of down) {
      assert.deepEqual(
        n.spec.taints
          .filter((t: any) => t.key.startsWith('node.kubernetes.io/'))
          .map((t: any) => `${t.key}:${t.effect}`)
          .sort(),
        ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule'],
      );
      assert.match(n.status.conditions.find((x: any) => x.type === 'Ready').message, /disconnected/);
    }
    assert.match((await raw(hyb, 'GET', '/api/v1/nodes', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json.rows[0].cells[1], /^NotReady/);
    // Evicted after their 300 s toleration (no time at --time-scale 0): terminating, replacements pending.
    await eventually('pods evicted', async () => {
      const ps = (await raw(hyb, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dedge')).json.items;
      return ps.filter((p: any) => p.metadata.deletionTimestamp).length === 2 && ps.filter((p: any) => !p.metadata.deletionTimestamp && !p.spec.nodeName).length === 2;
    });
    assert.equal((await emu.http().post('/_emulator/fabric/sites/hci-site-1/connect').send({})).status, 200);
    await eventually('nodes Ready', async () => (await nodes(hyb)).every(ready));
    await eventually('2 running, old ones gone', async () => {
      const ps = (await raw(hyb, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dedge')).json.items;
      return ps.length === 2 && ps.every((p: any) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
    });
  });
});
