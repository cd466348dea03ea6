// Crash-and-damage suite (issue 11): emulator processes are killed with SIGKILL during bursts of writes and
// during long-running operations, then the journal and snapshot are truncated, bit-flipped and appended to.
// Asserts: no acknowledged write is lost, no operation stays in flight, damage is reported naming the file
// (start-up refused unless --recover), a torn tail is not damage, and nothing is ever deleted.
import assert from 'node:assert/strict';
import { waitUntil } from '../support/wait.js';
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync, appendFileSync, truncateSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { rgPath, tmpDir, SUB } from '../support/emulator.js';
import { kill9, startEmulatorProcess, type EmulatorProcess } from '../support/process.js';

const RV = 'api-version=2021-04-01';

type Child = EmulatorProcess;

/** Starts `node dist/src/main.js` on the data dir; rejects with the exit code and stderr if it refuses to start. */
const start = (dir: string, extra: string[] = []) => startEmulatorProcess(dir, ['--port', '0', ...extra]);

async function stop(c: Child): Promise<void> {
  const gone = new Promise((r) => c.child.once('exit', r));
  c.child.kill('SIGTERM');
  await gone;
}
const api = (c: Child) => request.agent(c.url).set('Authorization', `Bearer ${c.token}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function groupNames(c: Child): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  let next: string | undefined = `/subscriptions/${SUB}/resourcegroups?${RV}`;
  while (next) {
    const r = await api(c).get(next);
    assert.equal(r.status, 200, r.text);
    for (const g of r.body.value) names.set(g.name, g.properties?.provisioningState);
    next = r.body.nextLink ? new URL(r.body.nextLink).pathname + new URL(r.body.nextLink).search : undefined;
  }
  return names;
}

function listing(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => `${f}:${statSync(path.join(dir, f)).size}`)
    .sort();
}

describe('crash and damage (kill -9, torn / flipped / appended journal and snapshot)', function () {
  this.timeout(120_000);
  const dir = tmpDir('arm-emu-crash-');
  const acknowledged = new Set<string>();
  const deleted = new Set<string>();
  let kills = 0;
  let refusedWrites = 0;

  it('kill -9 during bursts of writes and during operations: every acknowledged write survives, no operation stays in flight', async () => {
    let n = 0;
    for (let round = 0; round < 6; round++) {
      const c = await start(dir, ['--time-scale', '1']);
      // everything acknowledged so far is there
      const names = await groupNames(c);
      for (const g of acknowledged) assert.ok(names.has(g) || deleted.has(g), `acknowledged group ${g} lost after ${kills} kills`);
      for (const g of deleted) assert.ok(!names.has(g) || names.get(g) === 'Deleting', `group ${g} whose delete was acknowledged is ${names.get(g)}`);
      // a delete (a long-running operation: seconds at time scale 1) in flight at the kill
      const victim = [...acknowledged].find((g) => !deleted.has(g) && names.has(g));
      if (victim) {
        const d = await api(c).delete(`${rgPath(victim)}?${RV}`);
        assert.equal(d.status, 202, d.text);
        deleted.add(victim); // acknowledged: it must complete after the restart
      }
      // a burst of concurrent writes, killed part-way through
      let stopBurst = false;
      const writers = Array.from({ length: 16 }, async () => {
        while (!stopBurst) {
          const name = `g${round}-${n++}`;
          try {
            const r = await api(c)
              .put(`${rgPath(name)}?${RV}`)
              .send({ location: 'eastus', tags: { round: String(round) } });
            if (r.status === 201 || r.status === 200) acknowledged.add(name);
          } catch {
            refusedWrites++; // cut off by the kill: never acknowledged, may or may not exist
            return;
          }
        }
      });
      // kill once the burst is under way (some writes acknowledged, whatever the machine's load), at a
      // different point in each round
      const before = acknowledged.size;
      await waitUntil(() => acknowledged.size >= before + 8, { what: 'a few writes of the burst acknowledged', timeoutMs: 60_000, everyMs: 10 });
      await sleep(round * 40);
      await kill9(c);
      kills++;
      stopBurst = true;
      await Promise.all(writers);
    }
    // final start at time scale 0: operations in flight resume and finish
    const c = await start(dir, ['--time-scale', '0']);
    try {
      let names = await groupNames(c);
      await waitUntil(
        async () => {
          names = await groupNames(c);
          return ![...deleted].some((g) => names.has(g));
        },
        { what: 'the acknowledged deletes to finish', everyMs: 25 },
      );
      for (const g of acknowledged) if (!deleted.has(g)) assert.ok(names.has(g), `acknowledged group ${g} lost`);
      for (const g of deleted) assert.ok(!names.has(g), `group ${g} whose delete was acknowledged still exists`);
      const ops = (await request(c.url).get('/_emulator/operations?status=InProgress')).body.value;
      assert.deepEqual(ops ?? [], [], 'no operation left in flight');
      // one more burst, stopped cleanly: a clean stop folds the journal into a snapshot
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          api(c)
            .put(`${rgPath(`tail-${i}`)}?${RV}`)
            .send({ location: 'eastus' })
            .then((r) => assert.equal(r.status, 201)),
        ),
      );
      for (let i = 0; i < 40; i++) acknowledged.add(`tail-${i}`);
      assert.ok(acknowledged.size >= 40 + 10, `only ${acknowledged.size - 40} writes acknowledged during the bursts`);
    } finally {
      await stop(c);
    }
    // a second clean stop (a second snapshot, the first becomes the previous one), then a burst killed with
    // -9, so the journal has many records after the snapshot
    for (const [round, clean] of [
      ['more', true],
      ['last', false],
    ] as const) {
      const d = await start(dir, ['--time-scale', '0']);
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          api(d)
            .put(`${rgPath(`${round}-${i}`)}?${RV}`)
            .send({ location: 'eastus' })
            .then((r) => assert.equal(r.status, 201)),
        ),
      );
      for (let i = 0; i < 40; i++) acknowledged.add(`${round}-${i}`);
      if (clean) await stop(d);
      else await kill9(d);
    }
    console.log(`      (${kills} kills, ${acknowledged.size} acknowledged writes, ${deleted.size} deletes in flight at a kill, ${refusedWrites} writes cut off)`);
  });

  const journalsOf = (d: string) =>
    readdirSync(d)
      .filter((f) => /^journal-\d+\.jsonl$/.test(f))
      .sort();
  const copy = () => {
    const d = tmpDir('arm-emu-damage-');
    cpSync(dir, d, { recursive: true });
    return d;
  };
  const damages: string[] = [];

  async function expectRefusal(d: string, re: RegExp): Promise<void> {
    const before = listing(d);
    const e: any = await start(d).then(
      (c) => stop(c).then(() => assert.fail('started despite the damage')),
      (x) => x,
    );
    assert.equal(e.code, 1, e.message);
    assert.match(e.stderr, re);
    assert.deepEqual(listing(d), before, 'a refused start changes nothing and deletes nothing');
  }

  it('a torn last journal record (truncated mid-line) is not damage: start-up says so, nothing acknowledged is lost', async () => {
    const d = copy();
    const j = path.join(d, journalsOf(d).at(-1)!);
    assert.ok(readFileSync(j, 'utf8').split('\n').length > 40, 'the last journal holds the final burst');
    const size = statSync(j).size;
    appendFileSync(j, readFileSync(j, 'utf8').split('\n').at(-2)!.slice(0, 37)); // half a record, no newline
    assert.ok(statSync(j).size > size);
    const c = await start(d);
    try {
      assert.match(c.stderr(), /ignored a torn last record/);
      const names = await groupNames(c);
      for (const g of acknowledged) if (!deleted.has(g)) assert.ok(names.has(g), g);
    } finally {
      await stop(c);
    }
    damages.push('torn tail');
  });

  it('a flipped byte in a journal record stops start-up naming the file, the line and what follows; --recover keeps the rest and moves it aside', async () => {
    const d = copy();
    const name = journalsOf(d).at(-1)!;
    const j = path.join(d, name);
    const lines = readFileSync(j, 'utf8').split('\n');
    const at = Math.floor(lines.length / 2);
    lines[at] = lines[at].replace(/"eastus"/, '"eastut"');
    writeFileSync(j, lines.join('\n'));
    const follow = lines.slice(at + 1).filter(Boolean).length;
    await expectRefusal(d, new RegExp(`journal damaged: ${j.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} line ${at + 1}: checksum mismatch .*; ${follow} record\\(s\\) follow it`));
    damages.push('flipped journal byte');
    const c = await start(d, ['--recover']);
    try {
      assert.match(c.stderr(), new RegExp(`--recover: .*line ${at + 1} is damaged.*dropped the damaged record and the ${follow} after it\\. Moved aside, not deleted`));
      assert.ok(
        readdirSync(d).some((f) => f.startsWith(`${name}.damaged-`)),
        'the damaged journal is kept',
      );
      assert.equal((await api(c).get(`/subscriptions/${SUB}/resourcegroups?${RV}`)).status, 200);
    } finally {
      await stop(c);
    }
  });

  it('an appended invented record (well-formed JSON, no checksum) is refused, not replayed', async () => {
    const d = copy();
    const j = path.join(d, journalsOf(d).at(-1)!);
    appendFileSync(j, `{"s":999999,"o":[["resources","/subscriptions/${SUB}/resourcegroups/evil",{"x":1}]]}\n`);
    await expectRefusal(d, /journal damaged: .* record without a checksum in a checksummed journal; 0 record\(s\) follow it/);
    damages.push('appended journal line');
  });

  it('missing records (a deleted line, a journal cut at a record boundary, emptied, deleted) are refused like damage; --recover goes on with what is left', async () => {
    const cases: [string, (d: string, j: string) => void, RegExp][] = [
      [
        'deleted line',
        (_d, j) => {
          const ls = readFileSync(j, 'utf8').split('\n');
          ls.splice(Math.floor(ls.length / 2), 1);
          writeFileSync(j, ls.join('\n'));
        },
        /record seq \d+ follows seq \d+: 1 record\(s\) \(seq \d+\) are missing here \(lines removed\)/,
      ],
      [
        'cut at a record boundary',
        (_d, j) => {
          const ls = readFileSync(j, 'utf8').split('\n').filter(Boolean);
          writeFileSync(j, ls.slice(0, ls.length - 10).join('\n') + '\n');
        },
        /10 acknowledged record\(s\) \(seq \d+\.\.\d+\) are missing: .*journal\.mark says seq \d+ was made durable in journal-\d+\.jsonl, and .* ends before it/,
      ],
      ['emptied', (_d, j) => truncateSync(j, 0), /acknowledged record\(s\) \(seq \d+\.\.\d+\) are missing: .* ends before it/],
      ['deleted (the newest, after the snapshot)', (_d, j) => rmSync(j), /acknowledged record\(s\) \(seq \d+\.\.\d+\) are missing: .* is missing \(deleted\)/],
    ];
    for (const [what, damage, re] of cases) {
      const d = copy();
      const j = path.join(d, journalsOf(d).at(-1)!);
      damage(d, j);
      await expectRefusal(d, re);
      damages.push(what);
    }
    // --recover on the last kind: starts, says what is gone, and everything before the lost tail is there
    const d = copy();
    rmSync(path.join(d, journalsOf(d).at(-1)!));
    const c = await start(d, ['--recover']);
    try {
      assert.match(c.stderr(), /--recover: \d+ acknowledged record\(s\) .* are missing/);
      const names = await groupNames(c);
      for (const g of acknowledged) if (!deleted.has(g) && !g.startsWith('last-')) assert.ok(names.has(g), g);
    } finally {
      await stop(c);
    }
  });

  it('a truncated or bit-flipped snapshot is named and the previous snapshot is used: nothing acknowledged is lost, the damaged file is kept', async () => {
    for (const how of ['truncate', 'flip'] as const) {
      const d = copy();
      assert.ok(existsSync(path.join(d, 'snapshot.prev.json')), 'restarts keep the previous snapshot');
      const snap = path.join(d, 'snapshot.json');
      if (how === 'truncate') truncateSync(snap, Math.floor(statSync(snap).size / 2));
      else writeFileSync(snap, readFileSync(snap, 'utf8').replace('"eastus"', '"eastut"'));
      const c = await start(d);
      try {
        assert.match(c.stderr(), new RegExp(`snapshot ${snap.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged \\(.*fell back to the previous snapshot`));
        const names = await groupNames(c);
        for (const g of acknowledged) if (!deleted.has(g)) assert.ok(names.has(g), `${how}: ${g} lost`);
        assert.ok(readdirSync(d).some((f) => f.startsWith('snapshot.json.damaged-')));
      } finally {
        await stop(c);
      }
      damages.push(how === 'flip' ? 'bit-flipped snapshot' : 'truncated snapshot');
    }
  });

  it('both snapshots damaged: start-up refused naming them; nothing deleted', async () => {
    const d = copy();
    for (const f of ['snapshot.json', 'snapshot.prev.json']) truncateSync(path.join(d, f), 10);
    await expectRefusal(d, /snapshot damaged: .*snapshot\.json is damaged .*snapshot\.prev\.json is damaged too/);
    damages.push('both snapshots truncated');
    console.log(`      (${damages.length} damages: ${damages.join(', ')})`);
  });
});
