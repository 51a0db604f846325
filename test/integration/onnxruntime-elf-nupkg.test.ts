import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NupkgArchive } from '../../app/onnxruntime/cuda-install/nupkg-archive.js';
import { readElfDynamicInfo } from '../../app/onnxruntime/elf-dynamic-section.js';
import { isOnnxRuntimeError } from '../../app/onnxruntime/index.js';
import { fakeElf, zipArchive } from '../helpers/onnxruntime-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'ort-elf-zip-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('readElfDynamicInfo', () => {
  test('reads the real libonnxruntime.so.1 and binding as readelf -d shows them', async (t) => {
    if (process.platform !== 'linux' || process.arch !== 'x64') return t.skip('linux/x64 binaries only');
    const dir = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'bin/napi-v6/linux/x64');
    const lib = await readElfDynamicInfo(join(dir, 'libonnxruntime.so.1'));
    assert.equal(lib.soname, 'libonnxruntime.so.1');
    assert.equal(lib.machine, 62);
    assert.equal(lib.bits, 64);
    assert.deepEqual(lib.runpath, ['$ORIGIN']);
    assert.ok(lib.needed.includes('libc.so.6') && lib.needed.includes('libstdc++.so.6'), lib.needed.join(' '));
    const binding = await readElfDynamicInfo(join(dir, 'onnxruntime_binding.node'));
    assert.equal(binding.needed[0], 'libonnxruntime.so.1');
    assert.deepEqual(binding.runpath, ['$ORIGIN/']);
  });

  test('reads DT_NEEDED, SONAME and RUNPATH in order from a written ELF', async () => {
    const path = join(work, 'fake.so');
    writeFileSync(path, fakeElf({ needed: ['libcudart.so.13', 'libcudnn.so.9'], soname: 'libfake.so', runpath: '$ORIGIN:/opt/x', machine: 183 }));
    assert.deepEqual(await readElfDynamicInfo(path), {
      needed: ['libcudart.so.13', 'libcudnn.so.9'],
      soname: 'libfake.so',
      runpath: ['$ORIGIN', '/opt/x'],
      machine: 183,
      bits: 64,
    });
  });

  test('names the file and the problem for non-ELF and truncated files', async () => {
    const text = join(work, 'text.so');
    writeFileSync(text, 'this is a linker script, not ELF: GROUP ( libc.so.6 )\n');
    await assert.rejects(readElfDynamicInfo(text), (e: unknown) => isOnnxRuntimeError(e, 'elf-unreadable') && e.message.includes(text) && /not an ELF file/.test(e.message));
    const truncated = join(work, 'truncated.so');
    writeFileSync(truncated, fakeElf({ needed: ['libc.so.6'] }).subarray(0, 120));
    await assert.rejects(readElfDynamicInfo(truncated), (e: unknown) => isOnnxRuntimeError(e, 'elf-unreadable') && /exceed file size 120/.test(e.message));
  });
});

/** The installer's archive errors are all `cuda-package-invalid`: fetch the package again. */
const packageInvalid = (pattern?: RegExp) => (e: unknown) => isOnnxRuntimeError(e, 'cuda-package-invalid') && (pattern === undefined || pattern.test(e.message));

