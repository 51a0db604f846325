/** The BERT WordPiece tokenizer of the SPLADE encoder: public surface. */
export { BertTokenizer, type Encoding, type EncodeOptions, type TokenizerOptions } from './bert-tokenizer.js';
export { padBatch, type TokenBatch } from './pad-batch.js';
export { codePointToUtf16Offsets, pythonStrip } from './offsets.js';
