/** The search box's syntax for front ends (pure, renderer-safe): the same parser the engine runs. */
export { parseQuery, passageMatches, parseDateBound } from '../engine/query-syntax.js';
