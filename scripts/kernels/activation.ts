// Elementwise activations (kind: 0 gelu (exact erf), 1 gelu-tanh, 2 relu, 3 silu).
// The forward pass writes y = f(x) and the derivative f'(x), computed together from
// shared subexpressions, so the backward pass is one multiply: dX = dY f'(x).
// n is padded to a multiple of 4 by the caller's buffers (tails computed on padding).
import { madd, vexp, vtanh } from "./simd";

const SQRT1_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;
const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const GELU_C: f32 = 0.044715;

/**
 * Y = f(X) and G = f'(X) for n floats; G may alias X (in place).
 * gelu: f = x Phi(x), f' = Phi(x) + x phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2, with erf as
 *   jax-js computes it (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7): for a = |x| / sqrt 2,
 *   1 - erf(a) = P(t) t exp(-a^2), t = 1 / (1 + 0.3275911 a); exp(-a^2) = exp(-x^2 / 2) is
 *   phi's exponential too, so one exp serves both.
 * gelu-tanh: f = x (1 + tanh u) / 2, u = sqrt(2/pi) (x + 0.044715 x^3),
 *   f' = (1 + tanh u) / 2 + x / 2 (1 - tanh^2 u) sqrt(2/pi) (1 + 3 0.044715 x^2).
 * relu: f = max(x, 0), f' = [x > 0]. silu: f = x s(x), f' = s (1 + x (1 - s)).
 */
export function activationForward(kind: i32, X: usize, Y: usize, G: usize, n: i32): void {
  const end = X + (<usize>n << 2);
  const dy = Y - X, dg = G - X;
  const half = f32x4.splat(0.5), one = f32x4.splat(1);
  if (kind == 0) {
    for (let p = X; p < end; p += 16) {
      const x = v128.load(p);
      const e2 = vexp(f32x4.mul(f32x4.mul(x, x), f32x4.splat(-0.5)));
      const a = f32x4.mul(f32x4.abs(x), f32x4.splat(SQRT1_2));
      const t = f32x4.div(one, madd(f32x4.splat(0.3275911), a, one));
      let q = madd(f32x4.splat(1.061405429), t, f32x4.splat(-1.453152027));
      q = madd(q, t, f32x4.splat(1.421413741));
      q = madd(q, t, f32x4.splat(-0.284496736));
      q = madd(q, t, f32x4.splat(0.254829592));
      const halfTail = f32x4.mul(f32x4.mul(f32x4.mul(q, t), e2), half); // (1 - erf(a)) / 2
      const cdf = v128.bitselect(f32x4.sub(one, halfTail), halfTail, f32x4.ge(x, f32x4.splat(0)));
      const pdf = f32x4.mul(e2, f32x4.splat(INV_SQRT_2PI));
      v128.store(p + dy, f32x4.mul(x, cdf));
      v128.store(p + dg, madd(x, pdf, cdf));
    }
  } else if (kind == 1) {
    for (let p = X; p < end; p += 16) {
      const x = v128.load(p);
      const x2 = f32x4.mul(x, x);
      const t = vtanh(f32x4.mul(f32x4.splat(SQRT_2_OVER_PI), f32x4.mul(x, madd(f32x4.splat(GELU_C), x2, one))));
      const a = f32x4.mul(half, f32x4.add(one, t));
      const du = f32x4.mul(f32x4.splat(SQRT_2_OVER_PI), madd(f32x4.splat(3 * GELU_C), x2, one));
      const sech2 = f32x4.sub(one, f32x4.mul(t, t));
      v128.store(p + dy, f32x4.mul(x, a));
      v128.store(p + dg, madd(f32x4.mul(f32x4.mul(x, half), sech2), du, a));
    }
  } else if (kind == 2) {
    for (let p = X; p < end; p += 16) {
      const x = v128.load(p);
      v128.store(p + dy, f32x4.pmax(x, f32x4.splat(0)));
      v128.store(p + dg, v128.and(one, f32x4.gt(x, f32x4.splat(0))));
    }
  } else {
    for (let p = X; p < end; p += 16) {
      const x = v128.load(p);
      const s = f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
      v128.store(p + dy, f32x4.mul(x, s));
      v128.store(p + dg, f32x4.mul(s, madd(x, f32x4.sub(one, s), one)));
    }
  }
}

/** dX = dY * G (elementwise; dX may alias dY). */
export function activationBackward(G: usize, dY: usize, dX: usize, n: i32): void {
  const end = G + (<usize>n << 2);
  const dy = dY - G, dx = dX - G;
  for (let p = G; p < end; p += 16) v128.store(p + dx, f32x4.mul(v128.load(p + dy), v128.load(p)));
}
