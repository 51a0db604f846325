/**
 * The one byte formatter of the app: decimal SI units (1 kB = 1000 bytes), as the Hugging Face Hub, NuGet and disk
 * vendors state sizes, with three significant digits: `999 B`, `1.50 kB`, `12.3 MB`, `440 MB`, `1.02 GB`.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 99.95 ? value.toFixed(0) : value >= 9.995 ? value.toFixed(1) : value.toFixed(2)} ${units[unit]}`;
}
