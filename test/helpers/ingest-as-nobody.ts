// Runs the folder scanner and extractFile as an unprivileged user (the tests run as root, for whom permission bits
// do not apply): prints one JSON object. Usage: node --import tsx test/helpers/ingest-as-nobody.ts <folder> <file>
import { scanFolder } from '../../app/ingest/folder-scanner.js';
import { FolderRules } from '../../app/ingest/ignore-rules.js';
import { extractFile } from '../../app/ingest/extract/extract-file.js';

const [folder, file] = process.argv.slice(2) as [string, string];
const entries = [];
for await (const e of scanFolder(new FolderRules(folder))) entries.push({ kind: e.kind, rel: e.rel, code: 'code' in e ? e.code : null });
const extract = await extractFile(file).then(
  () => ({ ok: true }),
  (error: { code?: string; message: string }) => ({ ok: false, code: error.code, message: error.message }),
);
console.log(JSON.stringify({ uid: process.getuid?.(), entries, extract }));
