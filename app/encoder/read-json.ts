/** Reads a JSON file of a model folder with errors that name the file. */
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { EncoderError } from './encoder-error.js';

/** `name in folder`, how messages name a file of a model folder. */
export function describeFile(path: string): string {
  return `${basename(path)} in ${dirname(path)}`;
}

/** The parsed JSON of `path`; `undefined` when the file does not exist and `optional` is set. */
export async function readJsonFile(path: string, optional: true): Promise<unknown | undefined>;
export async function readJsonFile(path: string, optional?: false): Promise<unknown>;
export async function readJsonFile(path: string, optional = false): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && optional) return undefined;
    if (code === 'ENOENT') throw new EncoderError('model-not-found', `Cannot read ${describeFile(path)}: the file does not exist`);
    throw new EncoderError('model-invalid', `Cannot read ${describeFile(path)}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EncoderError('model-invalid', `Cannot read ${describeFile(path)}: not valid JSON (${(error as Error).message})`);
  }
}

/** Whether `value` is a plain JSON object. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
