/** Downloads: bytes or text as a file, and SVG figures rasterised to PNG in the browser. */

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadBytes(bytes: Uint8Array, filename: string, type = "application/octet-stream"): void {
  downloadBlob(new Blob([bytes as BlobPart], { type }), filename);
}

export function downloadText(text: string, filename: string, type = "application/json"): void {
  downloadBlob(new Blob([text], { type }), filename);
}

/** The SVG's own size (its width/height attributes, else its viewBox). */
function svgSize(svg: string): { width: number; height: number } {
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml").documentElement;
  const width = parseFloat(doc.getAttribute("width") ?? "");
  const height = parseFloat(doc.getAttribute("height") ?? "");
  if (width > 0 && height > 0) return { width, height };
  const vb = (doc.getAttribute("viewBox") ?? "0 0 800 600").split(/[\s,]+/).map(Number);
  return { width: vb[2] || 800, height: vb[3] || 600 };
}

/** Rasterise an SVG string to PNG at `scale` times its size (the command line writes PNG at 2x too). */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const { width, height } = svgSize(svg);
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** JSON with arrays of numbers, and of short strings, kept on one line (process files stay readable). */
export function prettyJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  const scalar = String.raw`(?:-?[\d.eE+-]+|"[^"\\\n]{0,40}")`;
  const flat = new RegExp(String.raw`\[\s*(${scalar}(?:,\s*${scalar})*)\s*\]`, "g");
  return text.replace(flat, (_, inner: string) => `[${inner.split(/,\s*(?=-?[\d.]|")/).join(", ")}]`) + "\n";
}
