/** The weights of a `BertForMaskedLM` read from safetensors, every shape checked against config.json. */
import type { BertConfig } from './bert-config.js';
import type { SafetensorsFile } from './safetensors.js';
import { EncoderError } from './encoder-error.js';

/** A torch `nn.Linear`: `weight` is `[outFeatures, inFeatures]` row-major, as stored. */
export interface LinearWeights {
  weight: Float32Array;
  bias: Float32Array;
  inFeatures: number;
  outFeatures: number;
}

export interface LayerNormWeights {
  gamma: Float32Array;
  beta: Float32Array;
}

export interface BertLayerWeights {
  query: LinearWeights;
  key: LinearWeights;
  value: LinearWeights;
  attentionOutput: LinearWeights;
  attentionNorm: LayerNormWeights;
  intermediate: LinearWeights;
  output: LinearWeights;
  outputNorm: LayerNormWeights;
}

export interface BertWeights {
  config: BertConfig;
  /** `[vocab, hidden]` */
  wordEmbeddings: Float32Array;
  /** `[maxPositions, hidden]` */
  positionEmbeddings: Float32Array;
  /** `[typeVocab, hidden]` */
  tokenTypeEmbeddings: Float32Array;
  embeddingNorm: LayerNormWeights;
  layers: BertLayerWeights[];
  /** `cls.predictions.transform.dense` */
  headTransform: LinearWeights;
  headNorm: LayerNormWeights;
  /** `[vocab, hidden]`; the same array as `wordEmbeddings` when the decoder is tied. */
  decoderWeight: Float32Array;
  /** `[vocab]` */
  decoderBias: Float32Array;
}

/** Finds tensors by name across the files of a (possibly sharded) checkpoint. */
export class TensorSource {
  constructor(
    private readonly files: SafetensorsFile[],
    /** Names the checkpoint in messages, e.g. `model.safetensors in /models/base`. */
    readonly description: string,
  ) {}

  find(name: string): SafetensorsFile | undefined {
    return this.files.find((file) => file.has(name));
  }

  /** Every tensor name in the checkpoint. */
  tensorNames(): string[] {
    return this.files.flatMap((file) => [...file.tensors.keys()]);
  }

  /** The first of `names` present, as float32 with its shape checked; throws naming the tensor otherwise. */
  tensor(names: string[], shape: number[]): Float32Array {
    for (const name of names) {
      if (this.find(name)) return this.tensorWithShape(name, shape, `[${shape.join(', ')}] as config.json implies`);
    }
    throw new EncoderError('model-invalid', `${this.description}: tensor ${names.join(' (or ')}${names.length > 1 ? ')' : ''} is missing`);
  }

  /** Tensor `name` as float32, which must have `shape`; `expected` describes that shape in the error. */
  tensorWithShape(name: string, shape: number[], expected: string): Float32Array {
    const file = this.find(name);
    if (!file) throw new EncoderError('model-invalid', `${this.description}: tensor ${name} is missing`);
    const info = file.info(name);
    if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
      throw new EncoderError('model-invalid', `${this.description}: tensor ${name} has shape [${info.shape.join(', ')}], expected ${expected}`);
    }
    return file.float32(name);
  }
}

/** Reads all weights of a `BertForMaskedLM` checkpoint. */
export function readBertWeights(source: TensorSource, config: BertConfig): BertWeights {
  const { vocabSize: V, hiddenSize: H, intermediateSize: I } = config;
  const linear = (prefix: string, inFeatures: number, outFeatures: number): LinearWeights => ({
    weight: source.tensor([`${prefix}.weight`], [outFeatures, inFeatures]),
    bias: source.tensor([`${prefix}.bias`], [outFeatures]),
    inFeatures,
    outFeatures,
  });
  const norm = (prefix: string): LayerNormWeights => ({
    gamma: source.tensor([`${prefix}.weight`, `${prefix}.gamma`], [H]),
    beta: source.tensor([`${prefix}.bias`, `${prefix}.beta`], [H]),
  });
  const wordEmbeddings = source.tensor(['bert.embeddings.word_embeddings.weight'], [V, H]);
  const layers: BertLayerWeights[] = [];
  for (let l = 0; l < config.numHiddenLayers; l++) {
    const p = `bert.encoder.layer.${l}`;
    layers.push({
      query: linear(`${p}.attention.self.query`, H, H),
      key: linear(`${p}.attention.self.key`, H, H),
      value: linear(`${p}.attention.self.value`, H, H),
      attentionOutput: linear(`${p}.attention.output.dense`, H, H),
      attentionNorm: norm(`${p}.attention.output.LayerNorm`),
      intermediate: linear(`${p}.intermediate.dense`, H, I),
      output: linear(`${p}.output.dense`, I, H),
      outputNorm: norm(`${p}.output.LayerNorm`),
    });
  }
  if (source.find(`bert.encoder.layer.${config.numHiddenLayers}.attention.self.query.weight`)) {
    throw new EncoderError(
      'model-invalid',
      `${source.description}: holds more encoder layers than num_hidden_layers ${config.numHiddenLayers} in config.json`,
    );
  }
  const decoderWeight = config.tieWordEmbeddings
    ? wordEmbeddings
    : source.tensor(['cls.predictions.decoder.weight'], [V, H]);
  return {
    config,
    wordEmbeddings,
    positionEmbeddings: source.tensor(['bert.embeddings.position_embeddings.weight'], [config.maxPositionEmbeddings, H]),
    tokenTypeEmbeddings: source.tensor(['bert.embeddings.token_type_embeddings.weight'], [config.typeVocabSize, H]),
    embeddingNorm: norm('bert.embeddings.LayerNorm'),
    layers,
    headTransform: linear('cls.predictions.transform.dense', H, H),
    headNorm: norm('cls.predictions.transform.LayerNorm'),
    decoderWeight,
    decoderBias: source.tensor(['cls.predictions.bias', 'cls.predictions.decoder.bias'], [V]),
  };
}

/** The Linear layers of the model by their PyTorch module names (what LoRA `target_modules` match). */
export function linearModules(weights: BertWeights): Map<string, LinearWeights> {
  const modules = new Map<string, LinearWeights>();
  weights.layers.forEach((layer, l) => {
    const p = `bert.encoder.layer.${l}`;
    modules.set(`${p}.attention.self.query`, layer.query);
    modules.set(`${p}.attention.self.key`, layer.key);
    modules.set(`${p}.attention.self.value`, layer.value);
    modules.set(`${p}.attention.output.dense`, layer.attentionOutput);
    modules.set(`${p}.intermediate.dense`, layer.intermediate);
    modules.set(`${p}.output.dense`, layer.output);
  });
  modules.set('cls.predictions.transform.dense', weights.headTransform);
  return modules;
}

/** Modules of `BertForMaskedLM` that are not plain Linear layers LoRA could be merged into here. */
export const NON_LINEAR_MODULE_SUFFIXES = [
  'embeddings.word_embeddings',
  'embeddings.position_embeddings',
  'embeddings.token_type_embeddings',
  'cls.predictions.decoder',
];
