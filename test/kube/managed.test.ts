// Field ownership as the API records it (metadata.managedFields, FieldsV1): a write owns what it changed, a
// field another writer sets leaves its former owner, a field that is gone leaves everyone, and a status
// write owns only status fields. Controllers write pods thousands of times, sharing the parts they keep with
// the stored object: the same answers whether parts are shared or copied.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { updateManagedFields } from '../../src/kube/managed.js';
import type { KubeObject } from '../../src/kube/model.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:00:05Z';

function pod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], restartPolicy: 'Always' },
    status: { phase: 'Pending' },
  };
}

const created = (): KubeObject => {
  const p = pod();
  p.metadata.managedFields = updateManagedFields(undefined, p, { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: T0 });
  return p;
};

describe('kube: managed fields', () => {
  it('a create owns every field it set, status left to the status writers', () => {
    const p = created();
    assert.deepEqual(p.metadata.managedFields, [
      {
        manager: 'kube-controller-manager',
        operation: 'Update',
        apiVersion: 'v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:restartPolicy': {} },
        },
      },
    ]);
  });

  it('a status write (shared spec) owns only the status fields it changed; the creator keeps the spec', () => {
    const old = created();
    const status = { phase: 'Running', podIP: '10.244.0.5', conditions: [{ type: 'Ready', status: 'True' }] };
    // As the kubelet writes it: the stored spec and metadata as they are, a new status.
    const next: KubeObject = { ...old, metadata: { ...old.metadata }, status };
    const mf = updateManagedFields(old, next, { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', subresource: 'status', time: T1 });
    assert.equal(mf.length, 2);
    assert.deepEqual(mf[0], old.metadata.managedFields![0]);
    assert.deepEqual(mf[1], {
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time: T1,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:phase': {}, 'f:podIP': {} } },
      subresource: 'status',
    });
    // The same answer when nothing is shared (a client's PUT of the whole object).
    const copied = structuredClone(next);
    assert.deepEqual(updateManagedFields(old, copied, { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', subresource: 'status', time: T1 }), mf);
  });

  it('a field set by another writer leaves its former owner; a removed field leaves everyone', () => {
    const old = created();
    const next: KubeObject = structuredClone(old);
    next.spec.containers[0].image = 'nginx:1.28';
    delete next.spec.restartPolicy;
    const mf = updateManagedFields(old, next, { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'v1', time: T1 });
    assert.deepEqual(
      mf.map((e) => [e.manager, e.fieldsV1]),
      [
        ['kube-controller-manager', { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { 'f:name': {} } } } }],
        ['kubectl-edit', { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {} } } } }],
      ],
    );
    // Once a manager owns nothing it is gone from the list.
    const again: KubeObject = structuredClone(next);
    again.metadata.managedFields = mf;
    delete again.metadata.labels;
    again.spec.containers = [{ name: 'd', image: 'busybox' }];
    const left = updateManagedFields({ ...next, metadata: { ...next.metadata, managedFields: mf } }, again, { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'v1', time: T1 });
    assert.deepEqual(
      left.map((e) => e.manager),
      ['kubectl-edit'],
    );
  });

  it('a write that changes nothing owns nothing new and keeps the time', () => {
    const old = created();
    const next: KubeObject = { ...old, metadata: { ...old.metadata } };
    const mf = updateManagedFields(old, next, { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: T1 });
    assert.deepEqual(mf, old.metadata.managedFields);
  });
});
