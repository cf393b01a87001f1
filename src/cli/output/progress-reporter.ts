import type { RunEvent } from '../../core/index.js';
import type { Style } from './style.js';

/** Where progress goes: stderr, so that `--json` output on stdout stays clean. */
export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Verbosity of the CLI: `quiet` prints warnings only, `verbose` adds info lines. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

const BAR_WIDTH = 24;

/**
 * Turns run events into output: on a TTY one redrawn line per stage with a bar, otherwise plain
 * lines (one per stage start/end and per 25 % of a scoring arm) that read well in CI logs.
 */
export function createProgressReporter(sink: ProgressSink, style: Style, verbosity: Verbosity): (event: RunEvent) => void {
  const tty = sink.isTTY === true;
  let lineOpen = false;
  const lastQuarter = new Map<string, number>();
  const endLine = () => {
    if (lineOpen) sink.write('\n');
    lineOpen = false;
  };
  return (event) => {
    switch (event.type) {
      case 'stage-start':
        if (verbosity === 'quiet') return;
        endLine();
        sink.write(`${style.cyan('▸')} ${event.stage}${event.subject === null ? '' : ` [${event.subject}]`}: ${event.message}\n`);
        return;
      case 'stage-end':
        if (verbosity === 'quiet') return;
        endLine();
        if (verbosity === 'verbose') sink.write(style.dim(`  ${event.stage} done in ${(event.durationMs / 1000).toFixed(1)} s\n`));
        return;
      case 'batch': {
        if (verbosity === 'quiet') return;
        const label = `  ${event.model} ${event.arm}`;
        if (tty) {
          const filled = event.total === 0 ? BAR_WIDTH : Math.round((event.done / event.total) * BAR_WIDTH);
          sink.write(`\r${label} ${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ${event.done}/${event.total}`);
          lineOpen = event.done < event.total;
          if (!lineOpen) sink.write('\n');
          return;
        }
        const key = `${event.subject ?? ''}|${event.model}|${event.arm}`;
        const quarter = event.total === 0 ? 4 : Math.floor((event.done / event.total) * 4);
        if ((lastQuarter.get(key) ?? -1) < quarter) {
          lastQuarter.set(key, quarter);
          if (quarter > 0) sink.write(`${label}: ${event.done}/${event.total} windows\n`);
        }
        return;
      }
      case 'warning':
        endLine();
        sink.write(`${style.yellow('warning')} [${event.id}] ${event.message}\n`);
        return;
      case 'info':
        if (verbosity !== 'verbose') return;
        endLine();
        sink.write(style.dim(`  ${event.message}\n`));
        return;
      default: {
        const never: never = event;
        return never;
      }
    }
  };
}
