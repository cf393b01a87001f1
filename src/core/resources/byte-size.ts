/** Byte sizes as people write them (`16GiB`, `12G`, `800 MiB`, `4294967296`), for `--max-memory`. */
import { InvarlockError } from '../../errors/index.js';

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** The pattern contracts/config.schema.json gives `max_memory` strings. */
export const BYTE_SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

/**
 * Parses a byte size: a number of bytes, or a number with a unit (K/M/G/T and KiB… are powers of
 * 1024, KB… powers of 1000). Throws `E_CONFIG_INVALID` naming `field` for anything else or zero.
 */
export function parseByteSize(value: string | number, field: string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return value;
    throw new InvarlockError('E_CONFIG_INVALID', `${field} must be a positive number of bytes, got ${value}`, { details: { field, actual: String(value) } });
  }
  const match = BYTE_SIZE_PATTERN.exec(value);
  const unit = match === null ? undefined : UNITS[match[2]!.toLowerCase()];
  const bytes = match === null || unit === undefined ? NaN : Math.floor(Number(match[1]) * unit);
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) {
    throw new InvarlockError('E_CONFIG_INVALID', `${field} must be a size such as 16GiB, 12G, 800MiB or a number of bytes, got '${value}'`, {
      details: { field, actual: value, expected: 'a positive size: N, N KiB/MiB/GiB/TiB, N K/M/G/T or N KB/MB/GB/TB' },
    });
  }
  return bytes;
}

/** A byte count for messages: `4.1 GiB`, `800 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return `${Math.round(bytes / 1024 ** 2).toLocaleString('en-US')} MiB`;
}
