// docs/commands.md documents every command of the CLI and every option of each, and no option a
// command does not have: each command path ("demo", "process info", "lm run") has a heading of that
// name, whose option table lists exactly the command's long flags, as scripts/commands-doc.ts
// writes it from the commands themselves (built in process, no CLI spawned).
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { cliCommands, commandPaths, COMMANDS_DOC, renderTables } from "../../scripts/commands-doc.js";

const ROOT = resolve(import.meta.dirname, "../..");
const DOC = readFileSync(COMMANDS_DOC, "utf8");

/** The text under each heading, up to the next heading. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = markdown.replace(/^```[\s\S]*?^```/gm, "").split(/^#{2,6} +(.+)$/m);
  for (let i = 1; i < parts.length; i += 2) out.set(parts[i].trim(), parts[i + 1]);
  return out;
}

/** Long flags in the first column of the section's option table. */
function documentedFlags(section: string): string[] {
  const flags: string[] = [];
  for (const row of section.matchAll(/^\| `([^`]+)` \|/gm)) {
    const long = row[1].match(/--[a-z][a-z0-9-]*/);
    if (long) flags.push(long[0]);
  }
  return flags;
}

/** Why `beliefscope ...words` is not a command line of the CLI, or null. */
function exampleProblem(top: readonly Command[], words: readonly string[]): string | null {
  if (words.length === 0) return null;
  let cmd = top.find((c) => c.name() === words[0]);
  if (!cmd) return `no command "${words[0]}"`;
  let i = 1;
  for (; i < words.length && cmd.commands.length > 0; i++) {
    const sub: Command | undefined = cmd.commands.find((c) => c.name() === words[i]);
    if (!sub) break; // an argument of the default subcommand, or a flag
    cmd = sub;
  }
  // `lm` alone (or with flags) runs its default subcommand
  const run = cmd.commands.length > 0 ? (cmd.commands.find((c) => c.name() === "run") ?? cmd) : cmd;
  const flags = new Set([...run.options, ...cmd.options].map((o) => o.long).concat("--help", "--version"));
  for (const word of words.slice(i)) {
    const flag = word.replace(/^["']|["']$/g, "").split("=")[0];
    if (/^--[a-z]/.test(flag) && !flags.has(flag)) return `${cmd.name()} has no option ${flag}`;
  }
  return null;
}

describe("docs/commands.md", () => {
  it("finds the option tables it checks", () => {
    const s = sections("## a\n| `-o, --out <dir>` | | x |\n| `--no-x` | | y |\n### a b\ntext\n");
    expect([...s.keys()]).toEqual(["a", "a b"]);
    expect(documentedFlags(s.get("a") ?? "")).toEqual(["--out", "--no-x"]);
  });

  it("documents every command and exactly its options", async () => {
    const all = (await cliCommands()).flatMap((c) => commandPaths(c));
    expect(all.length).toBeGreaterThan(25);
    const doc = sections(DOC);
    const problems: string[] = [];
    for (const { path, command } of all) {
      const section = doc.get(path);
      if (section === undefined) {
        problems.push(`no heading "${path}"`);
        continue;
      }
      const flags = command.options.map((o) => o.long).filter((f) => f !== undefined && f !== "--help");
      const documented = documentedFlags(section);
      for (const f of flags) if (!documented.includes(f as string)) problems.push(`${path}: ${f} is not in its table`);
      for (const f of documented) if (!flags.includes(f)) problems.push(`${path}: ${f} is documented but not an option`);
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it("every example `npx beliefscope ...` in README.md and docs/ names a command and its options", async () => {
    const top = await cliCommands();
    expect(exampleProblem(top, ["train", "mess3", "--stepz", "3"])).toBe("train has no option --stepz");
    expect(exampleProblem(top, ["trian", "mess3"])).toBe('no command "trian"');
    expect(exampleProblem(top, ["process", "info", "mess3", "--n-ctx", "5"])).toBeNull();
    expect(exampleProblem(top, ["lm", "--steps", "10"])).toBeNull(); // lm alone runs `lm run`
    const pages = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
    const problems: string[] = [];
    let examples = 0;
    for (const page of pages) {
      for (const block of readFileSync(join(ROOT, page), "utf8").matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
        for (const line of block[1].split("\n")) {
          const m = line.replace(/\s#.*$/, "").match(/(?:^|\s)npx beliefscope(?:\s+(.*))?$/);
          if (!m) continue;
          examples++;
          const problem = exampleProblem(top, (m[1] ?? "").split(/\s+/).filter(Boolean));
          if (problem) problems.push(`${page}: ${line.trim()}: ${problem}`);
        }
      }
    }
    expect(examples).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  }, 60_000);

  it("has the option tables scripts/commands-doc.ts writes (run it after changing an option)", async () => {
    expect(renderTables(DOC, await cliCommands()) === DOC).toBe(true);
  }, 60_000);
});
