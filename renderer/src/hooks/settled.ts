/**
 * A value once it has stayed the same for `delayMs`: the detail view fetches a hit's extras (all its terms, its
 * expansion, its file's passages) only for a selection the user rests on, not for every result that is selected
 * for a moment while typing or arrowing through the list — and not while the new results are being painted.
 */
import { useEffect, useState } from 'react';

export function useSettled<T>(value: T, delayMs: number): T | undefined {
  const [settled, setSettled] = useState<T | undefined>(undefined);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(() => value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
