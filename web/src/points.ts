/** Beliefs as points to draw: projected to the plane and coloured in a worker, so the page only paints. */
import { beliefProjection, type PlaneProjection } from "../../src/geometry/simplex.js";
import { beliefColours } from "../../src/geometry/colour.js";
import type { Rows } from "../../src/util/rows.js";
import type { PointSet } from "./protocol.js";

/**
 * `shown` (default: `truth`) projected the way `truth` is (the triangle for 3 states, else the
 * truth's top two principal axes) and coloured by the TRUE belief, so predictions that match
 * the truth reproduce its picture and its colours.
 */
export function pointSet(truth: Rows, shown: Rows = truth, projection: PlaneProjection = beliefProjection(truth), colours: Uint8Array = beliefColours(truth)): PointSet {
  return { rows: shown.rows, xy: Float32Array.from(projection.project(shown)), rgb: colours, kind: projection.kind };
}

/** The buffers of point sets, to transfer rather than copy. */
export function transfers(...sets: (PointSet | null | undefined)[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const p of sets) if (p) out.add(p.xy.buffer as ArrayBuffer).add(p.rgb.buffer as ArrayBuffer);
  return [...out];
}
