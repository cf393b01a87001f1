import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

// transformers.js dtype suffixes (ONNX.md §3.1), in the order a full-precision baseline is preferred.
const VARIANT_ORDER = ['fp16', 'quantized', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;

/** Folders, relative to a model directory, searched for ONNX files: the root and `onnx/` (transformers.js layout). */
export const ONNX_SEARCH_DIRS: readonly string[] = ['', 'onnx'];

function basenameTier(base: string): number {
  if (base === 'model.onnx') return 0;
  if (base === 'decoder_model_merged.onnx') return 1;
  if (base === 'decoder_model.onnx') return 2;
  const variant = /^model_(.+)\.onnx$/.exec(base);
  if (variant !== null) {
    const index = (VARIANT_ORDER as readonly string[]).indexOf(variant[1] ?? '');
    return index === -1 ? 3 + VARIANT_ORDER.length : 3 + index;
  }
  if (base === 'decoder_with_past_model.onnx') return 20;
  if (base === 'encoder_model.onnx') return 21;
  return 30;
}

function dirRank(path: string): number {
  const slash = path.lastIndexOf('/');
  if (slash === -1) return 0;
  return path.slice(0, slash) === 'onnx' ? 1 : 2;
}

/**
 * Orders `/`-separated relative paths of `.onnx` files best first (other names are dropped):
 * `model.onnx`, then `decoder_model_merged.onnx` (optimum), `decoder_model.onnx`, then the
 * transformers.js variants `model_fp16`, `_quantized`, `_int8`, `_uint8`, `_q4`, `_q4f16`, `_bnb4`,
 * other `model_*.onnx`, `decoder_with_past_model.onnx`, `encoder_model.onnx`, anything else.
 * Within a name, the root comes before `onnx/`, which comes before other folders; ties sort by path.
 */
export function rankOnnxFiles(paths: readonly string[]): string[] {
  return paths
    .filter((p) => p.endsWith('.onnx'))
    .map((p) => ({ p, tier: basenameTier(p.slice(p.lastIndexOf('/') + 1)), dir: dirRank(p) }))
    .sort((a, b) => a.tier - b.tier || a.dir - b.dir || (a.p < b.p ? -1 : a.p > b.p ? 1 : 0))
    .map((e) => e.p);
}

/**
 * Relative paths of the `.onnx` files in `dir` and `dir/onnx` (symlinks followed, as in a hub
 * snapshot), ranked by {@link rankOnnxFiles}. A missing `onnx/` folder is not an error.
 */
export async function listOnnxFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const sub of ONNX_SEARCH_DIRS) {
    const abs = sub === '' ? dir : join(dir, sub);
    let names: string[];
    try {
      names = await readdir(abs);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith('.onnx')) continue;
      const info = await stat(join(abs, name)).catch(() => undefined);
      if (info?.isFile() === true) found.push(sub === '' ? name : `${sub}/${name}`);
    }
  }
  return rankOnnxFiles(found);
}

/**
 * True when `repoPath` (a repository file) holds external data of the ONNX file `onnxPath`: same
 * folder, named `<onnx>_data`, `<onnx>_data_<n>` (optimum, transformers.js) or `<onnx>.data`
 * (onnxruntime-genai).
 */
export function isExternalDataOf(onnxPath: string, repoPath: string): boolean {
  return repoPath === `${onnxPath}.data` || repoPath === `${onnxPath}_data` || repoPath.startsWith(`${onnxPath}_data_`);
}
