/** Reads the dynamic section of an ELF shared object: the libraries it needs (DT_NEEDED), its SONAME and RUNPATH. */
import { open } from 'node:fs/promises';
import { OnnxRuntimeError } from './onnxruntime-error.js';

export interface ElfDynamicInfo {
  /** `DT_NEEDED` entries in file order, e.g. `['libcudart.so.13', 'libcublasLt.so.13', 'libc.so.6']`. */
  needed: string[];
  soname?: string;
  /** `DT_RUNPATH` (or the older `DT_RPATH`) split on `:`, `$ORIGIN` left as written. */
  runpath: string[];
  /** `e_machine`: 62 is x86-64, 183 is AArch64. */
  machine: number;
  bits: 32 | 64;
}

/** The OnnxRuntimeError `elf-unreadable`: the file is not an ELF shared object this reader understands; the message names the file. */
function elfUnreadable(message: string): OnnxRuntimeError {
  return new OnnxRuntimeError('elf-unreadable', message);
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_STRSZ = 10n;
const DT_SONAME = 14n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

/**
 * Reads only the headers, the dynamic segment and its string table, so a 400 MB provider library costs a few reads.
 * Rejects with the OnnxRuntimeError `elf-unreadable` naming the file when it is not ELF or its dynamic section is out of bounds.
 */
export async function readElfDynamicInfo(path: string): Promise<ElfDynamicInfo> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const read = async (position: number, length: number, what: string): Promise<DataView> => {
      if (position < 0 || length < 0 || position + length > size) {
        throw elfUnreadable(`Cannot read ${what} of ${path}: bytes ${position}..${position + length} exceed file size ${size}`);
      }
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, position);
      if (bytesRead !== length) throw elfUnreadable(`Cannot read ${what} of ${path}: short read at ${position}`);
      return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    };
    if (size < 52) throw elfUnreadable(`${path} is not an ELF file: ${size} bytes is shorter than an ELF header`);
    const ident = await read(0, 16, 'the ELF identification');
    if (ident.getUint32(0, false) !== 0x7f454c46) throw elfUnreadable(`${path} is not an ELF file (no \\x7fELF magic)`);
    const elfClass = ident.getUint8(4);
    const dataEncoding = ident.getUint8(5);
    if (elfClass !== 1 && elfClass !== 2) throw elfUnreadable(`${path}: unknown ELF class ${elfClass}`);
    if (dataEncoding !== 1 && dataEncoding !== 2) throw elfUnreadable(`${path}: unknown ELF data encoding ${dataEncoding}`);
    const bits = elfClass === 2 ? 64 : 32;
    const le = dataEncoding === 1;
    const word = (view: DataView, offset: number): bigint =>
      bits === 64 ? view.getBigUint64(offset, le) : BigInt(view.getUint32(offset, le));

    const header = await read(0, bits === 64 ? 64 : 52, 'the ELF header');
    const machine = header.getUint16(18, le);
    const phoff = Number(bits === 64 ? header.getBigUint64(32, le) : BigInt(header.getUint32(28, le)));
    const phentsize = header.getUint16(bits === 64 ? 54 : 42, le);
    const phnum = header.getUint16(bits === 64 ? 56 : 44, le);
    const programHeaders = await read(phoff, phentsize * phnum, 'the program headers');

    const loads: { vaddr: bigint; offset: bigint; filesz: bigint }[] = [];
    let dynamic: { offset: number; size: number } | undefined;
    for (let i = 0; i < phnum; i++) {
      const at = i * phentsize;
      const type = programHeaders.getUint32(at, le);
      // 64-bit: type, flags, offset, vaddr, paddr, filesz; 32-bit: type, offset, vaddr, paddr, filesz
      const offset = bits === 64 ? programHeaders.getBigUint64(at + 8, le) : BigInt(programHeaders.getUint32(at + 4, le));
      const vaddr = bits === 64 ? programHeaders.getBigUint64(at + 16, le) : BigInt(programHeaders.getUint32(at + 8, le));
      const filesz = bits === 64 ? programHeaders.getBigUint64(at + 32, le) : BigInt(programHeaders.getUint32(at + 16, le));
      if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
      if (type === PT_DYNAMIC) dynamic = { offset: Number(offset), size: Number(filesz) };
    }
    if (!dynamic) throw elfUnreadable(`${path} has no dynamic section (PT_DYNAMIC): a static executable, not a shared object`);

    const entries = await read(dynamic.offset, dynamic.size, 'the dynamic section');
    const entrySize = bits === 64 ? 16 : 8;
    const tags: { tag: bigint; value: bigint }[] = [];
    let strtab: bigint | undefined;
    let strsz: bigint | undefined;
    for (let at = 0; at + entrySize <= dynamic.size; at += entrySize) {
      const tag = word(entries, at);
      const value = word(entries, at + entrySize / 2);
      if (tag === DT_NULL) break;
      if (tag === DT_STRTAB) strtab = value;
      else if (tag === DT_STRSZ) strsz = value;
      else tags.push({ tag, value });
    }
    if (strtab === undefined || strsz === undefined) throw elfUnreadable(`${path}: the dynamic section has no string table (DT_STRTAB/DT_STRSZ)`);
    // DT_STRTAB is a virtual address: map it to a file offset through the PT_LOAD segment that contains it.
    const segment = loads.find((s) => strtab! >= s.vaddr && strtab! < s.vaddr + s.filesz);
    if (!segment) throw elfUnreadable(`${path}: the string table address 0x${strtab.toString(16)} is in no loadable segment`);
    const strings = await read(Number(strtab - segment.vaddr + segment.offset), Number(strsz), 'the dynamic string table');
    const bytes = new Uint8Array(strings.buffer, strings.byteOffset, strings.byteLength);
    const stringAt = (offset: bigint): string => {
      const start = Number(offset);
      if (start >= bytes.length) throw elfUnreadable(`${path}: string offset ${start} is outside the string table (${bytes.length} bytes)`);
      const end = bytes.indexOf(0, start);
      return new TextDecoder().decode(bytes.subarray(start, end === -1 ? bytes.length : end));
    };

    const info: ElfDynamicInfo = { needed: [], runpath: [], machine, bits };
    let rpath: string[] = [];
    for (const { tag, value } of tags) {
      if (tag === DT_NEEDED) info.needed.push(stringAt(value));
      else if (tag === DT_SONAME) info.soname = stringAt(value);
      else if (tag === DT_RUNPATH) info.runpath = stringAt(value).split(':').filter(Boolean);
      else if (tag === DT_RPATH) rpath = stringAt(value).split(':').filter(Boolean);
    }
    if (info.runpath.length === 0) info.runpath = rpath;
    return info;
  } finally {
    await file.close();
  }
}
