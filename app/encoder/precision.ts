/** The encoder's one precision vocabulary: what a caller may ask for, what a graph runs in, and the float subset the graph builder emits. */

/** Every precision setting, `auto` first (fp16 on WebGPU, fp32 on every other provider). */
export const PRECISIONS = ['auto', 'fp32', 'fp16', 'int8'] as const;

/** A precision setting as callers (CLI flag, app setting, API) give it. */
export type PrecisionSetting = (typeof PRECISIONS)[number];

/** The precision a graph actually runs in (`auto` decided): fp32, fp16, or int8 weight products (CPU only). */
export type Precision = Exclude<PrecisionSetting, 'auto'>;

/** The float type the BERT graph builder emits for weights and activations; int8 is a rewrite of the fp32 CPU graph. */
export type FloatPrecision = Exclude<Precision, 'int8'>;
