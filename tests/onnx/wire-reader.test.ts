import { describe, expect, it } from 'vitest';
import { WIRE, WireReader, readRepeated } from '../../src/onnx/wire-reader.js';
import { thrown } from './ort-helpers.js';

const reader = (bytes: number[]): WireReader => new WireReader(Uint8Array.from(bytes), 'test.onnx');
const TEN_FF = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];

describe('WireReader varints', () => {
  it('reads one-byte and multi-byte varints', () => {
    const r = reader([0x08, 0xac, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10]);
    expect(r.readVarint(8, 'f')).toBe(8);
    expect(r.readVarint(8, 'f')).toBe(300);
    expect(r.readVarint(8, 'f')).toBe(2 ** 32);
    expect(r.pos).toBe(8);
  });

  it('reads int64 -1 (ten bytes) exactly as signed and as a bigint', () => {
    expect(reader(TEN_FF).readInt64(10, 'f')).toBe(-1);
    expect(reader(TEN_FF).readBigVarint(10, 'f', true)).toBe(-1n);
    expect(reader(TEN_FF).readBigVarint(10, 'f', false)).toBe(18446744073709551615n);
  });

  it('reads 2^53 - 1 and negative int64 values exactly', () => {
    const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f];
    expect(reader(max).readVarint(8, 'f')).toBe(Number.MAX_SAFE_INTEGER);
    // -300 as a sign-extended int64 varint
    expect(reader([0xd4, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).readInt64(10, 'f')).toBe(-300);
  });

  it('rejects a varint longer than ten bytes as E_MODEL_PARSE with its offset', () => {
    const r = reader([0x00, ...new Array<number>(11).fill(0x80), 0x01]);
    expect(r.readVarint(13, 'f')).toBe(0);
    expect(thrown(() => r.readVarint(13, 'ModelProto.ir_version'))).toMatchObject({
      code: 'E_MODEL_PARSE',
      details: { file: 'test.onnx', offset: 1, field: 'ModelProto.ir_version' },
    });
  });

  it('reports a varint cut by the end of the file as E_MODEL_TRUNCATED', () => {
    expect(thrown(() => reader([0x80, 0x80]).readVarint(2, 'f'))).toMatchObject({ code: 'E_MODEL_TRUNCATED', details: { file: 'test.onnx', offset: 0, field: 'f' } });
  });

  it('reports a varint cut by the end of its message (not the file) as E_MODEL_PARSE', () => {
    expect(thrown(() => reader([0x80, 0x80, 0x01]).readVarint(2, 'f'))).toMatchObject({ code: 'E_MODEL_PARSE', details: { offset: 0 } });
  });
});

describe('WireReader fields', () => {
  it('rejects field number 0 and tags above 32 bits', () => {
    expect(thrown(() => reader([0x02]).readTag(1, 'm'))).toMatchObject({ code: 'E_MODEL_PARSE', details: { offset: 0 } });
    expect(thrown(() => reader([0xff, 0xff, 0xff, 0xff, 0x7f]).readTag(5, 'm'))).toMatchObject({ code: 'E_MODEL_PARSE' });
  });

  it('rejects group and reserved wire types at the tag', () => {
    for (const wire of [3, 4, 6, 7]) expect(thrown(() => reader([0x08 | wire]).readTag(1, 'm'))).toMatchObject({ code: 'E_MODEL_PARSE', details: { offset: 0, field: 'm' } });
  });

  it('tells a length past the file end (truncated) from one past its message (malformed)', () => {
    expect(thrown(() => reader([0x05, 1, 2]).readLength(3, 'g'))).toMatchObject({ code: 'E_MODEL_TRUNCATED', details: { offset: 0, field: 'g' } });
    expect(thrown(() => reader([0x03, 1, 2, 3, 4]).readLength(3, 'g'))).toMatchObject({ code: 'E_MODEL_PARSE', details: { offset: 0 } });
    const ok = reader([0x02, 9, 9, 7]);
    expect(ok.readLength(4, 'g')).toBe(3);
    expect(ok.pos).toBe(1);
  });

  it('skips every ONNX wire type and refuses groups', () => {
    const r = reader([0x96, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0xaa, 0xbb, 1, 2, 3, 4]);
    r.skip(WIRE.VARINT, 17, 'f');
    r.skip(WIRE.FIXED64, 17, 'f');
    r.skip(WIRE.LEN, 17, 'f');
    r.skip(WIRE.FIXED32, 17, 'f');
    expect(r.pos).toBe(17);
    expect(thrown(() => reader([0]).skip(WIRE.START_GROUP, 1, 'f'))).toMatchObject({ code: 'E_MODEL_PARSE' });
    expect(thrown(() => reader([0]).skip(7, 1, 'f'))).toMatchObject({ code: 'E_MODEL_PARSE' });
  });

  it('reads floats and doubles at unaligned offsets and reports short ones as truncated', () => {
    const bytes = new Uint8Array(13);
    const view = new DataView(bytes.buffer);
    view.setFloat32(1, 1.5, true);
    view.setFloat64(5, -2.25, true);
    const r = new WireReader(bytes, 'x');
    r.pos = 1;
    expect(r.readFloat(13, 'f')).toBe(1.5);
    expect(r.readDouble(13, 'f')).toBe(-2.25);
    expect(thrown(() => reader([1, 2, 3]).readFloat(3, 'f'))).toMatchObject({ code: 'E_MODEL_TRUNCATED' });
  });

  it('reads repeated scalars both packed and one per field', () => {
    const packed = reader([0x03, 0x01, 0x96, 0x01]);
    const values: number[] = [];
    readRepeated(packed, WIRE.LEN, WIRE.VARINT, 4, 'ints', (end) => packed.readVarint(end, 'ints'), values);
    const single = reader([0x07]);
    readRepeated(single, WIRE.VARINT, WIRE.VARINT, 1, 'ints', (end) => single.readVarint(end, 'ints'), values);
    expect(values).toEqual([1, 150, 7]);
    expect(thrown(() => readRepeated(single, WIRE.FIXED32, WIRE.VARINT, 1, 'ints', () => 0, values))).toMatchObject({ code: 'E_MODEL_PARSE' });
  });

  it('decodes strings as UTF-8', () => {
    const text = new TextEncoder().encode('λ/q_proj');
    const r = new WireReader(Uint8Array.from([text.length, ...text]), 'x');
    expect(r.readString(text.length + 1, 'name')).toBe('λ/q_proj');
  });
});
