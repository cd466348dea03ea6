// The dashboard's read model as pure functions: which operations it lists, and how it names resources.
import assert from 'node:assert/strict';
import { displayName, operationsView, RECENT_OPERATIONS } from '../../src/dashboard/state.js';
import type { OperationRecord } from '../../src/arm/asyncOperations.js';
import type { Services } from '../../src/framework/types.js';

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
    const services = { asyncOperations: { list: () => ops }, registry: { typeByKey: () => ({ namespace: 'Microsoft.ContainerService', type: 'managedClusters' }) } } as unknown as Services;
    const v = operationsView(services);
    assert.equal(v.inProgress, 3);
    assert.equal(v.value.length, 3 + RECENT_OPERATIONS);
    assert.deepEqual(v.value.slice(0, 3).map((o) => o.status), ['InProgress', 'InProgress', 'InProgress']);
    const finished = v.value.slice(3).map((o) => o.endTime!);
    const newest = ops.filter((o) => o.endTime).map((o) => o.endTime!).sort().reverse().slice(0, RECENT_OPERATIONS);
    assert.deepEqual(finished, newest);
    assert.equal(v.value[3].resourceType, 'Microsoft.ContainerService/managedClusters');
  });

  it('names a child with its parent and a singleton by the resource it extends', () => {
    assert.equal(displayName('/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/web/agentPools/nodepool1'), 'web/nodepool1');
    assert.equal(displayName('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/cc1/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default'), 'cc1/default');
    assert.equal(displayName('/subscriptions/s/resourceGroups/rg'), 'rg');
  });
});
