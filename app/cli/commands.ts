/** The CLI's command table: one entry per `splade-search <command>`, each implemented in its own module. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & import('node:stream').Readable;
  stdout: NodeJS.WritableStream & import('node:stream').Writable;
  stderr: NodeJS.WritableStream & import('node:stream').Writable;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  /** Full usage text for `splade-search <command> --help`. */
  usage: string;
  run(args: string[], io: CliIo): Promise<void>;
}

/** One line for `splade-search --help`, and the module, imported only when the command runs (so that `tokenize` does not load onnxruntime). */
export interface CommandEntry {
  summary: string;
  load: () => Promise<CliCommand>;
}

export const commands: Record<string, CommandEntry> = {
  'bench-ingest': { summary: 'benchmark ingest (md files/s, pdf pages/s) and the pipeline against the encoder alone (encoder_share)', load: () => import('./bench-ingest-command.js').then((m) => m.benchIngestCommand) },
  'bench-index': { summary: 'benchmark the sparse index on synthetic SPLADE-like data', load: () => import('./bench-index-command.js').then((m) => m.benchIndexCommand) },
  'download': { summary: 'download the model (and its base model) into the Hugging Face cache and print the folders', load: () => import('./download-command.js').then((m) => m.downloadCommand) },
  'files': { summary: 'list the files of the index with their status (indexed, skipped, failed, pending, unavailable) and why', load: () => import('./files-command.js').then((m) => m.filesCommand) },
  'folders': { summary: 'add, remove or list the watched folders', load: () => import('./folders-command.js').then((m) => m.foldersCommand) },
  'encode': { summary: 'encode JSON Lines of texts into SPLADE sparse vectors', load: () => import('./encode-command.js').then((m) => m.encodeCommand) },
  'index': { summary: 'add folders and bring the index in sync with them, then print a summary', load: () => import('./index-command.js').then((m) => m.indexCommand) },
  'install-cuda': { summary: 'download the CUDA provider for NVIDIA GPUs (Linux x64) into a writable pack and check it', load: () => import('./install-cuda-command.js').then((m) => m.installCudaCommand) },
  'providers': { summary: 'show the onnxruntime version, execution providers and the CUDA pack on this machine', load: () => import('./providers-command.js').then((m) => m.providersCommand) },
  'search': { summary: 'search the index: ranked passages with scores and matching terms', load: () => import('./search-command.js').then((m) => m.searchCommand) },
  'serve': { summary: 'serve the app and its API on 127.0.0.1 (one URL with a token) and keep the folders indexed', load: () => import('./serve-command.js').then((m) => m.serveCommand) },
  'status': { summary: 'show the model and the execution provider and precision the encoder uses here, and why', load: () => import('./status-command.js').then((m) => m.statusCommand) },
  'tokenize': { summary: 'tokenize JSON Lines strings from stdin into ids, tokens and offsets', load: () => import('./tokenize-command.js').then((m) => m.tokenizeCommand) },
  'watch': { summary: 'index the watched folders, then keep the index in sync until interrupted', load: () => import('./watch-command.js').then((m) => m.watchCommand) },
};
