/** Reads a SPLADE model folder (sentence-transformers v5 or v6 layout, or a bare masked-LM) into a load plan. */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parseBertConfig, type BertConfig } from './bert-config.js';
import { parseLoraConfig, type LoraConfig } from './lora-adapter.js';
import { describeFile, isJsonObject, readJsonFile } from './read-json.js';
import { DEFAULT_POOLING, parseSpladePoolingConfig, type SpladePoolingConfig } from './splade-pooling.js';
import { isHubRepoId, type ModelSourceResolver } from '../hub/hub-id.js';
import { EncoderError } from './encoder-error.js';

export interface ModelFolderOptions {
  /** Resolves Hub ids (the model itself or an adapter's base model). Without it, Hub ids are an error. */
  resolveModelSource?: ModelSourceResolver;
}

export type ModelWeights =
  | { format: 'safetensors'; files: string[]; bertConfig: BertConfig }
  | { format: 'onnx'; path: string };

export interface LoraAdapterSource {
  folder: string;
  config: LoraConfig;
  weightsPath: string;
  /** The base model's folder, after resolving `base_model_name_or_path`. */
  baseFolder: string;
}

export interface SpladeModelFolder {
  /** The folder the model was loaded from (absolute). */
  folder: string;
  layout: 'sentence-transformers-v5' | 'sentence-transformers-v6' | 'masked-lm';
  weights: ModelWeights;
  adapter: LoraAdapterSource | undefined;
  /** The folder holding `tokenizer.json`. */
  tokenizerFolder: string;
  vocabSize: number;
  /** Tokens per text including [CLS] and [SEP]; longer texts are truncated. */
  maxSeqLength: number;
  /** sentence-transformers' own lowercasing before tokenization (`do_lower_case` in sentence_bert_config.json). */
  doLowerCase: boolean;
  pooling: SpladePoolingConfig;
  /** Prompts by name, with sentence-transformers' defaults (`query` and `document` empty). */
  prompts: Record<string, string>;
  queryPrompt: string;
  documentPrompt: string;
  /** The prompt `encode` applies when no task is named (`default_prompt_name`). */
  defaultPrompt: string;
  similarity: 'dot';
}

const MLM_TRANSFORMER = /^sentence_transformers\.sparse_encoder\.(models|modules\.mlm_transformer)\.MLMTransformer$/;
const TRANSFORMER = /^sentence_transformers\.(base\.modules\.transformer|base\.modules|models)\.Transformer$/;
const SPLADE_POOLING = /^sentence_transformers\.sparse_encoder\.(models|modules\.splade_pooling|modules)\.SpladePooling$/;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A local folder for `pathOrId` (relative paths against `base`), resolving Hub ids through the hook. */
async function resolveFolder(
  pathOrId: string,
  base: string,
  options: ModelFolderOptions,
  what: string,
  revision?: string,
): Promise<string> {
  const local = isAbsolute(pathOrId) ? pathOrId : resolve(base, pathOrId);
  if (await isDirectory(local)) return local;
  if (isHubRepoId(pathOrId)) {
    if (!options.resolveModelSource) {
      throw new EncoderError(
        'model-not-found',
        `${what} "${pathOrId}" is a Hugging Face Hub id (there is no such local folder); ` +
          'no model source resolver was given to download it: pass a local folder, or the resolveModelSource option ' +
          "(app/hub's createModelSourceResolver, as the CLI does)",
      );
    }
    const folder = await options.resolveModelSource(pathOrId, { revision, relativeTo: base });
    if (!(await isDirectory(folder))) throw new EncoderError('model-not-found', `${what} "${pathOrId}" resolved to ${folder}, which is not a folder`);
    return folder;
  }
  if (await isFile(local)) throw new EncoderError('model-not-found', `${what} ${local} is a file, not a model folder`);
  throw new EncoderError('model-not-found', `${what} ${local} does not exist`);
}

