/** Test helper: writes safetensors bytes (the real format) from named tensors. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: 'F32' | 'F16' | 'BF16' | 'F64' | 'I64';
  readonly shape: readonly number[];
  /** Values (encoded to the dtype); for F16/BF16 pass values exactly representable to compare exactly. */
  readonly values: readonly number[];
}

export function writeSafetensors(tensors: readonly TensorSpec[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header['__metadata__'] = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of tensors) {
    const bytes = encode(t);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  while ((json.length + 8) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function encode(t: TensorSpec): Uint8Array {
  const width = t.dtype === 'F64' || t.dtype === 'I64' ? 8 : t.dtype === 'F32' ? 4 : 2;
  const out = new Uint8Array(t.values.length * width);
  const view = new DataView(out.buffer);
  const f32 = new DataView(new ArrayBuffer(4));
  t.values.forEach((v, i) => {
    switch (t.dtype) {
      case 'F64':
        view.setFloat64(i * 8, v, true);
        break;
      case 'I64':
        view.setBigInt64(i * 8, BigInt(v), true);
        break;
      case 'F32':
        view.setFloat32(i * 4, v, true);
        break;
      case 'BF16':
        f32.setFloat32(0, v, true);
        view.setUint16(i * 2, f32.getUint32(0, true) >>> 16, true);
        break;
      case 'F16':
        view.setUint16(i * 2, toHalf(v), true);
        break;
    }
  });
  return out;
}

/** float → binary16 bits, for values exactly representable in half precision (tests use such values). */
function toHalf(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  let exponent = Math.floor(Math.log2(a));
  if (exponent < -14) return sign | Math.round(a / 2 ** -24);
  let mantissa = Math.round((a / 2 ** exponent - 1) * 1024);
  if (mantissa === 1024) {
    mantissa = 0;
    exponent++;
  }
  return sign | ((exponent + 15) << 10) | mantissa;
}
