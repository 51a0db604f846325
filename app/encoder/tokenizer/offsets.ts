/** Offset helpers: code points to UTF-16 for JS string slicing, and Python's str.strip() range. */

/**
 * Converts `[start, end)` offsets in code points of `text` (as `BertTokenizer.encode` reports them) to UTF-16
 * code-unit offsets, for `text.slice(start, end)`. `[0, 0]` stays `[0, 0]`. Offsets past the end clamp to it.
 */
export function codePointToUtf16Offsets(text: string, offsets: Array<[number, number]>): Array<[number, number]> {
  // utf16At[k] = UTF-16 index of code point k, built once up to the largest offset asked for.
  let maxOffset = 0;
  for (const [start, end] of offsets) maxOffset = Math.max(maxOffset, start, end);
  const utf16At = new Int32Array(maxOffset + 1);
  let unit = 0;
  let k = 0;
  for (; k <= maxOffset && unit < text.length; k++) {
    utf16At[k] = unit;
    const cp = text.codePointAt(unit)!;
    unit += cp > 0xffff ? 2 : 1;
  }
  for (; k <= maxOffset; k++) utf16At[k] = text.length;
  return offsets.map(([start, end]) => [utf16At[start]!, utf16At[end]!]);
}

/** Python `str.isspace()` characters: what `str.strip()` removes. */
function isPythonSpace(unit: number): boolean {
  return (
    (unit >= 0x09 && unit <= 0x0d) ||
    (unit >= 0x1c && unit <= 0x20) ||
    unit === 0x85 ||
    unit === 0xa0 ||
    unit === 0x1680 ||
    (unit >= 0x2000 && unit <= 0x200a) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    unit === 0x202f ||
    unit === 0x205f ||
    unit === 0x3000
  );
}

/** The UTF-16 range `[from, to)` that Python `text.strip()` keeps. */
export function pythonStripRange(text: string): [number, number] {
  let from = 0;
  let to = text.length;
  while (from < to && isPythonSpace(text.charCodeAt(from))) from++;
  while (to > from && isPythonSpace(text.charCodeAt(to - 1))) to--;
  return [from, to];
}

/** Python `text.strip()`. */
export function pythonStrip(text: string): string {
  const [from, to] = pythonStripRange(text);
  return text.slice(from, to);
}
