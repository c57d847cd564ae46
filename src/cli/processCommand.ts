import { Command } from "commander";
import { catalogue, otherNamesListing, processNames } from "../process/catalogue/index.js";
import { chainClasses, describeClasses } from "../process/classes.js";
import { compositeKinds } from "../process/composite.js";
import { entropyRate, type EntropyRateResult } from "../process/entropy.js";
import { DEFAULT_OPTIMUM_N_CTX, optimalLoss } from "../process/optimalLoss.js";
import { infoLossLines, pct, upperEndNote } from "./processInfoLoss.js";
import { isUnifilar, type Hmm } from "../process/hmm.js";
import { mixedStatePresentation, type MixedStatePresentation } from "../process/msp.js";
import { sampleJsonPieces } from "../process/sample.js";
import { commonRounding, outwardBracket } from "../process/bracketText.js";
import { resolveProcess, saveProcess } from "../node/processFiles.js";
import { isStationary, stationaryDistribution } from "../process/stationary.js";
import { writeJsonAtomically } from "../node/atomicWrite.js";
import { checkOutputFile } from "../node/outputPath.js";
import { checkFreeSpace, writeStreamAtomically, writeStreamTo, type WritePiece } from "../node/streamWrite.js";
import { checkMemory } from "../util/memory.js";
import { addMaxMemoryOption, memoryBudget } from "./commonOptions.js";
import { infoBeliefsModel, mspBeliefsModel, mspNodeCap, sampleLengthModel } from "./memoryModels.js";
import { childCost, resolveBudget } from "../process/budget.js";
import { floatOption, intOption } from "./options.js";
import { countProgress } from "./countProgress.js";

const fmt = (a: ArrayLike<number>, d = 4, max = 32) => {
  const shown = Array.from(a, (v) => v.toFixed(d));
  return `[${shown.slice(0, max).join(", ")}${shown.length > max ? `, ... (${shown.length} in all)` : ""}]`;
};


/** "entropy rate in [lo, hi] nats/symbol (...)" and, when the bracket is narrow enough, "= point". */
export function rateLine(rate: EntropyRateResult): string {
  const [lo, hi] = outwardBracket(rate.lower, rate.upper);
  const point = commonRounding(rate.lower, rate.upper);
  let how: string;
  if (rate.method === "unifilar") how = "closed form: unifilar, sum_i pi_i H[X | S = i]";
  else if (rate.steps.length === 0) {
    // Combined over closed classes or factors, each bracketed on its own.
    how = `${rate.classes ? "by closed class" : "by factor"}, L up to ${rate.depth}, width ${rate.width.toExponential(2)}`;
    if (rate.prunedMass > 0) how += `, ${pct(rate.prunedMass)} of histories pruned by the budget`;
    if (!rate.converged) how += "; stopped by the budget (--max-beliefs, --max-work)";
  } else {
    const at = Math.max(rate.lowerAt, rate.upperAt);
    how = `L = ${at}, width ${rate.width.toExponential(2)}`;
    // Pruned probability at the depth the bracket comes from, and at the last depth tried.
    const step = rate.steps[at - 1];
    const prunedAt = step ? step.prunedLower + step.prunedUpper : rate.prunedMass;
    if (prunedAt > 0) how += `, ${pct(prunedAt)} of histories pruned by the budget`;
    if (at < rate.depth) how += `; went on to L = ${rate.depth}${rate.prunedMass > 0 ? `, which needed pruning ${pct(rate.prunedMass)}` : ""}`;
    if (!rate.converged) {
      how +=
        rate.stoppedBy === "maxDepth"
          ? "; stopped at --rate-depth"
          : rate.stoppedBy === "settled"
            ? "; upper end settled"
            : "; stopped by the budget (--max-beliefs, --max-work)";
    }
  }
  const line = `entropy rate in [${lo}, ${hi}] nats/symbol (${how})${point !== undefined ? ` = ${point}` : ""}`;
  if (rate.lowerBound === "trivial") {
    const note = upperEndNote(rate);
    return `${line}\n  generalized HMM: no hidden state, so no Cover & Thomas lower bound; the lower end is the trivial 0, the upper end H(X_L | X_<L).${note ? `\n${note}` : ""}`;
  }
  return line;
}

