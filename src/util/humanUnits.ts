/**
 * Sizes and durations for terminal lines, in the unit that keeps two or
 * three significant digits: "850 B", "12.3 KB", "4.5 MB" (decimal, as the
 * MB/s rates beside them), and "320 ms", "4.2 s", "3 min 5 s".
 */

/** Decimal sizes: B, KB, MB, GB, TB. */
export function formatSize(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let u = 0;
  while (v >= 999.5 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? Math.round(v) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

/** Durations: ms below a second, s below two minutes, then min and s. */
export function formatDuration(seconds: number): string {
  if (seconds < 0.9995) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - 60 * m)} s`;
}
