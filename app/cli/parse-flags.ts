/** Flag parsing shared by the CLI commands: `node:util` parseArgs, with its errors turned into usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error.js';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** Parses `args` strictly (no positionals, no unknown flags); a bad flag throws a UsageError followed by `usage`. */
export function parseFlags<const O extends FlagOptions>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

/** A flag that must be a whole number >= `minimum` when given; undefined when absent. */
export function integerFlag(value: string | undefined, flag: string, minimum = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < minimum) {
    const what = minimum === 1 ? 'a positive integer' : `an integer >= ${minimum}`;
    throw new UsageError(`${flag} must be ${what}, got "${value}"`);
  }
  return Number(value);
}

/** A flag whose value must be one of `choices`. */
export function choiceFlag<T extends string>(value: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

/** Like parseFlags, with positional arguments (folders, a query) allowed; returns both. */
export function parseCommandLine<const O extends FlagOptions>(args: string[], options: O, usage: string) {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values, positionals };
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}
