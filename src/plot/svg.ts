/** Small helpers every SVG figure shares. */

export const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

/** Escape text for SVG/XML content and attribute values (titles with & or < must render). */
export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Round to 0.1 px: smaller files, stable snapshots. */
export const round1 = (v: number): number => Math.round(v * 10) / 10;
