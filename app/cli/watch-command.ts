/**
 * `splade-search watch [<folder>...]`: like `index`, then keeps the index in sync as files change until interrupted.
 * Ctrl-C (SIGINT) or SIGTERM stops after the work in hand is committed, prints the summary and exits 0.
 */
import { CliError } from './cli-error.js';
import { parseCommandLine } from './parse-flags.js';
import { DATA_FLAG_HELP, asCliError, openEngine } from './engine-cli.js';
import { progressLine, summarize, summaryText } from './index-progress.js';
import type { CliCommand } from './commands.js';

const usage = `usage: splade-search watch [<folder>...] [--model M] [--data DIR] [--json]

Adds the folders given (if any), brings the index in sync with every watched folder, then follows changes as they
happen until interrupted. Ctrl-C commits and exits cleanly. Searching (CLI or app) works meanwhile.

${DATA_FLAG_HELP}
  --model <path|id>   the model for a new index (default $SPLADE_MODEL, else the settings' model)
  --json              print the final summary as one JSON object`;

export const watchCommand: CliCommand = {
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, { data: { type: 'string' }, model: { type: 'string' }, json: { type: 'boolean', default: false } }, usage);
    const started = Date.now();
    const engine = await openEngine(io, { data: values.data, model: values.model, download: true, indexing: 'watch' });
    const bar = progressLine(io.stderr as NodeJS.WritableStream & { isTTY?: boolean });
    const off = engine.on('progress', bar.listener);
    let stop: () => void = () => undefined;
    const interrupted = new Promise<void>((resolve) => (stop = resolve));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for (const path of positionals) await engine.addFolder({ path }).catch((error: unknown) => Promise.reject(asCliError(error)));
      if (engine.role === 'reader') throw new CliError(`another process (the app, or another \`watch\`) already writes the index in ${engine.dataDir}; searching works meanwhile`);
      await Promise.race([engine.whenIdle(), interrupted]);
      if (!values.json) io.stderr.write(`watching ${(await engine.listFolders({})).map((folder) => folder.path).join(', ') || 'no folders (add some with `splade-search folders add`)'}; Ctrl-C to stop\n`);
      await interrupted;
      bar.end();
      const folders = (await engine.listFolders({})).map((folder) => folder.path);
      const summary = await summarize(engine, folders, started);
      io.stdout.write((values.json ? JSON.stringify(summary) : summaryText(summary)) + '\n');
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      off();
      bar.end();
      await engine.close();
    }
  },
};
