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

/** Dot product of n floats at a and b (4-wide, scalar tail). */
@inline export function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) acc = madd(v128.load(a + (<usize>k << 2)), v128.load(b + (<usize>k << 2)), acc);
  let s = hsum(acc);
  for (; k < n; k++) s += load<f32>(a + (<usize>k << 2)) * load<f32>(b + (<usize>k << 2));
  return s;
}

/** y[0..n) += alpha * x[0..n) */
@inline export function axpy(y: usize, x: usize, alpha: f32, n: i32): void {
  const va = f32x4.splat(alpha);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    v128.store(y + o, madd(va, v128.load(x + o), v128.load(y + o)));
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** y[0..n) = alpha * x[0..n) */
@inline export function scaleTo(y: usize, x: usize, alpha: f32, n: i32): void {
  const va = f32x4.splat(alpha);
  let k = 0;
  for (; k + 4 <= n; k += 4) { const o = <usize>k << 2; v128.store(y + o, f32x4.mul(va, v128.load(x + o))); }
  for (; k < n; k++) { const o = <usize>k << 2; store<f32>(y + o, alpha * load<f32>(x + o)); }
}

/** y[0..n) = 0 (plain stores: memory.fill is a runtime call in V8, slow for short rows). */
@inline export function zero(y: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) v128.store(y + (<usize>k << 2), f32x4.splat(0));
  for (; k < n; k++) store<f32>(y + (<usize>k << 2), 0);
}

/**
 * exp(x) for four floats: Cephes expf (range reduction by ln 2 in two parts,
 * degree-6 polynomial), max error about 1 ulp on [-87.3, 88.7]; 0 below.
 * Rounding to the nearest integer n by adding 1.5 * 2^23 leaves n in the low
 * mantissa bits, from which 2^n is built with one integer add and shift
 * (cheaper in V8 than nearest + trunc_sat); pmin/pmax are single instructions
 * where min/max (NaN-propagating) are not.
 */
@inline export function vexp(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, f32x4.splat(-87.33654)), f32x4.splat(88.72283));
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

/**
 * erf(x) for four floats: the rational approximation of Eigen / XLA
 * (generic_fast_erf_float), odd degree-13 over even degree-8 on [-4, 4],
 * clamped outside (where erf rounds to +-1 in float32); error a few ulp.
 */
@inline export function verf(a: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(a, f32x4.splat(-4)), f32x4.splat(4));
  const x2 = f32x4.mul(x, x);
  let p = madd(x2, f32x4.splat(-2.72614225801306e-10), f32x4.splat(2.77068142495902e-08));
  p = madd(x2, p, f32x4.splat(-2.10102402082508e-06));
  p = madd(x2, p, f32x4.splat(-5.69250639462346e-05));
  p = madd(x2, p, f32x4.splat(-7.34990630326855e-04));
  p = madd(x2, p, f32x4.splat(-2.95459980854025e-03));
  p = madd(x2, p, f32x4.splat(-1.60960333262415e-02));
  p = f32x4.mul(x, p);
  let q = madd(x2, f32x4.splat(-1.45660718464996e-05), f32x4.splat(-2.13374055278905e-04));
  q = madd(x2, q, f32x4.splat(-1.68282697438203e-03));
  q = madd(x2, q, f32x4.splat(-7.37332916720468e-03));
  q = madd(x2, q, f32x4.splat(-1.42647390514189e-02));
  return f32x4.div(p, q);
}

/** tanh(x) = 1 - 2 / (exp(2x) + 1) for four floats (exp clamps, so +-1 at the ends). */
@inline export function vtanh(x: v128): v128 {
  const e = vexp(f32x4.add(x, x));
  return f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
}

/** Scalar versions through lane 0, so scalar tails round exactly as the vector body. */
@inline export function sexp(x: f32): f32 { return f32x4.extract_lane(vexp(f32x4.splat(x)), 0); }
