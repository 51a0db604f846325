/**
 * Child process of the concurrency test: searches the index in argv[2] for argv[4] ms while another process
 * writes it, and checks every result against the content of the commit its snapshot reports (payload), by score.
 * Prints one JSON line: {searches, generations, failures, firstFailure}.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SparseIndex } from '../../app/index/index.js';
import { contentAfter, queriesFor } from './index-crash-plan.js';
import { IndexModel } from './index-reference-model.js';

const [dir, seedText, durationText] = process.argv.slice(2);
const seed = Number(seedText);
while (!existsSync(join(dir!, 'catalog.sqlite'))) await new Promise((resolve) => setTimeout(resolve, 20));
const index = SparseIndex.open(dir!);
const queries = queriesFor(seed);
const models = new Map<number, IndexModel>();
const generations = new Set<number>();
let searches = 0;
let failures = 0;
let firstFailure: string | undefined;
const end = Date.now() + Number(durationText);
while (Date.now() < end) {
  for (const query of queries) {
    const { hits, stats } = index.search(query, { k: 10 });
    const commit = (index.payload as { commit?: number } | null)?.commit ?? 0;
    generations.add(stats.generation);
    let model = models.get(commit);
    if (!model) {
      model = new IndexModel(index.scale);
      let id = 0;
      for (const [path, vectors] of contentAfter(seed, commit)) model.setFile(path, 0, vectors.map(() => id++), vectors);
      models.set(commit, model);
    }
    const expected = model.topScores(query, 10);
    const problem =
      hits.length !== expected.length
        ? `${hits.length} hits, expected ${expected.length}`
        : hits
            .map((hit, rank) => {
              const passage = model.files.get(hit.file.path)?.[hit.passage.ordinal];
              if (!passage) return `hit ${hit.file.path}#${hit.passage.ordinal} is not in commit ${commit}`;
              const own = model.score(passage, query);
              if (Math.abs(own - hit.score) > 1e-9 * own) return `score of ${hit.file.path}#${hit.passage.ordinal}: ${hit.score} != ${own}`;
              if (Math.abs(expected[rank]! - hit.score) > 1e-9 * expected[rank]!) return `rank ${rank}: ${hit.score} != ${expected[rank]}`;
              return undefined;
            })
            .find((p) => p !== undefined);
    searches++;
    if (problem) {
      failures++;
      firstFailure ??= `commit ${commit} (generation ${stats.generation}): ${problem}`;
    }
  }
}
index.close();
console.log(JSON.stringify({ searches, generations: generations.size, failures, firstFailure }));
