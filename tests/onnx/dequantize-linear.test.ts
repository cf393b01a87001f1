import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildModel, createDataSource, dequantizeLinear, indexModel, resolveWeight, type DataTypeName, type NodeSpec, type TensorSpec } from '../../src/onnx/index.js';
import { floats, identity, maxAbs, maxAbsDiff, randomInts, runModel, seededRandom, thrown, transposed } from './ort-helpers.js';

const RANGES: Partial<Record<DataTypeName, [number, number]>> = {
  INT8: [-128, 127],
  UINT8: [0, 255],
  INT4: [-8, 7],
  UINT4: [0, 15],
  INT16: [-32768, 32767],
  UINT16: [0, 65535],
};

interface QdqCase {
  readonly name: string;
  readonly type: 'INT8' | 'UINT8' | 'INT4' | 'UINT4' | 'INT16' | 'UINT16';
  readonly k: number;
  readonly n: number;
  readonly axis?: number;
  readonly blockSize?: number;
  readonly mode: 'per-tensor' | 'per-axis' | 'blocked';
  readonly zeroPoint: boolean;
  readonly format: string;
}

/** x [K, N] → DequantizeLinear → w_deq (a graph output) → MatMul(I_K, w_deq) → y. */
function qdqModel(c: QdqCase, seed: number) {
  const random = seededRandom(seed);
  const [min, max] = RANGES[c.type]!;
  const axis = c.axis ?? 1;
  const dims = [c.k, c.n];
  const scaleDims =
    c.mode === 'per-tensor' ? [] : c.mode === 'per-axis' ? [dims[axis]!] : dims.map((d, i) => (i === axis ? Math.ceil(d / c.blockSize!) : d));
  const scaleCount = scaleDims.reduce((a, b) => a * b, 1);
  const initializers: TensorSpec[] = [
    { name: 'w_q', dataType: c.type, dims, values: randomInts(random, c.k * c.n, min, max) },
    { name: 'w_scale', dataType: 'FLOAT', dims: scaleDims, values: Array.from({ length: scaleCount }, () => 0.001 + random() * 0.05) },
  ];
  if (c.zeroPoint) initializers.push({ name: 'w_zp', dataType: c.type, dims: scaleDims, values: randomInts(random, scaleCount, Math.max(min, -8), Math.min(max, 7) + (min === 0 ? 8 : 0)) });
  const attributes: NodeSpec['attributes'] = [
    ...(c.mode === 'per-tensor' ? [] : [{ name: 'axis', kind: 'int' as const, value: axis }]),
    ...(c.mode === 'blocked' ? [{ name: 'block_size', kind: 'int' as const, value: c.blockSize! }] : []),
  ];
  return buildModel({
    opsetImports: [{ domain: '', version: 21 }],
    graph: {
      nodes: [
        { name: 'w/DequantizeLinear', opType: 'DequantizeLinear', inputs: ['w_q', 'w_scale', ...(c.zeroPoint ? ['w_zp'] : [])], outputs: ['w_deq'], attributes },
        { name: '/layer/fc/MatMul', opType: 'MatMul', inputs: ['a', 'w_deq'], outputs: ['y'] },
      ],
      initializers,
      inputs: [{ name: 'a', elemType: 'FLOAT', shape: [c.k, c.k] }],
      outputs: [
        { name: 'y', elemType: 'FLOAT', shape: [c.k, c.n] },
        { name: 'w_deq', elemType: 'FLOAT', shape: [c.k, c.n] },
      ],
    },
  });
}

const QDQ_CASES: readonly QdqCase[] = [
  { name: 'int8 per tensor with zero point', type: 'INT8', k: 24, n: 10, mode: 'per-tensor', zeroPoint: true, format: 'qdq-int8' },
  { name: 'uint8 per tensor without zero point', type: 'UINT8', k: 16, n: 12, mode: 'per-tensor', zeroPoint: false, format: 'qdq-int8' },
  { name: 'int8 per output column (axis 1)', type: 'INT8', k: 20, n: 9, mode: 'per-axis', axis: 1, zeroPoint: true, format: 'qdq-int8' },
  { name: 'uint8 per input row (axis 0)', type: 'UINT8', k: 18, n: 7, mode: 'per-axis', axis: 0, zeroPoint: true, format: 'qdq-int8' },
  { name: 'int4 blocked along K, K not a multiple of the block', type: 'INT4', k: 40, n: 6, mode: 'blocked', axis: 0, blockSize: 16, zeroPoint: true, format: 'qdq-int4' },
  { name: 'uint4 blocked along N with zero point', type: 'UINT4', k: 12, n: 35, mode: 'blocked', axis: 1, blockSize: 16, zeroPoint: true, format: 'qdq-int4' },
  { name: 'int4 per column without zero point', type: 'INT4', k: 17, n: 5, mode: 'per-axis', axis: 1, zeroPoint: false, format: 'qdq-int4' },
  { name: 'int16 per tensor', type: 'INT16', k: 8, n: 8, mode: 'per-tensor', zeroPoint: true, format: 'qdq-int16' },
];

