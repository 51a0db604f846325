/**
 * `splade-search serve`: the app in a browser, or the engine headless. Serves the built renderer and the API on
 * 127.0.0.1 only, prints one URL with a random token, and keeps indexing the watched folders (the engine runs in
 * this process) until interrupted; Ctrl-C commits and exits cleanly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServeApp } from '../serve/serve-app.js';
import { SERVE_HOST } from '../serve/serve-server.js';
import { defaultRendererDir, packageRoot, rendererBuilt } from '../serve/static-files.js';
import { CliError, UsageError } from './cli-error.js';
import { DATA_FLAG_HELP, openEngine } from './engine-cli.js';
import { integerFlag, parseCommandLine } from './parse-flags.js';
import type { CliCommand } from './commands.js';

const usage = `usage: splade-search serve [--data DIR] [--port P] [--model M]

Serves the app's user interface and its API on http://127.0.0.1:P (never on other addresses) and prints the one
URL to open, with a random token: http://127.0.0.1:P/?token=... Without the token every request is refused.
The engine runs in this process and keeps the watched folders indexed until Ctrl-C.

API: POST /api/<method> with a JSON body and "Authorization: Bearer <token>", answering
{ "ok": true, "result": ... } or { "ok": false, "error": { "code", "message" } }; GET /api lists the methods with
their parameters' JSON Schemas; events on the WebSocket /api/events?token=<token>.

${DATA_FLAG_HELP}
  --port <p>          the port (default: a free one)
  --host 127.0.0.1    the only address accepted (present so that any other is refused, not ignored)
  --model <path|id>   default: $SPLADE_MODEL, else the model the index was built with, else the settings' model`;

export const serveCommand: CliCommand = {
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, { data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string', default: SERVE_HOST }, model: { type: 'string' } }, usage);
    if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got ${JSON.stringify(positionals.join(' '))}\n\n${usage}`);
    if (values.host !== SERVE_HOST) throw new CliError(`serve listens on ${SERVE_HOST} only, not ${values.host}: the API reads and opens your files, so it is never offered to other machines`);
    const port = integerFlag(values.port, '--port', 0) ?? 0;
    if (port > 65535) throw new CliError(`--port must be at most 65535, got ${port}`);
    const rendererDir = defaultRendererDir();
    const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    const engine = await openEngine(io, { data: values.data, model: values.model, download: true, indexing: 'watch', processName: 'splade-search serve' });
    let server;
    try {
      server = await startServeApp({ engine, rendererDir, port, version, onInternalError: (method, error) => io.stderr.write(`internal error in ${method}: ${(error as Error)?.stack ?? String(error)}\n`) });
    } catch (error) {
      await engine.close();
      const code = (error as { code?: string }).code;
      throw new CliError(code === 'EADDRINUSE' ? `port ${port} is in use: pick another with --port, or leave it out for a free one` : (error as Error).message);
    }
    if (!rendererBuilt(rendererDir)) io.stderr.write(`the user interface is not built (no ${join(rendererDir, 'index.html')}): run \`npm run build:renderer\`; the API works meanwhile\n`);
    if (engine.role === 'reader') io.stderr.write(`another process writes the index in ${engine.dataDir}: searching works, changes are refused\n`);
    io.stdout.write(server.url + '\n');
    let stop: () => void = () => undefined;
    const interrupted = new Promise<void>((resolve) => (stop = resolve));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await interrupted;
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      await server.close();
    }
  },
};
