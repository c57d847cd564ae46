import { Command } from "commander";
import { catalogue, processNames } from "../process/catalogue/index.js";
import { chainClasses, describeClasses } from "../process/classes.js";
import { compositeKinds } from "../process/composite.js";
import { entropyRate, myopicEntropy, type EntropyRateResult, type MyopicEntropyResult } from "../process/entropy.js";
import { isUnifilar, type Hmm } from "../process/hmm.js";
import { mixedStatePresentation, type MixedStatePresentation } from "../process/msp.js";
import { sampleSequences } from "../process/sample.js";
import { filterBeliefs } from "../process/beliefs.js";
import { commonRounding, outwardBracket } from "../process/bracketText.js";
import { resolveProcess, saveProcess } from "../node/processFiles.js";
import { isStationary, stationaryDistribution } from "../process/stationary.js";
import { writeJsonAtomically } from "../node/atomicWrite.js";
import { floatOption, intOption } from "./options.js";

/** A probability as a percentage with sensible digits: "100%", "41%", "4.1%", "0.012%", "3.2e-7%". */
const pct = (m: number): string => {
  const v = 100 * m;
  if (v >= 99.5) return "100%";
  if (v >= 10) return `${v.toFixed(0)}%`;
  if (v >= 0.001) return `${Number(v.toPrecision(2))}%`;
  return `${v.toExponential(1)}%`;
};

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
    return `${line}\n  generalized HMM: no hidden state, so no Cover & Thomas lower bound; the lower end is the trivial 0, the upper end H(X_L | X_<L).`;
  }
  return line;
}

function lossLines(h: MyopicEntropyResult, length: number): string[] {
  const lines = [`optimal loss per position (nats): ${fmt(h.values)}`];
  const mean = (a: Float64Array) => a.subarray(1).reduce((x, y) => x + y, 0) / Math.max(1, length - 1);
  if (h.exact) {
    lines.push(`mean over positions 1..${length - 1}: ${mean(h.values).toFixed(5)}`);
  } else {
    const first = h.prunedMass.findIndex((m) => m > 0);
    const bounds = Array.from({ length: length - first }, (_, k) => `${first + k}: [${h.lower[first + k].toFixed(4)}, ${h.upper[first + k].toFixed(4)}]`);
    lines.push(
      `  exact up to position ${first - 1}; from ${first} on the budget pruned histories (up to ${pct(h.prunedMass[length - 1])} of the probability), so those are estimates within certified bounds: ${bounds.join(", ")}`,
    );
    lines.push(`mean over positions 1..${length - 1}: in [${mean(h.lower).toFixed(5)}, ${mean(h.upper).toFixed(5)}]`);
  }
  return lines;
}

function mspLine(msp: MixedStatePresentation, depth: number): string {
  let line = `mixed-state presentation to depth ${depth}: ${msp.nNodes} beliefs`;
  if (msp.closed) line += " (closed: the whole MSP)";
  else if (msp.truncated) line += ` (truncated by the budget: ${(100 * msp.prunedProbability).toPrecision(3)}% of the depth-${depth} probability not reached)`;
  return line;
}

