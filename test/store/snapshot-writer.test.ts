// The snapshot writer's pieces: keys sorted in runs merged across run boundaries, texts of every size and
// script packed through its reused buffer and read back exactly, and when the footprint is reduced after a burst.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { JournalStore, sortedInSlices } from '../../src/store/journal.js';
import { compaction, footprintStep, reduceFootprint } from '../../src/framework/idleMemory.js';
import { tmpDir } from '../support/emulator.js';

describe('store: snapshot writer', () => {
  it('sorts keys across many runs exactly as one sort does', async () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `/subscriptions/s/resourcegroups/g-${(i * 7919) % 5000}-${String.fromCharCode(97 + (i % 26))}`);
    const want = [...keys].sort();
    assert.deepEqual(await sortedInSlices([...keys], 64), want);
    assert.deepEqual(await sortedInSlices([...keys], 5000), want);
    assert.deepEqual(await sortedInSlices([]), []);
  });

  it('writes values larger than its buffer and non-ASCII texts into a snapshot that reads back exactly', async () => {
    const dir = tmpDir();
    const s = await JournalStore.open({ dir, fsync: false });
    const values: Record<string, unknown> = {
      big: { x: 'é'.repeat(200_000), y: '😀'.repeat(50_000) }, // more than 256 KB of UTF-8 in one record
      small: { y: 'ü€😀', 'k\t"\n': 'tab, quote and newline in a key' },
      plain: 1,
      // keys written as they are, and keys that must be escaped (a surrogate pair, a lone surrogate, a backslash)
      'k😀': 2,
      'lone\ud800': 3,
      'back\\slash': 4,
    };
    for (let i = 0; i < 3000; i++) values[`k${i}`] = { i, s: 'x'.repeat(i % 500) + (i % 7 === 0 ? 'ß😀' : '') };
    await s.write(Object.entries(values).map(([key, value]) => ({ collection: 'c', key, value })));
    await s.write([{ collection: 'd', key: 'gone', value: 1 }]);
    await s.write([{ collection: 'd', key: 'gone', value: undefined }]);
    await s.compact();
    await s.close({ snapshot: false });
    assert.ok(readdirSync(dir).includes('snapshot.json'));
    const t = await JournalStore.open({ dir, fsync: false });
    assert.deepEqual(t.notices, []);
    for (const [k, v] of Object.entries(values)) assert.deepEqual(t.get('c', k), v, k);
    assert.equal(t.size('c'), Object.keys(values).length);
    assert.equal(t.has('d', 'gone'), false);
    // keys come back in order (a restart builds sorted indexes from the snapshot's order)
    assert.deepEqual([...t.keys('c')], Object.keys(values).sort());
    await t.close({ snapshot: false });
  });

  it('tells V8 to reduce the footprint after two quiet checks in a row, for three checks, and stops as soon as the loop is busy', () => {
    let q = 0;
    const run = (busy: number[]) =>
      busy.map((b) => {
        const s = footprintStep(q, b);
        q = s.quietChecks;
        return s.reduce ? 1 : 0;
      });
    assert.deepEqual(run([0.9, 0.3, 0.9, 0.3, 0.2, 0.1, 0.7, 0.4]), [0, 0, 0, 0, 1, 1, 0, 0]);
    // quiet for long: three checks of it, then nothing until a burst and a quiet spell again
    q = 0;
    assert.deepEqual(run([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9, 0.1, 0.1]), [0, 1, 1, 1, 0, 0, 0, 0, 0, 1]);
    // the flag itself is one V8 reads at run time: setting and clearing it leaves the process working
    reduceFootprint(true);
    compaction(false);
    reduceFootprint(false); // compaction back on with it
  });
});
