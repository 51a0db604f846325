/**
 * `splade-search status`: which model the app would use and where it is, and which execution provider and
 * precision the encoder actually runs on here, with the reasons for any provider it passed over. It loads the
 * encoder for real (the graph is built and cached on first use) but never downloads: a Hub model missing from the
 * cache is reported with the command that fetches it.
 */
import { DEVICES, PRECISIONS, SparseEncoder, defaultOnnxCacheDir, type Device, type PrecisionSetting } from '../encoder/index.js';
import { MODEL_SOURCE_ORIGINS, createModelSourceResolver, isHubError, pickModelSource, type ModelSource } from '../hub/index.js';
import { CliError } from './cli-error.js';
import { choiceFlag, parseFlags } from './parse-flags.js';
import type { CliCommand } from './commands.js';
import { DATA_FLAG_HELP, dataDirFor, hasIndex, openEngine } from './engine-cli.js';
import { loadSettings, type EngineStatus } from '../engine/index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const usage = `usage: splade-search status [--model <folder-or-hub-id>] [--device D] [--precision P] [--data DIR] [--json]

Loads the encoder as encode would (without downloading anything) and prints the model it uses (where the setting
came from, its folder, layout, adapter, pooling) and the execution provider and precision that run it on this
machine, with the reason for each provider passed over. When the data folder holds an index, also reports it:
folders, files per status, passages, the model it was built with, whether it is stale, and who writes it. Exits 1
when the model cannot be loaded, saying why.

  --model <path|id>   default: $SPLADE_MODEL, else the model of the data folder's index or settings, else the default model
${DATA_FLAG_HELP}
  --device <d>        ${DEVICES.join('|')} (default auto)
  --precision <p>     ${PRECISIONS.join('|')} (default auto)
  --json              one JSON object instead of text`;

export const statusCommand: CliCommand = {
  usage,
  async run(args, io) {
    const values = parseFlags(args, {
          model: { type: 'string' },
          device: { type: 'string', default: 'auto' },
          precision: { type: 'string', default: 'auto' },
          json: { type: 'boolean', default: false },
          data: { type: 'string' },
        }, usage);
    const dataDir = dataDirFor(values.data, io);
    let index: (EngineStatus['index'] & { role: EngineStatus['role']; dataDir: string }) | null = null;
    if (hasIndex(dataDir)) {
      const engine = await openEngine(io, { data: values.data, loadModel: false, indexing: 'off', model: values.model, readOnly: true });
      try {
        const status = await engine.status({});
        index = { ...status.index, role: status.role, dataDir };
      } finally {
        await engine.close();
      }
    }
    const settingsModel = index?.builtWith?.model ?? (existsSync(join(dataDir, 'settings.json')) ? loadSettings(dataDir).settings.model : undefined);
    if (index && !values.json) io.stdout.write(indexLines(index).join('\n') + '\n');
    const device = choiceFlag<Device>(values.device, '--device', DEVICES);
    const precision = choiceFlag<PrecisionSetting>(values.precision, '--precision', PRECISIONS);
    let source: ModelSource;
    try {
      source = pickModelSource({ option: values.model, env: io.env, settings: settingsModel });
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    const reference = source.kind === 'folder' ? source.path : source.id;
    const model = { reference, kind: source.kind, from: MODEL_SOURCE_ORIGINS[source.origin] };
    let encoder: SparseEncoder;
    try {
      encoder = await SparseEncoder.load(reference, {
        device,
        precision,
        cacheDir: defaultOnnxCacheDir(io.env),
        // The cache only: status never starts a download.
        resolveModelSource: createModelSourceResolver({ env: { ...io.env, HF_HUB_OFFLINE: '1' } }),
      });
    } catch (error) {
      // The offline error of the Hub client blames HF_HUB_OFFLINE, which status sets itself.
      const reason =
        isHubError(error) && error.code === 'offline-not-cached'
          ? `${source.kind === 'hub' ? source.id : reference} is not in the Hugging Face cache (status only reads the cache; ` +
            `\`splade-search download${values.model ? ` --model ${reference}` : ''}\` fetches it, or point --model or SPLADE_MODEL at a local folder)`
          : (error as Error).message;
      if (values.json) io.stdout.write(JSON.stringify({ ready: false, model, error: reason, index }, null, 2) + '\n');
      else io.stdout.write(`model: ${reference} (from ${model.from})\nnot usable: ${reason}\n`);
      throw new CliError(`the model cannot be loaded: ${reason.split('\n')[0]}`);
    }
    try {
      const m = encoder.model;
      const choice = encoder.executionProvider;
      const graph = encoder.onnxModel;
      const report = {
        ready: true,
        model: {
          ...model,
          folder: m.folder,
          layout: m.layout,
          weights: m.weights.format,
          adapter: m.adapter ? { folder: m.adapter.folder, base: m.adapter.baseFolder, r: m.adapter.config.r, alpha: m.adapter.config.loraAlpha } : null,
          maxSeqLength: m.maxSeqLength,
          pooling: m.pooling,
          vocabSize: m.vocabSize,
        },
        encoder: { ...choice, graph: { path: graph.path, fromCache: graph.fromCache } },
        index,
      };
      if (values.json) {
        io.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return;
      }
      const lines = [
        `model: ${reference} (from ${model.from})`,
        `  folder: ${m.folder}`,
        `  ${m.layout}, ${m.weights.format} weights${m.adapter ? `, LoRA adapter r=${m.adapter.config.r} on ${m.adapter.baseFolder}` : ''}`,
        `  up to ${m.maxSeqLength} tokens, ${m.pooling.strategy} pooling, activation ${m.pooling.activation}, ${m.vocabSize} dimensions`,
        `encoder: ${choice.provider} (requested ${choice.requested}), precision ${choice.precision}, ${choice.graphTarget} graph`,
        ...(choice.fallbackReason ? [`  passed over: ${choice.fallbackReason}`] : []),
        `  onnxruntime: ${choice.runtime}`,
        `  graph: ${graph.path} (${graph.fromCache ? 'from the cache' : 'built now and cached'})`,
      ];
      io.stdout.write(lines.join('\n') + '\n');
    } finally {
      await encoder.dispose();
    }
  },
};

function indexLines(index: EngineStatus['index'] & { role: EngineStatus['role']; dataDir: string }): string[] {
  const files = Object.entries(index.files).filter(([, n]) => n > 0).map(([status, n]) => `${n} ${status}`).join(', ') || 'no files';
  return [
    `index: ${index.dataDir}`,
    `  ${index.folders} folders, ${files}, ${index.passages} passages, ${(index.bytes / 1024 / 1024).toFixed(1)} MiB of postings`,
    `  built with ${index.builtWith ? `${index.builtWith.model}, passages of ${index.builtWith.passageTokens} tokens (overlap ${index.builtWith.passageOverlap})` : 'nothing yet'}${index.stale ? '; STALE: the model or passage settings changed, it is being (or will be) rebuilt' : ''}`,
    `  ${index.role === 'writer' ? 'no other process writes it now' : 'another process (the app or `watch`) writes it now'}`,
  ];
}
