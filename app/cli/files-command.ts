/** `splade-search files`: every file the index knows, with its status and, for skipped or failed ones, why. */
import { FILE_STATES, type FileState } from '../engine/index.js';
import { CliError } from './cli-error.js';
import { choiceFlag, parseFlags } from './parse-flags.js';
import { DATA_FLAG_HELP, asCliError, dataDirFor, hasIndex, openEngine } from './engine-cli.js';
import type { CliCommand } from './commands.js';

const usage = `usage: splade-search files [--status ${FILE_STATES.join('|')}] [--folder DIR] [--data DIR] [--json]

Lists the files of the index in path order with their status (indexed, skipped, failed, pending, unavailable) and
the reason a file was skipped or failed.

${DATA_FLAG_HELP}
  --status <s>        only files with this status
  --folder <dir>      only files under this folder
  --json              JSON Lines: one object per file (path, folder, ext, size, mtimeMs, status, reason, reasonCode, passageCount)`;

export const filesCommand: CliCommand = {
  usage,
  async run(args, io) {
    const values = parseFlags(args, { data: { type: 'string' }, status: { type: 'string' }, folder: { type: 'string' }, json: { type: 'boolean', default: false } }, usage);
    const status = values.status === undefined ? undefined : choiceFlag<FileState>(values.status, '--status', FILE_STATES);
    const dataDir = dataDirFor(values.data, io);
    if (!hasIndex(dataDir)) throw new CliError(`no index in ${dataDir}: run \`splade-search index <folder>\` first (or pass --data)`);
    const engine = await openEngine(io, { data: values.data, loadModel: false, readOnly: true });
    try {
      const pageSize = 10_000;
      for (let offset = 0; ; offset += pageSize) {
        const page = await engine
          .listFiles({ ...(status ? { status } : {}), ...(values.folder ? { folder: values.folder } : {}), limit: pageSize, offset })
          .catch((error: unknown) => Promise.reject(asCliError(error)));
        const lines = page.files.map((file) =>
          values.json
            ? JSON.stringify(file)
            : `${file.status.padEnd(11)} ${file.path}${file.reason ? `  (${file.reasonCode ? `${file.reasonCode}: ` : ''}${file.reason})` : ''}`,
        );
        if (lines.length > 0) io.stdout.write(lines.join('\n') + '\n');
        if (page.files.length < pageSize) break;
      }
    } finally {
      await engine.close();
    }
  },
};
