#!/usr/bin/env node
// `npm run format:check`: checks with prettier the files listed in scripts/formatted-files.txt (those already
// formatted; the rest of the tree is reformatted in one go with `npm run format`, then listed with --list).
// `node scripts/format-check.mjs --list` rewrites the list with every source file prettier now matches; `--hashes`
// only records the hashes of the files already listed (after a merge, say).
//
// The list is also a record: beside each file, the sha256 of the bytes prettier found formatted when the list was
// written, under a key line naming prettier's version and the sha256 of the prettier configuration. prettier's
// verdict on a file is a function of its bytes, prettier's version and the options (the configuration), so a file
// whose bytes still have the recorded hash, under the same key, is formatted without asking prettier again (as
// prettier's own --cache does, but kept in git, so that a clean clone has it). Any other listed file (no hash, a hash
// that does not match its bytes, or every file when the key differs) is checked by prettier. A stale record never
// skips a file: it only costs the time of checking it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import * as prettier from 'prettier';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LIST = 'scripts/formatted-files.txt';
const KEY_PREFIX = '# key: ';

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The list's lines that name files: `path` or `path sha256`. */
function entries(text) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [file, hash] = l.split(/\s+/);
      return { file, hash };
    });
}

export function listed(dir = root) {
  return entries(readFileSync(path.join(dir, LIST), 'utf8')).map((e) => e.file);
}

/**
 * What a recorded hash is valid under: prettier's version and the sha256 of every configuration file prettier
 * resolves for the files (their paths and bytes), plus .editorconfig (the CLI, `npm run format`, reads it), plus
 * package-lock.json when the configuration names plugins.
 */
export async function recordKey(dir, files) {
  await prettier.clearConfigCache(); // the configuration as it is now on disk, here and in the checks that follow
  const configs = new Set();
  for (const d of new Set(files.map((f) => path.dirname(path.join(dir, f))))) {
    const c = await prettier.resolveConfigFile(path.join(d, 'x'));
    if (c) configs.add(c);
  }
  const editorconfig = path.join(dir, '.editorconfig');
  if (existsSync(editorconfig)) configs.add(editorconfig);
  const h = createHash('sha256');
  for (const c of [...configs].sort())
    h.update(`${path.relative(dir, c)}\0`)
      .update(readFileSync(c))
      .update('\0');
  // a configuration that loads plugins (none here) formats with their installed versions: package-lock.json says which
  for (const f of files) {
    if (!(await prettier.resolveConfig(path.join(dir, f)))?.plugins?.length) continue;
    const lock = path.join(dir, 'package-lock.json');
    h.update(existsSync(lock) ? readFileSync(lock) : 'no package-lock.json');
    break;
  }
  return `prettier ${prettier.version}, config sha256 ${h.digest('hex')}`;
}

async function formatted(dir, rel, bytes) {
  const file = path.join(dir, rel);
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.check(bytes.toString('utf8'), { ...options, filepath: file });
}

/**
 * The listed files (that still exist) prettier would change; `checked` names the files prettier was asked about
 * (the others matched their recorded hash). `dir` is the checkout (a test passes a planted one).
 */
export async function check(dir = root) {
  const text = readFileSync(path.join(dir, LIST), 'utf8');
  const list = entries(text).filter((e) => existsSync(path.join(dir, e.file)));
  const keyLine = text.split('\n').find((l) => l.startsWith(KEY_PREFIX));
  const keyOk =
    keyLine?.slice(KEY_PREFIX.length).trim() ===
    (await recordKey(
      dir,
      list.map((e) => e.file),
    ));
  const bad = [];
  const checked = [];
  for (const { file, hash } of list) {
    const bytes = readFileSync(path.join(dir, file));
    if (keyOk && hash && hash === sha256(bytes)) continue;
    checked.push(file);
    if (!(await formatted(dir, file, bytes))) bad.push(file);
  }
  return { bad, checked, listed: list.length };
}

/** The listed files (that still exist) prettier would change. */
export async function unformatted(dir = root) {
  return (await check(dir)).bad;
}

/**
 * Rewrites the list: every tracked source file prettier matches, each with the sha256 of its bytes, under the key.
 * A file whose bytes match the current record is not checked again (the record proves it).
 */
export async function writeList(dir = root, { hashesOnly = false } = {}) {
  const text = readFileSync(path.join(dir, LIST), 'utf8');
  const old = entries(text).filter((e) => existsSync(path.join(dir, e.file)));
  const files = hashesOnly
    ? old.map((e) => e.file).sort()
    : execFileSync('git', ['ls-files', 'src/*.ts', 'test/*.ts', 'bench/*.ts', 'scripts/*.mjs'], { cwd: dir, encoding: 'utf8' })
        .split('\n')
        .filter((f) => f && !f.endsWith('.generated.ts') && existsSync(path.join(dir, f)));
  const keyLine = text.split('\n').find((l) => l.startsWith(KEY_PREFIX));
  const keyOk =
    keyLine?.slice(KEY_PREFIX.length).trim() ===
    (await recordKey(
      dir,
      old.map((e) => e.file),
    ));
  const known = new Map(keyOk ? old.map((e) => [e.file, e.hash]) : []);
  const ok = [];
  for (const f of files) {
    const bytes = readFileSync(path.join(dir, f));
    const hash = sha256(bytes);
    if (known.get(f) === hash || (await formatted(dir, f, bytes))) ok.push({ file: f, hash });
    else if (hashesOnly) ok.push({ file: f, hash: '' }); // stays listed, with no hash: the check goes on failing on it
  }
  const key = await recordKey(
    dir,
    ok.map((e) => e.file),
  );
  const head = text.split('\n').filter((l) => l.startsWith('#') && !l.startsWith(KEY_PREFIX));
  writeFileSync(path.join(dir, LIST), [...head, `${KEY_PREFIX}${key}`, ...ok.map((e) => (e.hash ? `${e.file} ${e.hash}` : e.file)), ''].join('\n'));
  return { listed: ok.filter((e) => e.hash).length, of: files.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--list') || process.argv.includes('--hashes')) {
    const { listed: n, of } = await writeList(root, { hashesOnly: process.argv.includes('--hashes') });
    console.log(`${n} of ${of} files listed as formatted`);
  } else {
    const { bad, checked, listed: n } = await check();
    if (bad.length) {
      console.error(`not formatted (run: npx prettier --write ${bad.join(' ')}):\n  ${bad.join('\n  ')}`);
      process.exit(1);
    }
    console.log(`${n} listed files formatted (${checked.length} checked by prettier, the others match their recorded hash)`);
  }
}
