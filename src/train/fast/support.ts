/**
 * What the fast trainer implements: the fused transformer (fastModelSupport)
 * with these optimizers. Anything else trains on jax-js.
 */
import { checkFields, fastModelSupport, isFinite, oneOf, type FieldChecks, type Support } from "../../model/transformer/fast/support.js";
import type { TransformerConfig } from "../../model/transformer/config.js";
import type { OptimizerConfig } from "../optimizer.js";

const OPTIMIZER_FIELDS: FieldChecks = {
  kind: { check: oneOf("adam", "sgd"), expected: "adam or sgd" },
  learningRate: { check: isFinite, expected: "a finite number >= 0" },
  beta1: { check: isFinite, expected: "a finite number" },
  beta2: { check: isFinite, expected: "a finite number" },
  eps: { check: isFinite, expected: "a finite number" },
  momentum: { check: isFinite, expected: "a finite number" },
  weightDecay: { check: isFinite, expected: "a finite number" },
  gradClip: { check: isFinite, expected: "a finite number" },
  // Schedules live on the host: the caller passes each step's scalars.
  schedule: { check: oneOf("constant", "cosine"), expected: "constant or cosine" },
  warmupSteps: { check: isFinite, expected: "a finite number" },
};

/** Whether createFastTrainer can train this model with this optimizer; otherwise why not. */
export function fastTrainerSupport(config: TransformerConfig, optimizer: OptimizerConfig): Support {
  const o = checkFields("optimizer", optimizer, OPTIMIZER_FIELDS);
  if (!o.ok) return o;
  return fastModelSupport(config);
}
