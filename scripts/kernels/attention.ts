// Causal softmax attention per (sequence, head), TransformerLens layout:
// QKV rows [q(head, d_head) | k(head, d_head) | v(head, d_head)], Z rows [head, d_head].
// scores = q.k * scale for key <= query (masked keys get probability exactly 0, as the
// reference's finite -1e30 does), pattern = softmax(scores), z = pattern v.
// Backward recomputes the pattern row by row, so nothing [query, key]-sized is stored.
import { axpy, dot, hmax, hsum, scaleTo, vexp, zero } from "./simd";

/** Scores of query row q against keys 0..t into row[0..t], padded with -inf to a multiple of 4; returns the padded length. */
@inline function scoresRow(q: usize, kBase: usize, rowStride: usize, t: i32, E: i32, scale: f32, row: usize): i32 {
  for (let s = 0; s <= t; s++) store<f32>(row + (<usize>s << 2), dot(q, kBase + <usize>s * rowStride, E) * scale);
  const n = (t + 4) & ~3;
  for (let s = t + 1; s < n; s++) store<f32>(row + (<usize>s << 2), -Infinity);
  return n;
}

/** row <- softmax(row[0..n)) in place (n a multiple of 4, padding -inf). */
@inline function softmaxRow(row: usize, n: i32): void {
  let m = f32x4.splat(-Infinity);
  for (let s = 0; s < n; s += 4) m = f32x4.pmax(m, v128.load(row + (<usize>s << 2)));
  const vm = f32x4.splat(hmax(m));
  let acc = f32x4.splat(0);
  for (let s = 0; s < n; s += 4) {
    const o = <usize>s << 2;
    const e = vexp(f32x4.sub(v128.load(row + o), vm));
    v128.store(row + o, e);
    acc = f32x4.add(acc, e);
  }
  const vsum = f32x4.splat(hsum(acc));
  for (let s = 0; s < n; s += 4) {
    const o = <usize>s << 2;
    v128.store(row + o, f32x4.div(v128.load(row + o), vsum));
  }
}

export function attentionForward(QKV: usize, Z: usize, nSeq: i32, T: i32, H: i32, E: i32, scale: f32, row: usize): void {
  const HE = H * E;
  const qkvStride = <usize>(3 * HE) << 2, zStride = <usize>HE << 2;
  const eBytes = <usize>E << 2, heBytes = <usize>HE << 2;
  for (let b = 0; b < nSeq; b++) {
    const base = QKV + <usize>(b * T) * qkvStride;
    const zb = Z + <usize>(b * T) * zStride;
    for (let h = 0; h < H; h++) {
      const qh = base + <usize>h * eBytes, kh = qh + heBytes, vh = kh + heBytes;
      for (let t = 0; t < T; t++) {
        const n = scoresRow(qh + <usize>t * qkvStride, kh, qkvStride, t, E, scale, row);
        softmaxRow(row, n);
        const z = zb + <usize>t * zStride + <usize>h * eBytes;
        scaleTo(z, vh, load<f32>(row), E);
        for (let s = 1; s <= t; s++) axpy(z, vh + <usize>s * qkvStride, load<f32>(row + (<usize>s << 2)), E);
      }
    }
  }
}

/** dQKV (overwritten) from dZ. row: scratch of 2 * (T + 4) floats. */
export function attentionBackward(QKV: usize, dZ: usize, dQKV: usize, nSeq: i32, T: i32, H: i32, E: i32, scale: f32, row: usize): void {
  const HE = H * E;
  const qkvStride = <usize>(3 * HE) << 2, zStride = <usize>HE << 2;
  const eBytes = <usize>E << 2, heBytes = <usize>HE << 2;
  const dp = row + (<usize>(T + 4) << 2);
  for (let b = 0; b < nSeq; b++) {
    const base = QKV + <usize>(b * T) * qkvStride;
    const dbase = dQKV + <usize>(b * T) * qkvStride;
    const zb = dZ + <usize>(b * T) * zStride;
    for (let h = 0; h < H; h++) {
      const qh = base + <usize>h * eBytes, kh = qh + heBytes, vh = kh + heBytes;
      const dqh = dbase + <usize>h * eBytes, dkh = dqh + heBytes, dvh = dkh + heBytes;
      for (let t = 0; t < T; t++) {
        zero(dkh + <usize>t * qkvStride, E);
        zero(dvh + <usize>t * qkvStride, E);
      }
      for (let t = 0; t < T; t++) {
        const q = qh + <usize>t * qkvStride;
        const n = scoresRow(q, kh, qkvStride, t, E, scale, row);
        softmaxRow(row, n);
        const dz = zb + <usize>t * zStride + <usize>h * eBytes;
        let c: f32 = 0;
        for (let s = 0; s <= t; s++) {
          const p = load<f32>(row + (<usize>s << 2));
          const d = dot(dz, vh + <usize>s * qkvStride, E);
          store<f32>(dp + (<usize>s << 2), d);
          c += p * d;
          axpy(dvh + <usize>s * qkvStride, dz, p, E);
        }
        const dq = dqh + <usize>t * qkvStride;
        zero(dq, E);
        for (let s = 0; s <= t; s++) {
          const p = load<f32>(row + (<usize>s << 2));
          const ds = p * (load<f32>(dp + (<usize>s << 2)) - c) * scale;
          axpy(dq, kh + <usize>s * qkvStride, ds, E);
          axpy(dkh + <usize>s * qkvStride, q, ds, E);
        }
      }
    }
  }
}
