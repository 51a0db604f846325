/**
 * What a Hugging Face Hub model reference is, for every module that meets one: the one rule for "is this a Hub id",
 * and the resolver contract the encoder is given to turn a reference into a folder. No I/O here, so the encoder may
 * import it without depending on how models are downloaded.
 */

/** `org/name` or `name`, as huggingface_hub's `validate_repo_id` accepts it. */
export function isHubRepoId(id: string): boolean {
  return /^(?:[\w.-]+\/)?[\w.-]+$/.test(id) && !id.includes('--') && !id.includes('..') && !/(^|\/)[.-]|[.-]($|\/)/.test(id) && id.length <= 96;
}

/**
 * The function the encoder is given to turn a model reference (its own, or an adapter's base model) into a folder.
 * Called with a Hub id or a folder path; resolves to a local folder holding the files. `createModelSourceResolver`
 * (app/hub) makes one.
 */
export type ModelSourceResolver = (idOrPath: string, options?: ModelSourceCallOptions) => Promise<string>;

/** Per-call options of a ModelSourceResolver. */
export interface ModelSourceCallOptions {
  /** Branch, tag or sha for a Hub id (default `main`; for a base model, pass the adapter's `revision`). */
  revision?: string | undefined;
  /** Folder that a relative path is relative to: the adapter folder, for a `base_model_name_or_path` like `../base`. */
  relativeTo?: string | undefined;
}
