import { makeProcess, entropyRate, myopicEntropy } from "./src/process/index.js";
const t0 = Date.now();
const r = entropyRate(makeProcess("mess3"));
console.log(JSON.stringify({ ...r, steps: r.steps.map(s => [s.L, s.lower, s.upper, s.beliefs, s.prunedLower, s.prunedUpper]) }, null, 0), Date.now() - t0);
console.log(myopicEntropy(makeProcess("mess3"), 12));
for (const name of ["rrxor", "golden-mean", "even", "sns", "z1r"]) {
  const b = entropyRate(makeProcess(name), { method: "bracket" });
  console.log(name, b.lower, b.upper, b.depth, b.stoppedBy, b.beliefsUsed, (2/3)*Math.log(2));
}
