// Optimizer updates over the flat parameter / gradient / state buffers (n a multiple of 4),
// with the reference's operation order (src/train/optimizer.ts), so each is the same
// float32 arithmetic as the jax-js path given the same gradients.

/** sum of squares (float64 accumulation of 4-wide float32 partial sums per 1024 floats). */
export function sumSquares(G: usize, n: i32): f64 {
  let total: f64 = 0;
  let k = 0;
  while (k < n) {
    const stop = min(n, k + 1024);
    let acc = f32x4.splat(0);
    for (; k < stop; k += 4) { const g = v128.load(G + (<usize>k << 2)); acc = f32x4.add(acc, f32x4.mul(g, g)); }
    total += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  }
  return total;
}

export function scaleInPlace(G: usize, n: i32, factor: f32): void {
  const f = f32x4.splat(factor);
  const end = G + (<usize>n << 2);
  for (let p = G; p < end; p += 16) v128.store(p, f32x4.mul(v128.load(p), f));
}

/**
 * torch.optim.Adam(W): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * p = p * decay - (m * stepSize) / (sqrt(v) / sqrtBias2 + eps)   (decay only when useDecay).
 */
export function adamUpdate(P: usize, G: usize, Mo: usize, Vo: usize, n: i32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
                           eps: f32, stepSize: f32, sqrtBias2: f32, decay: f32, useDecay: i32): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(oneMinusBeta1), b2 = f32x4.splat(beta2), c2 = f32x4.splat(oneMinusBeta2);
  const ve = f32x4.splat(eps), vs = f32x4.splat(stepSize), vb = f32x4.splat(sqrtBias2), vd = f32x4.splat(decay);
  for (let k = 0; k < n; k += 4) {
    const o = <usize>k << 2;
    const g = v128.load(G + o);
    const m = f32x4.add(f32x4.mul(v128.load(Mo + o), b1), f32x4.mul(g, c1));
    const v = f32x4.add(f32x4.mul(v128.load(Vo + o), b2), f32x4.mul(f32x4.mul(g, g), c2));
    v128.store(Mo + o, m);
    v128.store(Vo + o, v);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v), vb), ve);
    let p = v128.load(P + o);
    if (useDecay) p = f32x4.mul(p, vd);
    v128.store(P + o, f32x4.sub(p, f32x4.div(f32x4.mul(m, vs), denom)));
  }
}

/** torch.optim.SGD: g = g + wd p; buf = mu buf + g (useMomentum); p = p - g lr. */
export function sgdUpdate(P: usize, G: usize, Buf: usize, n: i32, lr: f32, momentum: f32, weightDecay: f32, useMomentum: i32, useDecay: i32): void {
  const vl = f32x4.splat(lr), vm = f32x4.splat(momentum), vw = f32x4.splat(weightDecay);
  for (let k = 0; k < n; k += 4) {
    const o = <usize>k << 2;
    let g = v128.load(G + o);
    const p = v128.load(P + o);
    if (useDecay) g = f32x4.add(g, f32x4.mul(p, vw));
    if (useMomentum) {
      g = f32x4.add(f32x4.mul(v128.load(Buf + o), vm), g);
      v128.store(Buf + o, g);
    }
    v128.store(P + o, f32x4.sub(p, f32x4.mul(g, vl)));
  }
}
