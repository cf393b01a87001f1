/**
 * The naming evidence of issue #11, unit by unit: module paths from the dynamo exporter's node
 * metadata (PyTorch docs/source/onnx_dynamo.md), from quantized initializers named after their
 * node, and interface paths matched without their root module.
 */
import { describe, expect, it } from 'vitest';
import { resolveModelInterface } from '../../../src/adapters/index.js';
import { ModuleClassifier } from '../../../src/adapters/interfaces/classify-module.js';
import { moduleOfMetadata, moduleOfNodeNamedInitializer } from '../../../src/adapters/interfaces/module-paths.js';

describe('moduleOfMetadata', () => {
  it('takes the deepest module of pkg.torch.onnx.name_scopes (the last entry is the node itself)', () => {
    const scopes = "['', 'transformer', 'transformer.h.0', 'transformer.h.0.attn', 'transformer.h.0.attn.c_attn', 'addmm']";
    expect(moduleOfMetadata([{ key: 'pkg.torch.onnx.name_scopes', value: scopes }])).toBe('transformer.h.0.attn.c_attn');
    expect(moduleOfMetadata([{ key: 'pkg.torch.onnx.name_scopes', value: "['', 'lm_head', 'linear']" }])).toBe('lm_head');
  });

  it('falls back to the namespace key (name: class pairs joined by /)', () => {
    const namespace = ': transformers.models.gpt2.modeling_gpt2.GPT2LMHeadModel/lm_head: torch.nn.modules.linear.Linear/linear: aten.linear.default';
    expect(moduleOfMetadata([{ key: 'namespace', value: namespace }])).toBe('lm_head');
  });

  it('is null without metadata, or for a node at the root', () => {
    expect(moduleOfMetadata(undefined)).toBeNull();
    expect(moduleOfMetadata([{ key: 'pkg.torch.onnx.name_scopes', value: "['', 'embedding']" }])).toBeNull();
  });
});

describe('moduleOfNodeNamedInitializer', () => {
  it('strips quantizer suffixes and the op segment of initializers named after nodes', () => {
    expect(moduleOfNodeNamedInitializer('h.0.attn.c_attn.Gemm_quantized')).toBe('h.0.attn.c_attn');
    expect(moduleOfNodeNamedInitializer('h.0.mlp.c_fc.Gemm_Q4')).toBe('h.0.mlp.c_fc');
    expect(moduleOfNodeNamedInitializer('lm_head.MatMul_Q4')).toBe('lm_head');
    expect(moduleOfNodeNamedInitializer('transformer.h.0.attn.c_attn.weight')).toBeNull();
    expect(moduleOfNodeNamedInitializer('onnx::MatMul_12_Q4')).toBeNull();
  });
});

describe('ModuleClassifier.classifyLoose', () => {
  it('matches a path missing its root module to the interface path, with the interface key', () => {
    const classifier = new ModuleClassifier(resolveModelInterface({ modelType: 'gpt2' }));
    expect(classifier.classify('h.0.attn.c_attn')).toBeNull();
    expect(classifier.classifyLoose('h.0.attn.c_attn')).toEqual({ key: 'transformer.h.0.attn.c_attn', role: 'qkv', family: 'attn', layer: 0 });
    expect(classifier.classifyLoose('wte')).toEqual({ key: 'transformer.wte', role: 'embed_tokens', family: 'embed', layer: null });
    expect(classifier.classifyLoose('h.2.mlp.c_proj')).toMatchObject({ key: 'transformer.h.2.mlp.c_proj', role: 'down' });
    expect(classifier.classifyLoose('h.0.attn.nothing')).toBeNull();
  });
});
