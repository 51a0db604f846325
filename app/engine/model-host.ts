/**
 * The engine's encoder, loaded lazily and in the background so that the engine answers status, folder and file
 * calls while the model loads (or downloads). Model resolution as the CLI does it: a folder, or a Hub id found in
 * the Hugging Face cache — downloaded only when the engine was opened with `download: true` or `downloadModel`
 * is called (never silently otherwise).
 */
import { SparseEncoder, defaultOnnxCacheDir, type Device, type PrecisionSetting } from '../encoder/index.js';
import { createModelSourceResolver, isHubError, type DownloadProgress as HubDownloadProgress } from '../hub/index.js';
import { EngineError, toWireError } from './engine-error.js';
import type { DownloadProgress, EngineStatus } from './engine-types.js';

export type ModelState = EngineStatus['model']['state'];

export interface ModelHostOptions {
  /** Folder or Hub id. */
  reference: string;
  device: Device;
  precision: PrecisionSetting;
  env: NodeJS.ProcessEnv;
  /** Fetch a Hub model missing from the cache (default false: state 'missing' until downloadModel). */
  download: boolean;
  cacheDir?: string | undefined;
  batchSize?: number | undefined;
  threads?: number | undefined;
  onChange: () => void;
  onDownload: (progress: DownloadProgress) => void;
}

export class ModelHost {
  state: ModelState = 'loading';
  folder: string | null = null;
  error: { code: string; message: string } | null = null;
  private encoder: SparseEncoder | undefined;
  private loading: Promise<SparseEncoder> | undefined;
  private disposed = false;

  constructor(private readonly options: ModelHostOptions) {}

  get reference(): string {
    return this.options.reference;
  }

  /** The encoder when loaded, else undefined (never waits). */
  get loaded(): SparseEncoder | undefined {
    return this.encoder;
  }

  /** Starts loading (once); resolves with the encoder or rejects with the load error. */
  load(download = this.options.download): Promise<SparseEncoder> {
    if (this.encoder) return Promise.resolve(this.encoder);
    if (!this.loading) {
      this.loading = this.doLoad(download);
      // A failed load may be retried (after a download, or when the cache was filled by another process).
      this.loading.catch(() => (this.loading = undefined));
    }
    return this.loading;
  }

  /** The encoder, waiting for a load in progress; EngineError 'model-not-ready' when it is missing or failed. */
  async ready(): Promise<SparseEncoder> {
    try {
      return await this.load();
    } catch (error) {
      if (this.state === 'missing') {
        throw new EngineError('model-not-ready', `The model ${this.options.reference} is not downloaded yet: download it (splade-search download, or the app's download button)`, { model: this.options.reference });
      }
      throw error;
    }
  }

  /** Downloads (or finds in the cache) the model and loads it. */
  async download(): Promise<void> {
    if (this.encoder) return;
    if (this.loading) await this.loading.catch(() => undefined);
    if (this.encoder) return;
    await this.load(true);
  }

  private async doLoad(download: boolean): Promise<SparseEncoder> {
    this.state = 'loading';
    this.error = null;
    this.options.onChange();
    const reference = this.options.reference;
    let downloading = false;
    const onProgress = (event: HubDownloadProgress) => {
      if (!downloading) {
        downloading = true;
        this.state = 'downloading';
        this.options.onChange();
      }
      const remaining = event.snapshotTotal !== undefined ? event.snapshotTotal - event.snapshotBytes : undefined;
      this.options.onDownload({
        model: reference,
        file: event.file,
        bytes: event.snapshotBytes,
        totalBytes: event.snapshotTotal ?? null,
        bytesPerSecond: event.rate,
        etaSeconds: remaining !== undefined && event.rate > 0 ? remaining / event.rate : null,
        done: false,
        error: null,
      });
    };
    const env = download ? this.options.env : { ...this.options.env, HF_HUB_OFFLINE: '1' };
    try {
      const encoder = await SparseEncoder.load(reference, {
        device: this.options.device,
        precision: this.options.precision,
        cacheDir: this.options.cacheDir ?? defaultOnnxCacheDir(this.options.env),
        resolveModelSource: createModelSourceResolver({ env, onProgress }),
        ...(this.options.batchSize !== undefined ? { batchSize: this.options.batchSize } : {}),
        ...(this.options.threads !== undefined ? { threads: this.options.threads } : {}),
      });
      if (this.disposed) {
        await encoder.dispose();
        throw new EngineError('closed', 'The engine was closed while the model loaded');
      }
      this.encoder = encoder;
      this.folder = encoder.model.folder;
      this.state = 'ready';
      if (downloading) this.options.onDownload({ model: reference, file: null, bytes: 0, totalBytes: null, bytesPerSecond: 0, etaSeconds: null, done: true, error: null });
      this.options.onChange();
      return encoder;
    } catch (error) {
      const missing = !download && isHubError(error) && error.code === 'offline-not-cached';
      this.state = missing ? 'missing' : 'error';
      this.error = toWireError(error);
      if (downloading) this.options.onDownload({ model: reference, file: null, bytes: 0, totalBytes: null, bytesPerSecond: 0, etaSeconds: null, done: true, error: this.error });
      this.options.onChange();
      throw error;
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const encoder = this.encoder;
    this.encoder = undefined;
    if (encoder) await encoder.dispose();
  }
}
