// Causal softmax attention per (sequence, head), TransformerLens layout:
// QKV rows [q(head, d_head) | k(head, d_head) | v(head, d_head)], Z rows [head, d_head].
// scores = q.k * scale for key <= query (masked keys get probability exactly 0, as the
// reference's finite -1e30 does), pattern = softmax(scores), z = pattern v.
// Per (sequence, head) the keys (and for backward the values) are first transposed into
// scratch [d_head, keys], so a query's scores are 4 keys per SIMD multiply-add. The
// backward pass recomputes the pattern row by row: nothing [query, key]-sized is stored.
import { hmax, hsum, madd, vexp } from "./simd";

/** dst[e, s] = src row s (stride rowStride bytes) element e, for s < T; columns T..Tp-1 zero. */
@inline function transposeHead(src: usize, rowStride: usize, T: i32, E: i32, dst: usize, Tp: i32): void {
  for (let e = 0; e < E; e++) {
    const d = dst + <usize>(e * Tp) * 4;
    for (let s = 0; s < T; s++) store<f32>(d + (<usize>s << 2), load<f32>(src + <usize>s * rowStride + (<usize>e << 2)));
    for (let s = T; s < Tp; s++) store<f32>(d + (<usize>s << 2), 0);
  }
}

/**
 * row[0..n) = (x . Mt[:, 0..n)) * scale for n = t + 1 rounded up to 4 (lanes past t get -inf);
 * x has E floats, Mt is [E, Tp]. Returns n.
 */
@inline function rowTimes(x: usize, Mt: usize, Tp: i32, E: i32, t: i32, scale: f32, row: usize, masked: f32): i32 {
  const n = (t + 4) & ~3;
  const vs = f32x4.splat(scale);
  const lane = i32x4(0, 1, 2, 3);
  const vt = i32x4.splat(t);
  const fill = f32x4.splat(masked);
  const stride = <usize>Tp << 2;
  for (let j = 0; j < n; j += 4) {
    // Four partial sums over e: independent multiply-add chains.
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let m = Mt + (<usize>j << 2);
    let e = 0;
    for (; e + 4 <= E; e += 4) {
      const xe = x + (<usize>e << 2);
      a0 = madd(v128.load32_splat(xe), v128.load(m), a0);
      a1 = madd(v128.load32_splat(xe + 4), v128.load(m + stride), a1);
      a2 = madd(v128.load32_splat(xe + 8), v128.load(m + 2 * stride), a2);
      a3 = madd(v128.load32_splat(xe + 12), v128.load(m + 3 * stride), a3);
      m += 4 * stride;
    }
    for (; e < E; e++) {
      a0 = madd(v128.load32_splat(x + (<usize>e << 2)), v128.load(m), a0);
      m += stride;
    }
    const acc = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
    const keep = i32x4.le_s(i32x4.add(lane, i32x4.splat(j)), vt);
    v128.store(row + (<usize>j << 2), v128.bitselect(f32x4.mul(acc, vs), fill, keep));
  }
  return n;
}

/** out[0..E) = sum_{s < n} w[s] * (row s of M, stride bytes apart), accumulated in registers 16 floats at a time. */
@inline function weightedRows(out: usize, M: usize, stride: usize, w: usize, n: i32, E: i32): void {
  let e = 0;
  for (; e + 16 <= E; e += 16) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let m = M + (<usize>e << 2);
    for (let s = 0; s < n; s++) {
      const ws = v128.load32_splat(w + (<usize>s << 2));
      a0 = madd(ws, v128.load(m), a0);
      a1 = madd(ws, v128.load(m, 16), a1);
      a2 = madd(ws, v128.load(m, 32), a2);
      a3 = madd(ws, v128.load(m, 48), a3);
      m += stride;
    }
    const o = out + (<usize>e << 2);
    v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
  }
  for (; e + 4 <= E; e += 4) {
    let a0 = f32x4.splat(0);
    let m = M + (<usize>e << 2);
    for (let s = 0; s < n; s++) {
      a0 = madd(v128.load32_splat(w + (<usize>s << 2)), v128.load(m), a0);
      m += stride;
    }
    v128.store(out + (<usize>e << 2), a0);
  }
  for (; e < E; e++) {
    let a: f32 = 0;
    let m = M + (<usize>e << 2);
    for (let s = 0; s < n; s++) {
      a += load<f32>(w + (<usize>s << 2)) * load<f32>(m);
      m += stride;
    }
    store<f32>(out + (<usize>e << 2), a);
  }
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

/** Scratch floats the attention kernels need: keys and values transposed, two rows, and P^T, dS^T for backward. */
export function attentionScratch(T: i32, E: i32): i32 {
  const Tp = (T + 3) & ~3;
  return 2 * E * Tp + 2 * (Tp + 4) + 2 * T * Tp;
}

