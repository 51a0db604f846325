/**
 * pdfjs-dist 6.x (the first line outside advisory GHSA-hq66-cqwq-w95j) targets Node >= 22.13. Its legacy build
 * polyfills almost everything through core-js, except two built-ins that Node 20 lacks: `Promise.withResolvers`
 * (every document load) and `ArrayBuffer.prototype.transferToFixedLength` (font data). Installed only where
 * missing, i.e. never under Electron's Node 24. Imported by pdf-text before pdf.js loads.
 */
const promise = Promise as unknown as { withResolvers?: unknown };
if (typeof promise.withResolvers !== 'function') {
  promise.withResolvers = function withResolvers<T>(this: PromiseConstructor) {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const p = new this<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: p, resolve, reject };
  };
}

const arrayBuffer = ArrayBuffer.prototype as unknown as { transferToFixedLength?: unknown; transfer?: unknown };
if (typeof arrayBuffer.transferToFixedLength !== 'function') {
  // A copy instead of a transfer: the source stays attached, which pdf.js never relies on (it drops its reference).
  arrayBuffer.transferToFixedLength = function transferToFixedLength(this: ArrayBuffer, length?: number) {
    const n = length ?? this.byteLength;
    const out = new ArrayBuffer(n);
    new Uint8Array(out).set(new Uint8Array(this, 0, Math.min(n, this.byteLength)));
    return out;
  };
}
export {};
