import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { applyGraphSurgery, buildModel, indexModel, spliceGraphSurgery, type GraphSurgery } from '../../src/onnx/index.js';
import { buildGpt2Spec } from '../../bench/generate-model.js';
import { floats, floatTensor, maxAbsDiff, runModel, thrown } from './ort-helpers.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const fixture = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));

/** LogSoftmax → GatherElements(labels) → Squeeze: per-token log-probabilities (ONNX.md §3.4). */
const LOSS_HEAD: GraphSurgery = {
  addInputs: [{ name: 'labels', elemType: 'INT64', shape: ['batch_size', 'sequence_length'] }],
  addInitializers: [{ name: 'loss_head/axes', dataType: 'INT64', dims: [1], values: [2] }],
  addNodes: [
    { name: 'loss_head/LogSoftmax', opType: 'LogSoftmax', inputs: ['logits'], outputs: ['loss_head/logprobs'], attributes: [{ name: 'axis', kind: 'int', value: -1 }] },
    { name: 'loss_head/Unsqueeze', opType: 'Unsqueeze', inputs: ['labels', 'loss_head/axes'], outputs: ['loss_head/labels3'] },
    { name: 'loss_head/Gather', opType: 'GatherElements', inputs: ['loss_head/logprobs', 'loss_head/labels3'], outputs: ['loss_head/picked'], attributes: [{ name: 'axis', kind: 'int', value: 2 }] },
    { name: 'loss_head/Squeeze', opType: 'Squeeze', inputs: ['loss_head/picked', 'loss_head/axes'], outputs: ['token_logprobs'] },
  ],
  addOutputs: [{ name: 'token_logprobs', elemType: 'FLOAT', shape: ['batch_size', 'sequence_length'] }],
};