export function attentionForward(QKV: usize, Z: usize, nSeq: i32, T: i32, H: i32, E: i32, scale: f32, scratch: usize): void {
  const HE = H * E, Tp = (T + 3) & ~3;
  const qkvStride = <usize>(3 * HE) << 2, zStride = <usize>HE << 2;
  const eBytes = <usize>E << 2, heBytes = <usize>HE << 2;
  const Kt = scratch, row = Kt + (<usize>(E * Tp) << 2);
  for (let b = 0; b < nSeq; b++) {
    const base = QKV + <usize>(b * T) * qkvStride;
    const zb = Z + <usize>(b * T) * zStride;
    for (let h = 0; h < H; h++) {
      const qh = base + <usize>h * eBytes, kh = qh + heBytes, vh = kh + heBytes;
      transposeHead(kh, qkvStride, T, E, Kt, Tp);
      for (let t = 0; t < T; t++) {
        const n = rowTimes(qh + <usize>t * qkvStride, Kt, Tp, E, t, scale, row, -Infinity);
        softmaxRow(row, n);
        weightedRows(zb + <usize>t * zStride + <usize>h * eBytes, vh, qkvStride, row, t + 1, E);
      }
    }
  }
}

/**
 * dQKV (overwritten) from dZ; scratch of attentionScratch(T, E) floats. Per (sequence, head),
 * pass 1 over queries t recomputes the pattern row, forms dS = P (dP - rowsum(P dP)) scale,
 * writes dq_t = sum_s dS_ts k_s and keeps P and dS transposed; pass 2 over keys s sums
 * dk_s = sum_t dS_ts q_t and dv_s = sum_t P_ts dz_t, in registers.
 */
export function attentionBackward(QKV: usize, dZ: usize, dQKV: usize, nSeq: i32, T: i32, H: i32, E: i32, scale: f32, scratch: usize): void {
  const HE = H * E, Tp = (T + 3) & ~3;
  const qkvStride = <usize>(3 * HE) << 2, zStride = <usize>HE << 2;
  const eBytes = <usize>E << 2, heBytes = <usize>HE << 2, tpBytes = <usize>Tp << 2;
  const Kt = scratch, Vt = Kt + (<usize>(E * Tp) << 2), row = Vt + (<usize>(E * Tp) << 2), dp = row + (<usize>(Tp + 4) << 2);
  const Pt = dp + (<usize>(Tp + 4) << 2), dSt = Pt + (<usize>(T * Tp) << 2);
  const vscale = f32x4.splat(scale);
  for (let b = 0; b < nSeq; b++) {
    const base = QKV + <usize>(b * T) * qkvStride;
    const dbase = dQKV + <usize>(b * T) * qkvStride;
    const zb = dZ + <usize>(b * T) * zStride;
    for (let h = 0; h < H; h++) {
      const qh = base + <usize>h * eBytes, kh = qh + heBytes, vh = kh + heBytes;
      const dqh = dbase + <usize>h * eBytes, dkh = dqh + heBytes, dvh = dkh + heBytes;
      const dzh = zb + <usize>h * eBytes;
      transposeHead(kh, qkvStride, T, E, Kt, Tp);
      transposeHead(vh, qkvStride, T, E, Vt, Tp);
      for (let t = 0; t < T; t++) {
        const n = rowTimes(qh + <usize>t * qkvStride, Kt, Tp, E, t, scale, row, -Infinity);
        softmaxRow(row, n);
        rowTimes(dzh + <usize>t * zStride, Vt, Tp, E, t, 1, dp, 0); // dp[s] = dz_t . v_s
        let acc = f32x4.splat(0);
        for (let s = 0; s < n; s += 4) acc = madd(v128.load(row + (<usize>s << 2)), v128.load(dp + (<usize>s << 2)), acc);
        const c = f32x4.splat(hsum(acc));
        for (let s = 0; s < n; s += 4) {
          const o = <usize>s << 2;
          v128.store(dp + o, f32x4.mul(f32x4.mul(v128.load(row + o), f32x4.sub(v128.load(dp + o), c)), vscale));
        }
        weightedRows(dqh + <usize>t * qkvStride, kh, qkvStride, dp, t + 1, E); // dq_t = sum_s ds_ts k_s
        for (let s = 0; s <= t; s++) {
          const o = <usize>s * tpBytes + (<usize>t << 2);
          store<f32>(Pt + o, load<f32>(row + (<usize>s << 2)));
          store<f32>(dSt + o, load<f32>(dp + (<usize>s << 2)));
        }
      }
      for (let s = 0; s < T; s++) {
        const from = <usize>s * tpBytes + (<usize>s << 2); // rows t >= s
        weightedRows(dkh + <usize>s * qkvStride, qh + <usize>s * qkvStride, qkvStride, dSt + from, T - s, E);
        weightedRows(dvh + <usize>s * qkvStride, dzh + <usize>s * zStride, zStride, Pt + from, T - s, E);
      }
    }
  }
}
