/** Spawns a Node child process running a module next to the caller, both from compiled JS and from TS sources. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `entry` is the module's URL as the caller sees it (`new URL('./x.js', import.meta.url)`). From TypeScript
 * sources the `.ts` file runs under tsx instead.
 */
export function spawnModule(entry: URL, args: string[]): ChildProcess {
  const fromSource = import.meta.url.endsWith('.ts');
  const path = fileURLToPath(fromSource ? new URL(entry.href.replace(/\.js$/, '.ts')) : entry);
  const loader = fromSource ? ['--import', 'tsx'] : [];
  return spawn(process.execPath, [...loader, path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}
