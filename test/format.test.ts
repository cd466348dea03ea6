// The formatter's check (prettier, the files listed in scripts/formatted-files.txt) as part of `npm test`; a file of
// its own so that a parallel run checks formatting on one worker while another lints (lint.test.ts).
// `npm run format:check` runs it alone.
//
// The list records beside each file the sha256 of the bytes prettier found formatted when the list was written, under
// a key (prettier's version and the configuration's hash): a file whose bytes still match is formatted without asking
// prettier again (prettier's verdict depends on nothing else); any other listed file is checked by prettier. The
// planted checkouts below show that an unformatted file fails the check with no hash, with a stale hash and under
// another key, and that --list (and --hashes) record a hash only for files prettier found formatted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const GOOD = "export const a = { b: 'c' };\n";
const BAD = 'export const a = {b:"c"}\n';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('format', function () {
  // prettier over the listed files whose bytes changed since the list was written (all ~470 when none match: tens of
  // seconds of CPU on a loaded machine)
  this.timeout(10 * 60_000);
  let mod: any;
  const dirs: string[] = [];
  before(async () => {
    mod = await import(pathToFileURL(path.resolve('scripts/format-check.mjs')).href);
  });
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A checkout with this one's prettier configuration, src/good.ts formatted, src/bad.ts not, and the list `lines`. */
  function planted(lines: (key: string) => string[], key: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'format-'));
    dirs.push(dir);
    mkdirSync(path.join(dir, 'src'));
    mkdirSync(path.join(dir, 'scripts'));
    copyFileSync('.prettierrc.json', path.join(dir, '.prettierrc.json'));
    writeFileSync(path.join(dir, 'src/good.ts'), GOOD);
    writeFileSync(path.join(dir, 'src/bad.ts'), BAD);
    writeFileSync(path.join(dir, 'scripts/formatted-files.txt'), ['# list', ...lines(key), ''].join('\n'));
    return dir;
  }

  it('the files listed as formatted stay formatted (prettier, or the bytes prettier found formatted)', async () => {
    const { bad, listed } = await mod.check();
    assert.ok(listed > 100, `${listed} files listed`);
    assert.deepEqual(bad, [], `run: npx prettier --write ${bad.join(' ')}`);
  });

  it('fails on an unformatted listed file with no hash, a stale hash, or a hash under another key', async () => {
    const key = await mod.recordKey(
      planted(() => [], ''),
      ['src/good.ts', 'src/bad.ts'],
    );
    assert.match(key, /^prettier \d+\.\d+\.\d+, config sha256 [0-9a-f]{64}$/);
    // no hash: prettier checks both
    let dir = planted(() => ['src/good.ts', 'src/bad.ts'], key);
    assert.deepEqual(await mod.check(dir), { bad: ['src/bad.ts'], checked: ['src/good.ts', 'src/bad.ts'], listed: 2 });
    // bad.ts recorded with the hash of its formatted bytes, then changed: stale, checked
    dir = planted((k) => [`# key: ${k}`, `src/good.ts ${sha256(GOOD)}`, `src/bad.ts ${sha256(GOOD)}`], key);
    assert.deepEqual(await mod.check(dir), { bad: ['src/bad.ts'], checked: ['src/bad.ts'], listed: 2 });
    // hashes of these very bytes, but under another prettier version or configuration: every file checked
    dir = planted((k) => [`# key: ${k.replace(/^prettier \S+/, 'prettier 0.0.1')}`, `src/good.ts ${sha256(GOOD)}`, `src/bad.ts ${sha256(BAD)}`], key);
    assert.deepEqual(await mod.check(dir), { bad: ['src/bad.ts'], checked: ['src/good.ts', 'src/bad.ts'], listed: 2 });
    dir = planted((k) => [`# key: ${k}`, `src/good.ts ${sha256(GOOD)}`, `src/bad.ts ${sha256(BAD)}`], key);
    writeFileSync(path.join(dir, '.prettierrc.json'), JSON.stringify({ ...JSON.parse(readFileSync('.prettierrc.json', 'utf8')), semi: false }));
    assert.deepEqual((await mod.check(dir)).checked, ['src/good.ts', 'src/bad.ts']);
    // package-lock.json (the installed plugins' versions) is part of the key when the configuration names plugins
    writeFileSync(path.join(dir, 'package-lock.json'), '{"a":1}');
    const noPlugins = await mod.recordKey(dir, ['src/good.ts']);
    writeFileSync(path.join(dir, 'package-lock.json'), '{"a":2}');
    assert.equal(await mod.recordKey(dir, ['src/good.ts']), noPlugins);
    writeFileSync(path.join(dir, '.prettierrc.json'), JSON.stringify({ plugins: ['prettier-plugin-planted'] }));
    const withPlugins = await mod.recordKey(dir, ['src/good.ts']);
    writeFileSync(path.join(dir, 'package-lock.json'), '{"a":3}');
    assert.notEqual(await mod.recordKey(dir, ['src/good.ts']), withPlugins);
    // the same bytes under the same key are what the record is for: not asked again
    dir = planted((k) => [`# key: ${k}`, `src/good.ts ${sha256(GOOD)}`], key);
    assert.deepEqual(await mod.check(dir), { bad: [], checked: [], listed: 1 });
  });

  it('--list records only the files prettier finds formatted, with the hash of their bytes', async () => {
    const dir = planted(() => [`src/bad.ts ${sha256(BAD)}`], '');
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['add', '.'], { cwd: dir });
    assert.deepEqual(await mod.writeList(dir), { listed: 1, of: 2 });
    const key = await mod.recordKey(dir, ['src/good.ts']);
    assert.deepEqual(readFileSync(path.join(dir, 'scripts/formatted-files.txt'), 'utf8').split('\n'), ['# list', `# key: ${key}`, `src/good.ts ${sha256(GOOD)}`, '']);
  });

  it('--hashes records the hashes of the listed files only, and leaves an unformatted one listed with no hash', async () => {
    const dir = planted(() => ['src/good.ts', 'src/bad.ts'], '');
    assert.deepEqual(await mod.writeList(dir, { hashesOnly: true }), { listed: 1, of: 2 });
    const key = await mod.recordKey(dir, ['src/bad.ts', 'src/good.ts']);
    assert.deepEqual(readFileSync(path.join(dir, 'scripts/formatted-files.txt'), 'utf8').split('\n'), ['# list', `# key: ${key}`, 'src/bad.ts', `src/good.ts ${sha256(GOOD)}`, '']);
    assert.deepEqual((await mod.check(dir)).bad, ['src/bad.ts']);
  });
});
