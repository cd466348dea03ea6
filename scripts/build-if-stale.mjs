#!/usr/bin/env node
// `npm start` and `npm test` run this first: it compiles (tsc -p .) only when a TypeScript file (src, test,
// bench), tsconfig.json or package.json is newer than the last build it made (dist/.build-stamp), so starting
// an unchanged checkout does not rebuild.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mtime = (f) => {
  try {
    return statSync(f).mtimeMs;
  } catch {
    return -1;
  }
};
function newest(dir) {
  let t = -1;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, mtime(p));
  }
  return t;
}
const stamp = path.join(root, 'dist/.build-stamp');
const built = Math.min(mtime(stamp), mtime(path.join(root, 'dist/src/main.js')));
const sources = Math.max(...['src', 'test', 'bench'].map((d) => newest(path.join(root, d))), mtime(path.join(root, 'tsconfig.json')), mtime(path.join(root, 'package.json')));
if (built < 0 || sources > built) {
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
