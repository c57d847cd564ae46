// Shared SIMD helpers for the fused training kernels (AssemblyScript).
// Compiled twice by scripts/build-kernels.mjs: with and without relaxed SIMD;
// ASC_FEATURE_RELAXED_SIMD picks the fused multiply-add at compile time.

/** c + a * b (one rounding with relaxed SIMD, two without). */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline export function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/**
 * exp(x) for four floats: Cephes expf (range reduction by ln 2 in two parts,
 * degree-6 polynomial), max error about 1 ulp on [-87.3, 88.4] (clamped above, so finite); 0 below.
 * Rounding to the nearest integer n by adding 1.5 * 2^23 leaves n in the low
 * mantissa bits, from which 2^n is built with one integer add and shift
 * (cheaper in V8 than nearest + trunc_sat); pmin/pmax are single instructions
 * where min/max (NaN-propagating) are not.
 */
@inline export function vexp(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, f32x4.splat(-87.33654)), f32x4.splat(88.37626));
  const magic = f32x4.splat(12582912.0);
  const nm = madd(x, f32x4.splat(1.44269504088896341), magic);
  const n = f32x4.sub(nm, magic);
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const r2 = f32x4.mul(r, r);
  const y = f32x4.add(madd(p, r2, r), f32x4.splat(1));
  const pow2n = i32x4.shl(i32x4.add(nm, i32x4.splat(127 - 0x4B400000)), 23);
  const out = f32x4.mul(y, pow2n);
  return v128.andnot(out, f32x4.lt(x0, f32x4.splat(-87.33654)));
}

/** tanh(x) = 1 - 2 / (exp(2x) + 1) for four floats (exp clamps, so +-1 at the ends). */
@inline export function vtanh(x: v128): v128 {
  const e = vexp(f32x4.add(x, x));
  return f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
}
