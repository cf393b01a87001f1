import { listAdapters } from '../../adapters/index.js';
import { InvarlockError } from '../../errors/index.js';
import { findOrtBindingDir } from '../../eval/index.js';
import type { CliContext } from '../cli-context.js';

/** One plugin as `invarlock plugins` lists it. */
export interface PluginListing {
  readonly kind: 'adapter' | 'edit' | 'guard';
  readonly name: string;
  readonly status: 'ready' | 'partial' | 'missing';
  /** What is missing or limited; empty when ready. */
  readonly missing: readonly string[];
  readonly summary: string;
}

/** Adapters whose models the certify runner can score end to end (classifiers: accuracy on labelled examples). */
const SCORED_ADAPTERS = new Set(['onnx_causal', 'onnx_mlm', 'onnx_cls']);

/** Every plugin of a kind with its readiness. */
export function listPlugins(kind: 'adapters' | 'edits' | 'guards'): PluginListing[] {
  const runtime = findOrtBindingDir() === null ? ['onnxruntime-node'] : [];
  switch (kind) {
    case 'adapters':
      return listAdapters().map((a) => {
        const missing = [...(a.readiness.status === 'missing' ? a.readiness.missing : []), ...(SCORED_ADAPTERS.has(a.name) ? [] : ['scoring objective (loads and describes only)'])];
        return {
          kind: 'adapter',
          name: a.name,
          status: a.readiness.status === 'missing' ? 'missing' : missing.length > 0 ? 'partial' : 'ready',
          missing,
          summary: `formats: ${a.capabilities.weightFormats.join(', ')}`,
        };
      });
    case 'edits':
      return [
        { kind: 'edit', name: 'quant_rtn', status: 'ready', missing: [], summary: 'symmetric round-to-nearest, 2–8 bits, per channel or grouped, optional clamp' },
        { kind: 'edit', name: 'lora', status: 'ready', missing: [], summary: 'merge PEFT adapters (adapter_config.json + adapter_model.safetensors), rsLoRA, several weighted' },
        { kind: 'edit', name: 'noop', status: 'ready', missing: [], summary: 'no change: every guard must pass' },
      ];
    case 'guards':
      return [
        { kind: 'guard', name: 'invariants', status: 'ready', missing: [], summary: 'non-finite weights, embeddings, tokenizer, mapped modules, tying, structure' },
        { kind: 'guard', name: 'spectral', status: 'ready', missing: [], summary: 'σmax change per weight vs baseline, z-score telemetry, degeneracy' },
        { kind: 'guard', name: 'rmt', status: runtime.length === 0 ? 'ready' : 'missing', missing: runtime, summary: 'activation edge risk on 8 calibration windows' },
        { kind: 'guard', name: 'variance', status: runtime.length === 0 ? 'ready' : 'missing', missing: runtime, summary: 'output-scale proposal, A/B predictive gate (built-in edits)' },
      ];
    default: {
      const never: never = kind;
      throw new InvarlockError('E_USAGE', `unknown plugin kind ${String(never)}`);
    }
  }
}

/** `invarlock plugins adapters|edits|guards [--json]`. Exit 0; readiness is information. */
export function runPlugins(kind: string, flags: { readonly json?: boolean }, ctx: CliContext): number {
  if (kind !== 'adapters' && kind !== 'edits' && kind !== 'guards') {
    throw new InvarlockError('E_USAGE', `plugins takes adapters, edits or guards, not '${kind}'`, { details: { field: 'kind', actual: kind } });
  }
  const list = listPlugins(kind);
  if (flags.json === true) {
    ctx.stdout.write(`${JSON.stringify(list)}\n`);
    return 0;
  }
  for (const p of list) {
    const status = p.status === 'ready' ? ctx.style.green('ready') : p.status === 'partial' ? ctx.style.yellow('partial') : ctx.style.red('missing');
    ctx.stdout.write(`${p.name.padEnd(14)} ${status}  ${p.summary}${p.missing.length > 0 ? ctx.style.dim(` (missing: ${p.missing.join(', ')})`) : ''}\n`);
  }
  return 0;
}
