/**
 * `splade-search index <folder>...`: adds the folders to the data folder's watched folders, brings the index in sync
 * with them (new, changed, renamed and deleted files since the last run), prints a summary and exits. Exit 0 when the
 * run completed, even if some files failed (they are listed with their reasons); non-zero only when the run itself
 * failed (a folder that cannot be read, the model, the index).
 */
import { UsageError } from './cli-error.js';
import { parseCommandLine } from './parse-flags.js';
import { DATA_FLAG_HELP, asCliError, openEngine } from './engine-cli.js';
import { progressLine, summarize, summaryText } from './index-progress.js';
import type { CliCommand } from './commands.js';

const usage = `usage: splade-search index <folder>... [--model M] [--data DIR] [--json]

Adds the folders (kept in the data folder, shared with \`watch\` and the app), indexes what changed since the last
run and prints a summary: files indexed, skipped and failed, with counts per reason. A progress bar is shown on a
terminal.

${DATA_FLAG_HELP}
  --model <path|id>   the model for a new index (default $SPLADE_MODEL, else the settings' model); an existing
                      index keeps the model it was built with
  --json              the summary as one JSON object`;

export const indexCommand: CliCommand = {
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, { data: { type: 'string' }, model: { type: 'string' }, json: { type: 'boolean', default: false } }, usage);
    if (positionals.length === 0) throw new UsageError(`index needs at least one folder\n\n${usage}`);
    const started = Date.now();
    const engine = await openEngine(io, { data: values.data, model: values.model, download: true, indexing: 'sync' });
    const bar = progressLine(io.stderr as NodeJS.WritableStream & { isTTY?: boolean });
    const off = engine.on('progress', bar.listener);
    try {
      const folders: string[] = [];
      for (const path of positionals) folders.push((await engine.addFolder({ path }).catch((error: unknown) => Promise.reject(asCliError(error)))).path);
      await engine.whenIdle().catch((error: unknown) => Promise.reject(asCliError(error)));
      bar.end();
      const summary = await summarize(engine, folders, started);
      io.stdout.write((values.json ? JSON.stringify(summary) : summaryText(summary)) + '\n');
    } finally {
      off();
      bar.end();
      await engine.close();
    }
  },
};
