import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InvarlockError } from '../../errors/index.js';
import type { AdapterName, GenaiConfig, ModelLocation } from '../types.js';

/** The ONNX files an adapter loads: the main graph and, for seq2seq, its encoder. */
export interface GraphFiles {
  /** Absolute path of the main graph (a seq2seq model's decoder). */
  readonly main: string;
  /** Absolute path of a seq2seq encoder, else null. */
  readonly encoder: string | null;
  /** Why this file: `explicit`, `genai_config.json`, `ranked` or `seq2seq pair`. */
  readonly reason: 'explicit' | 'genai_config.json' | 'ranked' | 'seq2seq pair';
}

const DECODER = /^decoder_model(?:_merged)?(?:_([A-Za-z0-9]+))?\.onnx$/;
const NOT_MAIN = /^(encoder_model|decoder_with_past_model)/;

/**
 * Which ONNX file(s) of a resolved model to load. Preference order:
 * 1. an explicit `.onnx` reference (`location.isExplicitFile`) wins;
 * 2. genai_config.json's `model.decoder.filename` (and `model.encoder.filename`), when that file exists;
 * 3. seq2seq: the best-ranked `decoder_model_merged[_v].onnx` / `decoder_model[_v].onnx` with the
 *    `encoder_model[_v].onnx` of the same variant in the same folder;
 * 4. otherwise the hub's ranking (`rankOnnxFiles`): `model.onnx`, `decoder_model_merged.onnx`,
 *    `decoder_model.onnx`, then `model_fp16`, `_quantized`, `_int8`, `_uint8`, `_q4`, `_q4f16`, `_bnb4`,
 *    other `model_*.onnx`; the root before `onnx/`. Encoders and `decoder_with_past_model.onnx` are
 *    never a main graph.
 *
 * @throws InvarlockError `E_MODEL_REF` when no file fits; `E_FILE_NOT_FOUND` when a seq2seq decoder
 *   has no encoder beside it (details name the expected file).
 */
export function chooseGraphFiles(location: ModelLocation, adapter: AdapterName, genai: GenaiConfig | null): GraphFiles {
  const files = location.onnxFiles;
  const explicit = location.isExplicitFile === true ? files[0] : undefined;
  if (explicit !== undefined && adapter !== 'onnx_seq2seq') return { main: explicit, encoder: null, reason: 'explicit' };

  const named = genai?.decoder.filename ?? null;
  if (named !== null && explicit === undefined) {
    const main = join(location.dir, named);
    const encoderName = genai?.encoderFilename ?? null;
    const encoder = encoderName === null ? null : join(location.dir, encoderName);
    if (existsSync(main) && (encoder === null || existsSync(encoder))) {
      return { main, encoder: adapter === 'onnx_seq2seq' ? encoder : null, reason: 'genai_config.json' };
    }
  }

  if (adapter === 'onnx_seq2seq') {
    const decoders = explicit === undefined ? files.filter((f) => DECODER.test(basename(f))) : [explicit];
    const decoder = decoders.find((f) => DECODER.test(basename(f))) ?? decoders[0];
    if (decoder === undefined) {
      throw new InvarlockError('E_MODEL_REF', `No decoder_model*.onnx among the ONNX files of ${location.dir}`, {
        details: { file: location.dir, expected: 'decoder_model_merged.onnx or decoder_model.onnx', actual: files.map((f) => basename(f)).join(', ') },
      });
    }
    const variant = DECODER.exec(basename(decoder))?.[1];
    const encoder = join(dirname(decoder), variant === undefined ? 'encoder_model.onnx' : `encoder_model_${variant}.onnx`);
    const fallback = join(dirname(decoder), 'encoder_model.onnx');
    const found = existsSync(encoder) ? encoder : existsSync(fallback) ? fallback : null;
    if (found === null) {
      throw new InvarlockError('E_FILE_NOT_FOUND', `The seq2seq decoder ${decoder} has no encoder beside it`, {
        details: { file: encoder, expected: basename(encoder) },
        hint: 'Export both graphs (optimum exports encoder_model.onnx and decoder_model_merged.onnx).',
      });
    }
    return { main: decoder, encoder: found, reason: explicit === undefined ? 'seq2seq pair' : 'explicit' };
  }

  const main = files.find((f) => !NOT_MAIN.test(basename(f)));
  if (main === undefined) {
    throw new InvarlockError('E_MODEL_REF', `No loadable ONNX graph in ${location.dir} for the ${adapter} adapter`, {
      details: { file: location.dir, actual: files.map((f) => basename(f)).join(', ') || 'none', expected: 'model.onnx, decoder_model_merged.onnx, decoder_model.onnx or model_<variant>.onnx' },
    });
  }
  return { main, encoder: null, reason: 'ranked' };
}
