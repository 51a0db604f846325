/**
 * File-system watchers never report renames: a rename or move arrives as a removal plus an addition (either order,
 * ~50 ms apart with chokidar). Pairs them when the added file has the removed file's size and modification time
 * (both kept by rename), so the engine can re-point a file instead of re-encoding it. Pure; ambiguous matches
 * (several candidates with the same signature) are left unpaired, which only costs a re-encode.
 */

export interface FileSignature {
  path: string;
  size: number;
  mtimeMs: number;
}

export function pairRenames(removed: readonly FileSignature[], added: readonly FileSignature[]): Array<{ from: string; to: string }> {
  const key = (f: FileSignature) => `${f.size}:${Math.round(f.mtimeMs)}`;
  const removedBy = groupBy(removed, key);
  const addedBy = groupBy(added, key);
  const pairs: Array<{ from: string; to: string }> = [];
  for (const [k, from] of removedBy) {
    const to = addedBy.get(k);
    if (from.length === 1 && to?.length === 1) pairs.push({ from: from[0]!.path, to: to[0]!.path });
  }
  return pairs;
}

function groupBy(files: readonly FileSignature[], key: (f: FileSignature) => string): Map<string, FileSignature[]> {
  const map = new Map<string, FileSignature[]>();
  for (const f of files) {
    const k = key(f);
    const list = map.get(k);
    if (list) list.push(f);
    else map.set(k, [f]);
  }
  return map;
}
