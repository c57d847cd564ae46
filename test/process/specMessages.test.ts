import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editDistance, nearestName } from "../../src/util/didYouMean.js";
import { processFromJsonText, processToJson } from "../../src/process/json.js";
import { processFromSpec } from "../../src/process/spec.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { loadProcess } from "../../src/node/processFiles.js";
import { JsonlDocuments } from "../../src/language/corpus/jsonl.js";

describe("process specs: clear refusals, with the nearest name", () => {
  it("refuses a repeated parameter instead of keeping one value", () => {
    expect(() => processFromSpec("mess3:x=0.1,x=0.2")).toThrow(
      `parseProcessSpec: argument 'spec' received "mess3:x=0.1,x=0.2" (parameter x is given twice); expected each parameter once.`,
    );
    expect(() => processFromSpec("mixture:mess3(x=0.1,x=0.2),rrxor")).toThrow(`(parameter x of mess3 is given twice); expected each parameter once.`);
  });

  it("suggests the nearest process name (mess4: did you mean mess3?), in composites too", () => {
    expect(() => processFromSpec("mess4")).toThrow(/^makeProcess: argument 'name' received "mess4"; expected a catalogue process: mess3, .*\. Did you mean mess3\? Or pass the path of a process JSON file\.$/);
    expect(() => processFromSpec("mixture:mess3,rrxr")).toThrow(/argument 'name' received "rrxr"; .* Did you mean rrxor\?/);
    expect(() => processFromSpec("goldne-mean")).toThrow(/Did you mean golden-mean\?/);
    // Nothing near: no guess.
    expect(() => processFromSpec("zzzzz")).toThrow(/received "zzzzz"; expected a catalogue process: .*\)\. Or pass the path of a process JSON file\.$/);
  });

  it("suggests the nearest parameter of the process", () => {
    expect(() => processFromSpec("mess3:alpah=0.8")).toThrow("makeProcess: argument 'params.alpah' received an unknown parameter; expected a parameter of mess3: x, alpha. Did you mean alpha?");
  });

  it("edit distance counts a swap of neighbours as one, ignoring case; nearestName stays within a typo", () => {
    expect(editDistance("mess4", "mess3")).toBe(1);
    expect(editDistance("rrxro", "rrxor")).toBe(1);
    expect(nearestName("MESS4", ["z1r", "mess3"])).toBe("mess3");
    expect(editDistance("", "abc")).toBe(3);
    expect(nearestName("mess4", ["z1r", "mess3", "rrxor"])).toBe("mess3");
    expect(nearestName("ab", ["xy", "cd"])).toBeNull();
  });
});

describe("mixture weights near the float64 maximum", () => {
  it("mixture:mess3,rrxor;weights=1e308,1e308 is the 1/2, 1/2 mixture (no overflow blamed on 'initial')", () => {
    const big = processFromSpec("mixture:mess3,rrxor;weights=1e308,1e308");
    const half = processFromSpec("mixture:mess3,rrxor");
    expect(Array.from(big.initial!)).toEqual(Array.from(half.initial!));
    expect(big.params).toEqual({ weight0: 0.5, weight1: 0.5 });
  });

  it("refuses a weight whose share rounds to 0, naming it", () => {
    expect(() => processFromSpec("mixture:mess3,rrxor;weights=1e-320,1e308")).toThrow(
      "mixture: argument 'weights[0]' received 1e-320 beside a largest weight of 1e+308; expected weights whose ratios to the largest stay above float64's smallest number (about 5e-324): this component's share rounds to 0.",
    );
  });
});

describe("process files with a UTF-8 byte-order mark", () => {
  it("load like the same file without one", async () => {
    const text = JSON.stringify(processToJson(makeProcess("mess3", { x: 0.1 })));
    const withBom = processFromJsonText("\ufeff" + text, "bom.json");
    expect(Array.from(withBom.transitions)).toEqual(Array.from(processFromJsonText(text).transitions));
    const dir = await mkdtemp(join(tmpdir(), "bs-bom-"));
    const file = join(dir, "bom.json");
    await writeFile(file, "\ufeff" + text, "utf8");
    expect((await loadProcess(file)).params).toEqual({ x: 0.1, alpha: 0.85 });
  });
});

describe("JSON lines corpora with a UTF-8 byte-order mark", () => {
  it("read the first line's document as if there were none", () => {
    const docs = new JsonlDocuments({ source: "bom.jsonl" });
    const out = [...docs.push('\ufeff{"text":"first"}\n{"text":"second"}\n'), ...docs.end()];
    expect(out).toEqual(["first", "second"]);
  });
});