/** Reads the folder's configuration files and decides what to load; reads no weights. */
export async function readModelFolder(pathOrId: string, options: ModelFolderOptions = {}): Promise<SpladeModelFolder> {
  const folder = await resolveFolder(pathOrId, process.cwd(), options, 'model');
  const modulesPath = join(folder, 'modules.json');
  const modules = await readJsonFile(modulesPath, true);

  let transformerFolder = folder;
  let poolingConfigPath: string | undefined;
  let layout: SpladeModelFolder['layout'] = 'masked-lm';
  let transformerType: 'mlm' | 'transformer' | undefined;
  if (modules !== undefined) {
    const where = describeFile(modulesPath);
    if (!Array.isArray(modules) || !modules.every(isJsonObject)) throw new EncoderError('model-invalid', `${where}: not a list of modules`);
    const sorted = [...modules].sort((a, b) => Number(a.idx ?? 0) - Number(b.idx ?? 0));
    for (const [i, module] of sorted.entries()) {
      const type = String(module.type);
      const known = MLM_TRANSFORMER.test(type) || TRANSFORMER.test(type) || SPLADE_POOLING.test(type);
      if (!known) {
        throw new EncoderError(
          'model-unsupported',
          `${where}: module ${i} of type "${type}" is not supported ` +
            `(a SPLADE model is a Transformer/MLMTransformer module followed by SpladePooling)`,
        );
      }
    }
    const [first, second] = sorted;
    const isTransformer = (m: Record<string, unknown> | undefined) =>
      m !== undefined && (MLM_TRANSFORMER.test(String(m.type)) || TRANSFORMER.test(String(m.type)));
    if (sorted.length !== 2 || !isTransformer(first) || !SPLADE_POOLING.test(String(second?.type))) {
      throw new EncoderError(
        'model-unsupported',
        `${where}: modules ${sorted.map((m) => JSON.stringify(String(m.type).split('.').pop())).join(', ')} ` +
          `are not supported (expected a Transformer/MLMTransformer module followed by SpladePooling)`,
      );
    }
    transformerType = MLM_TRANSFORMER.test(String(first!.type)) ? 'mlm' : 'transformer';
    layout = String(first!.type).includes('.models.') ? 'sentence-transformers-v5' : 'sentence-transformers-v6';
    transformerFolder = join(folder, String(first!.path ?? ''));
    poolingConfigPath = join(folder, String(second!.path ?? ''), 'config.json');
  }

  // sentence_bert_config.json of the transformer module.
  const stConfigPath = join(transformerFolder, 'sentence_bert_config.json');
  const stConfig = (await readJsonFile(stConfigPath, true)) ?? {};
  if (!isJsonObject(stConfig)) throw new EncoderError('model-invalid', `${describeFile(stConfigPath)}: not a JSON object`);
  if (transformerType !== undefined) checkTransformerTask(stConfig, transformerType, describeFile(stConfigPath));

  // Weights: a LoRA adapter over a base model, full safetensors weights, or a ready-made ONNX export.
  let adapter: LoraAdapterSource | undefined;
  let weightsFolder = transformerFolder;
  const adapterConfigPath = join(transformerFolder, 'adapter_config.json');
  const adapterJson = await readJsonFile(adapterConfigPath, true);
  if (adapterJson !== undefined) {
    const config = parseLoraConfig(adapterJson, describeFile(adapterConfigPath));
    const weightsPath = join(transformerFolder, 'adapter_model.safetensors');
    if (!(await isFile(weightsPath))) {
      const bin = await isFile(join(transformerFolder, 'adapter_model.bin'));
      throw new EncoderError(
        'model-not-found',
        `Cannot read adapter_model.safetensors in ${transformerFolder}: the file does not exist` +
          (bin ? ' (only adapter_model.bin was found; pickle weights are not supported, convert them to safetensors)' : ''),
      );
    }
    const baseFolder = await resolveFolder(config.baseModelNameOrPath, transformerFolder, options, 'base model', config.revision);
    adapter = { folder: transformerFolder, config, weightsPath, baseFolder };
    weightsFolder = baseFolder;
  }
  const weights = await findWeights(weightsFolder, adapter !== undefined);

  const hfConfigPath = join(weightsFolder, 'config.json');
  const hfConfig = weights.format === 'safetensors' ? weights.bertConfig : await readLooseConfig(hfConfigPath);
  const vocabSize = weights.format === 'safetensors' ? weights.bertConfig.vocabSize : hfConfig?.vocabSize;
  if (vocabSize === undefined) throw new EncoderError('model-invalid', `Cannot read config.json in ${weightsFolder}: vocab_size is needed`);

  // Tokenizer: next to the transformer module (sentence-transformers saves it there), else in the base folder.
  let tokenizerFolder = transformerFolder;
  if (!(await isFile(join(tokenizerFolder, 'tokenizer.json')))) {
    if (adapter && (await isFile(join(adapter.baseFolder, 'tokenizer.json')))) tokenizerFolder = adapter.baseFolder;
    else throw new EncoderError('tokenizer-invalid', `Cannot find tokenizer.json in ${transformerFolder}${adapter ? ` or ${adapter.baseFolder}` : ''}`);
  }

  const maxSeqLength = await resolveMaxLength(stConfig, describeFile(stConfigPath), tokenizerFolder, hfConfig?.maxPositionEmbeddings);

  const pooling = poolingConfigPath
    ? parseSpladePoolingConfig(await readJsonFile(poolingConfigPath), describeFile(poolingConfigPath), vocabSize)
    : DEFAULT_POOLING;

  const stModelConfigPath = join(folder, 'config_sentence_transformers.json');
  const prompts = await readPromptsAndSimilarity(stModelConfigPath);

  return {
    folder,
    layout,
    weights,
    adapter,
    tokenizerFolder,
    vocabSize,
    maxSeqLength,
    doLowerCase: stConfig.do_lower_case === true,
    pooling,
    ...prompts,
    similarity: 'dot',
  };
}

