// C[M,N] = A[M,K] B[K,N] (+ bias[N]) (+ S[M,N]): the one matrix product of the engine.
// A has general strides (rsA, csA) in floats, so A^T costs nothing (weight gradients
// X^T dY); B and C (and S) are row-major with leading dimensions ldb, ldc, lds.
// Register tile: 4 rows x 8 columns (8 f32x4 accumulators; larger tiles spill in V8,
// measured: 4x8 ~48 GFLOP/s, 6x8 and 4x12 ~29). Epilogue order as the reference
// (S + ((A B) + bias)). S may alias C (accumulate in place).
import { madd } from "./simd";

@inline function finish(acc: v128, bias: usize, s: usize): v128 {
  let r = acc;
  if (bias) r = f32x4.add(r, v128.load(bias));
  if (s) r = f32x4.add(v128.load(s), r);
  return r;
}

@inline function finish1(acc: f32, bias: usize, s: usize): f32 {
  let r = acc;
  if (bias) r = r + load<f32>(bias);
  if (s) r = load<f32>(s) + r;
  return r;
}

/** Depth of one pass over K: keeps a B panel and the A rows of a pass in L1 when K is long (weight gradients, K = tokens). */
const KC = 128;

export function matmul(A: usize, rsA: i32, csA: i32, B: usize, ldb: i32, C: usize, ldc: i32,
                       M: i32, N: i32, K: i32, bias: usize, S: usize, lds: i32): void {
  if (K <= 2 * KC) {
    matmulPass(A, rsA, csA, B, ldb, C, ldc, M, N, K, bias, S, lds);
    return;
  }
  // Later passes accumulate onto C: C = (S + (A0 B0 + bias)) + A1 B1 + ...
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const first = k0 == 0;
    matmulPass(A + <usize>k0 * (<usize>csA << 2), rsA, csA, B + <usize>k0 * (<usize>ldb << 2), ldb, C, ldc, M, N, kc,
      first ? bias : 0, first ? S : C, first ? lds : ldc);
  }
}

function matmulPass(A: usize, rsA: i32, csA: i32, B: usize, ldb: i32, C: usize, ldc: i32,
                    M: i32, N: i32, K: i32, bias: usize, S: usize, lds: i32): void {
  const rs = <usize>rsA << 2, cs = <usize>csA << 2, lb = <usize>ldb << 2, lc = <usize>ldc << 2, ls = <usize>lds << 2;
  let j = 0;
  for (; j + 8 <= N; j += 8) {
    const jb = <usize>j << 2;
    const pbias = bias ? bias + jb : 0;
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let pa = A + <usize>i * rs;
      let pb = B + jb;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb), b1 = v128.load(pb, 16);
        let a = v128.load32_splat(pa);
        c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
        a = v128.load32_splat(pa + rs);
        c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
        a = v128.load32_splat(pa + 2 * rs);
        c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
        a = v128.load32_splat(pa + 3 * rs);
        c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
        pa += cs; pb += lb;
      }
      const pc = C + <usize>i * lc + jb;
      const ps = S ? S + <usize>i * ls + jb : 0;
      v128.store(pc, finish(c00, pbias, ps)); v128.store(pc + 16, finish(c01, pbias ? pbias + 16 : 0, ps ? ps + 16 : 0));
      v128.store(pc + lc, finish(c10, pbias, ps ? ps + ls : 0)); v128.store(pc + lc + 16, finish(c11, pbias ? pbias + 16 : 0, ps ? ps + ls + 16 : 0));
      v128.store(pc + 2 * lc, finish(c20, pbias, ps ? ps + 2 * ls : 0)); v128.store(pc + 2 * lc + 16, finish(c21, pbias ? pbias + 16 : 0, ps ? ps + 2 * ls + 16 : 0));
      v128.store(pc + 3 * lc, finish(c30, pbias, ps ? ps + 3 * ls : 0)); v128.store(pc + 3 * lc + 16, finish(c31, pbias ? pbias + 16 : 0, ps ? ps + 3 * ls + 16 : 0));
    }
    for (; i < M; i++) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
      let pa = A + <usize>i * rs;
      let pb = B + jb;
      for (let k = 0; k < K; k++) {
        const a = v128.load32_splat(pa);
        c0 = madd(a, v128.load(pb), c0); c1 = madd(a, v128.load(pb, 16), c1);
        pa += cs; pb += lb;
      }
      const pc = C + <usize>i * lc + jb;
      const ps = S ? S + <usize>i * ls + jb : 0;
      v128.store(pc, finish(c0, pbias, ps)); v128.store(pc + 16, finish(c1, pbias ? pbias + 16 : 0, ps ? ps + 16 : 0));
    }
  }
  for (; j + 4 <= N; j += 4) {
    const jb = <usize>j << 2;
    const pbias = bias ? bias + jb : 0;
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let pa = A + <usize>i * rs;
      let pb = B + jb;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb);
        c0 = madd(v128.load32_splat(pa), b0, c0);
        c1 = madd(v128.load32_splat(pa + rs), b0, c1);
        c2 = madd(v128.load32_splat(pa + 2 * rs), b0, c2);
        c3 = madd(v128.load32_splat(pa + 3 * rs), b0, c3);
        pa += cs; pb += lb;
      }
      const pc = C + <usize>i * lc + jb;
      const ps = S ? S + <usize>i * ls + jb : 0;
      v128.store(pc, finish(c0, pbias, ps));
      v128.store(pc + lc, finish(c1, pbias, ps ? ps + ls : 0));
      v128.store(pc + 2 * lc, finish(c2, pbias, ps ? ps + 2 * ls : 0));
      v128.store(pc + 3 * lc, finish(c3, pbias, ps ? ps + 3 * ls : 0));
    }
    for (; i < M; i++) {
      let c0 = f32x4.splat(0);
      let pa = A + <usize>i * rs;
      let pb = B + jb;
      for (let k = 0; k < K; k++) {
        c0 = madd(v128.load32_splat(pa), v128.load(pb), c0);
        pa += cs; pb += lb;
      }
      v128.store(C + <usize>i * lc + jb, finish(c0, pbias, S ? S + <usize>i * ls + jb : 0));
    }
  }
  for (; j < N; j++) {
    const jb = <usize>j << 2;
    for (let i = 0; i < M; i++) {
      let acc: f32 = 0;
      let pa = A + <usize>i * rs;
      let pb = B + jb;
      for (let k = 0; k < K; k++) {
        acc += load<f32>(pa) * load<f32>(pb);
        pa += cs; pb += lb;
      }
      store<f32>(C + <usize>i * lc + jb, finish1(acc, bias ? bias + jb : 0, S ? S + <usize>i * ls + jb : 0));
    }
  }
}

