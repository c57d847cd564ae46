/**
 * Initial parameters drawn in plain TypeScript from a seeded Rng, so a seed
 * fixes the model independently of the numeric backend. Each parameter has
 * its own stream (named by the parameter), so adding one never changes another.
 */
import { Rng } from "../util/rng.js";
import { sizeOf, type ParameterSpec, type StateDict } from "./types.js";

export function initialStateDictFromSpecs(specs: readonly ParameterSpec[], seed: number): StateDict {
  const out: StateDict = {};
  for (const spec of specs) {
    const n = sizeOf(spec.shape);
    const data = new Float32Array(n);
    const rng = new Rng(seed, "init", spec.name);
    const init = spec.init;
    switch (init.kind) {
      case "ones":
        data.fill(1);
        break;
      case "zeros":
        break;
      case "constant":
        data.fill(init.value);
        break;
      case "uniform": {
        // torch.nn.Linear: kaiming_uniform(a=sqrt(5)) on weights and the bias rule both give U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        const bound = 1 / Math.sqrt(init.fanIn);
        for (let k = 0; k < n; k++) data[k] = (2 * rng.uniform() - 1) * bound;
        break;
      }
      case "uniformRange":
        for (let k = 0; k < n; k++) data[k] = init.low + (init.high - init.low) * rng.uniform();
        break;
      case "normal":
        for (let k = 0; k < n; k++) data[k] = rng.normal() * init.std;
        break;
    }
    out[spec.name] = { shape: [...spec.shape], data };
  }
  return out;
}
