/** The Hugging Face `config.json` of a BERT masked-language model: parsed, checked, reduced to what the graph needs. */
import { EncoderError } from './encoder-error.js';


export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  /** Whether the MLM decoder reuses the word embeddings (transformers' `tie_word_embeddings`, default true). */
  tieWordEmbeddings: boolean;
}

/** Architectures whose checkpoints hold `bert.*` and the `cls.predictions.*` masked-LM head. */
const SUPPORTED_ARCHITECTURES = ['BertForMaskedLM', 'BertForPreTraining'];

/** Parses `config.json` (its text already parsed as JSON); `where` names the file in errors. */
export function parseBertConfig(json: unknown, where: string): BertConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new EncoderError('model-invalid', `${where}: not a JSON object`);
  const c = json as Record<string, unknown>;
  if (c.model_type !== 'bert') {
    throw new EncoderError(
      'model-unsupported',
      `${where}: model_type ${JSON.stringify(c.model_type)} is not supported (only "bert" masked-language models are)`,
    );
  }
  if (c.architectures !== undefined && c.architectures !== null) {
    if (!Array.isArray(c.architectures)) throw new EncoderError('model-invalid', `${where}: architectures is not a list`);
    const supported = c.architectures.filter((a) => SUPPORTED_ARCHITECTURES.includes(String(a)));
    if (supported.length === 0) {
      throw new EncoderError(
        'model-unsupported',
        `${where}: architecture ${c.architectures.map((a) => JSON.stringify(a)).join(', ')} is not supported ` +
          `(a SPLADE model needs a masked-language-model head: ${SUPPORTED_ARCHITECTURES.join(' or ')})`,
      );
    }
  }
  const hiddenAct = c.hidden_act ?? 'gelu';
  if (hiddenAct !== 'gelu') {
    throw new EncoderError('model-unsupported', `${where}: hidden_act ${JSON.stringify(hiddenAct)} is not supported (only exact "gelu")`);
  }
  const positionType = c.position_embedding_type ?? 'absolute';
  if (positionType !== 'absolute') {
    throw new EncoderError('model-unsupported', `${where}: position_embedding_type ${JSON.stringify(positionType)} is not supported (only "absolute")`);
  }
  if (c.is_decoder === true) throw new EncoderError('model-unsupported', `${where}: is_decoder is true; only bidirectional encoders are supported`);
  const int = (key: string, fallback?: number): number => {
    const value = c[key] ?? fallback;
    if (!Number.isSafeInteger(value) || (value as number) <= 0) {
      throw new EncoderError('model-invalid', `${where}: ${key} ${JSON.stringify(c[key])} is not a positive integer`);
    }
    return value as number;
  };
  const config: BertConfig = {
    vocabSize: int('vocab_size'),
    hiddenSize: int('hidden_size'),
    numHiddenLayers: int('num_hidden_layers'),
    numAttentionHeads: int('num_attention_heads'),
    intermediateSize: int('intermediate_size'),
    maxPositionEmbeddings: int('max_position_embeddings', 512),
    typeVocabSize: int('type_vocab_size', 2),
    layerNormEps: typeof c.layer_norm_eps === 'number' && c.layer_norm_eps > 0 ? c.layer_norm_eps : 1e-12,
    tieWordEmbeddings: c.tie_word_embeddings !== false,
  };
  if (config.hiddenSize % config.numAttentionHeads !== 0) {
    throw new EncoderError(
      'model-invalid',
      `${where}: hidden_size ${config.hiddenSize} is not a multiple of num_attention_heads ${config.numAttentionHeads}`,
    );
  }
  return config;
}
