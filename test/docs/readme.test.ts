// README.md is a front door (DEVELOPERS.md, issue 16): at most 250 lines, the two commands for a fresh
// machine as they are, and a link to every page of docs/, where everything else lives.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");

describe("README.md", () => {
  it("is at most 250 lines", () => {
    expect(README.trimEnd().split("\n").length).toBeLessThanOrEqual(250);
  });

  it("gives the two commands for a fresh machine", () => {
    const sh = [...README.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]);
    const lines = sh.flatMap((b) => b.split("\n")).map((l) => l.replace(/\s+#.*$/, "").trim());
    expect(lines).toContain("npm ci && npx beliefscope demo");
    expect(lines).toContain("npm test");
  });

  it("links every page of docs/", () => {
    const linked = new Set([...README.matchAll(/\]\(docs\/([^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]));
    const pages = readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md"));
    expect(pages.filter((p) => !linked.has(p))).toEqual([]);
  });
});
