/**
 * Writes the option tables of docs/commands.md from the commands themselves: every block
 * between `<!-- options: PATH -->` and `<!-- /options -->` (PATH a command path such as
 * "train" or "lm run") becomes a table of that command's options, as its --help states them.
 * The prose around the tables is written by hand; test/docs/commands.test.ts checks that every
 * command has a section and every option a row.
 *
 *   npx tsx scripts/commands-doc.ts           rewrite the tables in docs/commands.md
 *   npx tsx scripts/commands-doc.ts --check   exit 1 if a table is stale
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command, Option } from "commander";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const COMMANDS_DOC = join(ROOT, "docs/commands.md");

/** Options whose meaning is the same everywhere: their rows point at the page's "Common options". */
const COMMON = new Set(["--device", "--engine", "--max-memory", "--arch", "--preset", "--config", "--set", "--format", "--separator", "--text-field"]);

/** Every top-level command, built from src/cli/<name>Command.ts (each exports <name>Command(): Command). */
export async function cliCommands(): Promise<Command[]> {
  const dir = join(ROOT, "src/cli");
  const commands: Command[] = [];
  for (const file of readdirSync(dir).filter((f) => /^[a-z]+Command\.ts$/.test(f)).sort()) {
    const name = file.replace(/\.ts$/, "");
    const make = ((await import(join(dir, file))) as Record<string, unknown>)[name];
    if (typeof make === "function") commands.push((make as () => Command)());
  }
  return commands;
}

/** Every command path ("process info") with its command, help left out. */
export function commandPaths(cmd: Command, prefix: readonly string[] = []): { path: string; command: Command }[] {
  const path = [...prefix, cmd.name()];
  const subs = cmd.commands.filter((c) => c.name() !== "help");
  return [{ path: path.join(" "), command: cmd }, ...subs.flatMap((c) => commandPaths(c, path))];
}

/** What --help says, without the machine this runs on. */
function machineFree(text: string): string {
  return text.replace(/half of this machine's [0-9.]+ GiB/g, "half of the machine's memory");
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function row(o: Option): string {
  const long = o.long ?? o.flags;
  const shown = o.defaultValue === undefined || o.defaultValue === false ? "" : `\`${machineFree(String(o.defaultValue))}\``;
  if (COMMON.has(long)) return `| \`${cell(o.flags)}\` | ${shown} | [common](#common-options) |`;
  const choices = o.argChoices ? `; one of ${o.argChoices.map((c) => `\`${c}\``).join(", ")}` : "";
  return `| \`${cell(o.flags)}\` | ${shown} | ${cell(machineFree(o.description))}${choices} |`;
}

/** The option table of one command (help left out). */
export function optionTable(cmd: Command): string {
  const rows = cmd.options.filter((o) => o.long !== "--help").map(row);
  if (rows.length === 0) return "No options.";
  return ["| option | default | what |", "| --- | --- | --- |", ...rows].join("\n");
}

/** The page with every marked table rewritten; throws naming a marker whose path is no command. */
export function renderTables(page: string, commands: readonly Command[]): string {
  const byPath = new Map(commands.flatMap((c) => commandPaths(c)).map((p) => [p.path, p.command]));
  return page.replace(/(<!-- options: ([^>\n]+?) -->\n)(?:(?!<!-- )[\s\S])*?(<!-- \/options -->)/g, (_, open: string, path: string, close: string) => {
    const cmd = byPath.get(path);
    if (!cmd) throw new Error(`docs/commands.md: <!-- options: ${path} --> names no command (commands: ${[...byPath.keys()].join(", ")})`);
    return `${open}${optionTable(cmd)}\n${close}`;
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const page = readFileSync(COMMANDS_DOC, "utf8");
  const next = renderTables(page, await cliCommands());
  if (process.argv.includes("--check")) {
    if (next !== page) {
      process.stderr.write("docs/commands.md: option tables are stale; run npx tsx scripts/commands-doc.ts\n");
      process.exit(1);
    }
  } else if (next !== page) {
    writeFileSync(`${COMMANDS_DOC}.tmp`, next);
    renameSync(`${COMMANDS_DOC}.tmp`, COMMANDS_DOC);
    process.stdout.write("rewrote the option tables of docs/commands.md\n");
  }
  process.exit(0);
}
