import { Command } from "commander";
import { catalogue, processNames } from "../process/catalogue/index.js";
import { entropyRate, myopicEntropy } from "../process/entropy.js";
import { isUnifilar } from "../process/hmm.js";
import { mixedStatePresentation } from "../process/msp.js";
import { sampleSequences } from "../process/sample.js";
import { filterBeliefs } from "../process/beliefs.js";
import { saveProcess } from "../node/processFiles.js";
import { resolveProcess } from "../node/processFiles.js";
import { stationaryDistribution } from "../process/stationary.js";
import { writeJsonAtomically } from "../node/atomicWrite.js";
import { floatOption, intOption } from "./options.js";

const fmt = (a: ArrayLike<number>, d = 4) => `[${Array.from(a, (v) => v.toFixed(d)).join(", ")}]`;

export function processCommand(): Command {
  const cmd = new Command("process").description("Hidden Markov processes: catalogue, exact beliefs, mixed-state presentation, entropy");

  cmd
    .command("list")
    .description("list catalogue processes and their parameters")
    .action(() => {
      for (const name of processNames) {
        const f = catalogue[name];
        process.stdout.write(`${name}: ${f.description}\n`);
        for (const [p, s] of Object.entries(f.params as Record<string, { default: number; min: number; max: number; doc: string }>)) {
          process.stdout.write(`    ${p} = ${s.default}  in [${s.min}, ${s.max}]  ${s.doc}\n`);
        }
      }
    });

  cmd
    .command("info <spec>")
    .description('stationary distribution, optimal loss per position, entropy rate, MSP size (spec: "mess3", "mess3:x=0.1", or a JSON file)')
    .option("--length <n>", "positions for the optimal loss", intOption(1, 64), 10)
    .option("--depth <n>", "MSP depth", intOption(0, 20), 8)
    .action(async (spec: string, o: { length: number; depth: number }) => {
      const hmm = await resolveProcess(spec);
      const h = myopicEntropy(hmm, o.length).values;
      const rate = entropyRate(hmm);
      const msp = mixedStatePresentation(hmm, { depth: o.depth });
      process.stdout.write(
        [
          `${hmm.name} ${JSON.stringify(hmm.params)}: ${hmm.nStates} states, ${hmm.nSymbols} symbols, ${isUnifilar(hmm) ? "unifilar" : "nonunifilar"}`,
          `stationary distribution: ${fmt(stationaryDistribution(hmm))}`,
          `optimal loss per position (nats): ${fmt(h)}`,
          `mean over positions 1..${o.length - 1}: ${(h.subarray(1).reduce((a, b) => a + b, 0) / Math.max(1, o.length - 1)).toFixed(5)}`,
          `entropy rate: ${rate.value.toFixed(6)} nats/symbol (${rate.method}${rate.converged ? "" : ", not converged"})`,
          `mixed-state presentation to depth ${o.depth}: ${msp.nNodes} beliefs${msp.closed ? " (closed: the whole MSP)" : ""}`,
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
    .description("sample sequences with their exact beliefs, as JSON")
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
        states: Array.from(s.states.subarray(n * (o.length + 1), (n + 1) * (o.length + 1))),
        beliefs: Array.from({ length: o.length }, (_, t) => Array.from(b.beliefs.subarray((n * o.length + t) * S, (n * o.length + t + 1) * S))),
      }));
      const doc = { process: hmm.name, params: hmm.params, seed: o.seed, sequences };
      if (o.out) await writeJsonAtomically(o.out, doc);
      else process.stdout.write(JSON.stringify(doc) + "\n");
    });

  cmd
    .command("msp <spec>")
    .description("the mixed-state presentation as JSON (beliefs, edges, per-depth distributions)")
    .option("--depth <n>", "symbols to expand", intOption(0, 30), 6)
    .option("--tolerance <x>", "merge beliefs within this", floatOption(1e-15, 0.5), 1e-9)
    .option("--min-probability <p>", "drop words rarer than this", floatOption(0, 1), 0)
    .option("-o, --out <file>", "output file", "msp.json")
    .action(async (spec: string, o: { depth: number; tolerance: number; minProbability: number; out: string }) => {
      const hmm = await resolveProcess(spec);
      const msp = mixedStatePresentation(hmm, { depth: o.depth, tolerance: o.tolerance, minProbability: o.minProbability });
      const S = hmm.nStates;
      await writeJsonAtomically(o.out, {
        process: hmm.name,
        params: hmm.params,
        nNodes: msp.nNodes,
        closed: msp.closed,
        prunedProbability: msp.prunedProbability,
        beliefs: Array.from({ length: msp.nNodes }, (_, k) => Array.from(msp.beliefs.subarray(k * S, (k + 1) * S))),
        firstDepth: Array.from(msp.firstDepth),
        edges: Array.from(msp.edges.from, (f, e) => [f, msp.edges.symbol[e], msp.edges.to[e], msp.edges.probability[e]]),
        levels: msp.levels.map((l) => ({ nodes: Array.from(l.nodes), probabilities: Array.from(l.probabilities) })),
      });
      process.stdout.write(`${hmm.name}: ${msp.nNodes} beliefs to depth ${o.depth}${msp.closed ? " (closed)" : ""}; wrote ${o.out}\n`);
    });

  return cmd;
}

