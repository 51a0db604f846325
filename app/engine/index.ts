/** The engine: the one object every front end drives (see engine.ts for usage and guarantees). */
export { Engine, type EngineOpenOptions } from './engine.js';
export type { EngineApi } from './engine-contract-check.js';
export { EngineError, isEngineError, toWireError, type EngineErrorCode, type WireError } from './engine-error.js';
export { parseQuery, passageMatches } from './query-syntax.js';
export { DEFAULT_SETTINGS, loadSettings } from './settings-store.js';
export type * from './engine-types.js';
export { FILE_STATES } from './engine-types.js';