describe('NupkgArchive (yauzl)', () => {
  const data = Buffer.from('x'.repeat(5000) + 'tail');
  for (const zip64 of [false, true]) {
    test(`lists and extracts deflated and stored entries${zip64 ? ' (ZIP64 records)' : ''}`, async () => {
      const path = join(work, `ok${zip64 ? '64' : ''}.zip`);
      writeFileSync(path, zipArchive([{ name: 'runtimes/linux-x64/native/a.so', data }, { name: 'b.bin', data: Buffer.from([1, 2, 3]), store: true }], { zip64 }));
      const zip = await NupkgArchive.open(path);
      try {
        assert.deepEqual(zip.names(), ['runtimes/linux-x64/native/a.so', 'b.bin']);
        const entry = zip.get('RUNTIMES/linux-x64/native/A.so');
        assert.ok(entry, 'case-insensitive fallback');
        await zip.extract(entry, join(work, 'a.out'));
        assert.deepEqual(readFileSync(join(work, 'a.out')), data);
        await zip.extract(zip.get('b.bin')!, join(work, 'b.out'));
        assert.deepEqual([...readFileSync(join(work, 'b.out'))], [1, 2, 3]);
      } finally {
        zip.close();
      }
    });
  }

  test('a file that is not a ZIP is rejected when opened, naming it', async () => {
    const path = join(work, 'html.nupkg');
    writeFileSync(path, '<html><body>Proxy login required</body></html>');
    await assert.rejects(NupkgArchive.open(path), (e: unknown) => packageInvalid(/not a readable ZIP archive/)(e) && (e as Error).message.includes(path));
  });

  test('a truncated ZIP is rejected when opened or extracted', async () => {
    const path = join(work, 'cut.zip');
    const whole = zipArchive([{ name: 'a', data }]);
    writeFileSync(path, whole.subarray(0, whole.length - 10)); // cut inside the end-of-central-directory record
    await assert.rejects(NupkgArchive.open(path), packageInvalid());
    writeFileSync(path, whole.subarray(20)); // lost its start: the directory points beyond the data
    const zip = await NupkgArchive.open(path).catch((e: unknown) => e);
    if (zip instanceof NupkgArchive) {
      await assert.rejects(zip.extract(zip.get('a')!, join(work, 'cut.out')), packageInvalid());
      assert.equal(existsSync(join(work, 'cut.out')), false, 'no partial file is left behind');
      zip.close();
    } else assert.ok(packageInvalid()(zip), String(zip));
  });

  test('corrupt entry bytes are caught by inflate or the CRC check, and leave no file', async () => {
    const stored = zipArchive([{ name: 'a', data, store: true }]);
    stored[131] = stored[131]! ^ 0xff; // a byte of the stored data (30-byte header + 1-byte name + 100)
    writeFileSync(join(work, 'crc.zip'), stored);
    const zip = await NupkgArchive.open(join(work, 'crc.zip'));
    await assert.rejects(zip.extract(zip.get('a')!, join(work, 'crc.out')), packageInvalid(/a is corrupt: CRC-32 /));
    assert.equal(existsSync(join(work, 'crc.out')), false);
    zip.close();
    const deflated = zipArchive([{ name: 'a', data: Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251)) }]);
    for (let i = 40; i < 60; i++) deflated[i] = deflated[i]! ^ 0x5a;
    writeFileSync(join(work, 'inflate.zip'), deflated);
    const zip2 = await NupkgArchive.open(join(work, 'inflate.zip'));
    await assert.rejects(zip2.extract(zip2.get('a')!, join(work, 'inflate.out')), packageInvalid(/a is corrupt/));
    zip2.close();
  });

  test('an entry whose data inflates past its stated size is cut off (zip bomb), not written out in full', async () => {
    const big = Buffer.alloc(200_000, 7);
    const archive = zipArchive([{ name: 'bomb', data: big }]);
    // Lower the stated uncompressed size in both headers: 200000 -> 1000 (local header at 0, central directory after the data).
    const local = 0;
    archive.writeUInt32LE(1000, local + 22);
    const central = archive.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    archive.writeUInt32LE(1000, central + 24);
    writeFileSync(join(work, 'bomb.zip'), archive);
    const zip = await NupkgArchive.open(join(work, 'bomb.zip'));
    assert.equal(zip.get('bomb')!.size, 1000);
    await assert.rejects(zip.extract(zip.get('bomb')!, join(work, 'bomb.out')), packageInvalid(/bomb is corrupt or truncated/));
    assert.equal(existsSync(join(work, 'bomb.out')), false);
    zip.close();
  });
});
