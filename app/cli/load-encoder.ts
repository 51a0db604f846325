/** The CLI's way to load the encoder: a Hub model downloads with a progress bar on stderr, and a Hub failure is one CLI error line. */
import type { WriteStream } from 'node:tty';
import { SparseEncoder, defaultOnnxCacheDir, type SparseEncoderOptions } from '../encoder/index.js';
import { createModelSourceResolver, isHubError } from '../hub/index.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './commands.js';
import { createProgressBar } from './progress-bar.js';

/** Loads `reference` (folder or Hub id) with the ONNX cache and Hub resolver of `io.env`, plus `options`. */
export async function loadCliEncoder(reference: string, io: CliIo, options: Omit<SparseEncoderOptions, 'cacheDir' | 'resolveModelSource'>): Promise<SparseEncoder> {
  const stderr = io.stderr as NodeJS.WritableStream & Partial<Pick<WriteStream, 'isTTY' | 'columns'>>;
  const bar = createProgressBar(io.stderr, { tty: stderr.isTTY === true, columns: stderr.columns });
  try {
    return await SparseEncoder.load(reference, {
      ...options,
      cacheDir: defaultOnnxCacheDir(io.env),
      resolveModelSource: createModelSourceResolver({ env: io.env, onProgress: bar.listener }),
    });
  } catch (error) {
    if (isHubError(error)) throw new CliError(error.message);
    throw error;
  } finally {
    bar.end();
  }
}
