import { createHash } from 'node:crypto';
import { InvarlockError } from '../../errors/index.js';
import type { DenseTensor, LoraAdapter, LoraModuleUpdate, PeftLoraConfig } from '../types.js';
import { isTargetModule, parsePeftLoraConfig, patternValue } from './peft-config.js';
import { parseSafetensors } from './safetensors-reader.js';

/** The bytes of a PEFT adapter: `adapter_config.json` and `adapter_model.safetensors`. */
export interface PeftAdapterBytes {
  /** Label for errors and for the edit record (usually the adapter directory). */
  readonly source: string;
  readonly configBytes: Uint8Array;
  readonly safetensorsBytes: Uint8Array;
}

const PREFIX = 'base_model.model.';
/** `<module>.lora_A.weight`, with an optional adapter name before `.weight` (unsaved state dicts keep it). */
const LINEAR_KEY = /^(.+)\.lora_([AB])(?:\.[A-Za-z0-9_-]+)?\.weight$/;
/** `<module>.lora_embedding_A`, with an optional adapter name. */
const EMBEDDING_KEY = /^(.+)\.lora_embedding_([AB])(?:\.[A-Za-z0-9_-]+)?$/;
/** `<module>.weight` or `<module>.modules_to_save.<adapter>.weight`: a full replacement of a `modules_to_save` module. */
const SAVED_KEY = /^(.+?)(?:\.modules_to_save\.[A-Za-z0-9_-]+)?\.weight$/;

/**
 * Parses a PEFT LoRA adapter from its two files. Tensor keys `base_model.model.<module>.lora_A.weight`
 * (`[r, in]`) and `.lora_B.weight` (`[out, r]`) become one update per module with
 * s = alpha/r (alpha/√r with `use_rslora`; `rank_pattern`/`alpha_pattern` override per module);
 * `lora_embedding_A/B` become embedding updates; `<module>.weight` of a `modules_to_save` module
 * becomes a replacement. Every module must be one `target_modules` selects.
 * @throws InvarlockError `E_SAFETENSORS` (malformed tensor file), `E_LORA_INVALID` (bad config; a module
 * with only one of A/B; A and B ranks disagree or differ from the config's r; a module outside
 * `target_modules`; an unrecognised tensor key) with `details.module` or `details.problems`.
 */
export function parsePeftAdapter(input: PeftAdapterBytes): LoraAdapter {
  const configSource = `${input.source}/adapter_config.json`;
  const tensorSource = `${input.source}/adapter_model.safetensors`;
  let rawConfig: unknown;
  try {
    rawConfig = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(input.configBytes));
  } catch (error) {
    throw new InvarlockError('E_LORA_INVALID', `${configSource} is not UTF-8 JSON`, { details: { file: configSource }, cause: error });
  }
  const config = parsePeftLoraConfig(rawConfig, { source: configSource });
  const file = parseSafetensors(input.safetensorsBytes, { source: tensorSource });
  const pairs = new Map<string, { kind: 'linear' | 'embedding'; a?: DenseTensor; b?: DenseTensor }>();
  const replacements = new Map<string, DenseTensor>();
  const unknown: string[] = [];
  for (const name of file.entries.keys()) {
    const path = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : name;
    const linear = LINEAR_KEY.exec(path);
    const embedding = linear === null ? EMBEDDING_KEY.exec(path) : null;
    const match = linear ?? embedding;
    if (match !== null) {
      const module = match[1] ?? '';
      const kind = linear === null ? 'embedding' : 'linear';
      const pair = pairs.get(module) ?? { kind };
      if (pair.kind !== kind) unknown.push(`${name}: module ${module} mixes linear and embedding LoRA tensors`);
      if (match[2] === 'A') pair.a = file.decode(name);
      else pair.b = file.decode(name);
      pairs.set(module, pair);
      continue;
    }
    const saved = SAVED_KEY.exec(path);
    const savedModule = saved?.[1];
    if (savedModule !== undefined && config.modulesToSave.some((m) => savedModule === m || savedModule.endsWith(`.${m}`))) {
      replacements.set(savedModule, file.decode(name));
      continue;
    }
    unknown.push(name);
  }
  if (unknown.length > 0) {
    throw new InvarlockError('E_LORA_INVALID', `${tensorSource}: ${unknown.length} tensor key(s) are neither LoRA A/B nor modules_to_save weights`, {
      details: { file: tensorSource, problems: unknown.slice(0, 20) },
      hint: 'Biases of modules_to_save, DoRA magnitudes and LoRA biases are not supported.',
    });
  }
  if (pairs.size === 0 && replacements.size === 0) {
    // An empty adapter would certify as the unchanged base model (#13).
    throw new InvarlockError('E_LORA_INVALID', `${tensorSource} holds no LoRA tensors`, {
      details: { file: tensorSource, expected: 'lora_A/lora_B pairs or modules_to_save weights', actual: `${file.entries.size} tensors` },
    });
  }
  const updates: LoraModuleUpdate[] = [];
  for (const [module, pair] of pairs) updates.push(buildUpdate(module, pair, config, tensorSource));
  return { source: input.source, digest: digestOf(input), config, updates, replacements };
}

function buildUpdate(
  module: string,
  pair: { kind: 'linear' | 'embedding'; a?: DenseTensor; b?: DenseTensor },
  config: PeftLoraConfig,
  file: string,
): LoraModuleUpdate {
  const { a, b } = pair;
  if (a === undefined || b === undefined) {
    throw new InvarlockError('E_LORA_INVALID', `LoRA module ${module} has only its ${a === undefined ? 'B' : 'A'} matrix`, {
      details: { file, module, actual: a === undefined ? 'lora_B only' : 'lora_A only' },
    });
  }
  if (!isTargetModule(module, config.targetModules)) {
    throw new InvarlockError('E_LORA_INVALID', `LoRA module ${module} is not selected by target_modules`, {
      details: { file, module, expected: JSON.stringify(config.targetModules) },
    });
  }
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new InvarlockError('E_LORA_INVALID', `LoRA matrices of ${module} are not 2-D`, {
      details: { file, module, actual: `A ${JSON.stringify(a.shape)}, B ${JSON.stringify(b.shape)}` },
    });
  }
  const rank = a.shape[0] ?? 0;
  const r = patternValue(module, config.rankPattern, config.r);
  if (b.shape[1] !== rank || rank !== r) {
    throw new InvarlockError('E_LORA_INVALID', `LoRA rank mismatch in ${module}: A has ${rank} rows, B has ${b.shape[1]} columns, config r = ${r}`, {
      details: { file, module, expected: `rank ${r}`, actual: `A ${JSON.stringify(a.shape)}, B ${JSON.stringify(b.shape)}` },
    });
  }
  const alpha = patternValue(module, config.alphaPattern, config.loraAlpha);
  const scaling = config.useRslora ? alpha / Math.sqrt(r) : alpha / r;
  return { module, kind: pair.kind, rank, scaling, a, b };
}

function digestOf(input: PeftAdapterBytes): string {
  const hash = createHash('sha256');
  hash.update(input.configBytes);
  hash.update(input.safetensorsBytes);
  return hash.digest('hex');
}
