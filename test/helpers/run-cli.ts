/** Runs the CLI in this process (`runCli`) with in-memory streams and returns its exit code and output. */
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../app/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCliCaptured(argv: string[], options: { input?: Buffer | string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const stdin = Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]);
  const code = await runCli(argv, { stdin, stdout, stderr, env: options.env ?? {} });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
