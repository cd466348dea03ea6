// The journaled store: durable on acknowledgement, a torn tail never corrupts, snapshots bound replay.
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync, rmSync, truncateSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import path from 'node:path';
import { JournalStore, StoreDamagedError, StoreValueError } from '../../src/store/store.js';
import { tmpDir } from '../support/emulator.js';

describe('store: journal + snapshots', () => {
  it('keeps what was acknowledged across a reopen, including deletes', async () => {
    const dir = tmpDir();
    const s = await JournalStore.open({ dir });
    await s.write([
      { collection: 'c', key: 'a', value: { n: 1 } },
      { collection: 'c', key: 'b', value: { n: 2 } },
    ]);
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
    const journals = (dir: string) =>
      readdirSync(dir)
        .filter((f) => /^journal-\d+\.jsonl$/.test(f))
        .sort();
    /** 50 acknowledged writes, then a crash (no close: nothing folded into a snapshot). */
    async function fifty(dir: string): Promise<void> {
      const s = await JournalStore.open({ dir });
      for (let i = 0; i < 50; i++) await s.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await s.close({ snapshot: false });
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
      assert.match(readFileSync(file, 'utf8').split('\n')[0], /^[0-9a-f]{8} 1\t"rg"\t"g0"\t\{"i":0\}$/);
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
      const s = await JournalStore.open({ dir });
      for (let i = 50; i < 60; i++) await s.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await s.close(); // a clean stop folds everything into snapshot.json; the journals stay for the fallback
      assert.equal(journals(dir).length, 2);
      flipLine(path.join(dir, old), 5);
      const t = await JournalStore.open({ dir });
      assert.equal(t.size('rg'), 60);
      await t.verification; // journals the snapshot covers are checked after start-up
      assert.match(t.notices[0], /line 5 is damaged .*already in .*snapshot\.json: nothing is lost/);
      await t.close();
      // the same damage in the journal after the snapshot is fatal
      const dir2 = tmpDir();
      await fifty(dir2);
      const u = await JournalStore.open({ dir: dir2 });
      for (let i = 50; i < 60; i++) await u.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await u.close({ snapshot: false }); // (as a crash leaves it)
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
  describe('missing records (issue 22, item 6): contiguous seqs and journal.mark', () => {
    const journals = (dir: string) =>
      readdirSync(dir)
        .filter((f) => /^journal-\d+\.jsonl$/.test(f))
        .sort();
    const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
    /** n acknowledged writes (seq 1..n), then a crash. */
    async function written(dir: string, n: number, from = 0): Promise<void> {
      const s = await JournalStore.open({ dir });
      for (let i = from; i < from + n; i++) await s.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await s.close({ snapshot: false });
    }
    const refused = async (dir: string, re: RegExp) => {
      const before = readdirSync(dir)
        .map((f) => `${f}:${statSync(path.join(dir, f)).size}`)
        .sort();
      await assert.rejects(JournalStore.open({ dir }), (e: Error) => {
        assert.ok(e instanceof StoreDamagedError, e.message);
        assert.match(e.message, re);
        assert.match(e.message, /Nothing was changed.*--recover/);
        return true;
      });
      assert.deepEqual(
        readdirSync(dir)
          .map((f) => `${f}:${statSync(path.join(dir, f)).size}`)
          .sort(),
        before,
        'a refused start changes nothing',
      );
    };

    it('line: a deleted journal line is a gap in the seqs, reported like damage; --recover keeps what precedes it', async () => {
      const dir = tmpDir();
      await written(dir, 50);
      const file = path.join(dir, journals(dir)[0]);
      const ls = lines(file);
      writeFileSync(file, [...ls.slice(0, 9), ...ls.slice(10)].join('\n') + '\n');
      await refused(dir, new RegExp(`${file} line 10: record seq 11 follows seq 9: 1 record\\(s\\) \\(seq 10\\) are missing here \\(lines removed\\); 39 record\\(s\\) follow it`));
      const s = await JournalStore.open({ dir, recover: true });
      assert.equal(s.size('rg'), 9);
      assert.match(s.notices[0], /--recover: .*line 10 is damaged .*Kept the 9 record\(s\) before it/);
      await s.write([{ collection: 'rg', key: 'after', value: 1 }]);
      await s.close();
      const t = await JournalStore.open({ dir });
      assert.equal(t.size('rg'), 10);
      assert.deepEqual(t.notices, []);
      await t.close();
    });

    it('tail: a journal cut exactly at a record boundary is found by journal.mark; --recover goes on with what is left', async () => {
      const dir = tmpDir();
      await written(dir, 50);
      const file = path.join(dir, journals(dir)[0]);
      writeFileSync(file, lines(file).slice(0, 40).join('\n') + '\n');
      await refused(dir, /10 acknowledged record\(s\) \(seq 41\.\.50\) are missing: .*journal\.mark says seq 50 was made durable in journal-\d+\.jsonl, and .* ends before it/);
      const s = await JournalStore.open({ dir, recover: true });
      assert.equal(s.size('rg'), 40);
      assert.match(s.notices[0], /--recover: 10 acknowledged record\(s\) \(seq 41\.\.50\) are missing/);
      await s.write([{ collection: 'rg', key: 'after', value: 1 }]);
      await s.close();
      const t = await JournalStore.open({ dir });
      assert.equal(t.size('rg'), 41);
      assert.deepEqual(t.notices, []);
      await t.close();
    });

    it('tail: a torn record that held acknowledged writes is damage, not "never acknowledged"', async () => {
      const dir = tmpDir();
      await written(dir, 50);
      const file = path.join(dir, journals(dir)[0]);
      const ls = lines(file);
      writeFileSync(file, ls.slice(0, 44).join('\n') + '\n' + ls[44].slice(0, 20)); // cut inside record 45
      await refused(dir, /line 45 is cut short \(20 bytes without a newline\), and .*journal\.mark says records up to seq 50 were acknowledged: acknowledged record\(s\) seq 45\.\.50 are lost/);
      const s = await JournalStore.open({ dir, recover: true });
      assert.equal(s.size('rg'), 44);
      assert.ok(!s.notices.some((n) => /never acknowledged/.test(n)), s.notices.join('\n'));
      assert.match(s.notices[0], /--recover: .*acknowledged record\(s\) seq 45\.\.50 are lost/);
      await s.close();
    });

    it('empty file: an emptied journal is found (the last one by the mark, an earlier one by the gap it leaves)', async () => {
      const last = tmpDir();
      await written(last, 30);
      truncateSync(path.join(last, journals(last)[0]), 0);
      await refused(last, /30 acknowledged record\(s\) \(seq 1\.\.30\) are missing: .* ends before it/);
      const middle = tmpDir();
      await written(middle, 30);
      await written(middle, 20, 30); // a restart: a second journal
      assert.equal(journals(middle).length, 2);
      truncateSync(path.join(middle, journals(middle)[0]), 0);
      await refused(middle, /line 1: record seq 31 follows seq 0: 30 record\(s\) \(seq 1\.\.30\) are missing before this journal/);
    });

    it('file: a deleted journal is found, in the middle by the gap, the newest (after a snapshot) by the mark', async () => {
      const middle = tmpDir();
      await written(middle, 30);
      await written(middle, 20, 30);
      await written(middle, 10, 50);
      assert.equal(journals(middle).length, 3);
      rmSync(path.join(middle, journals(middle)[1]));
      await refused(middle, /line 1: record seq 51 follows seq 30: 20 record\(s\) \(seq 31\.\.50\) are missing before this journal/);
      const newest = tmpDir();
      const s = await JournalStore.open({ dir: newest });
      for (let i = 0; i < 30; i++) await s.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await s.compact(); // snapshot at seq 30
      for (let i = 30; i < 45; i++) await s.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await s.close({ snapshot: false });
      const after = journals(newest).at(-1)!;
      rmSync(path.join(newest, after));
      await refused(newest, new RegExp(`15 acknowledged record\\(s\\) \\(seq 31\\.\\.45\\) are missing: .*${after.replace('.', '\\.')} is missing \\(deleted\\)`));
      const t = await JournalStore.open({ dir: newest, recover: true });
      assert.equal(t.size('rg'), 30);
      await t.close();
    });

    it('snapshot: both snapshots deleted leave journals that start late: the records before them are missing', async () => {
      const dir = tmpDir();
      const s = await JournalStore.open({ dir, minCompactBytes: 1 });
      for (let i = 0; i < 40; i++) await s.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await s.flush();
      await s.compact();
      for (let i = 40; i < 50; i++) await s.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await s.close({ snapshot: false });
      assert.ok(existsSync(path.join(dir, 'snapshot.prev.json')));
      rmSync(path.join(dir, 'snapshot.json'));
      rmSync(path.join(dir, 'snapshot.prev.json'));
      await refused(dir, /record seq \d+ follows seq 0: \d+ record\(s\) \(seq 1\.\.\d+\) are missing before this journal/);
    });

    it('a missing journal.mark next to journals that need it is damage too', async () => {
      const dir = tmpDir();
      await written(dir, 10);
      rmSync(path.join(dir, 'journal.mark'));
      await refused(dir, /journal\.mark is missing, so whether records are missing at the end of the journal cannot be told/);
    });

    it('with --no-fsync, records missing at the end are what a power cut loses: said, not refused', async () => {
      const dir = tmpDir();
      const s = await JournalStore.open({ dir, fsync: false });
      for (let i = 0; i < 20; i++) await s.write([{ collection: 'rg', key: `g${i}`, value: { i } }]);
      await s.close({ snapshot: false });
      const file = path.join(dir, journals(dir)[0]);
      writeFileSync(file, lines(file).slice(0, 15).join('\n') + '\n');
      const t = await JournalStore.open({ dir });
      assert.equal(t.size('rg'), 15);
      assert.match(t.notices[0], /5 record\(s\) \(seq 16\.\.20\) written with --no-fsync are missing/);
      await t.close();
    });
  });

  describe('values that cannot be stored (issue 22, item 1: the store part)', () => {
    const deep = (n: number) => {
      let v: unknown = [];
      for (let i = 0; i < n; i++) v = [v];
      return v;
    };

    it('a 10,000-deep value is refused whole, never applied or acknowledged, and the store goes on', async () => {
      const dir = tmpDir();
      const s = await JournalStore.open({ dir });
      await s.write([{ collection: 'c', key: 'a', value: 1 }]);
      for (const value of [deep(10_000), deep(600)]) {
        await assert.rejects(
          s.write([
            { collection: 'c', key: 'b', value: 2 },
            { collection: 'c', key: 'a', value },
          ]),
          (e: Error) => {
            assert.ok(e instanceof StoreValueError, String(e));
            assert.match(e.message, /the value of c\/a cannot be stored: it is nested (too deeply|more than 512 levels deep)/);
            return true;
          },
        );
      }
      const cyclic: any = {};
      cyclic.self = cyclic;
      await assert.rejects(s.write([{ collection: 'c', key: 'a', value: cyclic }]), StoreValueError);
      assert.equal(s.get('c', 'a'), 1, 'nothing applied');
      assert.equal(s.get('c', 'b'), undefined, 'not even the other ops of the write');
      await s.write([{ collection: 'c', key: 'c', value: deep(100) }]);
      await s.close({ snapshot: false });
      const t = await JournalStore.open({ dir });
      assert.equal(t.get('c', 'a'), 1);
      assert.equal(t.get('c', 'b'), undefined);
      assert.deepEqual(t.get('c', 'c'), deep(100));
      await t.close();
    });

    it('a too-deep value in an older journal cannot crash start-up: it is reported as damage, --recover keeps what precedes it', async () => {
      const dir = tmpDir();
      const rec = (s: number, v: unknown) => {
        const json = `{"s":${s},"o":[["c","k${s}",${JSON.stringify(v)}]]}`;
        return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
      };
      const tooDeep = '['.repeat(10_000) + ']'.repeat(10_000);
      const json3 = `{"s":3,"o":[["c","k3",${tooDeep}]]}`;
      writeFileSync(path.join(dir, 'journal-000000000000.jsonl'), rec(1, 1) + rec(2, 2) + `${crc32(json3).toString(16).padStart(8, '0')} ${json3}\n` + rec(4, 4));
      await assert.rejects(JournalStore.open({ dir }), /line 3: the value of c\/k3 cannot be kept \(a value cannot be stored: it is nested/);
      const s = await JournalStore.open({ dir, recover: true });
      assert.deepEqual([s.get('c', 'k1'), s.get('c', 'k2'), s.get('c', 'k3')], [1, 2, undefined]);
      await s.close();
    });
  });
});
