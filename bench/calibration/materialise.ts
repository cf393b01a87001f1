/**
 * Harmful subjects that are not built-in edits, written as model directories so `certify` can
 * compare them with the baseline: one block's linear weights scaled or zeroed, Gaussian noise on
 * every weight matrix, and a PEFT adapter with its `lora_alpha` replaced. Each writer reads the
 * baseline through the adapters layer (PyTorch orientation, tied weights shared), changes the
 * float32 values, and writes the model with `writeWeights(…, { mode: 'copy' })` next to copies of
 * the baseline's config and tokenizer files.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, readWeights, writeWeights, type LoadedModel, type ModelWeight } from '../../src/adapters/index.js';
import { createPrng } from '../../src/stats/index.js';

/** Files of a model directory besides the ONNX graph, copied when present. */
const SIDE_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json'] as const;

/** A weight a perturbation may touch: a 2-D matrix (norm scales are 1-D and stay as they are). */
function isMatrix(weight: ModelWeight): boolean {
  return weight.role !== 'norm' && weight.rows > 1 && weight.cols > 1;
}

/** Number of transformer blocks of a loaded model (largest block index + 1). */
export function blockCount(model: LoadedModel): number {
  return model.weights.reduce((n, w) => (w.layer === null ? n : Math.max(n, w.layer + 1)), 0);
}

/** What a writer changed: the weights' keys and the block it aimed at, for the run's record. */
export interface MaterialisedModel {
  readonly dir: string;
  readonly modules: readonly string[];
  readonly layer: number | null;
}

/**
 * Writes `to/model.onnx` with the weights `change` returns new values for, plus the side files.
 * Tied weights stay tied: a weight that shares its Float32Array with one already seen (a shared
 * initializer), or whose `tiedWith` partner of the same shape was already changed (separate
 * initializers with equal data), gets the partner's new values instead of its own draw.
 */
async function writeChanged(
  from: string,
  to: string,
  change: (weight: ModelWeight, model: LoadedModel) => Float32Array | undefined,
  layer: number | null,
): Promise<MaterialisedModel> {
  const model = await loadModel(from);
  const changed = new Map<string, Float32Array>();
  const byData = new Map<Float32Array, Float32Array | undefined>();
  const byKey = new Map<string, { readonly weight: ModelWeight; readonly values: Float32Array | undefined }>();
  for (const weight of readWeights(model)) {
    const partner = weight.tiedWith === undefined ? undefined : byKey.get(weight.tiedWith);
    const samePartner = partner !== undefined && partner.weight.rows === weight.rows && partner.weight.cols === weight.cols;
    const values = byData.has(weight.data) ? byData.get(weight.data) : samePartner ? partner.values : change(weight, model);
    byData.set(weight.data, values);
    byKey.set(weight.key, { weight, values });
    if (values !== undefined) changed.set(weight.key, values);
  }
  if (changed.size === 0) throw new Error(`materialise: nothing of ${from} was changed`);
  const written = writeWeights(model, changed, { mode: 'copy' });
  if (written.externalData.length > 0) throw new Error(`materialise: ${from} keeps external data; the calibration fixtures are self-contained`);
  mkdirSync(to, { recursive: true });
  for (const file of SIDE_FILES) if (existsSync(join(from, file))) cpSync(join(from, file), join(to, file));
  writeFileSync(join(to, 'model.onnx'), written.bytes);
  return { dir: to, modules: [...changed.keys()], layer };
}

/** `to` = the model of `from` with every linear weight of block `layer` multiplied by `factor`. */
export function writeScaledBlock(from: string, to: string, layer: number, factor: number): Promise<MaterialisedModel> {
  return writeChanged(from, to, (w) => (isMatrix(w) && w.layer === layer ? w.data.map((v) => v * factor) : undefined), layer);
}

/** `to` = the model of `from` with every linear weight of block `layer` set to zero (biases and norms kept). */
export function writeZeroedBlock(from: string, to: string, layer: number): Promise<MaterialisedModel> {
  return writeChanged(from, to, (w) => (isMatrix(w) && w.layer === layer ? new Float32Array(w.data.length) : undefined), layer);
}

/**
 * `to` = the model of `from` with Gaussian noise added to every weight matrix (embeddings and
 * lm_head included, norms not): W' = W + ε, ε ~ N(0, (relative·std(W))²), std over the matrix's
 * elements (float64). The normals come from one xoshiro128** stream seeded with `seed`, consumed in
 * model order by the Box–Muller transform, so the same seed writes the same bytes.
 */
export function writeNoisyModel(from: string, to: string, relative: number, seed: number): Promise<MaterialisedModel> {
  const prng = createPrng(seed);
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const out = spare;
      spare = null;
      return out;
    }
    const u1 = 1 - prng.nextFloat(); // (0, 1]: the logarithm stays finite
    const u2 = prng.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
  return writeChanged(
    from,
    to,
    (w) => {
      if (!isMatrix(w)) return undefined;
      let sum = 0;
      let sumSq = 0;
      for (const v of w.data) {
        sum += v;
        sumSq += v * v;
      }
      const mean = sum / w.data.length;
      const sigma = relative * Math.sqrt(Math.max(sumSq / w.data.length - mean * mean, 0));
      return w.data.map((v) => v + sigma * normal());
    },
    null,
  );
}

/** `to` = a copy of the PEFT adapter directory `from` with `adapter_config.json` keys replaced (e.g. `lora_alpha`). */
export function writeAdapterVariant(from: string, to: string, overrides: Readonly<Record<string, unknown>>): string {
  mkdirSync(to, { recursive: true });
  cpSync(join(from, 'adapter_model.safetensors'), join(to, 'adapter_model.safetensors'));
  const parsed: unknown = JSON.parse(readFileSync(join(from, 'adapter_config.json'), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${from}/adapter_config.json is not a JSON object`);
  writeFileSync(join(to, 'adapter_config.json'), `${JSON.stringify({ ...parsed, ...overrides }, null, 2)}\n`);
  return to;
}

/** `x` rounded to bfloat16 (round to nearest, ties to even), returned as float32; NaN and ±Inf stay. */
export function roundToBf16(values: Float32Array): Float32Array {
  const out = new Float32Array(values);
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    if ((b & 0x7f800000) === 0x7f800000) continue; // NaN / Inf
    const rounded = (b + 0x7fff + ((b >>> 16) & 1)) >>> 0;
    bits[i] = (rounded & 0xffff0000) >>> 0;
  }
  return out;
}

/** `to` = the model of `from` with every weight matrix rounded to bfloat16 (what a bf16 checkpoint holds), stored as float32. */
export function writeBf16Model(from: string, to: string): Promise<MaterialisedModel> {
  return writeChanged(from, to, (w) => (isMatrix(w) ? roundToBf16(w.data) : undefined), null);
}