function mspLine(msp: MixedStatePresentation, depth: number): string {
  let line = `mixed-state presentation to depth ${depth}: ${msp.nNodes} beliefs`;
  if (msp.closed) line += " (closed: the whole MSP)";
  else if (msp.truncated) line += ` (truncated by the budget: ${(100 * msp.prunedProbability).toPrecision(3)}% of the depth-${depth} probability not reached)`;
  return line;
}

function distributionLines(hmm: Hmm): string[] {
  if (hmm.generalized) {
    return [
      `generalized HMM: initial vector ${fmt(hmm.initial!)}, normalizer r ${fmt(hmm.normalizer!)} (word probability initial · T[w] · r)`,
      `word probabilities checked nonnegative for every word up to length ${hmm.validatedDepth ?? "?"} (as deep as the check's work budget allowed; longer words are not checked)`,
    ];
  }
  const closed = hmm.nStates > 1 ? chainClasses(hmm).closed : [[0]];
  if (closed.length > 1) {
    const mass = closed.map((c) => c.reduce((s, i) => s + hmm.initial![i], 0));
    return [
      `initial distribution: ${fmt(hmm.initial!)}`,
      `non-ergodic: ${closed.length} closed classes ${describeClasses(hmm, closed)} (initial mass ${mass.map((m) => m.toFixed(4)).join(", ")}); the entropy rate is their mass-weighted mean`,
    ];
  }
  const lines = [`stationary distribution: ${fmt(stationaryDistribution(hmm))}`];
  if (hmm.initial && !isStationary(hmm, hmm.initial, 1e-9)) lines.push(`initial distribution: ${fmt(hmm.initial)}`);
  if (hmm.factors) lines.push(`product of ${hmm.factors.length} independent processes (${hmm.factors.map((f) => f.name).join(", ")}): the entropy rate is the sum of theirs`);
  return lines;
}

/** Stream the sampled document to --out (atomically) or stdout, with progress on stderr for long samples. */
async function writeSamples(hmm: Hmm, o: { count: number; length: number; seed: number; out?: string }): Promise<void> {
  const onProgress = countProgress("sampled", "sequences", o.count * o.length >= 2_000_000);
  const produce = async (write: WritePiece) => {
    let buffer = "";
    for (const piece of sampleJsonPieces(hmm, { count: o.count, length: o.length, seed: o.seed, onProgress })) {
      buffer += piece;
      if (buffer.length >= 1 << 20) {
        await write(buffer);
        buffer = "";
      }
    }
    if (buffer) await write(buffer);
  };
  if (o.out) {
    await writeStreamAtomically(o.out, produce);
    process.stdout.write(`wrote ${o.out}\n`);
  } else await writeStreamTo(process.stdout, produce);
}

interface InfoOptions {
  nCtx: number;
  length?: number;
  depth: number;
  rateDepth: number;
  precision: number;
  maxBeliefs?: number;
  maxWork: number;
  maxMemory?: string;
}

