/**
 * The step record of the one-shot device benchmarks (encoder-gpu, encoder-int8): each step's result, or its error,
 * and its seconds land in the report, which is saved after every step so that a run cut short keeps what it has.
 */
export interface StepLog {
  /** The report's `steps` object. */
  steps: Record<string, unknown>;
  /** Writes the report to disk. */
  save(): void;
  log(message: string): void;
}

/** Runs `body`, records `{status: 'ok', ...result}` or `{status: 'error', error}` and the seconds under `name`, saves, logs. */
export async function recordStep<T extends Record<string, unknown>>(
  { steps, save, log }: StepLog,
  name: string,
  startMessage: string,
  body: (record: Record<string, unknown>) => Promise<T>,
): Promise<T | undefined> {
  const record: Record<string, unknown> = { status: 'running' };
  steps[name] = record;
  const t0 = performance.now();
  log(startMessage);
  let result: T | undefined;
  try {
    result = await body(record);
    Object.assign(record, result, { status: 'ok' });
  } catch (error) {
    record.status = 'error';
    record.error = String((error as Error)?.stack ?? error).split('\n').slice(0, 6).join('\n');
    log(`${name}: ERROR ${String((error as Error)?.message ?? error).split('\n')[0]}`);
  }
  record.seconds = (performance.now() - t0) / 1000;
  save();
  log(`${name}: ${record.status} in ${(record.seconds as number).toFixed(1)} s`);
  return result;
}
