/** Model delivery from the Hugging Face Hub: pick the model, download it into the huggingface_hub cache, resolve it to a folder. */
export { DEFAULT_MODEL_ID, MODEL_SOURCE_ORIGINS, classifyModelSource, createModelSourceResolver, pickModelSource, readAdapterBase, resolveModelSource, resolveModelWithBase } from './model-source.js';
export type { ModelSource, ModelSourceChoices, ModelSourceOrigin, ResolvedModel } from './model-source.js';
export { isHubRepoId, type ModelSourceCallOptions, type ModelSourceResolver } from './hub-id.js';
export { DEFAULT_REVISION, downloadSnapshot } from './snapshot-download.js';
export type { Snapshot, SnapshotOptions } from './snapshot-download.js';
export { filesMatching, spladeModelFiles } from './file-selection.js';
export type { FileSelection } from './file-selection.js';
export type { DownloadProgress, ProgressListener } from './download-progress.js';
export { HubError, isHubError } from './hub-error.js';
export type { HubErrorCode } from './hub-error.js';
export { DEFAULT_ENDPOINT, hfHome, hubCacheDir, readHubSettings } from './hub-settings.js';
export type { HubSettings, HubSettingsOverrides } from './hub-settings.js';
export type { RetryPolicy } from './hub-http.js';
