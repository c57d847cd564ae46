import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run.js";

// One spawn of the CLI (seconds): a bad input is refused before any training; the pipeline itself is in ladder.test.ts.
describe("beliefscope ladder", () => {
  it("refuses an unknown rung naming the choices, before training or writing anything", async () => {
    const out = await mkdtemp(join(tmpdir(), "bs-ladder-"));
    const r = await runCli(["ladder", "mess3", "-o", out, "--rungs", "gru,lstm2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: runLadder: argument 'rungs' received "lstm2"; expected one of the ladder's rungs: 4l, 2l, 1l, attn-only-1l, no-skip, no-ln, linear-attn-1l, fixed-attn-1l, rnn, gru, lstm, linear-rnn, selective-ssm, constructed.`);
    expect(r.stderr).not.toContain("    at ");
    expect(await readdir(out)).toEqual([]);
  });
});
