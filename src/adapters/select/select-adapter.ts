import { basename } from 'node:path';
import { resolveModel } from '../../hub/index.js';
import { openModelFile, type WeightFormat } from '../../onnx/index.js';
import { readGenaiConfig } from '../config/genai-config.js';
import { readModelConfig } from '../config/model-config.js';
import { summarizeQuantization } from '../describe/describe-model.js';
import { chooseGraphFiles } from '../files/choose-graph-files.js';
import type { AdapterSelection, ModelLocation, ModelQuantization } from '../types.js';
import { findWeightUses } from '../weights/weight-uses.js';
import { chooseAdapter } from './choose-adapter.js';
import { toModelLocation } from '../load/load-model.js';

/** What `auto` chose for a model, and the weight formats found in the chosen graph. */
export interface AdapterChoice extends AdapterSelection {
  /** Absolute path of the main graph the adapter would load. */
  readonly file: string;
  /** Formats of the weight matrices (norm vectors left out), with counts. */
  readonly formats: Readonly<Partial<Record<WeightFormat, number>>>;
  readonly quantization: ModelQuantization;
}

/**
 * Chooses the adapter for a model directory or file (see `chooseAdapter`: config.json, the file
 * layout, genai_config.json, then the graph's IO) and reports the quantization of its weights
 * (fp32, fp16, bf16, qdq-int8, qdq-int4, dynamic-int8, matmulnbits, gather-block-quantized, or
 * `mixed`). Needs no model interface and decodes no weight data.
 *
 * @throws InvarlockError `E_CONFIG_JSON` (malformed config files), `E_ADAPTER_UNKNOWN`, and the
 *   hub/onnx errors for unreadable references or files.
 */
export async function selectAdapter(location: ModelLocation | string): Promise<AdapterChoice> {
  const resolved = typeof location === 'string' ? toModelLocation(await resolveModel(location)) : location;
  const [config, genaiConfig] = await Promise.all([readModelConfig(resolved.dir), readGenaiConfig(resolved.dir)]);
  const onnxFiles = resolved.onnxFiles.map((f) => basename(f));
  let graphIndex: ReturnType<typeof openModelFile>['index'] | null = null;
  let selection: AdapterSelection;
  try {
    selection = chooseAdapter({ config, genaiConfig, onnxFiles });
  } catch (error) {
    const first = resolved.onnxFiles[0];
    if (first === undefined) throw error;
    graphIndex = openModelFile(first).index;
    selection = chooseAdapter({ config, genaiConfig, onnxFiles, graph: graphIndex.graph });
  }
  const file = chooseGraphFiles(resolved, selection.adapter, genaiConfig).main;
  const index = graphIndex !== null && graphIndex.source === file ? graphIndex : openModelFile(file).index;
  const formats: Partial<Record<WeightFormat, number>> = {};
  const found: WeightFormat[] = [];
  for (const use of findWeightUses(index)) {
    if (use.rows === 1 || use.kind === 'norm' || use.kind === 'mul') continue;
    formats[use.format] = (formats[use.format] ?? 0) + 1;
    found.push(use.format);
  }
  return { ...selection, file, formats, quantization: summarizeQuantization(found) };
}
