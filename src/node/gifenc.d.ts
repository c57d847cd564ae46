/** Types for gifenc 1.0.3 (Matt DesLauriers; it ships none): the calls src/node/gif.ts uses. */
declare module "gifenc" {
  export type Palette = number[][];
  export interface QuantizeOptions {
    readonly format?: "rgb565" | "rgb444" | "rgba4444";
  }
  export function quantize(rgba: Uint8Array | Uint8ClampedArray, maxColors: number, options?: QuantizeOptions): Palette;
  export function applyPalette(rgba: Uint8Array | Uint8ClampedArray, palette: Palette, format?: "rgb565" | "rgb444" | "rgba4444"): Uint8Array;
  export interface FrameOptions {
    readonly palette?: Palette;
    /** Milliseconds (stored in 1/100 s). */
    readonly delay?: number;
    /** -1 once, 0 forever, n > 0 that many extra times. */
    readonly repeat?: number;
    readonly first?: boolean;
  }
  export interface Encoder {
    writeFrame(index: Uint8Array, width: number, height: number, options?: FrameOptions): void;
    finish(): void;
    bytes(): Uint8Array;
  }
  export function GIFEncoder(options?: { readonly auto?: boolean; readonly initialCapacity?: number }): Encoder;
  /** The package is CommonJS: in Node's ESM its functions come as the default export. */
  const gifenc: { GIFEncoder: typeof GIFEncoder; quantize: typeof quantize; applyPalette: typeof applyPalette };
  export default gifenc;
}
