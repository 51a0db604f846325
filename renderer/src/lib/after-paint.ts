/**
 * Runs `fn` once the next frame has been painted: an animation frame callback runs before the frame is painted, and
 * a task queued from it runs after. Returns a function that cancels it (before or after the frame).
 */
export function afterNextPaint(fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(fn, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
  };
}
