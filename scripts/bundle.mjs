#!/usr/bin/env node
// Builds dist/: tsc to a build folder, then one ncc bundle per entry point. onnxruntime-node stays
// external (its native binding is loaded by a computed require that no bundler can follow); the
// Action's entries never import it, the CLI loads it lazily from node_modules or the Action's host
// runtime. `--out DIR` writes the bundles elsewhere (scripts/check-dist.mjs compares them with dist/).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(root, 'dist');
// One build folder for both: ncc resolves node_modules from the files it bundles (so it must sit in
// the checkout) and writes their paths into the bundle (so it must have one name).
const build = join(root, 'build');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

const entries = [
  { name: 'cli', file: 'src/cli/main.js' },
  { name: 'action', file: 'src/action/main.js' },
  { name: 'post', file: 'src/action/post.js' },
];

rmSync(build, { recursive: true, force: true });
run(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', build, '--sourceMap', 'false', '--declaration', 'false']);
rmSync(out, { recursive: true, force: true });
for (const entry of entries) {
  run(bin('ncc'), ['build', join(build, entry.file), '-o', join(out, entry.name), '-e', 'onnxruntime-node', '--target', 'es2022', '-q']);
}
// The guards' kernel pool starts worker threads from kernel-worker.js beside the bundle that uses
// it; without the file it falls back to the calling thread (same numbers, one core).
const worker = join(build, 'src/guards/linalg/kernel-worker.js');
if (existsSync(worker)) {
  const tmp = join(build, 'worker-bundle');
  run(bin('ncc'), ['build', worker, '-o', tmp, '--target', 'es2022', '-q']);
  copyFileSync(join(tmp, 'index.js'), join(out, 'cli', 'kernel-worker.js'));
}
