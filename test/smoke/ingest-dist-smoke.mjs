// Smoke test of the COMPILED ingest library (dist/, run `npm run build` first) on any Node: scans a folder,
// extracts every file in the extractor pool's worker threads (dist/app/ingest/extractor-worker.js), splits, and
// prints one JSON line per file. Used to check Node 20 and Node 24 give the same results:
//   node --import tsx test/smoke/ingest-fixtures.ts /tmp/f && node test/smoke/ingest-dist-smoke.mjs /tmp/f
//   <node24>/bin/node test/smoke/ingest-dist-smoke.mjs /tmp/f
import { ExtractorPool, FolderRules, scanFolder, splitPassages, approximateTokenSpans } from '../../dist/app/ingest/index.js';

const dir = process.argv[2];
const pool = new ExtractorPool({ size: 1 });
const lines = [];
for await (const entry of scanFolder(new FolderRules(dir))) {
  if (entry.kind !== 'file') {
    lines.push({ rel: entry.rel, [entry.kind]: entry.code });
    continue;
  }
  try {
    const e = await pool.extract(entry.path);
    const passages = splitPassages(e.text, e.sections, approximateTokenSpans);
    lines.push({ rel: entry.rel, type: e.type, encoding: e.encoding ?? null, pages: e.pageCount ?? null, text: e.text, headings: e.sections.map((s) => s.heading ?? null), passages: passages.length });
  } catch (error) {
    lines.push({ rel: entry.rel, failed: error.code, message: error.message });
  }
}
await pool.close();
for (const line of lines) console.log(JSON.stringify(line));
console.error(`node ${process.version}: ${lines.length} entries`);