describe('DequantizeLinear weights', () => {
  it.each(QDQ_CASES)('match onnxruntime for $name', async (c) => {
    const built = qdqModel(c, c.k * 7 + c.n);
    const weight = resolveWeight(indexModel(built.modelBytes), { node: '/layer/fc/MatMul', slot: 1 }, createDataSource());
    expect(weight).toMatchObject({ format: c.format, rows: c.n, cols: c.k, storedOrientation: 'in-out', storedDims: [c.k, c.n] });
    expect(weight.tensor.name).toBe('w_q');
    expect(weight.quantization).toMatchObject({ blockSize: c.blockSize ?? 0, axis: c.mode === 'per-tensor' ? undefined : (c.axis ?? 1) });
    expect(weight.path.map((n) => n.opType)).toEqual(['DequantizeLinear']);
    const out = await runModel(built.modelBytes, { a: identity(c.k) });
    const expected = floats(out.w_deq);
    expect(maxAbsDiff(transposed(weight.data, c.n, c.k), expected)).toBeLessThanOrEqual(1e-6 * maxAbs(expected));
    expect(maxAbsDiff(floats(out.y), expected)).toBeLessThanOrEqual(1e-6 * maxAbs(expected));
  });

  it('keeps the layout of x and applies a blocked scale along a middle axis', () => {
    const values = new Int8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const out = dequantizeLinear({ values, dims: [2, 2, 2], scale: new Float32Array([10, 100, 1000, 10000]), scaleDims: [2, 1, 2], axis: 1, blockSize: 2 });
    expect(Array.from(out)).toEqual([10, 200, 30, 400, 5000, 60000, 7000, 80000]);
  });

  it('reports a per-axis scale whose length does not match the axis', () => {
    const error = thrown(() => dequantizeLinear({ values: new Int8Array(6), dims: [2, 3], scale: new Float32Array(2), scaleDims: [2], axis: 1, label: 'dq' }));
    expect(error).toMatchObject({ code: 'E_TENSOR_RANGE', details: { node: 'dq' } });
  });

  it('reports an axis out of range', () => {
    const error = thrown(() => dequantizeLinear({ values: new Int8Array(6), dims: [2, 3], scale: new Float32Array(3), scaleDims: [3], axis: 2, label: 'dq' }));
    expect(error).toMatchObject({ code: 'E_OP_UNSUPPORTED', details: { node: 'dq' } });
  });
});

interface DynamicCase {
  readonly name: string;
  readonly type: 'INT8' | 'UINT8';
  readonly perColumn: boolean;
  readonly op: 'MatMulInteger' | 'DynamicQuantizeMatMul' | 'MatMulIntegerToFloat';
}

/** The graph onnxruntime's dynamic quantizer writes for a MatMul (or its com.microsoft fused forms). */
function dynamicModel(c: DynamicCase, k: number, n: number, seed: number) {
  const random = seededRandom(seed);
  const [min, max] = RANGES[c.type]!;
  const count = c.perColumn ? n : 1;
  const dims = c.perColumn ? [n] : [];
  const initializers: TensorSpec[] = [
    { name: 'fc.weight_quantized', dataType: c.type, dims: [k, n], values: randomInts(random, k * n, min, max) },
    { name: 'fc.weight_scale', dataType: 'FLOAT', dims, values: Array.from({ length: count }, () => 0.002 + random() * 0.02) },
    { name: 'fc.weight_zero_point', dataType: c.type, dims, values: randomInts(random, count, c.type === 'INT8' ? -5 : 120, c.type === 'INT8' ? 5 : 135) },
  ];
  const nodes: NodeSpec[] =
    c.op === 'MatMulInteger'
      ? [
          { name: 'a_QuantizeLinear', opType: 'DynamicQuantizeLinear', inputs: ['a'], outputs: ['a_q', 'a_scale', 'a_zp'] },
          { name: '/fc/MatMul_quant', opType: 'MatMulInteger', inputs: ['a_q', 'fc.weight_quantized', 'a_zp', 'fc.weight_zero_point'], outputs: ['y_int'] },
          { name: 'cast', opType: 'Cast', inputs: ['y_int'], outputs: ['y_f'], attributes: [{ name: 'to', kind: 'int', value: 1 }] },
          { name: 'scales_mul', opType: 'Mul', inputs: ['a_scale', 'fc.weight_scale'], outputs: ['scales'] },
          { name: 'output_scale_mul', opType: 'Mul', inputs: ['y_f', 'scales'], outputs: ['y'] },
        ]
      : c.op === 'DynamicQuantizeMatMul'
        ? [{ name: '/fc/MatMul_quant', opType: 'DynamicQuantizeMatMul', domain: 'com.microsoft', inputs: ['a', 'fc.weight_quantized', 'fc.weight_scale', 'fc.weight_zero_point'], outputs: ['y'] }]
        : [
            { name: 'a_QuantizeLinear', opType: 'DynamicQuantizeLinear', inputs: ['a'], outputs: ['a_q', 'a_scale', 'a_zp'] },
            {
              name: '/fc/MatMul_quant',
              opType: 'MatMulIntegerToFloat',
              domain: 'com.microsoft',
              inputs: ['a_q', 'fc.weight_quantized', 'a_scale', 'fc.weight_scale', 'a_zp', 'fc.weight_zero_point'],
              outputs: ['y'],
            },
          ];
  return buildModel({
    opsetImports: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
    graph: { nodes, initializers, inputs: [{ name: 'a', elemType: 'FLOAT', shape: [k, k] }], outputs: [{ name: 'y', elemType: 'FLOAT', shape: [k, n] }] },
  });
}

