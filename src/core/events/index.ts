export { STAGES, passRate, type RunEvent, type RunEventListener, type StageName } from './run-event.js';
export { EVENT_STREAM_FORMAT, type StreamedEvent } from './event-stream-format.js';
