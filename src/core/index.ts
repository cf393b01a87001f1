/** The core layer: run configuration, policy (tiers and profiles), the certify runner and its events. */
export * from './config/index.js';
export * from './events/index.js';
export * from './policy/index.js';
export * from './resources/index.js';
export * from './runner/index.js';
