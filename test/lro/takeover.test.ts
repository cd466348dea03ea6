// Two instances on one PostgreSQL database, each with its own operation engine: the races of taking an operation
// over, forced step by step (who syncs, who sweeps, when a lease is free), never left to timing.
//  (a) a new operation must not be swept by the other instance between its creator's commit and its creator's lease;
//  (b) an instance whose memory is behind must not take over an operation the other one just finished (it would
//      undo the finished operation's work: a Succeeded cluster left without VMs).

import assert from 'node:assert/strict';
import type { OperationRecord, TaskRecord } from '../../src/arm/asyncOperations.js';
import type { OperationEngine } from '../../src/lro/engine.js';
import { PgStore } from '../../src/store/postgres.js';
import { sharedPostgres } from '../support/postgres.js';
import { waitUntil } from '../support/wait.js';
import { engineOn, SUBJECT } from './helpers.js';

/** An instance: its own store on the shared database and its own engine (time scale 0; sweeps only when told). */
interface Instance {
  name: string;
  store: PgStore;
  engine: OperationEngine;
}

describe('operation takeover between two instances (PostgreSQL)', function () {
  this.timeout(60_000);
  let url: string;
  const instances: Instance[] = [];
  /** What the task kinds did, in order: `<instance> made|undid <task>`. */
  let journal: string[];
  /** Tasks that end only when the test lets them (by task id). */
  let holds: Map<string, { promise: Promise<void>; open: () => void }>;
  const hold = (id: string) => {
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    holds.set(id, { promise, open });
    return open;
  };

  const start = async (name: string, follow: boolean): Promise<Instance> => {
    const store = await PgStore.open({ url, probeMs: 100, follow });
    const engine = engineOn(store);
    engine.registerTaskKind('test.make', {
      run: async (t: TaskRecord) => {
        await holds.get(t.id)?.promise;
        journal.push(`${name} made ${t.id}`);
      },
      undo: async (t: TaskRecord) => void journal.push(`${name} undid ${t.id}`),
    });
    const i = { name, store, engine };
    instances.push(i);
    return i;
  };
  const plan = { kind: 'create' as const, tasks: ['vm0', 'vm1'].map((id) => ({ id, kind: 'test.make', params: {} })) };
  /** The sweep's attempt at an operation has run its course (it drives it, or it left it alone). */
  const swept = async (i: Instance) => {
    await i.engine.sweep();
    await waitUntil(() => i.engine.active() === 0, { what: `${i.name}'s sweep to settle` });
  };

  beforeEach(async () => {
    url = await (await sharedPostgres()).createDatabase('takeover');
    journal = [];
    holds = new Map();
  });
  afterEach(async () => {
    for (const i of instances.splice(0)) {
      i.engine.stop();
      await i.store.close();
    }
  });

  it("(a) a new operation is not taken over by the other instance's sweep between its creator's commit and the creator driving it", async () => {
    const a = await start('a', true);
    const b = await start('b', true);
    const op = a.engine.create(plan, SUBJECT);
    await a.engine.launch(op, async () => {
      await a.store.write([a.engine.writeOp(op)]);
      // the record is committed and the creator has not run it yet: b hears of it and sweeps now
      await b.store.sync();
      assert.equal(b.engine.get(op.id)?.status, 'InProgress', 'b sees the new operation');
      await swept(b);
    });
    const done = await a.engine.waitFor(op.id);
    assert.equal(done.status, 'Succeeded');
    assert.deepEqual(journal, ['a made vm0', 'a made vm1'], 'only its creator ran it');
    assert.equal(done.resumed, undefined, 'nobody took it over');
  });

  it('(b) an instance behind the database does not take over (and undo) an operation the other one just finished', async () => {
    const a = await start('a', true);
    const b = await start('b', false); // b follows only when it syncs: its memory stays behind whatever the timing
    const op = a.engine.create(plan, SUBJECT);
    const finishVm1 = hold('vm1');
    await a.engine.launch(op, () => a.store.write([a.engine.writeOp(op)]));
    // b learns of the operation while it is in flight, with vm0 made (what a takeover would undo)...
    await waitUntil(
      async () => {
        await b.store.sync();
        return b.engine.get(op.id)?.tasks.find((t) => t.id === 'vm0')?.state === 'done';
      },
      { what: 'b to see vm0 made' },
    );
    // ...a finishes it and lets its lease go; b has not heard of the end
    finishVm1();
    assert.equal((await a.engine.waitFor(op.id)).status, 'Succeeded');
    const probe = await PgStore.open({ url, probeMs: 100, follow: false });
    try {
      await waitUntil(
        async () => {
          const lease = await probe.lease(op.id);
          await lease?.release();
          return !!lease;
        },
        { what: "a's lease to be free" },
      );
    } finally {
      await probe.close();
    }
    assert.equal(b.engine.get(op.id)?.status, 'InProgress', 'b is still behind');
    // b sweeps: the lease is free and its memory says the operation is in flight
    await swept(b);
    assert.deepEqual(journal, ['a made vm0', 'a made vm1'], 'the finished operation keeps what it made');
    await b.store.sync();
    const stored = b.store.get<OperationRecord>('operations', op.id.toLowerCase())!;
    assert.equal(stored.status, 'Succeeded');
    assert.equal(stored.resumed, undefined);
  });
});
