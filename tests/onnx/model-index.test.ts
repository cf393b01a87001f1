import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel, externalDataLocations, getGraphLookup, indexModel, listTensors, opsetVersion, type GraphSpec, type ModelSpec } from '../../src/onnx/index.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const fixture = (name: string): Uint8Array => fs.readFileSync(path.join(FIXTURES, name));

const STORAGE_SPEC: ModelSpec = {
  irVersion: 9,
  producerName: 'unit',
  producerVersion: '1.2.3',
  docString: 'doc',
  metadataProps: [{ key: 'license', value: 'mit' }],
  opsetImports: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
  graph: {
    name: 'storage',
    nodes: [{ name: 'id', opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
    initializers: [
      { name: 'raw', dataType: 'FLOAT', dims: [2, 2], values: [1, 2, 3, 4] },
      { name: 'float_packed', dataType: 'FLOAT', dims: [3], values: [1, 2, 3], storage: 'typed_data' },
      { name: 'float_unpacked', dataType: 'FLOAT', dims: [3], values: [1, 2, 3], storage: 'typed_data', packing: 'unpacked' },
      { name: 'int32_packed', dataType: 'INT8', dims: [3], values: [-1, 0, 1], storage: 'typed_data' },
      { name: 'int32_unpacked', dataType: 'FLOAT16', dims: [2], values: [1, 2], storage: 'typed_data', packing: 'unpacked' },
      { name: 'int64', dataType: 'INT64', dims: [2], values: [-5, 7], storage: 'typed_data' },
      { name: 'double', dataType: 'DOUBLE', dims: [1], values: [0.5], storage: 'typed_data' },
      { name: 'uint64', dataType: 'UINT32', dims: [2], values: [1, 4000000000], storage: 'typed_data' },
      { name: 'external', dataType: 'FLOAT', dims: [300], values: new Float32Array(300), placement: 'external' },
      { name: 'empty', dataType: 'FLOAT', dims: [0, 4], values: [] },
    ],
    inputs: [
      { name: 'x', elemType: 'FLOAT', shape: ['batch_size', null, 4] },
      { name: 'untyped' },
      { name: 'rankless', elemType: 'INT64' },
    ],
    outputs: [{ name: 'y', elemType: 'FLOAT', shape: ['batch_size', null, 4] }],
  },
};

describe('indexModel', () => {
  it('reads the model header, opsets and metadata', () => {
    const index = indexModel(buildModel(STORAGE_SPEC).modelBytes, { source: 'storage.onnx' });
    expect(index).toMatchObject({ source: 'storage.onnx', irVersion: 9, producerName: 'unit', producerVersion: '1.2.3', docString: 'doc', functionCount: 0 });
    expect(index.metadataProps).toEqual([{ key: 'license', value: 'mit' }]);
    expect(index.opsetImports).toEqual([{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }]);
    expect(opsetVersion(index, 'ai.onnx')).toBe(17);
    expect(opsetVersion(index, 'com.microsoft')).toBe(1);
    expect(opsetVersion(index, 'ai.onnx.ml')).toBeUndefined();
    expect(index.graph.name).toBe('storage');
  });

  it('records every storage form as a range, without copying the bytes', () => {
    const bytes = buildModel(STORAGE_SPEC).modelBytes;
    const index = indexModel(bytes);
    expect(index.bytes).toBe(bytes);
    const byName = new Map(index.graph.initializers.map((t) => [t.name, t]));
    expect(byName.get('raw')).toMatchObject({ dims: [2, 2], dataType: 'FLOAT', dataTypeCode: 1, elementCount: 4, dataLocation: 'default', data: { storage: 'raw' } });
    expect(byName.get('float_packed')?.data).toMatchObject({ storage: 'float_data', encoding: 'packed' });
    expect(byName.get('float_unpacked')?.data).toMatchObject({ storage: 'float_data', encoding: 'scattered' });
    expect(byName.get('int32_packed')?.data).toMatchObject({ storage: 'int32_data', encoding: 'packed' });
    expect(byName.get('int32_unpacked')?.data).toMatchObject({ storage: 'int32_data', encoding: 'scattered' });
    expect(byName.get('int64')?.data).toMatchObject({ storage: 'int64_data', encoding: 'packed' });
    expect(byName.get('double')?.data).toMatchObject({ storage: 'double_data', encoding: 'packed' });
    expect(byName.get('uint64')?.data).toMatchObject({ storage: 'uint64_data', encoding: 'packed' });
    expect(byName.get('external')).toMatchObject({
      dataLocation: 'external',
      data: { storage: 'external', location: 'model.onnx_data', offset: 0, length: 1200, checksum: undefined },
    });
    expect(byName.get('empty')).toMatchObject({ elementCount: 0, data: { storage: 'raw', start: expect.any(Number) } });
    const raw = byName.get('raw')!;
    if (raw.data.storage !== 'raw') throw new Error('raw expected');
    expect(new Float32Array(bytes.slice(raw.data.start, raw.data.end).buffer)).toEqual(new Float32Array([1, 2, 3, 4]));
    expect(bytes[raw.span.start]).toBe((5 << 3) | 2);
    expect(raw.enclosing).toEqual([index.graph.span]);
  });

  it('reads value info with symbolic, unknown and missing dims', () => {
    const index = indexModel(buildModel(STORAGE_SPEC).modelBytes);
    expect(index.graph.inputs.map(({ name, kind, elemType, shape }) => ({ name, kind, elemType, shape }))).toEqual([
      { name: 'x', kind: 'tensor', elemType: 'FLOAT', shape: ['batch_size', null, 4] },
      { name: 'untyped', kind: 'none', elemType: undefined, shape: undefined },
      { name: 'rankless', kind: 'tensor', elemType: 'INT64', shape: undefined },
    ]);
  });

  it('reads every attribute kind, including int64 extremes', () => {
    const graph: GraphSpec = {
      nodes: [
        {
          name: 'n',
          opType: 'Custom',
          domain: 'test.domain',
          inputs: ['x', '', 'z'],
          outputs: ['y'],
          attributes: [
            { name: 'i', kind: 'int', value: -3 },
            { name: 'big', kind: 'int', value: 9223372036854775807n },
            { name: 'f', kind: 'float', value: 0.25 },
            { name: 's', kind: 'string', value: 'λ' },
            { name: 'is', kind: 'ints', values: [1, -1, 2 ** 40] },
            { name: 'fs', kind: 'floats', values: [0.5, -1] },
            { name: 'ss', kind: 'strings', values: ['a', 'b'] },
            { name: 't', kind: 'tensor', tensor: { name: 'tt', dataType: 'INT64', dims: [1], values: [42] } },
          ],
        },
      ],
      outputs: [{ name: 'y' }],
    };
    const index = indexModel(buildModel({ graph }).modelBytes);
    const node = index.graph.nodes[0]!;
    expect(node).toMatchObject({ name: 'n', opType: 'Custom', domain: 'test.domain', inputs: ['x', '', 'z'], outputs: ['y'], position: 0, graphId: 0 });
    const attributes = node.attributes.map((a) => (a.kind === 'tensor' ? { kind: a.kind, name: a.name, tensor: a.tensor.name } : a));
    expect(attributes).toEqual([
      { kind: 'int', name: 'i', value: -3 },
      { kind: 'int', name: 'big', value: Number(9223372036854775807n) },
      { kind: 'float', name: 'f', value: 0.25 },
      { kind: 'string', name: 's', value: 'λ' },
      { kind: 'ints', name: 'is', values: [1, -1, 2 ** 40] },
      { kind: 'floats', name: 'fs', values: [0.5, -1] },
      { kind: 'strings', name: 'ss', values: ['a', 'b'] },
      { kind: 'tensor', name: 't', tensor: 'tt' },
    ]);
  });

  it('indexes If branches of a merged decoder recursively, with their enclosing messages', () => {
    const index = indexModel(fixture('merged-if-external.onnx'));
    expect(index.graphs.map((g) => ({ id: g.id, parentId: g.parentId, path: g.path, name: g.name }))).toEqual([
      { id: 0, parentId: undefined, path: '', name: 'merged' },
      { id: 1, parentId: 0, path: 'optimum::if/else_branch', name: 'else_branch' },
      { id: 2, parentId: 0, path: 'optimum::if/then_branch', name: 'then_branch' },
    ]);
    const thenGraph = index.graphs[2]!;
    const ifNode = index.graph.nodes[0]!;
    const thenAttribute = ifNode.attributes.find((a) => a.name === 'then_branch');
    expect(thenAttribute).toEqual({ kind: 'graph', name: 'then_branch', graphId: 2 });
    const tensor = thenGraph.initializers[0]!;
    expect(tensor).toMatchObject({ name: 'then_w', graphId: 2, data: { storage: 'external', location: 'merged-if-external.onnx_data' } });
    expect(tensor.enclosing).toHaveLength(4);
    expect(tensor.enclosing[0]).toEqual(index.graph.span);
    expect(tensor.enclosing[1]).toEqual(ifNode.span);
    expect(tensor.enclosing[3]).toEqual(thenGraph.span);
    expect(thenGraph.nodes[0]).toMatchObject({ name: 'then_mm', graphId: 2, enclosing: [...thenGraph.enclosing, thenGraph.span] });
  });

  it('indexes a real torch.onnx.export model: scoped node names, Constant tensors, onnx::MatMul weights', () => {
    const index = indexModel(fixture('torch-tiny.onnx'));
    expect(index.producerName).toBe('pytorch');
    expect(index.graph.nodes.map((n) => n.name)).toContain('/up/MatMul');
    expect(index.graph.initializers.map((t) => t.name)).toEqual(['embed.weight', 'norm.weight', 'norm.bias', 'up.bias', 'onnx::MatMul_22', 'onnx::MatMul_23']);
    expect(index.graph.inputs[0]).toMatchObject({ name: 'input_ids', elemType: 'INT64', shape: ['batch_size', 'sequence_length'] });
    const lookup = getGraphLookup(index);
    expect(lookup.constantTensor('/Constant_output_0')).toMatchObject({ dataType: 'FLOAT', dims: [], origin: { kind: 'attribute', node: '/Constant', attribute: 'value' } });
  });

  it('records where new graph fields can be inserted', () => {
    const index = indexModel(fixture('helper-matmul-relu.onnx'));
    const { lastFieldEnd, span } = index.graph;
    expect(lastFieldEnd.node).toBe(index.graph.nodes[1]!.span.end);
    expect(lastFieldEnd.initializer).toBe(index.graph.initializers[0]!.span.end);
    expect(lastFieldEnd.output).toBe(span.end);
    expect(index.lastOpsetImportEnd).toBe(index.bytes.length);
  });
});

describe('listTensors and externalDataLocations', () => {
  it('list initializers and attribute tensors of every graph, and the external files', () => {
    const merged = indexModel(fixture('merged-if-external.onnx'));
    expect(listTensors(merged).map((t) => t.name)).toEqual(['shared_w', 'then_w']);
    expect(externalDataLocations(merged)).toEqual(['merged-if-external.onnx_data']);
    const typed = indexModel(fixture('typed-storage.onnx'));
    expect(listTensors(typed).map((t) => t.name)).toEqual(['f32', 'i8', 'f16', 'i64', 'f64', 'u32', 'c_value']);
    expect(externalDataLocations(typed)).toEqual([]);
  });
});

describe('getGraphLookup', () => {
  const index = indexModel(fixture('merged-if-external.onnx'));
  const lookup = getGraphLookup(index);

  it('resolves names outward from a subgraph (ONNX scoping)', () => {
    expect(lookup.initializer('shared_w', 1)?.graphId).toBe(0);
    expect(lookup.initializer('then_w', 2)?.graphId).toBe(2);
    expect(lookup.initializer('then_w', 0)).toBeUndefined();
    expect(lookup.isDefined('x', 2)).toBe(true);
    expect(lookup.isDefined('then_out', 0)).toBe(false);
  });

  it('lists consumers of an outer value inside subgraphs, and producers', () => {
    expect(lookup.consumers('x').map((c) => [c.node.name, c.slot])).toEqual([
      ['else_mm', 0],
      ['then_mm', 0],
    ]);
    expect(lookup.consumers('shared_w').map((c) => c.node.name)).toEqual(['else_mm']);
    expect(lookup.producer('y')?.node.opType).toBe('If');
    expect(lookup.producer('then_out', 2)?.node.name).toBe('then_mm');
    expect(lookup.node('then_mm')?.graphId).toBe(2);
  });

  it('gives value types from value info, initializers and constants', () => {
    expect(lookup.valueType('x')).toEqual({ elemType: 'FLOAT', shape: ['batch', 4] });
    expect(lookup.valueType('shared_w')).toEqual({ elemType: 'FLOAT', shape: [4, 3] });
    expect(lookup.valueType('nothing')).toBeUndefined();
    expect(lookup.graph(2).name).toBe('then_branch');
  });

  it('is memoised per index', () => {
    expect(getGraphLookup(index)).toBe(lookup);
  });
});
