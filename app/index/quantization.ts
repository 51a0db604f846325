/**
 * Impact quantization: passage weights are stored as 8-bit codes, linear in the weight (code × scale), 1..255.
 *
 * Linear (not logarithmic) because a dot product sums absolute errors: a uniform step bounds each term's error by
 * scale/2. The scale is fixed per index at creation (`maxWeight / 255`), so segments never need requantizing when
 * they merge. Weights above maxWeight are clamped to 255 (counted, see `QuantizationStats`); any weight > 0 gets at
 * least code 1 so that a term the encoder activated stays visible as a matched term.
 */

/** The default largest weight represented exactly; SPLADE's log(1 + relu(x)) weights rarely exceed 4. */
export const DEFAULT_MAX_WEIGHT = 5;

export interface Quantizer {
  /** Weight of one code unit. */
  readonly scale: number;
  readonly maxWeight: number;
}

export function createQuantizer(maxWeight = DEFAULT_MAX_WEIGHT): Quantizer {
  if (!(maxWeight > 0) || !Number.isFinite(maxWeight)) throw new RangeError(`maxWeight must be finite and > 0, got ${maxWeight}`);
  return { scale: maxWeight / 255, maxWeight };
}

/** The 8-bit code of weight `value` (> 0). */
export function quantize(value: number, scale: number): number {
  const code = Math.round(value / scale);
  return code < 1 ? 1 : code > 255 ? 255 : code;
}

/** The weight a code stands for. */
export function dequantize(code: number, scale: number): number {
  return code * scale;
}