describe('applyGraphSurgery', () => {
  it('appends a loss head whose log-probabilities match a JS log-softmax of the logits', async () => {
    const vocab = 64;
    const base = buildModel(buildGpt2Spec({ nLayer: 1, dModel: 16, nHead: 2, vocabSize: vocab, nPositions: 8, seed: 4 })).modelBytes;
    const withHead = applyGraphSurgery(indexModel(base), { ...LOSS_HEAD, removeOutputs: ['logits'] });
    expect(withHead.strategy).toBe('spliced');
    const ids = BigInt64Array.from([3n, 17n, 42n, 5n, 9n]);
    const labels = BigInt64Array.from([17n, 42n, 5n, 9n, 0n]);
    const feeds = { input_ids: new ort.Tensor('int64', ids, [1, 5]), attention_mask: new ort.Tensor('int64', new BigInt64Array(5).fill(1n), [1, 5]) };
    const logits = floats((await runModel(base, feeds)).logits);
    const out = await runModel(withHead.modelBytes, { ...feeds, labels: new ort.Tensor('int64', labels, [1, 5]) });
    expect(Object.keys(out)).toEqual(['token_logprobs']);
    const expected = Array.from({ length: 5 }, (_, t) => {
      const row = logits.subarray(t * vocab, (t + 1) * vocab);
      const max = Math.max(...row);
      const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
      return row[Number(labels[t])]! - logSum;
    });
    expect(maxAbsDiff(floats(out.token_logprobs), expected)).toBeLessThan(1e-5);
  });

  it('adds graph outputs for intermediate values of a real export (activation taps)', async () => {
    const bytes = fixture('torch-tiny.onnx');
    const tapped = applyGraphSurgery(indexModel(bytes), { addOutputs: [{ name: '/up/Add_output_0' }, { name: '/Mul_1_output_0' }] });
    const index = indexModel(tapped.modelBytes);
    expect(index.graph.outputs.map((o) => o.name)).toEqual(['hidden', '/up/Add_output_0', '/Mul_1_output_0']);
    expect(index.graph.outputs[1]).toMatchObject({ kind: 'none', elemType: undefined });
    const feeds = { input_ids: new ort.Tensor('int64', BigInt64Array.from([1n, 4n, 9n]), [1, 3]) };
    const out = await runModel(tapped.modelBytes, feeds);
    const original = await runModel(bytes, feeds);
    expect(Array.from(floats(out.hidden))).toEqual(Array.from(floats(original.hidden)));
    const pre = floats(out['/up/Add_output_0']);
    const gelu = Array.from(pre, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
    expect(out['/up/Add_output_0']?.dims).toEqual([1, 3, 12]);
    expect(maxAbsDiff(floats(out['/Mul_1_output_0']), gelu)).toBeLessThan(1e-5);
  });

  it('types new outputs from value info when it is known', () => {
    const bytes = buildModel({
      graph: {
        nodes: [
          { name: 'a', opType: 'Relu', inputs: ['x'], outputs: ['h'] },
          { name: 'b', opType: 'Neg', inputs: ['h'], outputs: ['y'] },
        ],
        inputs: [{ name: 'x', elemType: 'FLOAT', shape: ['n', 3] }],
        outputs: [{ name: 'y', elemType: 'FLOAT', shape: ['n', 3] }],
        valueInfo: [{ name: 'h', elemType: 'FLOAT', shape: ['n', 3] }],
      },
    }).modelBytes;
    const result = indexModel(applyGraphSurgery(indexModel(bytes), { addOutputs: [{ name: 'h' }, { name: 'x' }] }).modelBytes);
    expect(result.graph.outputs.slice(1).map(({ name, elemType, shape }) => ({ name, elemType, shape }))).toEqual([
      { name: 'h', elemType: 'FLOAT', shape: ['n', 3] },
      { name: 'x', elemType: 'FLOAT', shape: ['n', 3] },
    ]);
  });

  it('adds a missing opset import for contrib nodes', async () => {
    const bytes = buildModel({
      graph: { nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }], inputs: [{ name: 'x', elemType: 'FLOAT', shape: [3] }], outputs: [{ name: 'y', elemType: 'FLOAT', shape: [3] }] },
    }).modelBytes;
    const result = applyGraphSurgery(indexModel(bytes), {
      addOpsetImports: [{ domain: 'com.microsoft', version: 1 }],
      addNodes: [{ name: 'gelu', opType: 'Gelu', domain: 'com.microsoft', inputs: ['y'], outputs: ['g'] }],
      addOutputs: [{ name: 'g', elemType: 'FLOAT', shape: [3] }],
    });
    expect(indexModel(result.modelBytes).opsetImports).toEqual([{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }]);
    const out = await runModel(result.modelBytes, { x: floatTensor([0, 1, -1], [3]) });
    expect(maxAbsDiff(floats(out.g), [0, 0.8413447, -0.1586553])).toBeLessThan(1e-6);
  });

  it('reports every problem of a bad surgery at once', () => {
    const index = indexModel(fixture('merged-if-external.onnx'), { source: 'merged.onnx' });
    const error = thrown(() =>
      spliceGraphSurgery(index, {
        addInputs: [{ name: 'x', elemType: 'FLOAT' }, { name: 'mask' }],
        addNodes: [
          { opType: 'Relu', inputs: ['nowhere'], outputs: ['r'] },
          { opType: 'Custom', domain: 'my.domain', inputs: ['r'], outputs: ['y'] },
        ],
        addOutputs: [{ name: 'then_out' }, { name: 'ghost' }, { name: 'y' }],
        removeOutputs: ['not_an_output'],
        addOpsetImports: [{ domain: '', version: 21 }],
      }),
    );
    expect(error).toMatchObject({
      code: 'E_GRAPH_EDIT',
      details: {
        file: 'merged.onnx',
        problems: [
          "input 'x' already exists",
          "input 'mask' needs an elemType",
          "node #0 (Relu) reads 'nowhere', which is not defined",
          "output of node #1 (Custom) 'y' already exists",
          "node #1 (Custom) uses domain 'my.domain' without an opset import",
          "output 'not_an_output' to remove is not a graph output",
          "value 'then_out' exists only inside a subgraph and cannot be a graph output",
          "output 'ghost' is not a value of the graph",
          "output 'y' already exists",
          "opset '' is imported at version 17, lower than 21",
        ],
      },
    });
  });
});

/** erf by its Maclaurin series (60 terms: exact to float precision for the small |x| of this model). */
function erf(x: number): number {
  let sum = 0;
  let term = x;
  for (let n = 0; n < 60; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
