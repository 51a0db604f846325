/**
 * The few pieces of Python/NumPy arithmetic the reference evaluator's numbers depend on, redone exactly, so that
 * the app's metrics equal sentence-transformers' to the last bit rather than to a tolerance:
 * - `numpyMean`: `np.mean` of float64 values sums them pairwise (NumPy's `pairwise_sum`), not left to right;
 * - `pythonRound` / `pythonFloatRepr`: the model card prints `round(value, 4)` (half-even on the exact binary value)
 *   with Python's `repr`;
 * - `compareCodePoints`: Python orders `str` by code point, JavaScript's `<` by UTF-16 unit (they differ once
 *   astral characters meet U+E000..U+FFFF); the reference breaks score ties by corpus id in Python's order.
 */

/** NumPy's `pairwise_sum` over `values[start, start + n)` (8 accumulators up to 128 values, halves above). */
function pairwiseSum(values: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => values[start + j]!);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += values[start + i + j]!;
    let sum = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, n - half);
}

/** `np.mean(values)` for float64 values (NaN for none, as NumPy). */
export function numpyMean(values: ArrayLike<number>): number {
  return pairwiseSum(values, 0, values.length) / values.length;
}

/** Python's `sum(values)`: left to right from 0. */
export function pythonSum(values: Iterable<number>): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

/**
 * Python's `round(x, digits)` for a float: the decimal nearest to x's exact binary value, ties to even (JavaScript's
 * `toFixed` sends ties up). Works on the exact decimal expansion (`toFixed(100)` is exact for |x| >= 1e-30 or so).
 */
export function pythonRound(x: number, digits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const negative = x < 0;
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf('.');
  const kept = exact.slice(0, point) + exact.slice(point + 1, point + 1 + digits);
  const rest = exact.slice(point + 1 + digits);
  let units = BigInt(kept);
  const first = rest.charCodeAt(0) - 48;
  const tail = /[1-9]/.test(rest.slice(1));
  if (first > 5 || (first === 5 && (tail || units % 2n === 1n))) units += 1n;
  // Python then returns the float nearest to that decimal: parsing its text is correctly rounded.
  const text = units.toString().padStart(digits + 1, '0');
  const value = Number(digits > 0 ? `${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}` : text);
  return negative ? -value : value;
}

/** Python's `repr(float)`: shortest round-trip digits, always with a '.' or an exponent ('1.0', '0.5591', '5e-05'). */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // Python switches to scientific notation below 1e-4 and from 1e16 on.
  if (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e16) {
    const [mantissa, power] = x.toExponential().split('e') as [string, string];
    const sign = power.startsWith('-') ? '-' : '+';
    const digits = power.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  const text = String(x);
  return text.includes('.') ? text : `${text}.0`;
}

/** Orders strings as Python does (by code point). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (an astral code point) is above every BMP unit, including U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
