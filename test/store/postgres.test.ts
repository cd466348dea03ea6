// The PostgreSQL store: two instances on one database stay exact (conditional writes, the change feed,
// exclusive sections, leases), and the faults of issue 23 (down at start, gone while running, foreign schema).
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import pg from 'pg';
import { PgStore, PgStoreError, PG_SCHEMA_VERSION } from '../../src/store/postgres.js';
import { StoreConflictError, StoreUnavailableError, type StoreChange } from '../../src/store/store.js';
import { sharedPostgres, TestPostgres } from '../support/postgres.js';

describe('store: PostgreSQL, several instances', function () {
  this.timeout(60_000);
  let url: string;
  const opened: PgStore[] = [];
  const open = async (u = url, follow = true) => {
    const s = await PgStore.open({ url: u, probeMs: 100, follow });
    opened.push(s);
    return s;
  };
  beforeEach(async () => {
    url = await (await sharedPostgres()).createDatabase('store');
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('keeps what was acknowledged, and a second instance loads it and follows later writes', async () => {
    const a = await open();
    await a.write([
      { collection: 'c', key: 'x', value: { n: 1 } },
      { collection: 'c', key: 'y', value: { n: 2 } },
    ]);
    const b = await open();
    assert.deepEqual(b.get('c', 'x'), { n: 1 });
    const seen: StoreChange[] = [];
    b.onExternalChange((ch) => ch !== 'all' && seen.push(...ch));
    await a.write([
      { collection: 'c', key: 'x', value: undefined },
      { collection: 'c', key: 'z', value: 3 },
    ]);
    await b.sync();
    assert.equal(b.get('c', 'x'), undefined);
    assert.equal(b.get('c', 'z'), 3);
    assert.deepEqual(seen.map((c) => `${c.key}=${JSON.stringify(c.value ?? null)}`).sort(), ['x=null', 'z=3']);
  });

  it('refuses a write whose key another instance changed first, and puts memory back', async () => {
    const a = await open();
    const b = await open(url, false); // b follows only at sync(): it stays behind until then, whatever the timing
    await a.write([{ collection: 'c', key: 'k', value: 'a1' }]);
    // b has not caught up: its write is based on "absent"
    const back: StoreChange[] = [];
    b.onExternalChange((ch) => ch !== 'all' && back.push(...ch));
    await assert.rejects(b.write([{ collection: 'c', key: 'k', value: 'b1' }]), StoreConflictError);
    assert.equal(b.get('c', 'k'), 'a1', 'memory holds the committed value again');
    assert.ok(back.some((c) => c.key === 'k' && c.value === 'a1'));
    // once caught up, b writes on top of a's value
    await b.write([{ collection: 'c', key: 'k', value: 'b2' }]);
    await a.sync();
    assert.equal(a.get('c', 'k'), 'b2');
  });

  it("an unconditional write (an administrator's reset or import) lands over keys another instance changed first", async () => {
    const a = await open();
    const b = await open(url, false); // b follows only at sync(): it stays behind until then, whatever the timing
    await a.write([{ collection: 'c', key: 'k', value: 'a1' }]);
    // b has not caught up, as in the test above: a conditional write would be refused; this one is not
    await b.write(
      [
        { collection: 'c', key: 'k', value: 'import' },
        { collection: 'c', key: 'gone', value: undefined },
      ],
      { external: true, unconditional: true },
    );
    assert.equal(b.get('c', 'k'), 'import');
    await a.sync();
    assert.equal(a.get('c', 'k'), 'import', 'the other instance follows it');
    // and later conditional writes build on it
    await a.write([{ collection: 'c', key: 'k', value: 'a2' }]);
    await b.sync();
    assert.equal(b.get('c', 'k'), 'a2');
  });

  it('in one batch, a write building on a refused one is refused with it, and the others are applied', async () => {
    const a = await open();
    const b = await open(url, false); // b follows only at sync(): it stays behind until then, whatever the timing
    await a.write([{ collection: 'c', key: 'k', value: 'a1' }]);
    // b has not caught up: its first write on k is refused; the second builds on it (same batch) and goes with
    // it, its other key included; the third touches other keys only and is applied.
    const w1 = b.write([{ collection: 'c', key: 'k', value: 'b1' }]);
    const w2 = b.write([
      { collection: 'c', key: 'k', value: 'b2' },
      { collection: 'c', key: 'other', value: 'b2' },
    ]);
    const w3 = b.write([{ collection: 'c', key: 'free', value: 'b3' }]);
    const [r1, r2, r3] = await Promise.allSettled([w1, w2, w3]);
    assert.ok(r1.status === 'rejected' && r1.reason instanceof StoreConflictError, 'the stale write is refused');
    assert.ok(r2.status === 'rejected' && r2.reason instanceof StoreConflictError, 'the write building on it is refused too');
    assert.equal(r3.status, 'fulfilled');
    assert.equal(b.get('c', 'k'), 'a1');
    assert.equal(b.get('c', 'other'), undefined, 'nothing of a refused write stays in memory');
    const c = await open();
    assert.equal(c.get('c', 'k'), 'a1');
    assert.equal(c.get('c', 'other'), undefined, 'nothing of a refused write was committed');
    assert.equal(c.get('c', 'free'), 'b3');
  });

  it('a snapshot-sized write (10,000 keys, one transaction) is committed whole and another instance follows it', async () => {
    const a = await open();
    const b = await open();
    const ops = Array.from({ length: 10_000 }, (_, i) => ({ collection: 'big', key: `k${i}`, value: { i, text: 'x'.repeat(100) } }));
    await a.write(ops);
    await b.sync();
    assert.equal(b.size('big'), 10_000);
    assert.deepEqual(b.get('big', 'k9999'), { i: 9999, text: 'x'.repeat(100) });
    await a.write(ops.map((o) => ({ ...o, value: undefined })));
    await b.sync();
    assert.equal(b.size('big'), 0);
  });

  it('keys with control characters or empty keys are stored as they are (the batch goes as arrays then)', async () => {
    const a = await open();
    const odd = ['a\u0001b', '\u0002', '', 'plain'];
    await a.write(odd.map((key, i) => ({ collection: 'c', key, value: { i, s: 'x\u0001y\u0002' } })));
    await a.write([{ collection: 'c', key: 'gone', value: 1 }]);
    await a.write([
      { collection: 'c', key: 'gone', value: undefined },
      { collection: 'c', key: 'kept', value: '\u0002' },
    ]);
    const b = await open();
    for (const [i, key] of odd.entries()) assert.deepEqual(b.get('c', key), { i, s: 'x\u0001y\u0002' });
    assert.equal(b.has('c', 'gone'), false, 'a delete in a joined batch is a delete');
    assert.equal(b.get('c', 'kept'), '\u0002', 'a value that is the marker text itself is kept as a value');
  });

  it('writes on the same key in one instance build on each other (group commit), across batches too', async () => {
    const a = await open();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        a.write([
          { collection: 'c', key: 'same', value: i },
          { collection: 'c', key: `k${i}`, value: i },
        ]),
      ),
    );
    const b = await open();
    assert.equal(b.get('c', 'same'), 49);
    assert.equal(b.size('c'), 51);
  });

  it('exclusive sections are exclusive across instances (check-then-allocate stays exact)', async () => {
    const a = await open();
    const b = await open();
    // 40 allocations of a counter split over both instances: every one reads, then writes +1
    const bump = (s: PgStore) =>
      s.exclusive('counter', async () => {
        const n = s.get<number>('c', 'n') ?? 0;
        await new Promise((r) => setImmediate(r));
        await s.write([{ collection: 'c', key: 'n', value: n + 1 }]);
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 ? a : b)));
    await a.sync();
    assert.equal(a.get('c', 'n'), 40);
  });

  it('a lease is held by one instance at a time and is free again when its holder goes away', async () => {
    const a = await open();
    const b = await open();
    const la = await a.lease('op-1');
    assert.ok(la);
    assert.equal(await b.lease('op-1'), undefined);
    assert.equal(await a.lease('op-1'), undefined, 'not twice in one instance either');
    await a.close();
    assert.ok(la.signal.aborted);
    const lb = await b.lease('op-1');
    assert.ok(lb, 'taken over once the holder is gone');
    await lb.release();
    assert.ok(await b.lease('op-1'));
  });

  it('refuses a database of another schema version, naming both versions, and changes nothing', async () => {
    const a = await open();
    await a.write([{ collection: 'c', key: 'k', value: 1 }]);
    await a.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`UPDATE arm_emulator_meta SET value = '99' WHERE key = 'schema_version'`);
    await assert.rejects(PgStore.open({ url }), (e: Error) => e instanceof PgStoreError && /schema version 99/.test(e.message) && e.message.includes(`schema version ${PG_SCHEMA_VERSION}`));
    const left = await c.query(`SELECT value FROM arm_emulator_meta WHERE key = 'schema_version'`);
    assert.equal(left.rows[0].value, '99');
    await c.end();
  });

  it('a database that is down at start: a clear error naming it', async () => {
    const dead = 'postgres://emu:secret@127.0.0.1:1/nowhere';
    await assert.rejects(PgStore.open({ url: dead }), (e: Error) => e instanceof PgStoreError && e.message.includes('postgres://emu@127.0.0.1:1/nowhere') && !e.message.includes('secret'));
  });

  describe('the database going away while running', () => {
    let server: TestPostgres;
    before(async () => {
      server = await TestPostgres.start();
    });
    after(async () => {
      await server.stop();
    });

    it('fails fast with StoreUnavailableError, loses nothing acknowledged, and recovers when it is back', async () => {
      const u = await server.createDatabase('outage');
      const a = await open(u);
      const b = await open(u);
      await a.write([{ collection: 'c', key: 'before', value: 1 }]);
      await server.stop();
      await assert.rejects(a.write([{ collection: 'c', key: 'during', value: 2 }]), StoreUnavailableError);
      await assert.rejects(a.sync(), (e: unknown) => e instanceof StoreUnavailableError && e.retryAfter > 0);
      await server.resume();
      await waitUntil(
        async () => {
          try {
            await a.sync();
            await b.sync();
            return true;
          } catch {
            return false;
          }
        },
        { what: 'both instances to reach the database again', everyMs: 50 },
      );
      await a.write([{ collection: 'c', key: 'after', value: 3 }]);
      await b.sync();
      assert.equal(b.get('c', 'before'), 1);
      assert.equal(b.get('c', 'after'), 3);
      assert.equal(b.get('c', 'during'), undefined);
      assert.equal(a.get('c', 'during'), undefined, 'a write with no acknowledgement is read back from the database');
    });
  });
});
