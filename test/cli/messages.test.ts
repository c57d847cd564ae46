/**
 * Messages that speak the command line (issue 15, sections 5, 9 and 11): the
 * nearest architecture, preset or hook name; --arch / --preset named instead
 * of internal functions; --mp4 without ffmpeg says nothing was written;
 * adaptive units; plural "state"; `tokenizer decode` ends its line; `arch`
 * lists presets from the registry only; `lm` help states the validation
 * interval the code uses and `lm run`'s own n_ctx default; a GPT-Neo
 * attention_types checked before it is expanded; tokenizer.json ids that
 * two tokens share refused.
 */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { archCommand } from "../../src/cli/archCommand.js";
import { commandLineMessage } from "../../src/cli/commandLineError.js";
import { lmCommand } from "../../src/cli/lmCommand.js";
import { requireFfmpeg } from "../../src/cli/requireFfmpeg.js";
import { tokenizerCommand } from "../../src/cli/tokenizerCommand.js";
import { hfTransformerConfig } from "../../src/language/hf/convert.js";
import { BpeTokenizer } from "../../src/language/tokenizer/tokenizer.js";
import { trainTokenizers } from "../../src/language/tokenizer/trainTokenizer.js";
import { getArchitecture } from "../../src/model/registry.js";
import { processFromSpec } from "../../src/process/spec.js";
import { didYouMean, editDistance, nearestName } from "../../src/util/didYouMean.js";
import { ArgumentError } from "../../src/util/errors.js";
import { formatDuration, formatSize } from "../../src/util/humanUnits.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInProcess } from "./inProcess.js";

const runCli = (cmd: Command, args: string[]) => runInProcess([cmd], args);

