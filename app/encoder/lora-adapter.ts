/** PEFT LoRA adapters: `adapter_config.json` checked for what a plain merge supports, and the merge `W += s·B·A`. */
import { linearModules, NON_LINEAR_MODULE_SUFFIXES, type BertWeights, type TensorSource } from './bert-weights.js';
import { EncoderError } from './encoder-error.js';

/** Which modules an adapter adapts (plain data, so that it can be posted to a worker). */
export type ModuleSelector = string[] | RegExp | 'all-linear';

export interface LoraConfig {
  r: number;
  loraAlpha: number;
  useRslora: boolean;
  /** Module-name suffixes, one regular expression that must match the whole name, or PEFT's 'all-linear'. */
  targetModules: ModuleSelector;
  excludeModules: ModuleSelector | undefined;
  /** A folder (relative to the adapter folder or absolute) or a Hugging Face Hub id. */
  baseModelNameOrPath: string;
  /** The base model's Hub revision, when the adapter names one. */
  revision?: string;
}

/** PEFT's default targets for BERT when `target_modules` is unset (peft/utils/constants.py). */
const BERT_DEFAULT_TARGETS = ['query', 'value'];

/** Settings that change the maths beyond `W += s·B·A`: each must be unset, false or empty. */
const UNSUPPORTED_SETTINGS: Array<[key: string, what: string]> = [
  ['use_dora', 'DoRA (use_dora)'],
  ['modules_to_save', 'modules_to_save (fully trained extra modules)'],
  ['layers_to_transform', 'layers_to_transform'],
  ['layers_pattern', 'layers_pattern'],
  ['fan_in_fan_out', 'fan_in_fan_out'],
  ['lora_bias', 'lora_bias'],
  ['trainable_token_indices', 'trainable_token_indices'],
  ['rank_pattern', 'rank_pattern (per-module ranks)'],
  ['alpha_pattern', 'alpha_pattern (per-module alphas)'],
  ['layer_replication', 'layer_replication'],
  ['target_parameters', 'target_parameters'],
  ['alora_invocation_tokens', 'activated LoRA (alora_invocation_tokens)'],
  ['use_qalora', 'QA-LoRA (use_qalora)'],
  ['use_bdlora', 'use_bdlora'],
];

function isUnset(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** Parses `adapter_config.json` (already parsed as JSON); `where` names the file in errors. */
export function parseLoraConfig(json: unknown, where: string): LoraConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new EncoderError('model-invalid', `${where}: not a JSON object`);
  const c = json as Record<string, unknown>;
  if (c.peft_type !== 'LORA') {
    throw new EncoderError('model-unsupported', `${where}: peft_type ${JSON.stringify(c.peft_type)} is not supported (only "LORA" adapters are)`);
  }
  for (const [key, what] of UNSUPPORTED_SETTINGS) {
    if (!isUnset(c[key])) throw new EncoderError('model-unsupported', `${where}: ${what} is not supported (found ${JSON.stringify(c[key])})`);
  }
  if (c.bias !== undefined && c.bias !== null && c.bias !== 'none') {
    throw new EncoderError('model-unsupported', `${where}: bias ${JSON.stringify(c.bias)} is not supported (trained biases); only "none" is`);
  }
  if (!Number.isSafeInteger(c.r) || (c.r as number) <= 0) throw new EncoderError('model-invalid', `${where}: r ${JSON.stringify(c.r)} is not a positive integer`);
  const loraAlpha = c.lora_alpha ?? 8;
  if (typeof loraAlpha !== 'number' || !Number.isFinite(loraAlpha)) {
    throw new EncoderError('model-invalid', `${where}: lora_alpha ${JSON.stringify(c.lora_alpha)} is not a number`);
  }
  if (typeof c.base_model_name_or_path !== 'string' || c.base_model_name_or_path === '') {
    throw new EncoderError('model-invalid', `${where}: base_model_name_or_path is missing; cannot tell which base model the adapter belongs to`);
  }
  return {
    r: c.r as number,
    loraAlpha,
    useRslora: c.use_rslora === true,
    targetModules: parseModuleSelector(c.target_modules, where, 'target_modules') ?? BERT_DEFAULT_TARGETS,
    excludeModules: parseModuleSelector(c.exclude_modules, where, 'exclude_modules'),
    baseModelNameOrPath: c.base_model_name_or_path,
    ...(typeof c.revision === 'string' && c.revision !== '' ? { revision: c.revision } : {}),
  };
}

function parseModuleSelector(value: unknown, where: string, key: string): ModuleSelector | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    if (value === 'all-linear' && key === 'target_modules') return 'all-linear';
    try {
      return new RegExp(`^(?:${value})$`, 'u');
    } catch (error) {
      throw new EncoderError('model-invalid', `${where}: ${key} ${JSON.stringify(value)} is not a usable regular expression (${(error as Error).message})`);
    }
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new EncoderError('model-invalid', `${where}: ${key} must be a list of module names or a regular expression string`);
}

/**
 * PEFT's rule: a list entry matches a module named exactly so or ending in "." + entry; a string must match fully;
 * 'all-linear' selects every Linear layer but the output layer (the decoder, which is not in our Linear list).
 */
