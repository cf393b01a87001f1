#!/usr/bin/env node
// Builds dist/: tsc to build/, then one ncc bundle per entry point. onnxruntime-node stays external
// (its native binding is loaded by a computed require that no bundler can follow); the Action's
// own entries never import it, the CLI resolves it from node_modules or the Action's host runtime.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
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
// The guards' kernel pool starts worker threads from kernel-worker.js beside the bundle that uses
// it; without the file it falls back to the calling thread (same numbers, one core).
const worker = 'build/src/guards/linalg/kernel-worker.js';
if (existsSync(join(root, worker))) {
  const tmp = join(root, 'build', 'worker-bundle');
  run(bin('ncc'), ['build', worker, '-o', tmp, '--target', 'es2022', '-q']);
  copyFileSync(join(tmp, 'index.js'), join(root, 'dist', 'cli', 'kernel-worker.js'));
}