function thrown(f: () => unknown): ArgumentError {
  try {
    f();
  } catch (e) {
    if (e instanceof ArgumentError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("did you mean", () => {
  it("finds the nearest name by edit distance, only when it is close", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("h46", "h64")).toBe(1);
    expect(nearestName("transfomer", ["transformer", "rnn", "gru"])).toBe("transformer");
    expect(nearestName("zzz", ["transformer", "rnn", "gru"])).toBeNull();
    expect(nearestName("gru", ["gru"])).toBeNull(); // an exact name needs no suggestion
    expect(didYouMean("shai4l", ["shai-4l", "1l", "2l"])).toBe('Did you mean "shai-4l"?');
  });

  it("suggests the architecture, the preset and the hook", async () => {
    expect(thrown(() => getArchitecture("transfomer")).message).toMatch(/received "transfomer"; expected one of the registered architectures: .*\. Did you mean "transformer"\?$/);
    const transformer = getArchitecture("transformer");
    expect(thrown(() => transformer.makeConfig({}, "shai4l")).message).toMatch(/Did you mean "shai-4l"\?$/);
    expect(thrown(() => getArchitecture("gru").makeConfig({}, "h46")).message).toMatch(/Did you mean "h64"\?$/);
    const { parseSites } = await import("../../src/cli/probeCommand.js");
    expect(thrown(() => parseSites("blocks.0.hook_resid_pots", ["blocks.0.hook_resid_post", "hook_embed"], "beliefscope probe")).message).toMatch(
      /--hooks' received "blocks.0.hook_resid_pots"; .*Did you mean "blocks.0.hook_resid_post"\?$/,
    );
  });

  it("names the command and the flag, not the library function", () => {
    const err = thrown(() => getArchitecture("transfomer", "newRunSettings"));
    expect(err.message).toMatch(/^newRunSettings: argument 'arch'/);
    expect(commandLineMessage(err, "beliefscope train")).toMatch(/^beliefscope train: argument '--arch' received "transfomer"; .*Did you mean "transformer"\?$/);
    expect(commandLineMessage(thrown(() => getArchitecture("transfomer", "beliefscope train")), null)).toMatch(/^beliefscope train: argument '--arch' received "transfomer"/);
    // Not a flag: the message stays.
    const other = new ArgumentError({ fn: "createHmm", argument: "transitions", received: "x", expected: "y" });
    expect(commandLineMessage(other, "beliefscope train")).toBe(other.message);
  });

  it("names the <process> argument, not the library function that parsed it", () => {
    const name = thrown(() => processFromSpec("mess4"));
    expect(commandLineMessage(name, "beliefscope process info")).toMatch(/^beliefscope process info: argument '<process>' received "mess4"; expected a catalogue process: .* Did you mean mess3\?/);
    const param = thrown(() => processFromSpec("mess3:alpah=0.5"));
    expect(commandLineMessage(param, "beliefscope train")).toBe(
      "beliefscope train: argument '<process> parameter alpah' received an unknown parameter; expected a parameter of mess3: x, alpha. Did you mean alpha?",
    );
    const twice = thrown(() => processFromSpec("mess3:x=0.1,x=0.2"));
    expect(commandLineMessage(twice, "beliefscope lab")).toBe("beliefscope lab: argument '<process>' received \"mess3:x=0.1,x=0.2\" (parameter x is given twice); expected each parameter once.");
  });
});

describe("small messages", () => {
  it("--mp4 without ffmpeg says nothing was written", () => {
    expect(() => requireFfmpeg("beliefscope animate", () => false)).toThrow(/beliefscope animate: argument '--mp4' received --mp4, but no ffmpeg on the PATH; .*Nothing was written\. Run again without --mp4/);
    expect(() => requireFfmpeg("beliefscope movie", () => true)).not.toThrow();
  });

  it("one state is one state", async () => {
    const { processCommand } = await import("../../src/cli/processCommand.js");
    const r = await runCli(processCommand(), ["process", "info", "coin"]);
    expect(r.stdout).toMatch(/^coin \{"p":0.5\}: 1 state, 2 symbols, unifilar/);
  });

  it("sizes and durations in the unit that fits", () => {
    expect([formatSize(0), formatSize(850), formatSize(12_345), formatSize(4_500_000), formatSize(2.5e9)]).toEqual(["0 B", "850 B", "12.3 KB", "4.50 MB", "2.50 GB"]);
    expect([formatDuration(0.0042), formatDuration(0.32), formatDuration(4.2), formatDuration(61.04), formatDuration(185)]).toEqual(["4 ms", "320 ms", "4.20 s", "61.0 s", "3 min 5 s"]);
  });

  it("tokenizer decode ends its line (and --no-newline writes the text exactly)", async () => {
    const trained = await trainTokenizers(["hello world, hello tokens"], { vocabSizes: [262] });
    const dir = mkdtempSync(join(tmpdir(), "bs-msg-"));
    const path = join(dir, "tokenizer.json");
    writeFileSync(path, JSON.stringify(trained.tokenizers[0].json));
    const ids = BpeTokenizer.fromJson(trained.tokenizers[0].json).encode("hello", { addSpecialTokens: false });
    const r = await runCli(tokenizerCommand(), ["tokenizer", "decode", path, ...Array.from(ids, String)]);
    expect(r.stdout).toBe("hello\n");
    const exact = await runCli(tokenizerCommand(), ["tokenizer", "decode", path, "--no-newline", ...Array.from(ids, String)]);
    expect(exact.stdout).toBe("hello");
  });

  it("arch lists each architecture's presets from the registry, and no other list", async () => {
    const r = await runCli(archCommand(), ["arch"]);
    const transformer = r.stdout.split("\n").filter((l) => l.startsWith("transformer:") || l.includes("presets:")).slice(0, 2);
    expect(transformer[0]).not.toMatch(/presets/);
    expect(transformer[1]).toBe(`    presets: ${Object.keys(getArchitecture("transformer").presets).join(", ")} (default ${getArchitecture("transformer").defaultPreset})`);
  });

  it("lm help states the validation interval the code uses and lm run's n_ctx default", async () => {
    const help = async (args: string[]) => {
      const r = await runCli(lmCommand(), [...args, "--help"]);
      return r.stdout;
    };
    const run = await help(["lm", "run"]);
    expect(run).toMatch(/--n-ctx <n> +context length, e\.g\. 64 to 512 \(default 64\)/);
    expect(run).toMatch(/default max\(25, round\(steps \/ 20\)\), and at the last step/);
    expect(await help(["lm", "train"])).toMatch(/--n-ctx <n> +context length, e\.g\. 64 to 512 \(default 128\)/);
  });
});

describe("files that cannot be misread", () => {
  const neo = (attentionTypes: unknown) => ({ model_type: "gpt_neo", hidden_size: 16, num_heads: 2, num_layers: 2, max_position_embeddings: 32, vocab_size: 50, attention_types: attentionTypes, layer_norm_epsilon: 1e-5 });

  it("checks a GPT-Neo attention_types against num_layers before expanding it", () => {
    const err = thrown(() => hfTransformerConfig(neo([[["global", "local"], 1e9]]), { source: "neo/config.json" }));
    expect(err.message).toMatch(/neo\/config.json: attention_types' received .*1000000000.*; expected kinds x repeats adding up to num_layers = 2 \(these give 2000000000\)/);
    expect(thrown(() => hfTransformerConfig(neo([[["global", "sparse"], 1]]))).message).toMatch(/attention_types.*kinds "global" or "local" only/);
    expect(hfTransformerConfig(neo([[["global", "local"], 1]])).config.attentionWindows).toEqual([0, 256]);
  });

  it("refuses a tokenizer.json whose id two tokens share, naming the id and both tokens", async () => {
    const json = structuredClone((await trainTokenizers(["hello world, hello tokens"], { vocabSizes: [262] })).tokenizers[0].json) as unknown as {
      model: { vocab: Record<string, number> };
      added_tokens: { id: number; content: string }[];
    };
    const [first] = Object.entries(json.model.vocab).find(([, id]) => id === 100)!;
    json.model.vocab["zz-duplicate"] = 100;
    expect(thrown(() => BpeTokenizer.fromJson(json, "dup/tokenizer.json")).message).toBe(
      `loadTokenizer: argument 'dup/tokenizer.json: model.vocab id 100' received two tokens with id 100: ${JSON.stringify(first)} and "zz-duplicate"; expected one token per id.`,
    );
    delete json.model.vocab["zz-duplicate"];
    const special = json.added_tokens[0];
    json.added_tokens.push({ ...special, id: 100, content: "<extra>" });
    expect(thrown(() => BpeTokenizer.fromJson(json, "dup/tokenizer.json")).message).toMatch(new RegExp(`added_tokens id 100' received two tokens with id 100: ${JSON.stringify(first).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} and "<extra>"`));
  });
});
