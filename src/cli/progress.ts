/**
 * Training progress on the terminal: a live bar on a TTY (cli-progress),
 * otherwise a plain line every ~5% of the steps (logs and CI stay readable).
 */
import cliProgress from "cli-progress";
import type { StepMetrics, TrainerEvents } from "../train/trainer.js";

function relative(r: number): string {
  return `${r >= 0 ? "+" : ""}${(r * 100).toFixed(2)}% vs optimal`;
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): Required<Pick<TrainerEvents, "onStart" | "onStep">> & { stop(): void } {
  let bar: cliProgress.SingleBar | null = null;
  let total = 0;
  let every = 1;
  let ema = NaN;
  const fields = (m: StepMetrics) => {
    ema = Number.isNaN(ema) ? m.loss : 0.95 * ema + 0.05 * m.loss;
    return {
      loss: ema.toFixed(4),
      rel: m.relativeLoss === null ? "" : relative(ema / (m.loss / (1 + m.relativeLoss)) - 1),
      tps: `${(m.tokensPerSecond / 1000).toFixed(1)}k tok/s`,
    };
  };
  return {
    onStart({ startStep, totalSteps }) {
      total = totalSteps;
      every = Math.max(1, Math.round(totalSteps / 20));
      if (startStep > 0) stream.write(`resuming at step ${startStep} of ${totalSteps}\n`);
      if (stream.isTTY) {
        bar = new cliProgress.SingleBar(
          { format: "train |{bar}| {value}/{total} | loss {loss} {rel} | {tps} | eta {eta_formatted}", stream, hideCursor: true, etaBuffer: 50 },
          cliProgress.Presets.shades_classic,
        );
        bar.start(totalSteps, startStep, { loss: "-", rel: "", tps: "" });
      }
    },
    onStep(m) {
      const f = fields(m);
      if (bar) bar.update(m.step, f);
      else if (m.step % every === 0 || m.step === total) stream.write(`step ${m.step}/${total}  loss ${f.loss}  ${f.rel}  ${f.tps}\n`);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
