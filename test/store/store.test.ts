// The journaled store: durable on acknowledgement, a torn tail never corrupts, snapshots bound replay.
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { JournalStore, StoreDamagedError } from '../../src/store/store.js';
import { tmpDir } from '../support/emulator.js';

describe('store: journal + snapshots', () => {
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

  describe('damage (issue 11, items 1 and 2)', () => {
    const journals = (dir: string) => readdirSync(dir).filter((f) => /^journal-\d+\.jsonl$/.test(f)).sort();
    async function fifty(dir: string): Promise<void> {
      const s = await JournalStore.open({ dir });
      for (let i = 0; i < 50; i++) await s.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await s.close();
    }
    const flipLine = (file: string, line: number) => {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines[line - 1] = lines[line - 1].replace('"i":', '"j":');
      writeFileSync(file, lines.join('\n'));
    };

    it('every record carries a CRC-32; a damaged record in the middle stops start-up naming file, line and what follows, and changes nothing', async () => {
      const dir = tmpDir();
      await fifty(dir);
      const [j] = journals(dir);
      const file = path.join(dir, j);
      assert.match(readFileSync(file, 'utf8').split('\n')[0], /^[0-9a-f]{8} \{"s":1,/);
      flipLine(file, 10);
      const before = readdirSync(dir).sort();
      const bytes = readFileSync(file);
      await assert.rejects(JournalStore.open({ dir }), (e: Error) => {
        assert.ok(e instanceof StoreDamagedError);
        assert.ok(e.message.includes(`${file} line 10`), e.message);
        assert.match(e.message, /checksum mismatch \(crc32 [0-9a-f]{8}, content has [0-9a-f]{8}\); 40 record\(s\) follow it \(40 in this file\)/);
        assert.match(e.message, /--recover/);
        return true;
      });
      assert.deepEqual(readdirSync(dir).sort(), before, 'nothing deleted, nothing written');
      assert.deepEqual(readFileSync(file), bytes);
    });

    it('a well-formed invented line (no checksum) is damage, not a record', async () => {
      const dir = tmpDir();
      await fifty(dir);
      const file = path.join(dir, journals(dir)[0]);
      appendFileSync(file, '{"s":51,"o":[["rg","evil",{"i":666}]]}\n');
      await assert.rejects(JournalStore.open({ dir }), /line 51: record without a checksum in a checksummed journal; 0 record/);
    });

    it('--recover keeps what precedes the damage, moves the damaged files aside and says what was dropped', async () => {
      const dir = tmpDir();
      await fifty(dir);
      const file = path.join(dir, journals(dir)[0]);
      flipLine(file, 10);
      const s = await JournalStore.open({ dir, recover: true });
      assert.equal(s.size('rg'), 9);
      assert.equal(s.notices.length, 1);
      assert.match(s.notices[0], /line 10 is damaged.*Kept the 9 record\(s\) before it.*dropped the damaged record and the 40 after it. Moved aside, not deleted: .*\.damaged-/);
      const aside = readdirSync(dir).filter((f) => f.includes('.damaged-'));
      assert.equal(aside.length, 1);
      assert.equal(readFileSync(path.join(dir, aside[0]), 'utf8').split('\n').filter(Boolean).length, 50, 'the damaged journal is kept whole');
      await s.write([{ collection: 'rg', key: 'after', value: 1 }]);
      await s.close();
      const t = await JournalStore.open({ dir });
      assert.equal(t.size('rg'), 10);
      assert.equal(t.notices.length, 0);
      await t.close();
    });

    it('damage in a journal the current snapshot already covers loses nothing: start-up goes on and says so', async () => {
      const dir = tmpDir();
      await fifty(dir);
      const old = journals(dir)[0];
      const s = await JournalStore.open({ dir }); // folds the 50 into snapshot.json; the journal stays for the fallback
      for (let i = 50; i < 60; i++) await s.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await s.close();
      assert.equal(journals(dir).length, 2);
      flipLine(path.join(dir, old), 5);
      const t = await JournalStore.open({ dir });
      assert.equal(t.size('rg'), 60);
      assert.match(t.notices[0], /line 5 is damaged .*already in .*snapshot\.json: nothing is lost/);
      await t.close();
      // the same damage in the journal after the snapshot is fatal
      const dir2 = tmpDir();
      await fifty(dir2);
      const u = await JournalStore.open({ dir: dir2 });
      for (let i = 50; i < 60; i++) await u.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await u.close();
      flipLine(path.join(dir2, journals(dir2)[1]), 5);
      await assert.rejects(JournalStore.open({ dir: dir2 }), /line 5: checksum mismatch .*; 5 record\(s\) follow it/);
    });

    it('reads format-1 journals (no checksums) as legacy records', async () => {
      const dir = tmpDir();
      writeFileSync(path.join(dir, 'journal-000000000000.jsonl'), '{"s":1,"o":[["c","a",1]]}\n{"s":2,"o":[["c","b",2]]}\n');
      const s = await JournalStore.open({ dir });
      assert.equal(s.get('c', 'b'), 2);
      await s.write([{ collection: 'c', key: 'c', value: 3 }]);
      await s.close();
      const t = await JournalStore.open({ dir });
      assert.deepEqual([t.get('c', 'a'), t.get('c', 'b'), t.get('c', 'c')], [1, 2, 3]);
      await t.close();
    });

    it('a torn tail is cut off and reported; records after it are appended cleanly', async () => {
      const dir = tmpDir();
      await fifty(dir);
      const file = path.join(dir, journals(dir).at(-1)!);
      appendFileSync(file, '0badc0de {"s":51,"o":[["rg","torn"');
      const s = await JournalStore.open({ dir });
      assert.equal(s.size('rg'), 50);
      assert.match(s.notices[0], /ignored a torn last record/);
      await s.close();
    });

    it('a damaged snapshot is named; the previous snapshot and the journals after it rebuild everything', async () => {
      const dir = tmpDir();
      const s = await JournalStore.open({ dir, minCompactBytes: 8 * 1024 });
      for (let i = 0; i < 600; i++) await s.write([{ collection: 'c', key: `k${i}`, value: { i, pad: 'p'.repeat(40) } }]);
      await s.flush();
      await s.close();
      assert.ok(existsSync(path.join(dir, 'snapshot.json')) && existsSync(path.join(dir, 'snapshot.prev.json')), readdirSync(dir).join(' '));
      const snap = path.join(dir, 'snapshot.json');
      const text = readFileSync(snap, 'utf8');
      // a bit flip inside a string keeps it valid JSON: only the checksum sees it
      writeFileSync(snap, text.replace('"pad":"pp', '"pad":"pq'));
      const t = await JournalStore.open({ dir });
      assert.equal(t.size('c'), 600);
      assert.equal((t.get('c', 'k599') as any).i, 599);
      assert.ok(!JSON.stringify([...t.values('c')]).includes('pq'));
      assert.match(t.notices[0], new RegExp(`snapshot ${snap} is damaged \\(checksum mismatch.*fell back to the previous snapshot.*nothing lost`));
      assert.equal(readdirSync(dir).filter((f) => f.startsWith('snapshot.json.damaged-')).length, 1);
      await t.close();
      // truncated: unparsable, the message names the file
      const dir2 = tmpDir();
      const u = await JournalStore.open({ dir: dir2 });
      await u.write([{ collection: 'c', key: 'a', value: 1 }]);
      await u.close();
      const v = await JournalStore.open({ dir: dir2 }); // folds into snapshot.json (no previous one)
      await v.close();
      const snap2 = path.join(dir2, 'snapshot.json');
      writeFileSync(snap2, readFileSync(snap2, 'utf8').slice(0, 30));
      await assert.rejects(JournalStore.open({ dir: dir2 }), (e: Error) => e instanceof StoreDamagedError && e.message.includes(`${snap2} is damaged (`) && /--recover/.test(e.message));
      const w = await JournalStore.open({ dir: dir2, recover: true });
      assert.match(w.notices[0], /--recover: .*Moved aside/);
      await w.close();
    });
  });
});
