/**
 * Shared setup of the browser tests: the lab served from dist/web by
 * `startLabServer` (what `beliefscope lab` runs), Debian's Chromium driven by
 * playwright-core, headless, with WebGPU on SwiftShader, and a record of
 * console errors and page errors per page (every test asserts there are none).
 */
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { startLabServer, type LabServer } from "../../src/node/labServer.js";

export const CHROMIUM = process.env.BELIEFSCOPE_CHROMIUM ?? "/usr/bin/chromium";
export const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const WEB = fileURLToPath(new URL("../../dist/web/", import.meta.url));

/**
 * Why the browser tier cannot run here, or null. With BELIEFSCOPE_E2E=required (.ci/run sets it)
 * a missing browser or build is an error, not a skip.
 */
export function missing(): string | null {
  const why = !existsSync(CHROMIUM)
    ? `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set BELIEFSCOPE_CHROMIUM)`
    : !existsSync(`${WEB}index.html`)
      ? "no built lab in dist/web (npm run build)"
      : null;
  if (why && process.env.BELIEFSCOPE_E2E === "required") throw new Error(`the browser tests cannot run: ${why}`);
  return why;
}

/**
 * Headless Chromium with WebGPU through SwiftShader, so both backends run without a GPU (without
 * --enable-unsafe-webgpu there is no adapter); no sandbox (CI runs as root); nothing that reaches
 * for the network (there is none here).
 */
export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--enable-unsafe-webgpu",
  "--use-webgpu-adapter=swiftshader",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface Session {
  readonly server: LabServer;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function openSession(): Promise<Session> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startLabServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    server,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

export interface LabPage {
  readonly page: Page;
  /** Console errors and uncaught page errors so far. */
  readonly errors: string[];
}

export async function openLab(session: Session, query = ""): Promise<LabPage> {
  const page = await session.browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(session.server.url + query, { waitUntil: "load" });
  return { page, errors };
}

/** window.beliefscopeLab (web/src/lab.ts hooks), typed loosely for page.evaluate. */
export type Hooks = {
  phase(): string;
  device(): string | null;
  engine(): string | null;
  losses(): number[];
  beyondAt(): number | null;
  heldOut(): { step: number; loss: number; relative: number; at: number }[];
  speed(): { steps: number; stepSeconds: number; wallSeconds: number };
  finalVerdicts(): { label: string; r2: number | null; beyondControls: boolean }[] | null;
  recovered(): { states: number; tv: number | null } | null;
  pingTrainer(): Promise<number>;
};

/** Call a hook in the page: await lab(page, "phase"). */
export function lab<K extends keyof Hooks>(page: Page, name: K): Promise<Awaited<ReturnType<Hooks[K]>>> {
  return page.evaluate((n) => (window as unknown as { beliefscopeLab: Record<string, () => unknown> }).beliefscopeLab[n](), name) as Promise<Awaited<ReturnType<Hooks[K]>>>;
}

/** Wait until the run's phase is one of `phases`. */
export async function waitForPhase(page: Page, phases: string[], timeout: number): Promise<string> {
  await page.waitForFunction((ps) => ps.includes((window as unknown as { beliefscopeLab: { phase(): string } }).beliefscopeLab.phase()), phases, { timeout, polling: 200 });
  return lab(page, "phase");
}
