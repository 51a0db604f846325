/** A data folder whose index holds the splade-tiny fixture texts (one passage per file), encoded by the real encoder. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SparseEncoder } from '../../app/encoder/index.js';
import { SparseIndex } from '../../app/index/index.js';
import { FIXTURE_V6, readExpected } from '../unit/encoder-helpers.js';

export const fixtureDocPath = (i: number) => `/docs/${i % 2 === 0 ? 'even' : 'odd'}/d${i}.${i === 5 ? 'md' : 'txt'}`;

export async function makeFixtureDataDir(dataDir: string, onnxCacheDir: string): Promise<void> {
  const expected = await readExpected();
  const encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: onnxCacheDir });
  const vectors = await encoder.encodeDocument(expected.texts);
  await encoder.dispose();
  const index = SparseIndex.open(join(dataDir, 'index'));
  const writer = index.openWriter({ keepVectors: true, autoMerge: false });
  writer.addFolder('/docs/even');
  writer.addFolder('/docs/odd');
  expected.texts.forEach((text, i) => {
    writer.upsertFile({ path: fixtureDocPath(i), size: text.length, mtimeMs: Date.UTC(2024, 0, 1 + i) }, [
      { vector: vectors[i]!, charStart: 0, charEnd: text.length, line: 1, text },
    ]);
  });
  writer.commit({ builtWith: { model: FIXTURE_V6, passageTokens: 256, passageOverlap: 32 } });
  writer.close();
  index.close();
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ model: FIXTURE_V6 }));
}