/** dst[c, r] = src[r, c] for an R x Cn block; 4x4 SIMD blocks, scalar edges. */
export function transpose(src: usize, R: i32, Cn: i32, lds: i32, dst: usize, ldd: i32): void {
  const ls = <usize>lds << 2, ld = <usize>ldd << 2;
  let r = 0;
  for (; r + 4 <= R; r += 4) {
    const s = src + <usize>r * ls;
    let c = 0;
    for (; c + 4 <= Cn; c += 4) {
      const cb = <usize>c << 2;
      const r0 = v128.load(s + cb), r1 = v128.load(s + ls + cb), r2 = v128.load(s + 2 * ls + cb), r3 = v128.load(s + 3 * ls + cb);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const d = dst + <usize>c * ld + (<usize>r << 2);
      v128.store(d, v128.shuffle<f64>(t0, t2, 0, 2));
      v128.store(d + ld, v128.shuffle<f64>(t0, t2, 1, 3));
      v128.store(d + 2 * ld, v128.shuffle<f64>(t1, t3, 0, 2));
      v128.store(d + 3 * ld, v128.shuffle<f64>(t1, t3, 1, 3));
    }
    for (; c < Cn; c++) {
      for (let q = 0; q < 4; q++) store<f32>(dst + <usize>c * ld + (<usize>(r + q) << 2), load<f32>(s + <usize>q * ls + (<usize>c << 2)));
    }
  }
  for (; r < R; r++) {
    for (let c = 0; c < Cn; c++) store<f32>(dst + <usize>c * ld + (<usize>r << 2), load<f32>(src + <usize>r * ls + (<usize>c << 2)));
  }
}

/** out[j] = sum_i Y[i, j] (bias gradients); out is overwritten. */
export function colSum(Y: usize, M: i32, N: i32, ldy: i32, out: usize): void {
  const ly = <usize>ldy << 2;
  let j = 0;
  for (; j + 16 <= N; j += 16) {
    const jb = <usize>j << 2;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let p = Y + jb;
    for (let i = 0; i < M; i++) {
      a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
      p += ly;
    }
    v128.store(out + jb, a0); v128.store(out + jb + 16, a1); v128.store(out + jb + 32, a2); v128.store(out + jb + 48, a3);
  }
  for (; j + 4 <= N; j += 4) {
    const jb = <usize>j << 2;
    let a0 = f32x4.splat(0);
    let p = Y + jb;
    for (let i = 0; i < M; i++) { a0 = f32x4.add(a0, v128.load(p)); p += ly; }
    v128.store(out + jb, a0);
  }
  for (; j < N; j++) {
    const jb = <usize>j << 2;
    let a: f32 = 0;
    let p = Y + jb;
    for (let i = 0; i < M; i++) { a += load<f32>(p); p += ly; }
    store<f32>(out + jb, a);
  }
}
