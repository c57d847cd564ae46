import { describe, expect, it } from "vitest";
import { parseSites } from "../../src/cli/probeCommand.js";
import { probeTable } from "../../src/cli/probeTable.js";
import { probeFeatures } from "../../src/probe/beliefProbe.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { sampleSequences } from "../../src/process/sample.js";
import { Rng } from "../../src/util/rng.js";
import type { Rows } from "../../src/util/rows.js";

const shapes: Record<string, string> = {
  hook_embed: "[batch, pos, d_model]",
  "blocks.0.attn.hook_q": "[batch, pos, head_index, d_head]",
  "blocks.0.attn.hook_pattern": "[batch, head_index, query_pos, key_pos]",
  "blocks.0.hook_attn_out": "[batch, pos, d_model]",
  "blocks.0.hook_resid_post": "[batch, pos, d_model]",
};
const hooks = Object.keys(shapes);

describe("probe --hooks", () => {
  it("refuses a hook without one activation per position, naming the hooks that can be probed and the nearest", () => {
    let message = "";
    try {
      parseSites("blocks.0.hook_resid_post,blocks.0.attn.hook_pattern", hooks, "beliefscope probe", (h) => shapes[h]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      `beliefscope probe: argument '--hooks' received "blocks.0.attn.hook_pattern", shaped [batch, head_index, query_pos, key_pos]: not one activation per position; ` +
        "expected a hook shaped [batch, pos, ...] (each position's activations, flattened): hook_embed, blocks.0.attn.hook_q, blocks.0.hook_attn_out, blocks.0.hook_resid_post. " +
        "Did you mean blocks.0.attn.hook_q ([batch, pos, head_index, d_head])?",
    );
    expect(parseSites("blocks.0.attn.hook_q+hook_embed", hooks, "beliefscope probe", (h) => shapes[h])).toEqual([{ label: "blocks.0.attn.hook_q+hook_embed", hooks: ["blocks.0.attn.hook_q", "hook_embed"] }]);
  });

  it("prints long site labels whole, so two sites never read alike", () => {
    const hmm = makeProcess("mess3");
    const nPos = 5;
    const sequences = 40;
    const s = sampleSequences(hmm, { count: sequences, length: nPos, seed: 1 });
    const beliefs: Rows = { rows: sequences * nPos, cols: 3, data: filterBeliefs(hmm, s.tokens, nPos).beliefs };
    const rng = new Rng(1);
    const noise = (): Rows => ({ rows: beliefs.rows, cols: 2, data: Float64Array.from({ length: beliefs.rows * 2 }, () => rng.normal()) });
    const labels = ["blocks.2.hook_resid_post", "blocks.2.hook_resid_post+blocks.3.hook_resid_post"];
    const report = probeFeatures({ features: { [labels[0]]: noise(), [labels[1]]: noise() }, beliefs, tokens: s.tokens, hmm, sequences, nPos }, labels.map((label) => ({ label, hooks: [] })), {
      resamples: 20,
      fitResamples: 2,
      kgramOrders: [1],
      referenceKgramOrders: [],
    });
    const rows = probeTable(report).split("\n").slice(1, 3);
    expect(rows[0].startsWith("blocks.2.hook_resid_post ")).toBe(true);
    expect(rows[1].startsWith("blocks.2.hook_resid_post+blocks.3.hook_resid_post ")).toBe(true);
  });
});
