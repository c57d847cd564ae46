/**
 * beliefscope/node: what needs Node. Files written atomically, run folders
 * (a RunStore on disk), checkpoints, process files, model folders, PNG
 * rendering, and the demo on a folder. Re-exports the core, so one import
 * gives everything in Node.
 */
export * from "../index.js";
// Registers the multi-threaded fused transformer trainer (preferred over the core's single-threaded one).
export { parallelFastEngine } from "./fast/engine.js";
export { createParallelFastTrainer, defaultThreads, enableRelaxedSimd, measureCeiling, type Ceiling } from "./fast/index.js";
export * from "./atomicWrite.js";
export * from "./processFiles.js";
export * from "./readFiles.js";
export { FileRunStore, loadTrainedModel, loadUntrainedModel, saveModelFolder, type LoadedModel } from "./runFolder.js";
export { checkpointFolderName, loadLatestCheckpoint, loadStateDict, saveStateDict, MODEL_FILE } from "./checkpoint.js";
export { folderSink } from "./folderSink.js";
export { svgToPng } from "./png.js";
export { runDemoInFolder } from "./demo.js";
export * from "./corpus/index.js";
