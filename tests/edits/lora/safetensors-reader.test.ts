import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../../src/edits/index.js';
import { InvarlockError, isInvarlockError } from '../../../src/errors/index.js';
import { writeSafetensors } from './safetensors-writer.js';

const SOURCE = 'adapter_model.safetensors';

function codeOf(fn: () => unknown): { code: string; details: Record<string, unknown> } | null {
  try {
    fn();
    return null;
  } catch (error) {
    if (!isInvarlockError(error)) throw error;
    return { code: error.code, details: error.details };
  }
}

describe('parseSafetensors', () => {
  it('reads F32, F16, BF16 and F64 tensors with their shapes and metadata', () => {
    const bytes = writeSafetensors(
      [
        { name: 'a', dtype: 'F32', shape: [2, 2], values: [1.5, -2, 0.1, 3] },
        { name: 'h', dtype: 'F16', shape: [3], values: [0.5, -1.25, 6.103515625e-5] },
        { name: 'b', dtype: 'BF16', shape: [2], values: [1.5, -3] },
        { name: 'd', dtype: 'F64', shape: [1], values: [0.25] },
      ],
      { format: 'pt' },
    );
    const file = parseSafetensors(bytes, { source: SOURCE });
    expect(file.metadata).toEqual({ format: 'pt' });
    expect([...file.entries.keys()]).toEqual(['a', 'h', 'b', 'd']);
    expect(file.decode('a')).toMatchObject({ dtype: 'F32', shape: [2, 2] });
    expect([...file.decode('a').data]).toEqual([1.5, -2, Math.fround(0.1), 3]);
    expect([...file.decode('h').data]).toEqual([0.5, -1.25, 6.103515625e-5]);
    expect([...file.decode('b').data]).toEqual([1.5, -3]);
    expect([...file.decode('d').data]).toEqual([0.25]);
  });

  it('decodes half-precision subnormals, infinities and NaN', () => {
    const bytes = writeSafetensors([{ name: 'h', dtype: 'F16', shape: [1], values: [2 ** -24] }]);
    expect(parseSafetensors(bytes, { source: SOURCE }).decode('h').data[0]).toBe(2 ** -24);
    const raw = writeSafetensors([{ name: 'h', dtype: 'F16', shape: [3], values: [0, 0, 0] }]);
    const view = new DataView(raw.buffer);
    const start = raw.length - 6;
    view.setUint16(start, 0x7c00, true);
    view.setUint16(start + 2, 0xfc00, true);
    view.setUint16(start + 4, 0x7e00, true);
    expect([...parseSafetensors(raw, { source: SOURCE }).decode('h').data]).toEqual([Infinity, -Infinity, NaN]);
  });

  it('refuses a file shorter than its length prefix with E_SAFETENSORS naming the file', () => {
    expect(codeOf(() => parseSafetensors(new Uint8Array(5), { source: SOURCE }))).toMatchObject({ code: 'E_SAFETENSORS', details: { file: SOURCE } });
    const bytes = writeSafetensors([{ name: 'a', dtype: 'F32', shape: [1], values: [1] }]);
    new DataView(bytes.buffer).setBigUint64(0, 10_000n, true);
    expect(codeOf(() => parseSafetensors(bytes, { source: SOURCE }))?.code).toBe('E_SAFETENSORS');
  });

  it('lists every malformed entry: unknown dtype, bad shape, offsets outside the data, size mismatch, overlap', () => {
    const header = {
      bad_dtype: { dtype: 'F12', shape: [1], data_offsets: [0, 4] },
      bad_shape: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] },
      outside: { dtype: 'F32', shape: [4], data_offsets: [0, 400] },
      wrong_size: { dtype: 'F32', shape: [3], data_offsets: [0, 8] },
      x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      y: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const bytes = new Uint8Array(8 + json.length + 16);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    const error = codeOf(() => parseSafetensors(bytes, { source: SOURCE }));
    expect(error?.code).toBe('E_SAFETENSORS');
    const problems = error?.details['problems'];
    expect(Array.isArray(problems) ? problems.map((p) => String(p).split(':')[0]) : []).toEqual(['bad_dtype', 'bad_shape', 'outside', 'wrong_size', 'y']);
  });

  it('refuses a header that is not a JSON object', () => {
    const json = new TextEncoder().encode('[1,2]');
    const bytes = new Uint8Array(8 + json.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    expect(codeOf(() => parseSafetensors(bytes, { source: SOURCE }))?.code).toBe('E_SAFETENSORS');
  });

  it('decodes other dtypes only on request, and then with E_DTYPE_UNSUPPORTED naming the tensor', () => {
    const file = parseSafetensors(writeSafetensors([{ name: 'ids', dtype: 'I64', shape: [2], values: [1, 2] }]), { source: SOURCE });
    expect(codeOf(() => file.decode('ids'))).toMatchObject({ code: 'E_DTYPE_UNSUPPORTED', details: { tensor: 'ids' } });
    expect(codeOf(() => file.decode('missing'))).toMatchObject({ code: 'E_SAFETENSORS', details: { tensor: 'missing' } });
  });

  it('turns every truncation and bit flip into an InvarlockError or a valid parse', () => {
    const bytes = writeSafetensors([
      { name: 'base_model.model.x.lora_A.weight', dtype: 'F32', shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
      { name: 'base_model.model.x.lora_B.weight', dtype: 'F16', shape: [3, 2], values: [1, 2, 3, 4, 5, 6] },
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length }), fc.integer({ min: 0, max: bytes.length * 8 - 1 }), fc.boolean(), (cut, bit, flip) => {
        const mutated = flip ? bytes.slice() : bytes.slice(0, cut);
        if (flip) mutated[bit >> 3] = (mutated[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        try {
          const file = parseSafetensors(mutated, { source: SOURCE });
          for (const name of file.entries.keys()) file.decode(name);
        } catch (error) {
          expect(error).toBeInstanceOf(InvarlockError);
        }
      }),
      { seed: 3, numRuns: 400 },
    );
  });
});
