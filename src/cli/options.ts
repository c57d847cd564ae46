/** Typed parsers for command-line values: bad input fails with the option's name and what it expects. */
import { InvalidArgumentError } from "commander";

export function intOption(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`received ${JSON.stringify(value)}; expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}.`);
    }
    return n;
  };
}

export function floatOption(min: number, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`received ${JSON.stringify(value)}; expected a number ${max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`}.`);
    }
    return n;
  };
}
