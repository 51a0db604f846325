/** JSON Lines input and output for the CLI: each input line is one JSON string, each output line one JSON object. */
import type { Readable, Writable } from 'node:stream';
import { CliError } from './cli-error.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Yields the JSON string on each non-empty line of `input`, in order. Rejects with a CliError naming the line on
 * invalid UTF-8, invalid JSON, a value that is not a string, or a string with unpaired surrogates (not text).
 */
export async function* readJsonStringLines(input: Readable): AsyncGenerator<string> {
  let pending: Buffer = Buffer.alloc(0);
  let lineNumber = 0;
  const parse = (bytes: Buffer): string | undefined => {
    lineNumber++;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new CliError(`input line ${lineNumber}: not valid UTF-8`);
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new CliError(`input line ${lineNumber}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'string') {
      throw new CliError(`input line ${lineNumber}: expected a JSON string, got ${value === null ? 'null' : typeof value}`);
    }
    if (!value.isWellFormed()) {
      throw new CliError(`input line ${lineNumber}: the string contains an unpaired surrogate (\\ud800-\\udfff), which is not text`);
    }
    return value;
  };
  for await (const chunk of input) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    let start = 0;
    for (let newline = pending.indexOf(10, start); newline !== -1; newline = pending.indexOf(10, start)) {
      const value = parse(pending.subarray(start, newline));
      start = newline + 1;
      if (value !== undefined) yield value;
    }
    pending = pending.subarray(start);
  }
  if (pending.length > 0) {
    const value = parse(pending);
    if (value !== undefined) yield value;
  }
}

/** Writes one JSON value per line, waiting for the stream to drain when its buffer is full. */
export async function writeJsonLine(output: Writable, value: unknown): Promise<void> {
  if (!output.write(JSON.stringify(value) + '\n')) {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        output.off('drain', onDrain);
        reject(error);
      };
      const onDrain = () => {
        output.off('error', onError);
        resolve();
      };
      output.once('drain', onDrain);
      output.once('error', onError);
    });
  }
}
