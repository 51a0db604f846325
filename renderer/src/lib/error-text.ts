/** A user-facing sentence for anything a call threw: wire errors carry `{ code, message }` (app/engine/engine-error.ts). */
export function errorText(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { message?: unknown; code?: unknown };
    if (typeof e.message === 'string' && e.message !== '') return e.message;
    if (typeof e.code === 'string') return e.code;
  }
  return String(error);
}

/** The wire error code of a thrown value, if it has one. */
export function errorCode(error: unknown): string | null {
  if (error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string') return (error as { code: string }).code;
  return null;
}
