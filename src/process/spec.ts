/**
 * Process specs as users type them on the command line:
 *   "mess3"                    catalogue defaults
 *   "mess3:x=0.1,alpha=0.7"    catalogue with parameters
 *   "mixture:mess3(x=0.1),rrxor;weights=0.3,0.7"
 *                              a composite (composite.ts): mixture or product of
 *                              catalogue processes, each with optional parameters in
 *                              parentheses; options after ";" (mixture: weights,
 *                              normalised, default uniform). Quote it in a shell.
 *   "product:mess3,even"
 *   "path/to/process.json"     a JSON file (anything ending in .json or containing a slash),
 *                              read by resolveProcess in beliefscope/node
 *
 * Grammar of composites:
 *   composite := ("mixture" | "product") ":" component ("," component)* (";" option)*
 *   component := name [ "(" key "=" number ("," key "=" number)* ")" ]
 *   option    := "weights" "=" number ("," number)*
 * Components are catalogue processes (not files, not composites).
 */
import { ArgumentError } from "../util/errors.js";
import { makeProcess, namesToSuggest, processParamNames } from "./catalogue/index.js";
import { withNearestName } from "./nearestName.js";
import { mixture, product, type CompositeKind } from "./composite.js";
import type { Hmm } from "./hmm.js";

export function isFileSpec(spec: string): boolean {
  return spec.endsWith(".json") || spec.includes("/") || spec.includes("\\");
}

/** Parse "name:key=value,..." into a name and numeric parameters. */
export function parseCatalogueSpec(spec: string): { name: string; params: Record<string, number> } {
  const [name, rest] = spec.split(/:(.*)/s, 2);
  const params: Record<string, number> = {};
  if (rest) {
    for (const part of rest.split(",")) {
      const [key, value] = part.split("=", 2);
      const num = Number(value);
      if (!key || value === undefined || value.trim() === "" || !Number.isFinite(num)) {
        throw new ArgumentError({
          fn: "parseProcessSpec",
          argument: "spec",
          received: JSON.stringify(spec),
          expected: 'name or name:key=value,... with numeric values, e.g. "mess3:x=0.05,alpha=0.85"',
        });
      }
      if (key.trim() in params) {
        throw new ArgumentError({
          fn: "parseProcessSpec",
          argument: "spec",
          received: `${JSON.stringify(spec)} (parameter ${key.trim()} is given twice)`,
          expected: "each parameter once",
        });
      }
      params[key.trim()] = num;
    }
  }
  return { name: name.trim(), params };
}

export interface CatalogueSpec {
  readonly kind: "catalogue";
  readonly name: string;
  readonly params: Readonly<Record<string, number>>;
}

export interface CompositeSpec {
  readonly kind: CompositeKind;
  readonly components: readonly CatalogueSpec[];
  /** Mixture weights as typed (normalised when built). */
  readonly weights?: readonly number[];
}

export type ProcessSpec = CatalogueSpec | CompositeSpec;

const COMPOSITES: readonly CompositeKind[] = ["mixture", "product"];

/** True for "mixture:..." and "product:...". */
export function isCompositeSpec(spec: string): boolean {
  const head = spec.trimStart().split(":", 1)[0].trim();
  return spec.includes(":") && (COMPOSITES as readonly string[]).includes(head);
}

function specError(spec: string, problem: string, expected: string): ArgumentError {
  return new ArgumentError({
    fn: "parseProcessSpec",
    argument: "spec",
    received: `${JSON.stringify(spec)} (${problem})`,
    expected,
    hint: 'Composites look like "mixture:mess3(x=0.1),rrxor;weights=0.3,0.7" or "product:mess3,even" (quote them in a shell).',
  });
}

function parseNumber(spec: string, text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) throw specError(spec, `${what} ${JSON.stringify(text)} is not a number`, "finite numbers");
  return n;
}

/** Split on `sep` at parenthesis depth 0; throws on unbalanced parentheses. */
function splitTopLevel(spec: string, text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k];
    if (ch === "(") depth++;
    else if (ch === ")") {
      depth--;
      if (depth < 0) throw specError(spec, `unmatched ")" at character ${k + 1} of ${JSON.stringify(text)}`, "balanced parentheses");
    } else if (ch === sep && depth === 0) {
      parts.push(text.slice(start, k));
      start = k + 1;
    }
  }
  if (depth !== 0) throw specError(spec, `unclosed "(" in ${JSON.stringify(text)}`, "balanced parentheses");
  parts.push(text.slice(start));
  return parts;
}

