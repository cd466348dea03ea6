// The journaled store: durable on acknowledgement, a torn tail never corrupts, snapshots bound replay.
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { JournalStore } from '../../src/store/store.js';
import { tmpDir } from '../support/emulator.js';

describe('store: journal + lowdb snapshots', () => {
  it('keeps what was acknowledged across a reopen, including deletes', async () => {
    const dir = tmpDir();
    const s = await JournalStore.open({ dir });
    await s.write([{ collection: 'c', key: 'a', value: { n: 1 } }, { collection: 'c', key: 'b', value: { n: 2 } }]);
    await s.write([{ collection: 'c', key: 'a', value: undefined }]);
    await s.write([{ collection: 'd', key: 'x', value: [1, 2, 3] }]);
    // no close(): a crash after acknowledgement
    const t = await JournalStore.open({ dir });
    assert.equal(t.get('c', 'a'), undefined);
    assert.deepEqual(t.get('c', 'b'), { n: 2 });
    assert.deepEqual(t.get('d', 'x'), [1, 2, 3]);
    await Promise.all([s.close(), t.close()]);
  });

  it('ignores a torn last journal line from a crash mid-append, and keeps writing after it', async () => {
    const dir = tmpDir();
    const s = await JournalStore.open({ dir });
    await s.write([{ collection: 'c', key: 'ok', value: 1 }]);
    const j = readdirSync(dir).find((f) => f.startsWith('journal-'))!;
    appendFileSync(path.join(dir, j), '{"s":2,"o":[["c","torn",');
    const t = await JournalStore.open({ dir });
    assert.equal(t.get('c', 'ok'), 1);
    assert.equal(t.get('c', 'torn'), undefined);
    await t.write([{ collection: 'c', key: 'after', value: 2 }]);
    const u = await JournalStore.open({ dir });
    assert.equal(u.get('c', 'after'), 2);
    assert.equal(u.get('c', 'ok'), 1);
    await Promise.all([s.close(), t.close(), u.close()]);
  });

  it('folds the journal into a snapshot so replay and disk use stay bounded', async () => {
    const dir = tmpDir();
    const s = await JournalStore.open({ dir, minCompactBytes: 64 * 1024 });
    for (let i = 0; i < 3000; i++) await s.write([{ collection: 'c', key: `k${i % 100}`, value: { i, pad: 'x'.repeat(50) } }]);
    await s.flush();
    const files = readdirSync(dir);
    assert.ok(files.includes('snapshot.json'));
    const journalBytes = files.filter((f) => f.startsWith('journal-')).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
    assert.ok(journalBytes < 3 * 64 * 1024, `journal ${journalBytes} bytes`);
    const t = await JournalStore.open({ dir });
    assert.equal(t.size('c'), 100);
    assert.equal((t.get('c', 'k99') as any).i, 2999);
    await Promise.all([s.close(), t.close()]);
  });

  it('group-commits concurrent writes into shared flushes', async () => {
    const dir = tmpDir();
    const s = await JournalStore.open({ dir });
    await Promise.all(Array.from({ length: 200 }, (_, i) => s.write([{ collection: 'c', key: `k${i}`, value: i }])));
    const t = await JournalStore.open({ dir });
    assert.equal(t.size('c'), 200);
    await Promise.all([s.close(), t.close()]);
  });

  it('in memory: nothing is written', async () => {
    const s = await JournalStore.open({ dir: null });
    await s.write([{ collection: 'c', key: 'a', value: 1 }]);
    assert.equal(s.get('c', 'a'), 1);
  });
});
