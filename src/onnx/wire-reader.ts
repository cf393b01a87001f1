/**
 * A bounds-checked protobuf wire-format reader over a byte array. It never copies payloads and
 * never throws anything but {@link InvarlockError}: reading past the end of the file is
 * `E_MODEL_TRUNCATED`, anything else malformed (bad wire type, field overrunning its message,
 * varint longer than 10 bytes) is `E_MODEL_PARSE`; both carry `details.file`, `details.offset`
 * and, when known, `details.field` (a path such as `ModelProto.graph.node[3]`).
 * @see https://protobuf.dev/programming-guides/encoding/
 * @internal
 */
import { InvarlockError } from '../errors/index.js';

/** Protobuf wire types. */
export const WIRE = { VARINT: 0, FIXED64: 1, LEN: 2, START_GROUP: 3, END_GROUP: 4, FIXED32: 5 } as const;

const TWO_32 = 4294967296;
const utf8 = new TextDecoder('utf-8');

/** @internal */
export class WireReader {
  /** Current read position (absolute offset in `bytes`). */
  pos = 0;
  readonly bytes: Uint8Array;
  readonly source: string;
  private readonly view: DataView;

  constructor(bytes: Uint8Array, source: string) {
    this.bytes = bytes;
    this.source = source;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Throws the right error for a read of `[at, at + need)` that passes `limit`. */
  overrun(at: number, limit: number, field: string, what: string): never {
    if (limit >= this.bytes.length) {
      throw new InvarlockError('E_MODEL_TRUNCATED', `${this.source}: the file ends inside ${what} of ${field} (offset ${at})`, {
        hint: 'The file is incomplete; download or export it again.',
        details: { file: this.source, offset: at, field },
      });
    }
    throw this.malformed(at, field, `${what} overruns its enclosing message`);
  }

  /** An `E_MODEL_PARSE` error at `offset`. */
  malformed(offset: number, field: string, problem: string): InvarlockError {
    return new InvarlockError('E_MODEL_PARSE', `${this.source}: not a well-formed ONNX model: ${problem} at offset ${offset} (${field})`, {
      hint: 'Check that the file is an ONNX model (.onnx), not JSON, safetensors or an LFS pointer.',
      details: { file: this.source, offset, field },
    });
  }

  /** Reads an unsigned varint (up to 64 bits) as a number; exact below 2^53. */
  readVarint(limit: number, field: string): number {
    return this.varint(limit, field, false);
  }

  /** Reads a varint as a two's-complement int64 (e.g. `-1` dims, negative axes); exact within ±2^53. */
  readInt64(limit: number, field: string): number {
    return this.varint(limit, field, true);
  }

  /** Reads a varint as an exact 64-bit bigint (`signed` selects int64 over uint64). */
  readBigVarint(limit: number, field: string, signed: boolean): bigint {
    const start = this.pos;
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= limit) this.overrun(start, limit, field, 'a varint');
      const byte = this.bytes[this.pos++]!;
      value |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if (byte < 0x80) return signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value);
    }
    throw this.malformed(start, field, 'a varint longer than 10 bytes');
  }

  private varint(limit: number, field: string, signed: boolean): number {
    const bytes = this.bytes;
    let pos = this.pos;
    const start = pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= limit) this.overrun(start, limit, field, 'a varint');
      const byte = bytes[pos++]!;
      if (i < 4) lo |= (byte & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (byte & 0x0f) << 28;
        hi = (byte & 0x7f) >>> 4;
      } else hi |= (byte & 0x7f) << (7 * i - 32);
      if (byte < 0x80) {
        this.pos = pos;
        // Split hi/lo so that int64 -1 (ten 0xff bytes) stays exact: (hi|0) is the signed high word.
        return (signed ? hi | 0 : hi >>> 0) * TWO_32 + (lo >>> 0);
      }
    }
    throw this.malformed(start, field, 'a varint longer than 10 bytes');
  }

  /** Reads a tag; returns `field * 8 + wireType` (split with `>>> 3` and `& 7`). */
  readTag(limit: number, field: string): number {
    const at = this.pos;
    const tag = this.readVarint(limit, field);
    if (tag > 0xffffffff || tag >>> 3 === 0) throw this.malformed(at, field, `an invalid field tag ${tag}`);
    const wire = tag & 7;
    // ONNX has no groups; wire types 3, 4, 6 and 7 mean the bytes are not an ONNX protobuf.
    if (wire === WIRE.START_GROUP || wire === WIRE.END_GROUP || wire > WIRE.FIXED32) throw this.malformed(at, field, `unsupported wire type ${wire}`);
    return tag;
  }

  /**
   * Reads a length prefix and returns the payload end; `pos` is left at the payload start.
   * A payload past the file end is truncation; past `limit` but inside the file, malformed.
   */
  readLength(limit: number, field: string): number {
    const at = this.pos;
    const length = this.readVarint(limit, field);
    const end = this.pos + length;
    if (end > limit) this.overrun(at, limit, field, `a ${length}-byte field`);
    return end;
  }

  /** Skips a field's value of the given wire type. */
  skip(wire: number, limit: number, field: string): void {
    switch (wire) {
      case WIRE.VARINT:
        this.readVarint(limit, field);
        return;
      case WIRE.FIXED64:
        this.need(8, limit, field);
        this.pos += 8;
        return;
      case WIRE.LEN:
        this.pos = this.readLength(limit, field);
        return;
      case WIRE.FIXED32:
        this.need(4, limit, field);
        this.pos += 4;
        return;
      default:
        throw this.malformed(this.pos, field, `unsupported wire type ${wire}`);
    }
  }

  /** Throws unless `count` bytes remain before `limit`. */
  need(count: number, limit: number, field: string): void {
    if (this.pos + count > limit) this.overrun(this.pos, limit, field, `a ${count}-byte value`);
  }

  /** Reads a little-endian fixed32 float. */
  readFloat(limit: number, field: string): number {
    this.need(4, limit, field);
    const value = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** Reads a little-endian fixed64 double. */
  readDouble(limit: number, field: string): number {
    this.need(8, limit, field);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** Decodes `[start, end)` as UTF-8 (invalid sequences become U+FFFD). */
  text(start: number, end: number): string {
    return start === end ? '' : utf8.decode(this.bytes.subarray(start, end));
  }

  /** Reads a length-delimited string field value. */
  readString(limit: number, field: string): string {
    const end = this.readLength(limit, field);
    const value = this.text(this.pos, end);
    this.pos = end;
    return value;
  }

  /** Throws `E_MODEL_PARSE` unless a field has the expected wire type. */
  expectWire(wire: number, expected: number, field: string): void {
    if (wire !== expected) throw this.malformed(this.pos, field, `wire type ${wire} where ${expected} was expected`);
  }
}

/**
 * Reads the values of a repeated scalar field that may come packed (wire type 2) or one per field.
 * `read` consumes one value at the reader's position.
 * @internal
 */
export function readRepeated(
  reader: WireReader,
  wire: number,
  scalarWire: number,
  limit: number,
  field: string,
  read: (end: number) => number,
  into: number[],
): void {
  if (wire === WIRE.LEN) {
    const end = reader.readLength(limit, field);
    while (reader.pos < end) into.push(read(end));
    return;
  }
  reader.expectWire(wire, scalarWire, field);
  into.push(read(limit));
}
