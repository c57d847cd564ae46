/**
 * The one place that starts jax-js. Everything that touches jax arrays goes
 * through the engine layer (src/engine, src/model, src/train), so `.ref`
 * bookkeeping never leaks into the public API.
 *
 * The caller chooses the backend: `initEngine("wasm" | "cpu" | "webgpu")`, or
 * a `device` option on model creation. Nothing starts a backend behind the
 * caller's back except `ensureEngine()` with no device and no engine started,
 * which picks by a documented rule (`defaultEngineDevice`).
 */
import { defaultDevice, init, type Device } from "@jax-js/jax";
import { ArgumentError, describe } from "../util/errors.js";

export type EngineDevice = "wasm" | "cpu" | "webgpu";
export const ENGINE_DEVICES: readonly EngineDevice[] = ["wasm", "cpu", "webgpu"];

let started: Promise<EngineDevice> | null = null;
let current: EngineDevice | null = null;

const isNode = (): boolean => typeof process !== "undefined" && typeof process.versions?.node === "string" && typeof (globalThis as { window?: unknown }).window === "undefined";

/**
 * In Node, WebGPU comes from the optional `webgpu` package (Dawn); it is not a
 * dependency. In a browser, navigator.gpu is used as is.
 */
async function enableNodeWebGpu(): Promise<void> {
  if (typeof navigator !== "undefined" && (navigator as { gpu?: unknown }).gpu) return;
  let mod: { create: (flags: string[]) => unknown; globals?: Record<string, unknown> };
  try {
    mod = (await import(/* @vite-ignore */ "webgpu" as string)) as typeof mod;
  } catch {
    throw new ArgumentError({
      fn: "initEngine",
      argument: "device",
      received: '"webgpu" in Node without the webgpu package',
      expected: '"wasm", or install it with `npm install webgpu` on a machine with a GPU and a Vulkan loader',
    });
  }
  if (mod.globals) Object.assign(globalThis, mod.globals);
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator) Object.defineProperty(globalThis, "navigator", { value: {}, configurable: true, writable: true });
  g.navigator!.gpu = mod.create([]);
}

/**
 * Start jax-js on `device`. Safe to call many times with the same device; the
 * first call decides, and asking for another device later throws.
 */
export function initEngine(device: EngineDevice = "wasm"): Promise<EngineDevice> {
  if (!ENGINE_DEVICES.includes(device)) {
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
    if (device === "webgpu" && isNode()) await enableNodeWebGpu();
    // Plain init() probes navigator.gpu and throws in Node; name the backends explicitly.
    const available = await init(...(device === "webgpu" ? (["wasm", "webgpu"] as Device[]) : (["cpu", "wasm"] as Device[])));
    if (!available.includes(device as Device)) {
      throw new ArgumentError({
        fn: "initEngine",
        argument: "device",
        received: JSON.stringify(device),
        expected: `one of the devices that started: ${available.join(", ")}`,
        hint: device === "webgpu" ? "No WebGPU adapter was found (in Chromium, headless WebGPU needs --enable-unsafe-webgpu)." : undefined,
      });
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

/**
 * The device used when the caller names none and no engine has started:
 * "wasm" in Node; in a browser "webgpu" when navigator.gpu exists, else "wasm".
 */
export function defaultEngineDevice(): EngineDevice {
  if (isNode()) return "wasm";
  return typeof navigator !== "undefined" && (navigator as { gpu?: unknown }).gpu ? "webgpu" : "wasm";
}

/** The engine on `device`, or the one already started, or the default device. */
export async function ensureEngine(device?: EngineDevice): Promise<EngineDevice> {
  if (device !== undefined) return initEngine(device);
  if (started) return started;
  return initEngine(defaultEngineDevice());
}

/** The device jax-js runs on, or null before initEngine. */
export function engineDevice(): EngineDevice | null {
  return current;
}
