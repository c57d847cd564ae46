/**
 * Colour by belief, as in Shai et al.'s figures: with 3 states the belief
 * itself is the RGB colour (each vertex of the simplex a primary). With more
 * states, the top three principal components of the beliefs, scaled to [0, 1].
 */
import type { Rows } from "../util/rows.js";
import { principalAxes } from "./simplex.js";

/** [rows, 3] RGB in [0, 255]. */
export function beliefColours(beliefs: Rows): Uint8Array {
  const out = new Uint8Array(beliefs.rows * 3);
  const S = beliefs.cols;
  if (S <= 3) {
    for (let r = 0; r < beliefs.rows; r++) {
      for (let c = 0; c < 3; c++) out[r * 3 + c] = c < S ? Math.round(255 * Math.min(1, Math.max(0, beliefs.data[r * S + c]))) : 0;
    }
    return out;
  }
  const { mean, axes } = principalAxes(beliefs, 3);
  const proj = new Float64Array(beliefs.rows * 3);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let r = 0; r < beliefs.rows; r++) {
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let i = 0; i < S; i++) v += (beliefs.data[r * S + i] - mean[i]) * axes[i * 3 + c];
      proj[r * 3 + c] = v;
      lo[c] = Math.min(lo[c], v);
      hi[c] = Math.max(hi[c], v);
    }
  }
  for (let r = 0; r < beliefs.rows; r++) {
    for (let c = 0; c < 3; c++) out[r * 3 + c] = Math.round((255 * (proj[r * 3 + c] - lo[c])) / (hi[c] - lo[c] || 1));
  }
  return out;
}
