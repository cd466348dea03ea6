// The in-memory table's compact form: texts kept with their shared head once read back exactly (every script,
// escapes, texts without an id), heads are freed with their last text, and a snapshot written from the compact
// form reads back to the same texts.
import assert from 'node:assert/strict';
import { MemoryTable, serialise } from '../../src/store/memory.js';
import { JournalStore } from '../../src/store/journal.js';
import { tmpDir } from '../support/emulator.js';

const SUB = '/subscriptions/bbbbbbbb-0000-0000-0000-000000000001';
const group = (name: string, extra: Record<string, unknown> = {}) => ({
  parent: SUB,
  typeKey: 'microsoft.resources/resourcegroups',
  resource: { id: `${SUB}/resourceGroups/${name}`, name, type: 'Microsoft.Resources/resourceGroups', location: 'eastus', ...extra },
  internal: {},
});

describe('store: memory table', () => {
  it('keeps siblings with one shared head and gives every text back exactly', () => {
    const t = new MemoryTable();
    const values: Record<string, unknown> = {
      a: group('a'),
      b: group('b', { tags: { 'é😀': 'ü€\ud800', quote: '"\\/' } }), // two-byte text, a lone surrogate (escaped), escapes
      c: group('Ünïcødé-😀'),
      plain: 1,
      str: 'a/b/c "id":"x/y/z"',
      noid: { parent: SUB, typeKey: 'x', resource: { name: 'n' } },
      shortId: { id: '/a/b' },
      lateId: { pad: 'x'.repeat(2000), id: `${SUB}/resourceGroups/late` },
      slashInName: { id: `${SUB}/resourceGroups/a\\/b`, name: 'a/b' },
    };
    for (const [k, v] of Object.entries(values)) t.set('resources', k, serialise(v, k));
    for (const [k, v] of Object.entries(values)) {
      assert.equal(t.text('resources', k), JSON.stringify(v), k);
      assert.deepEqual(t.get('resources', k), v, k);
      const parts = t.textParts('resources', k)!;
      assert.equal(parts.join(''), JSON.stringify(v), k);
    }
    assert.deepEqual(Object.fromEntries(t.entries('resources')), values);
    assert.deepEqual(Object.fromEntries(t.texts('resources')), Object.fromEntries(Object.entries(values).map(([k, v]) => [k, JSON.stringify(v)])));
    // a, b and c share one head (everything up to '/resourceGroups/'); slashInName cut within its id shares it too
    assert.equal(t.textParts('resources', 'a')![0], t.textParts('resources', 'b')![0]);
    assert.ok(t.textParts('resources', 'a')![0].endsWith('/resourceGroups/'));
    assert.equal(t.textParts('resources', 'plain')![0], '');
    assert.equal(t.textParts('resources', 'noid')![0], '');
    assert.equal(t.textParts('resources', 'lateId')![0], '', 'an id far from the start is not looked for');
  });

  it('frees a head when its last text is deleted or rewritten to another head, and numbers are reused', () => {
    const t = new MemoryTable();
    for (let i = 0; i < 10; i++) t.set('r', `g${i}`, JSON.stringify({ id: `/subscriptions/s${i % 3}/resourceGroups/g${i}` }));
    assert.equal(t.headCount, 3);
    for (let i = 0; i < 10; i += 3) t.set('r', `g${i}`, undefined); // every text of s0
    assert.equal(t.headCount, 2);
    t.set('r', 'g1', JSON.stringify({ id: '/subscriptions/other/resourceGroups/g1' })); // s1 still has g4, g7
    assert.equal(t.headCount, 3);
    t.set('r', 'g4', '1');
    t.set('r', 'g7', '2');
    assert.equal(t.headCount, 2);
    for (let i = 0; i < 100; i++) t.set('r', `n${i}`, JSON.stringify({ id: `/subscriptions/n${i}/resourceGroups/x` }));
    assert.equal(t.headCount, 102);
    for (let i = 0; i < 100; i++) assert.equal(t.text('r', `n${i}`), JSON.stringify({ id: `/subscriptions/n${i}/resourceGroups/x` }));
    t.clear();
    assert.equal(t.headCount, 0);
  });

  it('writes a snapshot from shared heads that reads back to the same texts, and replays a journal into them', async () => {
    const dir = tmpDir();
    const s = await JournalStore.open({ dir, fsync: false });
    const values = new Map<string, unknown>();
    for (let i = 0; i < 3000; i++) values.set(`${SUB}/resourcegroups/g${i}`, group(`g${i}`, { tags: { n: String(i), big: i % 500 === 0 ? 'é'.repeat(100_000) : '' } }));
    await s.write([...values].map(([key, value]) => ({ collection: 'resources', key, value })));
    await s.compact();
    await s.write([{ collection: 'resources', key: 'after', value: group('after') }]);
    await s.close({ snapshot: false });
    const t = await JournalStore.open({ dir, fsync: false });
    assert.deepEqual(t.notices, []);
    values.set('after', group('after'));
    assert.equal(t.size('resources'), values.size);
    for (const [k, v] of values) assert.equal(t.text('resources', k), JSON.stringify(v), k);
    await t.close({ snapshot: false });
  });
});