function distributionLines(hmm: Hmm): string[] {
  if (hmm.generalized) {
    return [`generalized HMM: initial vector ${fmt(hmm.initial!)}, normalizer r ${fmt(hmm.normalizer!)} (word probability initial · T[w] · r)`];
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

interface InfoOptions {
  length: number;
  depth: number;
  rateDepth: number;
  precision: number;
  maxBeliefs?: number;
  maxWork: number;
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
      process.stdout.write("\ncomposites (quote them in a shell):\n");
      for (const [kind, c] of Object.entries(compositeKinds)) process.stdout.write(`${kind}: ${c.description}\n    e.g. '${c.example}'\n`);
    });

  cmd
    .command("info <spec>")
    .description('distribution, optimal loss per position, entropy-rate bracket, MSP size (spec: "mess3", "mess3:x=0.1", "mixture:mess3,rrxor", or a JSON file)')
    .option("--length <n>", "positions for the optimal loss", intOption(1, 64), 10)
    .option("--depth <n>", "MSP depth", intOption(0, 64), 8)
    .option("--rate-depth <L>", "largest L for the entropy-rate bracket", intOption(1, 10000), 256)
    .option("--precision <x>", "stop the entropy-rate bracket once this narrow", floatOption(0), 1e-6)
    .option("--max-beliefs <n>", "most beliefs held at once by each enumeration (memory ~ n (2S + 3V + 8) 8 bytes; default: 96 MiB worth)", intOption(1))
    .option("--max-work <n>", "work units (~multiply-adds) for all three enumerations: half for the rate, a quarter each for the losses and the MSP (~1.5-3e8 per second)", floatOption(1e3, 1e13), 3e8)
    .action(async (spec: string, o: InfoOptions) => {
      const hmm = await resolveProcess(spec);
      const work = (share: number) => Math.floor(o.maxWork * share);
      const h = myopicEntropy(hmm, o.length, { maxBeliefs: o.maxBeliefs, maxWork: work(0.25) });
      const rate = entropyRate(hmm, { precision: o.precision, maxDepth: o.rateDepth, maxBeliefs: o.maxBeliefs, maxWork: work(0.5) });
      const msp = mixedStatePresentation(hmm, { depth: o.depth, maxBeliefs: o.maxBeliefs, maxWork: work(0.25) });
      const kind = hmm.generalized ? "generalized HMM" : isUnifilar(hmm) ? "unifilar" : "nonunifilar";
      process.stdout.write(
        [
          `${hmm.name}${Object.keys(hmm.params).length ? ` ${JSON.stringify(hmm.params)}` : ""}: ${hmm.nStates} states, ${hmm.nSymbols} symbols, ${kind}`,
          ...distributionLines(hmm),
          ...lossLines(h, o.length),
          rateLine(rate),
          mspLine(msp, o.depth),
          "",
        ].join("\n"),
      );
    });

  cmd
    .command("save <spec> <file>")
    .description("write a process as JSON (atomically)")
    .action(async (spec: string, file: string) => {
      await saveProcess(await resolveProcess(spec), file);
      process.stdout.write(`wrote ${file}\n`);
    });

  cmd
    .command("sample <spec>")
    .description("sample sequences with their exact beliefs, as JSON (a generalized HMM has no hidden states to record)")
    .option("--count <n>", "sequences", intOption(1), 10)
    .option("--length <n>", "tokens per sequence", intOption(1), 10)
    .option("--seed <n>", "seed", intOption(0), 0)
    .option("-o, --out <file>", "write to a file instead of stdout")
    .action(async (spec: string, o: { count: number; length: number; seed: number; out?: string }) => {
      const hmm = await resolveProcess(spec);
      const s = sampleSequences(hmm, { count: o.count, length: o.length, seed: o.seed });
      const b = filterBeliefs(hmm, s.tokens, o.length);
      const S = hmm.nStates;
      const sequences = Array.from({ length: o.count }, (_, n) => ({
        tokens: Array.from(s.tokens.subarray(n * o.length, (n + 1) * o.length)),
        ...(hmm.generalized ? {} : { states: Array.from(s.states.subarray(n * (o.length + 1), (n + 1) * (o.length + 1))) }),
        beliefs: Array.from({ length: o.length }, (_, t) => Array.from(b.beliefs.subarray((n * o.length + t) * S, (n * o.length + t + 1) * S))),
      }));
      const doc = { process: hmm.name, params: hmm.params, seed: o.seed, sequences };
      if (o.out) await writeJsonAtomically(o.out, doc);
      else process.stdout.write(JSON.stringify(doc) + "\n");
    });

  cmd
    .command("msp <spec>")
    .description("the mixed-state presentation as JSON (beliefs, edges, per-depth distributions)")
    .option("--depth <n>", "symbols to expand", intOption(0, 64), 6)
    .option("--tolerance <x>", "merge beliefs within this", floatOption(1e-15, 0.5), 1e-9)
    .option("--min-probability <p>", "drop words rarer than this", floatOption(0, 1), 0)
    .option("--max-beliefs <n>", "most nodes (memory ~ n (S + 3V) 8 bytes; default: 96 MiB worth)", intOption(1))
    .option("--max-work <n>", "work units (~multiply-adds; ~1.5-3e8 per second)", floatOption(1e3, 1e13), 4e8)
    .option("-o, --out <file>", "output file", "msp.json")
    .action(async (spec: string, o: { depth: number; tolerance: number; minProbability: number; maxBeliefs?: number; maxWork: number; out: string }) => {
      const hmm = await resolveProcess(spec);
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

  return cmd;
}
