/**
 * Scale measurement (issue 12): a cold and a reused `certify` (dev profile, quant_rtn 8-bit,
 * WikiText-2 test) of each generated model, each in its own child process, printing peak RSS ÷
 * model files' size, the guards' share of the cold run, reused ÷ cold and the load average.
 *
 * CLI: `node --import tsx bench/scale.ts [--cold-only] [--windows N] [--max-memory SIZE] DIR [DIR …]` (model
 * directories made by bench/generate-model.ts; keep them under /tmp, never in the repository).
 * `--cold-only` skips the reused run; `--windows N` sets preview_n = final_n = N; `--max-memory
 * SIZE` gives the planner a budget instead of the machine's free memory.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { CertifyInput, CertifyResult } from './suite/certify-child.js';
import { runChild } from './suite/child-process.js';
import { certifyConfig } from './suite/certify-runs.js';

const MiB = 1024 * 1024;

function filesBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.onnx') || f.endsWith('.onnx_data') || f.endsWith('.data'))
    .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

async function measure(dir: string): Promise<void> {
  const size = filesBytes(dir);
  const work = mkdtempSync(join(tmpdir(), 'invarlock-scale-'));
  const saved = join(work, 'baseline-eval.json');
  const model = { name: basename(dir), dir, sizeBytes: size, params: 0, kind: 'generated' } as never;
  try {
    const runs: Record<string, CertifyResult & { wallMs: number; load: number }> = {};
    for (const kind of coldOnly ? (['cold'] as const) : (['cold', 'reused'] as const)) {
      const config = certifyConfig(model, 'dev', join(work, 'out'), kind === 'cold' ? null : saved);
      // the smallest window counts that still run every stage, for models too slow to score at dev counts
      const windowed = {
        ...(windows === null ? config : { ...config, dataset: { ...(config.dataset as object), preview_n: windows, final_n: windows } }),
        ...(maxMemory === null ? {} : { max_memory: maxMemory }),
      };
      const input: CertifyInput = { config: windowed, saveBaselineEval: kind === 'cold' ? saved : null };
      const load = loadavg()[0]!;
      const { result, wallMs } = await runChild<CertifyResult>('bench/suite/certify-child.ts', input, { timeoutMs: 3 * 3600_000 });
      runs[kind] = { ...result, wallMs, load: Math.max(load, loadavg()[0]!) };
      // each run as soon as it ends: a large model's pair can take long
      console.log(JSON.stringify({ model: basename(dir), kind, certifyS: +(result.certifyMs / 1000).toFixed(1), peakMiB: +(result.peakRssBytes / MiB).toFixed(0), load: +runs[kind].load.toFixed(1) }));
    }
    const cold = runs.cold!;
    const reused = runs.reused;
    const guards = cold.stageMs.guards ?? 0;
    // the baseline's weight statistics run as their own guards stage (streamed after its scoring; absent when reused)
    const guardWork = guards + (cold.stageMs['baseline guards'] ?? 0);
    const line = {
      model: basename(dir),
      filesMiB: +(size / MiB).toFixed(1),
      cold: { certifyS: +(cold.certifyMs / 1000).toFixed(1), peakMiB: +(cold.peakRssBytes / MiB).toFixed(0), peakOverSize: +(cold.peakRssBytes / size).toFixed(2), guardsShare: +(guards / cold.certifyMs).toFixed(3), guardWorkShare: +(guardWork / cold.certifyMs).toFixed(3), load: +cold.load.toFixed(1), verdicts: cold.verdicts },
      reused: reused === undefined ? null : { certifyS: +(reused.certifyMs / 1000).toFixed(1), peakMiB: +(reused.peakRssBytes / MiB).toFixed(0), overCold: +(reused.certifyMs / cold.certifyMs).toFixed(3), reusedBaseline: reused.reusedBaseline, load: +reused.load.toFixed(1) },
      stagesCold: Object.fromEntries(Object.entries(cold.stageMs).map(([k, v]) => [k, +(v / 1000).toFixed(1)])),
      stagesReused: reused === undefined ? null : Object.fromEntries(Object.entries(reused.stageMs).map(([k, v]) => [k, +(v / 1000).toFixed(1)])),
      memoryByStage: cold.memoryByStage.map((m) => `${m.stage} ${(m.rssBytes / MiB).toFixed(0)}/${(m.arrayBufferBytes / MiB).toFixed(0)} MiB`),
    };
    console.log(JSON.stringify(line));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const coldOnly = process.argv.includes('--cold-only');
const windowsAt = process.argv.indexOf('--windows');
const windows = windowsAt < 0 ? null : Number(process.argv[windowsAt + 1]);
const maxMemoryAt = process.argv.indexOf('--max-memory');
const maxMemory = maxMemoryAt < 0 ? null : process.argv[maxMemoryAt + 1]!;
for (const dir of process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--windows' && all[i - 1] !== '--max-memory')) await measure(dir);
