/** `splade-search folders add|remove|list`: the watched folders of the data folder (shared with the app). */
import { UsageError } from './cli-error.js';
import { parseCommandLine } from './parse-flags.js';
import { DATA_FLAG_HELP, asCliError, openEngine } from './engine-cli.js';
import type { CliCommand } from './commands.js';
import type { FolderEntry } from '../engine/index.js';

const usage = `usage: splade-search folders list [--data DIR] [--json]
       splade-search folders add <folder>... [--data DIR]
       splade-search folders remove <folder>... [--data DIR]

add registers folders (indexed by the next \`index\` or \`watch\`, or by the app); remove drops them and their files
from the index; list shows each folder with its files per status.

${DATA_FLAG_HELP}
  --json              list: one JSON array`;

function describe(folder: FolderEntry): string {
  const counts = Object.entries(folder.counts).filter(([, n]) => n > 0).map(([status, n]) => `${n} ${status}`).join(', ') || 'no files yet';
  const flags = [folder.paused ? 'paused' : '', folder.available ? '' : 'unavailable', folder.warning ?? ''].filter(Boolean).join('; ');
  return `${folder.path}  (${counts})${flags ? `  [${flags}]` : ''}`;
}

export const foldersCommand: CliCommand = {
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, { data: { type: 'string' }, json: { type: 'boolean', default: false } }, usage);
    const [action, ...paths] = positionals;
    if (action !== 'list' && action !== 'add' && action !== 'remove') throw new UsageError(`folders needs list, add or remove\n\n${usage}`);
    if (action !== 'list' && paths.length === 0) throw new UsageError(`folders ${action} needs at least one folder\n\n${usage}`);
    const engine = await openEngine(io, { data: values.data, loadModel: false, indexing: 'off' });
    try {
      if (action === 'list') {
        const folders = await engine.listFolders({});
        if (values.json) io.stdout.write(JSON.stringify(folders) + '\n');
        else io.stdout.write(folders.length === 0 ? 'no folders\n' : folders.map(describe).join('\n') + '\n');
        return;
      }
      for (const path of paths) {
        if (action === 'add') {
          const folder = await engine.addFolder({ path }).catch((error: unknown) => Promise.reject(asCliError(error)));
          io.stdout.write(`added ${folder.path}\n`);
        } else {
          const { removedFiles } = await engine.removeFolder({ path }).catch((error: unknown) => Promise.reject(asCliError(error)));
          io.stdout.write(`removed ${path} (${removedFiles} files dropped from the index)\n`);
        }
      }
    } finally {
      await engine.close();
    }
  },
};
