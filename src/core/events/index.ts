export { STAGES, passRate, type RunEvent, type RunEventListener, type StageName } from './run-event.js';
