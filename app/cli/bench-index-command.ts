/** `splade-search bench-index`: builds a synthetic SPLADE-like index and reports build, size, open and query figures. */
import type { CliCommand } from './commands.js';
import { UsageError } from './cli-error.js';
import { integerFlag, parseFlags } from './parse-flags.js';
import { runIndexBenchmark } from '../index/bench/index.js';

const usage = `usage: splade-search bench-index --passages N --queries Q [--json] [options]

Builds an index of N seeded SPLADE-like passages (100-700 terms, Zipf term frequencies), reopens it in a fresh
process and times exact and approximate searches of Q queries (20-300 terms), against a brute-force scan.

options:
  --passages N        passages to index (required)
  --queries Q         queries to time (required)
  --json              print one JSON object (passages, build_passages_per_s, bytes_per_posting, open_ms, rss_mb,
                      exact_p50_ms, exact_p99_ms, approx_p50_ms, approx_p99_ms, approx_recall_at_10,
                      brute_force_p50_ms, and more)
  --seed S            generator seed (default 1)
  --brute-force Q     queries also run by brute force (default min(Q, 20))
  --segments S        segments left after the build (default 1)
  --cache-mb M        cache budget of the query process in MiB (default: the index's own default,
                      1/16 of memory within 256-1024 MiB)
  --dir D             build the index in D (kept) instead of a temporary directory`;

function required(value: number | undefined, flag: string): number {
  if (value === undefined) throw new UsageError(`${flag} is required\n\n${usage}`);
  return value;
}

export const benchIndexCommand: CliCommand = {
  usage,
  async run(args, io) {
    const values = parseFlags(
      args,
      {
        passages: { type: 'string' },
        queries: { type: 'string' },
        json: { type: 'boolean', default: false },
        seed: { type: 'string' },
        'brute-force': { type: 'string' },
        segments: { type: 'string' },
        'cache-mb': { type: 'string' },
        dir: { type: 'string' },
      },
      usage,
    );
    const passages = required(integerFlag(values.passages, '--passages'), '--passages');
    const queries = required(integerFlag(values.queries, '--queries'), '--queries');
    const cacheMb = integerFlag(values['cache-mb'], '--cache-mb');
    const result = await runIndexBenchmark({
      passages,
      queries,
      seed: integerFlag(values.seed, '--seed', 0),
      bruteForceQueries: integerFlag(values['brute-force'], '--brute-force'),
      segments: integerFlag(values.segments, '--segments'),
      cacheBytes: cacheMb === undefined ? undefined : cacheMb * 1024 * 1024,
      dir: values.dir,
      log: (line) => io.stderr.write(`bench-index: ${line}\n`),
    });
    if (values.json) {
      io.stdout.write(JSON.stringify(result) + '\n');
      return;
    }
    io.stdout.write(
      [
        `passages            ${result.passages} (${String(result.postings)} postings, ${String(result.segments)} segment(s))`,
        `build               ${result.build_passages_per_s} passages/s`,
        `size                ${result.bytes_per_posting} B/posting inverted (block-max), ${String(result.total_bytes_per_posting)} B/posting in all`,
        `open                ${result.open_ms} ms, RSS ${result.rss_mb} MB`,
        `exact               p50 ${result.exact_p50_ms} ms, p99 ${result.exact_p99_ms} ms (${String(result.exact_matches_brute_force)} equal to brute force)`,
        `approximate         p50 ${result.approx_p50_ms} ms, p99 ${result.approx_p99_ms} ms, recall@10 ${result.approx_recall_at_10}`,
        `brute force         p50 ${result.brute_force_p50_ms} ms`,
      ].join('\n') + '\n',
    );
  },
};