export function processCommand(): Command {
  const cmd = new Command("process").description("Hidden Markov processes: catalogue, exact beliefs, mixed-state presentation, entropy");

  cmd
    .command("list")
    .description("list catalogue processes and their parameters, and the composites")
    .action(() => {
      for (const name of processNames) {
        const f = catalogue[name];
        process.stdout.write(`${name}${f.kind === "ghmm" ? " (generalized HMM)" : ""}: ${f.description}\n`);
        process.stdout.write(`    source: ${f.source}\n`);
        for (const [p, s] of Object.entries(f.params as Record<string, { default: number; min: number; max: number; doc: string; integer?: boolean }>)) {
          process.stdout.write(`    ${p} = ${s.default}  in [${s.min}, ${s.max}]${s.integer ? " (integer)" : ""}  ${s.doc}\n`);
        }
      }
      process.stdout.write(`\n${otherNamesListing().join("\n")}\n`);
      process.stdout.write("\ncomposites (quote them in a shell):\n");
      for (const [kind, c] of Object.entries(compositeKinds)) process.stdout.write(`${kind}: ${c.description}\n    e.g. '${c.example}'\n`);
    });

  const infoCmd = cmd
    .command("info <spec>")
    .description('distribution, optimal loss per position, entropy-rate bracket, MSP size (spec: "mess3", "mess3:x=0.1", "mixture:mess3,rrxor", or a JSON file)')
    .option("--n-ctx <n>", "context length: the optimal loss at positions 0..n, and its mean over positions 1..n (what a model with this context reaches)", intOption(1, 64), DEFAULT_OPTIMUM_N_CTX)
    .option("--length <n>", "(older form) positions 0..n-1, i.e. --n-ctx n-1", intOption(2, 65))
    .option("--depth <n>", "MSP depth", intOption(0, 64), 8)
    .option("--rate-depth <L>", "largest L for the entropy-rate bracket", intOption(1, 10000), 256)
    .option("--precision <x>", "stop the entropy-rate bracket once this narrow", floatOption(0), 1e-6)
    .option("--max-beliefs <n>", "most beliefs held at once by each enumeration (memory ~ n (2S + 3V + 8) 8 bytes; default: 96 MiB worth)", intOption(1))
    .option("--max-work <n>", "work units (~multiply-adds) for all three enumerations: half for the rate, a quarter each for the losses and the MSP (~1.5-3e8 per second)", floatOption(1e3, 1e13), 3e8)
    .action(async (spec: string, o: InfoOptions) => {
      const hmm = await resolveProcess(spec);
      if (o.maxBeliefs !== undefined) checkMemory("beliefscope process info", infoBeliefsModel(hmm.nStates, hmm.nSymbols, o.maxBeliefs), memoryBudget(o));
      const work = (share: number) => Math.floor(o.maxWork * share);
      const rate = entropyRate(hmm, { precision: o.precision, maxDepth: o.rateDepth, maxBeliefs: o.maxBeliefs, maxWork: work(0.5) });
      const h = optimalLoss(hmm, o.length !== undefined ? o.length - 1 : o.nCtx, { maxBeliefs: o.maxBeliefs, maxWork: work(0.25), rate });
      const msp = mixedStatePresentation(hmm, { depth: o.depth, maxBeliefs: o.maxBeliefs, maxWork: work(0.25) });
      const kind = hmm.generalized ? "generalized HMM" : isUnifilar(hmm) ? "unifilar" : "nonunifilar";
      process.stdout.write(
        [
          `${hmm.name}${Object.keys(hmm.params).length ? ` ${JSON.stringify(hmm.params)}` : ""}: ${hmm.nStates} ${hmm.nStates === 1 ? "state" : "states"}, ${hmm.nSymbols} ${hmm.nSymbols === 1 ? "symbol" : "symbols"}, ${kind}`,
          ...distributionLines(hmm),
          ...infoLossLines(h, rate, DEFAULT_OPTIMUM_N_CTX),
          rateLine(rate),
          mspLine(msp, o.depth),
          "",
        ].join("\n"),
      );
    });
  addMaxMemoryOption(infoCmd);

  cmd
    .command("save <spec> <file>")
    .description("write a process as JSON (atomically)")
    .option("--force", "replace <file> if it exists")
    .action(async (spec: string, file: string, o: { force?: boolean }) => {
      await checkOutputFile(file, { fn: "beliefscope process save", flag: "<file>", force: o.force ?? false });
      await saveProcess(await resolveProcess(spec), file);
      process.stdout.write(`wrote ${file}\n`);
    });

  const sampleCmd = cmd
    .command("sample <spec>")
    .description("sample sequences with their exact beliefs, as JSON (a generalized HMM has no hidden states to record)")
    .option("--count <n>", "sequences", intOption(1), 10)
    .option("--length <n>", "tokens per sequence", intOption(1), 10)
    .option("--seed <n>", "seed", intOption(0), 0)
    .option("-o, --out <file>", "write to a file instead of stdout (written as drawn: memory stays flat as --count grows)")
    .option("--force", "replace --out if it exists")
    .action(async (spec: string, o: { count: number; length: number; seed: number; out?: string; force?: boolean; maxMemory?: string }) => {
      if (o.out) await checkOutputFile(o.out, { fn: "beliefscope process sample", flag: "--out", force: o.force ?? false });
      const hmm = await resolveProcess(spec);
      checkMemory("beliefscope process sample", sampleLengthModel(hmm.nStates, o.length), memoryBudget(o));
      // The file's size: ~22 characters a belief coordinate, ~3 a token and a state (measured 68 a position for mess3).
      const perPosition = 22 * hmm.nStates + 6;
      if (o.out) await checkFreeSpace(o.out, o.count * (o.length * perPosition + 40), { fn: "beliefscope process sample", flag: "--out", formula: `${o.count} sequences x ${o.length} tokens x ~${perPosition} bytes of JSON`, lower: "lower --count or --length" });
      await writeSamples(hmm, o);
    });
  addMaxMemoryOption(sampleCmd);

  const mspCmd = cmd
    .command("msp <spec>")
    .description("the mixed-state presentation as JSON (beliefs, edges, per-depth distributions)")
    .option("--depth <n>", "symbols to expand", intOption(0, 64), 6)
    .option("--tolerance <x>", "merge beliefs within this", floatOption(1e-15, 0.5), 1e-9)
    .option("--min-probability <p>", "drop words rarer than this", floatOption(0, 1), 0)
    .option("--max-beliefs <n>", "most nodes (memory ~ n (S + 3V) 8 bytes; default: 96 MiB worth)", intOption(1))
    .option("--max-work <n>", "work units (~multiply-adds; ~1.5-3e8 per second)", floatOption(1e3, 1e13), 4e8)
    .option("-o, --out <file>", "output file", "msp.json")
    .option("--force", "replace --out if it exists")
    .action(async (spec: string, o: { depth: number; tolerance: number; minProbability: number; maxBeliefs?: number; maxWork: number; out: string; force?: boolean; maxMemory?: string }) => {
      await checkOutputFile(o.out, { fn: "beliefscope process msp", flag: "--out", force: o.force ?? false });
      const hmm = await resolveProcess(spec);
      const { maxBeliefs } = resolveBudget("beliefscope process msp", { maxBeliefs: o.maxBeliefs }, hmm.nStates, hmm.nSymbols);
      const cap = mspNodeCap(hmm.nSymbols, o.depth, o.maxWork, childCost(hmm.nStates, hmm.nSymbols) + 200);
      checkMemory("beliefscope process msp", mspBeliefsModel(hmm.nStates, hmm.nSymbols, maxBeliefs, cap), memoryBudget(o));
      const msp = mixedStatePresentation(hmm, {
        depth: o.depth,
        tolerance: o.tolerance,
        minProbability: o.minProbability,
        maxBeliefs: o.maxBeliefs,
        maxWork: Math.floor(o.maxWork),
      });
      const S = hmm.nStates;
      await writeJsonAtomically(o.out, {
        process: hmm.name,
        params: hmm.params,
        nNodes: msp.nNodes,
        closed: msp.closed,
        truncated: msp.truncated,
        prunedProbability: msp.prunedProbability,
        beliefs: Array.from({ length: msp.nNodes }, (_, k) => Array.from(msp.beliefs.subarray(k * S, (k + 1) * S))),
        firstDepth: Array.from(msp.firstDepth),
        edges: Array.from(msp.edges.from, (f, e) => [f, msp.edges.symbol[e], msp.edges.to[e], msp.edges.probability[e]]),
        levels: msp.levels.map((l) => ({ nodes: Array.from(l.nodes), probabilities: Array.from(l.probabilities) })),
      });
      process.stdout.write(`${mspLine(msp, o.depth).replace("mixed-state presentation", hmm.name)}; wrote ${o.out}\n`);
    });
  addMaxMemoryOption(mspCmd);

  return cmd;
}
