// The operation engine's driver under interleavings that load makes likely: each is forced here step by step
// (tasks that finish when the test says, store writes held and let go one by one), never by timing.

import assert from 'node:assert/strict';
import type { OperationRecord, TaskRecord } from '../../src/arm/asyncOperations.js';
import type { OperationEngine } from '../../src/lro/engine.js';
import { JournalStore, type Store, type WriteOp } from '../../src/store/store.js';
import { waitUntil } from '../support/wait.js';
import { deferred, engineOn, SUBJECT } from './helpers.js';

/** Holds the store's writes of operation records until let go, in order; `passThrough` stops holding. */
function holdOperationWrites(store: Store): { held: { ops: WriteOp[]; go: () => void }[]; passThrough: () => void } {
  const inner = store.write.bind(store);
  const held: { ops: WriteOp[]; go: () => void }[] = [];
  let holding = true;
  store.write = (ops, opts) => {
    if (!holding || !ops.some((o) => o.collection === 'operations')) return inner(ops, opts);
    const gate = deferred();
    held.push({ ops, go: () => gate.resolve() });
    return gate.promise.then(() => inner(ops, opts));
  };
  return {
    held,
    passThrough: () => {
      holding = false;
      for (const h of held) h.go();
    },
  };
}

describe('operation engine: interleavings of tasks and saves', function () {
  let store: JournalStore;
  let engine: OperationEngine;
  afterEach(async () => {
    engine?.stop();
    await store?.close();
  });

  it('an operation whose last running tasks finish while its driver saves still ends (it stayed InProgress for ever)', async () => {
    store = await JournalStore.open({ dir: null });
    engine = engineOn(store);
    const finish = new Map<string, ReturnType<typeof deferred<unknown>>>([
      ['a', deferred<unknown>()],
      ['b', deferred<unknown>()],
    ]);
    engine.registerTaskKind('test.step', { run: (t: TaskRecord) => finish.get(t.id)!.promise });
    const op = engine.create({ kind: 'create', tasks: ['a', 'b'].map((id) => ({ id, kind: 'test.step', params: {} })) }, SUBJECT);
    await store.write([engine.writeOp(op)]);
    const writes = holdOperationWrites(store);
    const heldCount = (n: number, what: string) => waitUntil(() => writes.held.length === n, { what });
    engine.run(op);

    // The driver starts a and b and saves that they run (write 1).
    await heldCount(1, 'the save of the tasks started');
    writes.held[0].go();
    // a ends: its save goes out (write 2) and is held.
    finish.get('a')!.resolve({ ok: 'a' });
    await heldCount(2, "a's save");
    // b ends after a's save went out: b's save is a write of its own (write 3), held too.
    finish.get('b')!.resolve({ ok: 'b' });
    await heldCount(3, "b's save");
    // a's save lands: the driver sees a done and, b still counted as running, saves again (write 4).
    writes.held[1].go();
    await heldCount(4, "the driver's save after a");
    // b's save lands before the driver's: b is no longer running when the driver's save returns.
    // (the in-memory store acknowledges at once, so b's save and the end of b are promise steps: one turn of the loop runs them all)
    writes.held[2].go();
    await new Promise((r) => setImmediate(r));
    writes.passThrough();

    const done = await waitUntil(() => (engine.get(op.id)!.status !== 'InProgress' ? engine.get(op.id) : undefined), { what: 'the operation to end' });
    assert.equal(done.status, 'Succeeded');
    assert.equal(store.get<OperationRecord>('operations', op.id.toLowerCase())!.status, 'Succeeded');
    assert.equal(engine.active(), 0);
  });
});
