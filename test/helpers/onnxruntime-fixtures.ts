/** Test helpers for app/onnxruntime: a minimal ELF shared object with chosen DT_NEEDED entries, a ZIP writer, a fake CUDA pack source. */
import { writeFileSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';

export interface FakeElfOptions {
  needed: string[];
  soname?: string;
  runpath?: string;
  /** e_machine, 62 = x86-64 (default), 183 = AArch64. */
  machine?: number;
}

/**
 * A 64-bit little-endian ELF (ET_DYN) that readelf -d and the dynamic loader accept: one page-aligned PT_LOAD covering
 * the file, a PT_DYNAMIC with DT_NEEDED, DT_SONAME, DT_RUNPATH, an empty symbol table and hash table. It exports
 * nothing, so dlopen of it only succeeds or fails on its DT_NEEDED libraries.
 */
export function fakeElf(options: FakeElfOptions): Buffer {
  const strings: number[] = [0];
  const offsetOf = (text: string): number => {
    const at = strings.length;
    strings.push(...Buffer.from(text, 'utf8'), 0);
    return at;
  };
  const tags: [number, number][] = options.needed.map((name) => [1, offsetOf(name)]);
  if (options.soname) tags.push([14, offsetOf(options.soname)]);
  if (options.runpath) tags.push([29, offsetOf(options.runpath)]);
  const symOffset = 64 + 2 * 56; // one null symbol (24 bytes)
  const hashOffset = symOffset + 24; // nbucket = 1, nchain = 1, bucket[0] = 0, chain[0] = 0
  const strOffset = hashOffset + 16;
  const dynOffset = Math.ceil((strOffset + strings.length) / 8) * 8;
  tags.push([4, hashOffset], [5, strOffset], [6, symOffset], [10, strings.length], [11, 24], [0, 0]);
  const size = dynOffset + tags.length * 16;
  const buffer = Buffer.alloc(size);
  buffer.writeUInt32BE(0x7f454c46, 0);
  buffer[4] = 2; // ELFCLASS64
  buffer[5] = 1; // little endian
  buffer[6] = 1; // EV_CURRENT
  buffer.writeUInt16LE(3, 16); // ET_DYN
  buffer.writeUInt16LE(options.machine ?? 62, 18);
  buffer.writeUInt32LE(1, 20);
  buffer.writeBigUInt64LE(64n, 32); // e_phoff
  buffer.writeUInt16LE(64, 52); // e_ehsize
  buffer.writeUInt16LE(56, 54); // e_phentsize
  buffer.writeUInt16LE(2, 56); // e_phnum
  buffer.writeUInt16LE(64, 58); // e_shentsize
  const programHeader = (at: number, type: number, offset: number, filesz: number, align: number) => {
    buffer.writeUInt32LE(type, at);
    buffer.writeUInt32LE(6, at + 4); // RW: the loader relocates the dynamic section in place
    buffer.writeBigUInt64LE(BigInt(offset), at + 8); // p_offset
    buffer.writeBigUInt64LE(BigInt(offset), at + 16); // p_vaddr (= offset: one segment at address 0)
    buffer.writeBigUInt64LE(BigInt(offset), at + 24); // p_paddr
    buffer.writeBigUInt64LE(BigInt(filesz), at + 32);
    buffer.writeBigUInt64LE(BigInt(filesz), at + 40);
    buffer.writeBigUInt64LE(BigInt(align), at + 48);
  };
  programHeader(64, 1, 0, size, 0x1000); // PT_LOAD
  programHeader(64 + 56, 2, dynOffset, tags.length * 16, 8); // PT_DYNAMIC
  buffer.writeUInt32LE(1, hashOffset);
  buffer.writeUInt32LE(1, hashOffset + 4);
  Buffer.from(strings).copy(buffer, strOffset);
  tags.forEach(([tag, value], i) => {
    buffer.writeBigUInt64LE(BigInt(tag), dynOffset + i * 16);
    buffer.writeBigUInt64LE(BigInt(value), dynOffset + i * 16 + 8);
  });
  return buffer;
}

export interface ZipInput {
  name: string;
  data: Buffer;
  /** Store without compression (default: deflate). */
  store?: boolean;
}

/** Writes a ZIP archive (deflate or stored entries; `zip64` adds ZIP64 end records and extra fields as large archives have). */
export function zipArchive(inputs: ZipInput[], options: { zip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const input of inputs) {
    const name = Buffer.from(input.name, 'utf8');
    const compressed = input.store ? input.data : deflateRawSync(input.data);
    const method = input.store ? 0 : 8;
    const crc = crc32(input.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(input.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, compressed);
    const extra = options.zip64 ? Buffer.alloc(4 + 24) : Buffer.alloc(0);
    if (options.zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(input.data.length), 4);
      extra.writeBigUInt64LE(BigInt(compressed.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(45, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(options.zip64 ? 0xffffffff : compressed.length, 20);
    central.writeUInt32LE(options.zip64 ? 0xffffffff : input.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(options.zip64 ? 0xffffffff : offset, 42);
    centrals.push(central, name, extra);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const parts = [...locals, directory];
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  if (options.zip64) {
    const zip64 = Buffer.alloc(56);
    zip64.writeUInt32LE(0x06064b50, 0);
    zip64.writeBigUInt64LE(44n, 4);
    zip64.writeUInt16LE(45, 12);
    zip64.writeUInt16LE(45, 14);
    zip64.writeBigUInt64LE(BigInt(inputs.length), 24);
    zip64.writeBigUInt64LE(BigInt(inputs.length), 32);
    zip64.writeBigUInt64LE(BigInt(directory.length), 40);
    zip64.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(zip64, locator);
    eocd.writeUInt16LE(0xffff, 8);
    eocd.writeUInt16LE(0xffff, 10);
    eocd.writeUInt32LE(0xffffffff, 12);
    eocd.writeUInt32LE(0xffffffff, 16);
  } else {
    eocd.writeUInt16LE(inputs.length, 8);
    eocd.writeUInt16LE(inputs.length, 10);
    eocd.writeUInt32LE(directory.length, 12);
    eocd.writeUInt32LE(offset, 16);
  }
  parts.push(eocd);
  return Buffer.concat(parts);
}

/** What the fake CUDA provider needs: CUDA 13, cuDNN 9, the shared provider (found through $ORIGIN) and libc. */
export const fakeCudaProviderNeeds = ['libonnxruntime_providers_shared.so', 'libcudart.so.13', 'libcublasLt.so.13', 'libcudnn.so.9', 'libc.so.6'];

/** The three provider libraries as fake ELF files, keyed by file name. */
export function fakeProviderLibraries(): Record<string, Buffer> {
  return {
    // needs a library no machine has, so that dlopen fails cleanly (a loadable fake would crash ORT at its first symbol)
    'libonnxruntime_providers_shared.so': fakeElf({ needed: ['libsplade_test_absent.so.1', 'libc.so.6'], soname: 'libonnxruntime_providers_shared.so' }),
    'libonnxruntime_providers_cuda.so': fakeElf({ needed: fakeCudaProviderNeeds, soname: 'libonnxruntime_providers_cuda.so', runpath: '$ORIGIN' }),
    'libonnxruntime_providers_tensorrt.so': fakeElf({ needed: ['libonnxruntime_providers_shared.so', 'libnvinfer.so.10', 'libc.so.6'], runpath: '$ORIGIN' }),
  };
}

/** A synthetic Microsoft.ML.OnnxRuntime.Gpu.Linux .nupkg: a nuspec, the fake providers under runtimes/linux-x64/native, padding to make it bigger. */
export function fakeGpuNupkg(options: { paddingBytes?: number; zip64?: boolean } = {}): Buffer {
  const nuspec = `<?xml version="1.0"?><package><metadata><id>Microsoft.ML.OnnxRuntime.Gpu.Linux</id><version>1.30.0</version></metadata></package>`;
  const inputs: ZipInput[] = [{ name: 'Microsoft.ML.OnnxRuntime.Gpu.Linux.nuspec', data: Buffer.from(nuspec) }];
  for (const [name, data] of Object.entries(fakeProviderLibraries())) inputs.push({ name: `runtimes/linux-x64/native/${name}`, data });
  // incompressible padding, stored, so that an interrupted download has something to interrupt
  const padding = Buffer.alloc(options.paddingBytes ?? 0);
  for (let i = 0; i < padding.length; i++) padding[i] = (i * 2654435761) >>> 24;
  if (padding.length > 0) inputs.push({ name: 'runtimes/linux-x64/native/libonnxruntime.so', data: padding, store: true });
  return zipArchive(inputs, options.zip64 ? { zip64: true } : {});
}

export function writeFakeElf(path: string, options: FakeElfOptions): void {
  writeFileSync(path, fakeElf(options));
}
