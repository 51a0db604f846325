/** Child process of the crash test: indexes `<folder>` into `<data>` with the tiny model until done (or killed). */
import { Engine } from '../../app/engine/index.js';

const [data, folder, model, onnxCacheDir] = process.argv.slice(2) as [string, string, string, string];
const engine = await Engine.open({ dataDir: data, model, onnxCacheDir, env: {}, indexing: 'sync', batchSize: 4 });
await engine.addFolder({ path: folder });
process.stdout.write('started\n');
await engine.whenIdle();
await engine.close();
process.stdout.write('done\n');
