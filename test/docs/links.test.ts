// Every relative link in README.md and docs/*.md points at a file of the repository, and every
// #anchor at a heading (GitHub's slug) or an <a id> of that file. External links are not fetched.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** The text outside fenced code blocks and inline code spans. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
function slug(heading: string): string {
  return heading
    .replace(/`/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a id="([^"]+)"><\/a>/g)) found.add(m[1]);
  return found;
}

interface Link {
  readonly page: string;
  readonly target: string;
}

function relativeLinks(page: string): Link[] {
  const text = prose(readFileSync(join(ROOT, page), "utf8"));
  const links: Link[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1];
    if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
    links.push({ page, target });
  }
  return links;
}

function problem({ page, target }: Link): string | null {
  const [path, anchor] = target.split("#", 2);
  const file = path === "" ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURIComponent(path));
  if (!file.startsWith(ROOT)) return `${page}: ${target} leaves the repository`;
  if (!existsSync(file)) return `${page}: ${target}: no file ${relative(ROOT, file)}`;
  if (anchor === undefined || !file.endsWith(".md") || statSync(file).isDirectory()) return null;
  return anchors(readFileSync(file, "utf8")).has(anchor) ? null : `${page}: ${target}: no heading #${anchor} in ${relative(ROOT, file)}`;
}

describe("documentation links", () => {
  it("computes GitHub's anchors", () => {
    expect(slug("`lm evaluate` and `lm activations`")).toBe("lm-evaluate-and-lm-activations");
    expect(slug("Mechanism, construct, animate, movie")).toBe("mechanism-construct-animate-movie");
    expect(slug("The lab (in the browser)")).toBe("the-lab-in-the-browser");
    expect([...anchors("# A\n## B c\n## B c\n```\n# not a heading\n```\n<a id=\"x\"></a>")]).toEqual(["a", "b-c", "b-c-1", "x"]);
  });

  it("finds links outside code only", () => {
    expect(prose("[a](b.md) `[c](d.md)`\n```\n[e](f.md)\n```\n").match(/\]\([^)]+\)/g)).toEqual(["](b.md)"]);
  });

  it("every relative link in README.md and docs/*.md resolves", () => {
    const links = PAGES.flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(50);
    expect(links.map(problem).filter((p) => p !== null)).toEqual([]);
  });

  it("docs/README.md, the index, links every page in docs/", () => {
    const linked = new Set(relativeLinks("docs/README.md").map((l) => l.target.split("#")[0]));
    const pages = PAGES.filter((p) => p.startsWith("docs/") && p !== "docs/README.md").map((p) => p.slice("docs/".length));
    expect(pages.filter((p) => !linked.has(p))).toEqual([]);
  });
});