const DYNAMIC_CASES: readonly DynamicCase[] = [
  { name: 'MatMulInteger, int8, per tensor', type: 'INT8', perColumn: false, op: 'MatMulInteger' },
  { name: 'MatMulInteger, uint8, per column', type: 'UINT8', perColumn: true, op: 'MatMulInteger' },
  { name: 'MatMulInteger, int8, per column', type: 'INT8', perColumn: true, op: 'MatMulInteger' },
  { name: 'DynamicQuantizeMatMul, uint8, per column', type: 'UINT8', perColumn: true, op: 'DynamicQuantizeMatMul' },
  { name: 'MatMulIntegerToFloat, int8, per tensor', type: 'INT8', perColumn: false, op: 'MatMulIntegerToFloat' },
];

describe('dynamic int8 weights', () => {
  it.each(DYNAMIC_CASES)('match onnxruntime for $name', async (c) => {
    const [k, n] = [16, 11];
    const built = dynamicModel(c, k, n, n + (c.perColumn ? 1 : 0));
    const weight = resolveWeight(indexModel(built.modelBytes), { node: '/fc/MatMul_quant', slot: 1 }, createDataSource());
    expect(weight).toMatchObject({ format: 'dynamic-int8', rows: n, cols: k, storedOrientation: 'in-out' });
    expect(weight.quantization?.scale.name).toBe('fc.weight_scale');
    expect(weight.quantization?.zeroPoint?.name).toBe('fc.weight_zero_point');
    // A = I_K: the activation quantizes exactly (scale 1/255), so the output is W up to float rounding.
    const expected = floats((await runModel(built.modelBytes, { a: identity(k) })).y);
    expect(maxAbsDiff(transposed(weight.data, n, k), expected)).toBeLessThanOrEqual(1e-6 * maxAbs(expected));
  });

  it('dequantizes int8 embeddings that are gathered first and dequantized after (dynamic q8 embeddings)', async () => {
    const random = seededRandom(3);
    const [vocab, hidden] = [12, 6];
    const built = buildModel({
      graph: {
        nodes: [
          { name: '/embed/Gather', opType: 'Gather', inputs: ['embed.weight_quantized', 'ids'], outputs: ['g'] },
          { name: '/embed/DequantizeLinear', opType: 'DequantizeLinear', inputs: ['g', 'embed.weight_scale', 'embed.weight_zero_point'], outputs: ['e'] },
        ],
        initializers: [
          { name: 'embed.weight_quantized', dataType: 'UINT8', dims: [vocab, hidden], values: randomInts(random, vocab * hidden, 0, 255) },
          { name: 'embed.weight_scale', dataType: 'FLOAT', dims: [], values: [0.0123] },
          { name: 'embed.weight_zero_point', dataType: 'UINT8', dims: [], values: [131] },
        ],
        inputs: [{ name: 'ids', elemType: 'INT64', shape: [vocab] }],
        outputs: [{ name: 'e', elemType: 'FLOAT', shape: [vocab, hidden] }],
      },
    });
    const weight = resolveWeight(indexModel(built.modelBytes), { node: '/embed/Gather', slot: 0 }, createDataSource());
    expect(weight).toMatchObject({ format: 'dynamic-int8', rows: vocab, cols: hidden, storedOrientation: 'out-in' });
    const ids = new ort.Tensor('int64', BigInt64Array.from({ length: vocab }, (_, i) => BigInt(i)), [vocab]);
    const expected = floats((await runModel(built.modelBytes, { ids })).e);
    expect(maxAbsDiff(weight.data, expected)).toBeLessThanOrEqual(1e-6 * maxAbs(expected));
  });

  it('finds the weight scale by the quantizer naming when no Mul follows', () => {
    const built = buildModel({
      graph: {
        nodes: [{ name: 'mmi', opType: 'MatMulInteger', inputs: ['a', 'w_quantized'], outputs: ['y'] }],
        initializers: [
          { name: 'w_quantized', dataType: 'INT8', dims: [2, 2], values: [1, -2, 3, -4] },
          { name: 'w_scale', dataType: 'FLOAT', dims: [], values: [0.5] },
        ],
        inputs: [{ name: 'a', elemType: 'UINT8', shape: [1, 2] }],
        outputs: [{ name: 'y', elemType: 'INT32', shape: [1, 2] }],
      },
    });
    const weight = resolveWeight(indexModel(built.modelBytes), { node: 'mmi', slot: 1 }, createDataSource());
    expect(Array.from(weight.data)).toEqual([0.5, 1.5, -1, -2]);
  });
});
