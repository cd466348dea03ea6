#!/usr/bin/env node
// `npm run format:check`: checks with prettier the files listed in scripts/formatted-files.txt (those already
// formatted; the rest of the tree is reformatted in one go with `npm run format`, then listed with --list).
// `node scripts/format-check.mjs --list` rewrites the list with every source file prettier now matches.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import * as prettier from 'prettier';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const listFile = path.join(root, 'scripts/formatted-files.txt');

export function listed() {
  return readFileSync(listFile, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

async function formatted(rel) {
  const file = path.join(root, rel);
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.check(readFileSync(file, 'utf8'), { ...options, filepath: file });
}

/** The listed files (that still exist) prettier would change. */
export async function unformatted() {
  const out = [];
  for (const rel of listed()) if (existsSync(path.join(root, rel)) && !(await formatted(rel))) out.push(rel);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--list')) {
    const files = execFileSync('git', ['ls-files', 'src/*.ts', 'test/*.ts', 'bench/*.ts', 'scripts/*.mjs'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !f.endsWith('.generated.ts'));
    const ok = [];
    for (const f of files) if (await formatted(f)) ok.push(f);
    const head = readFileSync(listFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('#'));
    writeFileSync(listFile, [...head, ...ok, ''].join('\n'));
    console.log(`${ok.length} of ${files.length} files listed as formatted`);
  } else {
    const bad = await unformatted();
    if (bad.length) {
      console.error(`not formatted (run: npx prettier --write ${bad.join(' ')}):\n  ${bad.join('\n  ')}`);
      process.exit(1);
    }
    console.log(`${listed().length} listed files formatted`);
  }
}
