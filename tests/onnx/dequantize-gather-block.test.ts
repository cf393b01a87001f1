import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildModel, createDataSource, dequantizeGatherBlockQuantized, indexModel, resolveWeight, type TensorSpec } from '../../src/onnx/index.js';
import { floats, maxAbs, maxAbsDiff, randomInts, runModel, seededRandom, thrown } from './ort-helpers.js';

interface Case {
  readonly name: string;
  readonly dataType: 'UINT8' | 'INT4' | 'UINT4';
  readonly bits: number;
  readonly vocab: number;
  readonly hidden: number;
  readonly blockSize: number;
  readonly zeroPoints: boolean;
}

/** Packs values (each < 2^bits) LSB-first. */
function pack(values: readonly number[], bits: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((values.length * bits) / 8));
  values.forEach((v, i) => {
    out[(i * bits) >> 3]! |= (v & ((1 << bits) - 1)) << ((i * bits) & 7);
  });
  return out;
}

function gbqModel(c: Case, seed: number) {
  const random = seededRandom(seed);
  const blocks = Math.ceil(c.hidden / c.blockSize);
  const isUint8 = c.dataType === 'UINT8';
  const [min, max] = c.dataType === 'INT4' ? [-8, 7] : [0, 2 ** c.bits - 1];
  const q = randomInts(random, c.vocab * c.hidden, min, max);
  const perByte = isUint8 ? 8 / c.bits : 1;
  const initializers: TensorSpec[] = [
    isUint8
      ? { name: 'embed_Q4', dataType: 'UINT8', dims: [c.vocab, c.hidden / perByte], payload: c.bits === 8 ? Uint8Array.from(q) : pack(q, c.bits) }
      : { name: 'embed_Q4', dataType: c.dataType, dims: [c.vocab, c.hidden], values: q },
    { name: 'embed_scales', dataType: 'FLOAT', dims: [c.vocab, blocks], values: Array.from({ length: c.vocab * blocks }, () => 0.01 + random() * 0.1) },
  ];
  if (c.zeroPoints) {
    const zp = randomInts(random, c.vocab * blocks, min, max);
    if (isUint8) {
      const rowBytes = Math.ceil(blocks / perByte);
      const bytes = new Uint8Array(c.vocab * rowBytes);
      for (let r = 0; r < c.vocab; r++) bytes.set(c.bits === 8 ? zp.slice(r * blocks, (r + 1) * blocks) : pack(zp.slice(r * blocks, (r + 1) * blocks), c.bits), r * rowBytes);
      initializers.push({ name: 'embed_zp', dataType: 'UINT8', dims: [c.vocab, rowBytes], payload: bytes });
    } else initializers.push({ name: 'embed_zp', dataType: c.dataType, dims: [c.vocab, blocks], values: zp });
  }
  return buildModel({
    opsetImports: [{ domain: '', version: 21 }, { domain: 'com.microsoft', version: 1 }],
    graph: {
      nodes: [
        {
          name: '/model/embed_tokens/GatherBlockQuantized',
          opType: 'GatherBlockQuantized',
          domain: 'com.microsoft',
          inputs: ['embed_Q4', 'ids', 'embed_scales', ...(c.zeroPoints ? ['embed_zp'] : [])],
          outputs: ['e'],
          attributes: [
            { name: 'gather_axis', kind: 'int', value: 0 },
            { name: 'quantize_axis', kind: 'int', value: 1 },
            { name: 'block_size', kind: 'int', value: c.blockSize },
            { name: 'bits', kind: 'int', value: c.bits },
          ],
        },
      ],
      initializers,
      inputs: [{ name: 'ids', elemType: 'INT64', shape: [c.vocab] }],
      outputs: [{ name: 'e', elemType: 'FLOAT', shape: [c.vocab, c.hidden] }],
    },
  });
}

const CASES: readonly Case[] = [
  { name: 'uint8-packed 4-bit without zero points (default 8)', dataType: 'UINT8', bits: 4, vocab: 10, hidden: 64, blockSize: 32, zeroPoints: false },
  { name: 'uint8-packed 4-bit with packed zero points, odd block count', dataType: 'UINT8', bits: 4, vocab: 7, hidden: 48, blockSize: 16, zeroPoints: true },
  { name: 'uint8 8-bit with zero points', dataType: 'UINT8', bits: 8, vocab: 6, hidden: 40, blockSize: 16, zeroPoints: true },
  { name: 'uint8 8-bit without zero points (default 128)', dataType: 'UINT8', bits: 8, vocab: 5, hidden: 32, blockSize: 32, zeroPoints: false },
  { name: 'uint8-packed 2-bit with packed zero points', dataType: 'UINT8', bits: 2, vocab: 5, hidden: 64, blockSize: 16, zeroPoints: true },
  { name: 'INT4 with zero points', dataType: 'INT4', bits: 4, vocab: 9, hidden: 48, blockSize: 16, zeroPoints: true },
  { name: 'INT4 without zero points (default 0)', dataType: 'INT4', bits: 4, vocab: 8, hidden: 40, blockSize: 32, zeroPoints: false },
  { name: 'UINT4 with zero points, hidden not a multiple of the block', dataType: 'UINT4', bits: 4, vocab: 6, hidden: 40, blockSize: 16, zeroPoints: true },
  { name: 'UINT4 without zero points (default 0)', dataType: 'UINT4', bits: 4, vocab: 4, hidden: 32, blockSize: 16, zeroPoints: false },
];

describe('dequantizeGatherBlockQuantized', () => {
  it.each(CASES)('matches onnxruntime for $name', async (c) => {
    const built = gbqModel(c, c.vocab * 13 + c.hidden);
    const weight = resolveWeight(indexModel(built.modelBytes), { node: '/model/embed_tokens/GatherBlockQuantized', slot: 0 }, createDataSource());
    expect(weight).toMatchObject({ format: 'gather-block-quantized', rows: c.vocab, cols: c.hidden, storedOrientation: 'out-in', storedDims: [c.vocab, c.hidden] });
    expect(weight.quantization).toMatchObject({ bits: c.bits, blockSize: c.blockSize, axis: 1 });
    const ids = new ort.Tensor('int64', BigInt64Array.from({ length: c.vocab }, (_, i) => BigInt(i)), [c.vocab]);
    const expected = floats((await runModel(built.modelBytes, { ids })).e);
    expect(maxAbsDiff(weight.data, expected)).toBeLessThanOrEqual(1e-6 * maxAbs(expected));
  });

  it('rejects uint8 data quantized along another axis than the last', () => {
    const error = thrown(() =>
      dequantizeGatherBlockQuantized({ dataType: 'UINT8', data: new Uint8Array(8), dataDims: [4, 2], quantizeAxis: 0, blockSize: 16, scales: new Float32Array(1), scaleDims: [1, 4], label: 'gbq' }),
    );
    expect(error).toMatchObject({ code: 'E_OP_UNSUPPORTED', details: { node: 'gbq' } });
  });

  it('reports scales whose shape does not fit the blocks', () => {
    const error = thrown(() =>
      dequantizeGatherBlockQuantized({ dataType: 'INT4', data: new Uint8Array(16), dataDims: [2, 16], blockSize: 16, scales: new Float32Array(4), scaleDims: [2, 2], label: 'gbq' }),
    );
    expect(error).toMatchObject({ code: 'E_TENSOR_RANGE', details: { node: 'gbq' } });
  });
});
