/**
 * A value that follows `value` one painted frame later: the secondary panels of the search screen (the query's
 * terms, the selected hit's detail) take the new answer only after the frame that shows the new result rows, so
 * that laying them out never delays the results themselves. `useDeferredValue` does not promise this: React may
 * render and commit the deferred update before the browser paints.
 */
import { useLayoutEffect, useState } from 'react';
import { afterNextPaint } from '../lib/after-paint.js';

export function useAfterPaint<T>(value: T): T {
  const [shown, setShown] = useState(value);
  useLayoutEffect(() => {
    if (Object.is(shown, value)) return;
    return afterNextPaint(() => setShown(() => value));
  }, [value]); // eslint-disable-line react-hooks/exhaustive-deps
  return shown;
}
