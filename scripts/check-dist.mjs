#!/usr/bin/env node
// Fails when dist/ is missing or differs from a fresh `npm run bundle` (ACTION.md: dist/ is committed and checked).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
if (!existsSync(dist)) {
  console.error('dist/ is missing: run npm run bundle and commit dist/');
  process.exit(1);
}
const fresh = mkdtempSync(join(tmpdir(), 'invarlock-dist-'));
try {
  execFileSync(process.execPath, [join(root, 'scripts/bundle.mjs'), '--out', fresh], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const a = files(dist).map((f) => relative(dist, f)).sort();
  const b = files(fresh).map((f) => relative(fresh, f)).sort();
  const problems = [
    ...b.filter((f) => !a.includes(f)).map((f) => `missing in dist/: ${f}`),
    ...a.filter((f) => !b.includes(f)).map((f) => `not produced by a fresh build: dist/${f}`),
    ...a.filter((f) => b.includes(f) && !readFileSync(join(dist, f)).equals(readFileSync(join(fresh, f)))).map((f) => `stale: dist/${f}`),
  ];
  if (problems.length > 0) {
    console.error(`dist/ does not match a fresh build (run npm run bundle and commit dist/):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`dist/ matches a fresh build (${a.length} files)`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