function parseComponent(spec: string, text: string): CatalogueSpec {
  const t = text.trim();
  const m = /^([A-Za-z0-9_.-]+)\s*(?:\((.*)\))?$/s.exec(t);
  if (!m) throw specError(spec, `component ${JSON.stringify(t)} is not name or name(key=value,...)`, "components like mess3 or mess3(x=0.1,alpha=0.8)");
  const name = m[1];
  if ((COMPOSITES as readonly string[]).includes(name)) {
    throw specError(spec, `component ${JSON.stringify(t)} is itself a composite`, "catalogue processes as components (nest composites in code with mixture() and product())");
  }
  const params: Record<string, number> = {};
  if (m[2] !== undefined && m[2].trim() !== "") {
    for (const part of m[2].split(",")) {
      const eq = part.indexOf("=");
      const key = part.slice(0, eq).trim();
      if (eq < 0 || key === "") throw specError(spec, `parameter ${JSON.stringify(part.trim())} of ${name} is not key=value`, "parameters like x=0.1");
      if (key in params) throw specError(spec, `parameter ${key} of ${name} is given twice`, "each parameter once");
      params[key] = parseNumber(spec, part.slice(eq + 1), `value of ${name}.${key}`);
    }
  }
  return { kind: "catalogue", name, params };
}

/** Parse a catalogue or composite spec (not a file spec) into its parts, without building anything. */
export function parseProcessSpec(spec: string): ProcessSpec {
  if (!isCompositeSpec(spec)) {
    const { name, params } = parseCatalogueSpec(spec);
    return { kind: "catalogue", name, params };
  }
  const colon = spec.indexOf(":");
  const kind = spec.slice(0, colon).trim() as CompositeKind;
  const [body, ...options] = splitTopLevel(spec, spec.slice(colon + 1), ";");
  const componentTexts = splitTopLevel(spec, body, ",");
  if (componentTexts.some((c) => c.trim() === "")) throw specError(spec, "an empty component", "comma-separated components");
  const components = componentTexts.map((c) => parseComponent(spec, c));
  if (components.length < 2) throw specError(spec, `${components.length} component`, `a ${kind} of at least 2 processes`);
  let weights: number[] | undefined;
  for (const option of options) {
    const eq = option.indexOf("=");
    const key = option.slice(0, eq).trim();
    if (eq < 0 || key !== "weights") {
      throw specError(spec, `unknown option ${JSON.stringify(option.trim())}`, kind === "mixture" ? "weights=w1,w2,..." : "no options (a product takes none)");
    }
    if (kind !== "mixture") throw specError(spec, "weights on a product", "weights only on a mixture");
    weights = option
      .slice(eq + 1)
      .split(",")
      .map((w) => parseNumber(spec, w, "weight"));
    if (weights.length !== components.length) {
      throw specError(spec, `${weights.length} weights for ${components.length} components`, "one weight per component");
    }
    const bad = weights.findIndex((w) => !(w > 0));
    if (bad >= 0) throw specError(spec, `weight ${weights[bad]} for ${components[bad].name}`, "positive weights (they are normalised to sum 1)");
  }
  return weights ? { kind, components, weights } : { kind, components };
}

/** Canonical text of a spec (used as a composite's name). */
export function formatProcessSpec(spec: ProcessSpec): string {
  const one = (c: CatalogueSpec, paren: boolean) => {
    const ps = Object.entries(c.params).map(([k, v]) => `${k}=${v}`);
    if (ps.length === 0) return c.name;
    return paren ? `${c.name}(${ps.join(",")})` : `${c.name}:${ps.join(",")}`;
  };
  if (spec.kind === "catalogue") return one(spec, false);
  const body = spec.components.map((c) => one(c, true)).join(",");
  return `${spec.kind}:${body}${spec.weights ? `;weights=${spec.weights.join(",")}` : ""}`;
}

/**
 * Build a process from a catalogue or composite spec ("mess3", "mess3:x=0.1",
 * "mixture:mess3,rrxor"). File specs are read by `resolveProcess` in
 * beliefscope/node; here they are an error.
 */
export function processFromSpec(spec: string): Hmm {
  if (isFileSpec(spec)) {
    throw new ArgumentError({ fn: "processFromSpec", argument: "spec", received: JSON.stringify(spec), expected: "a catalogue spec such as \"mess3:x=0.1\"", hint: "Read process files with resolveProcess or loadProcess from beliefscope/node." });
  }
  const parsed = parseProcessSpec(spec);
  if (parsed.kind === "catalogue") return build(parsed);
  const components = parsed.components.map(build);
  const name = formatProcessSpec(parsed);
  return parsed.kind === "mixture" ? mixture(components, { weights: parsed.weights, name }) : product(components, { name });
}

/** makeProcess, with "did you mean ...?" added to an unknown process or parameter name. */
function build(c: CatalogueSpec): Hmm {
  try {
    return makeProcess(c.name, { ...c.params });
  } catch (err) {
    const named = withNearestName(err, "name", c.name, namesToSuggest(c.name));
    if (named !== err) throw named;
    // An unknown parameter ("params.alpah"): suggest the nearest of the process's own.
    const unknown = Object.keys(c.params).find((p) => err instanceof ArgumentError && err.argument === `params.${p}`);
    if (unknown === undefined) throw err;
    throw withNearestName(err, `params.${unknown}`, unknown, processParamNames(c.name));
  }
}
