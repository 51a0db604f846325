/** EvalError: why an evaluation dataset cannot be used, with a closed `code` and a message naming the file and line. */

export type EvalErrorCode =
  /** The folder holds no BEIR dataset (no corpus.jsonl, and no sub-folder with one). */
  | 'not-a-dataset'
  /** A required file of the dataset is missing (corpus.jsonl, queries.jsonl, qrels/<split>.tsv). */
  | 'missing-file'
  /** A line of a dataset file cannot be read: bad JSON, a missing or mistyped field, a malformed TSV row. */
  | 'bad-line'
  /** The same `_id` twice in corpus.jsonl or queries.jsonl. */
  | 'duplicate-id'
  /** Nothing left to evaluate: no documents, or no query with a relevant document. */
  | 'empty';

export class EvalError extends Error {
  override name = 'EvalError' as const;
  constructor(
    readonly code: EvalErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isEvalError(error: unknown): error is EvalError {
  return error instanceof EvalError || (error as { name?: unknown } | null)?.name === 'EvalError';
}
