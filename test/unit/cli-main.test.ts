import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commands } from '../../app/cli/commands.js';
import { runCliCaptured } from '../helpers/run-cli.js';

describe('splade-search (no command)', () => {
  it('--help lists every command with its one-line summary', async () => {
    const help = await runCliCaptured(['--help']);
    assert.equal(help.code, 0);
    for (const [name, entry] of Object.entries(commands)) {
      assert.match(help.stdout, new RegExp(`^  ${name} +${entry.summary.replace(/[()]/g, '\\$&')}$`, 'm'));
    }
  });

  it('no command or an unknown one is a usage error (exit 2); every command module loads and has usage text', async () => {
    assert.equal((await runCliCaptured([])).code, 2);
    const unknown = await runCliCaptured(['serch']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "serch"/);
    for (const [name, entry] of Object.entries(commands)) {
      const command = await entry.load();
      assert.match(command.usage, new RegExp(`^usage: splade-search ${name}\\b`), name);
      const help = await runCliCaptured([name, '--help']);
      assert.equal(help.code, 0, name);
      assert.equal(help.stdout, command.usage + '\n');
    }
  });
});
