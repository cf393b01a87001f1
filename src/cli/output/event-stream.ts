import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { EVENT_STREAM_FORMAT, type RunEvent } from '../../core/index.js';

/** Where `--events` writes: `stderr`, or a file (created or truncated). */
export interface EventStream {
  readonly listener: (event: RunEvent) => void;
  readonly close: () => void;
}

/**
 * Opens the machine-readable progress stream of `--events TARGET`: NDJSON, one {@link StreamedEvent}
 * per line, written synchronously so a reader tailing the file (or the pipe) sees each event when it
 * happens. stdout is never used, so `--json` output stays one clean record.
 */
export function openEventStream(target: string, cwd: string, stderr: { write(text: string): unknown }, now: () => number = Date.now): EventStream {
  const opened = now();
  const line = (event: RunEvent): string => `${JSON.stringify({ format: EVENT_STREAM_FORMAT, t_ms: now() - opened, ...event })}\n`;
  if (target === 'stderr') return { listener: (event) => void stderr.write(line(event)), close: () => undefined };
  const fd = openSync(resolve(cwd, target), 'w');
  let open = true;
  return {
    listener: (event) => {
      if (open) writeSync(fd, line(event));
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
