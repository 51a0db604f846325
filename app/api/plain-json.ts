/**
 * The shape check every incoming message passes before its schema: plain JSON only (objects, arrays, strings,
 * finite numbers, booleans, null), bounded depth and size, and no key that could reach a prototype
 * (`__proto__`, `constructor`, `prototype`). IPC delivers structured-clone values (Maps, Dates, typed arrays,
 * class-less objects with odd keys) and HTTP delivers text, so both transports check the same thing here.
 * Iterative (no recursion), so a deeply nested message cannot overflow the stack. Renderer-safe.
 */

export interface PlainJsonLimits {
  /** Deepest nesting of objects and arrays (default 32; the API's deepest parameter is 3 levels). */
  maxDepth?: number;
  /** Most values in total (default 100,000). */
  maxNodes?: number;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Null when `value` is plain JSON within the limits, else a sentence naming the first problem and where it is. */
export function plainJsonProblem(value: unknown, limits: PlainJsonLimits = {}): string | null {
  const maxDepth = limits.maxDepth ?? 32;
  const maxNodes = limits.maxNodes ?? 100_000;
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: 'params', depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (++nodes > maxNodes) return `the message has more than ${maxNodes} values`;
    switch (typeof current) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(current)) return `${path} is ${current}, not a finite number`;
        continue;
      case 'object':
        break;
      default:
        return `${path} is a ${typeof current}, which JSON cannot carry`;
    }
    if (current === null) continue;
    if (depth >= maxDepth) return `${path} is nested more than ${maxDepth} levels deep`;
    if (Array.isArray(current)) {
      if (Object.getPrototypeOf(current) !== Array.prototype) return `${path} is not a plain array`;
      for (let i = 0; i < current.length; i++) stack.push({ value: current[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    const proto = Object.getPrototypeOf(current);
    if (proto !== Object.prototype && proto !== null) return `${path} is not a plain object`;
    for (const key of Reflect.ownKeys(current)) {
      if (typeof key === 'symbol') return `${path} has a symbol key`;
      if (FORBIDDEN_KEYS.has(key)) return `${path} has the key "${key}", which is never accepted`;
      stack.push({ value: (current as Record<string, unknown>)[key], path: `${path}.${key.slice(0, 64)}`, depth: depth + 1 });
    }
  }
  return null;
}

/** JSON.parse that answers a problem instead of throwing, and checks the result with `plainJsonProblem`. */
export function parsePlainJson(text: string, limits?: PlainJsonLimits): { ok: true; value: unknown } | { ok: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `the body is not JSON: ${(error as Error).message.slice(0, 200)}` };
  }
  const problem = plainJsonProblem(value, limits);
  return problem === null ? { ok: true, value } : { ok: false, problem };
}
