import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ElfReadError, readElfDynamicInfo } from '../../app/onnxruntime/elf-dynamic-section.js';
import { ZipArchive, ZipReadError } from '../../app/onnxruntime/zip-reader.js';
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
    await assert.rejects(readElfDynamicInfo(text), (e: Error) => e instanceof ElfReadError && e.message.includes(text) && /not an ELF file/.test(e.message));
    const truncated = join(work, 'truncated.so');
    writeFileSync(truncated, fakeElf({ needed: ['libc.so.6'] }).subarray(0, 120));
    await assert.rejects(readElfDynamicInfo(truncated), (e: Error) => e instanceof ElfReadError && /exceed file size 120/.test(e.message));
  });
});

describe('ZipArchive', () => {
  const data = Buffer.from('x'.repeat(5000) + 'tail');
  for (const zip64 of [false, true]) {
    test(`lists and extracts deflated and stored entries${zip64 ? ' (ZIP64 records)' : ''}`, async () => {
      const path = join(work, `ok${zip64 ? '64' : ''}.zip`);
      writeFileSync(path, zipArchive([{ name: 'runtimes/linux-x64/native/a.so', data }, { name: 'b.bin', data: Buffer.from([1, 2, 3]), store: true }], { zip64 }));
      const zip = await ZipArchive.open(path);
      assert.deepEqual([...zip.entries.keys()], ['runtimes/linux-x64/native/a.so', 'b.bin']);
      const entry = zip.get('RUNTIMES/linux-x64/native/A.so');
      assert.ok(entry, 'case-insensitive fallback');
      await zip.extract(entry, join(work, 'a.out'));
      assert.deepEqual(readFileSync(join(work, 'a.out')), data);
      await zip.extract(zip.get('b.bin')!, join(work, 'b.out'));
      assert.deepEqual([...readFileSync(join(work, 'b.out'))], [1, 2, 3]);
    });
  }

  test('a file that is not a ZIP is rejected when opened', async () => {
    const path = join(work, 'html.nupkg');
    writeFileSync(path, '<html><body>Proxy login required</body></html>');
    await assert.rejects(ZipArchive.open(path), (e: Error) => e instanceof ZipReadError && /not a ZIP archive/.test(e.message) && e.message.includes(path));
  });

  test('a truncated ZIP is rejected when opened', async () => {
    const path = join(work, 'cut.zip');
    const whole = zipArchive([{ name: 'a', data }]);
    writeFileSync(path, whole.subarray(0, whole.length - 10)); // cut inside the end-of-central-directory record
    await assert.rejects(ZipArchive.open(path), ZipReadError);
    writeFileSync(path, whole.subarray(20)); // lost its start: the directory points beyond the data
    const zip = await ZipArchive.open(path).catch((e: Error) => e);
    if (!(zip instanceof Error)) await assert.rejects(zip.extract(zip.get('a')!, join(work, 'cut.out')), ZipReadError);
    else assert.ok(zip instanceof ZipReadError, String(zip));
  });

  test('corrupt entry bytes are caught by inflate or the CRC check', async () => {
    const stored = zipArchive([{ name: 'a', data, store: true }]);
    stored[131] = stored[131]! ^ 0xff; // a byte of the stored data (30-byte header + 1-byte name + 100)
    writeFileSync(join(work, 'crc.zip'), stored);
    const zip = await ZipArchive.open(join(work, 'crc.zip'));
    await assert.rejects(zip.extract(zip.get('a')!, join(work, 'crc.out')), (e: Error) => e instanceof ZipReadError && /CRC-32 of a is/.test(e.message));
    const deflated = zipArchive([{ name: 'a', data: Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251)) }]);
    for (let i = 40; i < 60; i++) deflated[i] = deflated[i]! ^ 0x5a;
    writeFileSync(join(work, 'inflate.zip'), deflated);
    const zip2 = await ZipArchive.open(join(work, 'inflate.zip'));
    await assert.rejects(zip2.extract(zip2.get('a')!, join(work, 'inflate.out')), (e: Error) => e instanceof ZipReadError && /is corrupt/.test(e.message));
  });
});
