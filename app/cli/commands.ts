/** The CLI's command table: one entry per `splade-search <command>`, each implemented in its own module. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & import('node:stream').Readable;
  stdout: NodeJS.WritableStream & import('node:stream').Writable;
  stderr: NodeJS.WritableStream & import('node:stream').Writable;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  /** One line for `splade-search --help`. */
  summary: string;
  /** Full usage text for `splade-search <command> --help`. */
  usage: string;
  run(args: string[], io: CliIo): Promise<void>;
}

/** Lazily imported, so that `splade-search tokenize` does not load onnxruntime. */
export const commands: Record<string, () => Promise<CliCommand>> = {};
commands['encode'] = () => import('./encode-command.js').then((m) => m.encodeCommand);
commands['download'] = () => import('./download-command.js').then((m) => m.downloadCommand);
commands['tokenize'] = () => import('./tokenize-command.js').then((m) => m.tokenizeCommand);
commands['install-cuda'] = () => import('./install-cuda-command.js').then((m) => m.installCudaCommand);
commands['providers'] = () => import('./providers-command.js').then((m) => m.providersCommand);
commands['bench-index'] = () => import('./bench-index-command.js').then((m) => m.benchIndexCommand);
commands['status'] = () => import('./status-command.js').then((m) => m.statusCommand);
