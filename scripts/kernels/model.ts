// Embedding, cross-entropy and elementwise helpers.
// Token arrays are i32 [nSeq, tokStride]: row b holds inputs at 0..T-1 and targets at 1..T.

/** X[b*T + t, :] = W_E[tok, :] + W_pos[t, :] */
export function embedForward(tokens: usize, nSeq: i32, T: i32, tokStride: i32, WE: usize, Wpos: usize, D: i32, X: usize): void {
  const rowBytes = <usize>D << 2;
  for (let b = 0; b < nSeq; b++) {
    for (let t = 0; t < T; t++) {
      const tok = load<i32>(tokens + (<usize>(b * tokStride + t) << 2));
      const e = WE + <usize>tok * rowBytes, p = Wpos + <usize>t * rowBytes, x = X + <usize>(b * T + t) * rowBytes;
      let k = 0;
      for (; k + 4 <= D; k += 4) { const o = <usize>k << 2; v128.store(x + o, f32x4.add(v128.load(e + o), v128.load(p + o))); }
      for (; k < D; k++) { const o = <usize>k << 2; store<f32>(x + o, load<f32>(e + o) + load<f32>(p + o)); }
    }
  }
}

/** dW_E (V rows) and dW_pos (nCtx rows) overwritten with the sums of dX over the tokens / positions. */
export function embedBackward(tokens: usize, nSeq: i32, T: i32, tokStride: i32, dX: usize, D: i32, dWE: usize, V: i32, dWpos: usize, nCtx: i32): void {
  const rowBytes = <usize>D << 2;
  memory.fill(dWE, 0, <usize>V * rowBytes);
  memory.fill(dWpos, 0, <usize>nCtx * rowBytes);
  for (let b = 0; b < nSeq; b++) {
    for (let t = 0; t < T; t++) {
      const tok = load<i32>(tokens + (<usize>(b * tokStride + t) << 2));
      const e = dWE + <usize>tok * rowBytes, p = dWpos + <usize>t * rowBytes, g = dX + <usize>(b * T + t) * rowBytes;
      let k = 0;
      for (; k + 4 <= D; k += 4) {
        const o = <usize>k << 2;
        const v = v128.load(g + o);
        v128.store(e + o, f32x4.add(v128.load(e + o), v));
        v128.store(p + o, f32x4.add(v128.load(p + o), v));
      }
      for (; k < D; k++) {
        const o = <usize>k << 2;
        const v = load<f32>(g + o);
        store<f32>(e + o, load<f32>(e + o) + v);
        store<f32>(p + o, load<f32>(p + o) + v);
      }
    }
  }
}

/**
 * Next-token cross-entropy on logits [nSeq*T, V]: returns the summed negative log-likelihood
 * (float64), and writes dLogits = (softmax - onehot(target)) * gradScale.
 */
export function crossEntropy(logits: usize, nSeq: i32, T: i32, V: i32, tokens: usize, tokStride: i32, dLogits: usize, gradScale: f32): f64 {
  const rowBytes = <usize>V << 2;
  let total: f64 = 0;
  for (let b = 0; b < nSeq; b++) {
    for (let t = 0; t < T; t++) {
      const target = load<i32>(tokens + (<usize>(b * tokStride + t + 1) << 2));
      const l = logits + <usize>(b * T + t) * rowBytes, d = dLogits + <usize>(b * T + t) * rowBytes;
      let m: f32 = -Infinity;
      for (let v = 0; v < V; v++) m = max(m, load<f32>(l + (<usize>v << 2)));
      let s: f32 = 0;
      for (let v = 0; v < V; v++) { const e = Mathf.exp(load<f32>(l + (<usize>v << 2)) - m); store<f32>(d + (<usize>v << 2), e); s += e; }
      const lse = m + Mathf.log(s);
      total += <f64>(lse - load<f32>(l + (<usize>target << 2)));
      const inv: f32 = 1 / s;
      for (let v = 0; v < V; v++) {
        const o = <usize>v << 2;
        const p = load<f32>(d + o) * inv;
        store<f32>(d + o, (v == target ? p - 1 : p) * gradScale);
      }
    }
  }
  return total;
}

/** dst[0..n) += src[0..n) (n a multiple of 4: buffers are padded). */
export function addInto(dst: usize, src: usize, n: i32): void {
  const end = dst + (<usize>n << 2);
  const d = src - dst;
  for (let p = dst; p < end; p += 16) v128.store(p, f32x4.add(v128.load(p), v128.load(p + d)));
}
