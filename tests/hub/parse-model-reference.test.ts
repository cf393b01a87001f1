import { describe, expect, it } from 'vitest';
import { describeReference, parseModelReference } from '../../src/hub/index.js';
import { isInvarlockError } from '../../src/errors/index.js';

function refError(input: string): { code: string; field: unknown } {
  try {
    parseModelReference(input);
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, field: error.details.field };
    throw error;
  }
  throw new Error(`${input} parsed`);
}

describe('parseModelReference', () => {
  it('parses hf:org/name with the main revision by default', () => {
    expect(parseModelReference('hf:openai-community/gpt2')).toEqual({
      kind: 'hf', input: 'hf:openai-community/gpt2', repo: 'openai-community/gpt2', revision: 'main', file: undefined,
    });
  });

  it('parses a revision and an ONNX file path', () => {
    expect(parseModelReference('hf:onnx-community/Qwen2.5-0.5B@refs/pr/3#onnx/model_q4.onnx')).toMatchObject({
      repo: 'onnx-community/Qwen2.5-0.5B', revision: 'refs/pr/3', file: 'onnx/model_q4.onnx',
    });
    const sha = 'a'.repeat(40);
    expect(parseModelReference(`hf:org/name@${sha}`)).toMatchObject({ revision: sha });
  });

  it('treats anything without a scheme as a local path', () => {
    expect(parseModelReference('./models/gpt2')).toEqual({ kind: 'local', input: './models/gpt2', path: './models/gpt2' });
    expect(parseModelReference('/abs/model.onnx')).toMatchObject({ kind: 'local', path: '/abs/model.onnx' });
  });

  it.each([
    ['hf:gpt2', 'repo'],
    ['hf:a/b/c', 'repo'],
    ['hf:-org/name', 'org'],
    ['hf:org/na--me', 'name'],
    ['hf:org/name.', 'name'],
    ['hf:org/', 'name'],
    ['hf:org/name@', 'revision'],
    ['hf:org/name@bad rev', 'revision'],
    ['hf:org/name@../x', 'revision'],
    ['hf:org/name#model.bin', 'file'],
    ['hf:org/name#../model.onnx', 'file'],
    ['hf:org/name#/abs.onnx', 'file'],
    ['hf://org/name', 'repo'],
    ['https://huggingface.co/org/name', 'scheme'],
    ['', 'reference'],
  ])('rejects %j with E_MODEL_REF naming the %s', (input, field) => {
    expect(refError(input)).toEqual({ code: 'E_MODEL_REF', field });
  });
});

describe('describeReference', () => {
  it('records what is known before resolution and nulls the rest', () => {
    expect(describeReference(parseModelReference('hf:org/name@v1#m.onnx'))).toEqual({
      kind: 'hf', input: 'hf:org/name@v1#m.onnx', repo: 'org/name', revision: 'v1', commit: null, file: 'm.onnx', path: null, source: null,
    });
    const sha = 'b'.repeat(40);
    expect(describeReference(parseModelReference(`hf:org/name@${sha}`))).toMatchObject({ commit: sha, file: null });
    expect(describeReference(parseModelReference('m/'))).toEqual({
      kind: 'local', input: 'm/', repo: null, revision: null, commit: null, file: null, path: null, source: null,
    });
  });
});

describe('parseModelReference on arbitrary input', () => {
  it('parses or throws E_MODEL_REF, never anything else', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }).map((s) => `hf:${s}`)), (input) => {
        try {
          const ref = parseModelReference(input);
          expect(ref.input).toBe(input);
        } catch (error) {
          expect(isInvarlockError(error, 'E_MODEL_REF')).toBe(true);
        }
      }),
      { seed: 23, numRuns: 1000 },
    );
  });
});
