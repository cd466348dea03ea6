// The dashboard's read model as pure functions: which operations it lists, and how it names resources.
import assert from 'node:assert/strict';
import { displayName, operationsView, RECENT_OPERATIONS } from '../../src/dashboard/state.js';
import type { OperationRecord } from '../../src/arm/asyncOperations.js';
import type { Services } from '../../src/framework/types.js';
import { JournalStore } from '../../src/store/store.js';
import { OperationEngine } from '../../src/lro/engine.js';
import { Registry } from '../../src/framework/registry.js';
import { ResourceRepository } from '../../src/framework/repository.js';

function op(i: number, status: OperationRecord['status'], endMinute?: number): OperationRecord {
  const t = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString();
  return {
    id: `op-${i}`,
    namespace: 'Microsoft.ContainerService',
    location: 'local',
    subscriptionId: 's',
    resourceId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c${i}`,
    typeKey: 'microsoft.containerservice/managedclusters',
    kind: 'create',
    method: 'PUT',
    apiVersion: '2020-11-01',
    status,
    startTime: t(i % 500),
    endTime: endMinute === undefined ? undefined : t(endMinute),
    percentComplete: status === 'InProgress' ? 50 : 100,
    tasks: [],
  };
}

describe('dashboard read model', () => {
  it('lists every operation in flight, then the newest finished ones, newest first', () => {
    // 2,000 finished in a shuffled order of end times, 3 in flight.
    const ends = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 2000);
    const ops = [...ends.map((m, i) => op(i, i % 5 === 0 ? 'Failed' : 'Succeeded', m)), op(9001, 'InProgress'), op(9002, 'InProgress'), op(9003, 'InProgress')];
    const services = { asyncOperations: { listRecent: () => ops }, registry: { typeByKey: () => ({ namespace: 'Microsoft.ContainerService', type: 'managedClusters' }) } } as unknown as Services;
    const v = operationsView(services);
    assert.equal(v.inProgress, 3);
    assert.equal(v.value.length, 3 + RECENT_OPERATIONS);
    assert.deepEqual(
      v.value.slice(0, 3).map((o) => o.status),
      ['InProgress', 'InProgress', 'InProgress'],
    );
    const finished = v.value.slice(3).map((o) => o.endTime!);
    const newest = ops
      .filter((o) => o.endTime)
      .map((o) => o.endTime!)
      .sort()
      .reverse()
      .slice(0, RECENT_OPERATIONS);
    assert.deepEqual(finished, newest);
    assert.equal(v.value[3].resourceType, 'Microsoft.ContainerService/managedClusters');
  });

  it('the engine hands the dashboard the operations in flight and the newest finished ones, reading the rest from their texts only', async () => {
    const store = await JournalStore.open({ dir: null });
    const ends = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 2000);
    const ops = [...ends.map((m, i) => op(i, i % 5 === 0 ? 'Failed' : 'Succeeded', m)), op(9001, 'InProgress'), op(9002, 'InProgress')];
    // the newest finished with task results that mention times of their own, as the engine writes it
    const last = ops.findIndex(
      (o) =>
        o.endTime ===
        ops
          .map((x) => x.endTime ?? '')
          .sort()
          .at(-1),
    );
    ops[last] = { ...ops[last], tasks: [{ id: 't', kind: 'k', state: 'done', result: { endTime: '1999-01-01T00:00:00.000Z', status: 'InProgress' } }] } as OperationRecord;
    const engine = new OperationEngine(store, new Registry(), new ResourceRepository(store), 0, () => ({}) as Services);
    // half as the engine writes them (status and endTime first), half in the older shape
    await store.write(ops.map((o, i) => (i % 2 ? engine.writeOp(o) : { collection: 'operations', key: o.id, value: o })));
    const got = engine.listRecent(RECENT_OPERATIONS);
    assert.deepEqual(
      got
        .filter((o) => o.status === 'InProgress')
        .map((o) => o.id)
        .sort(),
      ['op-9001', 'op-9002'],
    );
    const newest = ops
      .filter((o) => o.endTime)
      .map((o) => o.endTime!)
      .sort()
      .reverse()
      .slice(0, RECENT_OPERATIONS);
    assert.deepEqual(
      got
        .filter((o) => o.endTime)
        .map((o) => o.endTime!)
        .sort()
        .reverse(),
      newest,
    );
  });

  it('names a child with its parent and a singleton by the resource it extends', () => {
    assert.equal(displayName('/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/web/agentPools/nodepool1'), 'web/nodepool1');
    assert.equal(
      displayName('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/cc1/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default'),
      'cc1/default',
    );
    assert.equal(displayName('/subscriptions/s/resourceGroups/rg'), 'rg');
  });
});
