/** sentence-transformers' `SpladePooling` settings: how token logits become one sparse vector. */
import { isJsonObject } from './read-json.js';
import { EncoderError } from './encoder-error.js';

export type PoolingStrategy = 'max' | 'sum';
/** `relu`: log1p(relu(x)); `log1p_relu`: log1p(log1p(relu(x))) (sentence-transformers' names). */
export type ActivationFunction = 'relu' | 'log1p_relu';

export interface SpladePoolingConfig {
  strategy: PoolingStrategy;
  activation: ActivationFunction;
}

/** What sentence-transformers builds for a bare masked-LM checkpoint without its own config. */
export const DEFAULT_POOLING: SpladePoolingConfig = { strategy: 'max', activation: 'relu' };

/**
 * Parses `1_SpladePooling/config.json`. `vocabSize` is the model's output width: a stated dimension
 * (`embedding_dimension`, or v5's `word_embedding_dimension`) must equal it; `null` means "fill in from the model".
 */
export function parseSpladePoolingConfig(json: unknown, where: string, vocabSize: number | undefined): SpladePoolingConfig {
  if (!isJsonObject(json)) throw new EncoderError('model-invalid', `${where}: not a JSON object`);
  const strategy = json.pooling_strategy ?? 'max';
  if (strategy !== 'max' && strategy !== 'sum') {
    throw new EncoderError('model-unsupported', `${where}: pooling_strategy ${JSON.stringify(strategy)} is not supported ("max" or "sum")`);
  }
  const activation = json.activation_function ?? 'relu';
  if (activation !== 'relu' && activation !== 'log1p_relu') {
    throw new EncoderError('model-unsupported', `${where}: activation_function ${JSON.stringify(activation)} is not supported ("relu" or "log1p_relu")`);
  }
  const key = 'embedding_dimension' in json ? 'embedding_dimension' : 'word_embedding_dimension';
  const dimension = json[key];
  if (dimension !== undefined && dimension !== null) {
    if (!Number.isSafeInteger(dimension)) throw new EncoderError('model-invalid', `${where}: ${key} ${JSON.stringify(dimension)} is not an integer`);
    if (vocabSize !== undefined && dimension !== vocabSize) {
      throw new EncoderError('model-invalid', `${where}: ${key} ${String(dimension)} differs from the model's vocabulary size ${vocabSize}`);
    }
  }
  return { strategy, activation };
}
