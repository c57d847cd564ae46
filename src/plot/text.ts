/**
 * Text measured against the space it has. Every figure's titles, subtitles, legends and labels go
 * through `fitText`: the text is wrapped at word (and hook-name) boundaries onto at most
 * `maxLines` lines, then shrunk until every line fits `maxWidth`. Nothing is ever cut (a cut label
 * can become ambiguous). Widths are the advance widths of DejaVu Sans, the font the figures name
 * first and the PNG renderer (resvg) uses, read from its hmtx table; other glyphs count as 0.65 em
 * (1 em for wide scripts), so the estimate errs wide rather than narrow for unknown text.
 */
import { escapeXml, FONT, round1 } from "./svg.js";

const CHARS = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~²³→←±αβγλπσΣ·−×≥≤∝≈…–—°µ∈′";
// Advance widths in thousandths of an em, in the order of CHARS (DejaVu Sans Book, then Bold).
const BOOK =
  "318,401,460,838,636,950,780,275,390,390,500,838,318,361,318,337,636,636,636,636,636,636,636,636,636,636,337,337,838,838,838,531,1000,684,686,698,770,632,575,775,752,295,295,656,557,863,748,787,603,787,695,635,611,732,684,989,685,611,685,390,337,390,838,500,500,613,635,550,635,615,352,635,634,278,278,579,278,974,634,612,635,635,411,521,392,634,592,818,592,592,525,636,337,636,838,401,401,838,838,838,659,638,592,592,602,634,632,318,838,838,838,838,714,838,1000,500,1000,500,636,871,227";
const BOLD =
  "348,456,521,838,696,1002,872,306,457,457,523,838,380,415,380,365,696,696,696,696,696,696,696,696,696,696,400,400,838,838,838,580,1000,774,762,734,830,683,683,821,837,372,372,775,637,995,837,850,733,850,770,720,682,812,774,1103,771,724,725,457,365,457,838,500,500,675,716,593,716,678,435,716,712,343,343,665,343,1042,712,687,716,716,493,595,478,712,652,924,645,652,582,712,365,712,838,438,438,838,838,838,687,716,681,633,791,779,683,380,838,838,838,838,712,838,1000,500,1000,500,736,896,264";

function table(widths: string): Map<string, number> {
  const values = widths.split(",").map((w) => Number(w) / 1000);
  return new Map(Array.from(CHARS, (c, k) => [c, values[k]]));
}
const WIDTHS = { book: table(BOOK), bold: table(BOLD) };

/** Baseline to the top of the tallest glyphs, and to the bottom of descenders, in em (DejaVu Sans). */
export const ASCENT = 0.76;
export const DESCENT = 0.24;
/** Default distance between baselines of wrapped lines, in em. */
export const LINE_HEIGHT = 1.2;

/** Width in px of `text` set in DejaVu Sans at `fontSize` px (bold when asked). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const t = bold ? WIDTHS.bold : WIDTHS.book;
  let em = 0;
  for (const c of text) {
    const w = t.get(c);
    if (w !== undefined) em += w;
    else em += c.codePointAt(0)! >= 0x2e80 ? 1 : 0.65;
  }
  return em * fontSize;
}

export interface FitOptions {
  readonly bold?: boolean;
  /** Lines the text may wrap onto before it shrinks. Default 2. */
  readonly maxLines?: number;
  /** Distance between baselines, in em. Default 1.2. */
  readonly lineHeight?: number;
}

export interface FittedText {
  readonly lines: readonly string[];
  /** Font size in px (the requested size, or smaller when the text had to shrink). */
  readonly size: number;
  readonly bold: boolean;
  /** Distance between baselines in px. */
  readonly lineHeight: number;
  /** Widest line in px. */
  readonly width: number;
  /** From the top of the first line to the bottom of the last, px. */
  readonly height: number;
}

/** Pieces a line may break after: spaces (dropped at a break), and ',', '+', ';', '/' (kept). */
function pieces(text: string): string[] {
  return text.split(/(?<=[ ,+;/])/).filter((p) => p.length > 0);
}

