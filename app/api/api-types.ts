/**
 * The engine's data shapes as the API carries them: the one place front ends (the renderer above all, which may
 * import nothing of `app/` but `app/api/`) take them from. Types only: nothing of the engine is loaded.
 */
export type * from '../engine/engine-types.js';
