/** Resolves a NuGet package's .nupkg URL through a v3 feed: service index -> PackageBaseAddress -> version list -> URL. */
import { httpGetJson, type HttpOptions } from './http-download.js';
import { OnnxRuntimeError } from '../onnxruntime-error.js';

export const nugetOrgServiceIndex = 'https://api.nuget.org/v3/index.json';

/** The NuGet package whose runtimes/linux-x64/native holds onnxruntime's CUDA and TensorRT providers (as onnxruntime-node's installer uses). */
export const cudaProviderPackageId = 'Microsoft.ML.OnnxRuntime.Gpu.Linux';

export interface ResolvedNugetPackage {
  id: string;
  version: string;
  /** The .nupkg URL. */
  url: string;
  /** `<id>.<version>.nupkg`, lower case as the feed names it. */
  fileName: string;
}

/**
 * Finds `id` at exactly `version` on the feed whose service index is `serviceIndexUrl` (the same steps as
 * onnxruntime-node's script/install-utils.js, with redirects followed). Rejects naming the feed and the versions it
 * has when the version is absent.
 */
export async function resolveNugetPackage(serviceIndexUrl: string, id: string, version: string, http: HttpOptions = {}): Promise<ResolvedNugetPackage> {
  const index = await httpGetJson(serviceIndexUrl, http);
  if (index.status === 404 || !index.body) throw new OnnxRuntimeError('feed-invalid', `The NuGet service index ${serviceIndexUrl} was not found (HTTP 404)`, { url: serviceIndexUrl, status: 404 });
  const resources = (index.body as { resources?: unknown }).resources;
  if (!Array.isArray(resources)) throw new OnnxRuntimeError('feed-invalid', `${serviceIndexUrl} is not a NuGet v3 service index (no "resources" list)`, { url: serviceIndexUrl });
  const base = resources.find((r: { '@type'?: unknown }) => {
    const type = r?.['@type'];
    return type === 'PackageBaseAddress/3.0.0' || (Array.isArray(type) && type.includes('PackageBaseAddress/3.0.0'));
  })?.['@id'] as unknown;
  if (typeof base !== 'string') throw new OnnxRuntimeError('feed-invalid', `The NuGet service index ${serviceIndexUrl} has no PackageBaseAddress/3.0.0 resource`, { url: serviceIndexUrl });
  const baseUrl = new URL(base.endsWith('/') ? base : `${base}/`, index.url).href;
  const lowerId = id.toLowerCase();
  const lowerVersion = version.toLowerCase();
  const versionsUrl = `${baseUrl}${lowerId}/index.json`;
  const listing = await httpGetJson(versionsUrl, http);
  if (listing.status === 404) throw new OnnxRuntimeError('package-not-found', `The NuGet feed ${serviceIndexUrl} has no package ${id} (${versionsUrl}: HTTP 404)`, { url: versionsUrl, status: 404 });
  const versions = (listing.body as { versions?: unknown }).versions;
  if (!Array.isArray(versions)) throw new OnnxRuntimeError('feed-invalid', `${versionsUrl} has no "versions" list`, { url: versionsUrl });
  if (!versions.includes(lowerVersion)) {
    const nearby = versions.slice(-8).join(', ');
    throw new OnnxRuntimeError(
      'package-not-found',
      `The NuGet feed ${serviceIndexUrl} has no ${id} ${version} (it has ${nearby || 'no versions'}); the CUDA provider must match the bundled onnxruntime-node ${version} exactly`,
      { url: versionsUrl },
    );
  }
  const fileName = `${lowerId}.${lowerVersion}.nupkg`;
  return { id, version, url: `${baseUrl}${lowerId}/${lowerVersion}/${fileName}`, fileName };
}
