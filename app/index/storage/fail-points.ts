/**
 * Named fail points for crash and fault-injection tests. Each step of a commit calls `failPoint('name')`; in
 * production nothing is armed and the call costs one Map lookup.
 *
 * The names are a closed list (`FAIL_POINTS`), so a test cannot arm a point no code reaches. Arm them in-process
 * with `armFailPoint(name, action)` or, for a child process, through the environment variable
 * SPLADE_INDEX_FAIL_POINTS, e.g. `commit.before-sqlite-commit=crash,segment.write=enospc`. Actions:
 * - `crash`: SIGKILL the process on the spot (what a power cut or a kill -9 does to a writer);
 * - `error`: throw an Error naming the fail point;
 * - `enospc`: throw an ENOSPC error as a full disk would.
 * An action may carry a count, `name=crash@3`, to fire on the 3rd hit only.
 */

/**
 * Every fail point, in the order a commit reaches them (see the commit protocol in index-writer.ts):
 * - `segment.write`, `segment.fsync`: each write of a segment file's bytes and its fsync (SequentialFile);
 * - `segment.written`: a segment file is complete and fsynced, nothing references it yet;
 * - `commit.before-dir-sync`: before the directory fsync that makes new files durable;
 * - `commit.before-sqlite-commit`, `commit.after-sqlite-commit`: around the COMMIT that is the commit point;
 * - `commit.gc`: before files no commit references are deleted.
 */
export const FAIL_POINTS = [
  'segment.write',
  'segment.fsync',
  'segment.written',
  'commit.before-dir-sync',
  'commit.before-sqlite-commit',
  'commit.after-sqlite-commit',
  'commit.gc',
] as const;

export type FailPointName = (typeof FAIL_POINTS)[number];

export type FailPointAction = 'crash' | 'error' | 'enospc';

function isFailPointName(name: string): name is FailPointName {
  return (FAIL_POINTS as readonly string[]).includes(name);
}

interface Armed {
  action: FailPointAction;
  /** Fire on this hit (1-based); 0 = every hit. */
  onHit: number;
  hits: number;
}

const armed = new Map<FailPointName, Armed>();

function parseEnvironment(): void {
  const spec = process.env.SPLADE_INDEX_FAIL_POINTS;
  if (!spec) return;
  for (const part of spec.split(',')) {
    const match = /^\s*([\w.-]+)\s*=\s*(crash|error|enospc)(?:@(\d+))?\s*$/.exec(part);
    if (!match) throw new Error(`SPLADE_INDEX_FAIL_POINTS: cannot parse "${part}" (expected name=crash|error|enospc[@n])`);
    const name = match[1]!;
    if (!isFailPointName(name)) throw new Error(`SPLADE_INDEX_FAIL_POINTS: no fail point "${name}" (there are ${FAIL_POINTS.join(', ')})`);
    armed.set(name, { action: match[2] as FailPointAction, onHit: Number(match[3] ?? 0), hits: 0 });
  }
}
parseEnvironment();

/** Arms fail point `name` (tests). `onHit` = fire on that hit only (1-based), 0 = every hit. */
export function armFailPoint(name: FailPointName, action: FailPointAction, onHit = 0): void {
  armed.set(name, { action, onHit, hits: 0 });
}

export function disarmFailPoint(name: FailPointName): void {
  armed.delete(name);
}

export function disarmAllFailPoints(): void {
  armed.clear();
}

/** Marks a step; does what the armed action says, if any. */
export function failPoint(name: FailPointName): void {
  if (armed.size === 0) return;
  const point = armed.get(name);
  if (!point) return;
  point.hits++;
  if (point.onHit !== 0 && point.hits !== point.onHit) return;
  switch (point.action) {
    case 'crash':
      process.kill(process.pid, 'SIGKILL');
      // SIGKILL is delivered asynchronously on some platforms; never continue past a crash point.
      for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    case 'error':
      throw new Error(`fail point ${name}`);
    case 'enospc': {
      const error = new Error(`ENOSPC: no space left on device (fail point ${name})`) as NodeJS.ErrnoException;
      error.code = 'ENOSPC';
      error.errno = -28;
      throw error;
    }
  }
}
