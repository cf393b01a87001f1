import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';

/**
 * Memory the machine can give a run now: Linux's `MemAvailable` (free memory plus the page cache it
 * can drop), else Node's `os.freemem()`. The default budget of `--max-memory`.
 */
export function availableMemoryBytes(): number {
  try {
    const match = /^MemAvailable:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match !== null) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall through
  }
  return freemem();
}
