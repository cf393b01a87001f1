/** Sections 3 (baseline reuse) and 4 (peak RSS vs model size) from the certify runs of certify-runs.ts. */
import type { CertifyPair, TimedCertify } from './certify-runs.js';
import { best, formatDuration, formatMiB, formatRatio, judgeRatio, median, type GoalCheck, type SectionReport } from './report-model.js';

const STAGES = ['prepare', 'baseline preview', 'apply', 'preview', 'guards', 'evaluate', 'report'] as const;

/** Models below this size are dominated by Node's own memory; their RSS ratio is not judged. */
const MIN_JUDGED_MODEL_BYTES = 50 * 1024 * 1024;

function fastest(runs: readonly TimedCertify[]): TimedCertify {
  return runs.reduce((a, b) => (b.certifyMs < a.certifyMs ? b : a));
}

function stageLine(cold: TimedCertify, reused: TimedCertify): string {
  return STAGES.map((s) => `${s} ${formatDuration(cold.stageMs[s] ?? 0)}→${formatDuration(reused.stageMs[s] ?? 0)}`).join(', ');
}

/** Section 3: certify with a reused baseline evaluation ÷ cold certify. */
export function buildReuseReport(pairs: readonly CertifyPair[]): SectionReport {
  const goals: GoalCheck[] = [];
  const notes: string[] = [];
  const rows = pairs.map((p) => {
    const ratio = best(p.reused.map((r) => r.certifyMs)) / best(p.cold.map((r) => r.certifyMs));
    const processRatio = best(p.reused.map((r) => r.processMs)) / best(p.cold.map((r) => r.processMs));
    const isReused = p.reused.every((r) => r.reusedBaseline);
    goals.push(
      isReused
        ? judgeRatio(3, `reused ÷ cold certify, ${p.model.name} (${p.profile})`, ratio, { kind: 'at-most', limit: 0.55 })
        : { section: 3, subject: `reused ÷ cold certify, ${p.model.name}`, goal: '≤ 0.55×', measured: 'n/a', status: 'not judged', note: 'the saved evaluation was not reused' },
    );
    notes.push(`${p.model.name} (${p.profile}), stage times of the fastest cold → fastest reused run: ${stageLine(fastest(p.cold), fastest(p.reused))}.`);
    return [
      p.model.name,
      p.profile,
      `${formatDuration(best(p.cold.map((r) => r.certifyMs)))} / ${formatDuration(median(p.cold.map((r) => r.certifyMs)))}`,
      `${formatDuration(best(p.reused.map((r) => r.certifyMs)))} / ${formatDuration(median(p.reused.map((r) => r.certifyMs)))}`,
      `${formatRatio(ratio)}×`,
      `${formatRatio(processRatio)}×`,
      `${p.cold.length} + ${p.reused.length}`,
      isReused ? 'yes' : 'NO',
    ];
  });
  notes.unshift(
    'Same configuration both ways: the model with the built-in quant_rtn 8-bit edit, WikiText-2 raw test, CPU, default batch size (auto); the reused runs add `baseline_eval` (the CLI\'s `--baseline-eval`) naming the evaluation the cold run saved. Timed: the `certify()` call (best / median); the process column is spawn-to-exit of the child (Node + tsx start-up, imports, certify).',
    'A reused run still opens the baseline, tokenizes the dataset, builds the baseline scoring session, reads its weights for the guards and measures its activations for the RMT guard; only the baseline\'s preview and final scoring passes are skipped.',
  );
  return {
    section: 3,
    title: 'Cold certify vs certify with a reused baseline evaluation',
    tables: [{ title: 'certify() wall time', header: ['model', 'profile', 'cold (best / median)', 'reused (best / median)', 'reused ÷ cold', 'same, process wall', 'runs', 'reuse confirmed'], rows }],
    goals,
    notes,
  };
}

/** Section 4: peak RSS of certify ÷ model file size. */
export function buildMemoryReport(pairs: readonly CertifyPair[], idleRssBytes: number): SectionReport {
  const goals: GoalCheck[] = [];
  const rows = pairs.map((p) => {
    const size = p.model.fileBytes;
    const coldPeak = Math.max(...p.cold.map((r) => r.peakRssBytes));
    const reusedPeak = Math.max(...p.reused.map((r) => r.peakRssBytes));
    const ratio = coldPeak / size;
    goals.push(
      size >= MIN_JUDGED_MODEL_BYTES
        ? judgeRatio(4, `certify peak RSS ÷ model size, ${p.model.name}`, ratio, { kind: 'at-most', limit: 2.5 })
        : { section: 4, subject: `certify peak RSS ÷ model size, ${p.model.name}`, goal: '≤ 2.5×', measured: `${formatRatio(ratio)}×`, status: 'not judged', note: `a ${formatMiB(size)} fixture: Node's own ${formatMiB(idleRssBytes)} dominates` },
    );
    return [
      p.model.name,
      `${formatMiB(size)}${p.model.parameters === null ? '' : ` (${(p.model.parameters / 1e6).toFixed(1)} M params)`}`,
      formatMiB(coldPeak),
      `${formatRatio(ratio)}×`,
      formatMiB(reusedPeak),
      `${formatRatio(reusedPeak / size)}×`,
      `${formatRatio((coldPeak - idleRssBytes) / size)}×`,
    ];
  });
  const stageRows = pairs.flatMap((p) => {
    const run = fastest(p.cold);
    return run.memoryByStage.map((m) => [p.model.name, m.stage, formatMiB(m.rssBytes), `${formatRatio(m.rssBytes / p.model.fileBytes)}×`, formatMiB(m.arrayBufferBytes)]);
  });
  return {
    section: 4,
    title: 'Peak RSS of certify vs model size',
    tables: [
      { title: 'Peak RSS (getrusage maxRSS of the certify child process)', header: ['model', 'ONNX file size', 'peak RSS cold', 'cold ÷ size', 'peak RSS reused', 'reused ÷ size', '(cold − idle) ÷ size'], rows },
      { title: 'Where the memory goes: largest RSS and JS ArrayBuffer bytes seen in each stage of the cold run', header: ['model', 'stage (in order)', 'RSS', 'RSS ÷ size', 'ArrayBuffers'], rows: stageRows },
    ],
    goals,
    notes: [
      `Each certify runs in its own child process (the runs of section 3 for these models); the peak is the process's maxRSS. "idle" is a child that only imports the certify modules and loads onnxruntime-node: ${formatMiB(idleRssBytes)}.`,
      'Model size = bytes of the ONNX file(s) (fp32 weights). Stage memory is sampled at every run event and every 100 ms while the event loop is free (onnxruntime runs block it, so a stage\'s true peak can be higher than its sample); ArrayBuffers are the JS-side copies (model bytes, decoded weights, edited weights), the rest of RSS is mostly onnxruntime (initializer copies, pre-packed weights, arenas) and the V8 heap.',
    ],
  };
}