export function moduleSelected(name: string, selector: ModuleSelector): boolean {
  if (selector === 'all-linear') return true;
  if (selector instanceof RegExp) return selector.test(name);
  return selector.some((target) => name === target || name.endsWith(`.${target}`));
}

/** LoRA scale: `lora_alpha / r`, or `lora_alpha / sqrt(r)` with rsLoRA. */
export function loraScale(config: LoraConfig): number {
  return config.useRslora ? config.loraAlpha / Math.sqrt(config.r) : config.loraAlpha / config.r;
}

const KEY_PATTERN = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/;

/**
 * Merges the adapter's LoRA pairs into `weights` in place: `W += scale · (B @ A)` for every targeted Linear layer.
 * Returns the merged module names. Throws, naming the tensor or module, on anything it cannot merge exactly.
 */
export function mergeLoraAdapter(weights: BertWeights, config: LoraConfig, adapter: TensorSource): string[] {
  const where = adapter.description;
  const modules = linearModules(weights);
  const targeted = [...modules.keys()].filter(
    (name) =>
      moduleSelected(name, config.targetModules) &&
      !(config.excludeModules !== undefined && moduleSelected(name, config.excludeModules)),
  );
  for (const suffix of NON_LINEAR_MODULE_SUFFIXES) {
    const names = [`bert.${suffix}`, suffix];
    const hit = names.find(
      (name) => config.targetModules !== 'all-linear' && moduleSelected(name, config.targetModules),
    );
    if (hit) throw new EncoderError('model-unsupported', `${where}: target_modules selects ${hit}, which is not a Linear layer LoRA can be merged into here`);
  }
  if (targeted.length === 0) {
    throw new EncoderError('model-unsupported', `${where}: target_modules ${describeSelector(config.targetModules)} selects no Linear layer of BertForMaskedLM`);
  }
  // Every tensor in the file must be a LoRA A/B of a targeted Linear layer.
  const pairs = new Map<string, { a?: string; b?: string }>();
  for (const name of adapter.tensorNames()) {
    const match = KEY_PATTERN.exec(name);
    if (!match) {
      if (name.includes('lora_embedding_')) throw new EncoderError('model-unsupported', `${where}: tensor ${name}: LoRA on embedding layers is not supported`);
      if (name.includes('lora_magnitude_vector')) throw new EncoderError('model-unsupported', `${where}: tensor ${name}: DoRA is not supported`);
      throw new EncoderError(
        'model-invalid',
        `${where}: tensor ${name} is not a LoRA weight (base_model.model.<module>.lora_A/lora_B.weight); ` +
          `adapters that save full modules (modules_to_save, trainable tokens, biases) are not supported`,
      );
    }
    const [, module, which] = match as unknown as [string, string, 'A' | 'B'];
    if (!modules.has(module)) throw new EncoderError('model-invalid', `${where}: tensor ${name} adapts ${module}, which is not a Linear layer of BertForMaskedLM`);
    if (!targeted.includes(module)) throw new EncoderError('model-invalid', `${where}: tensor ${name} adapts ${module}, which target_modules does not select`);
    const pair = pairs.get(module) ?? {};
    if (which === 'A') pair.a = name;
    else pair.b = name;
    pairs.set(module, pair);
  }
  const scale = loraScale(config);
  for (const module of targeted) {
    const pair = pairs.get(module);
    if (!pair?.a || !pair.b) {
      throw new EncoderError('model-invalid', `${where}: target_modules selects ${module}, but the file has no lora_${pair?.a ? 'B' : 'A'} weight for it`);
    }
    const linear = modules.get(module)!;
    const a = adapter.tensorWithShape(pair.a, [config.r, linear.inFeatures], `[r=${config.r}, in_features=${linear.inFeatures}] of the base layer`);
    const b = adapter.tensorWithShape(pair.b, [linear.outFeatures, config.r], `[out_features=${linear.outFeatures}, r=${config.r}] of the base layer`);
    addScaledProduct(linear.weight, b, a, linear.outFeatures, config.r, linear.inFeatures, scale);
  }
  return targeted;
}

/** `w[out, in] += scale · (b[out, r] @ a[r, in])`, accumulated in double precision. */
function addScaledProduct(
  w: Float32Array,
  b: Float32Array,
  a: Float32Array,
  outFeatures: number,
  r: number,
  inFeatures: number,
  scale: number,
): void {
  const row = new Float64Array(inFeatures);
  for (let o = 0; o < outFeatures; o++) {
    row.fill(0);
    for (let k = 0; k < r; k++) {
      const bk = b[o * r + k]!;
      if (bk === 0) continue;
      const offset = k * inFeatures;
      for (let i = 0; i < inFeatures; i++) row[i]! += bk * a[offset + i]!;
    }
    const offset = o * inFeatures;
    for (let i = 0; i < inFeatures; i++) w[offset + i] = w[offset + i]! + Math.fround(Math.fround(row[i]!) * scale);
  }
}

function describeSelector(selector: ModuleSelector): string {
  return selector instanceof RegExp ? String(selector) : JSON.stringify(selector);
}
