/** The machine a benchmark ran on, for RESULTS.md: CPU, cores, memory, Node, onnxruntime, load. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem, release, platform, arch } from 'node:os';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';

/** A description of the host. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly logicalCores: number;
  readonly totalMemoryBytes: number;
  readonly node: string;
  readonly onnxruntime: string;
  readonly numpy: string;
  readonly os: string;
  /** 1, 5 and 15 minute load averages at the start of the run. */
  readonly loadAtStart: readonly number[];
}

function cpuModel(): string {
  const fromOs = cpus()[0]?.model?.trim() ?? '';
  if (fromOs !== '') return fromOs;
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function numpyVersion(): string {
  try {
    return execFileSync('/usr/bin/python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return 'not available';
  }
}

/** Reads the host description (synchronously; a few milliseconds plus one python3 start). */
export function describeMachine(): MachineInfo {
  const require = createRequire(import.meta.url);
  const ortVersion = (require('onnxruntime-node/package.json') as { version: string }).version;
  return {
    cpuModel: cpuModel(),
    logicalCores: availableParallelism(),
    totalMemoryBytes: totalmem(),
    node: process.version,
    onnxruntime: ortVersion,
    numpy: numpyVersion(),
    os: `${platform()} ${release()} ${arch()}`,
    loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The 1-minute load average now. */
export function loadNow(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}
