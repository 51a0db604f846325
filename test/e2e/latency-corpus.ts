/**
 * The synthetic 10,000-passage library of the latency measurements (test/e2e/renderer-latency.test.ts and the
 * benches renderer-latency.ts and engine-search.ts): passages drawn from a pool of sentences with a fixed seed, ten
 * per file, so that all three measure the same index.
 */
import type { SeedFile } from '../e2e/e2e-harness.js';

export const SENTENCES = [
  'Stars form inside cold clouds of gas and dust.', 'Gravity pulls the cloud together until fusion ignites.',
  'Bread rises because yeast ferments the sugars in flour.', 'A hot oven with steam gives the loaf a crisp crust.',
  'Volcanoes erupt when magma rises through cracks in the crust.', 'Lava flows cool into basalt over many years.',
  'Honey bees communicate with a waggle dance inside the hive.', 'The colony depends on pollen and nectar from flowers.',
  'Antibiotics such as doxycycline treat bacterial sinus infections.', 'Copic ink is alcohol-based and flammable.',
  'The average service life of a gas furnace is about fifteen years.', 'Engagement parties often ask for cocktail dresses.',
  'Rivers carve valleys as they carry sediment to the sea.', 'Glaciers grind rock into fine flour as they move.',
  'Compilers translate source code into machine instructions.', 'A cache keeps recently used data close to the processor.',
  'Tides rise and fall twice a day because of the moon.', 'Photosynthesis turns sunlight, water and carbon dioxide into sugar.',
  'The treaty ended the war and redrew the borders of the region.', 'Interest rates affect how much it costs to borrow money.',
];
export const QUERIES = ['how do stars form', 'why does bread rise', 'volcano lava eruption', 'bee dance hive', 'sinus infection antibiotics', 'alcohol ink markers',
  'furnace lifespan', 'glacier rock', 'compiler machine code', 'moon tides', 'photosynthesis sugar', 'borrowing money interest',
  'what makes lava cool', 'how long do furnaces last', 'yeast and flour', 'river valley sediment', 'processor cache memory', 'war treaty borders',
  'gravity and fusion', 'pollen nectar colony', 'is ink flammable', 'what to wear to an engagement party', 'sunlight into sugar', 'cost of a loan'];

export const LIBRARY_FOLDER = '/bench/library';

/** `passages` passages, ten per file, three random sentences each. */
export function latencyLibrary(passages: number): SeedFile[] {
  const files: SeedFile[] = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const perFile = 10;
  for (let f = 0; f < passages / perFile; f++) {
    const list = Array.from({ length: perFile }, (_, i) => ({
      text: Array.from({ length: 3 }, () => SENTENCES[Math.floor(rand() * SENTENCES.length)]!).join(' '),
      line: i * 3 + 1,
    }));
    files.push({ path: `${LIBRARY_FOLDER}/topic-${Math.floor(f / 100)}/note-${f}.txt`, mtimeMs: Date.UTC(2024, 0, 1) + f * 3_600_000, passages: list });
  }
  return files;
}

export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
export const median = (xs: number[]) => percentile(xs, 50);
