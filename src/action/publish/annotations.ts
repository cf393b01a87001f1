import type { SourceLocation } from '../inputs/config-locations.js';
import type { CheckAnnotation } from './github-client.js';
import type { CertificateView } from '../types.js';

/** Where plan keys are written: the config file, or the workflow's `with:` for keys set by inputs. */
export interface AnnotationSources {
  /** Repository-relative path of the config file, or null (none, or outside the repository). */
  readonly configPath: string | null;
  readonly configLocations: ReadonlyMap<string, SourceLocation>;
  /** Repository-relative path of the running workflow file, or null. */
  readonly workflowPath: string | null;
  /** Input name → where the workflow sets it. */
  readonly workflowLocations: ReadonlyMap<string, SourceLocation>;
  /** Dotted plan keys whose value came from an input. */
  readonly fromInputs: ReadonlySet<string>;
}

/**
 * Plan keys that set each gate's threshold, most specific first: the tier chooses the thresholds
 * (the profile only the sample sizes, so a threshold is never pinned on `profile`).
 */
const GATE_KEYS: Readonly<Record<string, readonly string[]>> = {
  primary_metric: ['tier'],
  drift: ['tier'],
  tail: ['tier'],
  catastrophe: ['tier'],
  guard_overhead: ['guards.variance', 'tier'],
  invariants: ['guards.invariants', 'tier'],
  spectral: ['guards.spectral', 'tier'],
  rmt: ['guards.rmt', 'tier'],
  variance: ['guards.variance', 'tier'],
  pairing: ['dataset.preview_n', 'dataset.final_n', 'dataset', 'profile'],
  coverage: ['dataset.preview_n', 'dataset.final_n', 'dataset', 'profile'],
  run: ['baseline'],
};

/** Plan key → the Action input that sets it. */
const INPUT_FOR_KEY: Readonly<Record<string, string>> = {
  baseline: 'baseline',
  'subjects.0.model': 'subject',
  'subject_lora.0.path': 'subject-lora',
  'edit.name': 'edit',
  'edit.config': 'edit-config',
  adapter: 'adapter',
  profile: 'profile',
  tier: 'tier',
  'dataset.provider': 'dataset',
  'dataset.seq_len': 'seq-len',
  'dataset.preview_n': 'preview-n',
  'dataset.final_n': 'final-n',
  seed: 'seed',
  batch_size: 'batch-size',
  device: 'device',
  cache_dir: 'cache-dir',
};

/** Keys that name the subject, in the order they are looked for. */
const SUBJECT_KEYS = ['subjects.0.model', 'subjects.0', 'subject_lora.0.path', 'subject_lora.0', 'edit.name', 'edit'];

function place(key: string, sources: AnnotationSources): { readonly path: string; readonly line: number } | null {
  if (sources.fromInputs.has(key)) {
    const input = INPUT_FOR_KEY[key];
    const at = input === undefined ? undefined : sources.workflowLocations.get(input);
    if (at !== undefined && sources.workflowPath !== null) return { path: sources.workflowPath, line: at.line };
  }
  const at = sources.configLocations.get(key);
  if (at !== undefined && sources.configPath !== null) return { path: sources.configPath, line: at.line };
  return null;
}

function firstPlaced(keys: readonly string[], sources: AnnotationSources): { readonly path: string; readonly line: number } | null {
  for (const key of keys) {
    const at = place(key, sources);
    if (at !== null) return at;
  }
  return null;
}

/**
 * Annotations for a failing or warning certificate: one per reason, and one per failing gate the
 * reasons do not name, at the setting behind its threshold (the tier, a guard's switch, the window
 * counts); where that is a built-in default written nowhere, at the subject's reference (the
 * change under review), else at the top of the config file. Plus one at the subject reference with
 * the headline. They point into the config file, or into the workflow file for values given as
 * inputs. Pass → none.
 */
export function annotationsForCertificate(view: CertificateView, sources: AnnotationSources): CheckAnnotation[] {
  if (view.verdict !== 'fail' && view.verdict !== 'warn') return [];
  const level = view.verdict === 'fail' ? 'failure' : 'warning';
  const out: CheckAnnotation[] = [];
  const subject = firstPlaced(SUBJECT_KEYS, sources);
  const fallback = subject ?? (sources.configPath === null ? null : { path: sources.configPath, line: 1 });
  const add = (gate: string, title: string, message: string): void => {
    const chosen = firstPlaced(GATE_KEYS[gate] ?? ['tier'], sources);
    const at = chosen ?? fallback;
    if (at === null) return;
    const note = chosen === null ? ' (threshold from the default tier; set `tier` to choose another)' : '';
    out.push({ path: at.path, start_line: at.line, end_line: at.line, annotation_level: level, title, message: `${message}${note}` });
  };
  for (const reason of view.reasons) add(reason.gate, `${reason.gate}: ${reason.code}`, reason.message);
  const named = new Set(view.reasons.map((r) => r.gate));
  for (const gate of view.gates ?? []) {
    if (gate.status === 'fail' && !named.has(gate.gate)) add(gate.gate, `${gate.gate}: gate failed`, `${gate.label} failed: measured ${gate.measured}, threshold ${gate.threshold}`);
  }
  if (subject !== null) {
    const first = view.reasons[0];
    out.push({
      path: subject.path,
      start_line: subject.line,
      end_line: subject.line,
      annotation_level: level,
      title: `${view.verdict.toUpperCase()}: ${view.subject}`,
      message: `${view.headline}${first === undefined ? '' : `\n${first.message}`}`,
    });
  }
  return out;
}

/**
 * An annotation for a run that ended in `error` because of a setting (`details.field` of the
 * error, a dotted plan key such as `baseline` or `dataset.provider`), or none.
 */
export function annotationsForError(error: { readonly code: string; readonly message: string; readonly field: string | null }, sources: AnnotationSources): CheckAnnotation[] {
  if (error.field === null) return [];
  const at = place(error.field, sources) ?? place(error.field.split('.')[0] ?? error.field, sources);
  if (at === null) return [];
  return [{ path: at.path, start_line: at.line, end_line: at.line, annotation_level: 'failure', title: `ERROR ${error.code}`, message: error.message }];
}
