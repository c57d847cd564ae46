/**
 * "Did you mean mess3?" in a process-spec error: the nearest valid name by
 * the one edit-distance rule of util/didYouMean.ts.
 */
import { nearestName } from "../util/didYouMean.js";
import { ArgumentError } from "../util/errors.js";

/**
 * `err` again with "Did you mean X?" in front of its hint when it rejects
 * argument `argument` and a candidate is near `typed`; otherwise `err` itself.
 */
export function withNearestName(err: unknown, argument: string, typed: string, candidates: readonly string[]): unknown {
  if (!(err instanceof ArgumentError) || err.argument !== argument) return err;
  const near = nearestName(typed, candidates);
  if (near === null) return err;
  return new ArgumentError({ fn: err.fn, argument: err.argument, received: err.received, expected: err.expected, hint: `Did you mean ${near}?${err.hint ? ` ${err.hint}` : ""}` });
}
