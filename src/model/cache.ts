/**
 * Activations captured by runWithCache, on the host (Float32Array), keyed by
 * TransformerLens-style hook name. Shapes follow TransformerLens (each
 * architecture's `hookShape`).
 */
import { ArgumentError, describe } from "../util/errors.js";
import type { Rows } from "../util/rows.js";
import type { HostTensor } from "./types.js";

type HookName = string;

export class ActivationCache {
  readonly #tensors: Map<HookName, HostTensor>;

  constructor(tensors: Map<HookName, HostTensor>) {
    this.#tensors = tensors;
  }

  get names(): HookName[] {
    return [...this.#tensors.keys()];
  }

  has(name: HookName): boolean {
    return this.#tensors.has(name);
  }

  /** The activation at `name`; throws listing what the cache holds. */
  get(name: HookName): HostTensor {
    const t = this.#tensors.get(name);
    if (!t) {
      throw new ArgumentError({
        fn: "ActivationCache.get",
        argument: "name",
        received: describe(name),
        expected: `a cached hook: ${this.names.join(", ") || "(cache is empty)"}`,
        hint: "Ask runWithCache for it with the `names` option.",
      });
    }
    return t;
  }

  /**
   * Rows of features for probing: the activation at each hook reshaped to
   * [batch * pos, features] and concatenated along features, in float64.
   * Returns { rows, cols, data }.
   */
  features(names: readonly HookName[]): Rows {
    if (names.length === 0) {
      throw new ArgumentError({ fn: "ActivationCache.features", argument: "names", received: "an empty list", expected: "at least one hook name" });
    }
    const parts = names.map((n) => this.get(n));
    const lead = parts[0].shape.slice(0, 2); // [batch, pos]
    const rows = lead[0] * lead[1];
    const widths = parts.map((t, k) => {
      if (t.shape[0] !== lead[0] || t.shape[1] !== lead[1]) {
        throw new ArgumentError({
          fn: "ActivationCache.features",
          argument: `names[${k}]`,
          received: `${names[k]} with shape [${t.shape.join(", ")}]`,
          expected: `a [batch, pos, ...] activation matching [${lead.join(", ")}, ...]`,
        });
      }
      return t.data.length / rows;
    });
    const cols = widths.reduce((a, b) => a + b, 0);
    const data = new Float64Array(rows * cols);
    let offset = 0;
    parts.forEach((t, k) => {
      const w = widths[k];
      for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) data[r * cols + offset + j] = t.data[r * w + j];
      offset += w;
    });
    return { rows, cols, data };
  }
}
