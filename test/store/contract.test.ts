// The Store contract, run against both stores (one matrix): what every caller of the interface relies on.
import assert from 'node:assert/strict';
import { JournalStore, StoreValueError, type Store, type StoreChange } from '../../src/store/store.js';
import { PgStore } from '../../src/store/postgres.js';
import { STORE_KINDS, tmpDir, type StoreKind } from '../support/emulator.js';
import { sharedPostgres } from '../support/postgres.js';

/** Opens a fresh store of the kind; `again` opens the same one anew (a restart). */
async function fresh(kind: StoreKind): Promise<{ store: Store; again: () => Promise<Store> }> {
  if (kind === 'journal') {
    const dir = tmpDir();
    return { store: await JournalStore.open({ dir }), again: () => JournalStore.open({ dir }) };
  }
  const url = await (await sharedPostgres()).createDatabase('contract');
  return { store: await PgStore.open({ url }), again: () => PgStore.open({ url }) };
}

for (const kind of STORE_KINDS) {
  describe(`store contract (${kind} store)`, function () {
    this.timeout(60_000);
    const open: Store[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    it('reads its own writes at once, keeps them across a reopen, deletes included', async () => {
      const { store, again } = await fresh(kind);
      open.push(store);
      const w = store.write([
        { collection: 'c', key: 'a', value: { n: 1 } },
        { collection: 'c', key: 'b', value: { n: 2 } },
      ]);
      assert.deepEqual(store.get('c', 'a'), { n: 1 }, 'memory holds it before it is durable');
      await w;
      await store.write([{ collection: 'c', key: 'a', value: undefined }]);
      assert.equal(store.has('c', 'a'), false);
      assert.equal(store.size('c'), 1);
      const v = store.version();
      await store.write([{ collection: 'd', key: 'x', value: [1, 2] }]);
      assert.ok(store.version() > v);
      const reopened = await again();
      open.push(reopened);
      assert.equal(reopened.get('c', 'a'), undefined);
      assert.deepEqual(reopened.get('c', 'b'), { n: 2 });
      assert.deepEqual([...reopened.entries('d')], [['x', [1, 2]]]);
    });

    it('group-commits concurrent writes; all of them are kept', async () => {
      const { store, again } = await fresh(kind);
      open.push(store);
      await Promise.all(Array.from({ length: 200 }, (_, i) => store.write([{ collection: 'c', key: `k${i}`, value: i }])));
      const reopened = await again();
      open.push(reopened);
      assert.equal(reopened.size('c'), 200);
    });

    it('external writes reach onExternalChange listeners; own writes do not', async () => {
      const { store } = await fresh(kind);
      open.push(store);
      const heard: StoreChange[] = [];
      store.onExternalChange((ch) => ch !== 'all' && heard.push(...ch));
      await store.write([{ collection: 'c', key: 'own', value: 1 }]);
      assert.equal(heard.length, 0);
      await store.write(
        [
          { collection: 'c', key: 'own', value: undefined },
          { collection: 'c', key: 'imported', value: 2 },
        ],
        { external: true },
      );
      assert.deepEqual(
        heard.map((c) => [c.key, c.value]),
        [
          ['own', undefined],
          ['imported', 2],
        ],
      );
    });

    it('every read is a copy the caller owns; keys and stored texts come unparsed, in the key order written, across a reopen', async () => {
      const { store, again } = await fresh(kind);
      open.push(store);
      // index fields first, as the repository writes them: the stored text keeps that order byte for byte
      const value = { parent: '/subscriptions/s', typeKey: 'microsoft.resources/resourcegroups', resource: { name: 'rg', tags: {} } };
      await store.write([
        { collection: 'r', key: 'k1', value },
        { collection: 'r', key: 'k2', value: { n: 2 } },
      ]);
      const a = store.get<typeof value>('r', 'k1')!;
      a.resource.name = 'changed';
      assert.equal(store.get<typeof value>('r', 'k1')!.resource.name, 'rg', 'mutating a read changes nothing stored');
      assert.notEqual(store.get('r', 'k1'), store.get('r', 'k1'), 'two reads never share an object');
      value.resource.name = 'after';
      assert.equal(store.get<typeof value>('r', 'k1')!.resource.name, 'rg', 'mutating what was written changes nothing stored');
      value.resource.name = 'rg';
      for (const s of [store, await again()]) {
        if (s !== store) open.push(s);
        assert.deepEqual([...s.keys('r')].sort(), ['k1', 'k2']);
        assert.equal(s.text('r', 'k1'), JSON.stringify(value));
        assert.deepEqual(new Map(s.texts('r')).get('k2'), '{"n":2}');
        assert.equal(s.text('r', 'nope'), undefined);
      }
    });

    it('a value that cannot be stored (too deep, circular, BigInt) refuses the whole write: nothing applied, nothing kept', async () => {
      const { store, again } = await fresh(kind);
      open.push(store);
      let deep: unknown = 1;
      for (let i = 0; i < 10_000; i++) deep = [deep];
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      for (const bad of [deep, circular, { n: 1n }]) {
        await assert.rejects(
          store.write([
            { collection: 'c', key: 'ok', value: 1 },
            { collection: 'c', key: 'bad', value: bad },
          ]),
          StoreValueError,
        );
        assert.equal(store.has('c', 'ok'), false, 'the good half of the write is not applied either');
      }
      await store.write([{ collection: 'c', key: 'after', value: 2 }]);
      const reopened = await again();
      open.push(reopened);
      assert.deepEqual([...reopened.keys('c')], ['after']);
    });

    it('a lease is held once until released; exclusive runs its function and returns its value', async () => {
      const { store } = await fresh(kind);
      open.push(store);
      await store.sync();
      const l = await store.lease('op');
      assert.ok(l);
      assert.equal(await store.lease('op'), undefined);
      await l.release();
      assert.ok(await store.lease('op'));
      assert.equal(await store.exclusive(['x', 'y'], async () => 42), 42);
    });
  });
}
