/** `splade-search download`: fetches the model (and the base model of a LoRA adapter) into the Hugging Face cache, or checks the cache, and prints the folders. */
import type { WriteStream } from 'node:tty';
import { UsageError, CliError } from './cli-error.js';
import { createProgressBar } from './progress-bar.js';
import { parseFlags } from './parse-flags.js';
import type { CliCommand } from './commands.js';
import {
  DEFAULT_MODEL_ID,
  isHubError,
  pickModelSource,
  resolveModelWithBase,
  type ModelSource,
  type ResolvedModel,
} from '../hub/index.js';

const usage = `usage: splade-search download [--model <hub-id-or-folder>] [--revision <branch|tag|sha>] [--json]

Downloads the model into the Hugging Face cache (the one Python's huggingface_hub uses), or checks that the
cache already has it, together with the base model a LoRA adapter names; then prints the local folders.

  --model      a Hub id or a local folder (default: $SPLADE_MODEL, else ${DEFAULT_MODEL_ID})
  --revision   branch, tag or commit sha of the model (default: main)
  --json       one JSON object per folder instead of text

Environment: HF_ENDPOINT, HF_TOKEN (or the token file in HF_HOME), HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE=1.`;

function describe(role: string, resolved: ResolvedModel): string {
  const snapshot = resolved.snapshot;
  if (!snapshot) return `${role}: ${resolved.folder} (local folder)`;
  const origin = snapshot.usedCacheBecause
    ? `from the cache: ${snapshot.usedCacheBecause}`
    : snapshot.downloaded.length > 0
      ? `downloaded ${snapshot.downloaded.length} file${snapshot.downloaded.length === 1 ? '' : 's'}`
      : 'already cached';
  return `${role}: ${snapshot.folder} (${snapshot.repoId} ${snapshot.revision} = ${snapshot.commit.slice(0, 10)}, ${origin})`;
}

function asJson(role: string, resolved: ResolvedModel): string {
  const snapshot = resolved.snapshot;
  return JSON.stringify({
    role,
    source: resolved.source,
    folder: resolved.folder,
    revision: snapshot?.revision ?? null,
    commit: snapshot?.commit ?? null,
    downloaded: snapshot?.downloaded ?? [],
    usedCacheBecause: snapshot?.usedCacheBecause ?? null,
  });
}

export const downloadCommand: CliCommand = {
  usage,
  async run(args, io) {
    const values = parseFlags(args, { model: { type: 'string' }, revision: { type: 'string' }, json: { type: 'boolean' } }, usage);
    let source: ModelSource;
    try {
      source = pickModelSource({ option: values.model, env: io.env });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (source.kind === 'folder' && values.revision !== undefined) {
      throw new UsageError(`--revision applies to Hub models, but --model is the folder ${source.path}`);
    }
    const stderr = io.stderr as NodeJS.WritableStream & Partial<Pick<WriteStream, 'isTTY' | 'columns'>>;
    const bar = createProgressBar(io.stderr, { tty: stderr.isTTY === true, columns: stderr.columns });
    let result: Awaited<ReturnType<typeof resolveModelWithBase>>;
    try {
      result = await resolveModelWithBase(source, { revision: values.revision, env: io.env, onProgress: bar.listener });
    } catch (error) {
      if (isHubError(error)) throw new CliError(error.message);
      throw error;
    } finally {
      bar.end();
    }
    const lines = [[`model`, result.model] as const, ...(result.base ? [[`base`, result.base] as const] : [])];
    for (const [role, resolved] of lines) io.stdout.write((values.json ? asJson(role, resolved) : describe(role, resolved)) + '\n');
  },
};
