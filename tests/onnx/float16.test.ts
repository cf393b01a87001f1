import { describe, expect, it } from 'vitest';
import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float16ToNumber,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  numberToBfloat16,
  numberToFloat16,
} from '../../src/onnx/index.js';

const isHalfNaN = (bits: number): boolean => (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
const isBfloatNaN = (bits: number): boolean => (bits & 0x7f80) === 0x7f80 && (bits & 0x7f) !== 0;

describe('float16', () => {
  it('round-trips every non-NaN bit pattern exactly', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const floats = float16BitsToFloat32(all);
    const back = float32ToFloat16Bits(floats);
    for (let bits = 0; bits < 65536; bits++) {
      if (isHalfNaN(bits)) expect(Number.isNaN(floats[bits])).toBe(true);
      else expect(back[bits]).toBe(bits);
    }
  });

  it('decodes known values', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x7c00, 0xfc00, 0x8000].map(float16ToNumber)).toEqual([1, -2, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity, -0]);
  });

  it('rounds to nearest with ties to even, including subnormals and overflow', () => {
    expect(numberToFloat16(1 + 2 ** -11)).toBe(0x3c00);
    expect(numberToFloat16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(numberToFloat16(65519)).toBe(0x7bff);
    expect(numberToFloat16(65520)).toBe(0x7c00);
    expect(numberToFloat16(-1e6)).toBe(0xfc00);
    expect(numberToFloat16(2 ** -25)).toBe(0);
    expect(numberToFloat16(3 * 2 ** -26)).toBe(1);
    expect(numberToFloat16(3 * 2 ** -25)).toBe(2);
    expect(numberToFloat16(2 ** -14 - 2 ** -25)).toBe(0x0400);
    expect(isHalfNaN(numberToFloat16(Number.NaN))).toBe(true);
  });
});

describe('bfloat16', () => {
  it('round-trips every non-NaN bit pattern exactly', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = float32ToBfloat16Bits(bfloat16BitsToFloat32(all));
    for (let bits = 0; bits < 65536; bits++) if (!isBfloatNaN(bits)) expect(back[bits]).toBe(bits);
  });

  it('rounds to nearest with ties to even and keeps NaN a NaN', () => {
    expect(numberToBfloat16(1 + 2 ** -8)).toBe(0x3f80);
    expect(numberToBfloat16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(numberToBfloat16(3.4e38)).toBe(0x7f80);
    expect(isBfloatNaN(numberToBfloat16(Number.NaN))).toBe(true);
  });
});
