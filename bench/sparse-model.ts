/**
 * Makes a copy of a model whose single external data file is over 4 GiB without using the disk:
 * every initializer of 1 KiB or more moves to `model.onnx_data` after a sparse hole of `--hole`
 * GiB (default 4.5), so the tensors sit at offsets beyond Node's 4,294,967,296-byte typed-array
 * limit. Used to show that a model with such a file certifies (issue 12).
 *
 * CLI: `npx tsx bench/sparse-model.ts --from DIR --out DIR [--hole 4.5]` (keep DIR under /tmp).
 */
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDataSource, indexModel, listTensors, readTensorPayload, spliceModel, writeChunksAtomically, type TensorEdit } from '../src/onnx/index.js';

const { values } = parseArgs({ options: { from: { type: 'string' }, out: { type: 'string' }, hole: { type: 'string', default: '4.5' } } });
if (values.from === undefined || values.out === undefined) throw new Error('usage: --from DIR --out DIR [--hole GiB]');
const from = values.from;
const out = values.out;
mkdirSync(out, { recursive: true });
const index = indexModel(new Uint8Array(readFileSync(join(from, 'model.onnx'))), { source: from });
const source = createDataSource({ directory: from });
const fd = openSync(join(out, 'model.onnx_data'), 'w');
let offset = Math.round(Number(values.hole) * 1024 ** 3);
const edits: TensorEdit[] = [];
for (const tensor of listTensors(index)) {
  if (tensor.origin.kind !== 'initializer') continue;
  const size = tensor.data.storage === 'raw' ? tensor.data.end - tensor.data.start : tensor.data.storage === 'external' ? (tensor.data.length ?? -1) : -1;
  if (size < 1024) continue;
  const payload = readTensorPayload(index, tensor, source);
  offset = Math.ceil(offset / 4096) * 4096;
  writeSync(fd, payload, 0, payload.length, offset);
  edits.push({ kind: 'reference', tensor, location: 'model.onnx_data', offset, length: payload.length });
  offset += payload.length;
}
closeSync(fd);
writeChunksAtomically(join(out, 'model.onnx'), spliceModel(index, edits).chunks);
for (const file of readdirSync(from)) if (!file.startsWith('model.onnx')) copyFileSync(join(from, file), join(out, file));
console.log(`wrote ${out}: ${edits.length} tensors in model.onnx_data, file size ${offset.toLocaleString('en-US')} bytes (sparse)`);
