/**
 * Random malformed API messages, each certain to be refused (never a valid call by accident): unknown methods
 * (including Object.prototype's names), wrong types, values out of range, unknown keys, huge strings, deep
 * nesting, `__proto__`/`constructor` keys, and (over IPC) values JSON cannot carry. Seeded, so a failure repeats.
 */
import { METHOD_NAMES, type MethodName } from '../../app/api/api-contract.js';

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Malformed {
  kind: string;
  method: unknown;
  params: unknown;
  /** The JSON text to send instead of `JSON.stringify(params)` (nesting deeper than JSON.stringify can write). */
  body?: string;
}

/** Methods whose parameters include a required field (an empty object is invalid for them). */
const REQUIRED: Partial<Record<MethodName, string>> = {
  search: 'query', explain: 'text', moreLikeThis: 'passageId', hitTerms: 'passageId', filePassages: 'path', addFolder: 'path', removeFolder: 'path',
  pauseFolder: 'path', resumeFolder: 'path', reindexFolder: 'path', openFile: 'path', revealFile: 'path',
};

function nested(depth: number, leaf: unknown, asObject: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asObject ? { a: value } : [value];
  return value;
}

/** One malformed message. `ipc` adds values only structured clone carries (Map, Date, NaN...); `json` keeps to JSON. */
export function malformedMessage(random: () => number, transport: 'ipc' | 'json'): Malformed {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const method = pick(METHOD_NAMES);
  const field = REQUIRED[method];
  const junk = (): unknown =>
    pick<() => unknown>([
      () => Math.floor(random() * 1e9),
      () => -1.5,
      () => true,
      () => null,
      () => [],
      () => ({ nested: { deeper: [1, 2, 3] } }),
      () => 'x'.repeat(Math.floor(random() * 50)),
    ])();
  const kinds: (() => Malformed)[] = [
    () => ({ kind: 'unknown method', method: pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', 'search ', 'SEARCH', 'api:search', '../search', 'x'.repeat(5000), `m${Math.floor(random() * 1e6)}`]), params: {} }),
    () => ({ kind: 'method not a string', method: pick<unknown>([42, null, ['search'], { name: 'search' }, true]), params: {} }),
    () => ({ kind: 'params not an object', method, params: pick<unknown>(['query', 7, true, [1, 2], ['a']]) }),
    () => ({ kind: 'unknown key', method, params: { [`k${Math.floor(random() * 1e6)}`]: junk() } }),
    () => ({ kind: '__proto__ key', method, params: JSON.parse(`{"__proto__": {"polluted": true, "isAdmin": true}${field ? `, "${field}": "x"` : ''}}`) }),
    () => ({ kind: 'constructor key', method, params: JSON.parse('{"constructor": {"prototype": {"polluted": true}}}') }),
    () => {
      if (transport === 'ipc') return { kind: 'deep nesting', method, params: { [field ?? 'x']: nested(200 + Math.floor(random() * 800), junk(), random() < 0.5) } };
      const depth = 1000 + Math.floor(random() * 100_000);
      const [open, close] = random() < 0.5 ? ['[', ']'] : ['{"a":', '}'];
      return { kind: 'deep nesting', method, params: null, body: `{"${field ?? 'x'}":${open.repeat(depth)}1${close.repeat(depth)}}` };
    },
    () => {
      if (!field) return { kind: 'unknown key', method, params: { extra: 'x' } };
      const huge = 'ä'.repeat(100_001 + Math.floor(random() * 200_000));
      return { kind: 'huge string', method, params: { [field]: huge } };
    },
    () => {
      if (!field) return { kind: 'wrong type', method, params: { unexpected: junk() } };
      const wrong = field === 'passageId' ? pick<unknown>(['1', -1, 1.5, null, [], {}, -0.5]) : pick<unknown>([1, null, [], {}, true, ...(field === 'path' ? [''] : [])]);
      return { kind: 'wrong type', method, params: { [field]: wrong } };
    },
    () => ({ kind: 'out of range', method: 'search', params: { query: 'x', k: pick([0, -3, 201, 1e9, 2.5]) } }),
    () => ({ kind: 'bad enum', method: 'listFiles', params: { status: pick(['done', 'INDEXED', '', 'pending ']) } }),
    () => ({ kind: 'bad settings', method: 'setSettings', params: pick<unknown>([{ passageTokens: 5 }, { theme: 'blue' }, { device: 'tpu' }, { ignorePatterns: 'x' }, { hotkey: 'x'.repeat(101) }, { startAtLogin: 'yes' }]) }),
  ];
  if (transport === 'ipc') {
    kinds.push(() => ({
      kind: 'not JSON',
      method,
      params: field
        ? { [field]: pick<unknown>([new Map([[1, 2]]), new Set([1]), new Date(0), new Uint8Array(4), NaN, Infinity, -Infinity, 10n, /re/]) }
        : pick<unknown>([new Map(), new Date(0), new Uint8Array(3), { x: NaN }, { x: 1n }]),
    }));
  }
  return pick(kinds)();
}
