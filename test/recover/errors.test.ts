/** Bad input to the library's recovery: an ArgumentError naming the argument, before any work is done. */
import { describe, expect, it } from "vitest";
import { makeProcess } from "../../src/process/index.js";
import { recoverHmm } from "../../src/recover/recoverHmm.js";
import { evaluateRecovery } from "../../src/recover/evaluation/evaluate.js";
import { ArgumentError } from "../../src/util/errors.js";
import { exactModel } from "./exactModel.js";

describe("recoverHmm rejects bad input clearly", () => {
  const model = exactModel(makeProcess("z1r"));

  it.each([
    [{ site: ["blocks.7.hook_resid_post"] }, /argument 'site' received "blocks.7.hook_resid_post"; expected hooks of this model: hook_embed, blocks.0.hook_resid_post/],
    [{ site: [] }, /argument 'site' received no hooks/],
    [{ states: 0 }, /argument 'states' received 0/],
    [{ states: 2.5 }, /argument 'states'/],
    [{ tokens: 5 }, /argument 'tokens' received 5/],
    [{ refinement: "newton" as "em" }, /argument 'refinement' received "newton"; expected "gradient" or "em"/],
    [{ futureLength: 40 }, /argument 'futureLength' received 40/],
  ])("%o", async (options, message) => {
    const calls = model.forwardCalls;
    const err = await recoverHmm(model, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as Error).message).toMatch(message);
    expect(model.forwardCalls).toBe(calls); // refused before running the model
  });

  it("a truth with another alphabet", async () => {
    const rec = await recoverHmm(model, { tokens: 500, prefixes: 100, iterations: 50 });
    await expect(evaluateRecovery(model, rec, makeProcess("mess3"), { baselines: false })).rejects.toThrow(/argument 'truth' received a process with 3 symbols; expected 2 symbols, as the model/);
  });
});
