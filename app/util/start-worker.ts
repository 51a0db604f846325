/** Starts a worker thread from a module next to the caller, both from compiled JS and from TypeScript sources. */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * `entry` is the worker module's URL as the caller sees it, e.g. `new URL('./encode-worker.js', import.meta.url)`.
 * When the caller runs from TypeScript sources (tests, `tsx`), the `.js` file does not exist: the `.ts` file is
 * loaded instead, with tsx registered inside the worker first (Node 20 does not pass `--import` hooks to workers).
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  if (!fromSource) return new Worker(entry, options);
  const tsEntry = entry.href.replace(/\.js$/, '.ts');
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code =
    `import(${JSON.stringify(tsxApi)})` +
    `.then(({ register }) => { register(); return import(${JSON.stringify(tsEntry)}); })` +
    `.catch((error) => { process.nextTick(() => { throw error; }); });`;
  return new Worker(code, { ...options, eval: true });
}