function checkTransformerTask(stConfig: Record<string, unknown>, type: 'mlm' | 'transformer', where: string): void {
  const task = stConfig.transformer_task ?? (type === 'mlm' ? 'fill-mask' : undefined);
  if (task !== 'fill-mask') {
    throw new EncoderError(
      'model-unsupported',
      `${where}: transformer_task ${JSON.stringify(task ?? null)} is not supported; a SPLADE model needs "fill-mask"`,
    );
  }
  const text = isJsonObject(stConfig.modality_config) ? stConfig.modality_config.text : undefined;
  if (isJsonObject(text) && text.method_output_name !== undefined && text.method_output_name !== 'logits') {
    throw new EncoderError(
      'model-unsupported',
      `${where}: modality_config.text.method_output_name ${JSON.stringify(text.method_output_name)} is not supported ` +
        `(SPLADE pools the masked-LM "logits")`,
    );
  }
}

async function findWeights(folder: string, forAdapter: boolean): Promise<ModelWeights> {
  const what = forAdapter ? 'base model' : 'model';
  const single = join(folder, 'model.safetensors');
  const indexPath = join(folder, 'model.safetensors.index.json');
  let files: string[] | undefined;
  if (await isFile(single)) files = [single];
  else if (await isFile(indexPath)) {
    const index = await readJsonFile(indexPath);
    if (!isJsonObject(index) || !isJsonObject(index.weight_map)) {
      throw new EncoderError('model-invalid', `${describeFile(indexPath)}: weight_map is missing`);
    }
    files = [...new Set(Object.values(index.weight_map).map((f) => join(folder, String(f))))].sort();
  }
  if (files) {
    const configPath = join(folder, 'config.json');
    const bertConfig = parseBertConfig(await readJsonFile(configPath), describeFile(configPath));
    return { format: 'safetensors', files, bertConfig };
  }
  if (!forAdapter) {
    for (const candidate of [join(folder, 'model.onnx'), join(folder, 'onnx', 'model.onnx')]) {
      if (await isFile(candidate)) return { format: 'onnx', path: candidate };
    }
  }
  const pickle = (await isFile(join(folder, 'pytorch_model.bin')))
    ? ' (only pytorch_model.bin was found; pickle weights are not supported, convert them to safetensors)'
    : '';
  throw new EncoderError(
    'model-not-found',
    `Cannot find the ${what} weights in ${folder}: no model.safetensors` +
      (forAdapter ? '' : ', model.onnx or onnx/model.onnx') +
      pickle,
  );
}

/** config.json of a ready-made ONNX export: only the sizes are needed, any architecture is accepted. */
async function readLooseConfig(path: string): Promise<{ vocabSize?: number; maxPositionEmbeddings?: number } | undefined> {
  const json = await readJsonFile(path, true);
  if (json === undefined) return undefined;
  if (!isJsonObject(json)) throw new EncoderError('model-invalid', `${describeFile(path)}: not a JSON object`);
  const int = (v: unknown) => (Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : undefined);
  return { vocabSize: int(json.vocab_size), maxPositionEmbeddings: int(json.max_position_embeddings) };
}

