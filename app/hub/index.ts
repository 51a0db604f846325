/** Model delivery from the Hugging Face Hub: pick the model, download it into the huggingface_hub cache, resolve it to a folder. */
export { DEFAULT_MODEL_ID, MODEL_SOURCE_ORIGINS, classifyModelSource, createModelSourceResolver, pickModelSource, readAdapterBase, resolveModelSource, resolveModelWithBase } from './model-source.js';
export type { ModelSource, ModelSourceCallOptions, ModelSourceChoices, ModelSourceOrigin, ModelSourceResolver, ResolvedModel } from './model-source.js';
export { DEFAULT_REVISION, downloadSnapshot, isHubRepoId } from './snapshot-download.js';
export type { Snapshot, SnapshotOptions } from './snapshot-download.js';
export { findCachedSnapshot } from './cached-snapshot.js';
export type { CachedSnapshot } from './cached-snapshot.js';
export { RepoCache, repoFolderName } from './cache-layout.js';
export { allFiles, filesMatching, spladeModelFiles } from './file-selection.js';
export type { FileSelection } from './file-selection.js';
export { formatBytes } from './download-progress.js';
export type { DownloadProgress, ProgressListener } from './download-progress.js';
export { HubError, isHubError } from './hub-error.js';
export type { HubErrorCode } from './hub-error.js';
export { DEFAULT_ENDPOINT, hfHome, hubCacheDir, readHubSettings } from './hub-settings.js';
export type { HubSettings, HubSettingsOverrides } from './hub-settings.js';
export type { RetryPolicy } from './hub-http.js';
export { barLine, createProgressBar } from './progress-bar.js';
export type { ProgressBar, ProgressBarOptions } from './progress-bar.js';
