/**
 * Child process of the crash suite: opens the index in argv[2], continues the plan of seed argv[3] from the last
 * committed commit number, and prints `committed <n>` (synchronously) after each commit returns. Runs until
 * killed, until argv[4] commits are done, or until a fail point crashes it.
 */
import { writeSync } from 'node:fs';
import { SparseIndex } from '../../app/index/index.js';
import { planCommit } from './index-crash-plan.js';

const [dir, seedText, maxText] = process.argv.slice(2);
const seed = Number(seedText);
const index = SparseIndex.open(dir!, { blockSize: 4, blocksPerPage: 2 });
const writer = index.openWriter({
  flushBytes: 6000,
  mergePolicy: { mergeFactor: 3, minSegmentDocs: 4, maxSegmentDocs: 1_000_000, maxDeletedFraction: 0.3 },
});
const start = ((index.payload as { commit?: number } | null)?.commit ?? 0) + 1;
writeSync(1, `ready ${start - 1}\n`);
for (let commit = start; commit < start + Number(maxText); commit++) {
  for (const op of planCommit(seed, commit)) {
    if (op.kind === 'upsert') {
      writer.upsertFile(
        { path: op.path, mtimeMs: commit },
        op.vectors.map((vector, i) => ({ vector, charStart: i, charEnd: i + 1 })),
      );
    } else {
      writer.deleteFile(op.path);
    }
  }
  writer.commit({ commit });
  writeSync(1, `committed ${commit}\n`);
  // Let finished merges (worker threads) swap in between commits; now and then wait for the running one.
  if (commit % 17 === 0) await writer.waitForMerges();
  else await new Promise((resolve) => setImmediate(resolve));
}
await writer.waitForMerges();
writer.close();
index.close();
writeSync(1, 'done\n');
