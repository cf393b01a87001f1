import { InvarlockError } from '../../errors/index.js';
import type { GraphRecord, ShapeDim, ValueInfoRecord } from '../../onnx/index.js';
import type { AdapterName, EncoderIo, FloatElemType, GenaiConfig, IdsElemType, IoTensor, ModelIo, PastKeyValues } from '../types.js';

/** Options of {@link describeIo}. */
export interface DescribeIoOptions {
  readonly adapter: AdapterName;
  /** `model.decoder` of genai_config.json: its `inputs`/`outputs` name the graph's IO. */
  readonly genai?: GenaiConfig['decoder'] | null;
  /** The graph's file, for error details. */
  readonly source: string;
}

const IDS_TYPES: Readonly<Record<string, IdsElemType>> = { INT64: 'int64', INT32: 'int32' };
const FLOAT_TYPES: Readonly<Record<string, FloatElemType>> = { FLOAT: 'float32', FLOAT16: 'float16' };

/**
 * Derives the feeds a scorer builds from a graph's declared inputs and outputs (ONNX.md §3.2):
 * ids, masks, position and token-type ids, past key/values (split per layer, or ORT-fused GPT-2
 * `past_{i}` `[2, batch, heads, past, head_dim]`), `use_cache_branch`, encoder inputs of a seq2seq
 * decoder, and the logits output. genai_config.json's `inputs`/`outputs` names win over the usual ones.
 *
 * @throws InvarlockError `E_ADAPTER_IO` when `input_ids` or `logits` is missing, has an element type
 *   the scorer cannot feed, the logits rank does not fit the adapter (3 for LMs, 2 for classifiers),
 *   or a seq2seq decoder lacks `encoder_hidden_states`; `details.problems` lists each.
 */
export function describeIo(graph: GraphRecord, options: DescribeIoOptions): ModelIo {
  const problems: string[] = [];
  const names = ioNames(options.genai ?? null);
  const inputs = new Map(graph.inputs.map((input) => [input.name, input]));
  const used = new Set<string>();

  const ids = (name: string, required: boolean): IoTensor<IdsElemType> | null => {
    const value = inputs.get(name);
    if (value === undefined) {
      if (required) problems.push(`input ${name}: missing (inputs: ${[...inputs.keys()].join(', ') || 'none'})`);
      return null;
    }
    used.add(name);
    const elemType = IDS_TYPES[value.elemType ?? ''];
    if (elemType === undefined) {
      problems.push(`input ${name}: element type ${value.elemType ?? 'unknown'} (expected INT64 or INT32)`);
      return null;
    }
    return { name, elemType, shape: value.shape ?? [] };
  };
  const float = (value: ValueInfoRecord, what: string): IoTensor<FloatElemType> | null => {
    const elemType = FLOAT_TYPES[value.elemType ?? ''];
    if (elemType === undefined) {
      problems.push(`${what} ${value.name}: element type ${value.elemType ?? 'unknown'} (expected FLOAT or FLOAT16)`);
      return null;
    }
    return { name: value.name, elemType, shape: value.shape ?? [] };
  };

  const inputIds = ids(names.inputIds, true);
  const attentionMask = ids(names.attentionMask, false);
  const positionIds = ids(names.positionIds, false);
  const tokenTypeIds = ids('token_type_ids', false);
  const encoderAttentionMask = ids('encoder_attention_mask', false);
  const encoderInput = inputs.get('encoder_hidden_states');
  let encoderHiddenStates: IoTensor<FloatElemType> | null = null;
  if (encoderInput !== undefined) {
    used.add(encoderInput.name);
    encoderHiddenStates = float(encoderInput, 'input');
  } else if (options.adapter === 'onnx_seq2seq') {
    problems.push('input encoder_hidden_states: missing (a seq2seq decoder takes the encoder output)');
  }
  const cacheInput = inputs.get('use_cache_branch');
  let useCacheBranch: IoTensor<'bool'> | null = null;
  if (cacheInput !== undefined) {
    used.add(cacheInput.name);
    if (cacheInput.elemType === 'BOOL') useCacheBranch = { name: cacheInput.name, elemType: 'bool', shape: cacheInput.shape ?? [] };
    else problems.push(`input use_cache_branch: element type ${cacheInput.elemType ?? 'unknown'} (expected BOOL)`);
  }
  const pastKeyValues = describePast(graph.inputs, names, used, problems);

  const logitsValue = graph.outputs.find((output) => output.name === names.logits);
  let logits: IoTensor<FloatElemType> | null = null;
  if (logitsValue === undefined) {
    problems.push(`output ${names.logits}: missing (outputs: ${graph.outputs.map((o) => o.name).join(', ') || 'none'})`);
  } else {
    logits = float(logitsValue, 'output');
    const rank = logitsValue.shape?.length;
    const expected = options.adapter === 'onnx_cls' ? 2 : 3;
    if (rank !== undefined && rank !== expected) {
      problems.push(`output ${names.logits}: rank ${rank} (the ${options.adapter} adapter expects ${expected === 3 ? '[batch, sequence, vocab]' : '[batch, labels]'})`);
    }
  }

  if (problems.length > 0 || inputIds === null || logits === null) {
    throw new InvarlockError('E_ADAPTER_IO', `${options.source} does not have the inputs/outputs the ${options.adapter} adapter needs: ${problems[0] ?? 'see details'}`, {
      details: { file: options.source, problems },
      hint: 'Check the export task (e.g. optimum `--task text-generation` for causal LMs), or choose another adapter.',
    });
  }
  const otherInputs = graph.inputs
    .filter((input) => !used.has(input.name))
    .map((input) => ({ name: input.name, elemType: input.elemType ?? 'UNKNOWN', shape: input.shape ?? [] }));
  return {
    inputIds,
    attentionMask,
    positionIds,
    tokenTypeIds,
    pastKeyValues,
    useCacheBranch,
    encoderHiddenStates,
    encoderAttentionMask,
    logits,
    otherInputs,
  };
}

