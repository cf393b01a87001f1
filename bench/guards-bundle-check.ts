/**
 * Shows where the kernel pool runs from wherever this file ends up: from source (`npx tsx
 * bench/guards-bundle-check.ts`), or bundled (`npx ncc build bench/guards-bundle-check.ts -o <dir>`
 * then `node <dir>/index.js`). A single-file bundle has no `kernel-worker.js` beside it, so `auto`
 * falls back to the calling thread and says why; the numbers are the same either way.
 */
import { createKernelPool } from '../src/guards/index.js';

async function main(): Promise<void> {
  const rows = 64;
  const cols = 48;
  const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37) * 0.02);
  const pool = await createKernelPool({ mode: 'auto' });
  const stats = await pool.run({ kind: 'matrix-stats', data, rows, cols, options: { powerIters: 4, mpTopK: 4, mpIters: 4 } });
  console.log(JSON.stringify({ mode: pool.mode, fallbackReason: pool.fallbackReason, sigmaMax: stats.sigmaMax, mp: stats.mp?.count, counters: pool.counters() }));
  await pool.close();
}

void main();
