// The horizontal pod autoscaler, with the real clients: `kubectl autoscale` scales the deployment up to
// minReplicas and back down to maxReplicas, reports AbleToScale / ScalingActive (False, FailedGetResourceMetric:
// no metrics API is served, as on a cluster without metrics-server), the events the controller records, and
// `kubectl get hpa` / `kubectl describe hpa` show it as against Kubernetes 1.35 (TARGETS "cpu: <unknown>/80%").
import assert from 'node:assert/strict';
import { execPython } from '../support/python.js';
import { after, before, describe, it } from 'mocha';
import type { TestEmulator } from '../support/emulator.js';
import { hpaTargets } from '../../src/kube/kinds/autoscaling.js';
import { aksCluster, eventually, kubectl, kubectlOk, requireKubectl, startAksEmulator, type TestCluster } from './helpers.js';

const LONG = 120_000;
const NO_METRICS =
  'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)';

describe('kube: horizontal pod autoscaler (kubectl, python3-kubernetes)', function () {
  this.timeout(300_000);
  let emu: TestEmulator;
  let c: TestCluster;

  before(async () => {
    requireKubectl();
    emu = await startAksEmulator();
    c = await aksCluster(emu, 'region', 'hpa1', 2);
  });
  after(async () => emu?.close());

  const hpa = async (name: string) => JSON.parse(await kubectlOk(c, ['get', 'hpa', name, '-o', 'json']));
  const replicas = async (name: string) => JSON.parse(await kubectlOk(c, ['get', 'deployment', name, '-o', 'json'])).spec.replicas as number;
  const cond = (h: any, type: string) => (h.status?.conditions ?? []).find((x: any) => x.type === type);
  const events = async (name: string) =>
    JSON.parse(await kubectlOk(c, ['get', 'events', '--field-selector', `involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=${name}`, '-o', 'json'])).items as any[];

  it('kubectl autoscale: the deployment is scaled up to minReplicas, then ScalingActive False (no metrics API) and TARGETS <unknown>', async () => {
    await kubectlOk(c, ['create', 'deployment', 'web', '--image=nginx', '--replicas=1']);
    assert.equal((await kubectlOk(c, ['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80'])).trim(), 'horizontalpodautoscaler.autoscaling/web autoscaled');
    await eventually('the deployment scaled to minReplicas', async () => (await replicas('web')) === 2, LONG);
    const h = await eventually(
      'the autoscaler reporting no metrics',
      async () => {
        const o = await hpa('web');
        return o.status?.currentReplicas === 2 && cond(o, 'ScalingActive') ? o : undefined;
      },
      LONG,
    );
    assert.equal(h.status.desiredReplicas, 2);
    assert.ok(h.status.lastScaleTime, 'lastScaleTime of the rescale');
    assert.deepEqual(h.status.currentMetrics, [{ type: '' }]);
    const able = cond(h, 'AbleToScale');
    assert.deepEqual([able.status, able.reason, able.message], ['True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale"]);
    const active = cond(h, 'ScalingActive');
    assert.deepEqual([active.status, active.reason, active.message], ['False', 'FailedGetResourceMetric', NO_METRICS]);
    assert.ok(active.lastTransitionTime);

    // what kubectl prints (the server's Table; 1.30+ names the metric)
    const table = await kubectlOk(c, ['get', 'hpa']);
    assert.match(table, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nweb\s+Deployment\/web\s+cpu: <unknown>\/80%\s+2\s+5\s+2\s+\S+\n$/);
    const described = await kubectlOk(c, ['describe', 'hpa', 'web']);
    assert.match(described, /Min replicas:\s+2\n/);
    assert.match(described, /Deployment pods:\s+2 current \/ 2 desired\n/);
    assert.match(described, /\n\s+AbleToScale\s+True\s+SucceededGetScale\s+the HPA controller was able to get the target's current scale\n/);
    assert.match(described, /\n\s+ScalingActive\s+False\s+FailedGetResourceMetric\s+the HPA was unable to compute the replica count: failed to get cpu utilization/);
    assert.match(described, /Normal\s+SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: 2; reason: Current number of replicas below Spec.MinReplicas/);
    const evs = await events('web');
    assert.ok(
      evs.some((e) => e.type === 'Warning' && e.reason === 'FailedGetResourceMetric' && e.source.component === 'horizontal-pod-autoscaler'),
      JSON.stringify(evs.map((e) => e.reason)),
    );
    assert.ok(
      evs.some(
        (e) =>
          e.reason === 'FailedComputeMetricsReplicas' &&
          e.message ===
            'invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)',
      ),
    );
    // the pods the deployment runs follow
    await eventually(
      'two running pods',
      async () =>
        (await kubectlOk(c, ['get', 'pods', '-l', 'app=web', '--no-headers']))
          .trim()
          .split('\n')
          .filter((l) => /Running/.test(l)).length === 2,
      LONG,
    );
  });

  it('maxReplicas: a deployment scaled above it is brought back; inside the bounds it stays; zero replicas disable scaling', async () => {
    await kubectlOk(c, ['scale', 'deployment', 'web', '--replicas=9']);
    await eventually('back to maxReplicas', async () => (await replicas('web')) === 5, LONG);
    const h = await eventually(
      'the rescale recorded',
      async () => {
        const o = await hpa('web');
        return o.status?.desiredReplicas === 5 ? o : undefined;
      },
      LONG,
    );
    assert.equal(cond(h, 'AbleToScale').status, 'True');
    assert.ok((await events('web')).some((e) => e.reason === 'SuccessfulRescale' && e.message === 'New size: 5; reason: Current number of replicas above Spec.MaxReplicas'));

    // inside [min, max] without metrics the autoscaler leaves the count alone and reports it (desiredReplicas
    // stays the last one computed, as setCurrentReplicasAndMetricsInStatus leaves it)
    await kubectlOk(c, ['scale', 'deployment', 'web', '--replicas=3']);
    const inside = await eventually(
      'currentReplicas 3',
      async () => {
        const o = await hpa('web');
        return o.status?.currentReplicas === 3 ? o : undefined;
      },
      LONG,
    );
    assert.equal(inside.status.desiredReplicas, 5);
    assert.equal(await replicas('web'), 3);
    assert.match(await kubectlOk(c, ['get', 'hpa', 'web', '--no-headers']), /^web\s+Deployment\/web\s+cpu: <unknown>\/80%\s+2\s+5\s+3\s/);

    // scaled to zero: scaling is disabled, nothing is scaled back up
    await kubectlOk(c, ['scale', 'deployment', 'web', '--replicas=0']);
    const off = await eventually(
      'ScalingDisabled',
      async () => {
        const o = await hpa('web');
        return cond(o, 'ScalingActive')?.reason === 'ScalingDisabled' ? o : undefined;
      },
      LONG,
    );
    assert.deepEqual([off.status.currentReplicas, off.status.desiredReplicas, cond(off, 'ScalingActive').status], [0, 0, 'False']);
    assert.equal(cond(off, 'ScalingActive').message, 'scaling is disabled since the replica count of the target is zero');
    assert.equal(await replicas('web'), 0);

    // raising maxReplicas / minReplicas through the HPA acts on the next pass
    await kubectlOk(c, ['scale', 'deployment', 'web', '--replicas=1']);
    await eventually('scaled up to minReplicas again', async () => (await replicas('web')) === 2, LONG);
    await kubectlOk(c, ['patch', 'hpa', 'web', '--type=merge', '-p', '{"spec":{"minReplicas":4}}']);
    await eventually('scaled up to the new minReplicas', async () => (await replicas('web')) === 4, LONG);
  });

  it('a missing target: AbleToScale False (FailedGetScale); v1 and v2 views agree; kubectl get hpa.v1.autoscaling', async () => {
    await kubectlOk(
      c,
      ['apply', '-f', '-'],
      `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ghost}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: nothing}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 100Mi}}
`,
    );
    const g = await eventually(
      'FailedGetScale',
      async () => {
        const o = await hpa('ghost');
        return cond(o, 'AbleToScale') ? o : undefined;
      },
      LONG,
    );
    assert.deepEqual(
      [cond(g, 'AbleToScale').status, cond(g, 'AbleToScale').reason, cond(g, 'AbleToScale').message],
      ['False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: deployments/scale.apps "nothing" not found`],
    );
    assert.match(await kubectlOk(c, ['get', 'hpa', 'ghost', '--no-headers']), /^ghost\s+Deployment\/nothing\s+memory: <unknown>\/100Mi\s+1\s+3\s+0\s/);
    // an API server before 1.30 (AKS hybrid 1.29) prints no metric name
    assert.equal(hpaTargets(g, '1.29.4'), '<unknown>/100Mi');
    assert.equal(hpaTargets(g, '1.35.6'), 'memory: <unknown>/100Mi');

    // the short resource.version.group form: kubectl 1.32 expands the short name through discovery and, as
    // against a real API server, asks for the preferred version; the full plural keeps v1
    const short = await kubectl(c, ['get', 'hpa.v1.autoscaling']);
    assert.equal(short.code, 0, short.stderr);
    assert.match(short.stdout, /\nghost\s+Deployment\/nothing\s/);
    assert.match(short.stdout, /\nweb\s+Deployment\/web\s+cpu: <unknown>\/80%\s+4\s+5\s/);
    const v1 = JSON.parse(await kubectlOk(c, ['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'json']));
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.equal(v1.status.desiredReplicas, 4);
    assert.equal(v1.spec.targetCPUUtilizationPercentage, 80);
    const conds = JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/conditions']);
    assert.ok(conds.some((x: any) => x.type === 'AbleToScale' && x.status === 'True'));

    await eventually('currentReplicas 4', async () => (await hpa('web')).status?.currentReplicas === 4, LONG);
    // python3-kubernetes reads both versions (the typed v1 API, the dynamic client for v2)
    const script = `
import json, sys
from kubernetes import client, config
config.load_kube_config(sys.argv[1])
from kubernetes.dynamic import DynamicClient
# Debian's client (22.6) has no typed autoscaling/v2 API: the dynamic client reads v2, the typed one v1
hpas = DynamicClient(client.ApiClient()).resources.get(api_version='autoscaling/v2', kind='HorizontalPodAutoscaler')
v2 = hpas.get(name='web', namespace='default')
v1 = client.AutoscalingV1Api().read_namespaced_horizontal_pod_autoscaler_status('web', 'default')
print(json.dumps({'current': v2.status.currentReplicas, 'desired': v2.status.desiredReplicas,
  'conditions': sorted([[x.type, x.status] for x in v2.status.conditions]),
  'v1': [v1.status.current_replicas, v1.status.desired_replicas]}))
`;
    const out = await new Promise<string>((resolve, reject) =>
      execPython(['-c', script, c.file], { env: { ...process.env, HOME: c.home }, timeout: 90_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(String(stdout)),
      ),
    );
    const py = JSON.parse(out);
    assert.deepEqual(py.conditions, [
      ['AbleToScale', 'True'],
      ['ScalingActive', 'False'],
    ]);
    assert.equal(py.desired, 4);
    assert.deepEqual(py.v1, [py.current, 4]);
    await kubectlOk(c, ['delete', 'hpa', 'web', 'ghost']);
    await kubectlOk(c, ['delete', 'deployment', 'web']);
  });
});
