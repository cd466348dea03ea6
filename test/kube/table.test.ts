// The JSONPath of CRD printer columns, as the API server evaluates it for Table answers (kubectl get of
// custom resources: Flux's Ready and Status columns filter the conditions by type).
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { jsonPath } from '../../src/kube/http/table.js';

describe('kube: printer-column JSONPath', () => {
  const o = {
    metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: { replicas: 3, ports: [{ port: 80 }, { port: 443 }] },
    status: {
      conditions: [
        { type: 'Reconciling', status: 'False', message: 'done' },
        { type: 'Ready', status: 'True', message: 'stored artifact' },
      ],
    },
  };

  it('reads fields, indexes and quoted keys', () => {
    assert.equal(jsonPath(o, '.spec.replicas'), 3);
    assert.equal(jsonPath(o, '.spec.ports[1].port'), 443);
    assert.equal(jsonPath(o, '.spec.ports[-1].port'), 443);
    assert.equal(jsonPath(o, ".metadata.labels['app.kubernetes.io/name']"), 'web');
    assert.equal(jsonPath(o, '{.spec.replicas}'), 3);
    assert.equal(jsonPath(o, '.spec.missing'), undefined);
  });

  it('filters lists by a field, and shows the first result', () => {
    assert.equal(jsonPath(o, '.status.conditions[?(@.type=="Ready")].status'), 'True');
    assert.equal(jsonPath(o, ".status.conditions[?(@.type=='Ready')].message"), 'stored artifact');
    assert.equal(jsonPath(o, '.status.conditions[?(@.type!="Ready")].type'), 'Reconciling');
    assert.equal(jsonPath(o, '.status.conditions[?(@.type=="Stalled")].status'), undefined);
    assert.equal(jsonPath(o, '.spec.ports[*].port'), 80);
  });
});