interface IoNames {
  readonly inputIds: string;
  readonly attentionMask: string;
  readonly positionIds: string;
  readonly pastKey: RegExp;
  readonly pastValue: RegExp;
  readonly logits: string;
}

function ioNames(genai: GenaiConfig['decoder'] | null): IoNames {
  const inputs = genai?.inputs ?? {};
  const outputs = genai?.outputs ?? {};
  return {
    inputIds: inputs['input_ids'] ?? 'input_ids',
    attentionMask: inputs['attention_mask'] ?? 'attention_mask',
    positionIds: inputs['position_ids'] ?? 'position_ids',
    pastKey: layerPattern(inputs['past_key_names'], /^past_key_values\.(\d+)\.(?:(decoder|encoder)\.)?key$/),
    pastValue: layerPattern(inputs['past_value_names'], /^past_key_values\.(\d+)\.(?:(decoder|encoder)\.)?value$/),
    logits: outputs['logits'] ?? 'logits',
  };
}

/** A genai `%d` name pattern as a regex capturing the layer, or the default. */
function layerPattern(pattern: string | undefined, fallback: RegExp): RegExp {
  if (pattern === undefined || !pattern.includes('%d')) return fallback;
  const [head = '', tail = ''] = pattern.split('%d');
  return new RegExp(`^${escapeRegex(head)}(\\d+)()${escapeRegex(tail)}$`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function describePast(inputs: readonly ValueInfoRecord[], names: IoNames, used: Set<string>, problems: string[]): PastKeyValues {
  const keys = new Map<string, ValueInfoRecord>();
  const values = new Map<string, ValueInfoRecord>();
  const fused: { layer: number; value: ValueInfoRecord }[] = [];
  for (const input of inputs) {
    const key = names.pastKey.exec(input.name);
    const value = names.pastValue.exec(input.name);
    const fusedMatch = /^past_(\d+)$/.exec(input.name);
    if (key !== null) keys.set(`${key[1]}:${key[2] === 'encoder' ? 'cross' : 'self'}`, input);
    else if (value !== null) values.set(`${value[1]}:${value[2] === 'encoder' ? 'cross' : 'self'}`, input);
    else if (fusedMatch !== null) fused.push({ layer: Number(fusedMatch[1]), value: input });
    else continue;
    used.add(input.name);
  }
  const elemTypes = new Set<FloatElemType>();
  const floatOf = (value: ValueInfoRecord): IoTensor<FloatElemType> | null => {
    const elemType = FLOAT_TYPES[value.elemType ?? ''];
    if (elemType === undefined) {
      problems.push(`input ${value.name}: element type ${value.elemType ?? 'unknown'} (expected FLOAT or FLOAT16)`);
      return null;
    }
    elemTypes.add(elemType);
    return { name: value.name, elemType, shape: value.shape ?? [] };
  };

  if (fused.length > 0) {
    const layers = fused
      .sort((a, b) => a.layer - b.layer)
      .flatMap(({ layer, value }) => {
        const input = floatOf(value);
        if (input !== null && input.shape.length !== 5) problems.push(`input ${value.name}: rank ${input.shape.length} (fused past is [2, batch, heads, past, head_dim])`);
        return input === null ? [] : [{ layer, input }];
      });
    const shape = layers[0]?.input.shape ?? [];
    return { layout: 'fused', elemType: single(elemTypes, problems), layers, heads: numeric(shape[2]), headDim: numeric(shape[4]) };
  }
  if (keys.size === 0 && values.size === 0) return { layout: 'none' };
  const layers: { layer: number; attention: 'self' | 'cross'; key: IoTensor<FloatElemType>; value: IoTensor<FloatElemType> }[] = [];
  for (const [id, keyValue] of keys) {
    const valueValue = values.get(id);
    if (valueValue === undefined) {
      problems.push(`input ${keyValue.name}: no matching value input`);
      continue;
    }
    const key = floatOf(keyValue);
    const value = floatOf(valueValue);
    const [layerText = '0', attention = 'self'] = id.split(':');
    if (key !== null && value !== null) layers.push({ layer: Number(layerText), attention: attention === 'cross' ? 'cross' : 'self', key, value });
  }
  for (const [id, valueValue] of values) if (!keys.has(id)) problems.push(`input ${valueValue.name}: no matching key input`);
  layers.sort((a, b) => a.layer - b.layer || (a.attention < b.attention ? 1 : a.attention > b.attention ? -1 : 0));
  const shape = layers[0]?.key.shape ?? [];
  return {
    layout: 'split',
    elemType: single(elemTypes, problems),
    layers,
    heads: shape.length === 4 ? numeric(shape[1]) : null,
    headDim: shape.length === 4 ? numeric(shape[3]) : null,
  };
}

function single(types: ReadonlySet<FloatElemType>, problems: string[]): FloatElemType {
  if (types.size > 1) problems.push('past key/value inputs mix float32 and float16');
  return types.has('float16') && types.size === 1 ? 'float16' : 'float32';
}

function numeric(dim: ShapeDim | undefined): number | null {
  return typeof dim === 'number' ? dim : null;
}

/**
 * The IO of a seq2seq encoder graph: `input_ids` (int64/int32), optional `attention_mask`, and the
 * hidden-state output (`last_hidden_state`, else the only float output).
 * @throws InvarlockError `E_ADAPTER_IO` when an input or the output is missing or mistyped.
 */
export function describeEncoderIo(graph: GraphRecord, source: string): EncoderIo {
  const problems: string[] = [];
  const idsOf = (name: string, required: boolean): IoTensor<IdsElemType> | null => {
    const value = graph.inputs.find((i) => i.name === name);
    if (value === undefined) {
      if (required) problems.push(`input ${name}: missing`);
      return null;
    }
    const elemType = IDS_TYPES[value.elemType ?? ''];
    if (elemType === undefined) problems.push(`input ${name}: element type ${value.elemType ?? 'unknown'} (expected INT64 or INT32)`);
    return elemType === undefined ? null : { name, elemType, shape: value.shape ?? [] };
  };
  const inputIds = idsOf('input_ids', true);
  const attentionMask = idsOf('attention_mask', false);
  const floats = graph.outputs.filter((o) => FLOAT_TYPES[o.elemType ?? ''] !== undefined);
  const out = graph.outputs.find((o) => o.name === 'last_hidden_state') ?? (floats.length === 1 ? floats[0] : undefined);
  const elemType = out === undefined ? undefined : FLOAT_TYPES[out.elemType ?? ''];
  if (out === undefined || elemType === undefined) problems.push(`output last_hidden_state: missing or not FLOAT/FLOAT16 (outputs: ${graph.outputs.map((o) => o.name).join(', ') || 'none'})`);
  if (problems.length > 0 || inputIds === null || out === undefined || elemType === undefined) {
    throw new InvarlockError('E_ADAPTER_IO', `${source} is not a seq2seq encoder graph: ${problems[0] ?? 'see details'}`, { details: { file: source, problems } });
  }
  return { inputIds, attentionMask, output: { name: out.name, elemType, shape: out.shape ?? [] } };
}
