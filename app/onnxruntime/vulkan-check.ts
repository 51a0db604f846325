/**
 * Whether the WebGPU provider can find a Vulkan GPU on Linux: the Vulkan loader (libvulkan.so.1), a hardware driver
 * manifest, and a GPU device node that driver can open. Distributions install Mesa's drivers as one package (Intel,
 * Radeon, virtio, ... and the software lavapipe) whatever the machine has, so a manifest alone proves nothing: without
 * a device node Dawn falls back to lavapipe, which is slower than the CPU provider and inexact.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import type { LibraryLookup } from './library-lookup.js';

export interface VulkanDriver {
  /** The ICD manifest (JSON) file. */
  manifest: string;
  /** `ICD.library_path` from the manifest. */
  library?: string;
  /** A CPU implementation (Mesa lavapipe, SwiftShader): runs WebGPU, but slower than the CPU provider. */
  software: boolean;
}

/** The GPU device nodes a Vulkan driver opens: DRM render nodes, NVIDIA's proprietary nodes, WSL2's /dev/dxg. */
export interface GpuDeviceNodes {
  renderNodes: string[];
  nvidia: string[];
  dxg: string[];
}

/** Lists the GPU device nodes under `devDir` (default /dev). */
export function findGpuDeviceNodes(devDir = '/dev'): GpuDeviceNodes {
  const list = (dir: string, pattern: RegExp) => {
    try {
      return readdirSync(dir).filter((name) => pattern.test(name)).sort().map((name) => join(dir, name));
    } catch {
      return [];
    }
  };
  return { renderNodes: list(join(devDir, 'dri'), /^renderD\d+$/), nvidia: list(devDir, /^nvidia\d+$/), dxg: list(devDir, /^dxg$/) };
}

/** The device nodes a hardware driver can use: NVIDIA's driver its own nodes (or a DRM node), Mesa's dozen /dev/dxg, others DRM render nodes. */
function nodesFor(driver: VulkanDriver, nodes: GpuDeviceNodes): string[] {
  const name = `${basename(driver.manifest)} ${driver.library ?? ''}`.toLowerCase();
  if (/nvidia/.test(name)) return [...nodes.nvidia, ...nodes.renderNodes];
  if (/dzn|dozen/.test(name)) return nodes.dxg;
  return nodes.renderNodes;
}

export interface VulkanStatus {
  /** Where libvulkan.so.1 was found, if anywhere. */
  loader?: string;
  drivers: VulkanDriver[];
  /** True when the loader, a hardware driver manifest and a device node for that driver are present. */
  usable: boolean;
  /** Why it is or is not usable, in words. */
  reason: string;
}

/**
 * Checks the loader with `lookup`, the driver manifests in the folders the Vulkan loader reads (or VK_DRIVER_FILES),
 * and the GPU device nodes (`nodes`, default: what /dev holds).
 */
export function checkVulkan(lookup: LibraryLookup, env: NodeJS.ProcessEnv = process.env, nodes: GpuDeviceNodes = findGpuDeviceNodes()): VulkanStatus {
  const loader = lookup.find('libvulkan.so.1');
  const manifests = driverManifests(env);
  const drivers = manifests.map(readDriver);
  const hardware = drivers.filter((d) => !d.software);
  const names = (list: VulkanDriver[]) => list.map((d) => basename(d.manifest)).join(', ');
  if (!loader) {
    return { drivers, usable: false, reason: 'libvulkan.so.1 not found by the dynamic loader (install the Vulkan loader, e.g. the libvulkan1 package)' };
  }
  if (drivers.length === 0) {
    return { loader, drivers, usable: false, reason: `the Vulkan loader is present (${loader}) but no Vulkan driver manifest (icd.d/*.json) was found` };
  }
  if (hardware.length === 0) {
    return { loader, drivers, usable: false, reason: `only software Vulkan drivers found (${names(drivers)}): slower than the CPU provider` };
  }
  const withDevice = hardware.filter((d) => nodesFor(d, nodes).length > 0);
  if (withDevice.length === 0) {
    return {
      loader,
      drivers,
      usable: false,
      reason:
        `Vulkan drivers are installed (${names(hardware)}) but no GPU device node for them (/dev/dri/renderD*, /dev/nvidia0..., /dev/dxg): ` +
        'WebGPU would run on a software driver, slower than the CPU provider',
    };
  }
  const devices = [...new Set(withDevice.flatMap((d) => nodesFor(d, nodes)))];
  return { loader, drivers, usable: true, reason: `Vulkan loader ${loader}, driver ${names(withDevice)}, device ${devices.join(', ')}` };
}

function driverManifests(env: NodeJS.ProcessEnv): string[] {
  const override = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  const add = (env.VK_ADD_DRIVER_FILES ?? '').split(delimiter).filter(Boolean);
  if (override) return [...expand(override.split(delimiter).filter(Boolean)), ...expand(add)];
  const home = env.HOME ?? homedir();
  const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
  const configDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(delimiter).filter(Boolean);
  const dataHome = env.XDG_DATA_HOME || join(home, '.local', 'share');
  const dataDirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(delimiter).filter(Boolean);
  const dirs = [configHome, ...configDirs, '/etc', dataHome, ...dataDirs].map((d) => join(d, 'vulkan', 'icd.d'));
  return [...expand(dirs), ...expand(add)];
}

/** Files stay files; folders become their `*.json` files. Missing paths are dropped. */
function expand(paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    try {
      if (statSync(path).isDirectory()) {
        for (const name of readdirSync(path).sort()) if (name.endsWith('.json')) out.push(join(path, name));
      } else {
        out.push(path);
      }
    } catch {
      // absent: the loader skips it too
    }
  }
  return [...new Set(out)];
}

function readDriver(manifest: string): VulkanDriver {
  let library: string | undefined;
  try {
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as { ICD?: { library_path?: unknown } };
    if (typeof json.ICD?.library_path === 'string') library = json.ICD.library_path;
  } catch {
    // unreadable manifest: reported by name only
  }
  const name = `${basename(manifest)} ${library ?? ''}`.toLowerCase();
  const software = /lvp|lavapipe|swiftshader/.test(name);
  return library === undefined ? { manifest, software } : { manifest, library, software };
}
