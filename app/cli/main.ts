/** `splade-search`: the command-line entry point. Dispatches to the modules listed in commands.ts. */
import { commands, type CliIo } from './commands.js';
import { CliError, UsageError } from './cli-error.js';

function mainUsage(): string {
  const names = Object.keys(commands).sort();
  return [
    'usage: splade-search <command> [options]',
    '',
    'commands:',
    ...names.map((name) => `  ${name.padEnd(14)}${commands[name]!.summary}`),
    '',
    'Run `splade-search <command> --help` for the options of one command.',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(mainUsage() + '\n');
      return name === undefined ? 2 : 0;
    }
    const entry = commands[name];
    if (!entry) throw new UsageError(`unknown command "${name}"\n\n${mainUsage()}`);
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.usage + '\n');
      return 0;
    }
    await command.run(rest, io);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`splade-search: ${error.message}\n`);
      return error.exitCode;
    }
    const err = error as Error;
    io.stderr.write(`splade-search: ${err?.message ?? String(error)}\n`);
    if (io.env.SPLADE_DEBUG) io.stderr.write(`${err?.stack ?? ''}\n`);
    return 1;
  }
}

