// The in-memory table's compact form: texts kept with their shared head once and systemData's principals and
// times as tokens read back exactly (every script, escapes, texts without an id, times of every byte value),
// heads and pieces are freed with their last text, and a snapshot written from the compact form reads back to
// the same texts.
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

  it("keeps systemData's principals and ISO times as tokens, reads every text back byte-identical and frees the pieces", () => {
    const t = new MemoryTable();
    const who = (by: string, type: string, at: string, modAt = at, modBy = by) => ({
      createdBy: by,
      createdByType: type,
      createdAt: at,
      lastModifiedBy: modBy,
      lastModifiedByType: type,
      lastModifiedAt: modAt,
    });
    const values: Record<string, unknown> = {
      a: group('a', { systemData: who('cccccccc-0000-0000-0000-000000000001', 'Application', '2026-12-02T20:15:39.666Z') }),
      b: group('b', { systemData: who('user@contoso.com', 'User', '2026-12-02T20:15:39.000Z', '2027-01-01T00:00:00.001Z', 'cccccccc-0000-0000-0000-000000000001') }),
      // times toISOString() would not write back as they are: kept as text
      notIso: group('c', { systemData: who('x', 'User', '2026-12-02T20:15:39.6661234Z', '2026-02-30T00:00:00.000Z') }),
      beyond: group('d', { systemData: who('x', 'User', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z') }),
      // escapes and quotes in the principal: not a shared piece, the time still a token
      escaped: group('e', { systemData: who('a\\"b\u0001', 'Key', '2026-12-02T20:15:39.666Z') }),
      // a time anywhere in a string, several in a row, next to a control character's escape
      anywhere: group('f', { properties: { note: 'at 2026-12-02T20:15:39.666Z and 2026-12-02T20:15:39.667Z2026-12-02T20:15:39.668Z\u0002' } }),
      // the name: the id's last segment again, another name, one that starts with the segment, none; states
      named: group('n', { properties: { provisioningState: 'Succeeded' } }),
      otherName: { ...group('o'), resource: { id: `${SUB}/resourceGroups/o`, name: 'op', type: 'T', location: 'l', properties: { provisioningState: 'Failed' } } },
      prefixName: { ...group('p'), resource: { id: `${SUB}/resourceGroups/p`, name: 'p' + '"' } },
      noName: { ...group('q'), resource: { id: `${SUB}/resourceGroups/q`, type: 'T', location: '' } },
      // a key holding a time token's bytes (a control character) keeps its text whole
      control: { id: `${SUB}/resourceGroups/x`, note: '\u0001\u0002 2026-12-02T20:15:39.666Z' },
    };
    for (const [k, v] of Object.entries(values)) t.set('resources', k, serialise(v, k));
    for (const [k, v] of Object.entries(values)) {
      assert.equal(t.text('resources', k), JSON.stringify(v), k);
      assert.equal(t.textParts('resources', k)!.join(''), JSON.stringify(v), k);
      assert.deepEqual(t.get('resources', k), v, k);
    }
    // a time of every byte value in its six (0x01 and 0x02 among them: not read as tokens)
    for (let i = 0; i < 300; i++) {
      const at = new Date(Date.UTC(2026, 0, 1) + i * 0x010203 + (i % 7) * 0x01020304).toISOString();
      const v = group(`t${i}`, { systemData: who('p', 'User', at, new Date(i).toISOString()) });
      t.set('times', `t${i}`, serialise(v, 't'));
      assert.equal(t.text('times', `t${i}`), JSON.stringify(v));
    }
    // times anywhere from 1970 to 9999 rendered from the tables as toISOString() writes them
    for (let i = 0; i < 2000; i++) {
      const text = JSON.stringify({ id: `${SUB}/resourceGroups/r${i}`, at: new Date(Math.floor(Math.random() * 253402300800000)).toISOString() });
      t.set('random', `r${i}`, text);
      assert.equal(t.text('random', `r${i}`), text);
    }
    // the stored form is smaller than the text by the runs it shares
    const stored = (t as unknown as { data: Map<string, Map<string, string>> }).data.get('resources')!.get('a')!;
    assert.ok(stored.length < JSON.stringify(values.a).length - 250, `${stored.length}`);
    assert.ok(!/createdBy|2026-|"name"|"type"/.test(stored), JSON.stringify(stored));
    // pieces are counted: rewriting and deleting every text frees them
    const pieces = () => (t as unknown as { pieces: { size: number } }).pieces.size;
    assert.ok(pieces() >= 3);
    for (const k of Object.keys(values)) t.set('resources', k, undefined);
    for (let i = 0; i < 300; i++) t.set('times', `t${i}`, i % 2 ? undefined : '{}');
    for (let i = 0; i < 2000; i++) t.set('random', `r${i}`, undefined);
    assert.equal(pieces(), 0);
    assert.equal(t.headCount, 0);
  });

  it('writes a snapshot from shared heads that reads back to the same texts, and replays a journal into them', async () => {
    const dir = tmpDir();
    const s = await JournalStore.open({ dir, fsync: false });
    const values = new Map<string, unknown>();
    const at = (i: number) => new Date(Date.UTC(2026, 11, 2) + i * 1234567).toISOString();
    const systemData = (i: number) => ({ createdBy: `p${i % 3}`, createdByType: 'Application', createdAt: at(i), lastModifiedBy: 'p0', lastModifiedByType: 'User', lastModifiedAt: at(i + 1) });
    for (let i = 0; i < 3000; i++) values.set(`${SUB}/resourcegroups/g${i}`, group(`g${i}`, { tags: { n: String(i), big: i % 500 === 0 ? 'é'.repeat(100_000) : '' }, systemData: systemData(i) }));
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
