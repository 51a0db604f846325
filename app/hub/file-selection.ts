/** Which repository files to fetch: by default only what a sentence-transformers SPLADE model (or its BERT base) needs to run. */

/** Chooses files from a repository listing and names what a usable snapshot cannot lack. */
export interface FileSelection {
  /** Whether the repository file `path` (forward slashes, as in `siblings[].rfilename`) is fetched. */
  includes(path: string): boolean;
  /**
   * Given the files a snapshot has (or the repository lists), what is missing for the model to be usable, as
   * human-readable items (e.g. `"model.safetensors or adapter_model.safetensors"`); empty when nothing is.
   */
  missing(files: readonly string[]): string[];
}

const ROOT_FILES = new Set([
  'modules.json',
  'config_sentence_transformers.json',
  'sentence_bert_config.json',
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
  'adapter_config.json',
  'model.safetensors',
  'adapter_model.safetensors',
  'model.safetensors.index.json',
]);
/** Shards named by `model.safetensors.index.json`, as transformers writes them. */
const SHARD = /^model-\d+-of-\d+\.safetensors$/;
/** Folders of other runtimes that hold their own `config.json` copies. */
const OTHER_RUNTIMES = new Set(['onnx', 'openvino', 'coreml', 'tflite', 'tf', 'flax', 'mlx']);
/** A module's config one level down, e.g. `1_SpladePooling/config.json`. */
const MODULE_CONFIG = /^([^/]+)\/(config\.json|sentence_bert_config\.json)$/;

/**
 * The default: `modules.json`, `config_sentence_transformers.json`, `sentence_bert_config.json`, module configs
 * (`<module>/config.json`), `config.json`, the tokenizer files, `adapter_config.json` and safetensors weights
 * (whole, adapter, or sharded with its index). Never `pytorch_model.bin`, `tf_model.h5`, `flax_model.msgpack`,
 * `rust_model.ot`, `onnx/` or `openvino/`.
 */
export const spladeModelFiles: FileSelection = {
  includes(path) {
    if (ROOT_FILES.has(path) || SHARD.test(path)) return true;
    const module = MODULE_CONFIG.exec(path);
    return module !== null && !OTHER_RUNTIMES.has(module[1]!.toLowerCase());
  },
  missing(files) {
    const have = new Set(files);
    const missing: string[] = [];
    if (!have.has('model.safetensors') && !have.has('adapter_model.safetensors') && !have.has('model.safetensors.index.json')) {
      missing.push('model.safetensors or adapter_model.safetensors (safetensors weights)');
    }
    if (!have.has('config.json') && !have.has('adapter_config.json')) missing.push('config.json or adapter_config.json');
    return missing;
  },
};

/** Every file of the repository, with no requirement: for callers that want a full mirror. */
export const allFiles: FileSelection = { includes: () => true, missing: () => [] };

/** Converts an fnmatch-style pattern (`*`, `?`, `[...]`; `*` also crosses `/`, as in huggingface_hub's allow_patterns) to a RegExp. */
function patternToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        source += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += char.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * A selection from glob patterns, like huggingface_hub's `allow_patterns` / `ignore_patterns` (a pattern ending in
 * `/` means the whole folder). `required` lists files that must be present.
 */
export function filesMatching(options: { allow: readonly string[]; ignore?: readonly string[]; required?: readonly string[] }): FileSelection {
  const expand = (patterns: readonly string[]) => patterns.map((p) => patternToRegExp(p.endsWith('/') ? p + '*' : p));
  const allow = expand(options.allow);
  const ignore = expand(options.ignore ?? []);
  return {
    includes: (path) => allow.some((re) => re.test(path)) && !ignore.some((re) => re.test(path)),
    missing: (files) => (options.required ?? []).filter((file) => !files.includes(file)),
  };
}
