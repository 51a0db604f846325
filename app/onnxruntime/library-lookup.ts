/** Finds a shared library by name the way the Linux dynamic loader would: LD_LIBRARY_PATH, RUNPATH, ld.so.cache, default folders. */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface LibraryLookup {
  /**
   * The path the loader would open for `soname` (e.g. `libcublasLt.so.13`), or undefined when no folder has it.
   * `runpath` are the asking object's DT_RUNPATH folders (already with `$ORIGIN` replaced), searched after
   * LD_LIBRARY_PATH and before the ld.so cache, as ld.so does.
   */
  find(soname: string, runpath?: readonly string[]): string | undefined;
  /** One line naming what was searched, for messages. */
  describe(): string;
}

export interface LibraryLookupOptions {
  env?: NodeJS.ProcessEnv;
  arch?: string;
  /** The output of `ldconfig -p`; read from the system when undefined (tests pass their own). */
  ldconfigOutput?: string;
  /** The loader's built-in folders; the usual Linux ones when undefined. */
  defaultDirs?: readonly string[];
}

const defaultLinuxDirs = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib'];
const defaultArm64Dirs = ['/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib'];

/** Creates a lookup over the current process's environment (or the one given); the ld.so cache is read once. */
export function createLibraryLookup(options: LibraryLookupOptions = {}): LibraryLookup {
  const env = options.env ?? process.env;
  const arch = options.arch ?? process.arch;
  const ldLibraryPath = (env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean);
  const defaultDirs = options.defaultDirs ?? (arch === 'arm64' ? defaultArm64Dirs : defaultLinuxDirs);
  let cache: Map<string, string> | undefined;
  let cacheSource = 'ldconfig -p';
  const ldCache = (): Map<string, string> => {
    if (!cache) {
      const output = options.ldconfigOutput ?? readLdconfig();
      if (output === undefined) cacheSource = 'no ld.so cache (ldconfig not found)';
      cache = parseLdconfig(output ?? '', arch);
    }
    return cache;
  };
  const inDir = (dir: string, soname: string): string | undefined => {
    const path = join(dir, soname);
    return isFile(path) ? path : undefined;
  };
  return {
    find(soname, runpath = []) {
      for (const dir of ldLibraryPath) {
        const hit = inDir(dir, soname);
        if (hit) return hit;
      }
      for (const dir of runpath) {
        const hit = inDir(dir, soname);
        if (hit) return hit;
      }
      const cached = ldCache().get(soname);
      if (cached && isFile(cached)) return cached;
      for (const dir of defaultDirs) {
        const hit = inDir(dir, soname);
        if (hit) return hit;
      }
      return undefined;
    },
    describe() {
      ldCache();
      const parts = [];
      if (ldLibraryPath.length > 0) parts.push(`LD_LIBRARY_PATH=${ldLibraryPath.join(delimiter)}`);
      else parts.push('LD_LIBRARY_PATH unset');
      parts.push(cacheSource, defaultDirs.join(delimiter));
      return parts.join('; ');
    },
  };
}

/** Parses `ldconfig -p` lines such as `\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1`, keeping this arch's entries. */
export function parseLdconfig(output: string, arch: string): Map<string, string> {
  const wanted = arch === 'x64' ? 'x86-64' : arch === 'arm64' ? 'AArch64' : undefined;
  const map = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^\s+(\S+)\s+\(([^)]*)\)(?:\s+OS ABI:[^=]*)?\s+=>\s+(.+?)\s*$/.exec(line);
    if (!match) continue;
    const [, name, flags, path] = match as unknown as [string, string, string, string];
    if (wanted && !flags.split(',').includes(wanted)) continue;
    if (!map.has(name)) map.set(name, path); // ldconfig lists the preferred entry first
  }
  return map;
}

function readLdconfig(): string | undefined {
  for (const command of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    try {
      return execFileSync(command, ['-p'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      // not on PATH or not runnable: try the next spelling
    }
  }
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}
