/**
 * The generated corpus: the default when no data set is given (`--corpus
 * grammar`), written as a spec "grammar" or "grammar:stories=20000,seed=0,
 * end=0.15,mood=0.85,happy=0.6".
 */
import { ArgumentError } from "../../util/errors.js";
import { generateStory } from "./stories.js";
import { storyGrammar, type StoryGrammar, type StoryGrammarOptions } from "./storyGrammar.js";

export interface GrammarCorpusSpec {
  /** Number of stories. Default 20,000 (about 6 MB of text). */
  readonly stories: number;
  readonly seed: number;
  readonly grammar: StoryGrammarOptions;
}

export const GRAMMAR_CORPUS_DEFAULTS = Object.freeze({ stories: 20_000, seed: 0 });

const KEYS: Record<string, keyof StoryGrammarOptions | "stories" | "seed"> = {
  stories: "stories",
  seed: "seed",
  end: "endProbability",
  mood: "moodPersistence",
  happy: "happyStart",
};

/** True when a corpus spec names the generated corpus rather than files. */
export function isGrammarSpec(spec: string): boolean {
  return spec === "grammar" || spec.startsWith("grammar:");
}

/** Parse "grammar[:key=value,...]". */
export function parseGrammarSpec(spec: string): GrammarCorpusSpec {
  const fn = "parseGrammarSpec";
  if (!isGrammarSpec(spec)) throw new ArgumentError({ fn, argument: "spec", received: JSON.stringify(spec), expected: '"grammar" or "grammar:stories=N,seed=S,end=P,mood=P,happy=P"' });
  let stories: number = GRAMMAR_CORPUS_DEFAULTS.stories;
  let seed: number = GRAMMAR_CORPUS_DEFAULTS.seed;
  const grammar: Record<string, number> = {};
  const body = spec.slice("grammar".length + 1);
  for (const part of body.length > 0 ? body.split(",") : []) {
    const [key, value, extra] = part.split("=");
    const target = KEYS[key?.trim() ?? ""];
    const number = Number(value);
    if (target === undefined || extra !== undefined || value === undefined || value.trim() === "" || !Number.isFinite(number)) {
      throw new ArgumentError({ fn, argument: spec, received: JSON.stringify(part), expected: `key=number with key one of ${Object.keys(KEYS).join(", ")}` });
    }
    if (target === "stories" || target === "seed") {
      if (!Number.isSafeInteger(number) || number < (target === "stories" ? 1 : 0)) {
        throw new ArgumentError({ fn, argument: `${spec} (${key})`, received: String(value), expected: target === "stories" ? "an integer >= 1" : "an integer >= 0" });
      }
      if (target === "stories") stories = number;
      else seed = number;
    } else {
      grammar[target] = number;
    }
  }
  storyGrammar(grammar); // validates the grammar options now, with their names
  return { stories, seed, grammar };
}

/** The corpus's documents, story by story. */
export function* grammarDocuments(spec: GrammarCorpusSpec, grammar: StoryGrammar = storyGrammar(spec.grammar)): Generator<string> {
  for (let k = 0; k < spec.stories; k++) yield generateStory(grammar, spec.seed, k).text;
}
