/**
 * The bar of the tokenizer: a tokenizer trained here and saved as a folder
 * (tokenizer.json + tokenizer_config.json) loads in @huggingface/transformers
 * with AutoTokenizer.from_pretrained, and encodes held-out text to the same
 * ids as our BpeTokenizer; decoding gives the text back in both.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { AutoTokenizer, env, type PreTrainedTokenizer } from "@huggingface/transformers";
import { beforeAll, describe, expect, it } from "vitest";
import { BpeTokenizer, trainTokenizers } from "../../src/language/index.js";
import { loadTokenizer, saveTokenizerJson } from "../../src/node/corpus/index.js";

const LICENSES = "/usr/share/common-licenses";
const FORTUNES = "/usr/share/games/fortunes";

/** Fortunes (Debian's fortunes / fortunes-min) when installed: real English, documents separated by %. */
function fortunes(): string[] {
  if (!existsSync(FORTUNES)) return [];
  const out: string[] = [];
  for (const f of readdirSync(FORTUNES).sort()) {
    const path = join(FORTUNES, f);
    if (f.includes(".") || !statSync(path).isFile()) continue;
    out.push(...readFileSync(path, "utf8").split(/^%$/m).map((d) => d.trim()).filter((d) => d.length > 0));
  }
  return out;
}

async function fromFolder(dir: string): Promise<PreTrainedTokenizer> {
  env.allowRemoteModels = false;
  env.localModelPath = dirname(dir) + "/";
  return AutoTokenizer.from_pretrained(basename(dir), { local_files_only: true });
}

describe("a tokenizer trained here, loaded by @huggingface/transformers", () => {
  let dir: string;
  let ours: BpeTokenizer;
  let theirs: PreTrainedTokenizer;
  const heldOut = readFileSync(`${LICENSES}/Apache-2.0`, "utf8");
  const docs = fortunes();
  // Train on the licenses and every other fortune; hold out Apache-2.0 and the rest of the fortunes.
  const trainDocs = [...readdirSync(LICENSES).filter((f) => f !== "Apache-2.0").map((f) => readFileSync(`${LICENSES}/${f}`, "utf8")), ...docs.filter((_, k) => k % 2 === 0)];
  const heldOutFortunes = docs.filter((_, k) => k % 2 === 1).slice(0, 3000);

  beforeAll(async () => {
    const trained = await trainTokenizers(trainDocs, { vocabSizes: [1024] });
    dir = join(await mkdtemp(join(tmpdir(), "bs-tjs-")), "tok-1024");
    await saveTokenizerJson(trained.tokenizers[0].json, join(dir, "tokenizer.json"));
    ours = await loadTokenizer(dir);
    theirs = await fromFolder(dir);
  });

  it("gives the same ids on a held-out license and round-trips it", () => {
    const ids = Array.from(ours.encode(heldOut, { addSpecialTokens: false }));
    expect(theirs.encode(heldOut, { add_special_tokens: false })).toEqual(ids);
    expect(theirs.decode(ids, { skip_special_tokens: true })).toBe(heldOut);
    expect(ours.decode(ids)).toBe(heldOut);
    expect(heldOut.length / ids.length).toBeGreaterThan(2.5);
  });

  it.skipIf(heldOutFortunes.length === 0)("gives the same ids on every held-out fortune (Debian's fortunes package)", () => {
    let tokens = 0;
    // In texts of 100 fortunes each, as the fortune files hold them (one call per fortune is slow in transformers.js).
    const texts = Array.from({ length: Math.ceil(heldOutFortunes.length / 100) }, (_, k) => heldOutFortunes.slice(100 * k, 100 * k + 100).join("\n%\n"));
    for (const text of texts) {
      const ids = Array.from(ours.encode(text, { addSpecialTokens: false }));
      expect(theirs.encode(text, { add_special_tokens: false })).toEqual(ids);
      tokens += ids.length;
    }
    expect(tokens).toBeGreaterThan(10_000);
  });

  it("agrees on special tokens, Unicode and whitespace, and names <s> as BOS", () => {
    const text = "<s>Once upon a time,  Café 😀 日本語\r\n\tend</s><pad>";
    expect(theirs.encode(text, { add_special_tokens: false })).toEqual(Array.from(ours.encode(text, { addSpecialTokens: false })));
    expect(theirs.bos_token).toBe("<s>");
    expect(theirs.bos_token_id).toBe(ours.tokenToId("<s>"));
    expect(theirs.eos_token_id).toBe(ours.tokenToId("</s>"));
  });
});
