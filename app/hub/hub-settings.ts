/** Hub settings from the environment, read the way Python's huggingface_hub reads them (HF_ENDPOINT, HF_TOKEN, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE). */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** Everything the downloader needs to know about where the Hub and the cache are. */
export interface HubSettings {
  /** Base URL of the Hub, without a trailing slash. */
  endpoint: string;
  /** The cache folder that holds `models--org--name/` folders. */
  cacheDir: string;
  /** Bearer token for gated or private repositories; undefined sends none. */
  token: string | undefined;
  /** Where the token came from, for error messages. */
  tokenSource: 'HF_TOKEN' | 'HUGGING_FACE_HUB_TOKEN' | 'token file' | 'option' | undefined;
  /** No network at all: use the cache or fail. */
  offline: boolean;
  /** Seconds to wait for metadata requests (HEAD, API) before giving up on one attempt. */
  metadataTimeoutSeconds: number;
  /** Seconds a download may stay silent before the connection counts as broken. */
  downloadTimeoutSeconds: number;
  /** The environment HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY are read from (as huggingface_hub's requests does). */
  proxyEnv: NodeJS.ProcessEnv;
}

const TRUE_VALUES = new Set(['1', 'ON', 'YES', 'TRUE']);

/** huggingface_hub's `_is_true`: 1, ON, YES, TRUE in any case. */
export function isTrueEnvValue(value: string | undefined): boolean {
  return value !== undefined && TRUE_VALUES.has(value.trim().toUpperCase());
}

function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(homedir(), path.slice(2));
  return path;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function positiveNumber(value: string | undefined, fallback: number): number {
  const parsed = value === undefined ? NaN : Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

/** `$HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`. */
export function hfHome(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = nonEmpty(env.HF_HOME);
  if (explicit) return expandHome(explicit);
  const xdg = nonEmpty(env.XDG_CACHE_HOME);
  return join(xdg ? expandHome(xdg) : join(homedir(), '.cache'), 'huggingface');
}

/** `$HF_HUB_CACHE`, else the legacy `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`. */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = nonEmpty(env.HF_HUB_CACHE) ?? nonEmpty(env.HUGGINGFACE_HUB_CACHE);
  return explicit ? expandHome(explicit) : join(hfHome(env), 'hub');
}

/** The token file Python's `hf auth login` writes: `$HF_TOKEN_PATH`, else `$HF_HOME/token`. */
export function tokenFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = nonEmpty(env.HF_TOKEN_PATH);
  return explicit ? expandHome(explicit) : join(hfHome(env), 'token');
}

/** Overrides for tests and for the app's own settings; each wins over the environment. */
export interface HubSettingsOverrides {
  endpoint?: string;
  cacheDir?: string;
  /** A token, or null to send none even if HF_TOKEN is set. */
  token?: string | null;
  offline?: boolean;
}

/** Reads the settings from `env` (default `process.env`), then applies `overrides`. */
export function readHubSettings(env: NodeJS.ProcessEnv = process.env, overrides: HubSettingsOverrides = {}): HubSettings {
  let token: string | undefined;
  let tokenSource: HubSettings['tokenSource'];
  if (overrides.token !== undefined) {
    token = overrides.token ?? undefined;
    tokenSource = token ? 'option' : undefined;
  } else if (nonEmpty(env.HF_TOKEN)) {
    token = nonEmpty(env.HF_TOKEN);
    tokenSource = 'HF_TOKEN';
  } else if (nonEmpty(env.HUGGING_FACE_HUB_TOKEN)) {
    token = nonEmpty(env.HUGGING_FACE_HUB_TOKEN);
    tokenSource = 'HUGGING_FACE_HUB_TOKEN';
  } else {
    try {
      token = nonEmpty(readFileSync(tokenFilePath(env), 'utf8'));
      tokenSource = token ? 'token file' : undefined;
    } catch {
      token = undefined;
    }
  }
  const endpoint = (overrides.endpoint ?? nonEmpty(env.HF_ENDPOINT) ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  return {
    endpoint,
    cacheDir: overrides.cacheDir ?? hubCacheDir(env),
    token,
    tokenSource,
    offline: overrides.offline ?? isTrueEnvValue(env.HF_HUB_OFFLINE),
    metadataTimeoutSeconds: positiveNumber(env.HF_HUB_ETAG_TIMEOUT, 10),
    downloadTimeoutSeconds: positiveNumber(env.HF_HUB_DOWNLOAD_TIMEOUT, 10),
    proxyEnv: env,
  };
}
