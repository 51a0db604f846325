/** Formatting of the numbers the UI shows: sizes, rates, durations, dates, scores and weights. Pure and locale-stable (en). */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 -> "1.5 KB" (powers of 1024, one decimal below 10, none above). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value).toString()} ${UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Seconds left -> "45 s", "3 min 5 s", "2 h 10 min"; null/negative/non-finite -> "unknown". */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return 'unknown';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return rest === 0 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 60)} min ${rest} s`;
  }
  const minutes = Math.round((s % 3600) / 60);
  const hours = Math.floor(s / 3600) + (minutes === 60 ? 1 : 0);
  const mins = minutes === 60 ? 0 : minutes;
  return mins === 0 ? `${hours} h` : `${hours} h ${mins} min`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * A modification time for a result: "today 14:05", "yesterday 09:12", else the local date "2024-03-07".
 * `now` is passed in so the output is testable.
 */
export function formatDate(ms: number | null | undefined, now: number = Date.now()): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return 'unknown date';
  const d = new Date(ms);
  const today = new Date(now);
  const startOfToday = new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (ms >= startOfToday && ms < startOfToday + 86_400_000) return `today ${time}`;
  const startOfYesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1).getTime();
  if (ms >= startOfYesterday && ms < startOfToday) return `yesterday ${time}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A local date as the `<input type="date">` value "YYYY-MM-DD". */
export function toDateInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Scores and weights: 3 significant digits ("12.3", "0.842", "0.0051"). */
export function formatWeight(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2).replace(/^(-?)0\./, '$10.');
}

/** Where a passage is in its file: "page 3", "line 120", or "passage 4" (0-based ordinal shown 1-based). */
export function formatLocation(p: { page: number | null; line: number | null; ordinal: number }): string {
  if (p.page !== null) return `page ${p.page}`;
  if (p.line !== null) return `line ${p.line}`;
  return `passage ${p.ordinal + 1}`;
}

/** The folder part of a path for display, relative to its watched folder when inside it. */
export function displayFolder(path: string, watched: string): string {
  const sep = path.includes('\\') && !path.includes('/') ? '\\' : '/';
  const parent = path.slice(0, Math.max(0, path.lastIndexOf(sep)));
  if (parent === watched || parent === '') return watched || parent;
  if (parent.startsWith(watched + sep)) {
    const base = watched.slice(watched.lastIndexOf(sep) + 1);
    return `${base}${sep}${parent.slice(watched.length + 1)}`;
  }
  return parent;
}
