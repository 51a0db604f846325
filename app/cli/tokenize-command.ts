/** `splade-search tokenize`: JSON Lines of strings on stdin -> ids, tokens and code-point offsets per line. */
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { isEncoderError } from '../encoder/index.js';
import { BertTokenizer } from '../encoder/tokenizer/index.js';
import { isHubRepoId } from '../hub/index.js';
import { CliError, UsageError } from './cli-error.js';
import { parseFlags } from './parse-flags.js';
import type { CliCommand } from './commands.js';
import { readJsonStringLines, writeJsonLine } from './json-lines.js';

const usage = `usage: splade-search tokenize --model <folder> [--max-length N] [--strip]

Reads JSON Lines from stdin, each line one JSON string, and writes one line per input:
  {"ids":[...],"tokens":[...],"offsets":[[start,end],...]}
offsets are [start, end) in Unicode code points of the input string ([0,0] for [CLS] and [SEP]).

  --model <folder>   model folder with tokenizer.json (and tokenizer_config.json)
  --max-length N     maximum tokens per text including [CLS] and [SEP] (default: model_max_length, else 512)
  --strip            strip surrounding whitespace first, as sentence-transformers <= 5.3 does
                     (offsets are then relative to the stripped string)`;

export const tokenizeCommand: CliCommand = {
  usage,
  async run(args, io) {
    const values = parseFlags(args, {
          model: { type: 'string' },
          'max-length': { type: 'string' },
          strip: { type: 'boolean', default: false },
        }, usage);
    const model = values.model;
    if (!model) throw new UsageError(`--model is required\n\n${usage}`);
    let maxLength: number | undefined;
    if (values['max-length'] !== undefined) {
      maxLength = Number(values['max-length']);
      if (!/^\d+$/.test(values['max-length']) || maxLength < 2) {
        throw new UsageError(`--max-length must be an integer >= 2 (it counts [CLS] and [SEP]), got "${values['max-length']}"`);
      }
    }
    const tokenizer = await loadTokenizer(model, maxLength);
    const strip = values.strip === true;
    for await (const text of readJsonStringLines(io.stdin)) {
      const { ids, tokens, offsets } = tokenizer.encode(text, { strip });
      await writeJsonLine(io.stdout, { ids, tokens, offsets });
    }
  },
};

async function loadTokenizer(model: string, maxLength: number | undefined): Promise<BertTokenizer> {
  const info = await stat(model).catch(() => undefined);
  if (!info) {
    throw new CliError(
      !isAbsolute(model) && isHubRepoId(model)
        ? `model folder "${model}" does not exist; Hugging Face Hub ids are not yet supported by this command, pass a local model folder`
        : `model folder "${model}" does not exist`,
    );
  }
  if (!info.isDirectory()) throw new CliError(`--model "${model}" is not a folder`);
  try {
    return await BertTokenizer.fromFolder(model, maxLength === undefined ? {} : { maxLength });
  } catch (error) {
    if (isEncoderError(error)) throw new CliError(error.message);
    throw error;
  }
}
