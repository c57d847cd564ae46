/**
 * Axis ticks at round values (1, 2 or 5 times a power of ten), the algorithm of d3-array's `ticks`
 * (Mike Bostock, https://github.com/d3/d3-array/blob/main/src/ticks.js, ISC licence): the step is
 * the round value nearest (geometrically) to (stop - start) / count, and for steps below 1 ticks are
 * computed as integers divided by 1/step, so that 0.1 * 3 prints as 0.3. Every chart's axis and
 * colour bar takes its ticks from here.
 */

const E10 = Math.sqrt(50);
const E5 = Math.sqrt(10);
const E2 = Math.sqrt(2);

/** [first, last, increment]: ticks are first..last times increment (increment > 0) or divided by -increment (< 0). */
function tickSpec(start: number, stop: number, count: number): [number, number, number] {
  const step = (stop - start) / Math.max(0, count);
  const power = Math.floor(Math.log10(step));
  const error = step / 10 ** power;
  const factor = error >= E10 ? 10 : error >= E5 ? 5 : error >= E2 ? 2 : 1;
  let i1: number;
  let i2: number;
  let inc: number;
  if (power < 0) {
    inc = 10 ** -power / factor;
    i1 = Math.round(start * inc);
    i2 = Math.round(stop * inc);
    if (i1 / inc < start) ++i1;
    if (i2 / inc > stop) --i2;
    inc = -inc;
  } else {
    inc = 10 ** power * factor;
    i1 = Math.round(start / inc);
    i2 = Math.round(stop / inc);
    if (i1 * inc < start) ++i1;
    if (i2 * inc > stop) --i2;
  }
  if (i2 < i1 && 0.5 <= count && count < 2) return tickSpec(start, stop, count * 2);
  return [i1, i2, inc];
}

/** About count + 1 round values between start and stop inclusive (descending when stop < start). */
export function ticks(start: number, stop: number, count: number): number[] {
  if (!(count > 0) || !Number.isFinite(count) || Number.isNaN(start) || Number.isNaN(stop)) return [];
  if (start === stop) return [start];
  const reverse = stop < start;
  const [i1, i2, inc] = reverse ? tickSpec(stop, start, count) : tickSpec(start, stop, count);
  if (!(i2 >= i1) || !Number.isFinite(inc) || inc === 0) return [];
  const n = i2 - i1 + 1;
  const out = Array.from({ length: n }, (_, i) => (inc < 0 ? (i1 + i) / -inc : (i1 + i) * inc));
  return reverse ? out.reverse() : out;
}

/** The distance between consecutive ticks(start, stop, count) (positive), or NaN. */
export function tickStep(start: number, stop: number, count: number): number {
  const [lo, hi] = start <= stop ? [start, stop] : [stop, start];
  if (!(hi > lo) || !(count > 0)) return NaN;
  const inc = tickSpec(lo, hi, count)[2];
  return inc < 0 ? 1 / -inc : inc;
}

/**
 * A tick's label with as many decimals as the step needs (0.825, not 0.8250000000000001; 1e-4
 * steps in exponent form) and "0", never "-0".
 */
export function formatTick(value: number, step: number): string {
  if (value === 0 || Math.abs(value) < Math.abs(step) * 1e-9) return "0";
  const a = Math.abs(value);
  if (a >= 1e6 || (Number.isFinite(step) && Math.abs(step) < 1e-4)) {
    const digits = Number.isFinite(step) && step > 0 ? Math.max(0, Math.floor(Math.log10(a)) - Math.floor(Math.log10(step) + 1e-9)) : 2;
    return value.toExponential(Math.min(6, digits));
  }
  const decimals = Number.isFinite(step) && step > 0 ? Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) : 3;
  // A step of 0.25 or 2.5 (not produced here, but allowed) needs one more digit than its power.
  const extra = Number.isFinite(step) && step > 0 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6 ? 1 : 0;
  return value.toFixed(Math.min(20, decimals + extra));
}

/** Ticks and their labels for a linear axis over [lo, hi]. */
export function linearTicks(lo: number, hi: number, count = 5): { readonly value: number; readonly label: string }[] {
  const values = ticks(lo, hi, count);
  const step = tickStep(lo, hi, count);
  return values.map((value) => ({ value, label: formatTick(value, step) }));
}
