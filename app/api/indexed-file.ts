/**
 * The guard in front of "open" and "reveal": a path is acted on only when the engine knows it as a file of a
 * watched folder (whatever its status, so a failed file can still be shown in its folder). The path acted on is
 * the one the engine returns, never the caller's string, so `..` segments or look-alike spellings cannot reach a
 * file outside the index. Renderer-safe; used by Electron main and serve mode alike.
 */
import { EngineError, isEngineError, toWireError } from '../engine/engine-error.js';
import type { EngineHandlers } from './api-dispatch.js';

export async function requireIndexedFile(engine: Pick<EngineHandlers, 'filePassages'>, path: string): Promise<string> {
  try {
    const { file } = await engine.filePassages({ path });
    return file.path;
  } catch (error) {
    const wire = toWireError(error);
    if (wire.code === 'not-found' || wire.code === 'invalid-request' || (isEngineError(error) && error.code === 'not-found')) {
      throw new EngineError('not-found', `${path} is not a file of a watched folder; only indexed files can be opened or revealed`);
    }
    throw error;
  }
}
