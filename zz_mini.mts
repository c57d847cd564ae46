import { jit, valueAndGrad, makeJaxpr, numpy as np, nn } from "@jax-js/jax";
import { initEngine } from "/work/main/src/engine/jax.js";
await initEngine();
const variant = process.argv[2];
const W = np.array(new Float32Array(3 * 4).fill(0.1)).reshape([3, 4]);
const U = np.array(new Float32Array(4 * 6).fill(0.2)).reshape([6, 4]);
const toks = np.array(new Int32Array([0, 1, 2, 1, 0, 2]), { dtype: np.int32 }).reshape([2, 3]);
const f = (p: Record<string, np.Array>, t: np.Array) => {
  let e = np.take(p.W, t, 0);
  if (variant === "add") e = e.add(p.b);
  if (variant === "mul1") e = e.mul(1);
  if (variant === "add0") e = e.add(0);
  if (variant === "negneg") e = e.neg().neg();
  if (variant === "onehot") e = np.matmul(nn.oneHot(t, 3), p.W);
  const x = np.matmul(e, p.U.transpose());
  return np.tanh(x).sum();
};
if (variant === "jaxpr") { console.log(makeJaxpr(valueAndGrad(f))({ W, U, b: np.zeros([4]) }, toks).jaxpr.toString()); process.exit(0); }
const g = jit(valueAndGrad(f));
const [v, gr] = g({ W, U, b: np.zeros([4]) }, toks);
console.log(variant, v.item(), (gr.W as np.Array).dataSync().slice(0, 4));