/**
 * `max_seq_length` from sentence_bert_config.json (v5); else the tokenizer's `model_max_length` capped at
 * `max_position_embeddings` (v6, and v5's fallback); else 512.
 */
async function resolveMaxLength(
  stConfig: Record<string, unknown>,
  where: string,
  tokenizerFolder: string,
  maxPositions: number | undefined,
): Promise<number> {
  const stated = stConfig.max_seq_length;
  if (stated !== undefined && stated !== null) {
    if (!Number.isSafeInteger(stated) || (stated as number) < 2) {
      throw new EncoderError('model-invalid', `${where}: max_seq_length ${JSON.stringify(stated)} is not an integer of at least 2`);
    }
    if (maxPositions !== undefined && (stated as number) > maxPositions) {
      throw new EncoderError('model-invalid', `${where}: max_seq_length ${String(stated)} exceeds the model's max_position_embeddings ${maxPositions}`);
    }
    return stated as number;
  }
  const tokenizerConfigPath = join(tokenizerFolder, 'tokenizer_config.json');
  const tokenizerConfig = await readJsonFile(tokenizerConfigPath, true);
  const modelMax = isJsonObject(tokenizerConfig) ? tokenizerConfig.model_max_length : undefined;
  const candidates = [modelMax, maxPositions].filter((v): v is number => typeof v === 'number' && v >= 2);
  return candidates.length > 0 ? Math.floor(Math.min(...candidates)) : 512;
}

const SUPPORTED_SIMILARITY = ['dot', 'dot_product'];
const KNOWN_SIMILARITY = ['cosine', 'euclidean', 'manhattan'];

async function readPromptsAndSimilarity(
  path: string,
): Promise<Pick<SpladeModelFolder, 'prompts' | 'queryPrompt' | 'documentPrompt' | 'defaultPrompt'>> {
  const where = describeFile(path);
  const json = (await readJsonFile(path, true)) ?? {};
  if (!isJsonObject(json)) throw new EncoderError('model-invalid', `${where}: not a JSON object`);
  if (json.model_type !== undefined && json.model_type !== null && json.model_type !== 'SparseEncoder') {
    throw new EncoderError('model-unsupported', `${where}: model_type ${JSON.stringify(json.model_type)} is not supported (a SparseEncoder is needed)`);
  }
  const similarity = json.similarity_fn_name;
  if (similarity !== undefined && similarity !== null && !SUPPORTED_SIMILARITY.includes(String(similarity))) {
    throw new EncoderError(
      'model-unsupported',
      KNOWN_SIMILARITY.includes(String(similarity))
        ? `${where}: similarity_fn_name "${String(similarity)}" is not supported (only "dot")`
        : `${where}: similarity_fn_name ${JSON.stringify(similarity)} is not a known similarity function`,
    );
  }
  // sentence-transformers starts from {query: '', document: ''} and fills in the saved prompts.
  const prompts: Record<string, string> = { query: '', document: '' };
  if (json.prompts !== undefined && json.prompts !== null) {
    if (!isJsonObject(json.prompts)) throw new EncoderError('model-invalid', `${where}: prompts is not an object`);
    for (const [name, prompt] of Object.entries(json.prompts)) {
      if (typeof prompt !== 'string') throw new EncoderError('model-invalid', `${where}: prompt ${JSON.stringify(name)} is not a string`);
      if (!prompts[name]) prompts[name] = prompt;
    }
  }
  let defaultPrompt = '';
  const defaultName = json.default_prompt_name;
  if (defaultName !== undefined && defaultName !== null) {
    if (typeof defaultName !== 'string' || !(defaultName in prompts)) {
      throw new EncoderError('model-invalid', `${where}: default_prompt_name ${JSON.stringify(defaultName)} names no prompt in prompts`);
    }
    defaultPrompt = prompts[defaultName]!;
  }
  const documentName = ['document', 'passage', 'corpus'].find((name) => name in prompts)!;
  return { prompts, queryPrompt: prompts.query!, documentPrompt: prompts[documentName]!, defaultPrompt };
}
