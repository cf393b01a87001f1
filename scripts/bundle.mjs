#!/usr/bin/env node
// Builds dist/: tsc to build/, then one ncc bundle per entry point. onnxruntime-node stays external
// (its native binding is loaded by a computed require that no bundler can follow); the Action's
// own entries never import it, the CLI resolves it from node_modules or the Action's host runtime.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

const entries = [
  { name: 'cli', file: 'build/src/cli/main.js' },
  { name: 'action', file: 'build/src/action/main.js' },
  { name: 'post', file: 'build/src/action/post.js' },
];

rmSync(join(root, 'build'), { recursive: true, force: true });
run(bin('tsc'), ['-p', 'tsconfig.build.json']);
rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const entry of entries) {
  run(bin('ncc'), ['build', entry.file, '-o', `dist/${entry.name}`, '-e', 'onnxruntime-node', '--target', 'es2022', '-q']);
}
// Worker threads load their script from a file next to the bundle.
const workers = join(root, 'build/src/guards/linalg');
if (statSync(workers, { throwIfNoEntry: false })?.isDirectory()) {
  for (const f of readdirSync(workers).filter((f) => f.endsWith('-worker.js'))) {
    mkdirSync(join(root, 'dist/cli'), { recursive: true });
    run(bin('ncc'), ['build', join('build/src/guards/linalg', f), '-o', `dist/cli/workers/${f.replace(/\.js$/, '')}`, '--target', 'es2022', '-q']);
  }
}
