export * from "./storyGrammar.js";
export * from "./stories.js";
export * from "./alignment.js";
export * from "./corpus.js";
