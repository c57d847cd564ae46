/**
 * The one place that starts jax-js. Everything that touches jax arrays goes
 * through the engine layer (src/engine, src/model, src/train), so `.ref`
 * bookkeeping never leaks into the public API.
 *
 * Node 20 lacks the Iterator helpers (Iterator.prototype.map, ...) that
 * jax-js's einsum parser uses; core-js provides a standards-compliant polyfill.
 */
import "core-js/actual/iterator/index.js";
import { defaultDevice, init, type Device } from "@jax-js/jax";
import { ArgumentError, describe } from "../util/errors.js";

export type EngineDevice = "wasm" | "cpu" | "webgpu";

let started: Promise<EngineDevice> | null = null;
let current: EngineDevice | null = null;

async function enableNodeWebGpu(): Promise<void> {
  if (typeof navigator !== "undefined" && (navigator as { gpu?: unknown }).gpu) return;
  let mod: { create: (flags: string[]) => unknown };
  try {
    // Optional: the `webgpu` package (Dawn for Node) is not a dependency.
    mod = (await import("webgpu" as string)) as typeof mod;
  } catch {
    throw new ArgumentError({
      fn: "initEngine",
      argument: "device",
      received: '"webgpu" in Node without the webgpu package',
      expected: '"wasm", or install it with `npm install webgpu` on a machine with a GPU and a Vulkan loader',
    });
  }
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator) Object.defineProperty(globalThis, "navigator", { value: {}, configurable: true, writable: true });
  g.navigator!.gpu = mod.create([]);
}

/**
 * Start jax-js on `device` (default "wasm", the fast CPU backend). Safe to
 * call many times; the first call decides the device.
 */
export function initEngine(device: EngineDevice = "wasm"): Promise<EngineDevice> {
  if (!["wasm", "cpu", "webgpu"].includes(device)) {
    throw new ArgumentError({ fn: "initEngine", argument: "device", received: describe(device), expected: '"wasm", "cpu" or "webgpu"' });
  }
  if (started) {
    return started.then((d) => {
      if (d !== device) {
        throw new ArgumentError({ fn: "initEngine", argument: "device", received: JSON.stringify(device), expected: `${JSON.stringify(d)}, the device already started in this process` });
      }
      return d;
    });
  }
  started = (async () => {
    if (device === "webgpu" && typeof process !== "undefined" && process.versions?.node) await enableNodeWebGpu();
    // Plain init() probes navigator.gpu and throws in Node; name the backends explicitly.
    const available = await init(...(device === "webgpu" ? (["wasm", "webgpu"] as Device[]) : (["cpu", "wasm"] as Device[])));
    if (!available.includes(device as Device)) {
      throw new ArgumentError({ fn: "initEngine", argument: "device", received: JSON.stringify(device), expected: `one of the devices that started: ${available.join(", ")}` });
    }
    defaultDevice(device as Device);
    current = device;
    return device;
  })();
  started.catch(() => {
    started = null;
  });
  return started;
}

/** The device jax-js runs on, or null before initEngine. */
export function engineDevice(): EngineDevice | null {
  return current;
}
