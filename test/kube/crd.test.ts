// CustomResourceDefinitions with kubectl: a definition is established and served (discovery, OpenAPI paths
// for server-side validation), custom resources are validated against its schema (422 with the field),
// pruned of undeclared fields, printed with its printer columns, scaled through its scale subresource,
// and go with the definition.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import type { TestEmulator } from '../support/emulator.js';
import { aksCluster, eventually, kubectl, kubectlOk, raw, requireKubectl, startAksEmulator, type TestCluster } from './helpers.js';

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Size, type: string, jsonPath: .spec.size}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: string, enum: [small, large]}
              replicas: {type: integer, minimum: 0, default: 1}
          status:
            type: object
            properties:
              replicas: {type: integer}
`;

describe('kube: custom resources', function () {
  this.timeout(120_000);
  let emu: TestEmulator;
  let c: TestCluster;

  before(async () => {
    requireKubectl();
    emu = await startAksEmulator();
    c = await aksCluster(emu, 'region', 'crd1', 1);
  });
  after(async () => emu?.close());

  it('serves, validates, prunes, prints and scales custom resources, and drops them with their definition', async () => {
    assert.match(await kubectlOk(c, ['apply', '-f', '-'], CRD), /customresourcedefinition.apiextensions.k8s.io\/widgets.example.com created/);
    await kubectlOk(c, ['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=30s']);
    const disc = await raw(c, 'GET', '/apis/example.com/v1');
    assert.deepEqual(disc.json.resources.map((r: any) => r.name).sort(), ['widgets', 'widgets/scale', 'widgets/status']);
    assert.match(await kubectlOk(c, ['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: small, extra: dropped}\n'), /widget.example.com\/w1 created/);
    const w1 = JSON.parse(await kubectlOk(c, ['get', 'widget', 'w1', '-o', 'json']));
    assert.deepEqual(w1.spec, { size: 'small', replicas: 1 }, 'unknown fields pruned, defaults filled');
    assert.equal(w1.metadata.generation, 1);
    const table = await kubectlOk(c, ['get', 'wd']);
    assert.match(table, /^NAME\s+SIZE\s+REPLICAS\s+AGE\nw1\s+small\s+1\s+/);
    const bad = await kubectl(c, ['apply', '-f', '-'], { input: 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: huge}\n' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /The Widget "w2" is invalid: spec.size: Unsupported value: "huge": supported values: "small", "large"/);
    const missing = await raw(c, 'POST', '/apis/example.com/v1/namespaces/default/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w3' }, spec: {} });
    assert.equal(missing.status, 422);
    assert.equal(missing.json.details.causes[0].field, 'spec.size');
    await kubectlOk(c, ['scale', 'widget/w1', '--replicas=3']);
    assert.equal(JSON.parse(await kubectlOk(c, ['get', 'widget', 'w1', '-o', 'json'])).spec.replicas, 3);
    // A merge patch (custom resources take no strategic merge patch).
    const smp = await raw(c, 'PATCH', '/apis/example.com/v1/namespaces/default/widgets/w1', { spec: { size: 'large' } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.equal(smp.status, 415);
    await kubectlOk(c, ['patch', 'widget', 'w1', '--type=merge', '-p', '{"spec":{"size":"large"}}']);
    await kubectlOk(c, ['delete', 'crd', 'widgets.example.com']);
    await eventually('custom resources gone', async () => (await raw(c, 'GET', '/apis/example.com/v1/namespaces/default/widgets/w1')).status === 404);
    assert.equal((await raw(c, 'GET', '/apis/example.com/v1')).status, 404);
  });
});
