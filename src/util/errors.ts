/**
 * Errors that name the function, the argument, what was received and what was
 * expected, and the next step where there is one (tfjs / nnsight style).
 */

export interface ArgumentErrorSpec {
  /** The public function or command that rejected the input, e.g. `createHmm`. */
  readonly fn: string;
  /** The argument (or path inside it), e.g. `transitions[1][0][2]`. */
  readonly argument: string;
  /** What was received, already rendered for humans. */
  readonly received: string;
  /** What was expected. */
  readonly expected: string;
  /** Optional next step for the user. */
  readonly hint?: string;
}

export class ArgumentError extends Error {
  readonly fn: string;
  readonly argument: string;
  readonly received: string;
  readonly expected: string;
  readonly hint: string | undefined;

  constructor(spec: ArgumentErrorSpec) {
    super(
      `${spec.fn}: argument '${spec.argument}' received ${spec.received}; expected ${spec.expected}.` +
        (spec.hint ? ` ${spec.hint}` : ""),
    );
    this.name = "ArgumentError";
    this.fn = spec.fn;
    this.argument = spec.argument;
    this.received = spec.received;
    this.expected = spec.expected;
    this.hint = spec.hint;
  }
}

/** Render any value compactly for an error message. */
export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as { length: number }).length}`;
  if (typeof value === "function") return "a function";
  return `an object with keys [${Object.keys(value as object).slice(0, 8).join(", ")}]`;
}

/** Throw an ArgumentError unless `value` is an integer within [min, max]. */
export function checkInteger(fn: string, argument: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ArgumentError({
      fn,
      argument,
      received: describe(value),
      expected: max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`,
    });
  }
  return value;
}

/** Throw an ArgumentError unless `value` is a finite number within [min, max]. */
export function checkNumber(fn: string, argument: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    const range =
      min === -Infinity && max === Infinity
        ? "a finite number"
        : max === Infinity
          ? `a finite number >= ${min}`
          : min === -Infinity
            ? `a finite number <= ${max}`
            : `a finite number in [${min}, ${max}]`;
    throw new ArgumentError({ fn, argument, received: describe(value), expected: range });
  }
  return value;
}

/** Throw an ArgumentError unless `value` is one of `choices`. */
export function checkChoice<T extends string>(fn: string, argument: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    throw new ArgumentError({
      fn,
      argument,
      received: describe(value),
      expected: `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`,
    });
  }
  return value as T;
}

/**
 * Reject keys that an options object does not know, so that a typo such as
 * `{ nLayer: 2 }` fails loudly instead of silently using the default.
 */
export function checkKnownKeys(fn: string, argument: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new ArgumentError({
        fn,
        argument: `${argument}.${key}`,
        received: "an unknown option",
        expected: `one of ${known.join(", ")}`,
        hint: "Check the spelling of the option name.",
      });
    }
  }
}
