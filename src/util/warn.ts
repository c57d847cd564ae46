/**
 * One place for warnings (Observable Plot style): repeats of the same message
 * are dropped, and tests can count what was warned.
 */

type Sink = (message: string) => void;

let sink: Sink = (message) => console.warn(`beliefscope warning: ${message}`);
const seen = new Set<string>();
let count = 0;

/** Emit a warning once per distinct message. */
export function warn(message: string): void {
  if (seen.has(message)) return;
  seen.add(message);
  count++;
  sink(message);
}

/** Number of distinct warnings emitted since the last reset. */
export function warningCount(): number {
  return count;
}

/** Forget past warnings (tests) and optionally route them elsewhere. Returns the previous sink. */
export function resetWarnings(newSink?: Sink): Sink {
  const previous = sink;
  seen.clear();
  count = 0;
  if (newSink) sink = newSink;
  return previous;
}
