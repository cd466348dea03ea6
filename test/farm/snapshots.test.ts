// Snapshots from the command line: export from the embedded journal store, import into PostgreSQL (and back),
// the file written 0600 with a checksum; a damaged or foreign file refused with nothing changed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestEmulator, rgPath, tmpDir, SUB } from '../support/emulator.js';
import { sharedPostgres } from '../support/postgres.js';

const RV = 'api-version=2021-04-01';
const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/main.js');
const cli = (args: string[]) => spawnSync(process.execPath, [main, 'snapshot', ...args], { encoding: 'utf8', timeout: 120_000 });

describe('snapshots through the CLI, across stores', function () {
  this.timeout(180_000);

  it('exports a subscription from the journal store and imports it into PostgreSQL; damaged and foreign files change nothing', async () => {
    const dir = tmpDir();
    let emu = await startTestEmulator(['--data-dir', dir]);
    for (let i = 0; i < 5; i++)
      await emu
        .http()
        .put(`${rgPath(`job-${i}`)}?${RV}`)
        .send({ location: 'eastus', tags: { i: String(i) } });
    await emu.close();
    const file = path.join(tmpDir(), 'prepared.json');
    const ex = cli(['export', file, '--subscription', SUB, '--data-dir', dir]);
    assert.equal(ex.status, 0, ex.stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /"sha256":"[0-9a-f]{64}"}$/);

    const url = await (await sharedPostgres()).createDatabase('snapcli');
    // a damaged copy: refused, nothing imported
    const damaged = path.join(path.dirname(file), 'damaged.json');
    writeFileSync(damaged, text.replace('"i":"3"', '"i":"9"'));
    const bad = cli(['import', damaged, '--store', url]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /checksum/);
    const foreign = path.join(path.dirname(file), 'foreign.json');
    writeFileSync(foreign, JSON.stringify({ format: 'arm-emulator-snapshot', version: 99, collections: {} }));
    const other = cli(['import', foreign, '--store', url]);
    assert.equal(other.status, 2);
    assert.match(other.stderr, /version 99/);

    const im = cli(['import', file, '--store', url]);
    assert.equal(im.status, 0, im.stderr);
    emu = await startTestEmulator(['--store', url]);
    try {
      const got = await emu.http().get(`${rgPath('job-3')}?${RV}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.tags, { i: '3' });
      assert.equal((await emu.http().get(`/subscriptions/${SUB}/resourcegroups?${RV}`)).body.value.length, 5);
    } finally {
      await emu.close();
    }
  });
});
