import type { RunEvent } from './run-event.js';

/**
 * The format tag of `invarlock certify --events`: NDJSON, one run event per line with this tag and
 * the ms since the stream opened. A reader that shares the channel with plain text (the Action
 * reads the CLI's stderr) tells events from log lines by the tag.
 */
export const EVENT_STREAM_FORMAT = 'invarlock.event/v1';

/** One line of the stream. */
export type StreamedEvent = RunEvent & { readonly format: typeof EVENT_STREAM_FORMAT; readonly t_ms: number };
