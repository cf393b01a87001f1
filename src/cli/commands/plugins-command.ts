import { readFileSync } from 'node:fs';
import { listAdapters, listBundledInterfaces, resolveModelInterface } from '../../adapters/index.js';
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
  /**
   * Adapters only: the model families whose weights get roles, and from what interface — `bundled`
   * (contracts/model_interfaces.json), `user` (`--interface`), and `*` `inferred` (any other
   * model_type: roles from the graph's structure, warning `interface_inferred`).
   */
  readonly families?: readonly FamilyListing[];
}

/** A model family and where its interface comes from. */
export interface FamilyListing {
  readonly model_type: string;
  readonly interface: 'bundled' | 'user' | 'inferred';
}

/** The families every adapter maps: bundled ones, a user's (overriding a bundled one of its type), then `*` inferred. */
export function listFamilies(userInterface: Readonly<Record<string, unknown>> | null = null): FamilyListing[] {
  const user = userInterface === null ? null : typeof userInterface.model_type === 'string' ? userInterface.model_type : null;
  if (userInterface !== null) {
    if (user === null) throw new InvarlockError('E_INTERFACE_INVALID', 'The model interface given with --interface names no model_type', { details: { field: 'model_type', expected: 'a string' } });
    resolveModelInterface({ modelType: user, custom: userInterface });
  }
  const families: FamilyListing[] = listBundledInterfaces()
    .filter((t) => t !== user)
    .map((model_type) => ({ model_type, interface: 'bundled' }));
  if (user !== null) families.push({ model_type: user, interface: 'user' });
  families.push({ model_type: '*', interface: 'inferred' });
  return families;
}

/** Every plugin of a kind with its readiness. */
export function listPlugins(kind: 'adapters' | 'edits' | 'guards', userInterface: Readonly<Record<string, unknown>> | null = null): PluginListing[] {
  const runtime = findOrtBindingDir() === null ? ['onnxruntime-node'] : [];
  switch (kind) {
    case 'adapters': {
      const families = listFamilies(userInterface);
      return listAdapters().map((a) => {
        // every adapter has a scoring objective (causal, masked, seq2seq perplexity; accuracy): only packages can be missing
        const missing = a.readiness.status === 'missing' ? a.readiness.missing : [];
        return {
          kind: 'adapter',
          name: a.name,
          status: a.readiness.status === 'missing' ? 'missing' : missing.length > 0 ? 'partial' : 'ready',
          missing,
          summary: `formats: ${a.capabilities.weightFormats.join(', ')}`,
          families,
        };
      });
    }
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

/** `invarlock plugins adapters|edits|guards [--json] [--interface file.json]`. Exit 0; readiness is information. */
export function runPlugins(kind: string, flags: { readonly json?: boolean; readonly interface?: string }, ctx: CliContext): number {
  if (kind !== 'adapters' && kind !== 'edits' && kind !== 'guards') {
    throw new InvarlockError('E_USAGE', `plugins takes adapters, edits or guards, not '${kind}'`, { details: { field: 'kind', actual: kind } });
  }
  const list = listPlugins(kind, flags.interface === undefined ? null : readInterfaceFile(flags.interface));
  if (flags.json === true) {
    ctx.stdout.write(`${JSON.stringify(list)}\n`);
    return 0;
  }
  for (const p of list) {
    const status = p.status === 'ready' ? ctx.style.green('ready') : p.status === 'partial' ? ctx.style.yellow('partial') : ctx.style.red('missing');
    ctx.stdout.write(`${p.name.padEnd(14)} ${status}  ${p.summary}${p.missing.length > 0 ? ctx.style.dim(` (missing: ${p.missing.join(', ')})`) : ''}\n`);
  }
  const families = list[0]?.families;
  if (families !== undefined) {
    const of = (kind: FamilyListing['interface']) => families.filter((f) => f.interface === kind).map((f) => f.model_type);
    ctx.stdout.write(`families       bundled: ${of('bundled').join(', ')}${of('user').length > 0 ? `; user: ${of('user').join(', ')}` : ''}; any other model_type: inferred\n`);
  }
  return 0;
}

/** A model interface JSON file (`--interface`), as a config's `model_interface` block. */
function readInterfaceFile(path: string): Readonly<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvarlockError('E_INTERFACE_INVALID', `Cannot read the model interface ${path}: ${error instanceof Error ? error.message : String(error)}`, { details: { file: path } });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvarlockError('E_INTERFACE_INVALID', `${path} is not a JSON object`, { details: { file: path, expected: 'an object' } });
  return parsed as Readonly<Record<string, unknown>>;
}
