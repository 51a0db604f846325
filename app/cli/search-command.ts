/**
 * `splade-search search "<query>"`: ranked passages from the data folder's index, with the query syntax of the app
 * ("exact phrase", -word, path:, ext:, after:, before:). Works while `watch` or the app writes the index (it opens
 * as a reader then).
 */
import { integerFlag, parseCommandLine } from './parse-flags.js';
import { UsageError } from './cli-error.js';
import { DATA_FLAG_HELP, asCliError, dataDirFor, hasIndex, openEngine } from './engine-cli.js';
import type { CliCommand } from './commands.js';
import { CliError } from './cli-error.js';

const usage = `usage: splade-search search "<query>" [--data DIR] [--k 10] [--json] [--model M]

Prints the passages that best answer the query, best first, with their scores (the model's dot products), where
they are (file, character range, page or line) and the terms that matched.

Query syntax: "exact phrase" (must occur), -word (must not occur), path:<folder>, ext:md,pdf, after:2024-01,
before:2024-06-30.

${DATA_FLAG_HELP}
  --k <n>             number of results (default 10, at most 200)
  --json              one object: { "query_terms": [...], "results": [{ "path", "score", "start", "end", "page",
                      "line", "text", "terms": [...] }] }
  --model <path|id>   default: $SPLADE_MODEL, else the model the index was built with`;

export const searchCommand: CliCommand = {
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      data: { type: 'string' },
      k: { type: 'string' },
      json: { type: 'boolean', default: false },
      model: { type: 'string' },
    }, usage);
    if (positionals.length === 0) throw new UsageError(`a query is needed\n\n${usage}`);
    const query = positionals.join(' ');
    const k = integerFlag(values.k, '--k') ?? 10;
    if (k > 200) throw new UsageError(`--k must be at most 200, got ${k}`);
    const dataDir = dataDirFor(values.data, io);
    if (!hasIndex(dataDir)) throw new CliError(`no index in ${dataDir}: run \`splade-search index <folder>\` first (or pass --data)`);
    const engine = await openEngine(io, { data: values.data, model: values.model, download: true, readOnly: true });
    try {
      const response = await engine.search({ query, k }).catch((error: unknown) => Promise.reject(asCliError(error)));
      if (values.json) {
        const out = {
          query_terms: response.queryTerms,
          results: response.hits.map((hit) => ({
            path: hit.file.path,
            score: hit.score,
            start: hit.passage.start,
            end: hit.passage.end,
            page: hit.passage.page,
            line: hit.passage.line,
            text: hit.passage.text,
            terms: hit.terms,
          })),
        };
        io.stdout.write(JSON.stringify(out) + '\n');
        return;
      }
      if (response.stale) io.stderr.write('note: the index is being rebuilt for new model or passage settings; results come from the old one\n');
      if (response.hits.length === 0) {
        io.stdout.write('no results\n');
        return;
      }
      const lines: string[] = [];
      response.hits.forEach((hit, i) => {
        const where = hit.passage.page !== null ? ` page ${hit.passage.page}` : hit.passage.line !== null ? `:${hit.passage.line}` : '';
        lines.push(`${String(i + 1).padStart(2)}. ${hit.score.toFixed(4)}  ${hit.file.path}${where}`);
        const text = hit.passage.text.replace(/\s+/g, ' ').trim();
        lines.push(`    ${text.length > 200 ? text.slice(0, 199) + '…' : text}`);
        lines.push(`    terms: ${hit.terms.slice(0, 8).map((term) => `${term.term}${term.inText ? '' : '*'} ${term.contribution.toFixed(3)}`).join(', ')}`);
      });
      lines.push('(* = added by the model\'s expansion, not in the passage text)');
      io.stdout.write(lines.join('\n') + '\n');
    } finally {
      await engine.close();
    }
  },
};