/** Greedy wrap of `text` into lines no wider than maxWidth at `size` (a piece wider than that gets its own line). */
function wrap(text: string, maxWidth: number, size: number, bold: boolean): string[] {
  const lines: string[] = [];
  let line = "";
  for (const p of pieces(text)) {
    const candidate = line + p;
    if (line !== "" && textWidth(candidate.trimEnd(), size, bold) > maxWidth) {
      lines.push(line.trimEnd());
      line = p;
    } else line = candidate;
  }
  if (line.trim() !== "" || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

function fitted(lines: string[], size: number, bold: boolean, lineHeight: number): FittedText {
  const lh = lineHeight * size;
  const width = Math.max(0, ...lines.map((l) => textWidth(l, size, bold)));
  return { lines, size, bold, lineHeight: lh, width, height: (lines.length - 1) * lh + (ASCENT + DESCENT) * size };
}

/**
 * Lay `text` out in at most `maxLines` lines no wider than `maxWidth` px: at `fontSize` if it fits
 * (wrapped where needed), else at the largest smaller size (in steps of 4%) at which it does.
 */
export function fitText(text: string, maxWidth: number, fontSize: number, options: FitOptions = {}): FittedText {
  const bold = options.bold === true;
  const maxLines = Math.max(1, options.maxLines ?? 2);
  const lineHeight = options.lineHeight ?? LINE_HEIGHT;
  const room = Math.max(1, maxWidth);
  if (textWidth(text, fontSize, bold) <= room) return fitted([text], fontSize, bold, lineHeight);
  for (let size = fontSize; size > 0.5; size = Math.round(size * 0.96 * 100) / 100) {
    const lines = wrap(text, room, size, bold);
    if (lines.length <= maxLines && lines.every((l) => textWidth(l, size, bold) <= room)) return fitted(lines, size, bold, lineHeight);
  }
  return fitted([text], 0.5, bold, lineHeight);
}

export type Anchor = "start" | "middle" | "end";

export interface TextAttributes {
  readonly anchor?: Anchor;
  readonly fill?: string;
  /** Further attributes written as they are, e.g. 'font-style="italic"'. */
  readonly extra?: string;
}

/** The SVG of fitted text whose first baseline is at (x, y); one <text> element per line. */
export function textLinesSvg(f: FittedText, x: number, y: number, attributes: TextAttributes = {}): string {
  const anchor = attributes.anchor ?? "middle";
  const attrs = [
    `text-anchor="${anchor}"`,
    `font-size="${Number(f.size.toFixed(2))}"`,
    f.bold ? `font-weight="bold"` : "",
    attributes.fill ? `fill="${attributes.fill}"` : "",
    `font-family="${FONT}"`,
    attributes.extra ?? "",
  ]
    .filter((a) => a !== "")
    .join(" ");
  return f.lines.map((line, k) => `<text x="${round1(x)}" y="${round1(y + k * f.lineHeight)}" ${attrs}>${escapeXml(line)}</text>`).join("\n");
}

/** The most room `lines` lines of text at `fontSize` can take (fitText never makes them larger). */
export function linesHeight(lines: number, fontSize: number, lineHeight = LINE_HEIGHT): number {
  return ((Math.max(1, lines) - 1) * lineHeight + ASCENT + DESCENT) * fontSize;
}

/** Fitted text placed with the top of its first line at `top`; `bottom` is where its last line ends. */
export function textBlockSvg(f: FittedText, x: number, top: number, attributes: TextAttributes = {}): { readonly svg: string; readonly bottom: number } {
  return { svg: textLinesSvg(f, x, top + ASCENT * f.size, attributes), bottom: top + f.height };
}

/** Fitted text placed so that its last line ends at `bottom` (a title above a panel). */
export function textAboveSvg(f: FittedText, x: number, bottom: number, attributes: TextAttributes = {}): string {
  return textLinesSvg(f, x, bottom - f.height + ASCENT * f.size, attributes);
}
