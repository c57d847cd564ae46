// LayerNorm over the last axis as TransformerLens: scale = sqrt(mean((x - mean)^2) + eps),
// y = (x - mean) / scale * w + b. stats[2i] = mean, stats[2i + 1] = scale (kept for backward).

export function layerNormForward(X: usize, Y: usize, M: i32, D: i32, w: usize, b: usize, stats: usize, eps: f32): void {
  const rowBytes = <usize>D << 2;
  const invD: f32 = 1 / <f32>D;
  for (let i = 0; i < M; i++) {
    const x = X + <usize>i * rowBytes, y = Y + <usize>i * rowBytes;
    let acc = f32x4.splat(0);
    let k = 0;
    for (; k + 4 <= D; k += 4) acc = f32x4.add(acc, v128.load(x + (<usize>k << 2)));
    let sum = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    for (; k < D; k++) sum += load<f32>(x + (<usize>k << 2));
    const mean = sum * invD;
    const vm = f32x4.splat(mean);
    acc = f32x4.splat(0);
    k = 0;
    for (; k + 4 <= D; k += 4) {
      const c = f32x4.sub(v128.load(x + (<usize>k << 2)), vm);
      acc = f32x4.add(acc, f32x4.mul(c, c));
    }
    let sq = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    for (; k < D; k++) { const c = load<f32>(x + (<usize>k << 2)) - mean; sq += c * c; }
    const scale = sqrt<f32>(sq * invD + eps);
    const vs = f32x4.splat(scale);
    k = 0;
    for (; k + 4 <= D; k += 4) {
      const o = <usize>k << 2;
      const n = f32x4.div(f32x4.sub(v128.load(x + o), vm), vs);
      v128.store(y + o, f32x4.add(f32x4.mul(n, v128.load(w + o)), v128.load(b + o)));
    }
    for (; k < D; k++) {
      const o = <usize>k << 2;
      store<f32>(y + o, ((load<f32>(x + o) - mean) / scale) * load<f32>(w + o) + load<f32>(b + o));
    }
    store<f32>(stats + (<usize>i << 3), mean);
    store<f32>(stats + (<usize>i << 3) + 4, scale);
  }
}

/**
 * dX += (g - mean(g) - xhat mean(g xhat)) / scale with g = dY w, xhat = (x - mean) / scale;
 * dw = sum_i dY xhat, db = sum_i dY (overwritten).
 */
export function layerNormBackward(X: usize, dY: usize, dX: usize, M: i32, D: i32, w: usize, stats: usize, dw: usize, db: usize): void {
  const rowBytes = <usize>D << 2;
  const invD: f32 = 1 / <f32>D;
  memory.fill(dw, 0, rowBytes);
  memory.fill(db, 0, rowBytes);
  for (let i = 0; i < M; i++) {
    const x = X + <usize>i * rowBytes, dy = dY + <usize>i * rowBytes, dx = dX + <usize>i * rowBytes;
    const mean = load<f32>(stats + (<usize>i << 3));
    const scale = load<f32>(stats + (<usize>i << 3) + 4);
    const vm = f32x4.splat(mean), vs = f32x4.splat(scale);
    let ag = f32x4.splat(0), agx = f32x4.splat(0);
    let k = 0;
    for (; k + 4 <= D; k += 4) {
      const o = <usize>k << 2;
      const xh = f32x4.div(f32x4.sub(v128.load(x + o), vm), vs);
      const d = v128.load(dy + o);
      const g = f32x4.mul(d, v128.load(w + o));
      ag = f32x4.add(ag, g);
      agx = f32x4.add(agx, f32x4.mul(g, xh));
      v128.store(dw + o, f32x4.add(v128.load(dw + o), f32x4.mul(d, xh)));
      v128.store(db + o, f32x4.add(v128.load(db + o), d));
    }
    let sg = (f32x4.extract_lane(ag, 0) + f32x4.extract_lane(ag, 1)) + (f32x4.extract_lane(ag, 2) + f32x4.extract_lane(ag, 3));
    let sgx = (f32x4.extract_lane(agx, 0) + f32x4.extract_lane(agx, 1)) + (f32x4.extract_lane(agx, 2) + f32x4.extract_lane(agx, 3));
    for (let q = k; q < D; q++) {
      const o = <usize>q << 2;
      const xh = (load<f32>(x + o) - mean) / scale;
      const d = load<f32>(dy + o);
      const g = d * load<f32>(w + o);
      sg += g; sgx += g * xh;
      store<f32>(dw + o, load<f32>(dw + o) + d * xh);
      store<f32>(db + o, load<f32>(db + o) + d);
    }
    const mg = sg * invD, mgx = sgx * invD;
    const vmg = f32x4.splat(mg), vmgx = f32x4.splat(mgx);
    k = 0;
    for (; k + 4 <= D; k += 4) {
      const o = <usize>k << 2;
      const xh = f32x4.div(f32x4.sub(v128.load(x + o), vm), vs);
      const g = f32x4.mul(v128.load(dy + o), v128.load(w + o));
      const r = f32x4.div(f32x4.sub(f32x4.sub(g, vmg), f32x4.mul(xh, vmgx)), vs);
      v128.store(dx + o, f32x4.add(v128.load(dx + o), r));
    }
    for (; k < D; k++) {
      const o = <usize>k << 2;
      const xh = (load<f32>(x + o) - mean) / scale;
      const g = load<f32>(dy + o) * load<f32>(w + o);
      store<f32>(dx + o, load<f32>(dx + o) + (g - mg - xh * mgx) / scale);
    }
  }
}
